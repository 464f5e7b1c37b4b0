/* kgraph's SPARQL: the parser's algebra, its syntax errors, expression and
 * function semantics, IRI resolution and digests. */
#undef NDEBUG
#include "sparql/eval.h"
#include "sparql/parser.h"
#include "store/native_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

static void check_str(const char *file,
                      int line,
                      const char *what,
                      const char *got,
                      const char *want)
{
  if (!got || strcmp(got, want) != 0) {
    fprintf(stderr, "%s:%d: %s\n  got:  %s\n  want: %s\n", file, line, what,
            got ? got : "(null)", want);
    failures++;
  }
}

#define CHECK_STR(what, got, want)                                             \
  check_str(__FILE__, __LINE__, what, got, want)

/* ---- the algebra of parsed queries ---- */

static void parse_is(int line, const char *text, const char *want)
{
  kg__query *q = NULL;
  kg__err err = {0};
  kg_status st = kg__parse_query(text, strlen(text), "http://b/", &q, &err);
  if (st != KG_OK) {
    fprintf(stderr, "%s:%d: parse failed: %s\n", __FILE__, line, err.msg);
    failures++;
    kg__err_clear(&err);
    return;
  }
  char *d = kg__query_dump(q);
  check_str(__FILE__, line, text, d, want);
  free(d);
  kg__query_free(q);
}

static void
parse_fails(int line, const char *text, kg_status want_st, const char *want)
{
  kg__query *q = NULL;
  kg__err err = {0};
  kg_status st = kg__parse_query(text, strlen(text), NULL, &q, &err);
  char got[600];
  snprintf(got, sizeof got, "%u:%u: %s", err.line, err.column,
           err.msg ? err.msg : "");
  if (st != want_st || q) {
    fprintf(stderr, "%s:%d: %s: status %d, want %d\n", __FILE__, line, text,
            (int)st, (int)want_st);
    failures++;
  }
  check_str(__FILE__, line, text, got, want);
  kg__err_clear(&err);
  kg__query_free(q);
}

static void test_parser(void)
{
  parse_is(__LINE__, "SELECT * { ?s ?p ?o }",
           "(select (project ?s ?p ?o) (bgp (triple ?s ?p ?o)))");
  parse_is(__LINE__,
           "PREFIX : <http://e/> SELECT ?s { ?s :p ?o OPTIONAL { ?o :q ?x "
           "FILTER(?x > 1) } }",
           "(select (project ?s) (leftjoin (bgp (triple ?s <http://e/p> ?o)) "
           "(bgp (triple ?o <http://e/q> ?x)) ((> ?x "
           "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>))))");
  /* a nested group followed by OPTIONAL: the BGP stays the BGP */
  parse_is(__LINE__, "SELECT * { ?s ?p ?o { ?o ?q ?c } OPTIONAL { ?s ?r ?x } }",
           "(select (project ?s ?p ?o ?q ?c ?r ?x) (leftjoin (bgp (triple ?s "
           "?p ?o) (triple ?o ?q ?c)) (bgp (triple ?s ?r ?x))))");
  /* GRAPH ?g: the patterns read a hidden slot, bound to ?g after */
  parse_is(__LINE__, "SELECT ?g { GRAPH ?g { ?s ?p ?o } }",
           "(select (project ?g) (graph ?g ?_1 (bgp (quad ?_1 ?s ?p ?o))))");
  /* paths: sequences become joins, closures path operators */
  parse_is(__LINE__, "SELECT * { ?a <p>/^<q> ?b . ?a <r>* ?c }",
           "(select (project ?a ?b ?c) (join (bgp (triple ?a <http://b/p> ?_2) "
           "(triple ?b <http://b/q> ?_2)) (path ?a (path* <http://b/r>) ?c)))");
  parse_is(__LINE__, "ASK { ?s !(<a>|^<b>) ?o }",
           "(ask (path ?s (notoneof <http://b/a> ^<http://b/b>) ?o))");
  /* single-variable VALUES: one row per value */
  parse_is(__LINE__, "SELECT ?x { } VALUES ?x { 1 \"a\"@en-GB UNDEF }",
           "(select (project ?x) (table (vars ?x) "
           "(row \"1\"^^<http://www.w3.org/2001/XMLSchema#integer>) "
           "(row \"a\"@en-gb) (row UNDEF)))");
  parse_is(__LINE__,
           "SELECT (COUNT(DISTINCT ?o) AS ?n) (GROUP_CONCAT(?o; "
           "SEPARATOR=\"|\") AS ?all) { ?s ?p ?o } GROUP BY ?s",
           "(select (project (?_5 as ?n) (?_6 as ?all)) (group (?s ?s)) (agg "
           "?_5 count distinct ?o) (agg ?_6 group_concat ?o separator=\"|\") "
           "(bgp (triple ?s ?p ?o)))");
  parse_is(__LINE__,
           "SELECT ?s { ?s ?p ?o FILTER NOT EXISTS { ?s <q> ?o } MINUS { ?s "
           "<r> ?o } BIND(STRLEN(?o) AS ?n) }",
           "(select (project ?s) (filter ((! (exists (bgp (triple ?s "
           "<http://b/q> ?o))))) (extend (?n (strlen ?o)) (minus (bgp (triple "
           "?s ?p ?o)) (bgp (triple ?s <http://b/r> ?o))))))");
  /* a subquery projects into the outer query; its own ?o is another */
  parse_is(__LINE__,
           "SELECT * { ?o <a> ?x { SELECT ?x { ?x <b> ?o } LIMIT 1 } }",
           "(select (project ?o ?x) (join (bgp (triple ?o <http://b/a> ?x)) "
           "(select (project ?x) (limit 1) (bgp (triple ?x <http://b/b> "
           "?o)))))");
  parse_is(__LINE__,
           "CONSTRUCT { ?s <p> [ <q> ?o ] } FROM <g> WHERE { ?s ?p ?o } "
           "ORDER BY DESC(?o) OFFSET 2",
           "(construct (dataset <http://b/g>) (desc ?o) (offset 2) (template "
           "(_:kg:anon1 <http://b/q> ?o) (?s <http://b/p> _:kg:anon1)) (bgp "
           "(triple ?s ?p ?o)))");
  parse_is(__LINE__, "DESCRIBE <x> ?y { ?y ?p ?o }",
           "(describe (describe <http://b/x> ?y) (bgp (triple ?y ?p ?o)))");
  parse_is(__LINE__, "SELECT ?x { ?x <p> (1 ?y) }",
           "(select (project ?x) (bgp (triple ?_1 "
           "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> "
           "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>) (triple ?_2 "
           "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?y) (triple ?_1 "
           "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> ?_2) (triple ?_2 "
           "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> "
           "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>) (triple ?x "
           "<http://b/p> ?_1)))");
  /* "?x -1" is a subtraction */
  parse_is(__LINE__, "SELECT (?x -1 AS ?y) {}",
           "(select (project ((- ?x \"1\"^^<http://www.w3.org/2001/"
           "XMLSchema#integer>) as ?y)) (table unit))");
}

