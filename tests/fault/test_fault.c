/* Allocation failures (label fault; needs a KG_FAULT_INJECT build).
 *
 * Each scenario runs once without failures, giving its reference output,
 * and then again with the Nth allocation of the library failing, for N = 1,
 * 2, 3, ... until a run makes no more than N - 1 allocations. Every run
 * must either succeed with exactly the reference output, or fail with
 * KG_ERR_NOMEM and "out of memory"; then the store must hold exactly what
 * it held before the scenario (a failed load or update changes nothing) or
 * after its reference run, and a query on it must give the right answer.
 * Under ASan or valgrind the runs must not leak; in every build the
 * library's own allocations still live after a run must be those of the
 * reference run.
 *
 * Usage: test_fault [SCENARIO[:N]...]  (default: all scenarios, every N).
 * With :N only that run is made (in a debugger, break on kg__fault_hit). */
#undef NDEBUG
#include "../buf.h"

#include <kgraph.h>

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The library's fault injection (engine/alloc.c), for the calling thread. */
void kg__fault_fail_at(uint64_t n);
uint64_t kg__fault_allocations(void);
int64_t kg__fault_live(void);

static const char data_ttl[] =
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "ex:alice a ex:Person ; ex:name \"Alice\" ; ex:age 30 ;\n"
    "  ex:knows ex:bob, ex:carol ; ex:tags (\"a\" \"b\") .\n"
    "ex:bob a ex:Person ; ex:name \"Bob\"@en ; ex:age 25 ; ex:knows ex:carol "
    ".\n"
    "ex:carol a ex:Person ; ex:name \"Carol\" ; ex:age \"35\"^^xsd:integer ;\n"
    "  ex:knows ex:alice ; ex:address [ ex:city \"Pristina\" ] .\n"
    "ex:dave a ex:Person ; ex:name \"Dave\\u00e9\" .\n";

static const char data_trig[] =
    "@prefix ex: <http://example.org/> .\n"
    "ex:g1 { ex:alice ex:worksFor ex:acme . ex:acme ex:label \"ACME\"@en . }\n"
    "ex:g2 { ex:bob ex:worksFor ex:acme ; ex:since 2019 . }\n"
    "ex:bob ex:nick \"bobby\" .\n";

static const char data_nt[] =
    "<http://example.org/erin> <http://example.org/name> \"Erin\" .\n"
    "<http://example.org/erin> <http://example.org/knows> _:x .\n"
    "_:x <http://example.org/name> \"X\\tY\"@de .\n";

static const char q_select[] =
    "PREFIX ex: <http://example.org/>\n"
    "SELECT DISTINCT ?n (COUNT(?f) AS ?friends) (MAX(?a) AS ?age) ?org\n"
    "WHERE { ?p a ex:Person ; ex:name ?n .\n"
    "  OPTIONAL { ?p ex:knows ?f . ?f ex:name ?fn }\n"
    "  OPTIONAL { ?p ex:age ?a }\n"
    "  OPTIONAL { GRAPH ?g { ?p ex:worksFor ?o . ?o ex:label ?org } }\n"
    "  FILTER (!BOUND(?a) || ?a > 20) }\n"
    "GROUP BY ?n ?org ORDER BY DESC(?friends) ?n";

static const char q_path[] =
    "PREFIX ex: <http://example.org/>\n"
    "SELECT ?a ?b (STRLEN(STR(?b)) AS ?len) (CONCAT(UCASE(?n), \"!\") AS ?s)\n"
    "WHERE { ?a ex:knows+ ?b . ?b ex:name ?n . "
    "FILTER (REGEX(?n, \"^[a-c]\", \"i\")) } ORDER BY ?a ?b";

static const char q_construct[] =
    "PREFIX ex: <http://example.org/>\n"
    "CONSTRUCT { ?b ex:knownBy ?a . ?a ex:label ?l }\n"
    "WHERE { ?a ex:knows ?b . ?a ex:name ?n BIND (LCASE(STR(?n)) AS ?l) }";

