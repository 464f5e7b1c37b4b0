/* The native quad stores against a brute-force reference: every pattern
 * shape, counts, orders, dedupe, removal, rollback, the graph rules of
 * store.h, and the term dictionary. */
#undef NDEBUG
#include "redland.h"
#include "store/librdf_store.h"
#include "store/native_store.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* ---- a small deterministic random generator ---- */

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static size_t rnd_below(size_t n)
{
  return (size_t)(rnd() % n);
}

/* ---- the reference: a plain array of quads ---- */

typedef struct ref {
  kg__id (*q)[4];
  size_t n;
  size_t cap;
} ref;

static bool ref_has(const ref *r, const kg__id q[4])
{
  for (size_t i = 0; i < r->n; i++) {
    if (memcmp(r->q[i], q, sizeof r->q[i]) == 0) {
      return true;
    }
  }
  return false;
}

static bool ref_add(ref *r, const kg__id q[4])
{
  if (ref_has(r, q)) {
    return false;
  }
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 64;
    r->q = realloc(r->q, r->cap * sizeof *r->q);
    CHECK(r->q);
  }
  memcpy(r->q[r->n++], q, sizeof r->q[0]);
  return true;
}

static bool ref_remove(ref *r, const kg__id q[4])
{
  for (size_t i = 0; i < r->n; i++) {
    if (memcmp(r->q[i], q, sizeof r->q[i]) == 0) {
      memcpy(r->q[i], r->q[--r->n], sizeof r->q[i]);
      return true;
    }
  }
  return false;
}

static bool matches(const kg__id q[4], const kg__id pat[4])
{
  for (int i = 0; i < 3; i++) {
    if (pat[i] && pat[i] != q[i]) {
      return false;
    }
  }
  switch (pat[3]) {
  case 0:
    return true;
  case KG__DEFAULT_GRAPH:
    return q[3] == KG__DEFAULT_GRAPH;
  case KG__NAMED_GRAPHS:
    return q[3] != KG__DEFAULT_GRAPH;
  default:
    return q[3] == pat[3];
  }
}

static int quad_cmp(const void *a, const void *b)
{
  const kg__id *x = a;
  const kg__id *y = b;
  for (int i = 0; i < 4; i++) {
    if (x[i] != y[i]) {
      return x[i] < y[i] ? -1 : 1;
    }
  }
  return 0;
}

/* ---- comparing the store with the reference ---- */

static void check_pattern(kg__store *s, const ref *r, const kg__id pat[4])
{
  size_t want_n = 0;
  kg__id(*want)[4] = malloc((r->n + 1) * sizeof *want);
  kg__id(*got)[4] = malloc((r->n + 1) * sizeof *got);
  CHECK(want && got);
  for (size_t i = 0; i < r->n; i++) {
    if (matches(r->q[i], pat)) {
      memcpy(want[want_n++], r->q[i], sizeof want[0]);
    }
  }
  kg__cursor *c = NULL;
  CHECK(s->ops->match(s, pat, NULL, &c) == KG_OK);
  size_t got_n = 0;
  kg__id q[4];
  kg_status st;
  while ((st = s->ops->next(c, q)) == KG_ROW) {
    CHECK(got_n < r->n);
    CHECK(matches(q, pat));
    memcpy(got[got_n++], q, sizeof q);
  }
  CHECK(st == KG_DONE);
  s->ops->cursor_free(c);
  CHECK(got_n == want_n);
  qsort(want, want_n, sizeof want[0], quad_cmp);
  qsort(got, got_n, sizeof got[0], quad_cmp);
  CHECK(memcmp(want, got, want_n * sizeof want[0]) == 0);

  uint64_t n = 0;
  bool exact = false;
  CHECK(s->ops->count(s, pat, &n, &exact) == KG_OK);
  CHECK(exact);
  CHECK(n == want_n);

  /* every order the store accepts comes out sorted */
  static const int orders[][5] = {{0, -1},       {1, -1},         {2, -1},
                                  {3, -1},       {0, 1, 2, -1},   {1, 2, 0, -1},
                                  {2, 0, 1, -1}, {3, 0, 1, 2, -1}};
  for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
    const int *o = orders[k];
    c = NULL;
    st = s->ops->match(s, pat, o, &c);
    if (st == KG_ERR_ARG) {
      continue;
    }
    CHECK(st == KG_OK);
    size_t m = 0;
    kg__id prev[4] = {0, 0, 0, 0};
    while ((st = s->ops->next(c, q)) == KG_ROW) {
      if (m) {
        for (int i = 0; o[i] >= 0; i++) {
          if (prev[o[i]] != q[o[i]]) {
            CHECK(prev[o[i]] < q[o[i]]);
            break;
          }
        }
      }
      memcpy(prev, q, sizeof q);
      m++;
    }
    CHECK(st == KG_DONE);
    CHECK(m == want_n);
    s->ops->cursor_free(c);
  }
  free(want);
  free(got);
}

