/* Tests of the RDF readers: Turtle, TriG, N-Triples, N-Quads, RDF/XML. */
#undef NDEBUG
#include "io/io.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_STR(got, want)                                                   \
  do {                                                                         \
    const char *g_ = (got);                                                    \
    const char *w_ = (want);                                                   \
    if (!g_ || strcmp(g_, w_) != 0) {                                          \
      fprintf(stderr, "%s:%d: got\n%s\nwant\n%s\n", __FILE__, __LINE__,        \
              g_ ? g_ : "(null)", w_);                                         \
      failures++;                                                              \
    }                                                                          \
  } while (0)

/* ---- printing quads, with blank nodes renamed B0, B1, ... in order ---- */

typedef struct names {
  char *label[64];
  size_t n;
} names;

static size_t name_of(names *nm, const char *label)
{
  for (size_t i = 0; i < nm->n; i++) {
    if (strcmp(nm->label[i], label) == 0) {
      return i;
    }
  }
  assert(nm->n < 64);
  nm->label[nm->n] = kg__strdup(label);
  return nm->n++;
}

static void print_term(kg__buf *b, names *nm, const kg_term *t)
{
  switch (t->kind) {
  case KG_TERM_IRI:
    kg__buf_printf(b, "<%s>", t->value);
    break;
  case KG_TERM_BLANK:
    kg__buf_printf(b, "_:B%zu", name_of(nm, t->value));
    break;
  case KG_TERM_LITERAL:
    kg__buf_putc(b, '"');
    for (size_t i = 0; i < t->value_len; i++) {
      unsigned char c = (unsigned char)t->value[i];
      if (c == '"' || c == '\\') {
        kg__buf_printf(b, "\\%c", c);
      } else if (c == '\n') {
        kg__buf_puts(b, "\\n");
      } else if (c < 0x20) {
        kg__buf_printf(b, "\\u%04X", c);
      } else {
        kg__buf_putc(b, (char)c);
      }
    }
    kg__buf_putc(b, '"');
    if (t->lang) {
      kg__buf_printf(b, "@%s", t->lang);
    }
    if (t->datatype) {
      kg__buf_printf(b, "^^<%s>", t->datatype);
    }
    break;
  default:
    kg__buf_puts(b, "?");
  }
}

/* The quads from index `from` as N-Quads text; caller frees. */
static char *dump(const kg__quads *q, size_t from)
{
  kg__buf b = {0};
  names nm = {{0}, 0};
  kg__buf_append(&b, "", 0);
  for (size_t i = from; i < q->n; i++) {
    print_term(&b, &nm, &q->v[i].s);
    kg__buf_putc(&b, ' ');
    print_term(&b, &nm, &q->v[i].p);
    kg__buf_putc(&b, ' ');
    print_term(&b, &nm, &q->v[i].o);
    if (q->v[i].g.kind) {
      kg__buf_putc(&b, ' ');
      print_term(&b, &nm, &q->v[i].g);
    }
    kg__buf_puts(&b, " .\n");
  }
  for (size_t i = 0; i < nm.n; i++) {
    free(nm.label[i]);
  }
  return kg__buf_take(&b);
}

typedef struct result {
  kg_status st;
  char *text; /* dump of the quads, or the error as "L:C: message" */
  size_t n;
} result;

static result read_with(kg_format f,
                        const char *text,
                        size_t len,
                        const char *base,
                        const kg_term *graph,
                        kg__prefixes *prefixes)
{
  kg__quads q = {0};
  kg__err e = {0};
  result r = {KG_OK, NULL, 0};
  r.st = kg__read_rdf(f, text, len, base, graph, &q, prefixes, &e);
  r.n = q.n;
  if (r.st == KG_OK) {
    CHECK(e.status == KG_OK && e.msg == NULL);
    r.text = dump(&q, 0);
  } else {
    CHECK(e.status == r.st);
    CHECK(e.msg != NULL);
    kg__buf b = {0};
    kg__buf_printf(&b, "%u:%u: %s", e.line, e.column, e.msg ? e.msg : "");
    r.text = kg__buf_take(&b);
    CHECK(strchr(r.text, '\n') == NULL);
  }
  kg__quads_free(&q);
  kg__err_clear(&e);
  return r;
}

static result read_str(kg_format f, const char *text, const char *base)
{
  return read_with(f, text, strlen(text), base, NULL, NULL);
}

static void
expect_ok(kg_format f, const char *text, const char *base, const char *want)
{
  result r = read_str(f, text, base);
  CHECK(r.st == KG_OK);
  CHECK_STR(r.text, want);
  free(r.text);
}

