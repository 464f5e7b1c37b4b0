/* Property paths (SPARQL 1.1 section 9 and 18.4): sequences and
 * alternatives keep duplicates (they are joins and unions); `*`, `+` and
 * `?` give each pair of ends once, by breadth-first search. A path is
 * evaluated into pairs of ends, one graph (or the merged default graph)
 * at a time. */
#include "eval.h"
#include "rows.h"

#include <stdlib.h>
#include <string.h>

typedef struct pairs {
  kg__vid *v; /* s0, o0, s1, o1, ... */
  size_t n;
  size_t cap;
} pairs;

static kg_status pairs_add(pairs *p, kg__vid s, kg__vid o)
{
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 32;
    kg__vid *v = realloc(p->v, cap * 2 * sizeof *v);
    if (!v) {
      return KG_ERR_NOMEM;
    }
    p->v = v;
    p->cap = cap;
  }
  p->v[2 * p->n] = s;
  p->v[2 * p->n + 1] = o;
  p->n++;
  return KG_OK;
}

/* A set of IDs. */
typedef struct idset {
  kg__vid *slots;
  size_t nslots;
  size_t n;
} idset;

static uint64_t hash_id(kg__vid v)
{
  v ^= v >> 33;
  v *= UINT64_C(0xff51afd7ed558ccd);
  v ^= v >> 33;
  return v;
}

static kg_status idset_add(idset *s, kg__vid id, bool *added)
{
  if ((s->n + 1) * 2 > s->nslots) {
    size_t ns = s->nslots ? s->nslots * 2 : 64;
    kg__vid *sl = calloc(ns, sizeof *sl);
    if (!sl) {
      return KG_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->nslots; i++) {
      if (s->slots[i]) {
        size_t h = (size_t)hash_id(s->slots[i]) & (ns - 1);
        while (sl[h]) {
          h = (h + 1) & (ns - 1);
        }
        sl[h] = s->slots[i];
      }
    }
    free(s->slots);
    s->slots = sl;
    s->nslots = ns;
  }
  size_t h = (size_t)hash_id(id) & (s->nslots - 1);
  while (s->slots[h]) {
    if (s->slots[h] == id) {
      *added = false;
      return KG_OK;
    }
    h = (h + 1) & (s->nslots - 1);
  }
  s->slots[h] = id;
  s->n++;
  *added = true;
  return KG_OK;
}

static void idset_free(idset *s)
{
  free(s->slots);
  memset(s, 0, sizeof *s);
}

/* The graphs a step reads: one graph, or the FROM graphs merged. */
typedef struct gctx {
  const kg__vid *g;
  size_t n;
} gctx;

static kg_status eval_path(kg__rt *rt,
                           const kg__path *p,
                           const gctx *g,
                           kg__vid s,
                           kg__vid o,
                           pairs *out);

/* Quads matching (s, p, o) in the graphs of `g`, merged without repeats
 * when there are several graphs. `pred_out` receives predicates when asked
 * (negated property sets). */
static kg_status match_step(kg__rt *rt,
                            const gctx *g,
                            kg__vid s,
                            kg__vid p,
                            kg__vid o,
                            const kg__vid *exclude,
                            size_t nexclude,
                            bool inverse,
                            pairs *out)
{
  if ((s & KG__VID_LOCAL) || (o & KG__VID_LOCAL)) {
    return KG_OK;
  }
  kg__store *st = rt->v.store;
  kg_status r = KG_OK;
  for (size_t gi = 0; gi < g->n && r == KG_OK; gi++) {
    kg__id pat[4] = {s, p, o, g->g[gi]};
    kg__cursor *c = NULL;
    r = st->ops->match(st, pat, NULL, &c);
    if (r != KG_OK) {
      r = kg__rt_store_fail(rt, r);
      break;
    }
    kg__id q[4];
    while ((r = st->ops->next(c, q)) == KG_ROW) {
      if ((r = kg__rt_tick(rt)) != KG_OK) {
        break;
      }
      bool skip = false;
      for (size_t i = 0; i < nexclude && !skip; i++) {
        skip = q[1] == exclude[i];
      }
      if (skip) {
        continue;
      }
      if (g->n > 1) {
        /* the same triple in two merged graphs counts once */
        bool dup = false;
        for (size_t k = 0; k < gi && !dup; k++) {
          kg__id pp[4] = {q[0], q[1], q[2], g->g[k]};
          uint64_t cnt = 0;
          bool exact = false;
          dup = st->ops->count(st, pp, &cnt, &exact) == KG_OK && cnt > 0;
        }
        if (dup) {
          continue;
        }
      }
      r = inverse ? pairs_add(out, q[2], q[0]) : pairs_add(out, q[0], q[2]);
      if (r != KG_OK) {
        break;
      }
    }
    st->ops->cursor_free(c);
    if (r == KG_DONE) {
      r = KG_OK;
    }
  }
  return r;
}

