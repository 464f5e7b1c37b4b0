/* RDF writers: every syntax against golden files, determinism, and the
 * error cases. Set KG_TEST_OUT to a directory to get each actual output
 * written there (for review when a golden file must change). */
#undef NDEBUG
#include "io/io.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KG_TEST_DIR
#  error "KG_TEST_DIR must name the tests directory"
#endif

#define EX   "http://example.org/"
#define XSD  "http://www.w3.org/2001/XMLSchema#"
#define RDF  "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define FOAF "http://xmlns.com/foaf/0.1/"

static int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

/* ---- terms ---- */

static kg_term iri(const char *v)
{
  kg_term t = {KG_TERM_IRI, v, strlen(v), NULL, NULL};
  return t;
}

static kg_term blank(const char *v)
{
  kg_term t = {KG_TERM_BLANK, v, strlen(v), NULL, NULL};
  return t;
}

static kg_term lit(const char *v)
{
  kg_term t = {KG_TERM_LITERAL, v, strlen(v), NULL, NULL};
  return t;
}

static kg_term lit_n(const char *v, size_t n)
{
  kg_term t = {KG_TERM_LITERAL, v, n, NULL, NULL};
  return t;
}

static kg_term lang(const char *v, const char *tag)
{
  kg_term t = {KG_TERM_LITERAL, v, strlen(v), NULL, tag};
  return t;
}

static kg_term typed(const char *v, const char *dt)
{
  kg_term t = {KG_TERM_LITERAL, v, strlen(v), dt, NULL};
  return t;
}

/* g: NULL for the default graph, "_:label" for a blank node, else IRI */
static void add(kg__quads *q, kg_term s, kg_term p, kg_term o, const char *g)
{
  kg_term gt = {0};
  if (g && strncmp(g, "_:", 2) == 0) {
    gt = blank(g + 2);
  } else if (g) {
    gt = iri(g);
  }
  kg_status st = kg__quads_push(q, &s, &p, &o, g ? &gt : NULL);
  assert(st == KG_OK);
}

static void set_prefix(kg__prefixes *p, const char *name, const char *ns)
{
  kg_status st = kg__prefixes_set(p, name, ns);
  assert(st == KG_OK);
}

/* ---- output ---- */

static size_t buf_sink(const void *data, size_t len, void *ctx)
{
  kg__buf_append(ctx, data, len);
  return len;
}

/* Fails once more than `ctx` bytes (a size_t budget) were written. */
static size_t failing_sink(const void *data, size_t len, void *ctx)
{
  size_t *budget = ctx;
  (void)data;
  if (len > *budget) {
    return 0;
  }
  *budget -= len;
  return len;
}

static kg_status
write_to(kg_format f, kg__quads *q, const kg__prefixes *pre, kg__buf *b)
{
  kg__out out = {buf_sink, b, false};
  kg_status st = kg__write_rdf(f, q, pre, &out);
  assert(!b->failed);
  if (!b->data) {
    kg__buf_append(b, "", 0);
  }
  return st;
}

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  kg__buf b = {0};
  char tmp[4096];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
    kg__buf_append(&b, tmp, n);
  }
  fclose(f);
  *len = b.len;
  return kg__buf_take(&b);
}

static void dump_actual(const char *name, const kg__buf *b)
{
  const char *dir = getenv("KG_TEST_OUT");
  if (!dir) {
    return;
  }
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(b->data, 1, b->len, f);
    fclose(f);
  }
}

/* Byte-exact comparison with tests/golden/writers/<name>. */
static void check_golden(const char *name, const kg__buf *b)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/golden/writers/%s", KG_TEST_DIR, name);
  dump_actual(name, b);
  size_t len = 0;
  char *want = read_file(path, &len);
  if (!want) {
    fprintf(stderr, "%s: cannot read golden file\n", path);
    failures++;
    return;
  }
  if (len != b->len || memcmp(want, b->data, len) != 0) {
    size_t at = 0;
    while (at < len && at < b->len && want[at] == b->data[at]) {
      at++;
    }
    fprintf(stderr, "%s: output differs at byte %zu (%zu vs %zu bytes)\n", path,
            at, b->len, len);
    failures++;
  }
  free(want);
}

