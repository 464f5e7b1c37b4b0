/* Text table of SPARQL results, for people to read. ASCII frame:
 *
 *   ?s                | ?name            | ?age
 *   ------------------+------------------+------------------------
 *   <http://ex.org/a> | "Alice"@en       | "42"^^<http://ex.org/n>
 *   _:b0              | "line 1\nline 2" |
 *   (2 rows)
 *
 * A header of the variable names with '?', a line of '-' under each column
 * joined by "-+-", one line per row, then "(N rows)" ("(1 row)" for one).
 * Cells are separated by " | " and padded with spaces to the width of
 * their column, counted in Unicode code points (a byte that is not UTF-8
 * counts as one, shown as U+FFFD); the last cell of a line is not padded,
 * so no line ends in spaces (an empty last cell leaves it ending in " |").
 *
 * Values are written in full Turtle syntax, without prefixes: <iri>,
 * _:label, "text", "text"@lang, "5"^^<datatype-iri> (numbers too are
 * quoted with their datatype). Inside quotes \t \n \r \" \\ are escaped;
 * control characters anywhere are shown as \u00XX, so a cell is always
 * one line. An unbound variable is an empty cell.
 *
 * No variables: only the "(N rows)" line. ASK: the column ?_askResult and
 * one row holding the bare word true or false.
 *
 * The table needs every row to size its columns, so rows are kept in
 * memory until kg__results_end(). */
#include "results_impl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct cell {
  size_t off; /* into table.text */
  size_t len;
} cell;

/* Cells row by row, ncols per row; the first row is the header. */
typedef struct table {
  kg__buf text; /* every rendered cell, one after another */
  cell *cells;
  size_t ncells; /* cells used */
  size_t cap;
  size_t *width; /* per column, in code points */
} table;

static void table_discard(kg__results_writer *w)
{
  table *t = w->impl;
  if (t) {
    kg__buf_free(&t->text);
    free(t->cells);
    free(t->width);
    free(t);
    w->impl = NULL;
  }
}

/* Make room for one more row of cells. */
static bool table_grow(table *t, size_t ncols)
{
  if (t->cap - t->ncells >= ncols) {
    return true;
  }
  size_t cap = t->cap ? t->cap : 16 * ncols;
  while (cap - t->ncells < ncols) {
    if (cap > SIZE_MAX / 2 / sizeof *t->cells) {
      return false;
    }
    cap *= 2;
  }
  cell *c = realloc(t->cells, cap * sizeof *c);
  if (!c) {
    return false;
  }
  t->cells = c;
  t->cap = cap;
  return true;
}

/* The text appended to t->text since `off` becomes the next cell, of
 * column `col`. */
static void add_cell(table *t, size_t col, size_t off)
{
  cell *c = &t->cells[t->ncells++];
  c->off = off;
  c->len = t->text.len - off;
  size_t wd = kg__utf8_count(t->text.data + off, c->len);
  if (wd > t->width[col]) {
    t->width[col] = wd;
  }
}

static kg_status table_begin(kg__results_writer *w)
{
  table *t = calloc(1, sizeof *t);
  if (!t) {
    return KG_ERR_NOMEM;
  }
  w->impl = t;
  if (!w->ncols) {
    return KG_OK;
  }
  t->width = calloc(w->ncols, sizeof *t->width);
  if (!t->width || !table_grow(t, w->ncols)) {
    return KG_ERR_NOMEM;
  }
  /* make sure text.data exists so that cells can point into it */
  kg__buf_append(&t->text, "", 0);
  for (size_t i = 0; i < w->ncols && !t->text.failed; i++) {
    size_t off = t->text.len;
    kg__buf_putc(&t->text, '?');
    kg__res_controls(&t->text, w->names[i], strlen(w->names[i]));
    if (!t->text.failed) {
      add_cell(t, i, off);
    }
  }
  return t->text.failed ? KG_ERR_NOMEM : KG_OK;
}

static kg_status table_row(kg__results_writer *w, const kg_term *const *values)
{
  table *t = w->impl;
  if (!w->ncols) {
    return KG_OK;
  }
  if (!table_grow(t, w->ncols)) {
    return KG_ERR_NOMEM;
  }
  size_t first = t->ncells;
  for (size_t i = 0; i < w->ncols; i++) {
    bool bad = false;
    const kg_term *v = kg__res_value(values[i], &bad);
    size_t off = t->text.len;
    if (v) {
      kg__res_turtle(&t->text, v, 0);
    }
    if (t->text.failed) {
      t->ncells = first;
      return KG_ERR_NOMEM;
    }
    add_cell(t, i, off);
  }
  return KG_OK;
}

static void pad(kg__buf *b, char c, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    kg__buf_putc(b, c);
  }
}

/* Append the line of the cells row[0..ncols). */
static void put_line(kg__results_writer *w, const cell *row)
{
  table *t = w->impl;
  kg__buf *b = &w->line;
  for (size_t i = 0; i < w->ncols; i++) {
    bool last = i + 1 == w->ncols;
    const char *s = t->text.data + row[i].off;
    if (i) {
      kg__buf_puts(b, last && row[i].len == 0 ? " |" : " | ");
    }
    kg__buf_append(b, s, row[i].len);
    if (!last) {
      pad(b, ' ', t->width[i] - kg__utf8_count(s, row[i].len));
    }
  }
  kg__buf_putc(b, '\n');
}

static kg_status table_end(kg__results_writer *w)
{
  table *t = w->impl;
  kg__buf *b = &w->line;
  kg_status st = KG_OK;
  for (size_t r = 0; st == KG_OK && r < t->ncells; r += w->ncols) {
    put_line(w, &t->cells[r]);
    if (r == 0) {
      for (size_t i = 0; i < w->ncols; i++) {
        if (i) {
          kg__buf_puts(b, "-+-");
        }
        pad(b, '-', t->width[i]);
      }
      kg__buf_putc(b, '\n');
    }
    st = kg__res_flush(w);
  }
  if (st == KG_OK) {
    kg__buf_printf(b, "(%" PRIu64 " %s)\n", w->nrows,
                   w->nrows == 1 ? "row" : "rows");
  }
  return st;
}

/* ASK: the column ?_askResult and one row holding the bare word. */
static kg_status table_boolean(kg__out *out, int value)
{
  const char *const names[] = {kg__ask_var};
  kg__results_writer *w = NULL;
  kg_status st = kg__results_begin(KG_RESULTS_TABLE, out, 1, names, &w);
  if (st != KG_OK) {
    return st;
  }
  table *t = w->impl;
  size_t off = t->text.len;
  kg__buf_puts(&t->text, value ? "true" : "false");
  if (t->text.failed || !table_grow(t, 1)) {
    kg__results_abort(w);
    return KG_ERR_NOMEM;
  }
  add_cell(t, 0, off);
  w->nrows = 1;
  return kg__results_end(w);
}

const kg__results_vtable kg__results_table_vt = {
    table_begin, table_row, table_end, table_discard, table_boolean};