static const char data_rdf[] =
    "<?xml version=\"1.0\"?>\n"
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
    "         xmlns:ex=\"http://example.org/\">\n"
    "  <rdf:Description rdf:about=\"http://example.org/erin\">\n"
    "    <ex:name xml:lang=\"en\">Erin</ex:name>\n"
    "    <ex:knows rdf:resource=\"http://example.org/alice\"/>\n"
    "    <ex:knows><rdf:Description><ex:name>Y</ex:name></rdf:Description>"
    "</ex:knows>\n"
    "  </rdf:Description>\n"
    "</rdf:RDF>\n";

static const char q_aggregates[] =
    "PREFIX ex: <http://example.org/>\n"
    "SELECT ?p (GROUP_CONCAT(?n; SEPARATOR=\"|\") AS ?names) (SUM(?a) AS ?sum)"
    " (AVG(?a) AS ?avg) (SAMPLE(?k) AS ?one)\n"
    "WHERE { VALUES ?p { ex:Person } ?x a ?p ; ex:name ?n .\n"
    "  OPTIONAL { ?x ex:age ?a } OPTIONAL { ?x ex:knows ?k }\n"
    "  MINUS { ?x ex:name \"Dave\\u00e9\" }\n"
    "  FILTER EXISTS { ?x a ex:Person }\n"
    "  { SELECT ?x WHERE { ?x ex:name ?any } } }\n"
    "GROUP BY ?p HAVING (COUNT(*) > 1)";

static const char q_check[] =
    "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o "
    "} } }";

static const char u_update[] =
    "PREFIX ex: <http://example.org/>\n"
    "INSERT DATA { ex:frank ex:name \"Frank\" . GRAPH ex:g3 { ex:frank ex:age "
    "40 } } ;\n"
    "DELETE { ?p ex:age ?a } INSERT { ?p ex:age ?b ; ex:old true }\n"
    "WHERE { ?p ex:age ?a FILTER (?a >= 30) BIND (?a + 1 AS ?b) } ;\n"
    "DELETE WHERE { ?x ex:tags ?t }";

/* ---- the steps run with failures ---- */

static kg_status load(kg_db *db, const char *text, kg_format format)
{
  return kg_db_load_string(db, text, strlen(text), format, "data",
                           "http://example.org/", NULL, NULL);
}

/* A load whose output is the count of statements it reports. */
static kg_status
load_counted(kg_db *db, const char *text, kg_format format, buf *out)
{
  uint64_t count = 0;
  kg_status st = kg_db_load_string(db, text, strlen(text), format, "data",
                                   "http://example.org/", NULL, &count);
  if (st == KG_OK) {
    char n[32];
    snprintf(n, sizeof n, "%llu\n", (unsigned long long)count);
    buf_sink(n, strlen(n), out);
  }
  return st;
}

static kg_status query(kg_db *db,
                       const char *text,
                       kg_results_format results,
                       kg_format graph_format,
                       buf *out)
{
  kg_query *q = NULL;
  kg_status st = kg_query_prepare(db, text, strlen(text), NULL, &q);
  if (st == KG_OK) {
    st = kg_query_write(q, results, graph_format, buf_sink, out);
  }
  kg_query_finalize(q);
  return st;
}

/* kg_db_open()'s message on failure. */
static char open_msg[256];

static kg_status open_store(const char *spec, unsigned flags, kg_db **db)
{
  char *msg = NULL;
  kg_status st = kg_db_open(spec, flags, &msg, db);
  open_msg[0] = '\0';
  if (st != KG_OK) {
    assert(!*db && msg);
    snprintf(open_msg, sizeof open_msg, "%s", msg);
  } else {
    assert(*db && !msg);
  }
  kg_free(msg);
  return st;
}

static kg_status run_open(kg_db *db, buf *out)
{
  (void)db;
  (void)out;
  kg_db *d = NULL;
  kg_status st = open_store(":memory:", 0, &d);
  if (st != KG_OK) {
    return st;
  }
  st = load(d, data_ttl, KG_FORMAT_TURTLE);
  if (st == KG_OK) {
    st = query(d, q_check, KG_RESULTS_CSV, KG_FORMAT_TURTLE, out);
  }
  kg_db_close(d);
  return st;
}

static kg_status run_turtle(kg_db *db, buf *out)
{
  return load_counted(db, data_ttl, KG_FORMAT_TURTLE, out);
}

static kg_status run_trig(kg_db *db, buf *out)
{
  return load_counted(db, data_trig, KG_FORMAT_TRIG, out);
}