static void test_syntax_errors(void)
{
  parse_fails(__LINE__, "SELECT *\nWHERE { ?s ?p }", KG_ERR_PARSE,
              "2:15: syntax error, unexpected '}'");
  parse_fails(__LINE__, "SELECT * { ?s ex:p ?o }", KG_ERR_PARSE,
              "1:15: undefined prefix 'ex:'");
  parse_fails(__LINE__, "SELECT * { ?s ?p ?o BIND(1 AS ?o) }", KG_ERR_PARSE,
              "1:25: BIND: variable ?o is already in scope");
  parse_fails(__LINE__, "SELECT ?s (COUNT(?o) AS ?n) { ?s ?p ?o }",
              KG_ERR_PARSE, "1:1: ?s is neither grouped nor aggregated");
  parse_fails(__LINE__, "SELECT * { ?s ?p ?o } GROUP BY ?s", KG_ERR_PARSE,
              "1:1: SELECT * with GROUP BY or aggregates");
  parse_fails(__LINE__, "SELECT * { _:a ?p ?o OPTIONAL { _:a ?q ?r } }",
              KG_ERR_PARSE,
              "1:33: blank node label _:a used in two basic graph patterns");
  parse_fails(__LINE__, "SELECT * { } VALUES (?a ?b) { (1) }", KG_ERR_PARSE,
              "1:31: VALUES row has 1 values for 2 variables");
  parse_fails(__LINE__, "SELECT * { FILTER(COUNT(?x) > 1) }", KG_ERR_PARSE,
              "1:19: aggregate outside SELECT, HAVING or ORDER BY");
  parse_fails(__LINE__, "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
              KG_ERR_DENIED,
              "0:0: SERVICE is refused: kgraph never reaches the network");
  parse_fails(__LINE__, "SELECT * { ?s ?p \"abc }", KG_ERR_PARSE,
              "1:18: unterminated string");
  parse_fails(__LINE__, "SELECT * { ?s ?p ?o } LIMIT 1 LIMIT 2", KG_ERR_PARSE,
              "1:31: syntax error, unexpected LIMIT");
  /* invalid UTF-8 anywhere (here in a comment) is refused */
  parse_fails(__LINE__, "SELECT * {\n # caf\xC3\n ?s ?p \"caf\xC3\xA9\" }",
              KG_ERR_PARSE, "2:7: invalid UTF-8 byte 0xC3");
  parse_fails(__LINE__, "ASK { ?s ?p \"\xC0\xAF\" }", KG_ERR_PARSE,
              "1:14: invalid UTF-8 byte 0xC0");

  /* nesting is bounded, so no recursion can run out of stack */
  kg__buf deep = {0};
  kg__buf_puts(&deep, "ASK { FILTER(");
  for (int i = 0; i < 3000; i++) {
    kg__buf_putc(&deep, '(');
  }
  kg__buf_putc(&deep, '1');
  for (int i = 0; i < 3000; i++) {
    kg__buf_putc(&deep, ')');
  }
  kg__buf_puts(&deep, ") }");
  parse_fails(__LINE__, deep.data, KG_ERR_PARSE,
              "1:513: the query nests more than 1000 levels deep");
  deep.len = 0;
  kg__buf_puts(&deep, "ASK { ?s ?p ?o FILTER(0");
  for (int i = 0; i < 3000; i++) {
    kg__buf_puts(&deep, "+1");
  }
  kg__buf_puts(&deep, ") }");
  parse_fails(__LINE__, deep.data, KG_ERR_PARSE,
              "1:2026: the query is too complex (an expression more than "
              "1000 deep)");
  kg__buf_free(&deep);

  kg__update *u = NULL;
  kg__err err = {0};
  const char *bad = "DELETE DATA { _:a <p> <o> }";
  CHECK(kg__parse_update(bad, strlen(bad), NULL, &u, &err) == KG_ERR_PARSE);
  CHECK(u == NULL && err.msg &&
        strcmp(err.msg, "blank nodes are not allowed in DELETE") == 0);
  kg__err_clear(&err);
  const char *novar = "INSERT DATA { ?s <p> <o> }";
  CHECK(kg__parse_update(novar, strlen(novar), NULL, &u, &err) == KG_ERR_PARSE);
  kg__err_clear(&err);
  const char *ok = "PREFIX : <http://e/> INSERT DATA { :a :b :c GRAPH :g { :a "
                   ":b _:x } } ; WITH :g DELETE { ?s ?p ?o } INSERT { ?s ?p "
                   "1 } USING :h WHERE { ?s ?p ?o } ; CLEAR SILENT NAMED ; "
                   "COPY DEFAULT TO GRAPH :g ;";
  CHECK(kg__parse_update(ok, strlen(ok), NULL, &u, &err) == KG_OK);
  CHECK(u && u->n == 4 && u->ops[0].kind == KG__U_INSERT_DATA &&
        u->ops[0].nins == 2 && u->ops[1].kind == KG__U_MODIFY &&
        u->ops[1].ndel == 1 && u->ops[1].nins == 1 &&
        u->ops[1].where->nfrom == 1 && u->ops[2].kind == KG__U_CLEAR &&
        u->ops[2].silent && u->ops[2].target == KG__GREF_NAMED &&
        u->ops[3].kind == KG__U_COPY && u->ops[3].target == KG__GREF_DEFAULT &&
        u->ops[3].dst_ref == KG__GREF_GRAPH);
  kg__update_free(u);
}