/* Bound values: mostly from quads present, sometimes unknown. */
static void check_all_shapes(kg__store *s, const ref *r, kg__id max_id)
{
  for (int round = 0; round < 30; round++) {
    const kg__id *src = r->n ? r->q[rnd_below(r->n)] : NULL;
    for (unsigned mask = 0; mask < 8; mask++) {
      for (int gm = 0; gm < 5; gm++) {
        kg__id pat[4] = {0, 0, 0, 0};
        for (int i = 0; i < 3; i++) {
          if (mask & (1u << i)) {
            pat[i] =
                src && rnd_below(5) ? src[i] : KG__FIRST_ID + rnd_below(max_id);
          }
        }
        switch (gm) {
        case 0:
          pat[3] = 0;
          break;
        case 1:
          pat[3] = KG__DEFAULT_GRAPH;
          break;
        case 2:
          pat[3] = KG__NAMED_GRAPHS;
          break;
        case 3:
          pat[3] = src && src[3] != KG__DEFAULT_GRAPH
                       ? src[3]
                       : KG__FIRST_ID + rnd_below(max_id);
          break;
        default:
          pat[3] = KG__FIRST_ID + rnd_below(max_id);
          break;
        }
        check_pattern(s, r, pat);
      }
    }
  }
}

/* ---- terms ---- */

static kg_term make_term(int i, char *buf, size_t size)
{
  kg_term t = {0};
  switch (i % 5) {
  case 0:
    t.kind = KG_TERM_IRI;
    snprintf(buf, size, "http://example.org/r%d", i);
    break;
  case 1:
    t.kind = KG_TERM_BLANK;
    snprintf(buf, size, "b%d", i);
    break;
  case 2:
    t.kind = KG_TERM_LITERAL;
    snprintf(buf, size, "%d", i);
    t.datatype = "http://www.w3.org/2001/XMLSchema#integer";
    break;
  case 3:
    t.kind = KG_TERM_LITERAL;
    snprintf(buf, size, "word %d", i);
    t.lang = i % 2 ? "en" : "de";
    break;
  default:
    t.kind = KG_TERM_LITERAL;
    snprintf(buf, size, "plain %d", i);
    break;
  }
  t.value = buf;
  t.value_len = strlen(buf);
  return t;
}

