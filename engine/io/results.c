/* SPARQL result writers: dispatch to the format's operations, and the
 * helpers the formats share.
 *
 * Every writer streams except the text table, which needs every row to
 * size its columns. A writer's first failure sticks: later rows are
 * refused with the same status and kg__results_end() does not finish the
 * document, so a truncated output is never made to look complete.
 *
 * Text is written as UTF-8. A term whose bytes are not valid UTF-8 has
 * each offending byte written as U+FFFD, the replacement character, in
 * every format, so that the output stays valid UTF-8. */
#include "results_impl.h"

#include <stdlib.h>
#include <string.h>

const char kg__ask_var[] = "_askResult";

static const char xsd_ns[] = "http://www.w3.org/2001/XMLSchema#";
static const char xsd_boolean[] = "http://www.w3.org/2001/XMLSchema#boolean";

static const kg__results_vtable *vtable_of(kg_results_format format)
{
  switch (format) {
  case KG_RESULTS_JSON:
    return &kg__results_json_vt;
  case KG_RESULTS_XML:
    return &kg__results_xml_vt;
  case KG_RESULTS_CSV:
    return &kg__results_csv_vt;
  case KG_RESULTS_TSV:
    return &kg__results_tsv_vt;
  case KG_RESULTS_TABLE:
    return &kg__results_table_vt;
  }
  return NULL;
}

static void writer_free(kg__results_writer *w)
{
  if (!w) {
    return;
  }
  if (w->vt->discard) {
    w->vt->discard(w);
  }
  if (w->names) {
    for (size_t i = 0; i < w->ncols; i++) {
      free(w->names[i]);
    }
    free(w->names);
  }
  kg__buf_free(&w->line);
  for (size_t i = 0; i < w->nlabels; i++) {
    free(w->labels[i]);
  }
  free(w->labels);
  free(w->slots);
  kg__buf_free(&w->relabel);
  free(w);
}

kg_status kg__res_flush(kg__results_writer *w)
{
  if (w->line.failed) {
    kg__buf_free(&w->line);
    return KG_ERR_NOMEM;
  }
  if (w->line.len) {
    kg__out_write(w->out, w->line.data, w->line.len);
  }
  w->line.len = 0;
  if (w->line.data) {
    w->line.data[0] = '\0';
  }
  return w->out->failed ? KG_ERR_IO : KG_OK;
}

/* Run one operation: empty the line, call, flush; record a failure. */
static kg_status run_op(kg__results_writer *w, kg_status st)
{
  if (st == KG_OK) {
    st = kg__res_flush(w);
  } else {
    w->line.len = 0;
  }
  if (st != KG_OK && w->status == KG_OK) {
    w->status = st;
  }
  return st;
}

static kg_status writer_new(kg_results_format format,
                            kg__out *out,
                            size_t ncols,
                            const char *const *names,
                            kg__results_writer **wp)
{
  const kg__results_vtable *vt = vtable_of(format);
  if (!vt || !out || !out->sink || (ncols && !names)) {
    return KG_ERR_ARG;
  }
  for (size_t i = 0; i < ncols; i++) {
    if (!names[i]) {
      return KG_ERR_ARG;
    }
  }
  kg__results_writer *w = calloc(1, sizeof *w);
  if (!w) {
    return KG_ERR_NOMEM;
  }
  w->vt = vt;
  w->out = out;
  if (ncols) {
    if (ncols > SIZE_MAX / sizeof *w->names) {
      free(w);
      return KG_ERR_NOMEM;
    }
    w->names = calloc(ncols, sizeof *w->names);
    if (!w->names) {
      free(w);
      return KG_ERR_NOMEM;
    }
    w->ncols = ncols;
    for (size_t i = 0; i < ncols; i++) {
      w->names[i] = kg__strdup(names[i]);
      if (!w->names[i]) {
        writer_free(w);
        return KG_ERR_NOMEM;
      }
    }
  }
  *wp = w;
  return KG_OK;
}

kg_status kg__results_begin(kg_results_format format,
                            kg__out *out,
                            size_t ncols,
                            const char *const *names,
                            kg__results_writer **w)
{
  if (!w) {
    return KG_ERR_ARG;
  }
  *w = NULL;
  kg__results_writer *nw = NULL;
  kg_status st = writer_new(format, out, ncols, names, &nw);
  if (st != KG_OK) {
    return st;
  }
  if (out->failed) {
    writer_free(nw);
    return KG_ERR_IO;
  }
  st = run_op(nw, nw->vt->begin(nw));
  if (st != KG_OK) {
    writer_free(nw);
    return st;
  }
  *w = nw;
  return KG_OK;
}

