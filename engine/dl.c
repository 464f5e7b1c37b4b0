#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

bool kg__dl_load(const char *soname,
                 int mode,
                 const kg__dl_sym *syms,
                 size_t n,
                 char *why,
                 size_t why_size)
{
  void *h = dlopen(soname, mode);
  if (!h) {
    const char *e = dlerror();
    snprintf(why, why_size, "%s", e ? e : soname);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    void *sym = dlsym(h, syms[i].name);
    if (!sym) {
      snprintf(why, why_size, "%s lacks %s", soname, syms[i].name);
      for (size_t k = 0; k < i; k++) {
        memset(syms[k].slot, 0, syms[k].size);
      }
      dlclose(h);
      return false;
    }
    /* a function pointer is copied out of dlsym()'s object pointer
     * bytewise, the one conversion ISO C leaves to POSIX */
    memcpy(syms[i].slot, &sym, syms[i].size);
  }
  return true;
}
