/* RDF writers: the entry point kg__write_rdf(), the preparation every
 * syntax shares (checking, sorting, blank node relabelling) and the output
 * and escaping helpers of writer.h. */
#include "writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output is handed to the sink in chunks of about this size. */
#define FLUSH_AT ((size_t)1 << 16)

/* ---- output ---- */

static void w_flush(kg__writer *w)
{
  if (w->buf.len && !w->buf.failed) {
    kg__out_write(w->out, w->buf.data, w->buf.len);
    w->buf.len = 0;
    w->buf.data[0] = '\0';
  }
}

void kg__w_write(kg__writer *w, const void *data, size_t len)
{
  if (w->dry || len == 0) {
    return;
  }
  kg__buf_append(&w->buf, data, len);
  if (w->buf.len >= FLUSH_AT) {
    w_flush(w);
  }
}

void kg__w_puts(kg__writer *w, const char *s)
{
  kg__w_write(w, s, strlen(s));
}

void kg__w_putc(kg__writer *w, char c)
{
  kg__w_write(w, &c, 1);
}

void kg__w_bnode(kg__writer *w, size_t k)
{
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "b%zu", k);
  kg__w_write(w, tmp, (size_t)n);
}

void kg__w_utf8(kg__writer *w, uint32_t cp)
{
  char b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    b[0] = (char)(0xC0 | (cp >> 6));
    b[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = (char)(0xE0 | (cp >> 12));
    b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  kg__w_write(w, b, n);
}

void kg__w_uchar(kg__writer *w, uint32_t cp)
{
  char tmp[16];
  int n = cp > 0xFFFF ? snprintf(tmp, sizeof tmp, "\\U%08X", (unsigned)cp)
                      : snprintf(tmp, sizeof tmp, "\\u%04X", (unsigned)cp);
  kg__w_write(w, tmp, (size_t)n);
}

/* ---- text ---- */

uint32_t kg__w_next(const char *s, size_t len, size_t *i)
{
  const unsigned char *u = (const unsigned char *)s + *i;
  size_t n = kg__utf8_seq(u, len - *i);
  uint32_t cp;
  switch (n) {
  case 1:
    cp = u[0];
    break;
  case 2:
    cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    break;
  case 3:
    cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) |
         (u[2] & 0x3F);
    break;
  case 4:
    cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
         ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    break;
  default:
    *i += 1;
    return 0xFFFD;
  }
  *i += n;
  return cp;
}

const char *kg__w_value(const kg_term *t)
{
  return t->value ? t->value : "";
}

bool kg__w_is_rdf_type(const kg_term *p)
{
  size_t n = strlen(kg__rdf_type);
  return p->kind == KG_TERM_IRI && p->value_len == n &&
         memcmp(kg__w_value(p), kg__rdf_type, n) == 0;
}

/* ---- Turtle names ---- */

static bool is_digit(uint32_t c)
{
  return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
         (c >= 'a' && c <= 'f');
}