static uint64_t label_hash(const char *s, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  }
  return h;
}

static bool labels_grow(kg__results_writer *w)
{
  size_t ns = w->nslots ? w->nslots * 2 : 64;
  size_t *slots = calloc(ns, sizeof *slots);
  if (!slots) {
    return false;
  }
  for (size_t i = 0; i < w->nlabels; i++) {
    size_t k = label_hash(w->labels[i], strlen(w->labels[i])) & (ns - 1);
    while (slots[k]) {
      k = (k + 1) & (ns - 1);
    }
    slots[k] = i + 1;
  }
  free(w->slots);
  w->slots = slots;
  w->nslots = ns;
  return true;
}

/* Number of the blank node labelled t->value in this result document;
 * SIZE_MAX when out of memory. */
static size_t blank_number(kg__results_writer *w, const kg_term *t)
{
  if ((w->nlabels + 1) * 2 > w->nslots && !labels_grow(w)) {
    return SIZE_MAX;
  }
  size_t k = label_hash(t->value, t->value_len) & (w->nslots - 1);
  while (w->slots[k]) {
    const char *l = w->labels[w->slots[k] - 1];
    if (strlen(l) == t->value_len && memcmp(l, t->value, t->value_len) == 0) {
      return w->slots[k] - 1;
    }
    k = (k + 1) & (w->nslots - 1);
  }
  char **v = realloc(w->labels, (w->nlabels + 1) * sizeof *v);
  if (!v) {
    return SIZE_MAX;
  }
  w->labels = v;
  char *copy = kg__strndup(t->value, t->value_len);
  if (!copy) {
    return SIZE_MAX;
  }
  w->labels[w->nlabels] = copy;
  w->slots[k] = w->nlabels + 1;
  return w->nlabels++;
}

kg_status kg__results_row(kg__results_writer *w, const kg_term *const *values)
{
  if (!w) {
    return KG_ERR_ARG;
  }
  if (w->status != KG_OK) {
    return w->status;
  }
  if (w->ncols && !values) {
    return run_op(w, KG_ERR_ARG);
  }
  for (size_t i = 0; i < w->ncols; i++) {
    bool bad = false;
    (void)kg__res_value(values[i], &bad);
    if (bad) {
      return run_op(w, KG_ERR_ARG);
    }
  }
  /* The row as written: blank nodes renumbered. */
  kg_term *terms = calloc(w->ncols ? w->ncols : 1, sizeof *terms);
  const kg_term **row = calloc(w->ncols ? w->ncols : 1, sizeof *row);
  size_t *numbers = calloc(w->ncols ? w->ncols : 1, sizeof *numbers);
  kg_status st = terms && row && numbers ? KG_OK : KG_ERR_NOMEM;
  w->relabel.len = 0;
  for (size_t i = 0; i < w->ncols && st == KG_OK; i++) {
    row[i] = values[i];
    if (values[i] && values[i]->kind == KG_TERM_BLANK) {
      numbers[i] = blank_number(w, values[i]);
      if (numbers[i] == SIZE_MAX) {
        st = KG_ERR_NOMEM;
      }
    }
  }
  /* labels "b<N>" live in one buffer; point at them once it stops moving */
  size_t *offsets =
      st == KG_OK ? calloc(w->ncols ? w->ncols : 1, sizeof *offsets) : NULL;
  if (st == KG_OK && !offsets) {
    st = KG_ERR_NOMEM;
  }
  for (size_t i = 0; i < w->ncols && st == KG_OK; i++) {
    if (values[i] && values[i]->kind == KG_TERM_BLANK) {
      offsets[i] = w->relabel.len;
      kg__buf_printf(&w->relabel, "b%zu", numbers[i]);
      kg__buf_putc(&w->relabel, '\0');
    }
  }
  if (st == KG_OK && w->relabel.failed) {
    st = KG_ERR_NOMEM;
  }
  for (size_t i = 0; i < w->ncols && st == KG_OK; i++) {
    if (values[i] && values[i]->kind == KG_TERM_BLANK) {
      terms[i] = *values[i];
      terms[i].value = w->relabel.data + offsets[i];
      terms[i].value_len = strlen(terms[i].value);
      row[i] = &terms[i];
    }
  }
  if (st == KG_OK) {
    st = run_op(w, w->vt->row(w, row));
  } else {
    st = run_op(w, st);
  }
  free(offsets);
  free(numbers);
  free(row);
  free(terms);
  if (st == KG_OK) {
    w->nrows++;
  }
  return st;
}