static void test_terms(kg__store *s)
{
  CHECK(s->ops->begin(s, true) == KG_OK);
  kg_term t = {KG_TERM_IRI, "http://example.org/x", 20, NULL, NULL};
  kg__id a = 0, b = 0, c = 0;
  CHECK(s->ops->lookup(s, &t, &a) == KG_OK && a == KG__NO_ID);
  CHECK(s->ops->intern(s, &t, &a) == KG_OK && a >= KG__FIRST_ID);
  CHECK(s->ops->intern(s, &t, &b) == KG_OK && b == a);
  CHECK(s->ops->lookup(s, &t, &b) == KG_OK && b == a);
  /* the same text as a blank node and as a literal: other terms */
  kg_term bn = {KG_TERM_BLANK, "http://example.org/x", 20, NULL, NULL};
  kg_term lit = {KG_TERM_LITERAL, "http://example.org/x", 20, NULL, NULL};
  CHECK(s->ops->intern(s, &bn, &b) == KG_OK && b != a);
  CHECK(s->ops->intern(s, &lit, &c) == KG_OK && c != a && c != b);
  /* an explicit xsd:string is the simple literal */
  kg_term lit2 = lit;
  lit2.datatype = "http://www.w3.org/2001/XMLSchema#string";
  kg__id d = 0;
  CHECK(s->ops->lookup(s, &lit2, &d) == KG_OK && d == c);
  /* language and datatype make different terms */
  kg_term en = lit;
  en.lang = "en";
  kg_term typed = lit;
  typed.datatype = "http://example.org/dt";
  kg__id e = 0, f = 0;
  CHECK(s->ops->intern(s, &en, &e) == KG_OK && e != c);
  CHECK(s->ops->intern(s, &typed, &f) == KG_OK && f != c && f != e);
  /* a NUL inside a literal is kept */
  kg_term nul = {KG_TERM_LITERAL, "a\0b", 3, NULL, NULL};
  kg__id g = 0;
  CHECK(s->ops->intern(s, &nul, &g) == KG_OK);
  kg_term v;
  CHECK(s->ops->term(s, g, &v) == KG_OK);
  CHECK(v.kind == KG_TERM_LITERAL && v.value_len == 3 &&
        memcmp(v.value, "a\0b", 4) == 0 && !v.datatype && !v.lang);
  CHECK(s->ops->term(s, e, &v) == KG_OK);
  CHECK(strcmp(v.lang, "en") == 0 && !v.datatype);
  CHECK(s->ops->term(s, f, &v) == KG_OK);
  CHECK(strcmp(v.datatype, "http://example.org/dt") == 0 && !v.lang);
  CHECK(s->ops->term(s, a, &v) == KG_OK);
  CHECK(v.kind == KG_TERM_IRI && strcmp(v.value, "http://example.org/x") == 0);
  CHECK(s->ops->term(s, 999999, &v) != KG_OK);
  /* language tags compare without case and are kept in lower case */
  kg_term up = lit;
  up.lang = "EN";
  kg__id h = 0;
  CHECK(s->ops->lookup(s, &up, &h) == KG_OK && h == e);
  CHECK(s->ops->intern(s, &up, &h) == KG_OK && h == e);
  kg_term gb = lit;
  gb.lang = "en-GB";
  kg_term gb2 = lit;
  gb2.lang = "EN-gb";
  CHECK(s->ops->intern(s, &gb, &h) == KG_OK && h != e);
  kg__id h2 = 0;
  CHECK(s->ops->lookup(s, &gb2, &h2) == KG_OK && h2 == h);
  CHECK(s->ops->term(s, h, &v) == KG_OK && strcmp(v.lang, "en-gb") == 0);
  /* an empty literal */
  kg_term empty = {KG_TERM_LITERAL, "", 0, NULL, NULL};
  CHECK(s->ops->intern(s, &empty, &g) == KG_OK);
  CHECK(s->ops->term(s, g, &v) == KG_OK && v.value_len == 0 && !v.value[0]);
  /* many terms: every one comes back */
  char buf[64];
  kg__id ids[3000];
  for (int i = 0; i < 3000; i++) {
    kg_term x = make_term(i, buf, sizeof buf);
    CHECK(s->ops->intern(s, &x, &ids[i]) == KG_OK);
  }
  for (int i = 0; i < 3000; i++) {
    kg_term x = make_term(i, buf, sizeof buf);
    kg__id id = 0;
    CHECK(s->ops->lookup(s, &x, &id) == KG_OK && id == ids[i]);
    CHECK(s->ops->term(s, ids[i], &v) == KG_OK);
    CHECK(kg__term_eq(&v, &x));
  }
  CHECK(s->ops->commit(s) == KG_OK);
  /* writes need a transaction */
  CHECK(s->ops->intern(s, &t, &a) == KG_ERR_ARG);
}

/* Intern `n` terms, returning the first ID (IDs are consecutive in a new
 * store). */
static kg__id make_terms(kg__store *s, int n, kg__id *ids)
{
  char buf[64];
  CHECK(s->ops->begin(s, true) == KG_OK);
  for (int i = 0; i < n; i++) {
    kg_term t = make_term(i, buf, sizeof buf);
    CHECK(s->ops->intern(s, &t, &ids[i]) == KG_OK);
  }
  CHECK(s->ops->commit(s) == KG_OK);
  return ids[0];
}

static void random_quad(const kg__id *ids, int nterms, kg__id q[4])
{
  for (int i = 0; i < 3; i++) {
    q[i] = ids[rnd_below((size_t)nterms)];
  }
  q[3] = rnd_below(3) == 0 ? KG__DEFAULT_GRAPH
                           : ids[rnd_below(8)]; /* few named graphs */
}