static kg_status run_ntriples(kg_db *db, buf *out)
{
  return load_counted(db, data_nt, KG_FORMAT_NTRIPLES, out);
}

static kg_status run_select_json(kg_db *db, buf *out)
{
  return query(db, q_select, KG_RESULTS_JSON, KG_FORMAT_TURTLE, out);
}

static kg_status run_path_csv(kg_db *db, buf *out)
{
  return query(db, q_path, KG_RESULTS_CSV, KG_FORMAT_TURTLE, out);
}

static kg_status run_construct(kg_db *db, buf *out)
{
  return query(db, q_construct, KG_RESULTS_JSON, KG_FORMAT_TURTLE, out);
}

static kg_status run_update(kg_db *db, buf *out)
{
  uint64_t changed = 0;
  kg_status st =
      kg_db_update(db, u_update, strlen(u_update), NULL, NULL, &changed);
  if (st == KG_OK) {
    char n[32];
    snprintf(n, sizeof n, "%llu\n", (unsigned long long)changed);
    buf_sink(n, strlen(n), out);
  }
  return st;
}

static kg_status run_export_turtle(kg_db *db, buf *out)
{
  return kg_db_export(db, KG_FORMAT_TURTLE, NULL, buf_sink, out);
}

static kg_status run_export_nquads(kg_db *db, buf *out)
{
  return kg_db_export(db, KG_FORMAT_NQUADS, NULL, buf_sink, out);
}

static kg_status run_rdfxml(kg_db *db, buf *out)
{
  return load_counted(db, data_rdf, KG_FORMAT_RDFXML, out);
}

static kg_status run_aggregates_tsv(kg_db *db, buf *out)
{
  return query(db, q_aggregates, KG_RESULTS_TSV, KG_FORMAT_TURTLE, out);
}

static kg_status run_ask_xml(kg_db *db, buf *out)
{
  static const char ask[] = "ASK { ?s <http://example.org/knows>/"
                            "<http://example.org/knows> ?s }";
  return query(db, ask, KG_RESULTS_XML, KG_FORMAT_TURTLE, out);
}

static kg_status run_describe(kg_db *db, buf *out)
{
  static const char describe[] = "DESCRIBE <http://example.org/carol>";
  kg_status st = query(db, describe, KG_RESULTS_JSON, KG_FORMAT_NTRIPLES, out);
  if (st == KG_OK) {
    st = query(db, q_check, KG_RESULTS_TABLE, KG_FORMAT_TURTLE, out);
  }
  return st;
}

static kg_status run_prefix_stats(kg_db *db, buf *out)
{
  kg_status st = kg_db_set_prefix(db, "foaf", "http://xmlns.com/foaf/0.1/");
  kg_stats stats;
  if (st == KG_OK) {
    st = kg_db_stats(db, &stats);
  }
  if (st == KG_OK) {
    char line[160];
    snprintf(line, sizeof line, "%llu %llu %llu %llu %llu %llu\n",
             (unsigned long long)stats.quads, (unsigned long long)stats.triples,
             (unsigned long long)stats.graphs,
             (unsigned long long)stats.subjects,
             (unsigned long long)stats.predicates,
             (unsigned long long)stats.objects);
    buf_sink(line, strlen(line), out);
  }
  return st;
}

static const char onto_ttl[] =
    "@prefix ex: <http://example.org/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "ex:Person rdfs:subClassOf ex:Agent .\n"
    "ex:knows rdfs:domain ex:Person ; rdfs:range ex:Person .\n";

static kg_status run_inference(kg_db *db, buf *out)
{
  (void)out;
  return kg_db_set_inference(db, KG_INFERENCE_RDFS);
}

static char lmdb_dir[64];
static char lmdb_path[80];

static kg_status run_lmdb(kg_db *db, buf *out)
{
  (void)db;
  kg_db *d = NULL;
  kg_status st = open_store(lmdb_path, KG_OPEN_CREATE, &d);
  if (st != KG_OK) {
    return st;
  }
  st = load(d, data_ttl, KG_FORMAT_TURTLE);
  if (st == KG_OK) {
    st = kg_db_set_prefix(d, "ex", "http://example.org/");
  }
  if (st == KG_OK) {
    st = query(d, q_select, KG_RESULTS_CSV, KG_FORMAT_TURTLE, out);
  }
  kg_status cst = kg_db_close(d);
  return st == KG_OK ? cst : st;
}

