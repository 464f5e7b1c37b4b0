/* RDF/XML writer: one rdf:Description per subject (rdf:about or
 * rdf:nodeID), one property element per statement.
 *
 * A property element's name is a QName, so each predicate IRI must split
 * into a namespace and a local name that is an XML NCName. The writer uses
 * the longest namespace among the given prefixes that leaves such a local
 * name; failing that it takes the longest NCName suffix of the IRI as the
 * local name and binds its namespace to a given prefix with exactly that
 * IRI or to an invented one (ns0, ns1, ...). Only the namespaces of the
 * predicates are declared, rdf first, the others sorted by prefix name.
 *
 * RDF/XML cannot express everything, and then the writer returns
 * KG_ERR_ARG before writing anything:
 * - a predicate without a non-empty NCName suffix (for example one that
 *   ends in "/123": an NCName cannot start with a digit);
 * - a predicate that RDF/XML reserves as syntax (rdf:about, rdf:li, ...);
 * - a predicate whose only split leaves a namespace that cannot be
 *   declared: the XMLNS namespace, or one that extends the RDF namespace
 *   (such as RDF_NS + "1%"), which Raptor's reader refuses;
 * - an IRI that is relative (checked in writer.c);
 * - a character that XML 1.0 does not allow (the control characters other
 *   than TAB, LF and CR, U+FFFE, U+FFFF) in any IRI, literal or language
 *   tag. */
#include "writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

typedef struct xns {
  char *name;      /* owned */
  const char *iri; /* borrowed */
  size_t len;
} xns;

typedef struct xpred {
  const kg_term *p;
  size_t split; /* namespace = value[0, split), local name = the rest */
  size_t user;  /* index of the given prefix to use, or SIZE_MAX */
  size_t ns;    /* index into the namespace table, SIZE_MAX until set */
} xpred;

typedef struct xw {
  kg__writer *w;
  xns *ns;
  size_t nns;
  size_t cap;
  xpred *preds;
  size_t npreds;
  size_t next_invented;
} xw;

/* ---- names ---- */

static bool name_start(uint32_t c)
{
  return (c >= 'A' && c <= 'Z') || c == '_' || (c >= 'a' && c <= 'z') ||
         (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) ||
         (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool name_char(uint32_t c)
{
  return name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
         c == 0xB7 || (c >= 0x300 && c <= 0x36F) ||
         (c >= 0x203F && c <= 0x2040);
}

/* Start of the longest suffix of s that is an NCName, or SIZE_MAX. */
static size_t ncname_suffix(const char *s, size_t len)
{
  size_t cand = SIZE_MAX;
  size_t i = 0;
  while (i < len) {
    size_t at = i;
    bool valid = kg__utf8_seq((const unsigned char *)s + i, len - i) != 0;
    uint32_t c = kg__w_next(s, len, &i);
    if (!valid || !name_char(c)) {
      cand = SIZE_MAX;
    } else if (cand == SIZE_MAX && name_start(c)) {
      cand = at;
    }
  }
  return cand;
}

static bool is_ncname(const char *s, size_t len)
{
  return len > 0 && ncname_suffix(s, len) == 0;
}

/* A namespace that may be declared: not the XML or XMLNS namespace, and
 * not one that extends the RDF namespace (Raptor refuses those). */
static bool declarable(const char *ns, size_t len)
{
  static const char xml_ns[] = "http://www.w3.org/XML/1998/namespace";
  static const char xmlns_ns[] = "http://www.w3.org/2000/xmlns/";
  size_t r = sizeof RDF_NS - 1;
  if (len > r && memcmp(ns, RDF_NS, r) == 0) {
    return false;
  }
  return len > 0 &&
         !(len == sizeof xml_ns - 1 && memcmp(ns, xml_ns, len) == 0) &&
         !(len == sizeof xmlns_ns - 1 && memcmp(ns, xmlns_ns, len) == 0);
}

/* A given prefix that may appear in an xmlns declaration. */
static bool usable_prefix(const kg__prefix *p)
{
  const char *n = p->prefix;
  if (!is_ncname(n, strlen(n)) || !declarable(p->iri, strlen(p->iri))) {
    return false;
  }
  if ((n[0] == 'x' || n[0] == 'X') && (n[1] == 'm' || n[1] == 'M') &&
      (n[2] == 'l' || n[2] == 'L')) {
    return false;
  }
  return strcmp(n, "rdf") != 0 || strcmp(p->iri, RDF_NS) == 0;
}

/* RDF/XML reads these names as syntax, not as property elements. */
static bool reserved(const char *iri, size_t len)
{
  static const char *const names[] = {
      "RDF",      "ID",        "about",           "parseType",
      "resource", "nodeID",    "datatype",        "Description",
      "li",       "aboutEach", "aboutEachPrefix", "bagID"};
  size_t n = sizeof RDF_NS - 1;
  if (len <= n || memcmp(iri, RDF_NS, n) != 0) {
    return false;
  }
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    if (strlen(names[k]) == len - n &&
        memcmp(iri + n, names[k], len - n) == 0) {
      return true;
    }
  }
  return false;
}

/* XML 1.0 Char (invalid UTF-8 counts as U+FFFD, which is allowed). */
static bool xml_ok(const char *s, size_t len)
{
  size_t i = 0;
  while (i < len) {
    uint32_t c = kg__w_next(s, len, &i);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE ||
        c == 0xFFFF) {
      return false;
    }
  }
  return true;
}

