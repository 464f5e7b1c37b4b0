/* Loading Redland at run time: dlopen of librdf (which brings Raptor and
 * Rasqal as its own dependencies), then every function kgraph calls looked
 * up into kg__rl. Called with the Redland lock held. */
#define KG_REDLAND_LOADER
#include "redland.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The library file of librdf 1.0.x; Raptor 2 and Rasqal 0.9 are its
 * dependencies and are found through its handle. */
#define KG_LIBRDF_SONAME "librdf.so.0"

struct kg__redland_fns kg__rl;

static bool loaded;
static char failure[256];

const char *kg__redland_failure(void)
{
  return failure;
}

/* Look `name` up; a function pointer is copied out of dlsym()'s object
 * pointer bytewise, the one conversion ISO C leaves to POSIX. */
static bool resolve(void *handle, const char *name, void *slot, size_t size)
{
  void *sym = dlsym(handle, name);
  if (!sym) {
    snprintf(failure, sizeof failure, "cannot load Redland: %s lacks %s",
             KG_LIBRDF_SONAME, name);
    return false;
  }
  memcpy(slot, &sym, size);
  return true;
}

kg_status kg__redland_load(void)
{
  if (loaded) {
    return KG_OK;
  }
  /* RTLD_GLOBAL: librdf's own storage modules, loaded later by librdf,
   * resolve librdf's symbols in the global scope. */
  void *handle = dlopen(KG_LIBRDF_SONAME, RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char *why = dlerror();
    snprintf(failure, sizeof failure, "cannot load Redland: %s",
             why ? why : KG_LIBRDF_SONAME);
    return KG_ERR_STORE;
  }
#define KG_REDLAND_RESOLVE(f)                                                  \
  if (!resolve(handle, #f, &kg__rl.f, sizeof kg__rl.f)) {                      \
    dlclose(handle);                                                           \
    memset(&kg__rl, 0, sizeof kg__rl);                                         \
    return KG_ERR_STORE;                                                       \
  }
  KG_REDLAND_FUNCTIONS(KG_REDLAND_RESOLVE)
#undef KG_REDLAND_RESOLVE
  /* kept loaded for the life of the process: Redland's worlds live as
   * long */
  failure[0] = '\0';
  loaded = true;
  return KG_OK;
}
