/* The benchmark driver: loads and queries through the public API, and
 * times single-pattern store lookups through the store interface.
 *
 *   kgbench run SPEC FILE|- [--repeat N] [--timeout S] QUERY.rq...
 *       open SPEC (created if missing), load FILE unless it is "-", then
 *       run each query once cold and N times warm (default 5; the warm
 *       runs stop after 60 s)
 *   kgbench lookup FILE [N]
 *       load FILE into memory and time N random lookups of each pattern
 *       shape (default 200000), in CPU time
 *
 * Output: one line per measurement, "key=value" words, for bench/run.sh. */
#include "db.h"
#include "store/store.h"

#include <kgraph.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of the process: lookups are timed by it, so that other load on
 * the machine counts less. */
static double cpu_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      cap *= 2;
      char *b = realloc(buf, cap);
      if (!b) {
        free(buf);
        buf = NULL;
      }
      buf = b;
    }
  }
  fclose(f);
  if (buf) {
    buf[n < cap ? n : cap - 1] = 0;
  }
  *len = n;
  return buf;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Run a query to its end: rows, or -1 on failure (message printed). */
static long run_query(kg_db *db, const char *text, size_t len)
{
  kg_query *q = NULL;
  kg_status st = kg_query_prepare(db, text, len, NULL, &q);
  long rows = 0;
  while (st == KG_OK && (st = kg_query_step(q)) == KG_ROW) {
    rows++;
    st = KG_OK;
  }
  kg_query_finalize(q);
  if (st != KG_DONE) {
    fprintf(stderr, "kgbench: %s: %s\n", kg_strstatus(st), kg_errmsg(db));
    return st == KG_ERR_LIMIT ? -2 : -1;
  }
  return rows;
}

static const char *base_name(const char *path)
{
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static int cmd_run(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: kgbench run SPEC FILE|- [--repeat N] "
                    "[--timeout S] QUERY...\n");
    return 2;
  }
  const char *spec = argv[2];
  const char *file = argv[3];
  int repeat = 5;
  unsigned long timeout = 30;
  int i = 4;
  for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
    if (strcmp(argv[i], "--repeat") == 0) {
      repeat = atoi(argv[i + 1]);
    } else if (strcmp(argv[i], "--timeout") == 0) {
      timeout = strtoul(argv[i + 1], NULL, 10);
    }
  }
  kg_db *db = NULL;
  char *msg = NULL;
  double t0 = now();
  if (kg_db_open(spec, KG_OPEN_CREATE, &msg, &db) != KG_OK) {
    fprintf(stderr, "kgbench: %s\n", msg);
    kg_free(msg);
    return 1;
  }
  printf("open seconds=%.6f\n", now() - t0);
  if (strcmp(file, "-") != 0) {
    uint64_t n = 0;
    t0 = now();
    double c0 = cpu_now();
    kg_status st = kg_db_load_file(db, file, KG_FORMAT_AUTO, NULL, NULL, &n);
    double secs = now() - t0, cpu = cpu_now() - c0;
    if (st != KG_OK) {
      fprintf(stderr, "kgbench: %s: %s\n", file, kg_errmsg(db));
      kg_db_close(db);
      return 1;
    }
    printf("load triples=%llu seconds=%.4f cpu=%.4f rate=%.0f rss_kb=%ld\n",
           (unsigned long long)n, secs, cpu, secs > 0 ? (double)n / secs : 0.0,
           peak_rss_kb());
  }
  kg_limits lim = {0, timeout * 1000, 0};
  kg_db_set_limits(db, &lim);
  double *times = calloc((size_t)(repeat > 0 ? repeat : 1), sizeof *times);
  for (; i < argc; i++) {
    size_t len = 0;
    char *text = slurp(argv[i], &len);
    if (!text) {
      fprintf(stderr, "kgbench: %s: cannot read\n", argv[i]);
      continue;
    }
    t0 = now();
    long rows = run_query(db, text, len);
    double cold = now() - t0;
    if (rows < 0) {
      printf("query name=%s status=%s cold_ms=%.3f\n", base_name(argv[i]),
             rows == -2 ? "timeout" : "error", cold * 1e3);
      free(text);
      continue;
    }
    /* warm runs: repeat of them, or as many as 60 s allow (one at least) */
    int made = 0;
    double spent = 0;
    while (made < repeat && (made == 0 || spent < 60)) {
      t0 = now();
      run_query(db, text, len);
      times[made] = now() - t0;
      spent += times[made++];
    }
    qsort(times, (size_t)made, sizeof *times, cmp_double);
    double median = made ? times[made / 2] : cold;
    printf("query name=%s status=ok rows=%ld cold_ms=%.3f median_ms=%.3f\n",
           base_name(argv[i]), rows, cold * 1e3, median * 1e3);
    fflush(stdout);
    free(text);
  }
  free(times);
  printf("end rss_kb=%ld\n", peak_rss_kb());
  return kg_db_close(db) == KG_OK ? 0 : 1;
}

