/* SPARQL result writers: byte-exact golden output for every format, error
 * handling (refused characters in XML, failing sinks, bad arguments).
 *
 * Golden files are tests/golden/results/<case>.<ext> with ext srj, srx,
 * csv, tsv, txt. Run with a directory argument to write the current output
 * there instead of comparing (for review, never to overwrite blindly). */
#undef NDEBUG
#include "io/io.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KG_TEST_DIR
#  define KG_TEST_DIR "tests"
#endif

#define XSD "http://www.w3.org/2001/XMLSchema#"

static int failures = 0;
static const char *write_dir = NULL;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

/* ---- sinks ---- */

static size_t buf_sink(const void *data, size_t len, void *ctx)
{
  kg__buf_append(ctx, data, len);
  return len;
}

/* Accepts `limit` bytes in all, then fails. */
typedef struct limited {
  kg__buf buf;
  size_t limit;
} limited;

static size_t limited_sink(const void *data, size_t len, void *ctx)
{
  limited *l = ctx;
  if (l->buf.len + len > l->limit) {
    return 0;
  }
  kg__buf_append(&l->buf, data, len);
  return len;
}

/* ---- terms ---- */

static kg_term iri(const char *v)
{
  kg_term t = {KG_TERM_IRI, v, strlen(v), NULL, NULL};
  return t;
}

static kg_term bnode(const char *v)
{
  kg_term t = {KG_TERM_BLANK, v, strlen(v), NULL, NULL};
  return t;
}

static kg_term lit(const char *v, const char *dt, const char *lang)
{
  kg_term t = {KG_TERM_LITERAL, v, strlen(v), dt, lang};
  return t;
}

/* ---- cases ---- */

typedef struct rcase {
  const char *name;
  size_t ncols;
  const char *const *vars;
  size_t nrows;
  const kg_term *const *cells; /* nrows * ncols; NULL = unbound */
  int ask;                     /* -1: SELECT; 0/1: ASK false/true */
  int no_xml;                  /* holds characters XML 1.0 cannot carry */
} rcase;

static const struct {
  kg_results_format format;
  const char *ext;
} formats[] = {
    {KG_RESULTS_JSON, "srj"},  {KG_RESULTS_XML, "srx"},
    {KG_RESULTS_CSV, "csv"},   {KG_RESULTS_TSV, "tsv"},
    {KG_RESULTS_TABLE, "txt"},
};

static kg_status run_case(const rcase *c, kg_results_format f, kg__buf *out)
{
  kg__out o = {buf_sink, out, false};
  if (c->ask >= 0) {
    return kg__results_boolean(f, &o, c->ask);
  }
  kg__results_writer *w = NULL;
  kg_status st = kg__results_begin(f, &o, c->ncols, c->vars, &w);
  if (st != KG_OK) {
    CHECK(w == NULL);
    return st;
  }
  for (size_t r = 0; r < c->nrows; r++) {
    st = kg__results_row(w, c->cells ? c->cells + r * c->ncols : NULL);
    if (st != KG_OK) {
      kg__results_abort(w);
      return st;
    }
  }
  return kg__results_end(w);
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

static void report_diff(const char *path,
                        const kg__buf *got,
                        const char *exp,
                        size_t explen)
{
  size_t i = 0;
  while (i < got->len && i < explen && got->data[i] == exp[i]) {
    i++;
  }
  fprintf(stderr, "%s: differs at byte %zu (got %zu bytes, want %zu)\n", path,
          i, got->len, explen);
  fprintf(stderr, "--- got:\n%.*s\n---\n", (int)got->len,
          got->data ? got->data : "");
}

static void check_case(const rcase *c)
{
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    kg__buf got = {0};
    kg_status st = run_case(c, formats[i].format, &got);
    if (formats[i].format == KG_RESULTS_XML && c->no_xml) {
      CHECK(st == KG_ERR_ARG);
      kg__buf_free(&got);
      continue;
    }
    CHECK(st == KG_OK);
    CHECK(!got.failed);
    char path[512];
    if (write_dir) {
      snprintf(path, sizeof path, "%s/%s.%s", write_dir, c->name,
               formats[i].ext);
      FILE *f = fopen(path, "wb");
      assert(f);
      fwrite(got.data ? got.data : "", 1, got.len, f);
      fclose(f);
    } else {
      snprintf(path, sizeof path, "%s/golden/results/%s.%s", KG_TEST_DIR,
               c->name, formats[i].ext);
      size_t explen = 0;
      char *exp = read_file(path, &explen);
      if (!exp) {
        fprintf(stderr, "%s: cannot read\n", path);
        failures++;
      } else if (explen != got.len ||
                 (explen && memcmp(exp, got.data, explen) != 0)) {
        report_diff(path, &got, exp, explen);
        failures++;
      }
      free(exp);
    }
    kg__buf_free(&got);
  }
}

