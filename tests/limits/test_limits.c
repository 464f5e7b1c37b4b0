/* Limits in time and memory, measured (label limits). Timing under
 * valgrind or a sanitizer means nothing, so CMake registers this test in
 * the plain gcc build only.
 *
 * - LIMIT 10 over a product of 10^8 rows takes under 100 ms of CPU and the
 *   process stays under 32 MB resident: a child process (this program with
 *   the argument "child") loads the data, runs the query and reports its
 *   CPU time and peak resident size from getrusage().
 * - A 2 s deadline: 100 queries that would run for hours, 10 threads at
 *   once with one kg_db each; every one must fail with KG_ERR_LIMIT within
 *   2.25 s of kg_query_prepare(), and the next query on its database must
 *   give the right answer.
 *
 * Usage: test_limits  (test_limits child: the measured child) */
#undef NDEBUG
#include <kgraph.h>

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define THREADS        10
#define RUNS           100
#define DEADLINE_MS    2000
#define DEADLINE_SLACK 250

static atomic_int failures;

#define FAIL(...)                                                              \
  do {                                                                         \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    atomic_fetch_add(&failures, 1);                                            \
  } while (0)

/* An in-memory database with 100 statements. */
static kg_db *open_product(void)
{
  kg_db *db = NULL;
  char *msg = NULL;
  assert(kg_db_open(":memory:", 0, &msg, &db) == KG_OK);
  char ttl[8192];
  size_t n = 0;
  for (int i = 0; i < 100; i++) {
    n += (size_t)snprintf(ttl + n, sizeof ttl - n,
                          "<http://example.org/s%d> <http://example.org/p> "
                          "%d .\n",
                          i, i);
  }
  assert(n < sizeof ttl);
  assert(kg_db_load_string(db, ttl, n, KG_FORMAT_TURTLE, "product", NULL, NULL,
                           NULL) == KG_OK);
  return db;
}

static double cpu_ms(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Count the rows of a query run to its end; -1 on failure. */
static long rows_of(kg_db *db, const char *sparql)
{
  kg_query *q = NULL;
  if (kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) != KG_OK) {
    return -1;
  }
  long rows = 0;
  kg_status st;
  while ((st = kg_query_step(q)) == KG_ROW) {
    rows++;
  }
  kg_query_finalize(q);
  return st == KG_DONE ? rows : -1;
}

/* The child: LIMIT 10 over the product, then its CPU time and peak RSS. */
static int child(void)
{
  kg_db *db = open_product();
  double before = cpu_ms();
  long rows = rows_of(db, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
                          "?j ?k ?l } LIMIT 10");
  double used = cpu_ms() - before;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%ld %.1f %ld\n", rows, used, ru.ru_maxrss);
  assert(kg_db_close(db) == KG_OK);
  return 0;
}

static void test_limit_over_product(const char *self)
{
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' child", self);
  FILE *p = popen(cmd, "r");
  assert(p);
  long rows = 0, rss_kb = 0;
  double cpu = 0;
  int got = fscanf(p, "%ld %lf %ld", &rows, &cpu, &rss_kb);
  assert(pclose(p) == 0 && got == 3);
  printf("LIMIT 10 over 10^8 rows: %ld rows, %.1f ms CPU, peak RSS %ld KB\n",
         rows, cpu, rss_kb);
  if (rows != 10) {
    FAIL("LIMIT 10 gave %ld rows", rows);
  }
  if (cpu >= 100) {
    FAIL("LIMIT 10 took %.1f ms of CPU (limit 100)", cpu);
  }
  if (rss_kb >= 32 * 1024) {
    FAIL("LIMIT 10: peak RSS %ld KB (limit 32 MB)", rss_kb);
  }
}

static atomic_int runs_left = RUNS;
static _Atomic double slowest;

static void *deadline_thread(void *arg)
{
  (void)arg;
  kg_db *db = open_product();
  kg_limits lim = {0, DEADLINE_MS, 0};
  static const char endless[] =
      "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . "
      "?j ?k ?l . ?m ?n2 ?o }";
  while (atomic_fetch_sub(&runs_left, 1) > 0) {
    assert(kg_db_set_limits(db, &lim) == KG_OK);
    double start = now_ms();
    kg_query *q = NULL;
    kg_status st = kg_query_prepare(db, endless, strlen(endless), NULL, &q);
    while (st == KG_OK && (st = kg_query_step(q)) == KG_ROW) {
      st = KG_OK;
    }
    double took = now_ms() - start;
    if (st != KG_ERR_LIMIT ||
        strcmp(kg_errmsg(db), "query timed out after 2000 ms") != 0) {
      FAIL("deadline: %s, \"%s\"", kg_strstatus(st), kg_errmsg(db));
    }
    kg_query_finalize(q);
    if (took > DEADLINE_MS + DEADLINE_SLACK || took < DEADLINE_MS) {
      FAIL("a 2 s deadline ended the query after %.0f ms", took);
    }
    double s = atomic_load(&slowest);
    while (took > s && !atomic_compare_exchange_weak(&slowest, &s, took)) {
    }
    kg_limits none = {0, 0, 0};
    assert(kg_db_set_limits(db, &none) == KG_OK);
    long n = rows_of(db, "SELECT ?s WHERE { ?s ?p ?o }");
    if (n != 100) {
      FAIL("after the deadline, a query gave %ld rows, not 100", n);
    }
  }
  assert(kg_db_close(db) == KG_OK);
  return NULL;
}

static void test_deadline(void)
{
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    assert(pthread_create(&t[i], NULL, deadline_thread, NULL) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
  }
  printf("2 s deadline, %d queries in %d threads: the slowest ended after "
         "%.0f ms\n",
         RUNS, THREADS, atomic_load(&slowest));
}

int main(int argc, char **argv)
{
  if (argc == 2 && strcmp(argv[1], "child") == 0) {
    return child();
  }
  test_limit_over_product(argv[0]);
  test_deadline();
  if (failures) {
    fprintf(stderr, "%d failures\n", atomic_load(&failures));
    return 1;
  }
  return 0;
}