static void expect_err(kg_format f,
                       const char *text,
                       size_t len,
                       const char *base,
                       const char *want)
{
  result r = read_with(f, text, len, base, NULL, NULL);
  CHECK(r.st == KG_ERR_PARSE);
  CHECK_STR(r.text, want);
  free(r.text);
}

/* `text` is a string literal; it may hold NUL bytes */
#define EXPECT_ERR(f, text, base, want)                                        \
  expect_err((f), (text), sizeof(text) - 1, (base), (want))

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

/* ---- Turtle ---- */

static void test_turtle_terms(void)
{
  const char *doc =
      "@prefix ex: <http://example.org/> .\n"
      "@base <http://example.org/base/dir/> .\n"
      "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
      "ex:alice foaf:name \"Alice\"@en , \"Alicia\"^^<" XSD "string> ;\n"
      "  ex:plain \"plain\" ;\n"
      "  ex:age 42 ; ex:height 1.5e0 ; ex:ok true ; ex:dec 2.50 ;\n"
      "  ex:knows <bob> , <../carol> , <#me> , <./x/../y> , <> ;\n"
      "  ex:typed \"2020-01-01\"^^ex:date ;\n"
      "  ex:esc \"a\\u00e9\\U0001F600\\\\b\\\"q\\\"\\t\" ;\n"
      "  ex:long \"\"\"line1\n"
      "line2 \"quoted\" 'single'\"\"\" ;\n"
      "  ex:sq 'single quoted' ;\n"
      "  a ex:Person .\n";
  kg__prefixes px = {0};
  result r = read_with(KG_FORMAT_TURTLE, doc, strlen(doc), NULL, NULL, &px);
  CHECK(r.st == KG_OK);
  CHECK_STR(
      r.text,
      "<http://example.org/alice> <http://xmlns.com/foaf/0.1/name> "
      "\"Alice\"@en .\n"
      "<http://example.org/alice> <http://xmlns.com/foaf/0.1/name> "
      "\"Alicia\" .\n"
      "<http://example.org/alice> <http://example.org/plain> \"plain\" .\n"
      "<http://example.org/alice> <http://example.org/age> "
      "\"42\"^^<" XSD "integer> .\n"
      "<http://example.org/alice> <http://example.org/height> "
      "\"1.5e0\"^^<" XSD "double> .\n"
      "<http://example.org/alice> <http://example.org/ok> "
      "\"true\"^^<" XSD "boolean> .\n"
      "<http://example.org/alice> <http://example.org/dec> "
      "\"2.50\"^^<" XSD "decimal> .\n"
      "<http://example.org/alice> <http://example.org/knows> "
      "<http://example.org/base/dir/bob> .\n"
      "<http://example.org/alice> <http://example.org/knows> "
      "<http://example.org/base/carol> .\n"
      "<http://example.org/alice> <http://example.org/knows> "
      "<http://example.org/base/dir/#me> .\n"
      "<http://example.org/alice> <http://example.org/knows> "
      "<http://example.org/base/dir/y> .\n"
      "<http://example.org/alice> <http://example.org/knows> "
      "<http://example.org/base/dir/> .\n"
      "<http://example.org/alice> <http://example.org/typed> "
      "\"2020-01-01\"^^<http://example.org/date> .\n"
      "<http://example.org/alice> <http://example.org/esc> "
      "\"a\xC3\xA9\xF0\x9F\x98\x80\\\\b\\\"q\\\"\\u0009\" .\n"
      "<http://example.org/alice> <http://example.org/long> "
      "\"line1\\nline2 \\\"quoted\\\" 'single'\" .\n"
      "<http://example.org/alice> <http://example.org/sq> "
      "\"single quoted\" .\n"
      "<http://example.org/alice> <" RDF "type> "
      "<http://example.org/Person> .\n");
  free(r.text);
  CHECK(px.n == 2);
  CHECK_STR(kg__prefixes_get(&px, "ex"), "http://example.org/");
  CHECK_STR(kg__prefixes_get(&px, "foaf"), "http://xmlns.com/foaf/0.1/");
  kg__prefixes_free(&px);
}

