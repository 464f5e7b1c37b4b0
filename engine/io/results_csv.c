/* SPARQL 1.1 Query Results CSV and TSV Formats.
 *
 * CSV: a header line of the variable names (without '?'), then one line
 * per row; every line ends in CRLF. Values lose their kind: an IRI is
 * written bare, a blank node as _:label, a literal as its lexical form only
 * (no language tag, no datatype); an unbound variable is an empty field.
 * A field is quoted ("...", with " doubled) when it holds a comma, a
 * quote, CR or LF, or starts or ends with a space or tab. CSV has no
 * escapes, so other characters, control characters included, are written
 * as they are. No rows: the header line alone.
 *
 * TSV: a header line ?x<TAB>?y, then one line per row; lines end in LF.
 * Values are written in Turtle / SPARQL syntax: <iri>, _:label, "lexical",
 * "lexical"@lang, "lexical"^^<datatype>; inside quotes \t \n \r \" \\ are
 * escaped and other control characters written \u00XX, and an IRI's
 * characters that IRIREF forbids are written \u00XX too. Literals of
 * xsd:integer, xsd:decimal, xsd:double and xsd:boolean are written bare
 * when, and only when, their lexical form is exactly a Turtle INTEGER,
 * DECIMAL, DOUBLE or boolean token (so "01"^^xsd:integer is bare, " 1" is
 * not). An unbound variable is an empty field.
 *
 * ASK (which neither format defines) is a one-column table of the
 * variable _askResult with one row, true or false. */
#include "results_impl.h"

#include <string.h>

/* ---- CSV ---- */

static bool csv_needs_quotes(const char *s, size_t len)
{
  if (len == 0) {
    return false;
  }
  if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t') {
    return true;
  }
  for (size_t i = 0; i < len; i++) {
    if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') {
      return true;
    }
  }
  return false;
}

static void esc_none(kg__buf *b, unsigned char c)
{
  kg__buf_putc(b, (char)c);
}

static void esc_csv_quoted(kg__buf *b, unsigned char c)
{
  if (c == '"') {
    kg__buf_putc(b, '"');
  }
  kg__buf_putc(b, (char)c);
}

/* One field whose text is `prefix` (ASCII, needs no quoting) then s. */
static void csv_field(kg__buf *b, const char *prefix, const char *s, size_t len)
{
  if (csv_needs_quotes(s, len)) {
    kg__buf_putc(b, '"');
    kg__buf_puts(b, prefix);
    kg__res_text(b, s, len, esc_csv_quoted);
    kg__buf_putc(b, '"');
  } else {
    kg__buf_puts(b, prefix);
    kg__res_text(b, s, len, esc_none);
  }
}

static kg_status csv_begin(kg__results_writer *w)
{
  for (size_t i = 0; i < w->ncols; i++) {
    if (i) {
      kg__buf_putc(&w->line, ',');
    }
    csv_field(&w->line, "", w->names[i], strlen(w->names[i]));
  }
  kg__buf_puts(&w->line, "\r\n");
  return KG_OK;
}

static kg_status csv_row(kg__results_writer *w, const kg_term *const *values)
{
  for (size_t i = 0; i < w->ncols; i++) {
    if (i) {
      kg__buf_putc(&w->line, ',');
    }
    bool bad = false;
    const kg_term *t = kg__res_value(values[i], &bad);
    if (t) {
      csv_field(&w->line, t->kind == KG_TERM_BLANK ? "_:" : "",
                kg__res_bytes(t), t->value_len);
    }
  }
  kg__buf_puts(&w->line, "\r\n");
  return KG_OK;
}

static kg_status csv_end(kg__results_writer *w)
{
  (void)w;
  return KG_OK;
}

const kg__results_vtable kg__results_csv_vt = {csv_begin, csv_row, csv_end,
                                               NULL, NULL};

/* ---- TSV ---- */

static void esc_tsv_name(kg__buf *b, unsigned char c)
{
  /* variable names hold no control characters; keep the line intact if
   * one does */
  if (c < 0x20 || c == 0x7F) {
    kg__buf_putc(b, '_');
  } else {
    kg__buf_putc(b, (char)c);
  }
}

static kg_status tsv_begin(kg__results_writer *w)
{
  for (size_t i = 0; i < w->ncols; i++) {
    if (i) {
      kg__buf_putc(&w->line, '\t');
    }
    kg__buf_putc(&w->line, '?');
    kg__res_text(&w->line, w->names[i], strlen(w->names[i]), esc_tsv_name);
  }
  kg__buf_putc(&w->line, '\n');
  return KG_OK;
}

static kg_status tsv_row(kg__results_writer *w, const kg_term *const *values)
{
  for (size_t i = 0; i < w->ncols; i++) {
    if (i) {
      kg__buf_putc(&w->line, '\t');
    }
    bool bad = false;
    const kg_term *t = kg__res_value(values[i], &bad);
    if (t) {
      kg__res_turtle(&w->line, t, KG__TT_BARE | KG__TT_STRICT);
    }
  }
  kg__buf_putc(&w->line, '\n');
  return KG_OK;
}

const kg__results_vtable kg__results_tsv_vt = {tsv_begin, tsv_row, csv_end,
                                               NULL, NULL};
