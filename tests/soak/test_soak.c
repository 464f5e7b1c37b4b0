/* Memory hygiene over a long run: QUERIES queries (good ones of every
 * kind, syntax errors, refusals, limits reached) and LOADS failed loads
 * (Turtle, N-Triples, TriG, RDF/XML through Raptor) in one process, with
 * updates and exports between them. After a warm-up, resident memory may
 * grow by less than 1 MB over the whole run.
 *
 * Usage: test_soak [QUERIES LOADS [--no-rss]]  (default 100000 10000).
 * --no-rss skips the memory check, for runs under valgrind or a sanitizer,
 * whose own bookkeeping grows (they check for leaks themselves). */
#undef NDEBUG
#include <kgraph.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAIL(...)                                                              \
  do {                                                                         \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    exit(1);                                                                   \
  } while (0)

static const char data_ttl[] =
    "@prefix ex: <http://example.org/> .\n"
    "ex:alice ex:name \"Alice\" ; ex:age 30 ; ex:knows ex:bob, _:c .\n"
    "ex:bob ex:name \"Bob\"@en ; ex:age 25 ; ex:knows _:c .\n"
    "_:c ex:name \"C\\u00E9sar\" ; ex:age 35 ; ex:knows ex:alice .\n";

/* Queries and the status kg_query_write() must end with. */
static const struct {
  const char *text;
  kg_status want;
} queries[] = {
    {"SELECT ?n WHERE { ?p ex:name ?n } ORDER BY ?n", KG_OK},
    {"SELECT ?p (COUNT(*) AS ?c) WHERE { ?p ex:knows ?f } GROUP BY ?p", KG_OK},
    {"ASK { ex:bob ex:knows ?x }", KG_OK},
    {"CONSTRUCT { ?b ex:knownBy ?a } WHERE { ?a ex:knows ?b }", KG_OK},
    {"DESCRIBE ex:alice", KG_OK},
    {"SELECT ?x WHERE { ex:alice ex:knows+ ?x }", KG_OK},
    {"SELECT (GROUP_CONCAT(?n; SEPARATOR=\",\") AS ?all) WHERE { ?p ex:name "
     "?n }",
     KG_OK},
    {"SELECT ?n WHERE { ?p ex:name ?n FILTER REGEX(?n, \"^(a|b)\", \"i\") }",
     KG_OK},
    {"SELECT (CONCAT(UCASE(?n), STR(?a)) AS ?s) (SHA256(?n) AS ?h) WHERE { "
     "?p ex:name ?n ; ex:age ?a }",
     KG_OK},
    {"SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", KG_ERR_LIMIT},
    {"SELECT * WHERE { ?a ex:name ?n OPTIONAL { ?a ex:age ?x } MINUS { ?a "
     "ex:age 30 } } LIMIT 2",
     KG_OK},
    {"SELECT * WHERE { ?s ?p", KG_ERR_PARSE},
    {"SELECT ?x WHERE { ?x ex:p \"unterminated }", KG_ERR_PARSE},
    {"SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
     KG_ERR_DENIED},
    {"SELECT (1/0 AS ?x) (xsd:integer(\"x\") AS ?y) WHERE {}", KG_OK},
};
#define NQUERIES (sizeof queries / sizeof *queries)