/* ---- data ---- */

static void main_prefixes(kg__prefixes *p)
{
  set_prefix(p, "ex", EX);
  set_prefix(p, "foaf", FOAF);
  set_prefix(p, "xsd", XSD);
  set_prefix(p, "rdf", RDF);
  set_prefix(p, "dc", "http://purl.org/dc/terms/"); /* never used */
  set_prefix(p, "bad name", EX "bad/");             /* not a PN_PREFIX */
}

/* The main data set: everything the Turtle family must get right. */
static void main_data(kg__quads *q)
{
  kg_term type = iri(RDF "type");
  kg_term name = iri(FOAF "name");
  kg_term alice = iri(EX "alice");
  kg_term bob = iri(EX "bob");
  kg_term p = iri(EX "p");

  /* `a`, grouping with ';' and ',' */
  add(q, alice, type, iri(FOAF "Person"), NULL);
  add(q, alice, name, lang("Alice", "en"), NULL);
  add(q, alice, name, lang("Алиса", "sr-Cyrl"), NULL);
  add(q, alice, iri(FOAF "knows"), bob, NULL);
  add(q, alice, iri(FOAF "knows"), blank("anon"), NULL);
  add(q, bob, type, iri(FOAF "Person"), NULL);
  add(q, bob, type, iri(EX "Agent"), NULL);
  add(q, bob, name, lit("Vučić"), NULL);
  /* "x" and "x"^^xsd:string are the same literal: written once */
  add(q, bob, iri(EX "nick"), lit("bobby"), NULL);
  add(q, bob, iri(EX "nick"), typed("bobby", XSD "string"), NULL);
  add(q, blank("anon"), name, lit("Anon"), NULL);
  add(q, blank("anon"), iri(EX "next"), blank("other"), NULL);

  /* escaping */
  kg_term esc = iri(EX "escapes");
  add(q, esc, iri(EX "quote"), lit("say \"hi\""), NULL);
  add(q, esc, iri(EX "lines"), lit("one\ntwo\r\nthree"), NULL);
  add(q, esc, iri(EX "tab"), lit("a\tb"), NULL);
  add(q, esc, iri(EX "backslash"), lit("C:\\dir\\"), NULL);
  add(q, esc, iri(EX "nul"), lit_n("a\0b", 3), NULL);
  add(q, esc, iri(EX "controls"), lit("\x01\b\f\x1f\x7f"), NULL);
  add(q, esc, iri(EX "utf8"), lit("Ćevapi € 𝄞"), NULL);
  add(q, esc, iri(EX "empty"), lit(""), NULL);

  /* numbers and booleans */
  kg_term num = iri(EX "numbers");
  kg_term v = iri(EX "v");
  add(q, num, v, typed("42", XSD "integer"), NULL);
  add(q, num, v, typed("-5", XSD "integer"), NULL);
  add(q, num, v, typed("+7", XSD "integer"), NULL);
  add(q, num, v, typed("042", XSD "integer"), NULL);
  add(q, num, v, typed(" 42", XSD "integer"), NULL);
  add(q, num, v, typed("4x", XSD "integer"), NULL);
  add(q, num, v, typed("1.5", XSD "decimal"), NULL);
  add(q, num, v, typed("-.5", XSD "decimal"), NULL);
  add(q, num, v, typed("1.", XSD "decimal"), NULL);
  add(q, num, v, typed("7", XSD "decimal"), NULL);
  add(q, num, v, typed("1e3", XSD "double"), NULL);
  add(q, num, v, typed("-1.E-2", XSD "double"), NULL);
  add(q, num, v, typed(".5e+1", XSD "double"), NULL);
  add(q, num, v, typed("1.5", XSD "double"), NULL);
  add(q, num, v, typed("INF", XSD "double"), NULL);
  add(q, num, v, typed("true", XSD "boolean"), NULL);
  add(q, num, v, typed("false", XSD "boolean"), NULL);
  add(q, num, v, typed("TRUE", XSD "boolean"), NULL);
  add(q, num, v, typed("1", XSD "boolean"), NULL);
  add(q, num, v, typed("2024-02-29", XSD "date"), NULL);
  add(q, num, v, typed("x", "http://other.org/dt#t"), NULL);

  /* IRIs: prefixed names only where the local part is a plain PN_LOCAL */
  kg_term names = iri(EX "names");
  add(q, names, p, iri(EX "123"), NULL);
  add(q, names, p, iri(EX "a%20b"), NULL);
  add(q, names, p, iri(EX "a.b"), NULL);
  add(q, names, p, iri(EX "end."), NULL);
  add(q, names, p, iri(EX "path/x"), NULL);
  add(q, names, p, iri(EX "q?x=1"), NULL);
  add(q, names, p, iri(EX), NULL);
  add(q, names, p, iri(EX "bad/x"), NULL);
  add(q, names, p, iri("http://other.org/x"), NULL);
  add(q, names, p, iri("urn:isbn:0451450523"), NULL);

  /* named graphs */
  add(q, alice, p, lit("in g1"), EX "g1");
  add(q, blank("inner"), p, bob, EX "g1");
  add(q, alice, type, iri(FOAF "Person"), EX "g1");
  add(q, iri(EX "s"), p, iri(EX "o"), "http://other.org/g2");
  add(q, iri(EX "s"), p, lit("in a blank graph"), "_:gb");
  /* a triple in two graphs: once in the merged syntaxes */
  add(q, bob, name, lit("Vučić"), "http://other.org/g2");
}