static bool pn_chars_base(uint32_t c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) ||
         (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool pn_chars_u(uint32_t c)
{
  return c == '_' || pn_chars_base(c);
}

static bool pn_chars(uint32_t c)
{
  return pn_chars_u(c) || c == '-' || is_digit(c) || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

/* Decode strictly: false at invalid UTF-8 (a name never holds it). */
static bool next_strict(const char *s, size_t len, size_t *i, uint32_t *cp)
{
  if (kg__utf8_seq((const unsigned char *)s + *i, len - *i) == 0) {
    return false;
  }
  *cp = kg__w_next(s, len, i);
  return true;
}

bool kg__w_is_pn_prefix(const char *s)
{
  size_t len = strlen(s);
  size_t i = 0;
  uint32_t c = 0;
  if (len == 0) {
    return true;
  }
  if (!next_strict(s, len, &i, &c) || !pn_chars_base(c)) {
    return false;
  }
  while (i < len) {
    if (!next_strict(s, len, &i, &c) || !(pn_chars(c) || c == '.')) {
      return false;
    }
  }
  return c != '.';
}

bool kg__w_is_pn_local(const char *s, size_t len)
{
  size_t i = 0;
  uint32_t c = 0;
  bool first = true;
  while (i < len) {
    if (s[i] == '%') {
      if (len - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
        return false;
      }
      i += 3;
      c = '%';
    } else {
      if (!next_strict(s, len, &i, &c)) {
        return false;
      }
      bool ok = first ? (pn_chars_u(c) || c == ':' || is_digit(c))
                      : (pn_chars(c) || c == '.' || c == ':');
      if (!ok) {
        return false;
      }
    }
    first = false;
  }
  return c != '.';
}

size_t kg__w_prefix_for(const kg__prefixes *p, const char *iri, size_t len)
{
  size_t best = SIZE_MAX;
  size_t best_len = 0;
  if (!p) {
    return best;
  }
  for (size_t k = 0; k < p->n; k++) {
    const char *ns = p->v[k].iri;
    size_t n = strlen(ns);
    if (n == 0 || n > len || (best != SIZE_MAX && n <= best_len) ||
        memcmp(ns, iri, n) != 0 || !kg__w_is_pn_prefix(p->v[k].prefix) ||
        !kg__w_is_pn_local(iri + n, len - n)) {
      continue;
    }
    best = k;
    best_len = n;
  }
  return best;
}

bool kg__w_is_langtag(const char *s)
{
  size_t i = 0;
  size_t run = 0;
  bool primary = true;
  for (;; i++) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    bool digit = c >= '0' && c <= '9';
    if (alpha || (digit && !primary)) {
      run++;
    } else if ((c == '-' || c == '\0') && run > 0) {
      if (c == '\0') {
        return true;
      }
      primary = false;
      run = 0;
    } else {
      return false;
    }
  }
}

static bool iriref_char(uint32_t c)
{
  return c > 0x20 && !(c < 0x80 && strchr("<>\"{}|^`\\", (int)c));
}

bool kg__w_iriref_ok(const char *iri, size_t len)
{
  size_t i = 0;
  while (i < len) {
    if (!iriref_char(kg__w_next(iri, len, &i))) {
      return false;
    }
  }
  return true;
}

void kg__w_iriref(kg__writer *w, const char *iri, size_t len)
{
  kg__w_putc(w, '<');
  size_t i = 0;
  while (i < len) {
    uint32_t c = kg__w_next(iri, len, &i);
    if (iriref_char(c)) {
      kg__w_utf8(w, c);
    } else {
      kg__w_uchar(w, c); /* not reached: check() refused such IRIs */
    }
  }
  kg__w_putc(w, '>');
}

void kg__w_string(kg__writer *w, const char *s, size_t len, bool bf_echar)
{
  kg__w_putc(w, '"');
  size_t i = 0;
  while (i < len) {
    /* copy a run of bytes that need no escaping in one go */
    size_t run = i;
    while (run < len) {
      unsigned char b = (unsigned char)s[run];
      if (b < 0x20 || b == '"' || b == '\\' || b >= 0x7F) {
        break;
      }
      run++;
    }
    if (run > i) {
      kg__w_write(w, s + i, run - i);
      i = run;
      continue;
    }
    uint32_t c = kg__w_next(s, len, &i);
    switch (c) {
    case '"':
      kg__w_puts(w, "\\\"");
      break;
    case '\\':
      kg__w_puts(w, "\\\\");
      break;
    case '\n':
      kg__w_puts(w, "\\n");
      break;
    case '\r':
      kg__w_puts(w, "\\r");
      break;
    case '\t':
      kg__w_puts(w, "\\t");
      break;
    case '\b':
    case '\f':
      if (bf_echar) {
        kg__w_puts(w, c == '\b' ? "\\b" : "\\f");
      } else {
        kg__w_uchar(w, c);
      }
      break;
    default:
      if (c < 0x20 || c == 0x7F) {
        kg__w_uchar(w, c);
      } else {
        kg__w_utf8(w, c);
      }
    }
  }
  kg__w_putc(w, '"');
}

/* ---- preparation ---- */

static bool keeps_graphs(kg_format f)
{
  return f == KG_FORMAT_NQUADS || f == KG_FORMAT_TRIG;
}

static bool turtle_family(kg_format f)
{
  return f == KG_FORMAT_TURTLE || f == KG_FORMAT_TRIG ||
         f == KG_FORMAT_NTRIPLES || f == KG_FORMAT_NQUADS;
}

/* RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':'. */
static bool has_scheme(const char *v, size_t len)
{
  size_t i = 0;
  while (i < len) {
    char c = v[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (c == ':') {
      return i > 0;
    }
    if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' ||
                               c == '.'))) {
      return false;
    }
    i++;
  }
  return false;
}

/* An IRI that reads back as itself: absolute (a relative one would be
 * resolved against the reader's base, and N-Triples has none), and for the
 * Turtle family free of the characters IRIREF excludes. */
static bool iri_writable(const char *v, size_t len, bool tf)
{
  return has_scheme(v, len) && (!tf || kg__w_iriref_ok(v, len));
}

static bool term_writable(const kg_term *t, bool tf)
{
  if (t->kind == KG_TERM_IRI) {
    return iri_writable(kg__w_value(t), t->value_len, tf);
  }
  if (t->kind == KG_TERM_LITERAL) {
    if (tf && t->lang && t->lang[0] && !kg__w_is_langtag(t->lang)) {
      return false;
    }
    if (t->datatype && t->datatype[0] &&
        !iri_writable(t->datatype, strlen(t->datatype), tf)) {
      return false;
    }
  }
  return true;
}