/* Loads that fail, each in its format. */
static const struct {
  kg_format format;
  const char *text;
} bad[] = {
    {KG_FORMAT_TURTLE, "@prefix ex: <http://example.org/> .\nex:a ex:b .\n"},
    {KG_FORMAT_TURTLE, "<http://e/a> <http://e/p> \"caf\xc3\" .\n"},
    {KG_FORMAT_TURTLE, "@prefix : <http://e/> . :a :b [ :c ( 1 2 \n"},
    {KG_FORMAT_NTRIPLES, "<http://e/a> <http://e/p> <http://e/o> <x> .\n"},
    {KG_FORMAT_NQUADS, "<http://e/a> <http://e/p> \"x\"@ .\n"},
    {KG_FORMAT_TRIG, "<http://e/g> { <http://e/a> <http://e/p> 1 \n"},
    {KG_FORMAT_RDFXML,
     "<?xml version=\"1.0\"?>\n<rdf:RDF "
     "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
     "xmlns:ex=\"http://example.org/\">\n<rdf:Description "
     "rdf:about=\"http://e/a\"><ex:p rdf:resource=\"http://e/b\">x</ex:p>"
     "</rdf:Description>\n"},
    {KG_FORMAT_RDFXML, "<?xml version=\"1.0\"?>\n<rdf:RDF "
                       "xmlns:rdf=\"http://www.w3.org/1999/02/"
                       "22-rdf-syntax-ns#\"><rdf:Description "
                       "rdf:ID=\"1bad\"/></rdf:RDF>\n"},
    {KG_FORMAT_RDFXML, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [ <!ENTITY % p "
                       "\"x\"> %p; ]><r/>\n"},
};
#define NBAD (sizeof bad / sizeof *bad)

static size_t null_sink(const void *p, size_t n, void *ctx)
{
  (void)p;
  (void)ctx;
  return n;
}

/* Resident memory in bytes. */
static long rss(void)
{
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0;
  long resident = 0;
  if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) {
    FAIL("cannot read /proc/self/statm");
  }
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

static void run(kg_db *db, long nq, long nl, long base)
{
  long per = nl ? nq / nl : nq + 1; /* queries per failed load */
  for (long i = 0; i < nq || (nl && i / per < nl); i++) {
    if (i < nq) {
      size_t k = (size_t)(i + base) % NQUERIES;
      char text[1024];
      snprintf(text, sizeof text,
               "PREFIX ex: <http://example.org/> PREFIX xsd: "
               "<http://www.w3.org/2001/XMLSchema#> %s",
               queries[k].text);
      kg_query *q = NULL;
      kg_status st = kg_query_prepare(db, text, strlen(text), NULL, &q);
      if (st == KG_OK) {
        st = kg_query_write(q, (kg_results_format)(1 + (i + base) % 5),
                            (kg_format)(1 + (i + base) % 6), null_sink, NULL);
      }
      kg_query_finalize(q);
      if (st != queries[k].want) {
        FAIL("query %zu: %s (%s)", k, kg_strstatus(st), kg_errmsg(db));
      }
    }
    if (nl && i % per == 0 && i / per < nl) {
      size_t k = (size_t)(i / per + base) % NBAD;
      kg_status st = kg_db_load_string(db, bad[k].text, strlen(bad[k].text),
                                       bad[k].format, "bad", NULL, NULL, NULL);
      if (st != KG_ERR_PARSE) {
        FAIL("bad load %zu: %s (%s)", k, kg_strstatus(st), kg_errmsg(db));
      }
    }
    if (i % 1000 == 500) {
      /* an update that adds and removes the same statement, an export */
      static const char up[] =
          "INSERT DATA { <http://e/t> <http://e/p> 1 } ; DELETE DATA { "
          "<http://e/t> <http://e/p> 1 }";
      if (kg_db_update(db, up, strlen(up), NULL, NULL, NULL) != KG_OK ||
          kg_db_export(db, KG_FORMAT_TRIG, NULL, null_sink, NULL) != KG_OK) {
        FAIL("update or export: %s", kg_errmsg(db));
      }
    }
  }
}

int main(int argc, char **argv)
{
  long nq = argc > 2 ? strtol(argv[1], NULL, 10) : 100000;
  long nl = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
  int check_rss = !(argc > 3 && strcmp(argv[3], "--no-rss") == 0);

  kg_db *db = NULL;
  if (kg_db_open(":memory:", 0, NULL, &db) != KG_OK) {
    FAIL("open");
  }
  if (kg_db_load_string(db, data_ttl, strlen(data_ttl), KG_FORMAT_TURTLE,
                        "data.ttl", NULL, NULL, NULL) != KG_OK) {
    FAIL("load: %s", kg_errmsg(db));
  }
  kg_limits limits = {50, 0, 0};
  kg_db_set_limits(db, &limits);

  struct timespec t0;
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  run(db, nq / 20, nl / 20, 0); /* warm-up: caches and allocator settle */
  long before = rss();
  run(db, nq, nl, 7);
  long after = rss();
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (kg_db_close(db) != KG_OK) {
    FAIL("close");
  }
  double secs =
      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%ld queries and %ld failed loads after a warm-up of %ld and %ld: "
         "resident %ld KB -> %ld KB (%+ld KB), %.1f s\n",
         nq, nl, nq / 20, nl / 20, before / 1024, after / 1024,
         (after - before) / 1024, secs);
  if (check_rss && after - before >= 1024 * 1024) {
    FAIL("resident memory grew by %ld KB", (after - before) / 1024);
  }
  return 0;
}