/* Every node (subject or object) of the graphs of `g`. */
static kg_status all_nodes(kg__rt *rt, const gctx *g, idset *nodes)
{
  kg__store *st = rt->v.store;
  kg_status r = KG_OK;
  for (size_t gi = 0; gi < g->n && r == KG_OK; gi++) {
    kg__id pat[4] = {0, 0, 0, g->g[gi]};
    kg__cursor *c = NULL;
    r = st->ops->match(st, pat, NULL, &c);
    if (r != KG_OK) {
      return kg__rt_store_fail(rt, r);
    }
    kg__id q[4];
    bool added;
    while ((r = st->ops->next(c, q)) == KG_ROW) {
      if ((r = kg__rt_tick(rt)) != KG_OK) {
        break;
      }
      if ((r = idset_add(nodes, q[0], &added)) != KG_OK ||
          (r = idset_add(nodes, q[2], &added)) != KG_OK) {
        break;
      }
    }
    st->ops->cursor_free(c);
    if (r == KG_DONE) {
      r = KG_OK;
    }
  }
  return r;
}

/* Nodes reachable from `start` by one or more steps of `p` (forward, or
 * backward when `back`), added to `reach` and listed in `out`. */
static kg_status closure(kg__rt *rt,
                         const kg__path *p,
                         const gctx *g,
                         kg__vid start,
                         bool back,
                         bool zero,
                         idset *reach,
                         pairs *list)
{
  kg_status r = KG_OK;
  bool added;
  if (zero) {
    r = idset_add(reach, start, &added);
    if (r == KG_OK) {
      r = pairs_add(list, start, start);
    }
  }
  kg__vid *front = malloc(sizeof *front);
  size_t nf = 0;
  size_t capf = 1;
  if (!front) {
    return KG_ERR_NOMEM;
  }
  front[nf++] = start;
  pairs step = {0};
  while (r == KG_OK && nf > 0) {
    kg__vid n = front[--nf];
    step.n = 0;
    r = back ? eval_path(rt, p, g, 0, n, &step)
             : eval_path(rt, p, g, n, 0, &step);
    for (size_t i = 0; r == KG_OK && i < step.n; i++) {
      kg__vid m = back ? step.v[2 * i] : step.v[2 * i + 1];
      r = idset_add(reach, m, &added);
      if (r != KG_OK || !added) {
        continue;
      }
      r = pairs_add(list, start, m);
      if (r == KG_OK && nf == capf) {
        capf *= 2;
        kg__vid *f = realloc(front, capf * sizeof *f);
        if (!f) {
          r = KG_ERR_NOMEM;
          break;
        }
        front = f;
      }
      if (r == KG_OK) {
        front[nf++] = m;
      }
    }
    if (r == KG_OK) {
      r = kg__rt_tick(rt);
    }
  }
  free(step.v);
  free(front);
  return r;
}