static void xml_prefixes(kg__prefixes *p)
{
  set_prefix(p, "ex", EX);
  set_prefix(p, "foaf", FOAF);
  set_prefix(p, "rdf", RDF);
  set_prefix(p, "xsd", XSD);
  set_prefix(p, "ns0", "http://taken.org/"); /* invented names skip it */
}

static void xml_data(kg__quads *q)
{
  kg_term alice = iri(EX "alice");
  add(q, alice, iri(RDF "type"), iri(FOAF "Person"), NULL);
  add(q, alice, iri(FOAF "name"), lang("Alice", "en"), NULL);
  add(q, alice, iri(FOAF "name"), lit("Vučić"), NULL);
  add(q, alice, iri(EX "age"), typed("42", XSD "integer"), NULL);
  add(q, alice, iri(FOAF "knows"), blank("x"), NULL);
  add(q, alice, iri(EX "home"), iri(EX "q?a=1&b=<2>\"3\""), NULL);
  /* no given prefix fits these predicates: ns1, ns2, ns3 are invented in
   * order of first use (ns0 is a given prefix), two of them for namespaces
   * below ex: */
  add(q, alice, iri("http://other.org/vocab#prop"), lit("o"), NULL);
  add(q, alice, iri(EX "deep/prop"), lit("d"), NULL);
  add(q, alice, iri("http://other.org/vocab#second"), lit("s"), NULL);
  /* a local name that starts after the digits */
  add(q, alice, iri(EX "v2/9lives"), lit("cat"), NULL);
  kg_term text = iri(EX "text");
  add(q, text, iri(EX "markup"), lit("a < b & c > d \"q\" 'a'"), NULL);
  add(q, text, iri(EX "lines"), lit("one\ntwo\r\nthree\tfour"), NULL);
  add(q, text, iri(EX "empty"), lit(""), NULL);
  add(q, text, iri(EX "emptyTyped"), typed("", XSD "string"), NULL);
  add(q, blank("x"), iri(FOAF "name"), lit("Anon"), "http://other.org/g");
  add(q, blank("x"), iri(EX "date"), typed("2024-02-29", XSD "date"), NULL);
}

static void dot_prefixes(kg__prefixes *p)
{
  set_prefix(p, "ex", EX);
  set_prefix(p, "rdf", RDF);
  set_prefix(p, "foaf", FOAF);
}

