/* GROUP BY and the aggregates (SPARQL 1.1 section 18.5): COUNT ignores
 * unbound values and errors, SUM and AVG are an error (unbound) as soon as
 * one value is not a number, MIN and MAX follow ORDER BY's order,
 * GROUP_CONCAT joins lexical forms with its separator (default " "), and a
 * query without GROUP BY has one group even when there is no solution. */
#include "eval.h"
#include "rows.h"

#include <stdlib.h>
#include <string.h>

typedef struct agg_state {
  int64_t count;
  kg__num sum;
  bool err;
  kg__vid best;
  kg__buf text;
  bool any;
  kg__tupset *seen; /* DISTINCT */
} agg_state;

typedef struct group_it {
  kg__it base;
  kg__it *a;
  const kg__query *q;
  kg__tupset keys; /* one tuple per group */
  agg_state *st;   /* naggs per group */
  size_t cap;
  size_t ngroups;
  size_t pos;
  bool loaded;
  kg__vid *in;
} group_it;

static void state_free(agg_state *s)
{
  kg__buf_free(&s->text);
  if (s->seen) {
    kg__tupset_free(s->seen);
    free(s->seen);
  }
}

static void group_clear(group_it *g)
{
  for (size_t i = 0; i < g->ngroups * g->q->naggs; i++) {
    state_free(&g->st[i]);
  }
  free(g->st);
  g->st = NULL;
  g->cap = 0;
  g->ngroups = 0;
  size_t w = g->keys.width;
  kg__tupset_free(&g->keys);
  g->keys.width = w;
}

static kg_status add_group(group_it *g)
{
  size_t na = g->q->naggs;
  if (g->ngroups == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 16;
    agg_state *st = realloc(g->st, cap * (na ? na : 1) * sizeof *st);
    if (!st) {
      return KG_ERR_NOMEM;
    }
    g->st = st;
    g->cap = cap;
  }
  memset(g->st + g->ngroups * na, 0, na * sizeof *g->st);
  g->ngroups++;
  return KG_OK;
}

/* Is the value new to this DISTINCT aggregate? */
static kg_status
distinct_new(agg_state *s, const kg__vid *tup, size_t width, bool *added)
{
  if (!s->seen) {
    s->seen = calloc(1, sizeof *s->seen);
    if (!s->seen || kg__tupset_init(s->seen, width) != KG_OK) {
      free(s->seen);
      s->seen = NULL;
      return KG_ERR_NOMEM;
    }
  }
  return kg__tupset_add(s->seen, tup, added);
}

static kg_status
update(group_it *g, const kg__agg *a, agg_state *s, const kg__vid *row)
{
  kg__rt *rt = g->base.rt;
  bool added = true;
  if (a->star) {
    if (a->distinct) {
      kg_status r = distinct_new(s, row, rt->width, &added);
      if (r != KG_OK) {
        return r;
      }
    }
    if (added) {
      s->count++;
    }
    return KG_OK;
  }
  kg__val v = kg__expr_eval(rt, a->arg, row);
  if (!kg__val_ok(&v)) {
    if (a->kind == KG__AGG_SUM || a->kind == KG__AGG_AVG) {
      s->err = true;
    }
    return KG_OK;
  }
  kg__vid id = kg__val_id(&rt->v, &v);
  if (!id) {
    return rt->v.failure != KG_OK ? rt->v.failure : KG_ERR_NOMEM;
  }
  if (a->distinct) {
    kg_status r = distinct_new(s, &id, 1, &added);
    if (r != KG_OK || !added) {
      return r;
    }
  }
  switch (a->kind) {
  case KG__AGG_COUNT:
    s->count++;
    break;
  case KG__AGG_SUM:
  case KG__AGG_AVG: {
    kg__num n;
    if (s->err) {
      break;
    }
    if (!kg__num_of(&v.t, &n)) {
      s->err = true;
      break;
    }
    if (s->count == 0) {
      s->sum = n;
    } else {
      kg__num r;
      if (!kg__num_arith('+', &s->sum, &n, &r)) {
        s->err = true;
        break;
      }
      s->sum = r;
    }
    s->count++;
    break;
  }
  case KG__AGG_MIN:
  case KG__AGG_MAX:
    if (!s->best) {
      s->best = id;
    } else {
      kg__val b = kg__val_of_id(&rt->v, s->best);
      kg__val c = kg__val_of_id(&rt->v, id);
      int cmp = kg__val_order(&c, &b);
      if ((a->kind == KG__AGG_MIN && cmp < 0) ||
          (a->kind == KG__AGG_MAX && cmp > 0)) {
        s->best = id;
      }
    }
    break;
  case KG__AGG_SAMPLE:
    if (!s->best) {
      s->best = id;
    }
    break;
  case KG__AGG_GROUP_CONCAT:
    if (v.t.kind == KG_TERM_BLANK) {
      break;
    }
    if (s->any) {
      kg__buf_puts(&s->text, a->sep ? a->sep : " ");
    }
    kg__buf_append(&s->text, v.t.value, v.t.value_len);
    s->any = true;
    if (s->text.failed) {
      return KG_ERR_NOMEM;
    }
    break;
  }
  return KG_OK;
}