static void test_turtle_base_argument(void)
{
  /* the base argument resolves relative IRIs; @base overrides it */
  expect_ok(KG_FORMAT_TURTLE,
            "<s> <p> <o> .\n"
            "@base <http://other.example/> .\n"
            "<s> <p> <../o> .\n",
            "http://example.org/a/b",
            "<http://example.org/a/s> <http://example.org/a/p> "
            "<http://example.org/a/o> .\n"
            "<http://other.example/s> <http://other.example/p> "
            "<http://other.example/o> .\n");
  /* a relative prefix IRI is resolved too */
  kg__prefixes px = {0};
  const char *pdoc = "@prefix : <ns/> .\n:a :b :c .\n";
  result r = read_with(KG_FORMAT_TURTLE, pdoc, strlen(pdoc),
                       "http://example.org/x/y", NULL, &px);
  CHECK(r.st == KG_OK);
  CHECK_STR(r.text, "<http://example.org/x/ns/a> <http://example.org/x/ns/b> "
                    "<http://example.org/x/ns/c> .\n");
  CHECK_STR(kg__prefixes_get(&px, ""), "http://example.org/x/ns/");
  free(r.text);
  kg__prefixes_free(&px);
}

static void test_turtle_nul_escape(void)
{
  const char *doc = "<http://a.example/s> <http://a.example/p> "
                    "\"x\\u0000y\" , \"\"\"\\u0000\"\"\" .\n";
  kg__quads q = {0};
  kg__err e = {0};
  CHECK(kg__read_rdf(KG_FORMAT_TURTLE, doc, strlen(doc), NULL, NULL, &q, NULL,
                     &e) == KG_OK);
  CHECK(q.n == 2);
  if (q.n == 2) {
    CHECK(q.v[0].o.kind == KG_TERM_LITERAL);
    CHECK(q.v[0].o.value_len == 3);
    CHECK(memcmp(q.v[0].o.value, "x\0y", 4) == 0);
    CHECK(q.v[0].o.datatype == NULL && q.v[0].o.lang == NULL);
    CHECK(q.v[1].o.value_len == 1 && q.v[1].o.value[0] == '\0');
  }
  kg__quads_free(&q);
  kg__err_clear(&e);
}

/* Raw NUL bytes inside literals (and comments) read as the escape
 * \u0000 does; serd alone would stop at the first one. */
static void test_turtle_raw_nul(void)
{
  static const char raw[] = "# a comment \0 with a NUL byte\n"
                            "<http://a.example/s> <http://a.example/p> "
                            "\"x\0y\" , '\0' , \"\"\"\0\n\0\"\"\" .\n";
  const char *esc =
      "<http://a.example/s> <http://a.example/p> "
      "\"x\\u0000y\" , '\\u0000' , \"\"\"\\u0000\n\\u0000\"\"\" .\n";
  static const kg_format formats[] = {KG_FORMAT_TURTLE, KG_FORMAT_TRIG};
  for (size_t i = 0; i < 2; i++) {
    result a = read_with(formats[i], raw, sizeof raw - 1, NULL, NULL, NULL);
    result b = read_str(formats[i], esc, NULL);
    CHECK(a.st == KG_OK && b.st == KG_OK);
    CHECK(a.n == 3);
    CHECK_STR(a.text, b.text);
    free(a.text);
    free(b.text);
  }
  static const char nt[] = "<http://a.example/s> <http://a.example/p> "
                           "\"\0\" <http://a.example/g> .\n";
  result q = read_with(KG_FORMAT_NQUADS, nt, sizeof nt - 1, NULL, NULL, NULL);
  CHECK(q.st == KG_OK && q.n == 1);
  free(q.text);
}

static void test_turtle_long_literal(void)
{
  /* 100000 escaped characters and a long IRI */
  kg__buf b = {0};
  kg__buf_puts(&b, "<http://a.example/");
  for (int i = 0; i < 5000; i++) {
    kg__buf_puts(&b, "seg/");
  }
  kg__buf_puts(&b, "> <http://a.example/p> \"");
  for (int i = 0; i < 20000; i++) {
    kg__buf_puts(&b, "\\n\\t\\u00e9\\\"z");
  }
  kg__buf_puts(&b, "\" .\n");
  CHECK(!b.failed);
  kg__quads q = {0};
  kg__err e = {0};
  CHECK(kg__read_rdf(KG_FORMAT_TURTLE, b.data, b.len, NULL, NULL, &q, NULL,
                     &e) == KG_OK);
  CHECK(q.n == 1);
  if (q.n == 1) {
    CHECK(q.v[0].s.value_len == strlen("http://a.example/") + 5000 * 4);
    CHECK(q.v[0].o.value_len == 20000 * 6); /* \n \t é(2) " z */
    CHECK(memcmp(q.v[0].o.value, "\n\t\xC3\xA9\"z\n", 7) == 0);
  }
  kg__quads_free(&q);
  kg__err_clear(&e);
  kg__buf_free(&b);
}