static void golden_cases(void)
{
  /* rows with every kind of term, unbound values and text to escape */
  static const char *const vars[] = {"s", "label", "n", "note"};
  kg_term alice = iri("http://example.org/alice");
  kg_term amp = iri("http://example.org/q?a=1&b=2");
  kg_term b0 = bnode("b0");
  kg_term s5 = iri("http://example.org/s5");
  kg_term alice_en = lit("Alice", NULL, "en");
  kg_term vucic = lit("Vu\xC4\x8Di\xC4\x87", NULL, "sr-Latn");
  kg_term n42 = lit("42", XSD "integer", NULL);
  kg_term pi = lit("3.14", XSD "decimal", NULL);
  kg_term big = lit("1.0E6", XSD "double", NULL);
  kg_term bad_int = lit("forty", XSD "integer", NULL);
  kg_term yes = lit("true", XSD "boolean", NULL);
  kg_term escapes = lit("say \"hi\", then\nleave\tnow \\ ok", NULL, NULL);
  kg_term custom = lit("x<y & z>", "http://example.org/dt", NULL);
  kg_term padded = lit(" padded ", NULL, NULL);
  kg_term str1 = lit("1", XSD "string", NULL);
  kg_term crlf = lit("a\r\nb", NULL, NULL);
  const kg_term *cells[] = {
      &alice, &alice_en, &n42,     NULL,     /* unbound last */
      &b0,    &vucic,    &pi,      &escapes, /* escapes */
      &amp,   NULL,      &big,     &custom,  /* '&', custom datatype */
      NULL,   NULL,      NULL,     NULL,     /* nothing bound */
      &s5,    &padded,   &bad_int, &yes,     /* spaces; ill-typed; bool */
      &s5,    &str1,     NULL,     &crlf,    /* xsd:string; CR LF */
  };
  rcase select = {"select", 4, vars, 6, cells, -1, 0};
  check_case(&select);

  /* zero rows */
  static const char *const vars2[] = {"s", "o"};
  rcase empty = {"empty", 2, vars2, 0, NULL, -1, 0};
  check_case(&empty);

  /* one row, one column (singular row count) */
  static const char *const vars1[] = {"x"};
  const kg_term *one[] = {&vucic};
  rcase single = {"single", 1, vars1, 1, one, -1, 0};
  check_case(&single);

  /* no variables: no rows, and the one empty row of SELECT * {} */
  rcase novars = {"novars", 0, NULL, 0, NULL, -1, 0};
  check_case(&novars);
  rcase unit = {"unit", 0, NULL, 1, NULL, -1, 0};
  check_case(&unit);

  rcase ask_true = {"ask_true", 0, NULL, 0, NULL, 1, 0};
  rcase ask_false = {"ask_false", 0, NULL, 0, NULL, 0, 0};
  check_case(&ask_true);
  check_case(&ask_false);

  /* characters XML 1.0 cannot carry: NUL inside a value, other controls */
  static const char nul_value[] = "a\0b\x01"
                                  "c\x7F";
  kg_term nul = {KG_TERM_LITERAL, nul_value, sizeof nul_value - 1, NULL, NULL};
  kg_term ctl_iri = iri("http://example.org/\x1F");
  static const char *const vars3[] = {"v", "i"};
  const kg_term *ctl[] = {&nul, &ctl_iri};
  rcase controls = {"controls", 2, vars3, 1, ctl, -1, 1};
  check_case(&controls);
}

/* ---- XML refuses what it cannot carry ---- */