static kg_status eval_closure(kg__rt *rt,
                              const kg__path *p,
                              const gctx *g,
                              kg__vid s,
                              kg__vid o,
                              pairs *out)
{
  bool zero = p->kind != KG__PATH_PLUS;
  kg_status r = KG_OK;
  if (p->kind == KG__PATH_OPT) {
    /* zero or one step */
    if (s || o) {
      kg__vid from = s ? s : o;
      idset seen = {0};
      bool added;
      pairs one = {0};
      r = s ? eval_path(rt, p->a, g, s, o, &one)
            : eval_path(rt, p->a, g, 0, o, &one);
      if (r == KG_OK && (!s || !o || s == o)) {
        r = idset_add(&seen, from, &added);
        if (r == KG_OK) {
          r = pairs_add(out, from, from);
        }
      }
      for (size_t i = 0; r == KG_OK && i < one.n; i++) {
        kg__vid other = s ? one.v[2 * i + 1] : one.v[2 * i];
        r = idset_add(&seen, other, &added);
        if (r == KG_OK && added) {
          r = s ? pairs_add(out, s, other) : pairs_add(out, other, o);
        }
      }
      free(one.v);
      idset_free(&seen);
      return r;
    }
  }
  if (s) {
    idset reach = {0};
    pairs list = {0};
    r = closure(rt, p->a, g, s, false, zero, &reach, &list);
    for (size_t i = 0; r == KG_OK && i < list.n; i++) {
      if (!o || list.v[2 * i + 1] == o) {
        r = pairs_add(out, s, list.v[2 * i + 1]);
      }
    }
    free(list.v);
    idset_free(&reach);
    return r;
  }
  if (o) {
    idset reach = {0};
    pairs list = {0};
    r = closure(rt, p->a, g, o, true, zero, &reach, &list);
    for (size_t i = 0; r == KG_OK && i < list.n; i++) {
      r = pairs_add(out, list.v[2 * i + 1], o);
    }
    free(list.v);
    idset_free(&reach);
    return r;
  }
  /* neither end given: start from every node that can start a path */
  idset starts = {0};
  if (zero) {
    r = all_nodes(rt, g, &starts);
  } else {
    pairs first = {0};
    bool added;
    r = eval_path(rt, p->a, g, 0, 0, &first);
    for (size_t i = 0; r == KG_OK && i < first.n; i++) {
      r = idset_add(&starts, first.v[2 * i], &added);
    }
    free(first.v);
  }
  for (size_t i = 0; r == KG_OK && i < starts.nslots; i++) {
    if (!starts.slots[i]) {
      continue;
    }
    kg__vid n = starts.slots[i];
    if (p->kind == KG__PATH_OPT) {
      pairs one = {0};
      idset seen = {0};
      bool added;
      r = pairs_add(out, n, n);
      if (r == KG_OK) {
        r = idset_add(&seen, n, &added);
      }
      if (r == KG_OK) {
        r = eval_path(rt, p->a, g, n, 0, &one);
      }
      for (size_t k = 0; r == KG_OK && k < one.n; k++) {
        r = idset_add(&seen, one.v[2 * k + 1], &added);
        if (r == KG_OK && added) {
          r = pairs_add(out, n, one.v[2 * k + 1]);
        }
      }
      free(one.v);
      idset_free(&seen);
      continue;
    }
    idset reach = {0};
    r = closure(rt, p->a, g, n, false, zero, &reach, out);
    idset_free(&reach);
  }
  idset_free(&starts);
  return r;
}

static kg_status eval_path(kg__rt *rt,
                           const kg__path *p,
                           const gctx *g,
                           kg__vid s,
                           kg__vid o,
                           pairs *out)
{
  kg_status r = kg__rt_tick(rt);
  if (r != KG_OK) {
    return r;
  }
  switch (p->kind) {
  case KG__PATH_LINK:
    if (!p->id) {
      return KG_OK;
    }
    return match_step(rt, g, s, p->id, o, NULL, 0, false, out);
  case KG__PATH_INV: {
    pairs tmp = {0};
    r = eval_path(rt, p->a, g, o, s, &tmp);
    for (size_t i = 0; r == KG_OK && i < tmp.n; i++) {
      r = pairs_add(out, tmp.v[2 * i + 1], tmp.v[2 * i]);
    }
    free(tmp.v);
    return r;
  }
  case KG__PATH_SEQ: {
    pairs left = {0};
    if (!s && o) {
      r = eval_path(rt, p->b, g, 0, o, &left);
      for (size_t i = 0; r == KG_OK && i < left.n; i++) {
        pairs right = {0};
        r = eval_path(rt, p->a, g, 0, left.v[2 * i], &right);
        for (size_t k = 0; r == KG_OK && k < right.n; k++) {
          r = pairs_add(out, right.v[2 * k], o);
        }
        free(right.v);
      }
    } else {
      r = eval_path(rt, p->a, g, s, 0, &left);
      for (size_t i = 0; r == KG_OK && i < left.n; i++) {
        pairs right = {0};
        r = eval_path(rt, p->b, g, left.v[2 * i + 1], o, &right);
        for (size_t k = 0; r == KG_OK && k < right.n; k++) {
          r = pairs_add(out, left.v[2 * i], right.v[2 * k + 1]);
        }
        free(right.v);
      }
    }
    free(left.v);
    return r;
  }
  case KG__PATH_ALT:
    r = eval_path(rt, p->a, g, s, o, out);
    if (r == KG_OK) {
      r = eval_path(rt, p->b, g, s, o, out);
    }
    return r;
  case KG__PATH_STAR:
  case KG__PATH_PLUS:
  case KG__PATH_OPT:
    return eval_closure(rt, p, g, s, o, out);
  case KG__PATH_NEG:
    if (p->nfwd || !p->ninv) {
      r = match_step(rt, g, s, 0, o, p->fwd_id, p->nfwd, false, out);
    }
    if (r == KG_OK && p->ninv) {
      r = match_step(rt, g, o, 0, s, p->inv_id, p->ninv, true, out);
    }
    return r;
  }
  return KG_ERR_INTERNAL;
}