static void dot_data(kg__quads *q)
{
  kg_term alice = iri(EX "alice");
  add(q, alice, iri(RDF "type"), iri(FOAF "Person"), NULL);
  add(q, alice, iri(FOAF "name"), lang("Alice", "en"), NULL);
  add(q, alice, iri(FOAF "knows"), blank("k"), NULL);
  add(q, blank("k"), iri(FOAF "knows"), alice, NULL);
  add(q, blank("k"), iri(RDF "type"), iri(FOAF "Person"), NULL);
  add(q, blank("k"), iri(EX "quote"), lit("say \"hi\" \\N"), NULL);
  add(q, blank("k"), iri(EX "lines"), lit("one\ntwo\tthree\x01"), NULL);
  add(q, blank("k"), iri(EX "age"),
      typed("42", "http://www.w3.org/2001/"
                  "XMLSchema#integer"),
      NULL);
  add(q, iri("http://other.org/\"odd\"\\iri"), iri(EX "p"), alice, NULL);
  add(q, alice, iri("http://other.org/p\"q"), lit("x"), NULL);
}

typedef void (*data_fn)(kg__quads *q);
typedef void (*prefix_fn)(kg__prefixes *p);

/* Build the data, optionally permute it, write it. */
static kg_status
produce(kg_format f, data_fn data, prefix_fn pre, int order, kg__buf *b)
{
  kg__quads q = {0};
  kg__prefixes p = {0};
  data(&q);
  pre(&p);
  if (order == 1) { /* reversed */
    for (size_t i = 0; i < q.n / 2; i++) {
      kg__quad t = q.v[i];
      q.v[i] = q.v[q.n - 1 - i];
      q.v[q.n - 1 - i] = t;
    }
  } else if (order == 2) { /* a fixed shuffle */
    for (size_t i = q.n; i > 1; i--) {
      size_t j = (i * 7919u + 13u) % i;
      kg__quad t = q.v[i - 1];
      q.v[i - 1] = q.v[j];
      q.v[j] = t;
    }
  }
  kg_status st = write_to(f, &q, &p, b);
  kg__quads_free(&q);
  kg__prefixes_free(&p);
  return st;
}

static void
golden(const char *name, kg_format f, data_fn data, prefix_fn pre, int order)
{
  kg__buf b = {0};
  kg_status st = produce(f, data, pre, order, &b);
  CHECK(st == KG_OK);
  check_golden(name, &b);
  kg__buf_free(&b);
}

/* ---- tests ---- */

static void test_golden(void)
{
  golden("main.ttl", KG_FORMAT_TURTLE, main_data, main_prefixes, 0);
  golden("main.trig", KG_FORMAT_TRIG, main_data, main_prefixes, 0);
  golden("main.nt", KG_FORMAT_NTRIPLES, main_data, main_prefixes, 0);
  golden("main.nq", KG_FORMAT_NQUADS, main_data, main_prefixes, 0);
  golden("main.dot", KG_FORMAT_DOT, main_data, main_prefixes, 0);
  golden("xml.rdf", KG_FORMAT_RDFXML, xml_data, xml_prefixes, 0);
  golden("dot.dot", KG_FORMAT_DOT, dot_data, dot_prefixes, 0);
}

static void test_determinism(void)
{
  static const kg_format formats[] = {KG_FORMAT_TURTLE, KG_FORMAT_TRIG,
                                      KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS,
                                      KG_FORMAT_DOT};
  for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) {
    kg__buf a = {0};
    CHECK(produce(formats[k], main_data, main_prefixes, 0, &a) == KG_OK);
    for (int order = 1; order <= 2; order++) {
      kg__buf b = {0};
      CHECK(produce(formats[k], main_data, main_prefixes, order, &b) == KG_OK);
      CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
      kg__buf_free(&b);
    }
    kg__buf_free(&a);
  }
  kg__buf a = {0};
  CHECK(produce(KG_FORMAT_RDFXML, xml_data, xml_prefixes, 0, &a) == KG_OK);
  for (int order = 1; order <= 2; order++) {
    kg__buf b = {0};
    CHECK(produce(KG_FORMAT_RDFXML, xml_data, xml_prefixes, order, &b) ==
          KG_OK);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    kg__buf_free(&b);
  }
  kg__buf_free(&a);
}

/* Write q (consumed) and compare with `want`. */
static void
expect(kg_format f, kg__quads *q, const kg__prefixes *p, const char *want)
{
  kg__buf b = {0};
  CHECK(write_to(f, q, p, &b) == KG_OK);
  if (strcmp(b.data, want) != 0) {
    fprintf(stderr, "got:\n%s\nwant:\n%s\n", b.data, want);
    failures++;
  }
  kg__buf_free(&b);
  kg__quads_free(q);
}