static void test_turtle_lists_and_anonymous_nodes(void)
{
  expect_ok(KG_FORMAT_TURTLE,
            "@prefix ex: <http://example.org/> .\n"
            "ex:s ex:list ( 1 \"two\" ex:three ) ;\n"
            "     ex:empty () ;\n"
            "     ex:anon [ ex:p ex:o ; ex:q [ ex:r \"deep\" ] ] .\n"
            "[ ex:p \"subject\" ] ex:q ex:o .\n"
            "[] ex:p _:x .\n"
            "_:x ex:p _:x .\n"
            "( ex:a ) ex:p ex:o .\n",
            NULL,
            "<http://example.org/s> <http://example.org/list> _:B0 .\n"
            "_:B0 <" RDF "first> \"1\"^^<" XSD "integer> .\n"
            "_:B0 <" RDF "rest> _:B1 .\n"
            "_:B1 <" RDF "first> \"two\" .\n"
            "_:B1 <" RDF "rest> _:B2 .\n"
            "_:B2 <" RDF "first> <http://example.org/three> .\n"
            "_:B2 <" RDF "rest> <" RDF "nil> .\n"
            "<http://example.org/s> <http://example.org/empty> <" RDF "nil> .\n"
            "<http://example.org/s> <http://example.org/anon> _:B3 .\n"
            "_:B3 <http://example.org/p> <http://example.org/o> .\n"
            "_:B3 <http://example.org/q> _:B4 .\n"
            "_:B4 <http://example.org/r> \"deep\" .\n"
            "_:B5 <http://example.org/p> \"subject\" .\n"
            "_:B5 <http://example.org/q> <http://example.org/o> .\n"
            "_:B6 <http://example.org/p> _:B7 .\n"
            "_:B7 <http://example.org/p> _:B7 .\n"
            "_:B8 <" RDF "first> <http://example.org/a> .\n"
            "_:B8 <" RDF "rest> <" RDF "nil> .\n"
            "_:B8 <http://example.org/p> <http://example.org/o> .\n");
}

static void test_turtle_graph_argument(void)
{
  kg_term g = {KG_TERM_IRI, "http://example.org/g", 20, NULL, NULL};
  const char *doc = "<http://a.example/s> <http://a.example/p> 1 .\n";
  result r = read_with(KG_FORMAT_TURTLE, doc, strlen(doc), NULL, &g, NULL);
  CHECK(r.st == KG_OK);
  CHECK_STR(r.text, "<http://a.example/s> <http://a.example/p> "
                    "\"1\"^^<" XSD "integer> <http://example.org/g> .\n");
  free(r.text);
  /* kind 0 means the default graph */
  kg_term none = {0, NULL, 0, NULL, NULL};
  r = read_with(KG_FORMAT_TURTLE, doc, strlen(doc), NULL, &none, NULL);
  CHECK(r.st == KG_OK);
  CHECK_STR(r.text, "<http://a.example/s> <http://a.example/p> "
                    "\"1\"^^<" XSD "integer> .\n");
  free(r.text);
}

/* ---- blank node labels ---- */

