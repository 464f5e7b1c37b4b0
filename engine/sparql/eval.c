/* The iterators of the evaluator and the state of a running query. */
#include "eval.h"
#include "rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- runtime ---- */

uint64_t kg__now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

kg_status kg__rt_init(kg__rt *rt, kg__store *store, size_t width)
{
  memset(rt, 0, sizeof *rt);
  rt->v.store = store;
  rt->width = width;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(rt->now, sizeof rt->now, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, (int)(ts.tv_nsec / 1000000));
  rt->rand_state = (uint64_t)ts.tv_nsec * UINT64_C(6364136223846793005) +
                   (uint64_t)ts.tv_sec + 1;
  return KG_OK;
}

void kg__rt_free(kg__rt *rt)
{
  kg__vctx_free(&rt->v);
  free(rt->from);
  free(rt->named);
  free(rt->graphs);
  kg__bnode_map_free(rt->bmap);
  memset(rt, 0, sizeof *rt);
}

kg_status kg__rt_fail(kg__rt *rt, kg_status st, const char *fmt, ...)
{
  if (rt->stop == KG_OK) {
    rt->stop = st;
  }
  if (rt->err && rt->err->status == KG_OK) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kg__err_set(rt->err, st, 0, 0, "%s", msg);
  }
  return rt->stop;
}

kg_status kg__rt_store_fail(kg__rt *rt, kg_status st)
{
  return kg__rt_fail(
      rt, st, "%s", st == KG_ERR_NOMEM ? "out of memory" : "store read failed");
}

kg_status kg__rt_check(kg__rt *rt)
{
  if (rt->stop != KG_OK) {
    return rt->stop;
  }
  if (rt->v.failure != KG_OK) {
    return kg__rt_fail(rt, rt->v.failure, "%s", kg_strstatus(rt->v.failure));
  }
  if (rt->v.arena.failed) {
    return kg__rt_fail(rt, KG_ERR_NOMEM, "out of memory");
  }
  if ((rt->cancel && atomic_load(rt->cancel)) ||
      (rt->interrupt && atomic_load(rt->interrupt))) {
    return kg__rt_fail(rt, KG_ERR_LIMIT, "query interrupted");
  }
  if (rt->deadline_ms && kg__now_ms() > rt->deadline_ms) {
    return kg__rt_fail(rt, KG_ERR_LIMIT, "query timed out after %llu ms",
                       (unsigned long long)rt->timeout_ms);
  }
  return KG_OK;
}

static int vid_cmp(const void *a, const void *b)
{
  kg__vid x = *(const kg__vid *)a;
  kg__vid y = *(const kg__vid *)b;
  return x < y ? -1 : x > y;
}

kg_status kg__rt_graphs(kg__rt *rt, const kg__vid **ids, size_t *n)
{
  if (!rt->graphs_listed) {
    kg__store *s = rt->v.store;
    kg__id pat[4] = {0, 0, 0, KG__NAMED_GRAPHS};
    static const int order[] = {3, -1};
    kg__cursor *c = NULL;
    kg_status st = s->ops->match(s, pat, order, &c);
    bool sorted = st == KG_OK;
    if (st == KG_ERR_ARG) {
      st = s->ops->match(s, pat, NULL, &c);
    }
    if (st != KG_OK) {
      return kg__rt_fail(rt, st, "cannot list the graphs of the store");
    }
    kg__id q[4];
    size_t cap = 0;
    while ((st = s->ops->next(c, q)) == KG_ROW) {
      if ((st = kg__rt_tick(rt)) != KG_OK) {
        break;
      }
      if (rt->ngraphs && rt->graphs[rt->ngraphs - 1] == q[3]) {
        continue;
      }
      if (!sorted) {
        bool seen = false;
        for (size_t i = 0; i < rt->ngraphs && !seen; i++) {
          seen = rt->graphs[i] == q[3];
        }
        if (seen) {
          continue;
        }
      }
      if (rt->ngraphs == cap) {
        cap = cap ? cap * 2 : 16;
        kg__vid *g = realloc(rt->graphs, cap * sizeof *g);
        if (!g) {
          st = KG_ERR_NOMEM;
          break;
        }
        rt->graphs = g;
      }
      rt->graphs[rt->ngraphs++] = q[3];
    }
    s->ops->cursor_free(c);
    if (st != KG_DONE) {
      return st == KG_ERR_NOMEM ? kg__rt_fail(rt, st, "out of memory") : st;
    }
    if (rt->ngraphs > 1) {
      qsort(rt->graphs, rt->ngraphs, sizeof *rt->graphs, vid_cmp);
    }
    rt->graphs_listed = true;
  }
  if (rt->from_named) {
    *ids = rt->named;
    *n = rt->nnamed;
  } else {
    *ids = rt->graphs;
    *n = rt->ngraphs;
  }
  return KG_OK;
}

bool kg__rt_is_named(kg__rt *rt, kg__vid g)
{
  if (g == 0 || (g & KG__VID_LOCAL) || g == KG__DEFAULT_GRAPH) {
    return false;
  }
  if (rt->from_named) {
    for (size_t i = 0; i < rt->nnamed; i++) {
      if (rt->named[i] == g) {
        return true;
      }
    }
    return false;
  }
  kg__store *s = rt->v.store;
  kg__id pat[4] = {0, 0, 0, g};
  uint64_t n = 0;
  bool exact = false;
  return s->ops->count(s, pat, &n, &exact) == KG_OK && n > 0;
}

/* ---- datasets ---- */

static kg_status resolve_graphs(
    kg__rt *rt, const kg_term *iris, size_t n, kg__vid **out, size_t *nout)
{
  *out = calloc(n ? n : 1, sizeof **out);
  *nout = 0;
  if (!*out) {
    return KG_ERR_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    kg__vid id = kg__vctx_lookup(&rt->v, &iris[i]);
    if (rt->v.failure != KG_OK) {
      return rt->v.failure;
    }
    bool dup = false;
    for (size_t k = 0; k < *nout && !dup; k++) {
      dup = (*out)[k] == id;
    }
    if (id && !dup) {
      (*out)[(*nout)++] = id;
    }
  }
  return KG_OK;
}

kg_status kg__rt_dataset(kg__rt *rt, const kg__query *q)
{
  if (!q->has_dataset) {
    return KG_OK;
  }
  rt->from_default = true;
  kg_status st = resolve_graphs(rt, q->from, q->nfrom, &rt->from, &rt->nfrom);
  if (st == KG_OK && !q->named_all) {
    rt->from_named = true;
    st = resolve_graphs(rt, q->from_named, q->nfrom_named, &rt->named,
                        &rt->nnamed);
  }
  return st;
}

/* ---- slots ---- */

kg_status kg__slots_of(const kg__vars *s, kg__slots *out)
{
  out->v = NULL;
  out->n = 0;
  size_t cap = 0;
  for (size_t w = 0; w < s->nw; w++) {
    for (unsigned b = 0; b < 64; b++) {
      if (!((s->w[w] >> b) & 1u)) {
        continue;
      }
      if (out->n == cap) {
        cap = cap ? cap * 2 : 8;
        int *v = realloc(out->v, cap * sizeof *v);
        if (!v) {
          kg__slots_free(out);
          return KG_ERR_NOMEM;
        }
        out->v = v;
      }
      out->v[out->n++] = (int)(w * 64 + b);
    }
  }
  return KG_OK;
}