kg_status kg__results_end(kg__results_writer *w)
{
  if (!w) {
    return KG_OK;
  }
  kg_status st = w->status;
  if (st == KG_OK) {
    st = run_op(w, w->vt->end(w));
  }
  writer_free(w);
  return st;
}

void kg__results_abort(kg__results_writer *w)
{
  writer_free(w);
}

kg_status kg__results_boolean(kg_results_format format, kg__out *out, int value)
{
  const char *const names[] = {kg__ask_var};
  kg__results_writer *w = NULL;
  const kg__results_vtable *vt = vtable_of(format);
  if (!vt) {
    return KG_ERR_ARG;
  }
  if (!out || !out->sink) {
    return KG_ERR_ARG;
  }
  if (out->failed) {
    return KG_ERR_IO;
  }
  if (vt->boolean) {
    return vt->boolean(out, value);
  }
  kg_status st = kg__results_begin(format, out, 1, names, &w);
  if (st != KG_OK) {
    return st;
  }
  kg_term t = {KG_TERM_LITERAL, value ? "true" : "false", value ? 4 : 5,
               xsd_boolean, NULL};
  const kg_term *row[] = {&t};
  st = kg__results_row(w, row);
  if (st != KG_OK) {
    kg__results_abort(w);
    return st;
  }
  return kg__results_end(w);
}

/* ---- shared helpers ---- */

kg_status kg__res_write_buf(kg__out *out, kg__buf *b)
{
  if (b->failed) {
    kg__buf_free(b);
    return KG_ERR_NOMEM;
  }
  kg__out_write(out, b->data, b->len);
  kg__buf_free(b);
  return out->failed ? KG_ERR_IO : KG_OK;
}

kg__lit_kind kg__res_lit_kind(const kg_term *t)
{
  if (t->lang && t->lang[0]) {
    return KG__LIT_LANG;
  }
  if (t->datatype && t->datatype[0] &&
      strcmp(t->datatype, kg__xsd_string) != 0) {
    return KG__LIT_TYPED;
  }
  return KG__LIT_SIMPLE;
}

const kg_term *kg__res_value(const kg_term *t, bool *bad)
{
  if (!t || t->kind == 0) {
    return NULL;
  }
  if ((t->kind != KG_TERM_IRI && t->kind != KG_TERM_BLANK &&
       t->kind != KG_TERM_LITERAL) ||
      (!t->value && t->value_len)) {
    *bad = true;
    return NULL;
  }
  return t;
}

const char *kg__res_bytes(const kg_term *t)
{
  return t->value ? t->value : "";
}

void kg__res_text(kg__buf *b,
                  const char *s,
                  size_t len,
                  void (*esc)(kg__buf *b, unsigned char c))
{
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    if (u[i] < 0x80) {
      esc(b, u[i]);
      i++;
      continue;
    }
    /* copy a run of valid multi-byte sequences at once */
    size_t start = i;
    size_t n;
    while (i < len && u[i] >= 0x80 && (n = kg__utf8_seq(u + i, len - i))) {
      i += n;
    }
    kg__buf_append(b, s + start, i - start);
    if (i < len && u[i] >= 0x80) {
      kg__buf_puts(b, "\xEF\xBF\xBD");
      i++;
    }
  }
}

/* ---- Turtle / SPARQL term syntax ---- */

static void put_uchar(kg__buf *b, unsigned char c)
{
  static const char hex[] = "0123456789ABCDEF";
  char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
  kg__buf_append(b, e, sizeof e);
}

static void esc_string(kg__buf *b, unsigned char c)
{
  switch (c) {
  case '\t':
    kg__buf_puts(b, "\\t");
    break;
  case '\n':
    kg__buf_puts(b, "\\n");
    break;
  case '\r':
    kg__buf_puts(b, "\\r");
    break;
  case '"':
    kg__buf_puts(b, "\\\"");
    break;
  case '\\':
    kg__buf_puts(b, "\\\\");
    break;
  default:
    if (c < 0x20 || c == 0x7F) {
      put_uchar(b, c);
    } else {
      kg__buf_putc(b, (char)c);
    }
  }
}