typedef struct scenario {
  const char *name;
  const char *setup_ttl;  /* loaded first, without failures; may be NULL */
  const char *setup_trig; /* likewise */
  kg_status (*run)(kg_db *db, buf *out);
} scenario;

static const scenario scenarios[] = {
    {"open", NULL, NULL, run_open},
    {"turtle", NULL, data_trig, run_turtle},
    {"trig", data_ttl, NULL, run_trig},
    {"ntriples", data_ttl, NULL, run_ntriples},
    {"rdfxml", data_ttl, NULL, run_rdfxml},
    {"select-json", data_ttl, data_trig, run_select_json},
    {"path-csv", data_ttl, NULL, run_path_csv},
    {"construct", data_ttl, NULL, run_construct},
    {"aggregates-tsv", data_ttl, NULL, run_aggregates_tsv},
    {"ask-xml", data_ttl, NULL, run_ask_xml},
    {"describe", data_ttl, data_trig, run_describe},
    {"update", data_ttl, data_trig, run_update},
    {"export-turtle", data_ttl, data_trig, run_export_turtle},
    {"export-nquads", data_ttl, data_trig, run_export_nquads},
    {"inference", data_ttl, onto_ttl, run_inference},
    {"prefix-stats", data_ttl, data_trig, run_prefix_stats},
    {"lmdb", NULL, NULL, run_lmdb},
};

/* ---- the harness ---- */

static int failures;

#define FAIL(...)                                                              \
  do {                                                                         \
    fprintf(stderr, "%s: N=%llu: ", sc->name, (unsigned long long)n);          \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    failures++;                                                                \
  } while (0)

static kg_db *setup(const scenario *sc)
{
  kg_db *db = NULL;
  char *msg = NULL;
  assert(kg_db_open(":memory:", 0, &msg, &db) == KG_OK);
  if (sc->setup_ttl) {
    assert(load(db, sc->setup_ttl, KG_FORMAT_TURTLE) == KG_OK);
  }
  if (sc->setup_trig) {
    assert(load(db, sc->setup_trig, KG_FORMAT_TRIG) == KG_OK);
  }
  return db;
}

static void note_error(kg_db *db, const char *what, buf *out)
{
  char line[512];
  snprintf(line, sizeof line, "%s failed: %s\n", what, kg_errmsg(db));
  buf_sink(line, strlen(line), out);
}

/* What the scenario's store holds (its N-Quads) and a query's answer. */
static void state(kg_db *db, buf *out)
{
  if (!db) {
    char *msg = NULL;
    if (kg_db_open(lmdb_path, 0, &msg, &db) != KG_OK) {
      kg_free(msg);
      buf_sink("no store\n", 9, out);
      return;
    }
    state(db, out);
    assert(kg_db_close(db) == KG_OK);
    return;
  }
  if (kg_db_export(db, KG_FORMAT_NQUADS, NULL, buf_sink, out) != KG_OK) {
    note_error(db, "export", out);
  }
  if (query(db, q_check, KG_RESULTS_TSV, KG_FORMAT_TURTLE, out) != KG_OK) {
    note_error(db, "query", out);
  }
}

static void remove_lmdb(void)
{
  char lock[96];
  snprintf(lock, sizeof lock, "%s-lock", lmdb_path);
  unlink(lmdb_path);
  unlink(lock);
}

/* One run with the nth allocation failing (0: none). */
static kg_status run_once(const scenario *sc,
                          uint64_t n,
                          buf *out,
                          buf *after,
                          int64_t *live,
                          uint64_t *allocations)
{
  bool lmdb = sc->run == run_lmdb;
  kg_db *db = lmdb || sc->run == run_open ? NULL : setup(sc);
  open_msg[0] = '\0';
  int64_t live_before = kg__fault_live();
  kg__fault_fail_at(n);
  kg_status st = sc->run(db, out);
  *allocations = kg__fault_allocations();
  kg__fault_fail_at(0);
  if (st != KG_OK && db) {
    const char *msg = kg_errmsg(db);
    if (st != KG_ERR_NOMEM || !strstr(msg, "out of memory")) {
      FAIL("failed with %s, \"%s\"", kg_strstatus(st), msg);
    }
  } else if (st != KG_OK &&
             (st != KG_ERR_NOMEM ||
              (open_msg[0] && !strstr(open_msg, "out of memory")))) {
    FAIL("failed with %s, \"%s\"", kg_strstatus(st), open_msg);
  }
  if (db || lmdb) {
    state(db, after);
  }
  assert(kg_db_close(db) == KG_OK);
  if (lmdb) {
    remove_lmdb();
  }
  *live = kg__fault_live() - live_before;
  return st;
}