/* ---- expressions ---- */

static kg__store *store;

static void term_text(const kg__val *v, char *buf, size_t cap)
{
  static const char xsd[] = "http://www.w3.org/2001/XMLSchema#";
  const kg_term *t = &v->t;
  switch (t->kind) {
  case KG_TERM_IRI:
    snprintf(buf, cap, "<%s>", t->value);
    return;
  case KG_TERM_BLANK:
    snprintf(buf, cap, "_:%s", t->value);
    return;
  case KG_TERM_LITERAL: {
    int n = snprintf(buf, cap, "\"%.*s\"", (int)t->value_len, t->value);
    if (t->lang) {
      snprintf(buf + n, cap - (size_t)n, "@%s", t->lang);
    } else if (t->datatype && strncmp(t->datatype, xsd, sizeof xsd - 1) == 0) {
      snprintf(buf + n, cap - (size_t)n, "^^xsd:%s",
               t->datatype + sizeof xsd - 1);
    } else if (t->datatype) {
      snprintf(buf + n, cap - (size_t)n, "^^<%s>", t->datatype);
    }
    return;
  }
  default:
    snprintf(buf, cap, "ERROR");
  }
}

static void eval_is(int line, const char *expr, const char *want)
{
  char text[1024];
  snprintf(text, sizeof text,
           "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
           "SELECT (%s AS ?x) {}",
           expr);
  kg__query *q = NULL;
  kg__err err = {0};
  if (kg__parse_query(text, strlen(text), "http://example/base/", &q, &err) !=
      KG_OK) {
    fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, line, expr, err.msg);
    failures++;
    kg__err_clear(&err);
    return;
  }
  kg__rt rt;
  kg__rt_init(&rt, store, q->nslots);
  rt.base = "http://example/base/";
  kg__vid row[64] = {0};
  kg__val v = kg__expr_eval(&rt, q->proj[0].expr, row);
  char got[512];
  term_text(&v, got, sizeof got);
  check_str(__FILE__, line, expr, got, want);
  kg__rt_free(&rt);
  kg__query_free(q);
}

