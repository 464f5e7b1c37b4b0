/* Turtle and TriG writer.
 *
 * Layout: the @prefix lines of the prefixes the output uses (sorted by
 * name), a blank line, then one block per subject separated by blank
 * lines; a subject's predicates are joined with ';' (rdf:type first, as
 * `a`), a predicate's objects with ','. TriG writes the default graph's
 * triples first, at top level, then each named graph as `name { ... }` with
 * its content indented by four spaces. Blank nodes are always written as
 * labels (`_:b0`), never nested as `[ ]`. */
#include "writer.h"

#include <stdlib.h>
#include <string.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"

typedef struct tt {
  kg__writer *w;
  bool *used; /* per prefix: the output uses it */
} tt;

/* ---- numbers and booleans written without quotes ---- */

static size_t digits(const char *s, size_t len, size_t i)
{
  size_t n = 0;
  while (i + n < len && s[i + n] >= '0' && s[i + n] <= '9') {
    n++;
  }
  return n;
}

static size_t sign(const char *s, size_t len)
{
  return (len > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
}

/* INTEGER ::= [+-]? [0-9]+ */
static bool is_integer(const char *s, size_t len)
{
  size_t i = sign(s, len);
  size_t n = digits(s, len, i);
  return n > 0 && i + n == len;
}

/* DECIMAL ::= [+-]? [0-9]* '.' [0-9]+ */
static bool is_decimal(const char *s, size_t len)
{
  size_t i = sign(s, len);
  i += digits(s, len, i);
  if (i >= len || s[i] != '.') {
    return false;
  }
  i++;
  size_t n = digits(s, len, i);
  return n > 0 && i + n == len;
}

/* DOUBLE ::= [+-]? ([0-9]+ '.' [0-9]* EXPONENT | '.' [0-9]+ EXPONENT |
 *                   [0-9]+ EXPONENT)
 * EXPONENT ::= [eE] [+-]? [0-9]+ */
static bool is_double(const char *s, size_t len)
{
  size_t i = sign(s, len);
  size_t whole = digits(s, len, i);
  i += whole;
  size_t frac = 0;
  if (i < len && s[i] == '.') {
    i++;
    frac = digits(s, len, i);
    i += frac;
  }
  if (whole == 0 && frac == 0) {
    return false;
  }
  if (i >= len || (s[i] != 'e' && s[i] != 'E')) {
    return false;
  }
  i++;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    i++;
  }
  size_t n = digits(s, len, i);
  return n > 0 && i + n == len;
}

static bool is_boolean(const char *s, size_t len)
{
  return (len == 4 && memcmp(s, "true", 4) == 0) ||
         (len == 5 && memcmp(s, "false", 5) == 0);
}

/* True when the literal can be written as a bare token that a Turtle
 * reader turns back into the same lexical form and datatype. */
static bool bare(const kg_term *t)
{
  const char *v = kg__w_value(t);
  const char *dt = t->datatype;
  if (!dt || (t->lang && t->lang[0])) {
    return false;
  }
  if (strcmp(dt, XSD "integer") == 0) {
    return is_integer(v, t->value_len);
  }
  if (strcmp(dt, XSD "decimal") == 0) {
    return is_decimal(v, t->value_len);
  }
  if (strcmp(dt, XSD "double") == 0) {
    return is_double(v, t->value_len);
  }
  if (strcmp(dt, XSD "boolean") == 0) {
    return is_boolean(v, t->value_len);
  }
  return false;
}

/* ---- terms ---- */

static void tt_iri(tt *t, const char *iri, size_t len)
{
  size_t k = kg__w_prefix_for(t->w->prefixes, iri, len);
  if (k == SIZE_MAX || !t->w->prefixes) {
    kg__w_iriref(t->w, iri, len);
    return;
  }
  const kg__prefix *p = &t->w->prefixes->v[k];
  size_t n = strlen(p->iri);
  t->used[k] = true;
  kg__w_puts(t->w, p->prefix);
  kg__w_putc(t->w, ':');
  kg__w_write(t->w, iri + n, len - n);
}