static void test_empty(void)
{
  kg__quads q = {0};
  kg__prefixes p = {0};
  set_prefix(&p, "ex", EX);
  expect(KG_FORMAT_TURTLE, &q, &p, "");
  expect(KG_FORMAT_TRIG, &q, &p, "");
  expect(KG_FORMAT_NTRIPLES, &q, &p, "");
  expect(KG_FORMAT_NQUADS, &q, NULL, "");
  expect(KG_FORMAT_RDFXML, &q, &p,
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<rdf:RDF xmlns:rdf=\"" RDF "\">\n"
         "</rdf:RDF>\n");
  expect(KG_FORMAT_DOT, &q, &p, "digraph kgraph {\n  rankdir=LR;\n}\n");
  kg__prefixes_free(&p);
}

/* Blank nodes are numbered by first appearance in the output, which
 * follows the order of their original labels. */
static void test_relabel(void)
{
  kg__quads q = {0};
  add(&q, iri(EX "s"), iri(EX "p"), blank("zzz"), NULL);
  add(&q, blank("zzz"), iri(EX "p"), lit("z"), NULL);
  add(&q, blank("aaa"), iri(EX "p"), lit("a"), NULL);
  expect(KG_FORMAT_NTRIPLES, &q, NULL,
         "<" EX "s> <" EX "p> _:b0 .\n"
         "_:b1 <" EX "p> \"a\" .\n"
         "_:b0 <" EX "p> \"z\" .\n");

  /* TriG names a graph before its content; N-Quads after */
  add(&q, blank("s"), iri(EX "p"), blank("o"), "_:g");
  expect(KG_FORMAT_TRIG, &q, NULL, "_:b0 {\n    _:b1 <" EX "p> _:b2 .\n}\n");
  add(&q, blank("s"), iri(EX "p"), blank("o"), "_:g");
  expect(KG_FORMAT_NQUADS, &q, NULL, "_:b0 <" EX "p> _:b1 _:b2 .\n");

  /* rdf:type first, the object order of the rest kept */
  add(&q, iri(EX "s"), iri(EX "a"), blank("2"), NULL);
  add(&q, iri(EX "s"), iri(RDF "type"), blank("3"), NULL);
  add(&q, iri(EX "s"), iri(EX "z"), blank("1"), NULL);
  expect(KG_FORMAT_TURTLE, &q, NULL,
         "<" EX "s> a _:b0 ;\n"
         "    <" EX "a> _:b1 ;\n"
         "    <" EX "z> _:b2 .\n");
}

static void test_prefix_choice(void)
{
  kg__prefixes p = {0};
  set_prefix(&p, "b", EX);
  set_prefix(&p, "a", EX); /* same namespace: the first name wins */
  set_prefix(&p, "long", EX "ns/");
  set_prefix(&p, "", "http://empty.org/");
  kg__quads q = {0};
  add(&q, iri(EX "s"), iri(EX "ns/p"), iri("http://empty.org/o"), NULL);
  add(&q, iri(EX "s"), iri(EX "ns/p"), iri(EX "ns/"), NULL);
  expect(KG_FORMAT_TURTLE, &q, &p,
         "@prefix : <http://empty.org/> .\n"
         "@prefix a: <" EX "> .\n"
         "@prefix long: <" EX "ns/> .\n"
         "\n"
         "a:s long:p :o, long: .\n");
  kg__prefixes_free(&p);
}

static void refused(kg_format f, kg__quads *q, const kg__prefixes *p)
{
  kg__buf b = {0};
  CHECK(write_to(f, q, p, &b) == KG_ERR_ARG);
  CHECK(b.len == 0); /* nothing written */
  kg__buf_free(&b);
  kg__quads_free(q);
}