static void test_expressions(void)
{
  /* numbers and type promotion */
  eval_is(__LINE__, "1 + 2", "\"3\"^^xsd:integer");
  eval_is(__LINE__, "1 / 2", "\"0.5\"^^xsd:decimal");
  eval_is(__LINE__, "10 / 4", "\"2.5\"^^xsd:decimal");
  eval_is(__LINE__, "1 / 3", "\"0.333333333333333333\"^^xsd:decimal");
  eval_is(__LINE__, "0.1 + 0.2 = 0.3", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "1.5 * 2", "\"3.0\"^^xsd:decimal");
  eval_is(__LINE__, "1.50 + 1", "\"2.50\"^^xsd:decimal");
  eval_is(__LINE__, "3.0 - 3", "\"0.0\"^^xsd:decimal");
  eval_is(__LINE__, "\"1\"^^xsd:double + 1", "\"2\"^^xsd:double");
  eval_is(__LINE__, "0.5e0 * 3", "\"1.5E0\"^^xsd:double");
  eval_is(__LINE__, "1 / 0", "ERROR");
  eval_is(__LINE__, "1.0e0 / 0", "\"INF\"^^xsd:double");
  eval_is(__LINE__, "9223372036854775807 + 1", "ERROR");
  eval_is(__LINE__, "-(3)", "\"-3\"^^xsd:integer");
  eval_is(__LINE__, "1 = 1.0", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "sameTerm(1, 1.0)", "\"false\"^^xsd:boolean");
  eval_is(__LINE__, "ABS(-3)", "\"3\"^^xsd:integer");
  eval_is(__LINE__, "ROUND(2.5)", "\"3\"^^xsd:decimal");
  eval_is(__LINE__, "ROUND(-2.5)", "\"-2\"^^xsd:decimal");
  eval_is(__LINE__, "CEIL(-1.5)", "\"-1\"^^xsd:decimal");
  eval_is(__LINE__, "FLOOR(1.5e0)", "\"1.0E0\"^^xsd:double");
  eval_is(__LINE__, "isNUMERIC(\"a\"^^xsd:integer)", "\"false\"^^xsd:boolean");
  /* errors and three-valued logic */
  /* values of two known, different value spaces differ; unknown
   * datatypes and ill-formed literals cannot be compared */
  eval_is(__LINE__, "\"a\" = 1", "\"false\"^^xsd:boolean");
  eval_is(__LINE__, "\"a\"^^<http://x/t> = 1", "ERROR");
  eval_is(__LINE__, "!(\"a\"^^<http://x/t> = \"b\"^^<http://x/t>)", "ERROR");
  eval_is(__LINE__, "\"a\"^^<http://x/t> = \"a\"^^<http://x/t>",
          "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "\"x\"^^xsd:integer != \"x\"", "ERROR");
  eval_is(__LINE__, "\"x\"@en = \"x\"@EN", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "\"x\"@en != \"x\"", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "(\"a\"^^<http://x/t> = 1) || true",
          "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "(\"a\"^^<http://x/t> = 1) && false",
          "\"false\"^^xsd:boolean");
  eval_is(__LINE__, "IF(1 < 2, \"y\", \"n\")", "\"y\"");
  eval_is(__LINE__, "COALESCE(1/0, ?unbound, 2)", "\"2\"^^xsd:integer");
  eval_is(__LINE__, "1 IN (2, 1)", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "1 NOT IN ()", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "1 IN (\"a\"^^<http://x/t>, 2)", "ERROR");
  eval_is(__LINE__, "1 IN (\"a\"^^<http://x/t>, 1)", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "<http://x/> < <http://y/>", "ERROR");
  /* strings by code points */
  eval_is(__LINE__, "STRLEN(\"Vu\xC4\x8Di\xC4\x87\")", "\"5\"^^xsd:integer");
  eval_is(__LINE__, "UCASE(\"vu\xC4\x8Di\xC4\x87\"@hr)",
          "\"VU\xC4\x8CI\xC4\x86\"@hr");
  eval_is(__LINE__, "SUBSTR(\"Vu\xC4\x8Di\xC4\x87\", 3, 2)", "\"\xC4\x8Di\"");
  eval_is(__LINE__, "SUBSTR(\"abc\", 0)", "\"abc\"");
  eval_is(__LINE__, "CONCAT(\"a\"@en, \"b\"@en)", "\"ab\"@en");
  eval_is(__LINE__, "CONCAT(\"a\"@en, \"b\")", "\"ab\"");
  eval_is(__LINE__, "STRBEFORE(\"abc\"@en, \"b\")", "\"a\"@en");
  eval_is(__LINE__, "STRAFTER(\"abc\", \"z\")", "\"\"");
  eval_is(__LINE__, "STRSTARTS(\"abc\", \"a\"@en)", "ERROR");
  eval_is(__LINE__, "ENCODE_FOR_URI(\"Los Angeles\")", "\"Los%20Angeles\"");
  eval_is(__LINE__, "STRDT(\"1\", xsd:integer)", "\"1\"^^xsd:integer");
  eval_is(__LINE__, "STRLANG(\"chat\", \"fr\")", "\"chat\"@fr");
  /* language tags are kept in lower case */
  eval_is(__LINE__, "STRLANG(\"chat\", \"FR-ca\")", "\"chat\"@fr-ca");
  eval_is(__LINE__, "LANG(\"chat\"@FR-ca)", "\"fr-ca\"");
  eval_is(__LINE__, "sameTerm(\"chat\"@FR, \"chat\"@fr)",
          "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "LANGMATCHES(\"en-GB\", \"en\")", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "LANGMATCHES(\"\", \"*\")", "\"false\"^^xsd:boolean");
  eval_is(__LINE__, "DATATYPE(\"a\"@en)",
          "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>");
  eval_is(__LINE__, "STR(<http://x/>)", "\"http://x/\"");
  eval_is(__LINE__, "IRI(\"rel\")", "<http://example/base/rel>");
  /* XPath regular expressions */
  eval_is(__LINE__, "REGEX(\"abc123\", \"\\\\d+$\")", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "REGEX(\"ABC\", \"^a\", \"i\")", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "REGEX(\"a.c\", \".\", \"q\")", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "REGEX(\"abc\", \"(\")", "ERROR");
  eval_is(__LINE__, "REPLACE(\"abcd\", \"b(c)\", \"[$1]\")", "\"a[c]d\"");
  eval_is(__LINE__, "REPLACE(\"abc\", \"x*\", \"y\")", "ERROR");
  /* dates and times */
  eval_is(__LINE__, "YEAR(\"2023-09-14\"^^xsd:date)", "\"2023\"^^xsd:integer");
  eval_is(__LINE__, "MONTH(\"2023-09-14T10:00:00Z\"^^xsd:dateTime)",
          "\"9\"^^xsd:integer");
  eval_is(__LINE__, "SECONDS(\"2011-01-10T14:45:13.815-05:00\"^^xsd:dateTime)",
          "\"13.815\"^^xsd:decimal");
  eval_is(__LINE__, "TIMEZONE(\"2011-01-10T14:45:13.815-05:00\"^^xsd:dateTime)",
          "\"-PT5H\"^^xsd:dayTimeDuration");
  eval_is(__LINE__, "TZ(\"2011-01-10T14:45:13Z\"^^xsd:dateTime)", "\"Z\"");
  eval_is(__LINE__, "TIMEZONE(\"2011-01-10T14:45:13\"^^xsd:dateTime)", "ERROR");
  eval_is(__LINE__, "\"2023-01-01\"^^xsd:date < \"2023-06-01\"^^xsd:date",
          "\"true\"^^xsd:boolean");
  eval_is(__LINE__,
          "\"2002-04-02T12:00:00-01:00\"^^xsd:dateTime = "
          "\"2002-04-02T17:00:00+04:00\"^^xsd:dateTime",
          "\"true\"^^xsd:boolean");
  /* casts */
  eval_is(__LINE__, "xsd:integer(\"  12 \")", "\"12\"^^xsd:integer");
  eval_is(__LINE__, "xsd:integer(\"1.5\")", "ERROR");
  eval_is(__LINE__, "xsd:integer(2.7)", "\"2\"^^xsd:integer");
  eval_is(__LINE__, "xsd:boolean(\"1\")", "\"true\"^^xsd:boolean");
  eval_is(__LINE__, "xsd:double(\"1.5\")", "\"1.5E0\"^^xsd:double");
  eval_is(__LINE__, "xsd:decimal(1.0e0)", "\"1.0\"^^xsd:decimal");
  eval_is(__LINE__, "xsd:decimal(1e19)",
          "\"10000000000000000000.0\"^^xsd:decimal");
  eval_is(__LINE__, "xsd:decimal(-5e-19)",
          "\"-0.000000000000000001\"^^xsd:decimal");
  eval_is(__LINE__, "xsd:decimal(1e21)", "ERROR");
  eval_is(__LINE__, "xsd:string(1)", "\"1\"");
  eval_is(__LINE__, "xsd:string(1.50)", "\"1.5\"");
  eval_is(__LINE__, "xsd:string(2100e0)", "\"2100\"");
  eval_is(__LINE__, "xsd:string(1e-6)", "\"0.000001\"");
  eval_is(__LINE__, "xsd:string(-0.0e0)", "\"-0\"");
  eval_is(__LINE__, "xsd:string(1e6)", "\"1.0E6\"");
  eval_is(__LINE__, "xsd:byte(300)", "ERROR");
  eval_is(__LINE__, "xsd:dateTime(\"2023-09-14\"^^xsd:date)",
          "\"2023-09-14T00:00:00\"^^xsd:dateTime");
  /* digests */
  eval_is(__LINE__, "MD5(\"abc\")", "\"900150983cd24fb0d6963f7d28e17f72\"");
  eval_is(__LINE__, "SHA1(\"abc\")",
          "\"a9993e364706816aba3e25717850c26c9cd0d89d\"");
  eval_is(__LINE__, "SHA256(\"abc\")",
          "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"
          "d\"");
  eval_is(__LINE__, "MD5(\"abc\"@en)", "ERROR");
  eval_is(__LINE__, "<http://unknown/f>(1)", "ERROR");
}

static void test_iri(void)
{
  /* RFC 3986 section 5.4 */
  static const char *const cases[][2] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../..", "http://a/"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"g;x=1/../y", "http://a/b/c/y"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *r =
        kg__iri_resolve("http://a/b/c/d;p?q", cases[i][0], strlen(cases[i][0]));
    CHECK_STR(cases[i][0], r, cases[i][1]);
    free(r);
  }
}

/* ---- evaluation over a store ---- */

static void add_quad(const char *s, const char *p, const char *o, const char *g)
{
  kg_term t[4];
  const char *v[4] = {s, p, o, g};
  kg__id q[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
  for (int k = 0; k < 4; k++) {
    if (!v[k]) {
      continue;
    }
    memset(&t[k], 0, sizeof t[k]);
    if (v[k][0] == '"') {
      /* "lexical" or "lexical"@lang or "lexical"^dt (short forms) */
      const char *end = strchr(v[k] + 1, '"');
      t[k].kind = KG_TERM_LITERAL;
      t[k].value = v[k] + 1;
      t[k].value_len = (size_t)(end - v[k] - 1);
      if (end[1] == '@') {
        t[k].lang = end + 2;
      } else if (end[1] == '^') {
        t[k].datatype = end + 2;
      }
    } else {
      t[k].kind = v[k][0] == '_' ? KG_TERM_BLANK : KG_TERM_IRI;
      t[k].value = v[k][0] == '_' ? v[k] + 2 : v[k];
      t[k].value_len = strlen(t[k].value);
    }
    CHECK(store->ops->intern(store, &t[k], &q[k]) == KG_OK);
  }
  CHECK(store->ops->add(store, q, NULL) == KG_OK);
}

static void load_data(void)
{
  static const char *const xint = "http://www.w3.org/2001/XMLSchema#integer";
  const char *e = "http://e/";
  char a[32], b[32], c[32], knows[32], name[32], age[32], likes[32];
  char g1[32], g2[32];
  snprintf(a, sizeof a, "%sa", e);
  snprintf(b, sizeof b, "%sb", e);
  snprintf(c, sizeof c, "%sc", e);
  snprintf(knows, sizeof knows, "%sknows", e);
  snprintf(name, sizeof name, "%sname", e);
  snprintf(age, sizeof age, "%sage", e);
  snprintf(likes, sizeof likes, "%slikes", e);
  snprintf(g1, sizeof g1, "%sg1", e);
  snprintf(g2, sizeof g2, "%sg2", e);
  char n30[64], n25[64], n35[64];
  snprintf(n30, sizeof n30, "\"30\"^%s", xint);
  snprintf(n25, sizeof n25, "\"25\"^%s", xint);
  snprintf(n35, sizeof n35, "\"35\"^%s", xint);
  CHECK(store->ops->begin(store, true) == KG_OK);
  add_quad(a, knows, b, NULL);
  add_quad(b, knows, c, NULL);
  add_quad(c, knows, a, NULL);
  add_quad(a, name, "\"Alice\"", NULL);
  add_quad(b, name, "\"Bob\"@en", NULL);
  add_quad(a, age, n30, NULL);
  add_quad(b, age, n25, NULL);
  add_quad(c, age, n35, NULL);
  add_quad(a, likes, b, g1);
  add_quad(b, likes, c, g2);
  add_quad(c, likes, c, g2);
  CHECK(store->ops->commit(store) == KG_OK);
}

static int line_cmp(const void *x, const void *y)
{
  return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Rows as lines "?v=term ?w=term", sorted unless the query orders them. */
static void query_is(int line, const char *q, const char *want)
{
  char text[2048];
  snprintf(text, sizeof text, "PREFIX : <http://e/> %s", q);
  kg__query *query = NULL;
  kg__err err = {0};
  if (kg__parse_query(text, strlen(text), NULL, &query, &err) != KG_OK) {
    fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, line, q, err.msg);
    failures++;
    kg__err_clear(&err);
    return;
  }
  kg__rt rt;
  kg__rt_init(&rt, store, query->nslots);
  rt.err = &err;
  kg__it *it = NULL;
  kg_status st = kg__rt_dataset(&rt, query);
  if (st == KG_OK) {
    st = kg__plan_query(&rt, query, &it);
  }
  kg__vid *row = calloc(query->nslots + 1, sizeof *row);
  char *lines[64];
  size_t n = 0;
  if (st == KG_OK) {
    st = kg__it_open(it, row);
  }
  while (st == KG_OK && (st = kg__it_next(it, row)) == KG_ROW && n < 64) {
    char buf[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < query->nproj; i++) {
      kg__val v = kg__val_of_id(&rt.v, row[query->proj[i].slot]);
      char t[256];
      term_text(&v, t, sizeof t);
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s?%s=%s",
                              i ? " " : "", query->proj[i].name,
                              kg__val_ok(&v) ? t : "UNDEF");
    }
    lines[n++] = kg__strdup(buf);
    st = KG_OK;
  }
  if (st != KG_DONE) {
    fprintf(stderr, "%s:%d: %s: status %d %s\n", __FILE__, line, q, (int)st,
            err.msg ? err.msg : "");
    failures++;
  }
  if (query->norder == 0) {
    qsort(lines, n, sizeof *lines, line_cmp);
  }
  kg__buf got = {0};
  for (size_t i = 0; i < n; i++) {
    kg__buf_puts(&got, lines[i]);
    kg__buf_putc(&got, '\n');
    free(lines[i]);
  }
  check_str(__FILE__, line, q, got.data ? got.data : "", want);
  kg__buf_free(&got);
  free(row);
  kg__it_free(it);
  kg__rt_free(&rt);
  kg__query_free(query);
  kg__err_clear(&err);
}

static void test_evaluation(void)
{
  load_data();
  query_is(__LINE__, "SELECT ?x ?y { ?x :knows ?y . ?y :knows :a }",
           "?x=<http://e/b> ?y=<http://e/c>\n");
  query_is(__LINE__, "SELECT ?x ?n { ?x :age ?a OPTIONAL { ?x :name ?n } }",
           "?x=<http://e/a> ?n=\"Alice\"\n"
           "?x=<http://e/b> ?n=\"Bob\"@en\n"
           "?x=<http://e/c> ?n=UNDEF\n");
  /* the filter of OPTIONAL sees both sides */
  query_is(__LINE__,
           "SELECT ?x ?y { ?x :age ?a OPTIONAL { ?x :knows ?y . ?y :age ?b "
           "FILTER(?b > ?a) } }",
           "?x=<http://e/a> ?y=UNDEF\n?x=<http://e/b> ?y=<http://e/c>\n"
           "?x=<http://e/c> ?y=UNDEF\n");
  query_is(__LINE__, "SELECT ?x { ?x :age ?a MINUS { ?x :name ?n } }",
           "?x=<http://e/c>\n");
  query_is(__LINE__,
           "SELECT ?x { ?x :age ?a FILTER NOT EXISTS { ?x :name ?n } }",
           "?x=<http://e/c>\n");
  query_is(__LINE__, "SELECT ?x ?g { GRAPH ?g { ?x :likes ?y } }",
           "?x=<http://e/a> ?g=<http://e/g1>\n"
           "?x=<http://e/b> ?g=<http://e/g2>\n"
           "?x=<http://e/c> ?g=<http://e/g2>\n");
  /* a GRAPH block joined with the default graph */
  query_is(__LINE__, "SELECT ?x ?n { GRAPH ?g { ?x :likes ?y } ?y :name ?n }",
           "?x=<http://e/a> ?n=\"Bob\"@en\n");
  query_is(__LINE__, "SELECT ?g { GRAPH ?g { } }",
           "?g=<http://e/g1>\n?g=<http://e/g2>\n");
  query_is(__LINE__, "SELECT ?y { :a :knows+ ?y }",
           "?y=<http://e/a>\n?y=<http://e/b>\n?y=<http://e/c>\n");
  query_is(__LINE__, "SELECT ?y { :a :knows/:knows ?y }", "?y=<http://e/c>\n");
  query_is(__LINE__, "SELECT ?x { ?x ^:knows :a }", "?x=<http://e/b>\n");
  query_is(__LINE__, "SELECT ?y { :a :knows? ?y }",
           "?y=<http://e/a>\n?y=<http://e/b>\n");
  query_is(__LINE__,
           "SELECT (COUNT(*) AS ?n) (SUM(?a) AS ?s) (AVG(?a) AS ?m) "
           "(MIN(?a) AS ?lo) (GROUP_CONCAT(?a; SEPARATOR=\",\") AS ?all) "
           "{ ?x :age ?a }",
           "?n=\"3\"^^xsd:integer ?s=\"90\"^^xsd:integer "
           "?m=\"30.0\"^^xsd:decimal ?lo=\"25\"^^xsd:integer "
           "?all=\"30,25,35\"\n");
  /* no solution, no GROUP BY: one group; COUNT skips unbound values */
  query_is(__LINE__,
           "SELECT (COUNT(?n) AS ?c) (SUM(?a) AS ?s) { ?x :age ?a OPTIONAL "
           "{ ?x :nick ?n } FILTER(?a > 100) }",
           "?c=\"0\"^^xsd:integer ?s=\"0\"^^xsd:integer\n");
  query_is(__LINE__,
           "SELECT ?x (COUNT(?y) AS ?c) { ?x :knows ?y } GROUP BY ?x "
           "HAVING (COUNT(?y) > 0) ORDER BY ?x LIMIT 2",
           "?x=<http://e/a> ?c=\"1\"^^xsd:integer\n"
           "?x=<http://e/b> ?c=\"1\"^^xsd:integer\n");
  query_is(__LINE__, "SELECT ?a { ?x :age ?a } ORDER BY DESC(?a) OFFSET 1",
           "?a=\"30\"^^xsd:integer\n?a=\"25\"^^xsd:integer\n");
  query_is(__LINE__,
           "SELECT ?x ?d { ?x :age ?a BIND(?a * 2 AS ?d) FILTER(?d < 60) }",
           "?x=<http://e/b> ?d=\"50\"^^xsd:integer\n");
  query_is(__LINE__,
           "SELECT ?x ?t { ?x :age ?a } VALUES (?x ?t) { (:a 1) (:z 2) "
           "(UNDEF 3) }",
           "?x=<http://e/a> ?t=\"1\"^^xsd:integer\n"
           "?x=<http://e/a> ?t=\"3\"^^xsd:integer\n"
           "?x=<http://e/b> ?t=\"3\"^^xsd:integer\n"
           "?x=<http://e/c> ?t=\"3\"^^xsd:integer\n");
  query_is(__LINE__,
           "SELECT ?x ?m { ?x :knows ?y { SELECT (MAX(?a) AS ?m) { ?z :age "
           "?a } } FILTER(?x = :c) }",
           "?x=<http://e/c> ?m=\"35\"^^xsd:integer\n");
  query_is(__LINE__,
           "SELECT DISTINCT ?k { { ?x :knows ?k } UNION { ?k :likes ?y } }",
           "?k=<http://e/a>\n?k=<http://e/b>\n?k=<http://e/c>\n");
  query_is(__LINE__, "SELECT ?x { ?x :name \"Nobody\" }", "");
  query_is(__LINE__, "SELECT ?x FROM :g2 { ?x :likes :c }",
           "?x=<http://e/b>\n?x=<http://e/c>\n");
  query_is(__LINE__, "SELECT ?x FROM NAMED :g1 { GRAPH ?g { ?x :likes ?y } }",
           "?x=<http://e/a>\n");
}

/* ---- the public API: updates, limits, cancel ---- */

static kg_db *api_db(void)
{
  kg_db *db = NULL;
  char *msg = NULL;
  CHECK(kg_db_open(":memory:", 0, &msg, &db) == KG_OK);
  kg_free(msg);
  return db;
}

static uint64_t count_rows(kg_db *db, const char *q)
{
  kg_query *query = NULL;
  uint64_t n = 0;
  CHECK(kg_query_prepare(db, q, strlen(q), NULL, &query) == KG_OK);
  while (kg_query_step(query) == KG_ROW) {
    n++;
  }
  kg_query_finalize(query);
  return n;
}

static void test_update_api(void)
{
  kg_db *db = api_db();
  const char *r = "PREFIX : <http://e/> INSERT DATA { :a :p 1 . :b :p 2 . "
                  "GRAPH :g { :a :q _:x } }";
  uint64_t changed = 0;
  CHECK(kg_db_update(db, r, strlen(r), NULL, NULL, &changed) == KG_OK);
  CHECK(changed == 3);
  CHECK(count_rows(db, "SELECT * { ?s ?p ?o }") == 2);
  CHECK(count_rows(db, "SELECT * { GRAPH ?g { ?s ?p ?o } }") == 1);
  /* all or nothing: the failing DROP undoes the INSERT before it */
  r = "INSERT DATA { <http://e/c> <http://e/p> 3 } ; DROP GRAPH <http://e/x>";
  CHECK(kg_db_update(db, r, strlen(r), NULL, NULL, &changed) == KG_ERR_QUERY);
  CHECK(strcmp(kg_errmsg(db), "DROP: no graph <http://e/x>") == 0);
  CHECK(count_rows(db, "SELECT * { ?s ?p ?o }") == 2);
  /* DELETE/INSERT WHERE sees the store before the operation */
  r = "PREFIX : <http://e/> DELETE { ?s :p ?o } INSERT { ?s :p ?n } WHERE { "
      "?s :p ?o BIND(?o + 10 AS ?n) }";
  CHECK(kg_db_update(db, r, strlen(r), NULL, NULL, &changed) == KG_OK);
  CHECK(changed == 4);
  CHECK(count_rows(db, "SELECT * { ?s ?p ?o FILTER(?o > 10) }") == 2);
  /* LOAD needs the caller's permission */
  r = "LOAD <file:///etc/hostname>";
  CHECK(kg_db_update(db, r, strlen(r), NULL, NULL, NULL) == KG_ERR_DENIED);
  kg_update_options opts;
  memset(&opts, 0, sizeof opts);
  opts.parse_only = 1;
  r = "CLEAR ALL";
  CHECK(kg_db_update(db, r, strlen(r), NULL, &opts, NULL) == KG_OK);
  CHECK(count_rows(db, "SELECT * { ?s ?p ?o }") == 2);
  r = "CLEAR ALL ; INSERT DATA { ?s <p> <o> }";
  CHECK(kg_db_update(db, r, strlen(r), NULL, &opts, NULL) == KG_ERR_PARSE);
  CHECK(kg_errloc(db).line == 1 && kg_errloc(db).column == 27);
  CHECK(kg_db_close(db) == KG_OK);
}

static void test_describe(void)
{
  kg_db *db = api_db();
  const char *r = "PREFIX : <http://e/> INSERT DATA { :a :p 1 ; :r [ :s [ :t "
                  "2 ] ] . :b :p :a . GRAPH :g { :a :q 3 , 4 } }";
  CHECK(kg_db_update(db, r, strlen(r), NULL, NULL, NULL) == KG_OK);
  /* the default graph only, blank nodes followed */
  CHECK(count_rows(db, "DESCRIBE <http://e/a>") == 4);
  CHECK(count_rows(db, "DESCRIBE <http://e/a> FROM <http://e/g>") == 2);
  CHECK(count_rows(db, "DESCRIBE ?x { ?x <http://e/p> ?y }") == 5);
  CHECK(kg_db_set_default_graph(db, KG_DEFAULT_GRAPH_UNION) == KG_OK);
  CHECK(count_rows(db, "DESCRIBE <http://e/a>") == 6);
  CHECK(kg_db_close(db) == KG_OK);
}

static uint64_t mono_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A store where a cartesian product takes seconds. */
static kg_db *slow_db(void)
{
  kg_db *db = api_db();
  kg__buf b = {0};
  kg__buf_puts(&b, "INSERT DATA {");
  for (int i = 0; i < 2000; i++) {
    kg__buf_printf(&b, " <http://e/s%d> <http://e/p> %d .", i, i);
  }
  kg__buf_puts(&b, " }");
  CHECK(!b.failed &&
        kg_db_update(db, b.data, b.len, NULL, NULL, NULL) == KG_OK);
  kg__buf_free(&b);
  return db;
}

static const char slow_query[] =
    "SELECT (COUNT(*) AS ?n) { ?a ?p ?x . ?b ?q ?y FILTER(?x + ?y > 0) }";

typedef struct canceller {
  kg_query *q;
  uint64_t at;
} canceller;

static void *cancel_later(void *arg)
{
  canceller *c = arg;
  struct timespec ts = {0, 150 * 1000000L};
  nanosleep(&ts, NULL);
  c->at = mono_ms();
  kg_query_cancel(c->q);
  return NULL;
}

static void test_limits(void)
{
  kg_db *db = slow_db();
  /* a deadline stops the query inside its evaluation, promptly */
  kg_limits lim = {0, 200, 0};
  CHECK(kg_db_set_limits(db, &lim) == KG_OK);
  kg_query *q = NULL;
  uint64_t t0 = mono_ms();
  CHECK(kg_query_prepare(db, slow_query, sizeof slow_query - 1, NULL, &q) ==
        KG_OK);
  CHECK(kg_query_step(q) == KG_ERR_LIMIT);
  uint64_t took = mono_ms() - t0;
  CHECK(took >= 200 && took < 200 + 250);
  CHECK(strcmp(kg_errmsg(db), "query timed out after 200 ms") == 0);
  kg_query_finalize(q);
  /* the database stays usable */
  lim.timeout_ms = 0;
  CHECK(kg_db_set_limits(db, &lim) == KG_OK);
  CHECK(count_rows(db, "SELECT * { ?s ?p 5 }") == 1);
  /* ORDER BY with LIMIT keeps only the first rows while it reads */
  const char *top = "SELECT ?x { ?s ?p ?x } ORDER BY DESC(?x) LIMIT 3 OFFSET 1";
  CHECK(kg_query_prepare(db, top, strlen(top), NULL, &q) == KG_OK);
  static const char *const want[] = {"1998", "1997", "1996"};
  for (int i = 0; i < 3; i++) {
    CHECK(kg_query_step(q) == KG_ROW);
    const kg_term *v = kg_query_value(q, 0);
    CHECK(v && strcmp(v->value, want[i]) == 0);
  }
  CHECK(kg_query_step(q) == KG_DONE);
  kg_query_finalize(q);
  /* cancel from another thread */
  CHECK(kg_query_prepare(db, slow_query, sizeof slow_query - 1, NULL, &q) ==
        KG_OK);
  canceller c = {q, 0};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, cancel_later, &c) == 0);
  CHECK(kg_query_step(q) == KG_ERR_LIMIT);
  uint64_t stopped = mono_ms();
  pthread_join(th, NULL);
  CHECK(stopped - c.at < 250);
  CHECK(strcmp(kg_errmsg(db), "query interrupted") == 0);
  kg_query_finalize(q);
  /* an update past its deadline changes nothing */
  lim.timeout_ms = 100;
  CHECK(kg_db_set_limits(db, &lim) == KG_OK);
  const char *r = "INSERT { ?a <http://e/r> ?b } WHERE { ?a ?p ?x . ?b ?q ?y }";
  CHECK(kg_db_update(db, r, strlen(r), NULL, NULL, NULL) == KG_ERR_LIMIT);
  lim.timeout_ms = 0;
  CHECK(kg_db_set_limits(db, &lim) == KG_OK);
  CHECK(count_rows(db, "SELECT * { ?s <http://e/r> ?o }") == 0);
  CHECK(kg_db_close(db) == KG_OK);
}

int main(void)
{
  CHECK(kg__memory_store_open(&store) == KG_OK);
  test_parser();
  test_syntax_errors();
  test_expressions();
  test_iri();
  test_evaluation();
  test_update_api();
  test_describe();
  test_limits();
  store->ops->close(store);
  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  return 0;
}