static void xml_refusal(void)
{
  static const char *const vars[] = {"v"};
  kg_term ok = lit("fine", NULL, NULL);
  static const char nul_value[] = "a\0b";
  kg_term nul = {KG_TERM_LITERAL, nul_value, 3, NULL, NULL};
  kg_term ctl_lang = lit("x", NULL, "en\x01");
  kg_term ffff = lit("\xEF\xBF\xBF", NULL, NULL);
  kg_term fffe = iri("http://example.org/\xEF\xBF\xBE");
  /* (a blank node's label never reaches the output: result documents
   * number their blank nodes b0, b1, ...) */
  const kg_term *bad[] = {&nul, &ctl_lang, &ffff, &fffe};
  const char head[] = "<?xml version=\"1.0\"?>\n"
                      "<sparql xmlns=\"http://www.w3.org/2005/sparql-"
                      "results#\">\n"
                      "  <head>\n"
                      "    <variable name=\"v\"/>\n"
                      "  </head>\n"
                      "  <results>\n"
                      "    <result>\n"
                      "      <binding name=\"v\"><literal>fine</literal>"
                      "</binding>\n"
                      "    </result>\n";
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    kg__buf got = {0};
    kg__out o = {buf_sink, &got, false};
    kg__results_writer *w = NULL;
    CHECK(kg__results_begin(KG_RESULTS_XML, &o, 1, vars, &w) == KG_OK);
    const kg_term *r1[] = {&ok};
    const kg_term *r2[] = {bad[i]};
    CHECK(kg__results_row(w, r1) == KG_OK);
    CHECK(kg__results_row(w, r2) == KG_ERR_ARG);
    /* the writer stays failed and does not finish the document */
    CHECK(kg__results_row(w, r1) == KG_ERR_ARG);
    CHECK(kg__results_end(w) == KG_ERR_ARG);
    CHECK(got.len == sizeof head - 1 && !memcmp(got.data, head, got.len));
    kg__buf_free(&got);
  }

  /* a variable name XML cannot carry: nothing written, no writer */
  static const char *const badvars[] = {"ok", "x\x02"};
  kg__buf got = {0};
  kg__out o = {buf_sink, &got, false};
  kg__results_writer *w = (kg__results_writer *)&got;
  CHECK(kg__results_begin(KG_RESULTS_XML, &o, 2, badvars, &w) == KG_ERR_ARG);
  CHECK(w == NULL);
  CHECK(got.len == 0);
  /* the other formats take it */
  CHECK(kg__results_begin(KG_RESULTS_JSON, &o, 2, badvars, &w) == KG_OK);
  kg__results_abort(w);
  CHECK(!strcmp(got.data, "{\n  \"head\": {\"vars\": [\"ok\", \"x\\u0002\"]},\n"
                          "  \"results\": {\n    \"bindings\": ["));
  kg__buf_free(&got);
}

/* ---- a failing sink gives KG_ERR_IO ---- */

static void io_errors(void)
{
  static const char *const vars[] = {"v"};
  kg_term t = lit("value", NULL, NULL);
  const kg_term *row[] = {&t};
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    kg_results_format f = formats[i].format;
    kg__results_writer *w = NULL;

    /* sink already failed */
    kg__out dead = {buf_sink, NULL, true};
    CHECK(kg__results_begin(f, &dead, 1, vars, &w) == KG_ERR_IO);
    CHECK(w == NULL);
    CHECK(kg__results_boolean(f, &dead, 1) == KG_ERR_IO);

    /* sink refuses everything */
    limited none = {{0}, 0};
    kg__out o0 = {limited_sink, &none, false};
    kg_status st = kg__results_begin(f, &o0, 1, vars, &w);
    if (f == KG_RESULTS_TABLE) {
      /* nothing written before the end */
      CHECK(st == KG_OK);
      CHECK(kg__results_row(w, row) == KG_OK);
      CHECK(kg__results_end(w) == KG_ERR_IO);
    } else {
      CHECK(st == KG_ERR_IO);
      CHECK(w == NULL);
    }
    CHECK(kg__results_boolean(f, &o0, 0) == KG_ERR_IO);

    /* sink fails after the header: rows fail and the failure sticks */
    kg__buf hb = {0};
    kg__out ho = {buf_sink, &hb, false};
    CHECK(kg__results_begin(f, &ho, 1, vars, &w) == KG_OK);
    kg__results_abort(w);
    limited some = {{0}, hb.len};
    kg__buf_free(&hb);
    kg__out o1 = {limited_sink, &some, false};
    CHECK(kg__results_begin(f, &o1, 1, vars, &w) == KG_OK);
    if (f == KG_RESULTS_TABLE) {
      CHECK(kg__results_row(w, row) == KG_OK);
      CHECK(kg__results_end(w) == KG_ERR_IO);
    } else {
      CHECK(kg__results_row(w, row) == KG_ERR_IO);
      CHECK(kg__results_row(w, row) == KG_ERR_IO);
      CHECK(kg__results_end(w) == KG_ERR_IO);
    }
    kg__buf_free(&none.buf);
    kg__buf_free(&some.buf);
  }
}