static void test_random(kg__store *s, int nterms, int nquads)
{
  kg__id *ids = malloc((size_t)nterms * sizeof *ids);
  CHECK(ids);
  make_terms(s, nterms, ids);
  kg__id max_id = 0;
  for (int i = 0; i < nterms; i++) {
    max_id = ids[i] > max_id ? ids[i] : max_id;
  }
  max_id = max_id - KG__FIRST_ID + 2;
  ref r = {0};

  /* adds, half of them asking whether the store changed */
  CHECK(s->ops->begin(s, true) == KG_OK);
  for (int i = 0; i < nquads; i++) {
    kg__id q[4];
    random_quad(ids, nterms, q);
    bool added = ref_add(&r, q);
    if (i % 2) {
      bool changed = !added;
      CHECK(s->ops->add(s, q, &changed) == KG_OK);
      CHECK(changed == added);
    } else {
      CHECK(s->ops->add(s, q, NULL) == KG_OK);
    }
  }
  /* duplicates change nothing */
  for (int i = 0; i < 50 && r.n; i++) {
    bool changed = true;
    CHECK(s->ops->add(s, r.q[rnd_below(r.n)], &changed) == KG_OK);
    CHECK(!changed);
    CHECK(s->ops->add(s, r.q[rnd_below(r.n)], NULL) == KG_OK);
  }
  CHECK(s->ops->commit(s) == KG_OK);
  check_all_shapes(s, &r, max_id);

  /* removals */
  CHECK(s->ops->begin(s, true) == KG_OK);
  for (int i = 0; i < nquads / 4; i++) {
    kg__id q[4];
    if (r.n && rnd_below(4)) {
      memcpy(q, r.q[rnd_below(r.n)], sizeof q);
    } else {
      random_quad(ids, nterms, q);
    }
    bool there = ref_remove(&r, q);
    bool changed = !there;
    CHECK(s->ops->remove(s, q, &changed) == KG_OK);
    CHECK(changed == there);
  }
  CHECK(s->ops->commit(s) == KG_OK);
  check_all_shapes(s, &r, max_id);

  /* rollback: adds, removals and new terms all undone */
  kg__id before_n = 0;
  kg__id all[4] = {0, 0, 0, 0};
  CHECK(s->ops->count(s, all, &before_n, NULL) == KG_OK);
  CHECK(before_n == r.n);
  CHECK(s->ops->begin(s, true) == KG_OK);
  for (int i = 0; i < nquads / 2; i++) {
    kg__id q[4];
    random_quad(ids, nterms, q);
    CHECK(s->ops->add(s, q, i % 3 ? NULL : &(bool){false}) == KG_OK);
    if (r.n && i % 4 == 0) {
      CHECK(s->ops->remove(s, r.q[rnd_below(r.n)], NULL) == KG_OK);
    }
  }
  kg_term fresh = {KG_TERM_IRI, "http://example.org/fresh", 24, NULL, NULL};
  kg__id fid = 0;
  CHECK(s->ops->intern(s, &fresh, &fid) == KG_OK);
  kg__id fq[4] = {fid, fid, fid, KG__DEFAULT_GRAPH};
  CHECK(s->ops->add(s, fq, NULL) == KG_OK);
  s->ops->rollback(s);
  CHECK(s->ops->lookup(s, &fresh, &fid) == KG_OK && fid == KG__NO_ID);
  check_all_shapes(s, &r, max_id);

  /* a cursor carries on across changes (memory store) */
  if (strcmp(s->ops->name, "native-memory") == 0 && r.n > 10) {
    kg__cursor *c = NULL;
    kg__id q[4];
    CHECK(s->ops->match(s, all, NULL, &c) == KG_OK);
    CHECK(s->ops->next(c, q) == KG_ROW);
    CHECK(s->ops->begin(s, true) == KG_OK);
    kg__id extra[4];
    random_quad(ids, nterms, extra);
    ref_add(&r, extra);
    CHECK(s->ops->add(s, extra, NULL) == KG_OK);
    CHECK(s->ops->commit(s) == KG_OK);
    size_t seen = 1;
    while (s->ops->next(c, q) == KG_ROW) {
      seen++;
    }
    CHECK(seen >= r.n - 1 && seen <= r.n);
    s->ops->cursor_free(c);
  }
  free(r.q);
  free(ids);
}