static void test_blank_labels(void)
{
  const char *doc = "_:b0 <http://a.example/p> _:b0 .\n"
                    "_:b0 <http://a.example/q> [] .\n";
  kg__quads q = {0};
  kg__err e = {0};
  CHECK(kg__read_rdf(KG_FORMAT_TURTLE, doc, strlen(doc), NULL, NULL, &q, NULL,
                     &e) == KG_OK);
  CHECK(kg__read_rdf(KG_FORMAT_TURTLE, doc, strlen(doc), NULL, NULL, &q, NULL,
                     &e) == KG_OK);
  CHECK(kg__read_rdf(KG_FORMAT_NTRIPLES, "_:b0 <http://a.example/p> _:b0 .\n",
                     33, NULL, NULL, &q, NULL, &e) == KG_OK);
  CHECK(q.n == 5);
  if (q.n == 5) {
    /* the same label within one read is one node */
    CHECK(kg__term_eq(&q.v[0].s, &q.v[0].o));
    CHECK(kg__term_eq(&q.v[0].s, &q.v[1].s));
    CHECK(!kg__term_eq(&q.v[1].s, &q.v[1].o));
    /* two reads of the same text give different nodes */
    CHECK(!kg__term_eq(&q.v[0].s, &q.v[2].s));
    CHECK(!kg__term_eq(&q.v[1].o, &q.v[3].o));
    CHECK(!kg__term_eq(&q.v[0].s, &q.v[4].s));
    CHECK(!kg__term_eq(&q.v[2].s, &q.v[4].s));
    CHECK(kg__term_eq(&q.v[2].s, &q.v[3].s));
    /* labels are "r<token><N>_<label>": a 12-digit process token and a
     * counter, in hex */
    for (size_t i = 0; i < q.n; i++) {
      const char *v = q.v[i].s.value;
      CHECK(q.v[i].s.kind == KG_TERM_BLANK);
      CHECK(v[0] == 'r');
      const char *us = strchr(v, '_');
      CHECK(us != NULL && us - v >= 14);
      for (const char *c = v + 1; us && c < us; c++) {
        CHECK((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'));
      }
      CHECK(strlen(v) == q.v[i].s.value_len);
    }
    const char *us = strchr(q.v[4].s.value, '_');
    CHECK_STR(us, "_b0");
  }
  kg__quads_free(&q);
  kg__err_clear(&e);
}

/* ---- TriG, N-Quads, N-Triples ---- */

static void test_trig(void)
{
  const char *doc = "@prefix ex: <http://example.org/> .\n"
                    "ex:g1 { ex:a ex:b ex:c . ex:a ex:b [ ex:d 1 ] }\n"
                    "GRAPH ex:g2 { ex:a ex:b \"x\"@fr }\n"
                    "{ ex:d ex:e ex:f }\n"
                    "ex:a ex:b ex:default .\n"
                    "_:g { ex:a ex:b _:g }\n";
  kg_term target = {KG_TERM_IRI, "http://example.org/target", 25, NULL, NULL};
  result r = read_with(KG_FORMAT_TRIG, doc, strlen(doc), NULL, &target, NULL);
  CHECK(r.st == KG_OK);
  CHECK_STR(r.text,
            "<http://example.org/a> <http://example.org/b> "
            "<http://example.org/c> <http://example.org/g1> .\n"
            "<http://example.org/a> <http://example.org/b> _:B0 "
            "<http://example.org/g1> .\n"
            "_:B0 <http://example.org/d> \"1\"^^<" XSD
            "integer> <http://example.org/g1> .\n"
            "<http://example.org/a> <http://example.org/b> \"x\"@fr "
            "<http://example.org/g2> .\n"
            "<http://example.org/d> <http://example.org/e> "
            "<http://example.org/f> <http://example.org/target> .\n"
            "<http://example.org/a> <http://example.org/b> "
            "<http://example.org/default> <http://example.org/target> .\n"
            "<http://example.org/a> <http://example.org/b> _:B1 _:B1 .\n");
  free(r.text);
}

static void test_nquads(void)
{
  expect_ok(KG_FORMAT_NQUADS,
            "<http://a.example/s> <http://a.example/p> <http://a.example/o> "
            "<http://a.example/g> .\n"
            "# a comment\n"
            "_:s <http://a.example/p> \"v\"@en-GB _:g .\n"
            "<http://a.example/s> <http://a.example/p> \"t\"^^<" XSD
            "string> .\n"
            "<http://a.example/s> <http://a.example/p> \"5\"^^<" XSD
            "int> <http://a.example/g> .",
            NULL,
            "<http://a.example/s> <http://a.example/p> <http://a.example/o> "
            "<http://a.example/g> .\n"
            "_:B0 <http://a.example/p> \"v\"@en-GB _:B1 .\n"
            "<http://a.example/s> <http://a.example/p> \"t\" .\n"
            "<http://a.example/s> <http://a.example/p> \"5\"^^<" XSD
            "int> <http://a.example/g> .\n");
  /* N-Quads has no relative IRIs and no prefixed names */
  EXPECT_ERR(KG_FORMAT_NQUADS,
             "<http://a.example/s> <p> <http://a.example/o> .\n",
             "http://base.example/", "1:24: missing IRI scheme");
}

static void test_ntriples(void)
{
  expect_ok(KG_FORMAT_NTRIPLES,
            "<http://a.example/s> <http://a.example/p> \"caf\\u00E9\" .\r\n"
            "_:x <http://a.example/p> <http://a.example/o> .\n",
            NULL,
            "<http://a.example/s> <http://a.example/p> \"caf\xC3\xA9\" .\n"
            "_:B0 <http://a.example/p> <http://a.example/o> .\n");
  EXPECT_ERR(KG_FORMAT_NTRIPLES,
             "<http://a.example/s> <http://a.example/p> ex:o .\n", NULL,
             "1:43: expected: ':', '<', or '_'");
  EXPECT_ERR(KG_FORMAT_NTRIPLES,
             "<http://a.example/s> <http://a.example/p> <http://a.example/o> "
             "<http://a.example/g> .\n",
             NULL, "1:64: missing ';' or '.'");
}

/* ---- RDF/XML ---- */

static void test_rdfxml(void)
{
  const char *doc =
      "<?xml version=\"1.0\"?>\n"
      "<rdf:RDF xmlns:rdf=\"" RDF "\"\n"
      "         xmlns:ex=\"http://example.org/\">\n"
      "  <rdf:Description rdf:about=\"http://example.org/a\">\n"
      "    <ex:p xml:lang=\"en\">hello</ex:p>\n"
      "    <ex:q rdf:datatype=\"" XSD "string\">s</ex:q>\n"
      "    <ex:r rdf:datatype=\"" XSD "integer\">5</ex:r>\n"
      "    <ex:s rdf:resource=\"rel\"/>\n"
      "    <ex:t><rdf:Description><ex:u>x &amp; y</ex:u></rdf:Description>"
      "</ex:t>\n"
      "    <ex:v rdf:nodeID=\"n1\"/>\n"
      "  </rdf:Description>\n"
      "  <ex:Thing rdf:nodeID=\"n1\" ex:w=\"caf\xC3\xA9\"/>\n"
      "</rdf:RDF>\n";
  kg__prefixes px = {0};
  kg_term g = {KG_TERM_IRI, "http://example.org/g", 20, NULL, NULL};
  result r = read_with(KG_FORMAT_RDFXML, doc, strlen(doc),
                       "http://example.org/base/doc.rdf", &g, &px);
  CHECK(r.st == KG_OK);
  CHECK_STR(r.text,
            "<http://example.org/a> <http://example.org/p> \"hello\"@en "
            "<http://example.org/g> .\n"
            "<http://example.org/a> <http://example.org/q> \"s\" "
            "<http://example.org/g> .\n"
            "<http://example.org/a> <http://example.org/r> \"5\"^^<" XSD
            "integer> <http://example.org/g> .\n"
            "<http://example.org/a> <http://example.org/s> "
            "<http://example.org/base/rel> <http://example.org/g> .\n"
            "_:B0 <http://example.org/u> \"x & y\" <http://example.org/g> .\n"
            "<http://example.org/a> <http://example.org/t> _:B0 "
            "<http://example.org/g> .\n"
            "<http://example.org/a> <http://example.org/v> _:B1 "
            "<http://example.org/g> .\n"
            "_:B1 <" RDF "type> <http://example.org/Thing> "
            "<http://example.org/g> .\n"
            "_:B1 <http://example.org/w> \"caf\xC3\xA9\" "
            "<http://example.org/g> .\n");
  free(r.text);
  CHECK(px.n == 2);
  CHECK_STR(kg__prefixes_get(&px, "ex"), "http://example.org/");
  CHECK_STR(kg__prefixes_get(&px, "rdf"), RDF);
  kg__prefixes_free(&px);

  /* errors */
  EXPECT_ERR(KG_FORMAT_RDFXML,
             "<?xml version=\"1.0\"?>\n"
             "<rdf:RDF xmlns:rdf=\"" RDF "\" xmlns:ex=\"http://e.example/\">\n"
             "  <rdf:Description rdf:about=\"http://e.example/a\">\n"
             "    <ex:p>text</ex:q>\n"
             "  </rdf:Description>\n"
             "</rdf:RDF>\n",
             "http://b.example/",
             "4:0: XML parser error: Opening and ending tag mismatch: ex:p "
             "and ex:q");
  EXPECT_ERR(KG_FORMAT_RDFXML,
             "<rdf:RDF xmlns:rdf=\"" RDF "\">\n"
             "<rdf:Description rdf:ID=\"1a\" rdf:value=\"v\"/>\n"
             "</rdf:RDF>\n",
             "http://b.example/", "2:0: Illegal rdf:ID value '1a'");
  EXPECT_ERR(KG_FORMAT_RDFXML,
             "<rdf:RDF xmlns:rdf=\"" RDF "\">\n"
             "<rdf:Description rdf:about=\"rel\" rdf:value=\"v\"/>\n"
             "</rdf:RDF>\n",
             NULL, "2:0: relative IRI <rel> without a base IRI");
  /* a relative namespace name makes IRIs that are not absolute */
  EXPECT_ERR(KG_FORMAT_RDFXML,
             "<rdf:RDF xmlns:rdf=\"" RDF "\" xmlns:n=\"ns/\">\n"
             "<n:Thing rdf:about=\"http://e.example/a\"/>\n"
             "</rdf:RDF>\n",
             "http://b.example/", "2:0: IRI <ns/Thing> is not absolute");
  EXPECT_ERR(KG_FORMAT_RDFXML, "not xml", "http://b.example/",
             "0:0: XML parser error: Document is empty");
  result e = read_str(KG_FORMAT_RDFXML, "", NULL);
  CHECK(e.st == KG_OK && e.n == 0);
  free(e.text);
}

/* ---- errors ---- */

static void test_syntax_errors(void)
{
  /* line 3 lacks its '.'; serd notices at the start of line 4 */
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://a.example/s> <http://a.example/p> 1 .\n"
             "<http://a.example/s> <http://a.example/p> 2 .\n"
             "<http://a.example/s> <http://a.example/p> 3\n"
             "<http://a.example/s> <http://a.example/p> 4 .\n",
             NULL, "4:1: missing ';' or '.'");
  /* columns count characters, not bytes */
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://a.example/s> <http://a.example/p> \"\xC3\xA9\xC3\xA9\" "
             "<http://a.example/o> .\n",
             NULL, "1:48: missing ';' or '.'");
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "@prefix ex: <http://e.example/> .\n"
             "ex:a ex:b ex:c .\n"
             "ex:a nope:b ex:c .\n",
             NULL, "3:6: undefined prefix 'nope'");
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> :c .\n", NULL,
             "1:43: undefined prefix ''");
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> <c> .\n", NULL,
             "1:43: relative IRI <c> without a base IRI");
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> \"\\uD800\" .\n", NULL,
             "1:51: invalid code point in an escape");
  /* messages stay valid UTF-8 even when they quote a bad escape */
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> <\\udfff> .\n", NULL,
             "1:51: relative IRI <\?\?\?> without a base IRI");
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> \"\\q\" .\n", NULL,
             "1:45: invalid escape `\\q'");
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b c> .\n", NULL,
             "1:42: invalid IRI character (escape %20)");
  /* truncated input */
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> \"abc", NULL,
             "1:47: end of file in short string");
  EXPECT_ERR(KG_FORMAT_TURTLE, "<http://e.example/a> <http://e.example/b> ",
             NULL, "1:43: expected object");
  EXPECT_ERR(KG_FORMAT_TRIG,
             "<http://e.example/g> { <http://e.example/a> "
             "<http://e.example/b> 1 .\n",
             NULL, "2:1: bad subject");
  /* nesting too deep for the parser's recursion */
  kg__buf b = {0};
  kg__buf_puts(&b, "<http://e.example/a> <http://e.example/b> ");
  for (int i = 0; i < 300; i++) {
    kg__buf_puts(&b, "( ");
  }
  expect_err(KG_FORMAT_TURTLE, b.data, b.len, NULL,
             "1:555: blank nodes or lists nested deeper than 256 levels");
  kg__buf_free(&b);
}