/* ---- the iterator ---- */

typedef struct path_it {
  kg__it base;
  const kg__op *op;
  kg__vid *in;
  kg__rows rows;
  size_t pos;
} path_it;

/* Is `n` a subject or object in the graphs of `g`? */
static bool node_in(kg__rt *rt, const gctx *g, kg__vid n)
{
  if (n & KG__VID_LOCAL) {
    return false;
  }
  kg__store *st = rt->v.store;
  for (size_t i = 0; i < g->n; i++) {
    kg__id a[4] = {n, 0, 0, g->g[i]};
    kg__id b[4] = {0, 0, n, g->g[i]};
    uint64_t c = 0;
    bool exact = false;
    if ((st->ops->count(st, a, &c, &exact) == KG_OK && c > 0) ||
        (st->ops->count(st, b, &c, &exact) == KG_OK && c > 0)) {
      return true;
    }
  }
  return false;
}

/* A zero-length match on a value that came from outside the path (a
 * variable bound before) holds only for nodes of the graph, as if the
 * path had been evaluated on its own and joined. */
static void drop_foreign_zero(kg__rt *rt, const gctx *g, pairs *res)
{
  size_t k = 0;
  for (size_t i = 0; i < res->n; i++) {
    kg__vid s = res->v[2 * i];
    kg__vid o = res->v[2 * i + 1];
    if (s == o && !node_in(rt, g, s)) {
      continue;
    }
    res->v[2 * k] = s;
    res->v[2 * k + 1] = o;
    k++;
  }
  res->n = k;
}

static kg_status add_rows(path_it *pi, const pairs *res, kg__vid graph)
{
  const kg__op *op = pi->op;
  kg__rt *rt = pi->base.rt;
  kg__vid *row = malloc((rt->width ? rt->width : 1) * sizeof *row);
  if (!row) {
    return KG_ERR_NOMEM;
  }
  kg_status r = KG_OK;
  for (size_t i = 0; r == KG_OK && i < res->n; i++) {
    memcpy(row, pi->in, rt->width * sizeof *row);
    kg__vid s = res->v[2 * i];
    kg__vid o = res->v[2 * i + 1];
    if (op->s.var >= 0) {
      row[op->s.var] = s;
    }
    if (op->o.var >= 0) {
      if (row[op->o.var] && row[op->o.var] != o) {
        continue; /* ?x path ?x */
      }
      row[op->o.var] = o;
    }
    if (graph && op->graph.g.var >= 0) {
      row[op->graph.g.var] = graph;
    }
    r = kg__rows_push(&pi->rows, row);
  }
  free(row);
  return r;
}