/* ---- misuse ---- */

static void bad_arguments(void)
{
  static const char *const vars[] = {"v"};
  static const char *const nullvar[] = {"v", NULL};
  kg__buf got = {0};
  kg__out o = {buf_sink, &got, false};
  kg__results_writer *w = NULL;

  CHECK(kg__results_begin((kg_results_format)0, &o, 1, vars, &w) == KG_ERR_ARG);
  CHECK(kg__results_begin((kg_results_format)99, &o, 1, vars, &w) ==
        KG_ERR_ARG);
  CHECK(kg__results_begin(KG_RESULTS_JSON, NULL, 1, vars, &w) == KG_ERR_ARG);
  CHECK(kg__results_begin(KG_RESULTS_JSON, &o, 1, NULL, &w) == KG_ERR_ARG);
  CHECK(kg__results_begin(KG_RESULTS_JSON, &o, 2, nullvar, &w) == KG_ERR_ARG);
  CHECK(kg__results_begin(KG_RESULTS_JSON, &o, 1, vars, NULL) == KG_ERR_ARG);
  CHECK(kg__results_boolean((kg_results_format)42, &o, 1) == KG_ERR_ARG);
  CHECK(kg__results_boolean(KG_RESULTS_CSV, NULL, 1) == KG_ERR_ARG);
  CHECK(got.len == 0);

  CHECK(kg__results_row(NULL, NULL) == KG_ERR_ARG);
  CHECK(kg__results_end(NULL) == KG_OK);
  kg__results_abort(NULL);

  /* a term of no known kind, or with a length but no bytes */
  kg_term odd = {(kg_term_kind)7, "x", 1, NULL, NULL};
  kg_term hollow = {KG_TERM_LITERAL, NULL, 3, NULL, NULL};
  const kg_term *r1[] = {&odd};
  const kg_term *r2[] = {&hollow};
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    CHECK(kg__results_begin(formats[i].format, &o, 1, vars, &w) == KG_OK);
    CHECK(kg__results_row(w, NULL) == KG_ERR_ARG);
    kg__results_abort(w);
    CHECK(kg__results_begin(formats[i].format, &o, 1, vars, &w) == KG_OK);
    CHECK(kg__results_row(w, r1) == KG_ERR_ARG);
    kg__results_abort(w);
    CHECK(kg__results_begin(formats[i].format, &o, 1, vars, &w) == KG_OK);
    CHECK(kg__results_row(w, r2) == KG_ERR_ARG);
    CHECK(kg__results_end(w) == KG_ERR_ARG);
  }
  kg__buf_free(&got);

  /* an empty value with no bytes is the empty string */
  kg_term empty = {KG_TERM_LITERAL, NULL, 0, NULL, NULL};
  const kg_term *r3[] = {&empty};
  kg__buf b = {0};
  kg__out ob = {buf_sink, &b, false};
  CHECK(kg__results_begin(KG_RESULTS_TSV, &ob, 1, vars, &w) == KG_OK);
  CHECK(kg__results_row(w, r3) == KG_OK);
  CHECK(kg__results_end(w) == KG_OK);
  CHECK(!strcmp(b.data, "?v\n\"\"\n"));
  kg__buf_free(&b);
}

/* ---- one value in one format ---- */

static char *one_value(kg_results_format f, const kg_term *t)
{
  static const char *const vars[] = {"v"};
  kg__buf b = {0};
  kg__out o = {buf_sink, &b, false};
  kg__results_writer *w = NULL;
  const kg_term *row[] = {t};
  CHECK(kg__results_begin(f, &o, 1, vars, &w) == KG_OK);
  kg__buf_free(&b); /* keep only the row's own text */
  CHECK(kg__results_row(w, row) == KG_OK);
  char *s = kg__buf_take(&b);
  assert(s);
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) {
    s[--n] = '\0';
  }
  kg__results_abort(w);
  return s;
}

/* TSV writes numbers and booleans bare exactly when Turtle would read
 * the same lexical form back as a token of that datatype. */