static void test_encoding_errors(void)
{
  /* invalid UTF-8: line and column (in characters) of the first bad
   * byte */
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> \"ok\" .\n"
             "<http://e.example/a> <http://e.example/b> \"\xC3\xA9t\xC3\xA9 "
             "\xFF\" .\n",
             NULL, "2:48: invalid UTF-8 byte 0xFF in input");
  EXPECT_ERR(KG_FORMAT_NTRIPLES,
             "<http://e.example/a> <http://e.example/b> \"\xC3\" .\n", NULL,
             "1:44: invalid UTF-8 byte 0xC3 in input");
  /* overlong encoding and an encoded surrogate */
  EXPECT_ERR(KG_FORMAT_TURTLE, "\xC0\xAF", NULL,
             "1:1: invalid UTF-8 byte 0xC0 in input");
  EXPECT_ERR(KG_FORMAT_TURTLE, "# \xED\xA0\x80\n", NULL,
             "1:3: invalid UTF-8 byte 0xED in input");
  EXPECT_ERR(KG_FORMAT_RDFXML, "<a>\xFE</a>", NULL,
             "1:4: invalid UTF-8 byte 0xFE in input");
  /* NUL bytes: in a literal they are characters (test_turtle_raw_nul);
   * anywhere else, or after a backslash, they are refused */
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "<http://e.example/a> <http://e.example/b> \"a\\\0b\" .\n", NULL,
             "1:46: NUL byte outside a string literal");
  EXPECT_ERR(KG_FORMAT_TURTLE, "<http://e.example/a\0> <b> \"\" .\n", NULL,
             "1:20: NUL byte outside a string literal");
  EXPECT_ERR(KG_FORMAT_NQUADS, "\n\n   \0", NULL,
             "3:4: NUL byte outside a string literal");
  EXPECT_ERR(KG_FORMAT_TRIG,
             "{ <http://e.example/a> <http://e.example/b> '\0' ; "
             "<http://e.example/c> 'x' } @",
             NULL, "1:79: invalid directive");
  EXPECT_ERR(KG_FORMAT_RDFXML, "<a/>\0", NULL, "1:5: NUL byte in input");
  /* a byte order mark is allowed and is not a column */
  expect_ok(KG_FORMAT_TURTLE,
            "\xEF\xBB\xBF<http://e.example/a> <http://e.example/b> 1 .\n", NULL,
            "<http://e.example/a> <http://e.example/b> \"1\"^^<" XSD
            "integer> .\n");
  EXPECT_ERR(KG_FORMAT_TURTLE,
             "\xEF\xBB\xBF<http://e.example/a> <http://e.example/b> 1 1 .\n",
             NULL, "1:45: missing ';' or '.'");
}

