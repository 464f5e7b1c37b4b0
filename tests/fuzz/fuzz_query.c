/* Fuzz SPARQL queries: prepare and run to the end against a small store
 * loaded once from a fixed Turtle document, with a row cap and a deadline.
 * The first row is read through kg_query_step() and the typed accessors;
 * the rest is written with kg_query_write() in a format picked by the
 * input's length.
 *
 * Checks: no crash, leak or sanitizer report; every status is one the API
 * documents for the call, with a one-line message; values are well formed
 * terms. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char data_ttl[] =
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
    "ex:alice a foaf:Person ; foaf:name \"Alice\" ; foaf:age 30 ;\n"
    "  foaf:knows ex:bob, _:c .\n"
    "ex:bob a foaf:Person ; foaf:name \"Bob\"@en, \"Robert\"@fr ;\n"
    "  foaf:age \"41\"^^xsd:integer ; ex:height 1.85 ;\n"
    "  ex:born \"1983-04-01\"^^xsd:date .\n"
    "_:c a ex:Robot ; foaf:name \"C\\u00E9sar \\u2603\" ; ex:score 2.5e3 ;\n"
    "  ex:ok true ; ex:note \"\"\"two\nlines\"\"\" .\n"
    "ex:Robot rdfs:subClassOf foaf:Agent .\n"
    "foaf:Person rdfs:subClassOf foaf:Agent .\n"
    "ex:list ex:items ( 1 2 \"three\" ) .\n"
    "ex:bad ex:value \"abc\"^^xsd:integer ;\n"
    "  ex:when \"2024-02-29T10:00:00Z\"^^xsd:dateTime ;\n"
    "  ex:nul \"a\\u0000b\" .\n";

static const char graph_ttl[] = "@prefix ex: <http://example.org/> .\n"
                                "ex:alice ex:says \"hello\" ; ex:weight -12 .\n"
                                "ex:bob ex:says \"bye\"@en-GB .\n";

static kg_db *db;

static void load(const char *text, const char *graph)
{
  kg_status st = kg_db_load_string(db, text, strlen(text), KG_FORMAT_TURTLE,
                                   "fixture.ttl", NULL, graph, NULL);
  if (st != KG_OK) {
    fuzz_fail("fixture: %s", kg_errmsg(db));
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  db = fuzz_open_memory();
  load(data_ttl, NULL);
  load(graph_ttl, "http://example.org/g1");
  kg_limits limits = {1000, 1000, 0};
  kg_db_set_limits(db, &limits);
  return 0;
}

static void check_term(const kg_term *t, const char *what)
{
  if (!t) {
    return;
  }
  if (t->kind != KG_TERM_IRI && t->kind != KG_TERM_BLANK &&
      t->kind != KG_TERM_LITERAL) {
    fuzz_fail("%s: term of kind %d", what, (int)t->kind);
  }
  if (!t->value || t->value[t->value_len] != '\0') {
    fuzz_fail("%s: value not terminated at value_len", what);
  }
  if (t->kind != KG_TERM_LITERAL && (t->datatype || t->lang)) {
    fuzz_fail("%s: a non-literal with a datatype or language", what);
  }
  if (t->datatype && t->lang) {
    fuzz_fail("%s: a literal with both a datatype and a language", what);
  }
  /* Touch every byte, so that the sanitizers see stale memory. */
  volatile unsigned sum = 0;
  for (size_t i = 0; i < t->value_len; i++) {
    sum += (unsigned char)t->value[i];
  }
  sum += t->datatype ? (unsigned)strlen(t->datatype) : 0;
  sum += t->lang ? (unsigned)strlen(t->lang) : 0;
  (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  kg_query *q = NULL;
  kg_status st = kg_query_prepare(db, (const char *)data, size, NULL, &q);
  fuzz_check(db, st, "prepare", KG_OK, KG_ERR_PARSE, KG_ERR_DENIED,
             KG_ERR_QUERY, -1);
  if (st != KG_OK) {
    if (q) {
      fuzz_fail("prepare failed but gave a query");
    }
    return 0;
  }
  kg_query_kind kind = kg_query_kind_of(q);
  size_t ncols = kg_query_column_count(q);
  for (size_t i = 0; i < ncols; i++) {
    const char *name = kg_query_column_name(q, i);
    if (!name) {
      fuzz_fail("column %zu has no name", i);
    }
  }
  st = kg_query_step(q);
  fuzz_check(db, st, "step", KG_ROW, KG_DONE, KG_ERR_QUERY, KG_ERR_LIMIT, -1);
  if (st == KG_ROW) {
    if (kind == KG_QUERY_SELECT) {
      for (size_t i = 0; i < ncols; i++) {
        check_term(kg_query_value(q, i), "value");
      }
    } else if (kind == KG_QUERY_CONSTRUCT || kind == KG_QUERY_DESCRIBE) {
      const kg_term *t[3] = {NULL, NULL, NULL};
      if (kg_query_triple(q, &t[0], &t[1], &t[2]) != KG_OK) {
        fuzz_fail("no triple after KG_ROW");
      }
      for (int i = 0; i < 3; i++) {
        if (!t[i]) {
          fuzz_fail("triple without its term %d", i);
        }
        check_term(t[i], "triple");
      }
    }
  }
  if (st == KG_ROW && kind != KG_QUERY_ASK) {
    fuzz_buf out = {0};
    kg_results_format rf = (kg_results_format)(KG_RESULTS_JSON + size % 5);
    kg_format gf = (kg_format)(KG_FORMAT_TURTLE + size % 6);
    st = kg_query_write(q, rf, gf, fuzz_buf_sink, &out);
    /* KG_ERR_ARG: a value the format cannot hold (RDF/XML, CSV). */
    fuzz_check(db, st, "write", KG_OK, KG_ERR_QUERY, KG_ERR_LIMIT, KG_ERR_ARG,
               -1);
    if (!fuzz_utf8_valid(out.data, out.len)) {
      fuzz_fail("write: output is not valid UTF-8");
    }
    fuzz_buf_free(&out);
  }
  kg_query_finalize(q);
  return 0;
}