/* Refuse statements no syntax can write: a subject that is not an IRI or
 * blank node, a predicate that is not an IRI, a missing object, a graph
 * name that is a literal. Every syntax but DOT also refuses terms that
 * would not read back as themselves: relative IRIs and, in the Turtle
 * family, IRIs with characters IRIREF excludes (see kg__w_iriref_ok())
 * and language tags that LANGTAG does not match. (RDF/XML checks its own
 * limits in rdfxml_writer.c.) */
static kg_status check(const kg__quads *q, kg_format format)
{
  bool graphs = keeps_graphs(format);
  bool tf = turtle_family(format);
  for (size_t i = 0; i < q->n; i++) {
    const kg__quad *d = &q->v[i];
    if ((d->s.kind != KG_TERM_IRI && d->s.kind != KG_TERM_BLANK) ||
        d->p.kind != KG_TERM_IRI ||
        (d->o.kind != KG_TERM_IRI && d->o.kind != KG_TERM_BLANK &&
         d->o.kind != KG_TERM_LITERAL) ||
        (graphs && d->g.kind != 0 && d->g.kind != KG_TERM_IRI &&
         d->g.kind != KG_TERM_BLANK)) {
      return KG_ERR_ARG;
    }
    if (format != KG_FORMAT_DOT &&
        (!term_writable(&d->s, tf) || !term_writable(&d->p, tf) ||
         !term_writable(&d->o, tf) || (graphs && !term_writable(&d->g, tf)))) {
      return KG_ERR_ARG;
    }
  }
  return KG_OK;
}

static void drop_string(const char **s)
{
  free((char *)*s);
  *s = NULL;
}

/* One spelling per RDF term, so that sorting and deduplication see equal
 * terms as equal. */
static void normalise(kg_term *t)
{
  if (t->kind != KG_TERM_LITERAL) {
    drop_string(&t->datatype);
    drop_string(&t->lang);
  } else if (t->lang && t->lang[0]) {
    drop_string(&t->datatype);
  } else {
    drop_string(&t->lang);
    if (t->datatype &&
        (!t->datatype[0] || strcmp(t->datatype, kg__xsd_string) == 0)) {
      drop_string(&t->datatype);
    }
  }
}

static void reverse(kg__quad *v, size_t n)
{
  for (size_t a = 0, b = n; a + 1 < b; a++, b--) {
    kg__quad t = v[a];
    v[a] = v[b - 1];
    v[b - 1] = t;
  }
}

/* In each run of statements with the same graph and subject (sorted, so
 * the rdf:type statements are consecutive), move the rdf:type statements to
 * the front, keeping both parts in order. */
static void type_first(kg__quads *q)
{
  size_t i = 0;
  while (i < q->n) {
    size_t end = i + 1;
    while (end < q->n && kg__term_eq(&q->v[end].g, &q->v[i].g) &&
           kg__term_eq(&q->v[end].s, &q->v[i].s)) {
      end++;
    }
    size_t a = i;
    while (a < end && !kg__w_is_rdf_type(&q->v[a].p)) {
      a++;
    }
    size_t b = a;
    while (b < end && kg__w_is_rdf_type(&q->v[b].p)) {
      b++;
    }
    if (a > i && b > a) {
      /* rotate [i, b) so that [a, b) comes first */
      reverse(q->v + i, a - i);
      reverse(q->v + a, b - a);
      reverse(q->v + i, b - i);
    }
    i = end;
  }
}

typedef struct bn_entry {
  const kg_term *t;
  size_t id;
} bn_entry;

static int bn_cmp(const void *va, const void *vb)
{
  const bn_entry *a = va;
  const bn_entry *b = vb;
  return kg__term_cmp(a->t, b->t);
}

static size_t
bn_visit(bn_entry *tab, size_t ntab, const kg_term *t, size_t *next)
{
  if (t->kind != KG_TERM_BLANK) {
    return KG__NO_BNODE;
  }
  bn_entry key = {t, 0};
  bn_entry *e = bsearch(&key, tab, ntab, sizeof *tab, bn_cmp);
  if (!e) {
    return KG__NO_BNODE; /* not reached: every blank node is in the table */
  }
  if (e->id == KG__NO_BNODE) {
    e->id = (*next)++;
  }
  return e->id;
}

/* Number the blank nodes 0, 1, ... in order of first appearance in the
 * output: subject, object, then graph name (N-Quads) or graph name first
 * (TriG, which opens each graph block with its name).
 *
 * The statements were sorted by the blank nodes' original labels, so the
 * numbering (and thus the output) still depends on those labels, not only
 * on the graph's shape: two isomorphic graphs whose blank nodes carry other
 * labels may be written differently. The labels come from the store, which
 * keeps them stable, so the same content gives the same bytes. Making the
 * output independent of the labels would need graph canonicalisation,
 * which this writer does not attempt. */