static void test_refusals(void)
{
  kg__quads q = {0};
  kg_term s = iri(EX "s");
  kg_term p = iri(EX "p");

  /* RDF/XML: no NCName suffix, reserved names, characters XML forbids */
  add(&q, s, iri(EX "123"), lit("x"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, iri(EX "ns#"), lit("x"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, iri(RDF "li"), lit("x"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, iri(RDF "about"), lit("x"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, iri(RDF "1%x"), lit("x"), NULL); /* namespace RDF "1%" */
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, iri("http://www.w3.org/2000/xmlns/p"), lit("x"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, p, lit("bell\x07"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, p, lit_n("a\0b", 3), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, p, lit("\xef\xbf\xbf"), NULL); /* U+FFFF */
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, iri(EX "s\x1b"), p, lit("x"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);
  add(&q, s, p, typed("x", EX "dt\x02"), NULL);
  refused(KG_FORMAT_RDFXML, &q, NULL);

  /* the Turtle family: a language tag LANGTAG does not match */
  static const kg_format tf[] = {KG_FORMAT_TURTLE, KG_FORMAT_TRIG,
                                 KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS};
  static const char *const tags[] = {"en_US", "-en", "en-", "1en", "e n"};
  for (size_t k = 0; k < 4; k++) {
    for (size_t t = 0; t < 5; t++) {
      add(&q, s, p, lang("x", tags[t]), NULL);
      refused(tf[k], &q, NULL);
    }
  }

  /* the Turtle family: IRIs with characters IRIREF excludes, which
   * \uXXXX escapes may not stand for either */
  static const char *const bad_iris[] = {
      EX "a b", EX "a<b",  EX "a>b",  EX "{x}",   EX "a|b", EX "a^b",
      EX "a`b", EX "a\\b", EX "a\"b", EX "tab\t", EX "cr\r"};
  for (size_t k = 0; k < 4; k++) {
    for (size_t t = 0; t < sizeof bad_iris / sizeof bad_iris[0]; t++) {
      kg_term bad = iri(bad_iris[t]);
      add(&q, bad, p, s, NULL);
      refused(tf[k], &q, NULL);
      add(&q, s, bad, s, NULL);
      refused(tf[k], &q, NULL);
      add(&q, s, p, bad, NULL);
      refused(tf[k], &q, NULL);
      add(&q, s, p, typed("x", bad_iris[t]), NULL);
      refused(tf[k], &q, NULL);
    }
    kg_term nul = {KG_TERM_IRI, EX "\0", strlen(EX) + 1, NULL, NULL};
    add(&q, s, p, nul, NULL);
    refused(tf[k], &q, NULL);
  }
  /* relative IRIs would be resolved against the reader's base */
  static const kg_format rel_formats[] = {KG_FORMAT_TURTLE, KG_FORMAT_TRIG,
                                          KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS,
                                          KG_FORMAT_RDFXML};
  static const char *const relative[] = {"p",    "/p",    "#p",
                                         "1a:b", "a_b:c", ":p"};
  for (size_t k = 0; k < 5; k++) {
    for (size_t t = 0; t < sizeof relative / sizeof relative[0]; t++) {
      add(&q, iri(relative[t]), p, s, NULL);
      refused(rel_formats[k], &q, NULL);
      add(&q, s, p, typed("x", relative[t]), NULL);
      refused(rel_formats[k], &q, NULL);
    }
    add(&q, s, p, iri(""), NULL);
    refused(rel_formats[k], &q, NULL);
  }
  add(&q, s, p, s, "g");
  refused(KG_FORMAT_NQUADS, &q, NULL);
  add(&q, s, p, s, EX "a b");
  refused(KG_FORMAT_NQUADS, &q, NULL);
  add(&q, s, p, s, EX "a b");
  refused(KG_FORMAT_TRIG, &q, NULL);

  /* statements that are not RDF, in every syntax */
  static const kg_format all[] = {KG_FORMAT_TURTLE,   KG_FORMAT_TRIG,
                                  KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS,
                                  KG_FORMAT_RDFXML,   KG_FORMAT_DOT};
  for (size_t k = 0; k < 6; k++) {
    add(&q, lit("s"), p, lit("o"), NULL);
    refused(all[k], &q, NULL);
    add(&q, s, blank("p"), lit("o"), NULL);
    refused(all[k], &q, NULL);
    kg_term none = {0};
    add(&q, s, p, none, NULL);
    refused(all[k], &q, NULL);
  }
  kg_term lg = lit("g");
  CHECK(kg__quads_push(&q, &s, &p, &s, &lg) == KG_OK);
  refused(KG_FORMAT_NQUADS, &q, NULL);

  /* not an RDF syntax */
  add(&q, s, p, s, NULL);
  refused(KG_FORMAT_AUTO, &q, NULL);
  add(&q, s, p, s, NULL);
  refused((kg_format)99, &q, NULL);
}

static void test_accepted(void)
{
  /* a graph name is dropped where graphs merge: nothing to refuse */
  {
    kg__quads q = {0};
    add(&q, iri(EX "s"), iri(EX "p"), iri(EX "o"), EX "a b");
    expect(KG_FORMAT_TURTLE, &q, NULL, "<" EX "s> <" EX "p> <" EX "o> .\n");
  }
  /* schemes: letters first, then letters, digits, + - . */
  {
    kg__quads q = {0};
    add(&q, iri("a+b-c.9:x"), iri("urn:p"), iri("x:"), NULL);
    expect(KG_FORMAT_NTRIPLES, &q, NULL, "<a+b-c.9:x> <urn:p> <x:> .\n");
  }
  /* DOT shows whatever it is given */
  {
    kg__quads q = {0};
    add(&q, iri("rel"), iri("p"), typed("x", "dt"), NULL);
    expect(KG_FORMAT_DOT, &q, NULL,
           "digraph kgraph {\n"
           "  rankdir=LR;\n"
           "  n0 [label=\"rel\"];\n"
           "  n1 [label=\"\\\"x\\\"^^dt\", shape=box];\n"
           "  n0 -> n1 [label=\"p\"];\n"
           "}\n");
  }
  /* RDF/XML and DOT carry IRIs that Turtle cannot */
  {
    kg__quads q = {0};
    add(&q, iri(EX "a b"), iri(EX "p"), iri(EX "{\"x\"}"), NULL);
    expect(KG_FORMAT_RDFXML, &q, NULL,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<rdf:RDF xmlns:rdf=\"" RDF "\"\n"
           "         xmlns:ns0=\"" EX "\">\n"
           "  <rdf:Description rdf:about=\"" EX "a b\">\n"
           "    <ns0:p rdf:resource=\"" EX "{&quot;x&quot;}\"/>\n"
           "  </rdf:Description>\n"
           "</rdf:RDF>\n");
    add(&q, iri(EX "a b"), iri(EX "p"), iri(EX "{\"x\"}"), NULL);
    expect(KG_FORMAT_DOT, &q, NULL,
           "digraph kgraph {\n"
           "  rankdir=LR;\n"
           "  n0 [label=\"" EX "a b\"];\n"
           "  n1 [label=\"" EX "{\\\"x\\\"}\"];\n"
           "  n0 -> n1 [label=\"" EX "p\"];\n"
           "}\n");
  }

  /* well-formed tags in every case; RDF/XML carries any xml:lang */
  kg__quads q = {0};
  add(&q, iri(EX "s"), iri(EX "p"), lang("x", "EN-gb-1996"), NULL);
  expect(KG_FORMAT_NTRIPLES, &q, NULL,
         "<" EX "s> <" EX "p> \"x\"@EN-gb-1996 .\n");
  /* invalid UTF-8 becomes U+FFFD */
  add(&q, iri(EX "s"), iri(EX "p"),
      lit("a\xff"
          "b\xc3"),
      NULL);
  expect(KG_FORMAT_NTRIPLES, &q, NULL,
         "<" EX "s> <" EX "p> \"a\xef\xbf\xbd"
         "b\xef\xbf\xbd\" .\n");
  /* given prefixes that cannot be declared are passed over */
  {
    kg__quads q2 = {0};
    kg__prefixes p2 = {0};
    set_prefix(&p2, "r2", RDF "sub/");
    set_prefix(&p2, "x", "http://www.w3.org/XML/1998/namespace");
    set_prefix(&p2, "xmlthing", EX);
    set_prefix(&p2, "rdf", EX "not-rdf/");
    add(&q2, iri(EX "s"), iri(EX "p"), lit("1"), NULL);
    add(&q2, iri(EX "s"), iri(RDF "value"), lit("2"), NULL);
    add(&q2, iri(EX "s"), iri("http://www.w3.org/XML/1998/namespacep"),
        lit("3"), NULL);
    expect(KG_FORMAT_RDFXML, &q2, &p2,
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<rdf:RDF xmlns:rdf=\"" RDF "\"\n"
           "         xmlns:ns0=\"" EX "\"\n"
           "         xmlns:ns1=\"http://www.w3.org/XML/1998/\">\n"
           "  <rdf:Description rdf:about=\"" EX "s\">\n"
           "    <ns0:p>1</ns0:p>\n"
           "    <rdf:value>2</rdf:value>\n"
           "    <ns1:namespacep>3</ns1:namespacep>\n"
           "  </rdf:Description>\n"
           "</rdf:RDF>\n");
    kg__prefixes_free(&p2);
  }
  /* C1 controls are allowed in XML 1.0; xml:lang takes any tag */
  add(&q, iri(EX "s"), iri(EX "p"), lit("\xc2\x85"), NULL);
  add(&q, iri(EX "s"), iri(EX "p"), lang("x", "en_US"), NULL);
  expect(KG_FORMAT_RDFXML, &q, NULL,
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<rdf:RDF xmlns:rdf=\"" RDF "\"\n"
         "         xmlns:ns0=\"" EX "\">\n"
         "  <rdf:Description rdf:about=\"" EX "s\">\n"
         "    <ns0:p xml:lang=\"en_US\">x</ns0:p>\n"
         "    <ns0:p>\xc2\x85</ns0:p>\n"
         "  </rdf:Description>\n"
         "</rdf:RDF>\n");
}

static void test_sink_failure(void)
{
  static const kg_format all[] = {KG_FORMAT_TURTLE, KG_FORMAT_TRIG,
                                  KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS,
                                  KG_FORMAT_DOT};
  for (size_t k = 0; k < 5; k++) {
    for (size_t budget0 = 0; budget0 < 200; budget0 += 50) {
      kg__quads q = {0};
      kg__prefixes p = {0};
      main_data(&q);
      main_prefixes(&p);
      size_t budget = budget0;
      kg__out out = {failing_sink, &budget, false};
      CHECK(kg__write_rdf(all[k], &q, &p, &out) == KG_ERR_IO);
      CHECK(out.failed);
      kg__quads_free(&q);
      kg__prefixes_free(&p);
    }
  }
  /* a sink that already failed */
  kg__quads q = {0};
  add(&q, iri(EX "s"), iri(EX "p"), lit("o"), NULL);
  size_t budget = 1000;
  kg__out out = {failing_sink, &budget, true};
  CHECK(kg__write_rdf(KG_FORMAT_RDFXML, &q, NULL, &out) == KG_ERR_IO);
  kg__quads_free(&q);
}

/* Output larger than one chunk reaches the sink complete and in order. */
static void test_large(void)
{
  kg__quads q = {0};
  char s[64];
  for (int i = 0; i < 5000; i++) {
    snprintf(s, sizeof s, EX "s%05d", i);
    add(&q, iri(s), iri(EX "p"), typed("1", XSD "integer"), NULL);
  }
  kg__buf b = {0};
  CHECK(write_to(KG_FORMAT_NTRIPLES, &q, NULL, &b) == KG_OK);
  size_t line = strlen("<" EX "s00000> <" EX "p> \"1\"^^<" XSD "integer> .\n");
  CHECK(b.len == 5000 * line);
  const char *last = "<" EX "s04999> ";
  CHECK(strncmp(b.data + 4999 * line, last, strlen(last)) == 0);
  kg__buf_free(&b);
  kg__quads_free(&q);
}

int main(void)
{
  test_golden();
  test_determinism();
  test_empty();
  test_relabel();
  test_prefix_choice();
  test_refusals();
  test_accepted();
  test_sink_failure();
  test_large();
  if (failures) {
    fprintf(stderr, "test_writers: %d failure(s)\n", failures);
    return 1;
  }
  return 0;
}