static kg_status load(group_it *g)
{
  kg__rt *rt = g->base.rt;
  const kg__query *q = g->q;
  size_t w = rt->width ? rt->width : 1;
  kg__vid *row = calloc(w, sizeof *row);
  kg__vid *key = calloc(q->nkeys ? q->nkeys : 1, sizeof *key);
  kg_status r = row && key ? KG_OK : KG_ERR_NOMEM;
  if (r == KG_OK && q->nkeys == 0) {
    size_t idx;
    bool added;
    r = kg__tupset_put(&g->keys, key, &idx, &added);
    if (r == KG_OK) {
      r = add_group(g);
    }
  }
  while (r == KG_OK && (r = kg__it_next(g->a, row)) == KG_ROW) {
    kg__arena_mark mark = kg__arena_get_mark(&rt->v.arena);
    for (size_t k = 0; k < q->nkeys; k++) {
      kg__val v = kg__expr_eval(rt, q->keys[k], row);
      key[k] = kg__val_ok(&v) ? kg__val_id(&rt->v, &v) : 0;
    }
    size_t idx = 0;
    bool added = false;
    r = kg__tupset_put(&g->keys, key, &idx, &added);
    if (r == KG_OK && added) {
      r = add_group(g);
    }
    for (size_t i = 0; r == KG_OK && i < q->naggs; i++) {
      r = update(g, &q->aggs[i], &g->st[idx * q->naggs + i], row);
    }
    kg__arena_release(&rt->v.arena, mark);
    if (r == KG_OK) {
      r = kg__rt_tick(rt);
    }
  }
  free(row);
  free(key);
  if (r == KG_DONE) {
    r = KG_OK;
  }
  if (r == KG_ERR_NOMEM) {
    return kg__rt_fail(rt, r, "out of memory");
  }
  return r;
}

static kg_status group_open(kg__it *it, const kg__vid *in)
{
  group_it *g = (group_it *)it;
  group_clear(g);
  if (kg__tupset_init(&g->keys, g->q->nkeys) != KG_OK) {
    return kg__rt_fail(it->rt, KG_ERR_NOMEM, "out of memory");
  }
  memcpy(g->in, in, it->rt->width * sizeof *in);
  g->loaded = false;
  g->pos = 0;
  return kg__it_open(g->a, in);
}

static kg__vid result(group_it *g, const kg__agg *a, agg_state *s)
{
  kg__rt *rt = g->base.rt;
  kg__arena_mark mark = kg__arena_get_mark(&rt->v.arena);
  kg__val v = kg__val_error();
  switch (a->kind) {
  case KG__AGG_COUNT:
    v = kg__val_int(&rt->v, s->count);
    break;
  case KG__AGG_SUM:
    if (s->err) {
      return 0;
    }
    s->sum.plain = false; /* aggregates give the canonical form */
    v = s->count ? kg__val_num(&rt->v, &s->sum) : kg__val_int(&rt->v, 0);
    break;
  case KG__AGG_AVG: {
    if (s->err) {
      return 0;
    }
    if (!s->count) {
      v = kg__val_int(&rt->v, 0);
      break;
    }
    kg__num n;
    kg__num r;
    memset(&n, 0, sizeof n);
    n.type = KG__NUM_INTEGER;
    n.i = s->count;
    if (!kg__num_arith('/', &s->sum, &n, &r)) {
      return 0;
    }
    r.plain = false;
    v = kg__val_num(&rt->v, &r);
    break;
  }
  case KG__AGG_MIN:
  case KG__AGG_MAX: {
    /* a number comes out in its canonical form */
    kg__val b = kg__val_of_id(&rt->v, s->best);
    kg__num n;
    if (!s->best || !kg__val_ok(&b) || !kg__num_of(&b.t, &n)) {
      return s->best;
    }
    v = kg__val_num(&rt->v, &n);
    break;
  }
  case KG__AGG_SAMPLE:
    return s->best;
  case KG__AGG_GROUP_CONCAT:
    v = kg__val_string(&rt->v, s->text.data ? s->text.data : "", s->text.len);
    break;
  }
  kg__vid id = kg__val_id(&rt->v, &v);
  kg__arena_release(&rt->v.arena, mark);
  return id;
}

static kg_status group_next(kg__it *it, kg__vid *out)
{
  group_it *g = (group_it *)it;
  const kg__query *q = g->q;
  if (!g->loaded) {
    kg_status r = load(g);
    if (r != KG_OK) {
      return r;
    }
    g->loaded = true;
  }
  if (g->pos >= g->ngroups) {
    return KG_DONE;
  }
  size_t i = g->pos++;
  memcpy(out, g->in, it->rt->width * sizeof *out);
  const kg__vid *key = g->keys.data + i * g->keys.width;
  for (size_t k = 0; k < q->nkeys; k++) {
    if (key[k]) {
      out[q->key_slots[k]] = key[k];
    }
  }
  for (size_t a = 0; a < q->naggs; a++) {
    out[q->aggs[a].slot] = result(g, &q->aggs[a], &g->st[i * q->naggs + a]);
  }
  return it->rt->v.failure != KG_OK
             ? kg__rt_fail(it->rt, it->rt->v.failure, "out of memory")
             : KG_ROW;
}

static void group_free(kg__it *it)
{
  group_it *g = (group_it *)it;
  kg__it_free(g->a);
  group_clear(g);
  kg__tupset_free(&g->keys);
  free(g->in);
  free(g);
}

static const kg__it_ops group_ops = {group_open, group_next, group_free};

kg__it *kg__it_group(kg__rt *rt, kg__it *a, const kg__query *q)
{
  group_it *g = a ? calloc(1, sizeof *g) : NULL;
  if (g && !(g->in = calloc(rt->width ? rt->width : 1, sizeof *g->in))) {
    free(g);
    g = NULL;
  }
  if (!g) {
    kg__it_free(a);
    return NULL;
  }
  g->base.ops = &group_ops;
  g->base.rt = rt;
  g->a = a;
  g->q = q;
  g->keys.width = q->nkeys;
  return &g->base;
}
