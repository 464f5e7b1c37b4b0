/* The thread contract of kgraph.h: one kg_db (and what is made from it)
 * per thread at a time; different handles at the same time from different
 * threads; kg_query_cancel() and kg_db_interrupt() from any thread.
 *
 * NTHREADS threads each open their own in-memory database, load the same
 * Turtle, and run NQUERIES queries over it, checking every result byte for
 * byte. Between queries each thread also loads into a second database of
 * its own: RDF/XML (through Raptor and the shared Redland state),
 * N-Triples, and documents with syntax errors, checking counts and
 * messages; and runs SPARQL updates on it. Then pairs of threads stop each
 * other's long queries with kg_query_cancel() and kg_db_interrupt().
 *
 * Usage: test_threads [QUERIES_PER_THREAD]  (default 1000). Run it under
 * ThreadSanitizer too (see docs/testing.md). */
#undef NDEBUG
#include "../buf.h"

#include <kgraph.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NTHREADS 8

static long nqueries = 1000;
static atomic_int failures;

#define FAIL(...)                                                              \
  do {                                                                         \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    atomic_fetch_add(&failures, 1);                                            \
  } while (0)

static const char data_ttl[] =
    "@prefix ex: <http://example.org/> .\n"
    "ex:alice ex:name \"Alice\" ; ex:age 30 ; ex:knows ex:bob, ex:carol .\n"
    "ex:bob ex:name \"Bob\"@en ; ex:age 25 ; ex:knows ex:carol .\n"
    "ex:carol ex:name \"Carol\" ; ex:age 35 ; ex:knows ex:alice .\n"
    "ex:dave ex:name \"Dave\" .\n";

static const char data_rdf[] =
    "<?xml version=\"1.0\"?>\n"
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
    "         xmlns:ex=\"http://example.org/\">\n"
    "  <rdf:Description rdf:about=\"http://example.org/erin\">\n"
    "    <ex:name>Erin</ex:name>\n"
    "    <ex:knows rdf:resource=\"http://example.org/alice\"/>\n"
    "    <ex:age rdf:datatype=\"http://www.w3.org/2001/XMLSchema#integer\">"
    "41</ex:age>\n"
    "  </rdf:Description>\n"
    "</rdf:RDF>\n";

static const char data_nt[] =
    "<http://example.org/frank> <http://example.org/name> \"Frank\" .\n"
    "<http://example.org/frank> <http://example.org/knows> _:x .\n";

static const char bad_ttl[] = "@prefix ex: <http://example.org/> .\n"
                              "ex:a ex:b .\n";

static const char bad_rdf[] =
    "<?xml version=\"1.0\"?>\n"
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
    "  <rdf:Description>\n"
    "</rdf:RDF>\n";

/* Each query with its exact result: TSV for SELECT and ASK, sorted
 * N-Triples for CONSTRUCT. */
static const struct {
  const char *text;
  const char *want;
} queries[] = {
    {"SELECT ?n WHERE { ?p ex:name ?n } ORDER BY STR(?n)",
     "?n\n\"Alice\"\n\"Bob\"@en\n\"Carol\"\n\"Dave\"\n"},
    {"SELECT ?p (COUNT(?f) AS ?c) WHERE { ?p ex:knows ?f } GROUP BY ?p "
     "ORDER BY ?p",
     "?p\t?c\n<http://example.org/alice>\t2\n<http://example.org/bob>\t1\n"
     "<http://example.org/carol>\t1\n"},
    {"ASK { ex:bob ex:knows ex:carol }", "?_askResult\ntrue\n"},
    {"SELECT ?a WHERE { ?a ex:age ?x FILTER(?x > 28) } ORDER BY ?a",
     "?a\n<http://example.org/alice>\n<http://example.org/carol>\n"},
    {"SELECT (SUM(?x) AS ?s) (AVG(?x) AS ?m) WHERE { ?a ex:age ?x }",
     "?s\t?m\n90\t30.0\n"},
    {"SELECT ?x WHERE { ex:alice ex:knows+ ?x } ORDER BY ?x",
     "?x\n<http://example.org/alice>\n<http://example.org/bob>\n"
     "<http://example.org/carol>\n"},
    {"CONSTRUCT { ?b ex:knownBy ?a } WHERE { ?a ex:knows ?b }",
     "<http://example.org/alice> <http://example.org/knownBy> "
     "<http://example.org/carol> .\n"
     "<http://example.org/bob> <http://example.org/knownBy> "
     "<http://example.org/alice> .\n"
     "<http://example.org/carol> <http://example.org/knownBy> "
     "<http://example.org/alice> .\n"
     "<http://example.org/carol> <http://example.org/knownBy> "
     "<http://example.org/bob> .\n"},
    {"SELECT ?n WHERE { ?p ex:name ?n FILTER REGEX(?n, \"^c\", \"i\") }",
     "?n\n\"Carol\"\n"},
    {"SELECT ?p WHERE { ?p ex:name ?n OPTIONAL { ?p ex:age ?a } "
     "FILTER(!BOUND(?a)) }",
     "?p\n<http://example.org/dave>\n"},
    {"SELECT (STRLEN(CONCAT(?n, \"!\")) AS ?l) WHERE { ex:alice ex:name ?n }",
     "?l\n6\n"},
};
#define NCASES (sizeof queries / sizeof *queries)