/* A store holding only named graphs, then only the default graph. */
static void test_graph_rules(kg__store *s)
{
  kg__id ids[8];
  make_terms(s, 8, ids);
  kg__id g1 = ids[0], g2 = ids[5];
  kg__id a = ids[1], p = ids[2], o = ids[3];
  CHECK(s->ops->begin(s, true) == KG_OK);
  kg__id q1[4] = {a, p, o, KG__DEFAULT_GRAPH};
  kg__id q2[4] = {a, p, o, g1};
  kg__id q3[4] = {a, p, o, g2};
  CHECK(s->ops->add(s, q1, NULL) == KG_OK);
  CHECK(s->ops->add(s, q2, NULL) == KG_OK);
  CHECK(s->ops->add(s, q3, NULL) == KG_OK);
  /* the graph position of a quad cannot be a pattern word */
  kg__id bad[4] = {a, p, o, KG__NAMED_GRAPHS};
  CHECK(s->ops->add(s, bad, NULL) == KG_ERR_ARG);
  kg__id bad2[4] = {a, p, 5, KG__DEFAULT_GRAPH};
  CHECK(s->ops->add(s, bad2, NULL) == KG_ERR_ARG);
  CHECK(s->ops->commit(s) == KG_OK);
  uint64_t n = 0;
  kg__id pat[4] = {a, 0, 0, 0};
  CHECK(s->ops->count(s, pat, &n, NULL) == KG_OK && n == 3);
  pat[3] = KG__DEFAULT_GRAPH;
  CHECK(s->ops->count(s, pat, &n, NULL) == KG_OK && n == 1);
  pat[3] = KG__NAMED_GRAPHS;
  CHECK(s->ops->count(s, pat, &n, NULL) == KG_OK && n == 2);
  pat[3] = g2;
  CHECK(s->ops->count(s, pat, &n, NULL) == KG_OK && n == 1);
  pat[3] = ids[4];
  CHECK(s->ops->count(s, pat, &n, NULL) == KG_OK && n == 0);
  /* distinct graphs, in order */
  kg__cursor *c = NULL;
  kg__id all[4] = {0, 0, 0, KG__NAMED_GRAPHS};
  int gorder[] = {3, -1};
  CHECK(s->ops->match(s, all, gorder, &c) == KG_OK);
  kg__id q[4];
  CHECK(s->ops->next(c, q) == KG_ROW && q[3] == g1);
  CHECK(s->ops->next(c, q) == KG_ROW && q[3] == g2);
  CHECK(s->ops->next(c, q) == KG_DONE);
  s->ops->cursor_free(c);
  /* a bad order is refused */
  int twice[] = {0, 0, -1};
  c = NULL;
  CHECK(s->ops->match(s, all, twice, &c) == KG_ERR_ARG && !c);
  /* commit and rollback without a transaction */
  CHECK(s->ops->commit(s) == KG_ERR_ARG);
  s->ops->rollback(s);
  CHECK(s->ops->begin(s, false) == KG_OK);
  CHECK(s->ops->begin(s, false) == KG_ERR_ARG);
  CHECK(s->ops->add(s, q1, NULL) == KG_ERR_ARG);
  CHECK(s->ops->commit(s) == KG_OK);
}

static void test_prefixes(kg__store *s)
{
  CHECK(s->ops->begin(s, true) == KG_OK);
  CHECK(s->ops->save_prefix(s, "ex", "http://example.org/") == KG_OK);
  CHECK(s->ops->save_prefix(s, "", "http://example.org/empty#") == KG_OK);
  CHECK(s->ops->save_prefix(s, "ex", "http://example.org/2/") == KG_OK);
  CHECK(s->ops->commit(s) == KG_OK);
  kg__prefixes p = {0};
  CHECK(s->ops->load_prefixes(s, &p) == KG_OK);
  CHECK(p.n == 2);
  CHECK(strcmp(kg__prefixes_get(&p, "ex"), "http://example.org/2/") == 0);
  CHECK(strcmp(kg__prefixes_get(&p, ""), "http://example.org/empty#") == 0);
  kg__prefixes_free(&p);
}