static void tt_term(tt *t, const kg_term *term, size_t bnode)
{
  kg__writer *w = t->w;
  const char *v = kg__w_value(term);
  switch (term->kind) {
  case KG_TERM_IRI:
    tt_iri(t, v, term->value_len);
    break;
  case KG_TERM_BLANK:
    kg__w_puts(w, "_:");
    kg__w_bnode(w, bnode);
    break;
  default:
    if (bare(term)) {
      kg__w_write(w, v, term->value_len);
    } else {
      kg__w_string(w, v, term->value_len, false);
      if (term->lang && term->lang[0]) {
        kg__w_putc(w, '@');
        kg__w_puts(w, term->lang);
      } else if (term->datatype) {
        kg__w_puts(w, "^^");
        tt_iri(t, term->datatype, strlen(term->datatype));
      }
    }
    break;
  }
}

/* ---- statements ---- */

/* Statements [i, end) share their subject (and graph). */
static void tt_subject(tt *t, size_t i, size_t end, const char *indent)
{
  kg__writer *w = t->w;
  const kg__quad *v = w->q->v;
  kg__w_puts(w, indent);
  tt_term(t, &v[i].s, w->bnode[3 * i]);
  bool first = true;
  while (i < end) {
    size_t pend = i + 1;
    while (pend < end && kg__term_eq(&v[pend].p, &v[i].p)) {
      pend++;
    }
    if (first) {
      kg__w_putc(w, ' ');
    } else {
      kg__w_puts(w, " ;\n");
      kg__w_puts(w, indent);
      kg__w_puts(w, "    ");
    }
    first = false;
    if (kg__w_is_rdf_type(&v[i].p)) {
      kg__w_putc(w, 'a');
    } else {
      tt_iri(t, kg__w_value(&v[i].p), v[i].p.value_len);
    }
    for (size_t k = i; k < pend; k++) {
      kg__w_puts(w, k == i ? " " : ", ");
      tt_term(t, &v[k].o, w->bnode[3 * k + 1]);
    }
    i = pend;
  }
  kg__w_puts(w, " .\n");
}

static void tt_body(tt *t, bool trig)
{
  kg__writer *w = t->w;
  const kg__quad *v = w->q->v;
  size_t n = w->q->n;
  size_t i = 0;
  while (i < n) {
    size_t gend = i + 1;
    while (gend < n && kg__term_eq(&v[gend].g, &v[i].g)) {
      gend++;
    }
    bool named = trig && v[i].g.kind != 0;
    const char *indent = named ? "    " : "";
    if (i > 0) {
      kg__w_putc(w, '\n');
    }
    if (named) {
      tt_term(t, &v[i].g, w->bnode[3 * i + 2]);
      kg__w_puts(w, " {\n");
    }
    size_t first = i;
    while (i < gend) {
      size_t send = i + 1;
      while (send < gend && kg__term_eq(&v[send].s, &v[i].s)) {
        send++;
      }
      if (i > first) {
        kg__w_putc(w, '\n');
      }
      tt_subject(t, i, send, indent);
      i = send;
    }
    if (named) {
      kg__w_puts(w, "}\n");
    }
  }
}

kg_status kg__write_turtle(kg__writer *w, bool trig)
{
  size_t np = w->prefixes ? w->prefixes->n : 0;
  tt t = {w, calloc(np ? np : 1, sizeof(bool))};
  if (!t.used) {
    return KG_ERR_NOMEM;
  }
  /* a first pass without output finds the prefixes in use */
  w->dry = true;
  tt_body(&t, trig);
  w->dry = false;
  bool any = false;
  for (size_t k = 0; k < np; k++) {
    if (t.used[k]) {
      kg__w_puts(w, "@prefix ");
      kg__w_puts(w, w->prefixes->v[k].prefix);
      kg__w_puts(w, ": ");
      const char *ns = w->prefixes->v[k].iri;
      kg__w_iriref(w, ns, strlen(ns));
      kg__w_puts(w, " .\n");
      any = true;
    }
  }
  if (any && w->q->n > 0) {
    kg__w_putc(w, '\n');
  }
  tt_body(&t, trig);
  free(t.used);
  return KG_OK;
}