void kg__slots_free(kg__slots *s)
{
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

/* ---- row sets ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
  h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
  return h;
}

uint64_t kg__rows_hash(const kg__vid *row, const int *cols, size_t ncols)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < ncols; i++) {
    h = mix(h, row[cols[i]] * UINT64_C(0xff51afd7ed558ccd));
  }
  return h;
}

kg_status kg__rows_push(kg__rows *s, const kg__vid *row)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    kg__vid *r = realloc(s->rows, cap * s->width * sizeof *r);
    if (!r) {
      return KG_ERR_NOMEM;
    }
    s->rows = r;
    s->cap = cap;
  }
  memcpy(s->rows + s->n * s->width, row, s->width * sizeof *row);
  s->n++;
  return KG_OK;
}

kg_status kg__rows_index(kg__rows *s, const int *keys, size_t nkeys)
{
  free(s->heads);
  free(s->chain);
  s->heads = NULL;
  s->chain = NULL;
  s->keys = keys;
  s->nkeys = nkeys;
  if (!nkeys) {
    return KG_OK;
  }
  size_t nb = 16;
  while (nb < s->n * 2) {
    nb *= 2;
  }
  s->heads = calloc(nb, sizeof *s->heads);
  s->chain = calloc(s->n ? s->n : 1, sizeof *s->chain);
  if (!s->heads || !s->chain) {
    return KG_ERR_NOMEM;
  }
  s->nb = nb;
  for (size_t i = s->n; i-- > 0;) {
    size_t b = (size_t)kg__rows_hash(kg__rows_at(s, i), keys, nkeys) & (nb - 1);
    s->chain[i] = s->heads[b];
    s->heads[b] = i + 1;
  }
  return KG_OK;
}

size_t kg__rows_first(const kg__rows *s, const kg__vid *probe)
{
  size_t b = (size_t)kg__rows_hash(probe, s->keys, s->nkeys) & (s->nb - 1);
  return s->heads[b];
}

void kg__rows_free(kg__rows *s)
{
  free(s->rows);
  free(s->heads);
  free(s->chain);
  memset(s, 0, sizeof *s);
}

kg_status kg__tupset_add(kg__tupset *t, const kg__vid *tup, bool *added)
{
  size_t index;
  return kg__tupset_put(t, tup, &index, added);
}

/* A set of tuples: find or add; `index` is the tuple's number. */
kg_status
kg__tupset_put(kg__tupset *t, const kg__vid *tup, size_t *index, bool *added)
{
  if ((t->n + 1) * 2 > t->nslots) {
    size_t ns = t->nslots ? t->nslots * 2 : 64;
    size_t *slots = calloc(ns, sizeof *slots);
    if (!slots) {
      return KG_ERR_NOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
      size_t h =
          (size_t)kg__rows_hash(t->data + i * t->width, t->cols, t->width) &
          (ns - 1);
      while (slots[h]) {
        h = (h + 1) & (ns - 1);
      }
      slots[h] = i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
  }
  size_t h = (size_t)kg__rows_hash(tup, t->cols, t->width) & (t->nslots - 1);
  while (t->slots[h]) {
    const kg__vid *o = t->data + (t->slots[h] - 1) * t->width;
    if (memcmp(o, tup, t->width * sizeof *tup) == 0) {
      *index = t->slots[h] - 1;
      *added = false;
      return KG_OK;
    }
    h = (h + 1) & (t->nslots - 1);
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    kg__vid *d = realloc(t->data, cap * t->width * sizeof *d + 1);
    if (!d) {
      return KG_ERR_NOMEM;
    }
    t->data = d;
    t->cap = cap;
  }
  if (t->width) {
    memcpy(t->data + t->n * t->width, tup, t->width * sizeof *tup);
  }
  *index = t->n;
  t->slots[h] = ++t->n;
  *added = true;
  return KG_OK;
}

kg_status kg__tupset_init(kg__tupset *t, size_t width)
{
  memset(t, 0, sizeof *t);
  t->width = width;
  t->cols = malloc((width ? width : 1) * sizeof *t->cols);
  if (!t->cols) {
    return KG_ERR_NOMEM;
  }
  for (size_t i = 0; i < width; i++) {
    t->cols[i] = (int)i;
  }
  return KG_OK;
}

void kg__tupset_free(kg__tupset *t)
{
  free(t->data);
  free(t->slots);
  free(t->cols);
  memset(t, 0, sizeof *t);
}

/* ---- generic ---- */

void kg__it_free(kg__it *it)
{
  if (it) {
    (it->ops->free)(it); /* parenthesised: free() is a macro (alloc.h) */
  }
}

static size_t row_bytes(const kg__rt *rt)
{
  return (rt->width ? rt->width : 1) * sizeof(kg__vid);
}

static kg__vid *row_new(const kg__rt *rt)
{
  return calloc(rt->width ? rt->width : 1, sizeof(kg__vid));
}

static void *it_alloc(kg__rt *rt, size_t size, const kg__it_ops *ops)
{
  kg__it *it = calloc(1, size);
  if (it) {
    it->ops = ops;
    it->rt = rt;
  }
  return it;
}

/* Merge `add` into `row` when compatible on `slots`; false otherwise. */
static bool merge(kg__vid *row, const kg__vid *add, const kg__slots *slots)
{
  for (size_t i = 0; i < slots->n; i++) {
    int s = slots->v[i];
    if (add[s] && row[s] && add[s] != row[s]) {
      return false;
    }
  }
  for (size_t i = 0; i < slots->n; i++) {
    int s = slots->v[i];
    if (add[s]) {
      row[s] = add[s];
    }
  }
  return true;
}

/* ---- unit and empty ---- */

typedef struct unit_it {
  kg__it base;
  kg__vid *in;
  bool done;
} unit_it;

static kg_status unit_open(kg__it *it, const kg__vid *in)
{
  unit_it *u = (unit_it *)it;
  memcpy(u->in, in, row_bytes(it->rt));
  u->done = false;
  return KG_OK;
}

static kg_status unit_next(kg__it *it, kg__vid *out)
{
  unit_it *u = (unit_it *)it;
  if (u->done) {
    return KG_DONE;
  }
  u->done = true;
  memcpy(out, u->in, row_bytes(it->rt));
  return KG_ROW;
}

static void unit_free(kg__it *it)
{
  free(((unit_it *)it)->in);
  free(it);
}

static const kg__it_ops unit_ops = {unit_open, unit_next, unit_free};

kg__it *kg__it_unit(kg__rt *rt)
{
  unit_it *u = it_alloc(rt, sizeof *u, &unit_ops);
  if (u && !(u->in = row_new(rt))) {
    free(u);
    u = NULL;
  }
  return u ? &u->base : NULL;
}

static kg_status empty_open(kg__it *it, const kg__vid *in)
{
  (void)it;
  (void)in;
  return KG_OK;
}

static kg_status empty_next(kg__it *it, kg__vid *out)
{
  (void)it;
  (void)out;
  return KG_DONE;
}

static void plain_free(kg__it *it)
{
  free(it);
}

static const kg__it_ops empty_ops = {empty_open, empty_next, plain_free};

kg__it *kg__it_empty(kg__rt *rt)
{
  return it_alloc(rt, sizeof(kg__it), &empty_ops);
}

/* ---- scan of one quad pattern ---- */

typedef struct scan_it {
  kg__it base;
  const kg__quadpat *p;
  kg__vid *in;
  kg__id pat[4];
  kg__cursor *cur;
  /* graphs to go through one by one (FROM, FROM NAMED): */
  const kg__vid *glist;
  size_t gn;
  size_t gi;
  bool merge_default; /* FROM with several graphs: drop repeats */
  bool merge_union;   /* the union of all graphs: drop repeats */
  bool bind_graph;    /* the graph slot takes each quad's graph */
  bool done;
} scan_it;

static void scan_close(scan_it *s)
{
  if (s->cur) {
    s->base.rt->v.store->ops->cursor_free(s->cur);
    s->cur = NULL;
  }
}

static kg_status scan_open(kg__it *it, const kg__vid *in)
{
  scan_it *s = (scan_it *)it;
  kg__rt *rt = it->rt;
  scan_close(s);
  memcpy(s->in, in, row_bytes(rt));
  s->done = false;
  s->glist = NULL;
  s->gn = s->gi = 0;
  s->merge_default = false;
  s->merge_union = false;
  s->bind_graph = false;
  for (int k = 0; k < 3; k++) {
    const kg__pterm *t = &s->p->t[k];
    kg__vid id = t->var >= 0 ? in[t->var] : t->id;
    if ((t->var < 0 && id == 0) || (id & KG__VID_LOCAL)) {
      s->done = true; /* a term the store does not hold */
      return KG_OK;
    }
    s->pat[k] = id;
  }
  const kg__graph *g = &s->p->graph;
  if (g->mode == KG__G_DEFAULT) {
    if (!rt->from_default && rt->union_default) {
      s->pat[3] = 0;
      s->merge_union = true;
    } else if (!rt->from_default) {
      s->pat[3] = KG__DEFAULT_GRAPH;
    } else if (rt->nfrom == 0) {
      s->done = true;
      return KG_OK;
    } else {
      s->glist = rt->from;
      s->gn = rt->nfrom;
      s->merge_default = rt->nfrom > 1;
    }
  } else {
    kg__vid id = g->g.var >= 0 ? in[g->g.var] : g->g.id;
    if (id) {
      if (!kg__rt_is_named(rt, id)) {
        s->done = true;
        return KG_OK;
      }
      s->pat[3] = id;
    } else if (g->g.var < 0) {
      s->done = true;
      return KG_OK;
    } else {
      s->bind_graph = true;
      if (rt->from_named) {
        s->glist = rt->named;
        s->gn = rt->nnamed;
        if (!s->gn) {
          s->done = true;
          return KG_OK;
        }
      } else {
        s->pat[3] = KG__NAMED_GRAPHS;
      }
    }
  }
  if (s->glist) {
    s->pat[3] = s->glist[0];
  }
  kg__store *st = rt->v.store;
  kg_status r = st->ops->match(st, s->pat, NULL, &s->cur);
  if (r != KG_OK) {
    return kg__rt_store_fail(rt, r);
  }
  return KG_OK;
}

/* Is `q` the triple's first occurrence (lowest graph ID) in the store? */
static bool first_in_union(scan_it *s, const kg__id q[4])
{
  kg__store *st = s->base.rt->v.store;
  kg__id p[4] = {q[0], q[1], q[2], 0};
  uint64_t n = 0;
  bool exact = false;
  if (st->ops->count(st, p, &n, &exact) == KG_OK && exact && n <= 1) {
    return true;
  }
  kg__cursor *c = NULL;
  if (st->ops->match(st, p, NULL, &c) != KG_OK) {
    return true;
  }
  kg__id o[4];
  kg__id min = q[3];
  while (st->ops->next(c, o) == KG_ROW) {
    if (o[3] < min) {
      min = o[3];
    }
  }
  st->ops->cursor_free(c);
  return min == q[3];
}

/* A triple of the merged default graph already seen in an earlier graph. */
static bool seen_before(scan_it *s, const kg__id q[4])
{
  kg__store *st = s->base.rt->v.store;
  for (size_t i = 0; i < s->gi; i++) {
    kg__id p[4] = {q[0], q[1], q[2], s->glist[i]};
    uint64_t n = 0;
    bool exact = false;
    if (st->ops->count(st, p, &n, &exact) == KG_OK && n > 0) {
      return true;
    }
  }
  return false;
}

static kg_status scan_next(kg__it *it, kg__vid *out)
{
  scan_it *s = (scan_it *)it;
  kg__rt *rt = it->rt;
  kg__store *st = rt->v.store;
  if (s->done) {
    return KG_DONE;
  }
  for (;;) {
    kg_status r = kg__rt_tick(rt);
    if (r != KG_OK) {
      return r;
    }
    kg__id q[4];
    r = st->ops->next(s->cur, q);
    if (r == KG_DONE) {
      scan_close(s);
      if (s->glist && ++s->gi < s->gn) {
        s->pat[3] = s->glist[s->gi];
        r = st->ops->match(st, s->pat, NULL, &s->cur);
        if (r != KG_OK) {
          return kg__rt_store_fail(rt, r);
        }
        continue;
      }
      s->done = true;
      return KG_DONE;
    }
    if (r != KG_ROW) {
      return kg__rt_store_fail(rt, r);
    }
    memcpy(out, s->in, row_bytes(rt));
    bool ok = true;
    for (int k = 0; k < 3 && ok; k++) {
      int v = s->p->t[k].var;
      if (v >= 0) {
        if (out[v] && out[v] != q[k]) {
          ok = false;
        }
        out[v] = q[k];
      }
    }
    if (ok && s->bind_graph) {
      int v = s->p->graph.g.var;
      if (out[v] && out[v] != q[3]) {
        ok = false;
      }
      out[v] = q[3];
    }
    if (!ok || (s->merge_default && s->gi > 0 && seen_before(s, q)) ||
        (s->merge_union && !first_in_union(s, q))) {
      continue;
    }
    return KG_ROW;
  }
}

static void scan_free(kg__it *it)
{
  scan_it *s = (scan_it *)it;
  scan_close(s);
  free(s->in);
  free(s);
}

static const kg__it_ops scan_ops = {scan_open, scan_next, scan_free};

kg__it *kg__it_scan(kg__rt *rt, const kg__quadpat *p)
{
  scan_it *s = it_alloc(rt, sizeof *s, &scan_ops);
  if (s) {
    s->p = p;
    s->done = true;
    if (!(s->in = row_new(rt))) {
      free(s);
      s = NULL;
    }
  }
  return s ? &s->base : NULL;
}

/* ---- join: for each row of a, the rows of b opened with it ---- */

typedef struct join_it {
  kg__it base;
  kg__it *a, *b;
  kg__vid *arow;
  bool have_a;
} join_it;

static kg_status join_open(kg__it *it, const kg__vid *in)
{
  join_it *j = (join_it *)it;
  j->have_a = false;
  return kg__it_open(j->a, in);
}

static kg_status join_next(kg__it *it, kg__vid *out)
{
  join_it *j = (join_it *)it;
  for (;;) {
    if (j->have_a) {
      kg_status r = kg__it_next(j->b, out);
      if (r != KG_DONE) {
        return r;
      }
      j->have_a = false;
    }
    kg_status r = kg__it_next(j->a, j->arow);
    if (r != KG_ROW) {
      return r;
    }
    r = kg__it_open(j->b, j->arow);
    if (r != KG_OK) {
      return r;
    }
    j->have_a = true;
  }
}

static void join_free(kg__it *it)
{
  join_it *j = (join_it *)it;
  kg__it_free(j->a);
  kg__it_free(j->b);
  free(j->arow);
  free(j);
}

static const kg__it_ops join_ops = {join_open, join_next, join_free};

kg__it *kg__it_join(kg__rt *rt, kg__it *a, kg__it *b)
{
  join_it *j = a && b ? it_alloc(rt, sizeof *j, &join_ops) : NULL;
  if (j && !(j->arow = row_new(rt))) {
    free(j);
    j = NULL;
  }
  if (!j) {
    kg__it_free(a);
    kg__it_free(b);
    return NULL;
  }
  j->a = a;
  j->b = b;
  return &j->base;
}

/* ---- a chain of joins, without recursion ---- */

typedef struct chain_it {
  kg__it base;
  kg__it **its;
  size_t n;
  kg__vid *rows; /* one row per level */
  size_t level;  /* levels open: 0 .. level-1 have rows pending */
  bool started;
} chain_it;

static kg_status chain_open(kg__it *it, const kg__vid *in)
{
  chain_it *c = (chain_it *)it;
  c->level = 1;
  return kg__it_open(c->its[0], in);
}

static kg_status chain_next(kg__it *it, kg__vid *out)
{
  chain_it *c = (chain_it *)it;
  size_t w = it->rt->width ? it->rt->width : 1;
  while (c->level > 0) {
    size_t l = c->level - 1;
    kg__vid *row = l + 1 == c->n ? out : c->rows + l * w;
    kg_status r = kg__it_next(c->its[l], row);
    if (r == KG_DONE) {
      c->level--;
      continue;
    }
    if (r != KG_ROW) {
      return r;
    }
    if (l + 1 == c->n) {
      return KG_ROW;
    }
    r = kg__it_open(c->its[l + 1], row);
    if (r != KG_OK) {
      return r;
    }
    c->level++;
  }
  return KG_DONE;
}

static void chain_free(kg__it *it)
{
  chain_it *c = (chain_it *)it;
  for (size_t i = 0; i < c->n; i++) {
    kg__it_free(c->its[i]);
  }
  free(c->its);
  free(c->rows);
  free(c);
}

static const kg__it_ops chain_ops = {chain_open, chain_next, chain_free};

kg__it *kg__it_chain(kg__rt *rt, kg__it **its, size_t n)
{
  chain_it *c = n ? it_alloc(rt, sizeof *c, &chain_ops) : NULL;
  bool ok = c != NULL;
  for (size_t i = 0; i < n; i++) {
    ok = ok && its[i];
  }
  if (ok) {
    c->its = malloc(n * sizeof *c->its);
    c->rows = calloc(n * (rt->width ? rt->width : 1), sizeof *c->rows);
    ok = c->its && c->rows;
  }
  if (!ok) {
    for (size_t i = 0; i < n; i++) {
      kg__it_free(its[i]);
    }
    if (c) {
      free(c->its);
      free(c->rows);
      free(c);
    }
    return NULL;
  }
  memcpy(c->its, its, n * sizeof *its);
  c->n = n;
  return &c->base;
}

/* ---- left join ---- */

typedef struct leftjoin_it {
  kg__it base;
  kg__it *a, *b;
  kg__expr *const *exprs;
  size_t nexprs;
  kg__vid *arow;
  bool have_a;
  bool matched;
} leftjoin_it;

static kg_status leftjoin_open(kg__it *it, const kg__vid *in)
{
  leftjoin_it *j = (leftjoin_it *)it;
  j->have_a = false;
  return kg__it_open(j->a, in);
}

static kg_status leftjoin_next(kg__it *it, kg__vid *out)
{
  leftjoin_it *j = (leftjoin_it *)it;
  kg__rt *rt = it->rt;
  for (;;) {
    if (j->have_a) {
      kg_status r = kg__it_next(j->b, out);
      if (r == KG_ROW) {
        bool ok = true;
        kg__arena_mark mark = kg__arena_get_mark(&rt->v.arena);
        for (size_t i = 0; ok && i < j->nexprs; i++) {
          ok = kg__expr_true(rt, j->exprs[i], out);
        }
        kg__arena_release(&rt->v.arena, mark);
        if (rt->stop != KG_OK) {
          return rt->stop;
        }
        if (ok) {
          j->matched = true;
          return KG_ROW;
        }
        continue;
      }
      if (r != KG_DONE) {
        return r;
      }
      j->have_a = false;
      if (!j->matched) {
        memcpy(out, j->arow, row_bytes(rt));
        return KG_ROW;
      }
    }
    kg_status r = kg__it_next(j->a, j->arow);
    if (r != KG_ROW) {
      return r;
    }
    r = kg__it_open(j->b, j->arow);
    if (r != KG_OK) {
      return r;
    }
    j->have_a = true;
    j->matched = false;
  }
}

static void leftjoin_free(kg__it *it)
{
  leftjoin_it *j = (leftjoin_it *)it;
  kg__it_free(j->a);
  kg__it_free(j->b);
  free(j->arow);
  free(j);
}

static const kg__it_ops leftjoin_ops = {leftjoin_open, leftjoin_next,
                                        leftjoin_free};

kg__it *kg__it_leftjoin(
    kg__rt *rt, kg__it *a, kg__it *b, kg__expr *const *exprs, size_t nexprs)
{
  leftjoin_it *j = a && b ? it_alloc(rt, sizeof *j, &leftjoin_ops) : NULL;
  if (j && !(j->arow = row_new(rt))) {
    free(j);
    j = NULL;
  }
  if (!j) {
    kg__it_free(a);
    kg__it_free(b);
    return NULL;
  }
  j->a = a;
  j->b = b;
  j->exprs = exprs;
  j->nexprs = nexprs;
  return &j->base;
}

/* ---- union ---- */

typedef struct union_it {
  kg__it base;
  kg__it *a, *b;
  kg__vid *in;
  int phase;
} union_it;

static kg_status union_open(kg__it *it, const kg__vid *in)
{
  union_it *u = (union_it *)it;
  memcpy(u->in, in, row_bytes(it->rt));
  u->phase = 0;
  return kg__it_open(u->a, in);
}

static kg_status union_next(kg__it *it, kg__vid *out)
{
  union_it *u = (union_it *)it;
  if (u->phase == 0) {
    kg_status r = kg__it_next(u->a, out);
    if (r != KG_DONE) {
      return r;
    }
    u->phase = 1;
    r = kg__it_open(u->b, u->in);
    if (r != KG_OK) {
      return r;
    }
  }
  return kg__it_next(u->b, out);
}

static void union_free(kg__it *it)
{
  union_it *u = (union_it *)it;
  kg__it_free(u->a);
  kg__it_free(u->b);
  free(u->in);
  free(u);
}

static const kg__it_ops union_ops = {union_open, union_next, union_free};

kg__it *kg__it_union(kg__rt *rt, kg__it *a, kg__it *b)
{
  union_it *u = a && b ? it_alloc(rt, sizeof *u, &union_ops) : NULL;
  if (u && !(u->in = row_new(rt))) {
    free(u);
    u = NULL;
  }
  if (!u) {
    kg__it_free(a);
    kg__it_free(b);
    return NULL;
  }
  u->a = a;
  u->b = b;
  return &u->base;
}

/* Evaluate `it` with an empty input into `rows`. */
static kg_status materialise(kg__rt *rt, kg__it *it, kg__rows *rows)
{
  kg__vid *zero = row_new(rt);
  kg__vid *row = row_new(rt);
  kg_status r = zero && row ? kg__it_open(it, zero) : KG_ERR_NOMEM;
  while (r == KG_OK) {
    r = kg__it_next(it, row);
    if (r == KG_ROW) {
      r = kg__rows_push(rows, row);
      if (r == KG_OK) {
        r = kg__rt_tick(rt);
      }
    }
  }
  free(zero);
  free(row);
  if (r == KG_ERR_NOMEM) {
    return kg__rt_fail(rt, r, "out of memory");
  }
  return r == KG_DONE ? KG_OK : r;
}

/* ---- minus ---- */

typedef struct minus_it {
  kg__it base;
  kg__it *a, *b;
  kg__slots bslots;
  kg__vars dvars;
  kg__slots keys;
  kg__rows rows;
  bool loaded;
} minus_it;

static kg_status minus_open(kg__it *it, const kg__vid *in)
{
  minus_it *m = (minus_it *)it;
  if (!m->loaded) {
    m->rows.width = it->rt->width ? it->rt->width : 1;
    kg_status r = materialise(it->rt, m->b, &m->rows);
    if (r == KG_OK) {
      r = kg__rows_index(&m->rows, m->keys.v, m->keys.n);
    }
    if (r != KG_OK) {
      return r == KG_ERR_NOMEM ? kg__rt_fail(it->rt, r, "out of memory") : r;
    }
    m->loaded = true;
  }
  return kg__it_open(m->a, in);
}

static bool
minus_removes(const minus_it *m, const kg__vid *row, const kg__vid *b)
{
  bool shared = false;
  for (size_t i = 0; i < m->bslots.n; i++) {
    int s = m->bslots.v[i];
    if (row[s] && b[s]) {
      if (row[s] != b[s]) {
        return false;
      }
      shared = shared || kg__vars_has(&m->dvars, s);
    }
  }
  return shared;
}

static kg_status minus_next(kg__it *it, kg__vid *out)
{
  minus_it *m = (minus_it *)it;
  for (;;) {
    kg_status r = kg__it_next(m->a, out);
    if (r != KG_ROW) {
      return r;
    }
    bool removed = false;
    bool keyed = m->keys.n > 0;
    for (size_t i = 0; keyed && i < m->keys.n; i++) {
      keyed = out[m->keys.v[i]] != 0;
    }
    if (keyed) {
      for (size_t i = kg__rows_first(&m->rows, out); i && !removed;
           i = m->rows.chain[i - 1]) {
        removed = minus_removes(m, out, kg__rows_at(&m->rows, i - 1));
      }
    } else {
      for (size_t i = 0; i < m->rows.n && !removed; i++) {
        removed = minus_removes(m, out, kg__rows_at(&m->rows, i));
      }
    }
    if (!removed) {
      return KG_ROW;
    }
    r = kg__rt_tick(it->rt);
    if (r != KG_OK) {
      return r;
    }
  }
}

static void minus_free(kg__it *it)
{
  minus_it *m = (minus_it *)it;
  kg__it_free(m->a);
  kg__it_free(m->b);
  kg__slots_free(&m->bslots);
  kg__slots_free(&m->keys);
  kg__vars_free(&m->dvars);
  kg__rows_free(&m->rows);
  free(m);
}

static const kg__it_ops minus_ops = {minus_open, minus_next, minus_free};

kg__it *kg__it_minus(kg__rt *rt,
                     kg__it *a,
                     kg__it *b,
                     const kg__vars *bvars,
                     const kg__vars *dvars,
                     const kg__vars *keys)
{
  minus_it *m = a && b ? it_alloc(rt, sizeof *m, &minus_ops) : NULL;
  if (m && (kg__slots_of(bvars, &m->bslots) != KG_OK ||
            kg__slots_of(keys, &m->keys) != KG_OK ||
            kg__vars_copy(&m->dvars, dvars) != KG_OK)) {
    kg__slots_free(&m->bslots);
    kg__slots_free(&m->keys);
    kg__vars_free(&m->dvars);
    free(m);
    m = NULL;
  }
  if (!m) {
    kg__it_free(a);
    kg__it_free(b);
    return NULL;
  }
  m->a = a;
  m->b = b;
  return &m->base;
}

/* ---- filter ---- */

typedef struct filter_it {
  kg__it base;
  kg__it *a;
  kg__expr *const *exprs;
  size_t nexprs;
} filter_it;

static kg_status filter_open(kg__it *it, const kg__vid *in)
{
  return kg__it_open(((filter_it *)it)->a, in);
}

static kg_status filter_next(kg__it *it, kg__vid *out)
{
  filter_it *f = (filter_it *)it;
  kg__rt *rt = it->rt;
  for (;;) {
    kg_status r = kg__it_next(f->a, out);
    if (r != KG_ROW) {
      return r;
    }
    bool ok = true;
    kg__arena_mark mark = kg__arena_get_mark(&rt->v.arena);
    for (size_t i = 0; ok && i < f->nexprs; i++) {
      ok = kg__expr_true(rt, f->exprs[i], out);
    }
    kg__arena_release(&rt->v.arena, mark);
    if (rt->stop != KG_OK) {
      return rt->stop;
    }
    if (ok) {
      return KG_ROW;
    }
    r = kg__rt_tick(rt);
    if (r != KG_OK) {
      return r;
    }
  }
}

static void single_free(kg__it *it)
{
  kg__it_free(((filter_it *)it)->a);
  free(it);
}

static const kg__it_ops filter_ops = {filter_open, filter_next, single_free};

kg__it *
kg__it_filter(kg__rt *rt, kg__it *a, kg__expr *const *exprs, size_t nexprs)
{
  filter_it *f = a ? it_alloc(rt, sizeof *f, &filter_ops) : NULL;
  if (!f) {
    kg__it_free(a);
    return NULL;
  }
  f->a = a;
  f->exprs = exprs;
  f->nexprs = nexprs;
  return &f->base;
}

/* ---- extend (BIND, SELECT expressions) ---- */

typedef struct extend_it {
  kg__it base; /* same head as filter_it: `a` first */
  kg__it *a;
  int var;
  const kg__expr *e;
  bool chained; /* below is another extend of the same solution */
} extend_it;

static kg_status extend_next(kg__it *it, kg__vid *out);

static const kg__it_ops extend_ops = {filter_open, extend_next, single_free};

static kg_status extend_next(kg__it *it, kg__vid *out)
{
  extend_it *x = (extend_it *)it;
  kg__rt *rt = it->rt;
  for (;;) {
    kg_status r = kg__it_next(x->a, out);
    if (r != KG_ROW) {
      return r;
    }
    if (!x->chained) {
      rt->serial++;
    }
    kg__arena_mark mark = kg__arena_get_mark(&rt->v.arena);
    kg__val v = kg__expr_eval(rt, x->e, out);
    kg__vid id = kg__val_ok(&v) ? kg__val_id(&rt->v, &v) : 0;
    kg__arena_release(&rt->v.arena, mark);
    if ((r = kg__rt_check(rt)) != KG_OK) {
      return r;
    }
    if (id && out[x->var] && out[x->var] != id) {
      continue; /* the input bound it to something else */
    }
    if (id) {
      out[x->var] = id;
    }
    return KG_ROW;
  }
}

kg__it *kg__it_extend(kg__rt *rt, kg__it *a, int var, const kg__expr *e)
{
  extend_it *x = a ? it_alloc(rt, sizeof *x, &extend_ops) : NULL;
  if (!x) {
    kg__it_free(a);
    return NULL;
  }
  x->a = a;
  x->var = var;
  x->e = e;
  x->chained = a->ops == &extend_ops;
  return &x->base;
}

/* ---- GRAPH ---- */

typedef struct graph_it {
  kg__it base;
  kg__it *a;
  kg__graph g;
  int var;
  bool per_graph;
  kg__vid *in;
  kg__vid *tmp;
  /* per graph */
  const kg__vid *list;
  size_t n;
  size_t i;
  kg__vid one;
  bool open;
  bool done;
} graph_it;

static kg_status graph_open(kg__it *it, const kg__vid *in)
{
  graph_it *g = (graph_it *)it;
  kg__rt *rt = it->rt;
  memcpy(g->in, in, row_bytes(rt));
  g->done = false;
  g->open = false;
  if (g->g.g.var < 0) {
    /* GRAPH <iri>: the patterns inside name the graph themselves */
    if (!kg__rt_is_named(rt, g->g.g.id)) {
      g->done = true;
      return KG_OK;
    }
    g->open = true;
    return kg__it_open(g->a, in);
  }
  int h = g->g.g.var;
  memcpy(g->tmp, in, row_bytes(rt));
  kg__vid preset = g->var >= 0 ? in[g->var] : 0;
  if (preset && !kg__rt_is_named(rt, preset)) {
    g->done = true;
    return KG_OK;
  }
  if (!g->per_graph) {
    g->tmp[h] = preset;
    g->open = true;
    return kg__it_open(g->a, g->tmp);
  }
  if (preset) {
    g->one = preset;
    g->list = &g->one;
    g->n = 1;
  } else {
    kg_status r = kg__rt_graphs(rt, &g->list, &g->n);
    if (r != KG_OK) {
      return r;
    }
  }
  g->i = 0;
  return KG_OK;
}

static kg_status graph_next(kg__it *it, kg__vid *out)
{
  graph_it *g = (graph_it *)it;
  kg__rt *rt = it->rt;
  if (g->done) {
    return KG_DONE;
  }
  int h = g->g.g.var;
  for (;;) {
    if (!g->open) {
      if (!g->per_graph || g->i >= g->n) {
        g->done = true;
        return KG_DONE;
      }
      memcpy(g->tmp, g->in, row_bytes(rt));
      g->tmp[h] = g->list[g->i++];
      kg_status r = kg__it_open(g->a, g->tmp);
      if (r != KG_OK) {
        return r;
      }
      g->open = true;
    }
    kg_status r = kg__it_next(g->a, out);
    if (r == KG_DONE) {
      g->open = false;
      if (!g->per_graph) {
        g->done = true;
        return KG_DONE;
      }
      continue;
    }
    if (r != KG_ROW) {
      return r;
    }
    if (h < 0) {
      return KG_ROW;
    }
    if (!out[h]) {
      if (!g->per_graph) {
        continue;
      }
      out[h] = g->list[g->i - 1];
    }
    if (g->var >= 0) {
      if (out[g->var] && out[g->var] != out[h]) {
        continue;
      }
      out[g->var] = out[h];
    }
    return KG_ROW;
  }
}

static void graph_free(kg__it *it)
{
  graph_it *g = (graph_it *)it;
  kg__it_free(g->a);
  free(g->in);
  free(g->tmp);
  free(g);
}

static const kg__it_ops graph_ops = {graph_open, graph_next, graph_free};

kg__it *kg__it_graph(
    kg__rt *rt, kg__it *a, const kg__graph *gr, int var, bool per_graph)
{
  graph_it *g = a ? it_alloc(rt, sizeof *g, &graph_ops) : NULL;
  if (g && (!(g->in = row_new(rt)) || !(g->tmp = row_new(rt)))) {
    free(g->in);
    free(g);
    g = NULL;
  }
  if (!g) {
    kg__it_free(a);
    return NULL;
  }
  g->a = a;
  g->g = *gr;
  g->var = var;
  g->per_graph = per_graph;
  return &g->base;
}

/* ---- VALUES ---- */

typedef struct values_it {
  kg__it base;
  const kg__op *op;
  kg__vid *in;
  size_t row;
} values_it;

static kg_status values_open(kg__it *it, const kg__vid *in)
{
  values_it *v = (values_it *)it;
  memcpy(v->in, in, row_bytes(it->rt));
  v->row = 0;
  return KG_OK;
}

static kg_status values_next(kg__it *it, kg__vid *out)
{
  values_it *v = (values_it *)it;
  const kg__op *op = v->op;
  while (v->row < op->nrows) {
    const kg__pterm *cells = op->cells + v->row * op->nvars;
    v->row++;
    memcpy(out, v->in, row_bytes(it->rt));
    bool ok = true;
    for (size_t c = 0; c < op->nvars && ok; c++) {
      kg__vid id = cells[c].id;
      int s = op->vars[c];
      if (!id) {
        continue;
      }
      if (out[s] && out[s] != id) {
        ok = false;
      }
      out[s] = id;
    }
    if (ok) {
      return KG_ROW;
    }
  }
  return KG_DONE;
}

static void values_free(kg__it *it)
{
  free(((values_it *)it)->in);
  free(it);
}

static const kg__it_ops values_ops = {values_open, values_next, values_free};

kg__it *kg__it_values(kg__rt *rt, const kg__op *op)
{
  values_it *v = it_alloc(rt, sizeof *v, &values_ops);
  if (v) {
    v->op = op;
    if (!(v->in = row_new(rt))) {
      free(v);
      v = NULL;
    }
  }
  return v ? &v->base : NULL;
}

/* ---- cache: a pattern evaluated once, joined with each input ---- */

typedef struct cache_it {
  kg__it base;
  kg__it *a;
  kg__slots slots; /* what the kept rows may bind */
  kg__slots keys;
  kg__rows rows;
  bool loaded;
  kg__vid *in;
  bool keyed;
  size_t i; /* next candidate: index + 1 in a chain, or a position */
} cache_it;

static kg_status cache_open(kg__it *it, const kg__vid *in)
{
  cache_it *c = (cache_it *)it;
  kg__rt *rt = it->rt;
  if (!c->loaded) {
    c->rows.width = rt->width ? rt->width : 1;
    kg_status r = materialise(rt, c->a, &c->rows);
    if (r == KG_OK) {
      r = kg__rows_index(&c->rows, c->keys.v, c->keys.n);
    }
    if (r != KG_OK) {
      return r == KG_ERR_NOMEM ? kg__rt_fail(rt, r, "out of memory") : r;
    }
    c->loaded = true;
  }
  memcpy(c->in, in, row_bytes(rt));
  c->keyed = c->keys.n > 0;
  for (size_t i = 0; c->keyed && i < c->keys.n; i++) {
    c->keyed = in[c->keys.v[i]] != 0;
  }
  c->i = c->keyed ? kg__rows_first(&c->rows, in) : 0;
  return KG_OK;
}

static kg_status cache_next(kg__it *it, kg__vid *out)
{
  cache_it *c = (cache_it *)it;
  kg__rt *rt = it->rt;
  for (;;) {
    const kg__vid *r;
    if (c->keyed) {
      if (!c->i) {
        return KG_DONE;
      }
      r = kg__rows_at(&c->rows, c->i - 1);
      c->i = c->rows.chain[c->i - 1];
    } else {
      if (c->i >= c->rows.n) {
        return KG_DONE;
      }
      r = kg__rows_at(&c->rows, c->i++);
    }
    memcpy(out, c->in, row_bytes(rt));
    if (merge(out, r, &c->slots)) {
      return KG_ROW;
    }
    kg_status st = kg__rt_tick(rt);
    if (st != KG_OK) {
      return st;
    }
  }
}

static void cache_free(kg__it *it)
{
  cache_it *c = (cache_it *)it;
  kg__it_free(c->a);
  kg__slots_free(&c->slots);
  kg__slots_free(&c->keys);
  kg__rows_free(&c->rows);
  free(c->in);
  free(c);
}

static const kg__it_ops cache_ops = {cache_open, cache_next, cache_free};

kg__it *
kg__it_cache(kg__rt *rt, kg__it *a, const kg__vars *maybe, const kg__vars *keys)
{
  cache_it *c = a ? it_alloc(rt, sizeof *c, &cache_ops) : NULL;
  if (c && (!(c->in = row_new(rt)) || kg__slots_of(maybe, &c->slots) != KG_OK ||
            kg__slots_of(keys, &c->keys) != KG_OK)) {
    kg__slots_free(&c->slots);
    free(c->in);
    free(c);
    c = NULL;
  }
  if (!c) {
    kg__it_free(a);
    return NULL;
  }
  c->a = a;
  return &c->base;
}

/* ---- correlated subqueries ---- */

typedef struct correlate_it {
  kg__it base;
  kg__it *a;
  kg__vars pass;
  kg__slots slots;
  kg__vid *in;
  kg__vid *tmp;
} correlate_it;

static kg_status correlate_open(kg__it *it, const kg__vid *in)
{
  correlate_it *c = (correlate_it *)it;
  size_t w = it->rt->width;
  memcpy(c->in, in, row_bytes(it->rt));
  for (size_t s = 0; s < w; s++) {
    c->tmp[s] = kg__vars_has(&c->pass, (int)s) ? in[s] : 0;
  }
  return kg__it_open(c->a, c->tmp);
}

static kg_status correlate_next(kg__it *it, kg__vid *out)
{
  correlate_it *c = (correlate_it *)it;
  for (;;) {
    kg_status r = kg__it_next(c->a, c->tmp);
    if (r != KG_ROW) {
      return r;
    }
    memcpy(out, c->in, row_bytes(it->rt));
    if (merge(out, c->tmp, &c->slots)) {
      return KG_ROW;
    }
  }
}

static void correlate_free(kg__it *it)
{
  correlate_it *c = (correlate_it *)it;
  kg__it_free(c->a);
  kg__vars_free(&c->pass);
  kg__slots_free(&c->slots);
  free(c->in);
  free(c->tmp);
  free(c);
}

static const kg__it_ops correlate_ops = {correlate_open, correlate_next,
                                         correlate_free};

kg__it *kg__it_correlate(kg__rt *rt,
                         kg__it *a,
                         const kg__vars *pass,
                         const kg__vars *maybe)
{
  correlate_it *c = a ? it_alloc(rt, sizeof *c, &correlate_ops) : NULL;
  if (c && (!(c->in = row_new(rt)) || !(c->tmp = row_new(rt)) ||
            kg__vars_copy(&c->pass, pass) != KG_OK ||
            kg__slots_of(maybe, &c->slots) != KG_OK)) {
    kg__vars_free(&c->pass);
    free(c->in);
    free(c->tmp);
    free(c);
    c = NULL;
  }
  if (!c) {
    kg__it_free(a);
    return NULL;
  }
  c->a = a;
  return &c->base;
}

/* ---- projection ---- */

typedef struct project_it {
  kg__it base;
  kg__it *a;
  kg__vars keep;
  kg__vid *in;
} project_it;

static kg_status project_open(kg__it *it, const kg__vid *in)
{
  project_it *p = (project_it *)it;
  memcpy(p->in, in, row_bytes(it->rt));
  return kg__it_open(p->a, in);
}

static kg_status project_next(kg__it *it, kg__vid *out)
{
  project_it *p = (project_it *)it;
  kg_status r = kg__it_next(p->a, out);
  if (r == KG_ROW) {
    for (size_t s = 0; s < it->rt->width; s++) {
      if (!kg__vars_has(&p->keep, (int)s)) {
        out[s] = p->in[s];
      }
    }
  }
  return r;
}

static void project_free(kg__it *it)
{
  project_it *p = (project_it *)it;
  kg__it_free(p->a);
  kg__vars_free(&p->keep);
  free(p->in);
  free(p);
}

static const kg__it_ops project_ops = {project_open, project_next,
                                       project_free};

kg__it *kg__it_project(kg__rt *rt, kg__it *a, const kg__vars *keep)
{
  project_it *p = a ? it_alloc(rt, sizeof *p, &project_ops) : NULL;
  if (p && (!(p->in = row_new(rt)) || kg__vars_copy(&p->keep, keep) != KG_OK)) {
    free(p->in);
    free(p);
    p = NULL;
  }
  if (!p) {
    kg__it_free(a);
    return NULL;
  }
  p->a = a;
  return &p->base;
}

/* ---- distinct ---- */

typedef struct distinct_it {
  kg__it base;
  kg__it *a;
  kg__slots cols;
  kg__tupset seen;
  kg__vid *tup;
} distinct_it;

static kg_status distinct_open(kg__it *it, const kg__vid *in)
{
  distinct_it *d = (distinct_it *)it;
  size_t w = d->seen.width;
  kg__tupset_free(&d->seen);
  if (kg__tupset_init(&d->seen, w) != KG_OK) {
    return kg__rt_fail(it->rt, KG_ERR_NOMEM, "out of memory");
  }
  return kg__it_open(d->a, in);
}

static kg_status distinct_next(kg__it *it, kg__vid *out)
{
  distinct_it *d = (distinct_it *)it;
  for (;;) {
    kg_status r = kg__it_next(d->a, out);
    if (r != KG_ROW) {
      return r;
    }
    for (size_t i = 0; i < d->cols.n; i++) {
      d->tup[i] = out[d->cols.v[i]];
    }
    bool added = false;
    if (kg__tupset_add(&d->seen, d->tup, &added) != KG_OK) {
      return kg__rt_fail(it->rt, KG_ERR_NOMEM, "out of memory");
    }
    if (added) {
      return KG_ROW;
    }
    r = kg__rt_tick(it->rt);
    if (r != KG_OK) {
      return r;
    }
  }
}

static void distinct_free(kg__it *it)
{
  distinct_it *d = (distinct_it *)it;
  kg__it_free(d->a);
  kg__slots_free(&d->cols);
  kg__tupset_free(&d->seen);
  free(d->tup);
  free(d);
}

static const kg__it_ops distinct_ops = {distinct_open, distinct_next,
                                        distinct_free};

kg__it *kg__it_distinct(kg__rt *rt, kg__it *a, const kg__slots *cols)
{
  distinct_it *d = a ? it_alloc(rt, sizeof *d, &distinct_ops) : NULL;
  if (d) {
    d->cols.n = cols->n;
    d->cols.v = malloc((cols->n ? cols->n : 1) * sizeof *d->cols.v);
    d->tup = malloc((cols->n ? cols->n : 1) * sizeof *d->tup);
    if (!d->cols.v || !d->tup || kg__tupset_init(&d->seen, cols->n) != KG_OK) {
      free(d->cols.v);
      free(d->tup);
      free(d);
      d = NULL;
    } else if (cols->n) {
      memcpy(d->cols.v, cols->v, cols->n * sizeof *cols->v);
    }
  }
  if (!d) {
    kg__it_free(a);
    return NULL;
  }
  d->a = a;
  return &d->base;
}

/* ---- ORDER BY ---- */

typedef struct order_it {
  kg__it base;
  kg__it *a;
  const kg__order *keys;
  size_t nkeys;
  uint64_t top;
  kg__rows rows;
  kg__val *vals; /* nkeys per row */
  size_t *idx;
  size_t pos;
  bool loaded;
} order_it;

typedef struct sort_ctx {
  const order_it *o;
  kg__rt *rt;
} sort_ctx;

static int order_cmp(const order_it *o, size_t x, size_t y)
{
  for (size_t k = 0; k < o->nkeys; k++) {
    int c =
        kg__val_order(&o->vals[x * o->nkeys + k], &o->vals[y * o->nkeys + k]);
    if (c) {
      return o->keys[k].desc ? -c : c;
    }
  }
  return x < y ? -1 : x > y; /* stable */
}

/* Merge sort of idx[0..n) with deadline checks. */
static kg_status order_sort(order_it *o, size_t *idx, size_t *tmp, size_t n)
{
  if (n < 2) {
    return KG_OK;
  }
  size_t h = n / 2;
  kg_status r = order_sort(o, idx, tmp, h);
  if (r == KG_OK) {
    r = order_sort(o, idx + h, tmp, n - h);
  }
  if (r != KG_OK) {
    return r;
  }
  size_t i = 0;
  size_t j = h;
  size_t k = 0;
  while (i < h && j < n) {
    tmp[k++] = order_cmp(o, idx[i], idx[j]) <= 0 ? idx[i++] : idx[j++];
  }
  while (i < h) {
    tmp[k++] = idx[i++];
  }
  while (j < n) {
    tmp[k++] = idx[j++];
  }
  memcpy(idx, tmp, n * sizeof *idx);
  return kg__rt_tick(o->base.rt);
}

/* ORDER BY with LIMIT: keep only the `top` first rows, sorting now and
 * then. Kept rows stay in arrival order, so ties keep theirs. */
static kg_status order_prune(order_it *o)
{
  size_t n = o->rows.n;
  size_t *idx = malloc(n * sizeof *idx);
  size_t *tmp = malloc(n * sizeof *tmp);
  bool *keep = calloc(n, sizeof *keep);
  kg_status r = idx && tmp && keep ? KG_OK : KG_ERR_NOMEM;
  if (r == KG_OK) {
    for (size_t i = 0; i < n; i++) {
      idx[i] = i;
    }
    r = order_sort(o, idx, tmp, n);
  }
  if (r == KG_OK) {
    for (size_t i = 0; i < n && i < o->top; i++) {
      keep[idx[i]] = true;
    }
    size_t w = o->rows.width;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      if (!keep[i]) {
        continue;
      }
      if (k != i) {
        memcpy(o->rows.rows + k * w, o->rows.rows + i * w, w * sizeof(kg__vid));
        memcpy(o->vals + k * o->nkeys, o->vals + i * o->nkeys,
               o->nkeys * sizeof *o->vals);
      }
      k++;
    }
    o->rows.n = k;
  }
  free(idx);
  free(tmp);
  free(keep);
  return r;
}

static kg_status order_load(order_it *o)
{
  kg__rt *rt = o->base.rt;
  o->rows.width = rt->width ? rt->width : 1;
  kg__vid *row = row_new(rt);
  if (!row) {
    return kg__rt_fail(rt, KG_ERR_NOMEM, "out of memory");
  }
  kg_status r;
  size_t cap = 0;
  while ((r = kg__it_next(o->a, row)) == KG_ROW) {
    if (o->rows.n == cap) {
      cap = cap ? cap * 2 : 64;
      kg__val *v =
          realloc(o->vals, cap * (o->nkeys ? o->nkeys : 1) * sizeof *v);
      if (!v) {
        r = KG_ERR_NOMEM;
        break;
      }
      o->vals = v;
    }
    size_t n = o->rows.n;
    for (size_t k = 0; k < o->nkeys; k++) {
      kg__arena_mark mark = kg__arena_get_mark(&rt->v.arena);
      kg__val v = kg__expr_eval(rt, o->keys[k].expr, row);
      kg__vid id = kg__val_ok(&v) ? kg__val_id(&rt->v, &v) : 0;
      kg__arena_release(&rt->v.arena, mark);
      o->vals[n * o->nkeys + k] = kg__val_of_id(&rt->v, id);
    }
    r = kg__rows_push(&o->rows, row);
    if (r == KG_OK) {
      r = kg__rt_check(rt);
    }
    if (r == KG_OK && o->top && o->rows.n >= 2 * o->top + 1024) {
      r = order_prune(o);
    }
    if (r != KG_OK) {
      break;
    }
  }
  free(row);
  if (r == KG_ERR_NOMEM) {
    return kg__rt_fail(rt, r, "out of memory");
  }
  if (r != KG_DONE) {
    return r;
  }
  size_t n = o->rows.n;
  o->idx = malloc((n ? n : 1) * sizeof *o->idx);
  size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
  if (!o->idx || !tmp) {
    free(tmp);
    return kg__rt_fail(rt, KG_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    o->idx[i] = i;
  }
  r = order_sort(o, o->idx, tmp, n);
  free(tmp);
  return r;
}

static kg_status order_open(kg__it *it, const kg__vid *in)
{
  order_it *o = (order_it *)it;
  kg__rows_free(&o->rows);
  free(o->vals);
  free(o->idx);
  o->vals = NULL;
  o->idx = NULL;
  o->loaded = false;
  o->pos = 0;
  return kg__it_open(o->a, in);
}

static kg_status order_next(kg__it *it, kg__vid *out)
{
  order_it *o = (order_it *)it;
  if (!o->loaded) {
    kg_status r = order_load(o);
    if (r != KG_OK) {
      return r;
    }
    o->loaded = true;
  }
  if (o->pos >= o->rows.n) {
    return KG_DONE;
  }
  memcpy(out, kg__rows_at(&o->rows, o->idx[o->pos++]), row_bytes(it->rt));
  return KG_ROW;
}

static void order_free(kg__it *it)
{
  order_it *o = (order_it *)it;
  kg__it_free(o->a);
  kg__rows_free(&o->rows);
  free(o->vals);
  free(o->idx);
  free(o);
}

static const kg__it_ops order_ops = {order_open, order_next, order_free};

kg__it *kg__it_order(
    kg__rt *rt, kg__it *a, const kg__order *keys, size_t nkeys, uint64_t top)
{
  order_it *o = a ? it_alloc(rt, sizeof *o, &order_ops) : NULL;
  if (!o) {
    kg__it_free(a);
    return NULL;
  }
  o->a = a;
  o->keys = keys;
  o->nkeys = nkeys;
  o->top = top;
  return &o->base;
}

/* ---- OFFSET / LIMIT ---- */

typedef struct slice_it {
  kg__it base;
  kg__it *a;
  int64_t offset;
  int64_t limit;
  int64_t seen;
  int64_t given;
} slice_it;

static kg_status slice_open(kg__it *it, const kg__vid *in)
{
  slice_it *s = (slice_it *)it;
  s->seen = 0;
  s->given = 0;
  return kg__it_open(s->a, in);
}

static kg_status slice_next(kg__it *it, kg__vid *out)
{
  slice_it *s = (slice_it *)it;
  for (;;) {
    if (s->limit >= 0 && s->given >= s->limit) {
      return KG_DONE;
    }
    kg_status r = kg__it_next(s->a, out);
    if (r != KG_ROW) {
      return r;
    }
    if (s->seen++ < s->offset) {
      continue;
    }
    s->given++;
    return KG_ROW;
  }
}

static const kg__it_ops slice_ops = {slice_open, slice_next, single_free};

kg__it *kg__it_slice(kg__rt *rt, kg__it *a, int64_t offset, int64_t limit)
{
  slice_it *s = a ? it_alloc(rt, sizeof *s, &slice_ops) : NULL;
  if (!s) {
    kg__it_free(a);
    return NULL;
  }
  s->a = a;
  s->offset = offset;
  s->limit = limit;
  return &s->base;
}
