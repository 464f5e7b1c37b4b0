/* Internal value types shared by every layer: growable buffers, output
 * sinks, owned terms, quad vectors, prefix maps and error records. */
#ifndef KG_TERM_H
#define KG_TERM_H

#include "kgraph.h"

#include <stdarg.h>
#include <stdbool.h>

/* ---- growable byte buffer; always NUL-terminated when data != NULL ---- */
typedef struct kg__buf {
  char *data;
  size_t len;
  size_t cap;
  bool failed; /* an allocation failed; later appends are ignored */
} kg__buf;

void kg__buf_append(kg__buf *b, const void *data, size_t len);
void kg__buf_puts(kg__buf *b, const char *s);
void kg__buf_putc(kg__buf *b, char c);
void kg__buf_printf(kg__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void kg__buf_free(kg__buf *b);
/* Append code point `cp` (at most U+10FFFF) encoded as UTF-8. */
void kg__buf_put_utf8(kg__buf *b, uint32_t cp);
/* Give the buffer's memory to the caller (who frees it with free());
 * NULL if an allocation failed. The buffer is left empty. */
char *kg__buf_take(kg__buf *b);

/* ---- output to a kg_sink; the first failure sticks ---- */
typedef struct kg__out {
  kg_sink sink;
  void *ctx;
  bool failed;
} kg__out;

void kg__out_write(kg__out *o, const void *data, size_t len);
void kg__out_puts(kg__out *o, const char *s);
void kg__out_printf(kg__out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- owned terms: a kg_term whose strings are malloc'd by kgraph ----
 * kind == 0 marks "no term" (unbound value, default graph). */
char *kg__strdup(const char *s);
char *kg__strndup(const char *s, size_t len);
kg_status kg__term_copy(kg_term *dst, const kg_term *src);
void kg__term_clear(kg_term *t);
/* Total order: kind (none < IRI < blank < literal), value bytes, datatype,
 * lang. Equal iff the terms are the same RDF term. */
int kg__term_cmp(const kg_term *a, const kg_term *b);
bool kg__term_eq(const kg_term *a, const kg_term *b);

/* ASCII lower case of c, and of the string s in place. Language tags are
 * ASCII and compare without case: kgraph keeps them in lower case (the
 * store when a term enters it, the SPARQL parser, STRLANG). */
unsigned char kg__ascii_lower(unsigned char c);
void kg__lang_lower(char *s);

extern const char kg__xsd_string[];
extern const char kg__rdf_lang_string[];
extern const char kg__rdf_type[];

/* ---- quads ---- */
typedef struct kg__quad {
  kg_term s, p, o;
  kg_term g; /* kind 0: the default graph */
} kg__quad;

typedef struct kg__quads {
  kg__quad *v;
  size_t n;
  size_t cap;
} kg__quads;

/* Append copies of the terms; `g` NULL (or kind 0) for the default graph. */
kg_status kg__quads_push(kg__quads *q,
                         const kg_term *s,
                         const kg_term *p,
                         const kg_term *o,
                         const kg_term *g);
void kg__quads_free(kg__quads *q);
/* Sort by (g, s, p, o) with kg__term_cmp and drop duplicates. */
void kg__quads_sort_unique(kg__quads *q);
/* Drop graph names, then sort by (s, p, o) and drop duplicates. */
void kg__quads_to_triples(kg__quads *q);

/* ---- namespace prefixes, kept sorted by prefix ---- */
typedef struct kg__prefix {
  char *prefix;
  char *iri;
} kg__prefix;

typedef struct kg__prefixes {
  kg__prefix *v;
  size_t n;
  size_t cap;
} kg__prefixes;

kg_status
kg__prefixes_set(kg__prefixes *p, const char *prefix, const char *iri);
const char *kg__prefixes_get(const kg__prefixes *p, const char *prefix);
void kg__prefixes_free(kg__prefixes *p);

/* ---- an error record: message, location ---- */
typedef struct kg__err {
  kg_status status;
  char *msg; /* malloc'd one-line message, or NULL */
  unsigned line;
  unsigned column;
} kg__err;

/* Record an error (keeps the first one set; later calls are ignored). */
void kg__err_set(kg__err *e,
                 kg_status st,
                 unsigned line,
                 unsigned column,
                 const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));
void kg__err_clear(kg__err *e);

/* ---- UTF-8 ---- */
/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
size_t kg__utf8_seq(const unsigned char *s, size_t len);
/* Number of code points in s[0..len) (invalid bytes count one each). */
size_t kg__utf8_count(const char *s, size_t len);

#endif
