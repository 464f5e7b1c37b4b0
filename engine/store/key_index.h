/* A sorted set of fixed-width keys (3 or 4 32-bit term numbers) in memory,
 * kept as a row of leaves of up to KG__LEAF_CAP keys under one directory
 * (the first key of each leaf, and how many keys come before it): a
 * two-level B+-tree. Lookups and range counts are two binary searches;
 * a batch of sorted keys is merged in one pass. */
#ifndef KG_STORE_KEY_INDEX_H
#define KG_STORE_KEY_INDEX_H

#include "kgraph.h"

#include <stdbool.h>
#include <stdint.h>

enum { KG__LEAF_CAP = 512 };

typedef struct kg__leaf {
  uint32_t n;
  uint32_t k[]; /* n keys of `width` numbers, capacity KG__LEAF_CAP */
} kg__leaf;

typedef struct kg__kix {
  unsigned width; /* numbers per key: 3 or 4 */
  int cols[4];    /* quad position of each key number */
  size_t nleaves;
  size_t cap; /* capacity of the directory arrays */
  kg__leaf **leaves;
  uint32_t *first;  /* nleaves keys: the first key of each leaf */
  uint64_t *before; /* nleaves + 1 counts: keys in the leaves before */
  size_t valid;     /* before[0 .. valid) are up to date */
  uint64_t total;
  uint64_t version; /* changes whenever the set changes */
} kg__kix;

/* A position: leaf number and offset in it; leaf == nleaves is the end. */
typedef struct kg__kpos {
  size_t leaf;
  uint32_t off;
} kg__kpos;

void kg__kix_init(kg__kix *x, unsigned width, const int *cols);
void kg__kix_free(kg__kix *x);  /* also empties it */
void kg__kix_clear(kg__kix *x); /* empty, ready for use */

/* Compare the first `k` numbers of two keys. */
int kg__key_cmp(const uint32_t *a, const uint32_t *b, unsigned k);

/* Insert one key: 1 inserted, 0 already there, -1 out of memory. */
int kg__kix_insert(kg__kix *x, const uint32_t *key);
/* Remove one key: true when it was there. */
bool kg__kix_remove(kg__kix *x, const uint32_t *key);
/* Is the key there? */
bool kg__kix_contains(const kg__kix *x, const uint32_t *key);

/* Merge `n` keys sorted ascending and unique. Keys that were not there
 * are copied, in order, to `added` (may be NULL or `keys` itself; room
 * for n keys) and counted in *nadded (may be NULL). */
kg_status kg__kix_insert_sorted(kg__kix *x,
                                const uint32_t *keys,
                                size_t n,
                                uint32_t *added,
                                size_t *nadded);

/* First position whose first `k` numbers are >= prefix (upper false) or
 * > prefix (upper true). */
kg__kpos
kg__kix_seek(const kg__kix *x, const uint32_t *prefix, unsigned k, bool upper);
/* The key at a position, or NULL at the end. */
const uint32_t *kg__kix_at(const kg__kix *x, kg__kpos p);
void kg__kix_next(const kg__kix *x, kg__kpos *p);
/* Number of keys before a position. */
uint64_t kg__kix_rank(kg__kix *x, kg__kpos p);
/* Number of keys whose first `k` numbers equal prefix. */
uint64_t kg__kix_count(kg__kix *x, const uint32_t *prefix, unsigned k);

/* Bytes of memory the index holds. */
size_t kg__kix_bytes(const kg__kix *x);

/* Sort `n` keys of `width` numbers ascending (radix sort; `tmp` has room
 * for n keys) and drop duplicates; returns the new count. */
size_t
kg__keys_sort_unique(uint32_t *keys, uint32_t *tmp, size_t n, unsigned width);

#endif