/* A large load in one transaction, rolled back, then committed. */
static void test_bulk(kg__store *s, int nquads)
{
  kg__id ids[2000];
  make_terms(s, 2000, ids);
  kg__id all[4] = {0, 0, 0, 0};
  for (int round = 0; round < 2; round++) {
    CHECK(s->ops->begin(s, true) == KG_OK);
    uint64_t seed = rng;
    for (int i = 0; i < nquads; i++) {
      kg__id q[4];
      random_quad(ids, 2000, q);
      CHECK(s->ops->add(s, q, NULL) == KG_OK);
    }
    uint64_t n = 0;
    CHECK(s->ops->count(s, all, &n, NULL) == KG_OK);
    CHECK(n > (uint64_t)nquads * 9 / 10 && n <= (uint64_t)nquads);
    if (round == 0) {
      s->ops->rollback(s);
      CHECK(s->ops->count(s, all, &n, NULL) == KG_OK && n == 0);
      rng = seed;
    } else {
      CHECK(s->ops->commit(s) == KG_OK);
      /* everything in every index */
      kg__id pat[4] = {0, ids[1], 0, 0};
      uint64_t by_p = 0;
      CHECK(s->ops->count(s, pat, &by_p, NULL) == KG_OK);
      kg__cursor *c = NULL;
      CHECK(s->ops->match(s, pat, NULL, &c) == KG_OK);
      kg__id q[4];
      uint64_t m = 0;
      while (s->ops->next(c, q) == KG_ROW) {
        CHECK(q[1] == ids[1]);
        m++;
      }
      s->ops->cursor_free(c);
      CHECK(m == by_p && m > 0);
    }
  }
}

/* Ranges over many pages of one key's duplicates (LMDB counts them a
 * page at a time). */
static void test_wide_ranges(kg__store *s)
{
  kg__id ids[300];
  make_terms(s, 300, ids);
  ref r = {0};
  CHECK(s->ops->begin(s, true) == KG_OK);
  for (int i = 0; i < 20000; i++) {
    kg__id q[4] = {ids[0], ids[1 + rnd_below(40)], ids[50 + rnd_below(250)],
                   i % 2 ? ids[0] : KG__DEFAULT_GRAPH};
    ref_add(&r, q);
    CHECK(s->ops->add(s, q, NULL) == KG_OK);
  }
  CHECK(s->ops->commit(s) == KG_OK);
  for (int i = 0; i < 60; i++) {
    kg__id pat[4] = {ids[0], 0, 0, 0};
    if (i % 3 == 1) {
      pat[1] = ids[1 + rnd_below(45)];
    }
    if (i % 3 == 2) {
      pat[2] = ids[50 + rnd_below(250)];
    }
    pat[3] = i % 4 == 0   ? 0
             : i % 4 == 1 ? ids[0]
             : i % 4 == 2 ? KG__DEFAULT_GRAPH
                          : KG__NAMED_GRAPHS;
    check_pattern(s, &r, pat);
  }
  free(r.q);
}

typedef kg_status (*opener)(kg__store **out);

static void run_all(const char *what, opener open)
{
  kg__store *s = NULL;
  CHECK(open(&s) == KG_OK);
  test_terms(s);
  s->ops->close(s);

  CHECK(open(&s) == KG_OK);
  test_graph_rules(s);
  test_prefixes(s);
  s->ops->close(s);

  CHECK(open(&s) == KG_OK);
  test_random(s, 40, 600);
  s->ops->close(s);

  CHECK(open(&s) == KG_OK);
  test_random(s, 400, 3000);
  s->ops->close(s);

  CHECK(open(&s) == KG_OK);
  test_wide_ranges(s);
  s->ops->close(s);

  CHECK(open(&s) == KG_OK);
  test_bulk(s, 200000);
  s->ops->close(s);
  printf("%s: ok\n", what);
}

static char tmpdir[] = "/tmp/kgraph-store-test-XXXXXX";
static int nstores;

static kg_status open_lmdb(kg__store **out)
{
  char path[256];
  snprintf(path, sizeof path, "%s/s%d.db", tmpdir, nstores++);
  kg__err err = {0};
  kg_status st = kg__lmdb_store_open(path, KG__LMDB_CREATE, &err, out);
  if (st != KG_OK) {
    fprintf(stderr, "%s: %s\n", path, err.msg);
  }
  kg__err_clear(&err);
  return st;
}

/* LMDB: what is committed is there after reopening, in another handle;
 * a second writer is refused; read-only handles cannot write. */