static void esc_control(kg__buf *b, unsigned char c)
{
  if (c < 0x20 || c == 0x7F) {
    put_uchar(b, c);
  } else {
    kg__buf_putc(b, (char)c);
  }
}

/* IRIREF ::= '<' ([^#x00-#x20<>"{}|^`\] | UCHAR)* '>' */
static void esc_iriref(kg__buf *b, unsigned char c)
{
  if (c <= 0x20 || c == 0x7F || strchr("<>\"{}|^`\\", c)) {
    put_uchar(b, c);
  } else {
    kg__buf_putc(b, (char)c);
  }
}

void kg__res_controls(kg__buf *b, const char *s, size_t len)
{
  kg__res_text(b, s, len, esc_control);
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static size_t digits(const char *s, size_t i, size_t len)
{
  while (i < len && is_digit(s[i])) {
    i++;
  }
  return i;
}

/* Does s[0..len) match the Turtle token for datatype `dt` (the local name
 * after the XSD namespace)? INTEGER ::= [+-]? [0-9]+ ;
 * DECIMAL ::= [+-]? [0-9]* '.' [0-9]+ ;
 * DOUBLE ::= [+-]? ([0-9]+ '.' [0-9]* EXP | '.' [0-9]+ EXP | [0-9]+ EXP),
 * EXP ::= [eE] [+-]? [0-9]+ ; boolean ::= 'true' | 'false'. */
static bool is_bare_token(const char *dt, const char *s, size_t len)
{
  if (!strcmp(dt, "boolean")) {
    return (len == 4 && !memcmp(s, "true", 4)) ||
           (len == 5 && !memcmp(s, "false", 5));
  }
  bool integer = !strcmp(dt, "integer");
  bool decimal = !strcmp(dt, "decimal");
  bool dbl = !strcmp(dt, "double");
  if (!integer && !decimal && !dbl) {
    return false;
  }
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    i++;
  }
  size_t int_start = i;
  i = digits(s, i, len);
  size_t int_digits = i - int_start;
  if (integer) {
    return int_digits > 0 && i == len;
  }
  size_t frac_digits = 0;
  bool dot = false;
  if (i < len && s[i] == '.') {
    dot = true;
    size_t f = i + 1;
    i = digits(s, f, len);
    frac_digits = i - f;
  }
  if (decimal) {
    return dot && frac_digits > 0 && i == len;
  }
  /* double: mantissa needs a digit before the dot, or one after it */
  if (int_digits == 0 && frac_digits == 0) {
    return false;
  }
  if (i >= len || (s[i] != 'e' && s[i] != 'E')) {
    return false;
  }
  i++;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    i++;
  }
  size_t e = i;
  i = digits(s, i, len);
  return i > e && i == len;
}

void kg__res_turtle(kg__buf *b, const kg_term *t, unsigned flags)
{
  const char *v = kg__res_bytes(t);
  size_t len = t->value_len;
  switch (t->kind) {
  case KG_TERM_IRI:
    kg__buf_putc(b, '<');
    kg__res_text(b, v, len, (flags & KG__TT_STRICT) ? esc_iriref : esc_control);
    kg__buf_putc(b, '>');
    return;
  case KG_TERM_BLANK:
    kg__buf_puts(b, "_:");
    kg__res_text(b, v, len, esc_control);
    return;
  case KG_TERM_LITERAL:
    break;
  }
  kg__lit_kind k = kg__res_lit_kind(t);
  size_t nslen = sizeof xsd_ns - 1;
  if ((flags & KG__TT_BARE) && k == KG__LIT_TYPED &&
      !strncmp(t->datatype, xsd_ns, nslen) &&
      is_bare_token(t->datatype + nslen, v, len)) {
    kg__buf_append(b, v, len);
    return;
  }
  kg__buf_putc(b, '"');
  kg__res_text(b, v, len, esc_string);
  kg__buf_putc(b, '"');
  if (k == KG__LIT_LANG) {
    kg__buf_putc(b, '@');
    kg__res_text(b, t->lang, strlen(t->lang), esc_control);
  } else if (k == KG__LIT_TYPED) {
    kg__buf_puts(b, "^^<");
    kg__res_text(b, t->datatype, strlen(t->datatype),
                 (flags & KG__TT_STRICT) ? esc_iriref : esc_control);
    kg__buf_putc(b, '>');
  }
}