static kg_db *open_memory(void)
{
  kg_db *db = NULL;
  char *msg = NULL;
  if (kg_db_open(":memory:", 0, &msg, &db) != KG_OK) {
    FAIL("open: %s", msg ? msg : "?");
    kg_free(msg);
    return NULL;
  }
  return db;
}

static uint64_t quads(kg_db *db)
{
  kg_stats s;
  if (kg_db_stats(db, &s) != KG_OK) {
    FAIL("stats: %s", kg_errmsg(db));
    return 0;
  }
  return s.quads;
}

static void load(kg_db *db,
                 const char *text,
                 kg_format f,
                 const char *graph,
                 kg_status want,
                 uint64_t want_count,
                 const char *want_msg)
{
  uint64_t n = 0;
  kg_status st =
      kg_db_load_string(db, text, strlen(text), f, "t", NULL, graph, &n);
  if (st != want) {
    FAIL("load %s: %s (%s)", kg_format_name(f), kg_strstatus(st),
         kg_errmsg(db));
  } else if (st == KG_OK && n != want_count) {
    FAIL("load %s: %llu statements, want %llu", kg_format_name(f),
         (unsigned long long)n, (unsigned long long)want_count);
  } else if (want_msg && !strstr(kg_errmsg(db), want_msg)) {
    FAIL("load %s: message '%s'", kg_format_name(f), kg_errmsg(db));
  }
}

static void run_query(kg_db *db, size_t k)
{
  char text[512];
  snprintf(text, sizeof text, "PREFIX ex: <http://example.org/> %s",
           queries[k].text);
  kg_query *q = NULL;
  buf out = {NULL, 0};
  kg_status st = kg_query_prepare(db, text, strlen(text), NULL, &q);
  if (st == KG_OK) {
    st = kg_query_write(q, KG_RESULTS_TSV, KG_FORMAT_NTRIPLES, buf_sink, &out);
  }
  if (st != KG_OK) {
    FAIL("query %zu: %s (%s)", k, kg_strstatus(st), kg_errmsg(db));
  } else if (!out.data || strcmp(out.data, queries[k].want) != 0) {
    FAIL("query %zu: got\n%s", k, out.data ? out.data : "(nothing)");
  }
  kg_query_finalize(q);
  free(out.data);
}

/* Loads and updates on a second database of the thread's own. */
static void side_work(kg_db **side, long i)
{
  switch (i % 6) {
  case 0:
    if (kg_db_close(*side) != KG_OK) {
      FAIL("close");
    }
    *side = open_memory();
    load(*side, data_rdf, KG_FORMAT_RDFXML, NULL, KG_OK, 3, NULL);
    break;
  case 1:
    load(*side, data_nt, KG_FORMAT_NTRIPLES, "http://example.org/g", KG_OK, 2,
         NULL);
    break;
  case 2: {
    uint64_t before = quads(*side);
    load(*side, bad_ttl, KG_FORMAT_TURTLE, NULL, KG_ERR_PARSE, 0, NULL);
    load(*side, bad_rdf, KG_FORMAT_RDFXML, NULL, KG_ERR_PARSE, 0, NULL);
    if (quads(*side) != before) {
      FAIL("a failed load changed the store");
    }
    break;
  }
  case 3: {
    static const char up[] =
        "PREFIX ex: <http://example.org/> "
        "INSERT { ?p ex:older true } WHERE { ?p ex:age ?a FILTER(?a > 40) }";
    uint64_t changed = 0;
    if (kg_db_update(*side, up, strlen(up), NULL, NULL, &changed) != KG_OK) {
      FAIL("update: %s", kg_errmsg(*side));
    }
    break;
  }
  case 4:
    load(*side, data_ttl, KG_FORMAT_TURTLE, "http://example.org/copy", KG_OK,
         11, NULL);
    break;
  default: {
    buf out = {NULL, 0};
    if (kg_db_export(*side, KG_FORMAT_RDFXML, NULL, buf_sink, &out) != KG_OK) {
      FAIL("export: %s", kg_errmsg(*side));
    }
    free(out.data);
  }
  }
}

