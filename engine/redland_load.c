/* Loading Redland at run time: dlopen of librdf (which brings Raptor and
 * Rasqal as its own dependencies), then every function kgraph calls looked
 * up into kg__rl. Called with the Redland lock held. */
#define KG_REDLAND_LOADER
#include "redland.h"

#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>

/* The library file of librdf 1.0.x; Raptor 2 and Rasqal 0.9 are its
 * dependencies and are found through its handle. */
#define KG_LIBRDF_SONAME "librdf.so.0"

struct kg__redland_fns kg__rl;

#define KG_REDLAND_SYM(f) KG_DL_SYM(kg__rl, f)

static bool loaded;
static char failure[256];

const char *kg__redland_failure(void)
{
  return failure;
}

kg_status kg__redland_load(void)
{
  if (loaded) {
    return KG_OK;
  }
  /* RTLD_GLOBAL: librdf's own storage modules, loaded later by librdf,
   * resolve librdf's symbols in the global scope. */
  static const kg__dl_sym syms[] = {KG_REDLAND_FUNCTIONS(KG_REDLAND_SYM)};
  char why[200];
  if (!kg__dl_load(KG_LIBRDF_SONAME, RTLD_NOW | RTLD_GLOBAL, syms,
                   sizeof syms / sizeof *syms, why, sizeof why)) {
    snprintf(failure, sizeof failure, "cannot load Redland: %s", why);
    return KG_ERR_STORE;
  }
  /* kept loaded for the life of the process: Redland's worlds live as
   * long */
  failure[0] = '\0';
  loaded = true;
  return KG_OK;
}