static bool term_xml_ok(const kg_term *t)
{
  if (t->kind == KG_TERM_BLANK) {
    return true; /* written as its new label */
  }
  return xml_ok(kg__w_value(t), t->value_len) &&
         (!t->datatype || xml_ok(t->datatype, strlen(t->datatype))) &&
         (!t->lang || xml_ok(t->lang, strlen(t->lang)));
}

/* ---- predicates and namespaces ---- */

static int pred_cmp(const void *va, const void *vb)
{
  const xpred *a = va;
  const xpred *b = vb;
  return kg__term_cmp(a->p, b->p);
}

static kg_status split_predicate(const kg__prefixes *pre, xpred *x)
{
  const char *v = kg__w_value(x->p);
  size_t len = x->p->value_len;
  if (reserved(v, len)) {
    return KG_ERR_ARG;
  }
  size_t best = 0;
  x->user = SIZE_MAX;
  for (size_t k = 0; pre && k < pre->n; k++) {
    size_t n = strlen(pre->v[k].iri);
    if (n > best && n < len && memcmp(pre->v[k].iri, v, n) == 0 &&
        usable_prefix(&pre->v[k]) && is_ncname(v + n, len - n)) {
      best = n;
      x->user = k;
    }
  }
  if (x->user != SIZE_MAX) {
    x->split = best;
    return KG_OK;
  }
  x->split = ncname_suffix(v, len);
  if (x->split == SIZE_MAX || !declarable(v, x->split)) {
    return KG_ERR_ARG;
  }
  return KG_OK;
}

static kg_status ns_add(xw *x, char *name, const char *iri, size_t len)
{
  if (!name) {
    return KG_ERR_NOMEM;
  }
  if (x->nns == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 8;
    xns *v = realloc(x->ns, cap * sizeof *v);
    if (!v) {
      free(name);
      return KG_ERR_NOMEM;
    }
    x->ns = v;
    x->cap = cap;
  }
  x->ns[x->nns].name = name;
  x->ns[x->nns].iri = iri;
  x->ns[x->nns].len = len;
  x->nns++;
  return KG_OK;
}

static size_t ns_by_name(const xw *x, const char *name)
{
  for (size_t k = 0; k < x->nns; k++) {
    if (strcmp(x->ns[k].name, name) == 0) {
      return k;
    }
  }
  return SIZE_MAX;
}

static size_t ns_by_iri(const xw *x, const char *iri, size_t len)
{
  for (size_t k = 0; k < x->nns; k++) {
    if (x->ns[k].len == len && memcmp(x->ns[k].iri, iri, len) == 0) {
      return k;
    }
  }
  return SIZE_MAX;
}