static void test_lmdb_files(void)
{
  char path[256];
  snprintf(path, sizeof path, "%s/files.db", tmpdir);
  kg__err err = {0};
  kg__store *s = NULL;
  CHECK(kg__lmdb_store_open(path, 0, &err, &s) == KG_ERR_IO);
  CHECK(strcmp(err.msg, "no such store (create it with kgraph load)") == 0);
  kg__err_clear(&err);
  CHECK(kg__lmdb_store_open(path, KG__LMDB_CREATE, &err, &s) == KG_OK);
  kg__id ids[10];
  make_terms(s, 10, ids);
  CHECK(s->ops->begin(s, true) == KG_OK);
  kg__id q[4] = {ids[0], ids[1], ids[2], KG__DEFAULT_GRAPH};
  kg__id q2[4] = {ids[0], ids[1], ids[2], ids[3]};
  CHECK(s->ops->add(s, q, NULL) == KG_OK);
  CHECK(s->ops->add(s, q2, NULL) == KG_OK);
  kg_term fr = {KG_TERM_LITERAL, "chat", 4, NULL, "fr-CA"};
  kg__id fr_id = 0;
  CHECK(s->ops->intern(s, &fr, &fr_id) == KG_OK);
  CHECK(s->ops->save_prefix(s, "", "http://example.org/") == KG_OK);
  /* a second handle on the same file cannot write meanwhile */
  kg__store *s2 = NULL;
  CHECK(kg__lmdb_store_open(path, 0, &err, &s2) == KG_OK);
  CHECK(s2->ops->begin(s2, true) == KG_ERR_STORE);
  CHECK(strcmp(s2->err.msg, "store is locked") == 0);
  /* and does not see what is not committed */
  kg__id all[4] = {0, 0, 0, 0};
  uint64_t n = 9;
  CHECK(s2->ops->count(s2, all, &n, NULL) == KG_OK && n == 0);
  CHECK(s->ops->commit(s) == KG_OK);
  CHECK(s2->ops->count(s2, all, &n, NULL) == KG_OK && n == 2);
  CHECK(s2->ops->begin(s2, true) == KG_OK);
  CHECK(s2->ops->commit(s2) == KG_OK);
  s2->ops->close(s2);
  s->ops->close(s);

  CHECK(kg__lmdb_store_open(path, KG__LMDB_READONLY, &err, &s) == KG_OK);
  CHECK(s->ops->count(s, all, &n, NULL) == KG_OK && n == 2);
  kg_term t;
  CHECK(s->ops->term(s, ids[3], &t) == KG_OK);
  char buf[64];
  kg_term want = make_term(3, buf, sizeof buf);
  CHECK(kg__term_eq(&t, &want));
  /* found on disk without case, recorded in lower case */
  kg_term fr2 = {KG_TERM_LITERAL, "chat", 4, NULL, "FR-ca"};
  kg__id fr2_id = 0;
  CHECK(s->ops->lookup(s, &fr2, &fr2_id) == KG_OK && fr2_id == fr_id);
  CHECK(s->ops->term(s, fr_id, &t) == KG_OK && strcmp(t.lang, "fr-ca") == 0);
  kg__prefixes p = {0};
  CHECK(s->ops->load_prefixes(s, &p) == KG_OK);
  CHECK(p.n == 1 &&
        strcmp(kg__prefixes_get(&p, ""), "http://example.org/") == 0);
  kg__prefixes_free(&p);
  CHECK(s->ops->begin(s, true) == KG_ERR_DENIED);
  s->ops->close(s);

  /* a file that is not a store is refused and left alone */
  snprintf(path, sizeof path, "%s/text.db", tmpdir);
  FILE *f = fopen(path, "w");
  CHECK(f);
  fputs("just text, long enough to be looked at\n", f);
  fclose(f);
  CHECK(kg__lmdb_store_open(path, KG__LMDB_CREATE, &err, &s) == KG_ERR_STORE);
  CHECK(strcmp(err.msg, "not a kgraph store (no LMDB header)") == 0);
  kg__err_clear(&err);
  f = fopen(path, "r");
  CHECK(f && fgets(buf, sizeof buf, f));
  fclose(f);
  CHECK(strcmp(buf, "just text, long enough to be looked at\n") == 0);
  CHECK(kg__lmdb_store_open(tmpdir, KG__LMDB_CREATE, &err, &s) == KG_ERR_IO);
  kg__err_clear(&err);
}