/* ---- lookups through the store interface ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int cmd_lookup(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: kgbench lookup FILE [N]\n");
    return 2;
  }
  long n = argc > 3 ? atol(argv[3]) : 200000;
  kg_db *db = NULL;
  char *msg = NULL;
  if (kg_db_open(":memory:", 0, &msg, &db) != KG_OK ||
      kg_db_load_file(db, argv[2], KG_FORMAT_AUTO, NULL, NULL, NULL) != KG_OK) {
    fprintf(stderr, "kgbench: %s\n", msg ? msg : kg_errmsg(db));
    return 1;
  }
  kg__store *s = db->store;
  /* sample quads to take bound values from */
  size_t cap = 1 << 16, have = 0;
  kg__id(*sample)[4] = malloc(cap * sizeof *sample);
  kg__id all[4] = {0, 0, 0, 0};
  uint64_t total = 0;
  s->ops->count(s, all, &total, NULL);
  kg__cursor *c = NULL;
  s->ops->match(s, all, NULL, &c);
  kg__id q[4];
  uint64_t k = 0;
  uint64_t step = total / cap + 1;
  while (s->ops->next(c, q) == KG_ROW) {
    if (k++ % step == 0 && have < cap) {
      memcpy(sample[have++], q, sizeof q);
    }
  }
  s->ops->cursor_free(c);
  static const char *const shapes[] = {"s??", "?p?", "??o", "sp?",
                                       "?po", "s?o", "spo"};
  static const unsigned masks[] = {1, 2, 4, 3, 6, 5, 7};
  /* shape -1 warms caches up and is not printed */
  for (int sh = -1; sh < 7; sh++) {
    int shape = sh < 0 ? 0 : sh;
    /* match + first result, and exact count, on n random bound patterns */
    double t_match = 0, t_count = 0;
    uint64_t found = 0;
    for (int pass = 0; pass < 2; pass++) {
      double t0 = cpu_now();
      for (long i = 0; i < n; i++) {
        const kg__id *src = sample[rnd() % have];
        kg__id pat[4] = {0, 0, 0, 0};
        for (int b = 0; b < 3; b++) {
          if (masks[shape] & (1u << b)) {
            pat[b] = src[b];
          }
        }
        if (pass == 0) {
          kg__cursor *cur = NULL;
          s->ops->match(s, pat, NULL, &cur);
          if (s->ops->next(cur, q) == KG_ROW) {
            found++;
          }
          s->ops->cursor_free(cur);
        } else {
          uint64_t cnt = 0;
          s->ops->count(s, pat, &cnt, NULL);
          found += cnt > 0;
        }
      }
      double dt = cpu_now() - t0;
      if (pass == 0) {
        t_match = dt;
      } else {
        t_count = dt;
      }
    }
    if (sh < 0) {
      continue;
    }
    printf("lookup shape=%s match_first_ns=%.0f count_ns=%.0f hits=%llu\n",
           shapes[sh], t_match / (double)n * 1e9, t_count / (double)n * 1e9,
           (unsigned long long)found);
  }
  free(sample);
  kg_db_close(db);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "run") == 0) {
    return cmd_run(argc, argv);
  }
  if (argc > 1 && strcmp(argv[1], "lookup") == 0) {
    return cmd_lookup(argc, argv);
  }
  fprintf(stderr, "usage: kgbench run|lookup ...\n");
  return 2;
}