static void test_empty_inputs(void)
{
  static const kg_format fmts[] = {KG_FORMAT_TURTLE, KG_FORMAT_TRIG,
                                   KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS,
                                   KG_FORMAT_RDFXML};
  for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    result r = read_with(fmts[i], "", 0, NULL, NULL, NULL);
    CHECK(r.st == KG_OK && r.n == 0);
    free(r.text);
    r = read_with(fmts[i], NULL, 0, NULL, NULL, NULL);
    CHECK(r.st == KG_OK && r.n == 0);
    free(r.text);
  }
  expect_ok(KG_FORMAT_TURTLE, "  \n# only a comment\n\t\n", NULL, "");
  expect_ok(KG_FORMAT_NQUADS, "# comment\n\n", NULL, "");
  expect_ok(KG_FORMAT_TURTLE, "@prefix ex: <http://e.example/> .", NULL, "");
}

static void test_garbage(void)
{
  /* tiny inputs: each is read or refused, never more */
  static const char *const inputs[] = {
      "<",    "<<",    "\"",   "\"\"\"", "'''",  "_:",    "_:a",    "@",
      "@p",   "@base", "[",    "]",      "(",    ")",     "{",      "}",
      "a",    ".",     ";",    ",",      "^^",   "@en",   ":",      "::",
      "<a>",  "[]",    "()",   "{}",     "#",    "\\",    "\\u",    "1e",
      "\"\\", "<\\",   "_:a.", "[ ]",    "( (",  "GRAPH", "PREFIX", "BASE",
      "<?",   "<!",    "<!--", "&",      "&#0;", "<a",    "</a>",   "<?xml",
  };
  static const kg_format fmts[] = {KG_FORMAT_TURTLE, KG_FORMAT_TRIG,
                                   KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS,
                                   KG_FORMAT_RDFXML};
  for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
      result r = read_str(fmts[f], inputs[i], "http://b.example/");
      CHECK(r.st == KG_OK || r.st == KG_ERR_PARSE);
      free(r.text);
    }
  }
  /* a few exact ones */
  EXPECT_ERR(KG_FORMAT_TURTLE, "<", NULL, "1:2: unexpected end of file");
  EXPECT_ERR(KG_FORMAT_TURTLE, "@", NULL, "1:2: invalid directive");
  EXPECT_ERR(KG_FORMAT_NTRIPLES, "a", NULL, "1:2: bad verb");
}