/* Bind the predicate's namespace to a prefix, declaring it if new. */
static kg_status resolve(xw *x, xpred *p)
{
  const kg__prefixes *pre = x->w->prefixes;
  if (p->user != SIZE_MAX) {
    const kg__prefix *u = &pre->v[p->user];
    p->ns = ns_by_name(x, u->prefix);
    if (p->ns == SIZE_MAX) {
      p->ns = x->nns;
      return ns_add(x, kg__strdup(u->prefix), u->iri, strlen(u->iri));
    }
    return KG_OK;
  }
  const char *iri = kg__w_value(p->p);
  p->ns = ns_by_iri(x, iri, p->split);
  if (p->ns != SIZE_MAX) {
    return KG_OK;
  }
  p->ns = x->nns;
  for (size_t k = 0; pre && k < pre->n; k++) {
    if (strlen(pre->v[k].iri) == p->split &&
        memcmp(pre->v[k].iri, iri, p->split) == 0 &&
        usable_prefix(&pre->v[k]) &&
        ns_by_name(x, pre->v[k].prefix) == SIZE_MAX) {
      return ns_add(x, kg__strdup(pre->v[k].prefix), iri, p->split);
    }
  }
  char name[32];
  do {
    snprintf(name, sizeof name, "ns%zu", x->next_invented++);
  } while ((pre && kg__prefixes_get(pre, name)) ||
           ns_by_name(x, name) != SIZE_MAX);
  return ns_add(x, kg__strdup(name), iri, p->split);
}

static xpred *find_pred(const xw *x, const kg_term *p)
{
  xpred key = {p, 0, 0, 0};
  return bsearch(&key, x->preds, x->npreds, sizeof key, pred_cmp);
}

/* Check everything and choose every prefix before writing. */
static kg_status prepare(xw *x)
{
  const kg__quads *q = x->w->q;
  for (size_t i = 0; i < q->n; i++) {
    if (!term_xml_ok(&q->v[i].s) || !term_xml_ok(&q->v[i].p) ||
        !term_xml_ok(&q->v[i].o)) {
      return KG_ERR_ARG;
    }
  }
  x->preds = malloc((q->n ? q->n : 1) * sizeof *x->preds);
  if (!x->preds) {
    return KG_ERR_NOMEM;
  }
  for (size_t i = 0; i < q->n; i++) {
    xpred init = {&q->v[i].p, 0, SIZE_MAX, SIZE_MAX};
    x->preds[i] = init;
  }
  x->npreds = q->n;
  if (x->npreds > 1) {
    qsort(x->preds, x->npreds, sizeof *x->preds, pred_cmp);
    size_t u = 1;
    for (size_t r = 1; r < x->npreds; r++) {
      if (pred_cmp(&x->preds[u - 1], &x->preds[r]) != 0) {
        x->preds[u++] = x->preds[r];
      }
    }
    x->npreds = u;
  }
  for (size_t k = 0; k < x->npreds; k++) {
    kg_status st = split_predicate(x->w->prefixes, &x->preds[k]);
    if (st != KG_OK) {
      return st;
    }
  }
  kg_status st = ns_add(x, kg__strdup("rdf"), RDF_NS, sizeof RDF_NS - 1);
  /* prefixes are invented in order of first use in the output */
  for (size_t i = 0; st == KG_OK && i < q->n; i++) {
    xpred *p = find_pred(x, &q->v[i].p);
    if (p && p->ns == SIZE_MAX) {
      st = resolve(x, p);
    }
  }
  return st;
}

/* ---- output ---- */

static void xml_escaped(kg__writer *w, const char *s, size_t len, bool attr)
{
  size_t i = 0;
  while (i < len) {
    uint32_t c = kg__w_next(s, len, &i);
    switch (c) {
    case '&':
      kg__w_puts(w, "&amp;");
      break;
    case '<':
      kg__w_puts(w, "&lt;");
      break;
    case '>':
      kg__w_puts(w, "&gt;");
      break;
    case '\r':
      kg__w_puts(w, "&#13;"); /* a raw CR would be read as LF */
      break;
    case '"':
      kg__w_puts(w, attr ? "&quot;" : "\"");
      break;
    case '\t':
      kg__w_puts(w, attr ? "&#9;" : "\t");
      break;
    case '\n':
      kg__w_puts(w, attr ? "&#10;" : "\n");
      break;
    default:
      kg__w_utf8(w, c);
      break;
    }
  }
}