static void *worker(void *arg)
{
  long id = (long)(intptr_t)arg;
  kg_db *db = open_memory();
  kg_db *side = open_memory();
  if (!db || !side) {
    kg_db_close(db);
    kg_db_close(side);
    return NULL;
  }
  load(db, data_ttl, KG_FORMAT_TURTLE, NULL, KG_OK, 11, NULL);
  for (long i = 0; i < nqueries; i++) {
    run_query(db, (size_t)(i + id) % NCASES);
    if (i % 10 == 0) {
      side_work(&side, i / 10 + id);
    }
  }
  if (kg_db_close(db) != KG_OK || kg_db_close(side) != KG_OK) {
    FAIL("close");
  }
  return NULL;
}

/* ---- stopping a query from another thread ---- */

typedef struct stopper {
  kg_db *db;
  kg_query *q;
  bool whole_db; /* kg_db_interrupt() rather than kg_query_cancel() */
  atomic_int started;
  atomic_int stopped;
} stopper;

static void *stop_it(void *arg)
{
  stopper *s = arg;
  while (!atomic_load(&s->started)) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  if (s->whole_db) {
    kg_db_interrupt(s->db);
  } else {
    kg_query_cancel(s->q);
  }
  atomic_store(&s->stopped, 1);
  return NULL;
}

static void stop_test(bool whole_db)
{
  kg_db *db = open_memory();
  if (!db) {
    return;
  }
  /* 60 statements: the product of four patterns has 12,960,000 rows */
  buf ttl = {NULL, 0};
  for (int i = 0; i < 60; i++) {
    char line[128];
    int n = snprintf(line, sizeof line,
                     "<http://example.org/s%d> <http://example.org/p> %d .\n",
                     i, i);
    buf_sink(line, (size_t)n, &ttl);
  }
  load(db, ttl.data, KG_FORMAT_TURTLE, NULL, KG_OK, 60, NULL);
  free(ttl.data);
  static const char product[] =
      "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";
  stopper s = {db, NULL, whole_db, 0, 0};
  if (kg_query_prepare(db, product, strlen(product), NULL, &s.q) != KG_OK) {
    FAIL("prepare: %s", kg_errmsg(db));
    kg_db_close(db);
    return;
  }
  pthread_t t;
  if (pthread_create(&t, NULL, stop_it, &s) != 0) {
    FAIL("pthread_create");
    kg_query_finalize(s.q);
    kg_db_close(db);
    return;
  }
  kg_status st;
  long rows = 0;
  while ((st = kg_query_step(s.q)) == KG_ROW) {
    if (++rows == 1000) {
      atomic_store(&s.started, 1);
    }
  }
  atomic_store(&s.started, 1); /* in case it ended early */
  pthread_join(t, NULL);
  if (st != KG_ERR_LIMIT || strcmp(kg_errmsg(db), "query interrupted") != 0) {
    FAIL("stopped query: %s (%s) after %ld rows", kg_strstatus(st),
         kg_errmsg(db), rows);
  }
  kg_query_finalize(s.q);
  /* the next query works */
  static const char ask[] = "ASK { ?s ?p 59 }";
  kg_query *q = NULL;
  if (kg_query_prepare(db, ask, strlen(ask), NULL, &q) != KG_OK ||
      kg_query_step(q) != KG_ROW || !kg_query_boolean(q)) {
    FAIL("the query after a stopped one: %s", kg_errmsg(db));
  }
  kg_query_finalize(q);
  kg_db_close(db);
}

static void *stop_worker(void *arg)
{
  for (int i = 0; i < 5; i++) {
    stop_test(((intptr_t)arg + i) % 2 == 0);
  }
  return NULL;
}

int main(int argc, char **argv)
{
  if (argc > 1) {
    nqueries = strtol(argv[1], NULL, 10);
  }
  pthread_t t[NTHREADS];
  for (long i = 0; i < NTHREADS; i++) {
    if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) != 0) {
      FAIL("pthread_create");
      return 1;
    }
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(t[i], NULL);
  }
  pthread_t s[2];
  for (long i = 0; i < 2; i++) {
    if (pthread_create(&s[i], NULL, stop_worker, (void *)(intptr_t)i) != 0) {
      FAIL("pthread_create");
      return 1;
    }
  }
  for (int i = 0; i < 2; i++) {
    pthread_join(s[i], NULL);
  }
  int f = atomic_load(&failures);
  if (f) {
    fprintf(stderr, "%d failures\n", f);
    return 1;
  }
  printf("%d threads x %ld queries, loads and updates: exact results\n",
         NTHREADS, nqueries);
  return 0;
}