static void test_bad_arguments(void)
{
  kg__quads q = {0};
  kg__err e = {0};
  CHECK(kg__read_rdf(KG_FORMAT_DOT, "", 0, NULL, NULL, &q, NULL, &e) ==
        KG_ERR_ARG);
  CHECK(e.status == KG_ERR_ARG && e.msg != NULL);
  kg__err_clear(&e);
  CHECK(kg__read_rdf(KG_FORMAT_AUTO, "", 0, NULL, NULL, &q, NULL, &e) ==
        KG_ERR_ARG);
  kg__err_clear(&e);
  CHECK(kg__read_rdf(KG_FORMAT_TURTLE, NULL, 3, NULL, NULL, &q, NULL, &e) ==
        KG_ERR_ARG);
  kg__err_clear(&e);
  CHECK(q.n == 0);
  /* a failed read may leave part of the input in `out`; the caller drops
   * it */
  CHECK(kg__read_rdf(KG_FORMAT_NTRIPLES,
                     "<http://a.example/s> <http://a.example/p> 1 .\n<x", 48,
                     NULL, NULL, &q, NULL, &e) == KG_ERR_PARSE);
  kg__err_clear(&e);
  kg__quads_free(&q);
}

int main(void)
{
  test_turtle_terms();
  test_turtle_base_argument();
  test_turtle_nul_escape();
  test_turtle_raw_nul();
  test_turtle_long_literal();
  test_turtle_lists_and_anonymous_nodes();
  test_turtle_graph_argument();
  test_blank_labels();
  test_trig();
  test_nquads();
  test_ntriples();
  test_rdfxml();
  test_syntax_errors();
  test_encoding_errors();
  test_empty_inputs();
  test_garbage();
  test_bad_arguments();
  if (failures) {
    fprintf(stderr, "test_readers: %d checks failed\n", failures);
    return 1;
  }
  printf("test_readers: all checks passed\n");
  return 0;
}
