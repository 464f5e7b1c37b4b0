/* A growable, NUL-terminated buffer that is a kg_sink, for test programs. */
#ifndef KG_TEST_BUF_H
#define KG_TEST_BUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
  char *data; /* NULL until something is written */
  size_t len;
} buf;

/* A kg_sink appending to the buf `ctx`; fails (returns 0) without memory. */
static inline size_t buf_sink(const void *p, size_t n, void *ctx)
{
  buf *b = ctx;
  char *d = realloc(b->data, b->len + n + 1);
  if (!d) {
    return 0;
  }
  memcpy(d + b->len, p, n);
  b->data = d;
  b->len += n;
  d[b->len] = '\0';
  return n;
}

static inline void buf_clear(buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
}

static inline bool buf_eq(const buf *a, const buf *b)
{
  return a->len == b->len && (!a->len || memcmp(a->data, b->data, a->len) == 0);
}

#endif
