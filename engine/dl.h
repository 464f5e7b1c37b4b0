/* Libraries kgraph loads on first use instead of linking them (Redland,
 * libpq), so that a process which never needs one never maps it. */
#ifndef KG_DL_H
#define KG_DL_H

#include <stdbool.h>
#include <stddef.h>

/* One function to look up: its name and where its pointer goes. */
typedef struct kg__dl_sym {
  const char *name;
  void *slot;
  size_t size;
} kg__dl_sym;

/* An entry of a kg__dl_sym table for function `f` of struct `table`. */
#define KG_DL_SYM(table, f) {#f, &(table).f, sizeof(table).f},

/* dlopen() `soname` with `mode` and fill every slot of `syms`. On failure
 * nothing stays loaded, `why` (of `why_size` bytes) says what failed
 * (dlerror()'s text, or "SONAME lacks NAME") and false is returned. The
 * library stays loaded for the life of the process. */
bool kg__dl_load(const char *soname,
                 int mode,
                 const kg__dl_sym *syms,
                 size_t n,
                 char *why,
                 size_t why_size);

#endif
