/* Kept rows with a hash index on some slots, and sets of ID tuples. */
#ifndef KG_SPARQL_ROWS_H
#define KG_SPARQL_ROWS_H

#include "eval.h"

typedef struct kg__rows {
  size_t width;
  kg__vid *rows;
  size_t n;
  size_t cap;
  /* index on `keys`: heads[bucket] and chain[row] hold row index + 1 */
  const int *keys;
  size_t nkeys;
  size_t *heads;
  size_t *chain;
  size_t nb;
} kg__rows;

static inline const kg__vid *kg__rows_at(const kg__rows *s, size_t i)
{
  return s->rows + i * s->width;
}

uint64_t kg__rows_hash(const kg__vid *row, const int *cols, size_t ncols);
kg_status kg__rows_push(kg__rows *s, const kg__vid *row);
/* Build the index (after the last push). */
kg_status kg__rows_index(kg__rows *s, const int *keys, size_t nkeys);
/* First row (index + 1, 0 for none) whose keys may equal the probe's. */
size_t kg__rows_first(const kg__rows *s, const kg__vid *probe);
void kg__rows_free(kg__rows *s);

typedef struct kg__tupset {
  size_t width;
  kg__vid *data;
  size_t n;
  size_t cap;
  size_t *slots;
  size_t nslots;
  int *cols; /* 0..width-1 */
} kg__tupset;

kg_status kg__tupset_init(kg__tupset *t, size_t width);
kg_status kg__tupset_add(kg__tupset *t, const kg__vid *tup, bool *added);
kg_status
kg__tupset_put(kg__tupset *t, const kg__vid *tup, size_t *index, bool *added);
void kg__tupset_free(kg__tupset *t);

#endif
