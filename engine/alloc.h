/* Every allocation the library makes goes through these functions: the
 * build includes this header before anything else in each library source
 * (-include, see CMakeLists.txt), so malloc, calloc, realloc, strdup and
 * free below name kg__malloc and its kin. Memory that Redland, serd, LMDB
 * or PCRE2 allocate for themselves is not seen here.
 *
 * They do two things the C library does not:
 * - account: while a query or an update runs, the memory it allocates is
 *   added up in its kg__mem (one per query, made current on the calling
 *   thread); past the cap an allocation fails as if memory had run out,
 *   and the caller turns the failure into KG_ERR_LIMIT;
 * - in a build with KG_FAULT_INJECT, fail the Nth allocation on request,
 *   so that tests can reach every path that handles a failed allocation. */
#ifndef KG_ALLOC_H
#define KG_ALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *kg__malloc(size_t size);
void *kg__calloc(size_t n, size_t size);
void *kg__realloc(void *ptr, size_t size);
void kg__free(void *ptr);
char *kg__strdup(const char *s); /* in term.c, through kg__malloc */

/* In the library only: tests that include engine headers keep libc's. */
#ifdef KG_INTERNAL
#  define malloc(size)       kg__malloc(size)
#  define calloc(n, size)    kg__calloc(n, size)
#  define realloc(ptr, size) kg__realloc(ptr, size)
#  define strdup(s)          kg__strdup(s)
#  define free(ptr)          kg__free(ptr)
#endif

/* Memory held by one query or update, in bytes as the C library counts
 * them (malloc_usable_size). Frees of memory allocated before the account
 * was entered count too, so `used` may go below zero. */
typedef struct kg__mem {
  int64_t used;
  uint64_t cap;  /* 0: no cap */
  bool exceeded; /* an allocation was refused for the cap */
} kg__mem;

/* Make `m` the calling thread's current account (NULL: none); returns the
 * one it replaces, to give back to kg__mem_leave(). */
kg__mem *kg__mem_enter(kg__mem *m);
void kg__mem_leave(kg__mem *previous);
/* The cap as people read it: "N MB" for whole megabytes, else "N bytes". */
void kg__mem_cap_text(uint64_t cap, char *out, size_t size);

#ifdef KG_FAULT_INJECT
/* Fail the calling thread's `n`th allocation from now on (1-based; 0:
 * none), once. Resets the count of allocations. */
void kg__fault_fail_at(uint64_t n);
/* Allocations the calling thread made since kg__fault_fail_at(). */
uint64_t kg__fault_allocations(void);
/* Did the requested failure happen? */
bool kg__fault_fired(void);
/* Allocations of the calling thread not yet freed (frees of memory that
 * others allocated count too: compare differences only). */
int64_t kg__fault_live(void);
#endif

#endif