/* The "kgraph" librdf storage module reads and writes a native store. */
static void test_librdf_module(void)
{
  kg__store *s = NULL;
  CHECK(kg__memory_store_open(&s) == KG_OK);
  kg__id ids[8];
  make_terms(s, 8, ids); /* 0 IRI, 1 blank, 2 typed, 3 lang, 4 plain, 5 IRI */
  CHECK(s->ops->begin(s, true) == KG_OK);
  kg__id q1[4] = {ids[0], ids[5], ids[2], KG__DEFAULT_GRAPH};
  kg__id q2[4] = {ids[1], ids[5], ids[3], ids[0]};
  kg__id q3[4] = {ids[1], ids[5], ids[4], ids[0]};
  CHECK(s->ops->add(s, q1, NULL) == KG_OK);
  CHECK(s->ops->add(s, q2, NULL) == KG_OK);
  CHECK(s->ops->add(s, q3, NULL) == KG_OK);
  CHECK(s->ops->commit(s) == KG_OK);

  CHECK(kg__redland_acquire() == KG_OK);
  librdf_world *w = kg__rdf_world();
  librdf_storage *storage = NULL;
  librdf_model *model = NULL;
  CHECK(kg__librdf_module_model(s, &storage, &model) == KG_OK);
  CHECK(librdf_model_size(model) == 3);
  /* every statement, with its graph */
  librdf_stream *st = librdf_model_as_stream(model);
  int n = 0, in_graph = 0;
  while (!librdf_stream_end(st)) {
    CHECK(librdf_stream_get_object(st));
    in_graph += librdf_stream_get_context2(st) != NULL;
    n++;
    librdf_stream_next(st);
  }
  librdf_free_stream(st);
  CHECK(n == 3 && in_graph == 2);
  /* a pattern, in one graph */
  kg_term t;
  CHECK(s->ops->term(s, ids[0], &t) == KG_OK);
  librdf_node *g = kg__node_from_term(&t);
  librdf_statement *pat = librdf_new_statement(w);
  CHECK(s->ops->term(s, ids[1], &t) == KG_OK);
  librdf_statement_set_subject(pat, kg__node_from_term(&t));
  st = librdf_model_find_statements_in_context(model, pat, g);
  n = 0;
  while (!librdf_stream_end(st)) {
    kg_term o;
    kg__term_view(librdf_statement_get_object(librdf_stream_get_object(st)),
                  &o);
    CHECK(o.kind == KG_TERM_LITERAL);
    n++;
    librdf_stream_next(st);
  }
  librdf_free_stream(st);
  CHECK(n == 2);
  librdf_free_statement(pat);
  /* contexts */
  librdf_iterator *it = librdf_model_get_contexts(model);
  n = 0;
  while (!librdf_iterator_end(it)) {
    CHECK(librdf_node_equals(librdf_iterator_get_object(it), g));
    n++;
    librdf_iterator_next(it);
  }
  librdf_free_iterator(it);
  CHECK(n == 1);
  /* writing through librdf */
  librdf_node *a = librdf_new_node_from_uri_string(
      w, (const unsigned char *)"http://example.org/new");
  librdf_statement *ns = librdf_new_statement_from_nodes(
      w, librdf_new_node_from_node(a), librdf_new_node_from_node(a),
      librdf_new_node_from_node(a));
  CHECK(librdf_model_contains_statement(model, ns) == 0);
  CHECK(librdf_model_context_add_statement(model, g, ns) == 0);
  CHECK(librdf_model_contains_statement(model, ns) != 0);
  CHECK(librdf_model_size(model) == 4);
  CHECK(librdf_model_context_remove_statement(model, g, ns) == 0);
  CHECK(librdf_model_size(model) == 3);
  librdf_free_statement(ns);
  librdf_free_node(a);
  librdf_free_node(g);
  librdf_free_model(model);
  librdf_free_storage(storage);
  kg__redland_release();
  s->ops->close(s);
}

int main(void)
{
  run_all("memory", kg__memory_store_open);
  test_librdf_module();
  CHECK(mkdtemp(tmpdir));
  run_all("lmdb", open_lmdb);
  test_lmdb_files();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  CHECK(system(cmd) == 0);
  return 0;
}