static void run_scenario(const scenario *sc, uint64_t only)
{
  uint64_t n = 0;
  buf ref = {0}, ref_after = {0}, before = {0};
  int64_t ref_live = 0;
  uint64_t total = 0;
  if (sc->run == run_lmdb) {
    buf_sink("no store\n", 9, &before);
  } else if (sc->run != run_open) {
    kg_db *db = setup(sc);
    state(db, &before);
    assert(kg_db_close(db) == KG_OK);
  }
  /* twice: the first run may set up state shared by later ones */
  for (int i = 0; i < 2; i++) {
    buf_clear(&ref);
    buf_clear(&ref_after);
    if (run_once(sc, 0, &ref, &ref_after, &ref_live, &total) != KG_OK) {
      FAIL("fails without injected failures");
      return;
    }
  }
  uint64_t fired = 0;
  for (n = only ? only : 1;; n++) {
    buf out = {0}, after = {0};
    int64_t live = 0;
    uint64_t allocations = 0;
    kg_status st = run_once(sc, n, &out, &after, &live, &allocations);
    bool hit = allocations >= n;
    if (st == KG_OK && !buf_eq(&out, &ref)) {
      FAIL("succeeded with different output:\n%s\nwant:\n%s",
           out.data ? out.data : "", ref.data ? ref.data : "");
    }
    if (st == KG_OK && !buf_eq(&after, &ref_after)) {
      FAIL("succeeded but the store then holds:\n%s\nwant:\n%s",
           after.data ? after.data : "", ref_after.data ? ref_after.data : "");
    }
    if (st != KG_OK && !buf_eq(&after, &before) &&
        !(sc->run == run_lmdb &&
          (buf_eq(&after, &ref_after) || strcmp(after.data, "?n\n0\n") == 0))) {
      FAIL("failed but changed the store:\n%s\nwant:\n%s",
           after.data ? after.data : "", before.data ? before.data : "");
    }
    if (st != KG_OK && !hit) {
      FAIL("failed with no failure injected");
    }
    if (live != ref_live) {
      FAIL("%lld allocations still live, %lld in the reference run",
           (long long)live, (long long)ref_live);
    }
    buf_clear(&out);
    buf_clear(&after);
    fired += st != KG_OK;
    if (only) {
      printf("%s:%llu: %s\n", sc->name, (unsigned long long)n,
             kg_strstatus(st));
      return;
    }
    if (!hit) {
      break;
    }
  }
  printf("%-14s %5llu allocations, %5llu runs failed cleanly, %llu "
         "tolerated\n",
         sc->name, (unsigned long long)total, (unsigned long long)fired,
         (unsigned long long)(n - 1 - fired));
  buf_clear(&ref);
  buf_clear(&ref_after);
  buf_clear(&before);
}

int main(int argc, char **argv)
{
  /* on tmpfs where there is one: a commit's fsync costs nothing there */
  snprintf(lmdb_dir, sizeof lmdb_dir, "%s/kg-fault-XXXXXX",
           access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  assert(mkdtemp(lmdb_dir));
  snprintf(lmdb_path, sizeof lmdb_path, "%s/store", lmdb_dir);
  for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
    for (int a = argc < 2 ? 0 : 1; a < argc; a++) {
      size_t len = strlen(scenarios[i].name);
      if (a == 0 || (strncmp(argv[a], scenarios[i].name, len) == 0 &&
                     (!argv[a][len] || argv[a][len] == ':'))) {
        const char *at = a ? argv[a] + len : "";
        run_scenario(&scenarios[i], *at ? strtoull(at + 1, NULL, 10) : 0);
        fflush(stdout);
        break;
      }
    }
  }
  remove_lmdb();
  rmdir(lmdb_dir);
  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  return 0;
}