static kg_status path_open(kg__it *it, const kg__vid *in)
{
  path_it *pi = (path_it *)it;
  kg__rt *rt = it->rt;
  const kg__op *op = pi->op;
  memcpy(pi->in, in, rt->width * sizeof *in);
  pi->rows.n = 0;
  pi->rows.width = rt->width ? rt->width : 1;
  pi->pos = 0;
  kg__vid s = op->s.var >= 0 ? in[op->s.var] : op->s.id;
  kg__vid o = op->o.var >= 0 ? in[op->o.var] : op->o.id;
  bool outer = (op->s.var >= 0 && s) || (op->o.var >= 0 && o);
  /* a constant the store lacks: still a node for zero-length paths */
  kg__vid sc = s;
  kg__vid oc = o;
  if (op->s.var < 0 && !s) {
    if (kg__vctx_intern(&rt->v, &op->s.term, &sc) != KG_OK) {
      return kg__rt_fail(rt, KG_ERR_NOMEM, "out of memory");
    }
  }
  if (op->o.var < 0 && !o) {
    if (kg__vctx_intern(&rt->v, &op->o.term, &oc) != KG_OK) {
      return kg__rt_fail(rt, KG_ERR_NOMEM, "out of memory");
    }
  }
  s = sc;
  o = oc;
  kg_status r = KG_OK;
  pairs res = {0};
  if (op->graph.mode == KG__G_DEFAULT) {
    kg__vid def = KG__DEFAULT_GRAPH;
    gctx g = {&def, 1};
    kg__vid *all = NULL;
    if (rt->from_default) {
      g.g = rt->from;
      g.n = rt->nfrom;
    } else if (rt->union_default) {
      const kg__vid *named = NULL;
      size_t n = 0;
      r = kg__rt_graphs(rt, &named, &n);
      all = r == KG_OK ? malloc((n + 1) * sizeof *all) : NULL;
      if (r == KG_OK && !all) {
        r = KG_ERR_NOMEM;
      }
      if (all) {
        all[0] = KG__DEFAULT_GRAPH;
        if (n) {
          memcpy(all + 1, named, n * sizeof *all);
        }
        g.g = all;
        g.n = n + 1;
      }
    }
    if (r == KG_OK) {
      r = eval_path(rt, op->path, &g, s, o, &res);
    }
    if (r == KG_OK && outer) {
      drop_foreign_zero(rt, &g, &res);
    }
    free(all);
    if (r == KG_OK) {
      r = add_rows(pi, &res, 0);
    }
  } else {
    kg__vid gid = op->graph.g.var >= 0 ? in[op->graph.g.var] : op->graph.g.id;
    const kg__vid *list = &gid;
    size_t n = 1;
    if (gid) {
      if (!kg__rt_is_named(rt, gid)) {
        n = 0;
      }
    } else if (op->graph.g.var < 0) {
      n = 0;
    } else {
      r = kg__rt_graphs(rt, &list, &n);
    }
    for (size_t i = 0; r == KG_OK && i < n; i++) {
      gctx g = {&list[i], 1};
      res.n = 0;
      r = eval_path(rt, op->path, &g, s, o, &res);
      if (r == KG_OK && outer) {
        drop_foreign_zero(rt, &g, &res);
      }
      if (r == KG_OK) {
        r = add_rows(pi, &res, list[i]);
      }
    }
  }
  free(res.v);
  if (r == KG_ERR_NOMEM) {
    return kg__rt_fail(rt, r, "out of memory");
  }
  return r;
}

static kg_status path_next(kg__it *it, kg__vid *out)
{
  path_it *pi = (path_it *)it;
  if (pi->pos >= pi->rows.n) {
    return KG_DONE;
  }
  memcpy(out, kg__rows_at(&pi->rows, pi->pos++), it->rt->width * sizeof *out);
  return KG_ROW;
}

static void path_free(kg__it *it)
{
  path_it *pi = (path_it *)it;
  kg__rows_free(&pi->rows);
  free(pi->in);
  free(pi);
}

static const kg__it_ops path_ops = {path_open, path_next, path_free};

kg__it *kg__it_path(kg__rt *rt, const kg__op *op)
{
  path_it *pi = calloc(1, sizeof *pi);
  if (!pi) {
    return NULL;
  }
  pi->base.ops = &path_ops;
  pi->base.rt = rt;
  pi->op = op;
  pi->in = calloc(rt->width ? rt->width : 1, sizeof *pi->in);
  if (!pi->in) {
    free(pi);
    return NULL;
  }
  return &pi->base;
}