static kg_status
number_bnodes(const kg__quads *q, bool graph_first, size_t **out)
{
  *out = NULL;
  if (q->n > SIZE_MAX / (3 * sizeof(size_t))) {
    return KG_ERR_NOMEM;
  }
  size_t *ids = malloc((q->n ? q->n : 1) * 3 * sizeof *ids);
  bn_entry *tab = malloc((q->n ? q->n : 1) * 3 * sizeof *tab);
  if (!ids || !tab) {
    free(ids);
    free(tab);
    return KG_ERR_NOMEM;
  }
  size_t ntab = 0;
  for (size_t i = 0; i < q->n; i++) {
    const kg_term *ts[3] = {&q->v[i].s, &q->v[i].o, &q->v[i].g};
    for (size_t k = 0; k < 3; k++) {
      if (ts[k]->kind == KG_TERM_BLANK) {
        tab[ntab].t = ts[k];
        tab[ntab].id = KG__NO_BNODE;
        ntab++;
      }
    }
  }
  if (ntab > 1) {
    qsort(tab, ntab, sizeof *tab, bn_cmp);
    size_t u = 1;
    for (size_t r = 1; r < ntab; r++) {
      if (bn_cmp(&tab[u - 1], &tab[r]) != 0) {
        tab[u++] = tab[r];
      }
    }
    ntab = u;
  }
  size_t next = 0;
  for (size_t i = 0; i < q->n; i++) {
    size_t *d = ids + 3 * i;
    if (graph_first) {
      d[2] = bn_visit(tab, ntab, &q->v[i].g, &next);
    }
    d[0] = bn_visit(tab, ntab, &q->v[i].s, &next);
    d[1] = bn_visit(tab, ntab, &q->v[i].o, &next);
    if (!graph_first) {
      d[2] = bn_visit(tab, ntab, &q->v[i].g, &next);
    }
  }
  free(tab);
  *out = ids;
  return KG_OK;
}

/* See io.h. Besides KG_OK, KG_ERR_IO and KG_ERR_NOMEM this returns
 * KG_ERR_ARG, having written nothing, for an unknown format and for
 * statements the syntax cannot express (see check() and, for RDF/XML,
 * rdfxml_writer.c). The terms of `q` are normalised in place (see
 * writer.h) besides being reordered. */
kg_status kg__write_rdf(kg_format format,
                        kg__quads *q,
                        const kg__prefixes *prefixes,
                        kg__out *out)
{
  switch (format) {
  case KG_FORMAT_TURTLE:
  case KG_FORMAT_TRIG:
  case KG_FORMAT_NTRIPLES:
  case KG_FORMAT_NQUADS:
  case KG_FORMAT_RDFXML:
  case KG_FORMAT_DOT:
    break;
  default:
    return KG_ERR_ARG;
  }
  for (size_t i = 0; i < q->n; i++) {
    normalise(&q->v[i].s);
    normalise(&q->v[i].p);
    normalise(&q->v[i].o);
    normalise(&q->v[i].g);
  }
  kg_status st = check(q, format);
  if (st != KG_OK) {
    return st;
  }
  if (keeps_graphs(format)) {
    kg__quads_sort_unique(q);
  } else {
    kg__quads_to_triples(q);
  }
  if (format != KG_FORMAT_NTRIPLES && format != KG_FORMAT_NQUADS) {
    type_first(q);
  }
  size_t *ids = NULL;
  st = number_bnodes(q, format == KG_FORMAT_TRIG, &ids);
  if (st != KG_OK) {
    return st;
  }

  kg__writer w = {q, ids, prefixes, out, {0}, false};
  switch (format) {
  case KG_FORMAT_TURTLE:
  case KG_FORMAT_TRIG:
    st = kg__write_turtle(&w, format == KG_FORMAT_TRIG);
    break;
  case KG_FORMAT_NTRIPLES:
  case KG_FORMAT_NQUADS:
    st = kg__write_ntriples(&w, format == KG_FORMAT_NQUADS);
    break;
  case KG_FORMAT_RDFXML:
    st = kg__write_rdfxml(&w);
    break;
  default:
    st = kg__write_dot(&w);
    break;
  }
  w_flush(&w);
  if (st == KG_OK && w.buf.failed) {
    st = KG_ERR_NOMEM;
  }
  if (st == KG_OK && out->failed) {
    st = KG_ERR_IO;
  }
  kg__buf_free(&w.buf);
  free(ids);
  return st;
}