static void tsv_bare_tokens(void)
{
  static const struct {
    const char *dt;
    const char *lex;
    int bare;
  } cases[] = {
      {XSD "integer", "0", 1},
      {XSD "integer", "-12", 1},
      {XSD "integer", "+007", 1},
      {XSD "integer", "", 0},
      {XSD "integer", "+", 0},
      {XSD "integer", "1.0", 0},
      {XSD "integer", " 1", 0},
      {XSD "integer", "1e3", 0},
      {XSD "decimal", "1.5", 1},
      {XSD "decimal", "-.5", 1},
      {XSD "decimal", "+0.0", 1},
      {XSD "decimal", "1.", 0},
      {XSD "decimal", "5", 0},
      {XSD "decimal", ".", 0},
      {XSD "decimal", "1.5e2", 0},
      {XSD "double", "1.0E6", 1},
      {XSD "double", "1e-7", 1},
      {XSD "double", "-.5E+3", 1},
      {XSD "double", "2.e0", 1},
      {XSD "double", "1.5", 0},
      {XSD "double", "INF", 0},
      {XSD "double", "NaN", 0},
      {XSD "double", "1e", 0},
      {XSD "double", ".e1", 0},
      {XSD "double", "e1", 0},
      {XSD "boolean", "true", 1},
      {XSD "boolean", "false", 1},
      {XSD "boolean", "1", 0},
      {XSD "boolean", "TRUE", 0},
      {XSD "int", "5", 0},
      {XSD "float", "1.0E6", 0},
      {XSD "nonNegativeInteger", "5", 0},
      {"http://example.org/integer", "5", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    kg_term t = lit(cases[i].lex, cases[i].dt, NULL);
    char *got = one_value(KG_RESULTS_TSV, &t);
    kg__buf want = {0};
    if (cases[i].bare) {
      kg__buf_puts(&want, cases[i].lex);
    } else {
      kg__buf_printf(&want, "\"%s\"^^<%s>", cases[i].lex, cases[i].dt);
    }
    if (strcmp(got, want.data) != 0) {
      fprintf(stderr, "tsv %s %s: got %s\n", cases[i].lex, cases[i].dt, got);
      failures++;
    }
    free(got);
    kg__buf_free(&want);
  }
}

/* Bytes that are not UTF-8 become U+FFFD in every format. */
static void invalid_utf8(void)
{
  kg_term t = lit("a\xFF"
                  "b\xC3",
                  NULL, NULL);
  char *s = one_value(KG_RESULTS_JSON, &t);
  CHECK(!strcmp(s, "\n      {\"v\": {\"type\": \"literal\", \"value\": "
                   "\"a\xEF\xBF\xBD"
                   "b\xEF\xBF\xBD\"}}"));
  free(s);
  s = one_value(KG_RESULTS_CSV, &t);
  CHECK(!strcmp(s, "a\xEF\xBF\xBD"
                   "b\xEF\xBF\xBD"));
  free(s);
  s = one_value(KG_RESULTS_TSV, &t);
  CHECK(!strcmp(s, "\"a\xEF\xBF\xBD"
                   "b\xEF\xBF\xBD\""));
  free(s);
  s = one_value(KG_RESULTS_XML, &t);
  CHECK(strstr(s, "<literal>a\xEF\xBF\xBD"
                  "b\xEF\xBF\xBD</literal>"));
  free(s);

  /* TSV: characters IRIREF forbids are escaped; the language tag wins
   * over a datatype */
  kg_term odd = iri("http://example.org/a b<c>\"{|}^`\\");
  s = one_value(KG_RESULTS_TSV, &odd);
  CHECK(!strcmp(s, "<http://example.org/a\\u0020b\\u003Cc\\u003E\\u0022"
                   "\\u007B\\u007C\\u007D\\u005E\\u0060\\u005C>"));
  free(s);
  kg_term both = lit("chat",
                     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                     "langString",
                     "fr");
  s = one_value(KG_RESULTS_TSV, &both);
  CHECK(!strcmp(s, "\"chat\"@fr"));
  free(s);
  s = one_value(KG_RESULTS_JSON, &both);
  CHECK(strstr(s, "\"xml:lang\": \"fr\"}") && !strstr(s, "datatype"));
  free(s);
  /* XML: CR survives as a character reference; attributes keep tabs */
  kg_term cr = lit("a\rb", "http://example.org/t\tu", NULL);
  s = one_value(KG_RESULTS_XML, &cr);
  CHECK(strstr(s, "<literal datatype=\"http://example.org/t&#9;u\">"
                  "a&#13;b</literal>"));
  free(s);
}

int main(int argc, char **argv)
{
  if (argc > 1) {
    write_dir = argv[1];
  }
  golden_cases();
  if (!write_dir) {
    xml_refusal();
    io_errors();
    bad_arguments();
    tsv_bare_tokens();
    invalid_utf8();
  }
  if (failures) {
    fprintf(stderr, "test_results: %d failed\n", failures);
    return 1;
  }
  return 0;
}
