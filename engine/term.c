/* Internal value types: buffers, sinks, owned terms, quads, prefixes. */
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char kg__xsd_string[] = "http://www.w3.org/2001/XMLSchema#string";
const char kg__rdf_lang_string[] =
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
const char kg__rdf_type[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/* ---- buffers ---- */

static bool buf_reserve(kg__buf *b, size_t extra)
{
  if (b->failed) {
    return false;
  }
  if (b->len + extra + 1 <= b->cap) {
    return true;
  }
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) {
    if (cap > SIZE_MAX / 2) {
      b->failed = true;
      return false;
    }
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (!p) {
    b->failed = true;
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

void kg__buf_append(kg__buf *b, const void *data, size_t len)
{
  if (!buf_reserve(b, len)) {
    return;
  }
  if (len) {
    memcpy(b->data + b->len, data, len);
  }
  b->len += len;
  b->data[b->len] = '\0';
}

void kg__buf_puts(kg__buf *b, const char *s)
{
  kg__buf_append(b, s, strlen(s));
}

void kg__buf_putc(kg__buf *b, char c)
{
  kg__buf_append(b, &c, 1);
}

static void buf_vprintf(kg__buf *b, const char *fmt, va_list ap)
{
  va_list aq;
  va_copy(aq, ap);
  int n = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  if (n < 0) {
    b->failed = true;
    return;
  }
  if (!buf_reserve(b, (size_t)n)) {
    return;
  }
  (void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void kg__buf_printf(kg__buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void kg__buf_free(kg__buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->failed = false;
}

char *kg__buf_take(kg__buf *b)
{
  char *p = NULL;
  if (!b->failed) {
    if (!b->data) {
      kg__buf_append(b, "", 0);
    }
    p = b->failed ? NULL : b->data;
    if (p) {
      b->data = NULL;
    }
  }
  kg__buf_free(b);
  return p;
}

void kg__buf_put_utf8(kg__buf *b, uint32_t cp)
{
  char o[4];
  size_t n;
  if (cp < 0x80) {
    o[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  kg__buf_append(b, o, n);
}

/* ---- output ---- */

void kg__out_write(kg__out *o, const void *data, size_t len)
{
  if (o->failed || len == 0) {
    return;
  }
  if (o->sink(data, len, o->ctx) != len) {
    o->failed = true;
  }
}

void kg__out_puts(kg__out *o, const char *s)
{
  kg__out_write(o, s, strlen(s));
}

void kg__out_printf(kg__out *o, const char *fmt, ...)
{
  kg__buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  if (b.failed) {
    o->failed = true;
  } else if (b.data) {
    kg__out_write(o, b.data, b.len);
  }
  kg__buf_free(&b);
}

/* ---- terms ---- */

unsigned char kg__ascii_lower(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

void kg__lang_lower(char *s)
{
  for (; s && *s; s++) {
    *s = (char)kg__ascii_lower((unsigned char)*s);
  }
}

char *kg__strndup(const char *s, size_t len)
{
  char *p = malloc(len + 1);
  if (p) {
    if (len) {
      memcpy(p, s, len);
    }
    p[len] = '\0';
  }
  return p;
}

char *kg__strdup(const char *s)
{
  return s ? kg__strndup(s, strlen(s)) : NULL;
}

void kg__term_clear(kg_term *t)
{
  free((char *)t->value);
  free((char *)t->datatype);
  free((char *)t->lang);
  memset(t, 0, sizeof *t);
}

kg_status kg__term_copy(kg_term *dst, const kg_term *src)
{
  memset(dst, 0, sizeof *dst);
  if (!src || src->kind == 0) {
    return KG_OK;
  }
  dst->kind = src->kind;
  const char *v = src->value ? src->value : "";
  dst->value_len = src->value ? src->value_len : 0;
  dst->value = kg__strndup(v, dst->value_len);
  if (src->datatype && src->datatype[0]) {
    dst->datatype = kg__strdup(src->datatype);
  }
  if (src->lang && src->lang[0]) {
    dst->lang = kg__strdup(src->lang);
  }
  if (!dst->value || (src->datatype && src->datatype[0] && !dst->datatype) ||
      (src->lang && src->lang[0] && !dst->lang)) {
    kg__term_clear(dst);
    return KG_ERR_NOMEM;
  }
  return KG_OK;
}

static int str_cmp_null(const char *a, const char *b)
{
  if (!a || !a[0]) {
    return (b && b[0]) ? -1 : 0;
  }
  if (!b || !b[0]) {
    return 1;
  }
  return strcmp(a, b);
}

int kg__term_cmp(const kg_term *a, const kg_term *b)
{
  int ka = a ? (int)a->kind : 0;
  int kb = b ? (int)b->kind : 0;
  if (ka != kb) {
    return ka < kb ? -1 : 1;
  }
  if (ka == 0) {
    return 0;
  }
  size_t n = a->value_len < b->value_len ? a->value_len : b->value_len;
  int c = n ? memcmp(a->value, b->value, n) : 0;
  if (c != 0) {
    return c < 0 ? -1 : 1;
  }
  if (a->value_len != b->value_len) {
    return a->value_len < b->value_len ? -1 : 1;
  }
  c = str_cmp_null(a->datatype, b->datatype);
  if (c != 0) {
    return c;
  }
  return str_cmp_null(a->lang, b->lang);
}

bool kg__term_eq(const kg_term *a, const kg_term *b)
{
  return kg__term_cmp(a, b) == 0;
}

/* ---- quads ---- */

static void quad_clear(kg__quad *d)
{
  kg__term_clear(&d->s);
  kg__term_clear(&d->p);
  kg__term_clear(&d->o);
  kg__term_clear(&d->g);
}

kg_status kg__quads_push(kg__quads *q,
                         const kg_term *s,
                         const kg_term *p,
                         const kg_term *o,
                         const kg_term *g)
{
  if (q->n == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 256;
    kg__quad *v = realloc(q->v, cap * sizeof *v);
    if (!v) {
      return KG_ERR_NOMEM;
    }
    q->v = v;
    q->cap = cap;
  }
  kg__quad *d = &q->v[q->n];
  memset(d, 0, sizeof *d); /* the copies not made are cleared below */
  if (kg__term_copy(&d->s, s) || kg__term_copy(&d->p, p) ||
      kg__term_copy(&d->o, o) || kg__term_copy(&d->g, g)) {
    quad_clear(d);
    return KG_ERR_NOMEM;
  }
  q->n++;
  return KG_OK;
}

void kg__quads_free(kg__quads *q)
{
  for (size_t i = 0; i < q->n; i++) {
    quad_clear(&q->v[i]);
  }
  free(q->v);
  memset(q, 0, sizeof *q);
}

static int quad_cmp(const void *va, const void *vb)
{
  const kg__quad *a = va;
  const kg__quad *b = vb;
  int c = kg__term_cmp(&a->g, &b->g);
  if (!c) {
    c = kg__term_cmp(&a->s, &b->s);
  }
  if (!c) {
    c = kg__term_cmp(&a->p, &b->p);
  }
  if (!c) {
    c = kg__term_cmp(&a->o, &b->o);
  }
  return c;
}

void kg__quads_sort_unique(kg__quads *q)
{
  if (q->n < 2) {
    return;
  }
  qsort(q->v, q->n, sizeof *q->v, quad_cmp);
  size_t w = 1;
  for (size_t r = 1; r < q->n; r++) {
    if (quad_cmp(&q->v[w - 1], &q->v[r]) == 0) {
      quad_clear(&q->v[r]);
    } else {
      q->v[w++] = q->v[r];
    }
  }
  q->n = w;
}

void kg__quads_to_triples(kg__quads *q)
{
  for (size_t i = 0; i < q->n; i++) {
    kg__term_clear(&q->v[i].g);
  }
  kg__quads_sort_unique(q);
}

/* ---- prefixes ---- */

static size_t
prefix_find(const kg__prefixes *p, const char *prefix, bool *found)
{
  size_t lo = 0;
  size_t hi = p->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(p->v[mid].prefix, prefix);
    if (c == 0) {
      *found = true;
      return mid;
    }
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = false;
  return lo;
}

kg_status kg__prefixes_set(kg__prefixes *p, const char *prefix, const char *iri)
{
  bool found = false;
  size_t at = prefix_find(p, prefix, &found);
  char *niri = kg__strdup(iri);
  if (!niri) {
    return KG_ERR_NOMEM;
  }
  if (found) {
    free(p->v[at].iri);
    p->v[at].iri = niri;
    return KG_OK;
  }
  char *npre = kg__strdup(prefix);
  if (!npre) {
    free(niri);
    return KG_ERR_NOMEM;
  }
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    kg__prefix *v = realloc(p->v, cap * sizeof *v);
    if (!v) {
      free(niri);
      free(npre);
      return KG_ERR_NOMEM;
    }
    p->v = v;
    p->cap = cap;
  }
  memmove(&p->v[at + 1], &p->v[at], (p->n - at) * sizeof *p->v);
  p->v[at].prefix = npre;
  p->v[at].iri = niri;
  p->n++;
  return KG_OK;
}

const char *kg__prefixes_get(const kg__prefixes *p, const char *prefix)
{
  bool found = false;
  size_t at = prefix_find(p, prefix, &found);
  return found ? p->v[at].iri : NULL;
}

void kg__prefixes_free(kg__prefixes *p)
{
  for (size_t i = 0; i < p->n; i++) {
    free(p->v[i].prefix);
    free(p->v[i].iri);
  }
  free(p->v);
  memset(p, 0, sizeof *p);
}

/* ---- errors ---- */

void kg__err_set(kg__err *e,
                 kg_status st,
                 unsigned line,
                 unsigned column,
                 const char *fmt,
                 ...)
{
  if (!e || e->status != KG_OK) {
    return;
  }
  kg__buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  /* one line of valid UTF-8: fold control characters, and write '?' for
   * each byte that is not part of a valid sequence (messages quote input) */
  for (size_t i = 0; i < b.len;) {
    const unsigned char *u = (const unsigned char *)b.data + i;
    size_t n = *u < 0x20 ? 0 : kg__utf8_seq(u, b.len - i);
    if (n == 0) {
      b.data[i++] = *u < 0x20 ? ' ' : '?';
    } else {
      i += n;
    }
  }
  while (b.len && b.data[b.len - 1] == ' ') {
    b.data[--b.len] = '\0';
  }
  e->status = st;
  e->msg = kg__buf_take(&b);
  e->line = line;
  e->column = column;
}

void kg__err_clear(kg__err *e)
{
  free(e->msg);
  memset(e, 0, sizeof *e);
}

/* ---- UTF-8 ---- */

size_t kg__utf8_seq(const unsigned char *s, size_t len)
{
  if (len == 0) {
    return 0;
  }
  unsigned c = s[0];
  if (c < 0x80) {
    return 1;
  }
  size_t n;
  unsigned min;
  unsigned cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (len < n) {
    return 0;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

size_t kg__utf8_count(const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t count = 0;
  size_t i = 0;
  while (i < len) {
    size_t n = kg__utf8_seq(u + i, len - i);
    i += n ? n : 1;
    count++;
  }
  return count;
}
