/* Private to the SPARQL result writers (results*.c): the writer object, the
 * per-format operations and the helpers the formats share. */
#ifndef KG_RESULTS_IMPL_H
#define KG_RESULTS_IMPL_H

#include "io.h"

/* Operations of one result format. The dispatcher (results.c) empties
 * `w->line` before each of begin, row and end, and afterwards writes
 * whatever the operation appended to it; an operation may also write to
 * `w->out` itself (see kg__res_flush()). */
typedef struct kg__results_vtable {
  kg_status (*begin)(kg__results_writer *w);
  kg_status (*row)(kg__results_writer *w, const kg_term *const *values);
  kg_status (*end)(kg__results_writer *w);
  /* Free the format's own state (`w->impl`); NULL when it has none. */
  void (*discard)(kg__results_writer *w);
  /* Write a whole ASK document to `out`; NULL for the formats that write
   * it as a one-column table through begin, row and end. */
  kg_status (*boolean)(kg__out *out, int value);
} kg__results_vtable;

struct kg__results_writer {
  const kg__results_vtable *vt;
  kg__out *out;
  size_t ncols;
  char **names;     /* copies of the variable names, without '?' */
  uint64_t nrows;   /* rows accepted so far */
  kg_status status; /* first failure; sticks */
  kg__buf line;     /* output being built */
  void *impl;       /* format state, or NULL */
  /* Blank nodes are written b0, b1, ... in order of first appearance:
   * labels[i] is the store's label of bi; slots hash them (index + 1). */
  char **labels;
  size_t nlabels;
  size_t *slots;
  size_t nslots;
  kg__buf relabel; /* scratch for the "bN" of the current row */
};

extern const kg__results_vtable kg__results_json_vt;
extern const kg__results_vtable kg__results_xml_vt;
extern const kg__results_vtable kg__results_csv_vt;
extern const kg__results_vtable kg__results_tsv_vt;
extern const kg__results_vtable kg__results_table_vt;

/* Name of the single variable of an ASK result written as a table. */
extern const char kg__ask_var[];

/* Write and empty `w->line`: KG_OK, KG_ERR_NOMEM if building it failed,
 * KG_ERR_IO if the sink failed. */
kg_status kg__res_flush(kg__results_writer *w);

/* Write `b` to `out` and free it: KG_OK, KG_ERR_NOMEM if building it
 * failed, KG_ERR_IO if the sink failed. */
kg_status kg__res_write_buf(kg__out *out, kg__buf *b);

/* Append s[0..len) with control characters (C0 and DEL) as \u00XX and
 * invalid UTF-8 as U+FFFD. */
void kg__res_controls(kg__buf *b, const char *s, size_t len);

/* How a literal is to be written. */
typedef enum kg__lit_kind {
  KG__LIT_SIMPLE, /* no language, datatype absent or xsd:string */
  KG__LIT_LANG,   /* language tag (any datatype given is ignored) */
  KG__LIT_TYPED   /* some other datatype */
} kg__lit_kind;

kg__lit_kind kg__res_lit_kind(const kg_term *t);

/* Bound terms: NULL or kind 0 is unbound. Sets `*bad` for a term the
 * writers cannot take (unknown kind, NULL value with a length). */
const kg_term *kg__res_value(const kg_term *t, bool *bad);

/* Value bytes of a term (never NULL). */
const char *kg__res_bytes(const kg_term *t);

/* Append `s[0..len)` to `b` as UTF-8 text: a byte that does not start a
 * valid UTF-8 sequence becomes U+FFFD. `esc(b, c)` is called for every
 * ASCII byte c (< 0x80) and appends it, escaped as the format needs. */
void kg__res_text(kg__buf *b,
                  const char *s,
                  size_t len,
                  void (*esc)(kg__buf *b, unsigned char c));

/* Flags of kg__res_turtle(). */
enum {
  KG__TT_BARE = 1u << 0,  /* xsd:integer, decimal, double and boolean
                             whose lexical form is a Turtle token: bare */
  KG__TT_STRICT = 1u << 1 /* escape every character IRIREF forbids */
};

/* Append a bound term in Turtle / SPARQL syntax (used by TSV and the text
 * table): <iri>, _:label, "lexical", "lexical"@lang, "lexical"^^<iri>.
 * Inside quotes \t \n \r \" \\ are escaped, other control characters are
 * written \u00XX; in IRIs and labels control characters are \u00XX. */
void kg__res_turtle(kg__buf *b, const kg_term *t, unsigned flags);

#endif