static void xml_attr(kg__writer *w, const char *name, const char *v, size_t len)
{
  kg__w_putc(w, ' ');
  kg__w_puts(w, name);
  kg__w_puts(w, "=\"");
  xml_escaped(w, v, len, true);
  kg__w_putc(w, '"');
}

static void
xml_node_attr(kg__writer *w, const char *about, const kg_term *t, size_t bnode)
{
  if (t->kind == KG_TERM_BLANK) {
    kg__w_puts(w, " rdf:nodeID=\"");
    kg__w_bnode(w, bnode);
    kg__w_putc(w, '"');
  } else {
    xml_attr(w, about, kg__w_value(t), t->value_len);
  }
}

static void xml_element_name(kg__writer *w, const xw *x, const xpred *p)
{
  kg__w_puts(w, x->ns[p->ns].name);
  kg__w_putc(w, ':');
  kg__w_write(w, kg__w_value(p->p) + p->split, p->p->value_len - p->split);
}

static int ns_name_cmp(const void *va, const void *vb)
{
  const xns *a = va;
  const xns *b = vb;
  return strcmp(a->name, b->name);
}

static kg_status write_document(xw *x)
{
  kg__writer *w = x->w;
  const kg__quad *v = w->q->v;
  size_t n = w->q->n;
  kg__w_puts(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rdf:RDF");
  /* rdf first, then the others by name; the predicates refer to the
   * table by index, so sort a copy */
  xns *sorted = malloc((x->nns ? x->nns : 1) * sizeof *sorted);
  if (!sorted) {
    return KG_ERR_NOMEM;
  }
  memcpy(sorted, x->ns, x->nns * sizeof *sorted);
  if (x->nns > 2) {
    qsort(sorted + 1, x->nns - 1, sizeof *sorted, ns_name_cmp);
  }
  for (size_t k = 0; k < x->nns; k++) {
    kg__w_puts(w, k == 0 ? " " : "\n         ");
    kg__w_puts(w, "xmlns:");
    kg__w_puts(w, sorted[k].name);
    kg__w_puts(w, "=\"");
    xml_escaped(w, sorted[k].iri, sorted[k].len, true);
    kg__w_putc(w, '"');
  }
  free(sorted);
  kg__w_puts(w, ">\n");
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || !kg__term_eq(&v[i].s, &v[i - 1].s)) {
      kg__w_puts(w, "  <rdf:Description");
      xml_node_attr(w, "rdf:about", &v[i].s, w->bnode[3 * i]);
      kg__w_puts(w, ">\n");
    }
    const xpred *p = find_pred(x, &v[i].p);
    const kg_term *o = &v[i].o;
    kg__w_puts(w, "    <");
    xml_element_name(w, x, p);
    if (o->kind != KG_TERM_LITERAL) {
      xml_node_attr(w, "rdf:resource", o, w->bnode[3 * i + 1]);
      kg__w_puts(w, "/>\n");
    } else {
      if (o->lang && o->lang[0]) {
        xml_attr(w, "xml:lang", o->lang, strlen(o->lang));
      } else if (o->datatype) {
        xml_attr(w, "rdf:datatype", o->datatype, strlen(o->datatype));
      }
      kg__w_putc(w, '>');
      xml_escaped(w, kg__w_value(o), o->value_len, false);
      kg__w_puts(w, "</");
      xml_element_name(w, x, p);
      kg__w_puts(w, ">\n");
    }
    if (i + 1 == n || !kg__term_eq(&v[i].s, &v[i + 1].s)) {
      kg__w_puts(w, "  </rdf:Description>\n");
    }
  }
  kg__w_puts(w, "</rdf:RDF>\n");
  return KG_OK;
}

kg_status kg__write_rdfxml(kg__writer *w)
{
  xw x = {w, NULL, 0, 0, NULL, 0, 0};
  kg_status st = prepare(&x);
  if (st == KG_OK) {
    st = write_document(&x);
  }
  for (size_t k = 0; k < x.nns; k++) {
    free(x.ns[k].name);
  }
  free(x.ns);
  free(x.preds);
  return st;
}
