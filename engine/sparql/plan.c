/* From algebra to iterators.
 *
 * Bindings flow down: an operator is opened with the row its results must
 * extend, so a join evaluates its right side once per left row with the
 * left row's values in place (an index nested-loop join over the store).
 * That is the same as joining afterwards only when the right side cannot
 * see the difference: a FILTER, BIND, OPTIONAL or MINUS whose variables may
 * be bound from outside but are not bound by its own pattern would see
 * outer values that SPARQL's bottom-up semantics hide from it. Such a part,
 * and every subquery, is evaluated once on its own and its rows are kept
 * and joined by hash on the variables both sides always bind (kg__it_cache).
 *
 * Triple patterns of a basic graph pattern are ordered greedily: next is
 * the pattern with the smallest estimated number of matches given the
 * variables already bound, using the store's counts. */
#include "eval.h"

#include <stdlib.h>
#include <string.h>

typedef struct plan {
  kg__rt *rt;
  kg__it **owned; /* EXISTS iterators */
  size_t nowned;
  size_t cap;
  kg__vars all;
  kg__vars graph_slots; /* the hidden slots of GRAPH ?g */
} plan;

static kg_status plan_op(plan *pl,
                         kg__op *op,
                         const kg__vars *L,
                         const kg__vars *C,
                         bool force,
                         kg__it **out);
static kg_status build_query(plan *pl, kg__query *q, kg__it **out);

/* ---- constants ---- */

kg_status kg__plan_pterm(kg__rt *rt, kg__pterm *t)
{
  if (t->var >= 0 || t->term.kind == 0) {
    return KG_OK;
  }
  t->id = kg__vctx_lookup(&rt->v, &t->term);
  return rt->v.failure;
}

static kg_status intern_pterm(kg__rt *rt, kg__pterm *t)
{
  if (t->var >= 0 || t->term.kind == 0) {
    return KG_OK;
  }
  return kg__vctx_intern(&rt->v, &t->term, &t->id);
}

static kg_status resolve_path(kg__rt *rt, kg__path *p)
{
  if (!p) {
    return KG_OK;
  }
  kg_status st = KG_OK;
  if (p->kind == KG__PATH_LINK) {
    p->id = kg__vctx_lookup(&rt->v, &p->iri);
  }
  for (size_t i = 0; i < p->nfwd; i++) {
    p->fwd_id[i] = kg__vctx_lookup(&rt->v, &p->fwd[i]);
  }
  for (size_t i = 0; i < p->ninv; i++) {
    p->inv_id[i] = kg__vctx_lookup(&rt->v, &p->inv[i]);
  }
  if (rt->v.failure != KG_OK) {
    return rt->v.failure;
  }
  st = resolve_path(rt, p->a);
  if (st == KG_OK) {
    st = resolve_path(rt, p->b);
  }
  return st;
}

static kg_status resolve_op(plan *pl, kg__op *op);

static int exists_cb(kg__rt *rt, const kg__expr *e, const kg__vid *row)
{
  kg__it *it = e->plan;
  if (!it) {
    return -1;
  }
  kg__vid *tmp = malloc((rt->width ? rt->width : 1) * sizeof *tmp);
  if (!tmp) {
    kg__rt_fail(rt, KG_ERR_NOMEM, "out of memory");
    return -1;
  }
  kg_status r = kg__it_open(it, row);
  if (r == KG_OK) {
    r = kg__it_next(it, tmp);
  }
  free(tmp);
  if (r == KG_ROW) {
    return 1;
  }
  return r == KG_DONE ? 0 : -1;
}

static kg_status resolve_expr(plan *pl, kg__expr *e)
{
  if (!e) {
    return KG_OK;
  }
  kg_status st = KG_OK;
  if (e->op == KG__X_CONST) {
    st = intern_pterm(pl->rt, &e->cst);
  }
  for (size_t i = 0; st == KG_OK && i < e->nargs; i++) {
    st = resolve_expr(pl, e->args[i]);
  }
  if (st == KG_OK && e->op == KG__X_EXISTS && e->pattern) {
    st = resolve_op(pl, e->pattern);
    if (st == KG_OK) {
      st = kg__op_analyse(e->pattern);
    }
    kg__it *it = NULL;
    kg__vars none = {0};
    if (st == KG_OK) {
      st = plan_op(pl, e->pattern, &pl->all, &none, true, &it);
    }
    if (st == KG_OK) {
      if (pl->nowned == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 4;
        kg__it **o = realloc(pl->owned, cap * sizeof *o);
        if (!o) {
          kg__it_free(it);
          return KG_ERR_NOMEM;
        }
        pl->owned = o;
        pl->cap = cap;
      }
      pl->owned[pl->nowned++] = it;
      e->plan = it;
      pl->rt->exists = exists_cb;
    }
  }
  return st;
}

static kg_status resolve_query(plan *pl, kg__query *q);

static kg_status resolve_op(plan *pl, kg__op *op)
{
  if (!op) {
    return KG_OK;
  }
  kg__rt *rt = pl->rt;
  kg_status st = KG_OK;
  for (size_t i = 0; st == KG_OK && i < op->npats; i++) {
    for (int k = 0; st == KG_OK && k < 3; k++) {
      st = kg__plan_pterm(rt, &op->pats[i].t[k]);
    }
    if (st == KG_OK) {
      st = kg__plan_pterm(rt, &op->pats[i].graph.g);
    }
  }
  if (st == KG_OK) {
    st = kg__plan_pterm(rt, &op->s);
  }
  if (st == KG_OK) {
    st = kg__plan_pterm(rt, &op->o);
  }
  if (st == KG_OK) {
    st = kg__plan_pterm(rt, &op->graph.g);
  }
  if (st == KG_OK) {
    st = resolve_path(rt, op->path);
  }
  for (size_t i = 0; st == KG_OK && i < op->nrows * op->nvars; i++) {
    st = intern_pterm(rt, &op->cells[i]);
  }
  for (size_t i = 0; st == KG_OK && i < op->nexprs; i++) {
    st = resolve_expr(pl, op->exprs[i]);
  }
  if (st == KG_OK) {
    st = resolve_expr(pl, op->expr);
  }
  if (st == KG_OK) {
    st = resolve_op(pl, op->a);
  }
  if (st == KG_OK) {
    st = resolve_op(pl, op->b);
  }
  if (st == KG_OK && op->sub) {
    st = resolve_query(pl, op->sub);
  }
  return st;
}

static kg_status resolve_query(plan *pl, kg__query *q)
{
  kg_status st = resolve_op(pl, q->where);
  for (size_t i = 0; st == KG_OK && i < q->nkeys; i++) {
    st = resolve_expr(pl, q->keys[i]);
  }
  for (size_t i = 0; st == KG_OK && i < q->naggs; i++) {
    st = resolve_expr(pl, q->aggs[i].arg);
  }
  for (size_t i = 0; st == KG_OK && i < q->nhaving; i++) {
    st = resolve_expr(pl, q->having[i]);
  }
  for (size_t i = 0; st == KG_OK && i < q->nproj; i++) {
    st = resolve_expr(pl, q->proj[i].expr);
  }
  for (size_t i = 0; st == KG_OK && i < q->norder; i++) {
    st = resolve_expr(pl, q->order[i].expr);
  }
  return st;
}

/* ---- the slots of GRAPH and what subqueries read ---- */

static kg_status query_mentions(const kg__query *q, kg__vars *s);

static kg_status expr_graph_slots(plan *pl, const kg__expr *e);

static kg_status op_graph_slots(plan *pl, const kg__op *op)
{
  if (!op) {
    return KG_OK;
  }
  kg_status st = KG_OK;
  if (op->kind == KG__OP_GRAPH && op->graph.g.var >= 0) {
    st = kg__vars_add(&pl->graph_slots, op->graph.g.var);
  }
  for (size_t i = 0; st == KG_OK && i < op->nexprs; i++) {
    st = expr_graph_slots(pl, op->exprs[i]);
  }
  if (st == KG_OK) {
    st = expr_graph_slots(pl, op->expr);
  }
  if (st == KG_OK) {
    st = op_graph_slots(pl, op->a);
  }
  if (st == KG_OK) {
    st = op_graph_slots(pl, op->b);
  }
  if (st == KG_OK && op->sub) {
    st = op_graph_slots(pl, op->sub->where);
  }
  return st;
}

static kg_status expr_graph_slots(plan *pl, const kg__expr *e)
{
  if (!e) {
    return KG_OK;
  }
  kg_status st = op_graph_slots(pl, e->pattern);
  for (size_t i = 0; st == KG_OK && i < e->nargs; i++) {
    st = expr_graph_slots(pl, e->args[i]);
  }
  return st;
}

static kg_status query_mentions(const kg__query *q, kg__vars *s)
{
  kg_status st = kg__op_mentions(q->where, s);
  for (size_t i = 0; st == KG_OK && q->where && i < q->nkeys; i++) {
    st = kg__expr_vars(q->keys[i], s);
  }
  for (size_t i = 0; st == KG_OK && i < q->naggs; i++) {
    st = kg__expr_vars(q->aggs[i].arg, s);
  }
  for (size_t i = 0; st == KG_OK && i < q->nproj; i++) {
    st = kg__expr_vars(q->proj[i].expr, s);
  }
  return st;
}

/* ---- estimates ---- */

static uint64_t count_pattern(kg__rt *rt, const kg__id pat[4])
{
  kg__store *s = rt->v.store;
  uint64_t n = 0;
  bool exact = false;
  if (s->ops->count(s, pat, &n, &exact) != KG_OK) {
    return UINT64_MAX / 4;
  }
  return n;
}

/* Estimated matches of `p` once the slots in `bound` have values. */
static double estimate(kg__rt *rt, const kg__quadpat *p, const kg__vars *bound)
{
  kg__id pat[4] = {0, 0, 0, 0};
  int nbound = 0;
  bool sb = false;
  bool ob = false;
  for (int k = 0; k < 3; k++) {
    const kg__pterm *t = &p->t[k];
    if (t->var < 0) {
      if (t->id == 0) {
        return 0; /* a constant the store lacks: no match */
      }
      pat[k] = t->id;
    } else if (kg__vars_has(bound, t->var)) {
      nbound++;
      sb = sb || k == 0;
      ob = ob || k == 2;
    }
  }
  if (p->graph.mode == KG__G_DEFAULT) {
    pat[3] = rt->from_default || rt->union_default ? 0 : KG__DEFAULT_GRAPH;
  } else if (p->graph.g.var < 0) {
    if (p->graph.g.id == 0) {
      return 0;
    }
    pat[3] = p->graph.g.id;
  } else {
    pat[3] = KG__NAMED_GRAPHS;
  }
  double n = (double)count_pattern(rt, pat);
  if (sb) {
    n = n / 100.0;
  }
  if (ob) {
    n = n / 20.0;
  }
  if (nbound > (int)sb + (int)ob) {
    n = n / 5.0;
  }
  if (p->graph.mode == KG__G_NAMED && p->graph.g.var >= 0 &&
      kg__vars_has(bound, p->graph.g.var)) {
    n = n / 4.0;
  }
  return n < 1.0 && n > 0 ? 1.0 : n;
}

static bool shares(const kg__quadpat *p, const kg__vars *bound)
{
  for (int k = 0; k < 3; k++) {
    if (p->t[k].var >= 0 && kg__vars_has(bound, p->t[k].var)) {
      return true;
    }
  }
  return p->graph.mode == KG__G_NAMED && p->graph.g.var >= 0 &&
         kg__vars_has(bound, p->graph.g.var);
}

static kg_status add_pattern_vars(const kg__quadpat *p, kg__vars *s)
{
  kg_status st = KG_OK;
  for (int k = 0; st == KG_OK && k < 3; k++) {
    st = kg__vars_add(s, p->t[k].var);
  }
  if (st == KG_OK && p->graph.mode == KG__G_NAMED) {
    st = kg__vars_add(s, p->graph.g.var);
  }
  return st;
}

static kg_status plan_bgp(plan *pl, kg__op *op, const kg__vars *C, kg__it **out)
{
  kg__rt *rt = pl->rt;
  if (op->npats == 0) {
    *out = kg__it_unit(rt);
    return *out ? KG_OK : KG_ERR_NOMEM;
  }
  kg__vars bound = {0};
  kg_status st = kg__vars_union(&bound, C);
  bool *used = calloc(op->npats, sizeof *used);
  kg__it **its = calloc(op->npats, sizeof *its);
  double *alone = calloc(op->npats, sizeof *alone);
  if (!used || !its || !alone) {
    st = KG_ERR_NOMEM;
  }
  /* Greedy: the next pattern is the cheapest given what is bound. Large
   * patterns (over 64 triples) are ordered by their own counts once. */
  bool greedy = op->npats <= 64;
  for (size_t i = 0; st == KG_OK && !greedy && i < op->npats; i++) {
    alone[i] = estimate(rt, &op->pats[i], &bound);
  }
  for (size_t step = 0; st == KG_OK && step < op->npats; step++) {
    size_t best = 0;
    double best_n = -1;
    bool any_bound = bound.nw > 0;
    for (size_t i = 0; i < op->npats; i++) {
      if (used[i]) {
        continue;
      }
      double n = greedy ? estimate(rt, &op->pats[i], &bound) : alone[i];
      if (greedy && any_bound && !shares(&op->pats[i], &bound) && n > 0) {
        n = n * 1000.0 + 1e6; /* a cartesian product: last */
      }
      if (best_n < 0 || n < best_n) {
        best_n = n;
        best = i;
      }
    }
    used[best] = true;
    its[step] = kg__it_scan(rt, &op->pats[best]);
    if (!its[step]) {
      st = KG_ERR_NOMEM;
      break;
    }
    st = add_pattern_vars(&op->pats[best], &bound);
  }
  free(used);
  free(alone);
  kg__vars_free(&bound);
  if (st != KG_OK) {
    for (size_t i = 0; its && i < op->npats; i++) {
      kg__it_free(its[i]);
    }
    free(its);
    return st;
  }
  *out = op->npats == 1 ? its[0] : kg__it_chain(rt, its, op->npats);
  free(its);
  return *out ? KG_OK : KG_ERR_NOMEM;
}

/* ---- patterns ---- */

/* May `op` be evaluated with outer bindings in place? Only when the
 * variables its expressions (or its right-hand pattern) read that the
 * outside may bind are bound by its own left pattern anyway. */
static bool
pushable(const kg__vars *reads, const kg__vars *L, const kg__vars *cert)
{
  kg__vars x = {0};
  if (kg__vars_union(&x, reads) != KG_OK) {
    return false;
  }
  kg__vars_intersect(&x, L);
  bool ok = kg__vars_subset(&x, cert);
  kg__vars_free(&x);
  return ok;
}

static kg_status
expr_reads(kg__expr *const *exprs, size_t n, kg__expr *e, kg__vars *out)
{
  kg_status st = KG_OK;
  for (size_t i = 0; st == KG_OK && i < n; i++) {
    st = kg__expr_vars(exprs[i], out);
  }
  if (st == KG_OK) {
    st = kg__expr_vars(e, out);
  }
  return st;
}

/* `op` evaluated on its own, its rows kept and joined with each input. */
static kg_status
cached(plan *pl, kg__op *op, const kg__vars *C, kg__it *inner, kg__it **out)
{
  kg__vars keys = {0};
  kg_status st = kg__vars_union(&keys, &op->cert);
  if (st == KG_OK) {
    kg__vars_intersect(&keys, C);
    *out = kg__it_cache(pl->rt, inner, &op->maybe, &keys);
    inner = NULL;
    st = *out ? KG_OK : KG_ERR_NOMEM;
  }
  kg__it_free(inner);
  kg__vars_free(&keys);
  return st;
}

static kg_status
plan_alone(plan *pl, kg__op *op, const kg__vars *C, kg__it **out)
{
  kg__vars none = {0};
  kg__it *inner = NULL;
  kg_status st = plan_op(pl, op, &none, &none, false, &inner);
  if (st != KG_OK) {
    return st;
  }
  return cached(pl, op, C, inner, out);
}

static kg_status plan_op(plan *pl,
                         kg__op *op,
                         const kg__vars *L,
                         const kg__vars *C,
                         bool force,
                         kg__it **out)
{
  kg__rt *rt = pl->rt;
  kg__it *a = NULL;
  kg__it *b = NULL;
  kg_status st = KG_OK;
  *out = NULL;
  switch (op->kind) {
  case KG__OP_UNIT:
    *out = kg__it_unit(rt);
    break;
  case KG__OP_EMPTY:
    *out = kg__it_empty(rt);
    break;
  case KG__OP_BGP:
    return plan_bgp(pl, op, C, out);
  case KG__OP_PATH:
    *out = kg__it_path(rt, op);
    break;
  case KG__OP_VALUES:
    *out = kg__it_values(rt, op);
    break;
  case KG__OP_JOIN: {
    kg__vars L2 = {0};
    kg__vars C2 = {0};
    st = plan_op(pl, op->a, L, C, force, &a);
    if (st == KG_OK) {
      st = kg__vars_union(&L2, L);
    }
    if (st == KG_OK) {
      st = kg__vars_union(&L2, &op->a->maybe);
    }
    if (st == KG_OK) {
      st = kg__vars_union(&C2, C);
    }
    if (st == KG_OK) {
      st = kg__vars_union(&C2, &op->a->cert);
    }
    if (st == KG_OK) {
      /* a cartesian product with a pattern: evaluate it once */
      kg__vars m = {0};
      st = kg__op_mentions(op->b, &m);
      bool cross = st == KG_OK && !force && !kg__vars_meets(&m, &L2) &&
                   (op->b->kind == KG__OP_BGP || op->b->kind == KG__OP_PATH);
      kg__vars_free(&m);
      if (st == KG_OK && cross) {
        st = plan_alone(pl, op->b, &C2, &b);
      } else if (st == KG_OK) {
        st = plan_op(pl, op->b, &L2, &C2, force, &b);
      }
    }
    kg__vars_free(&L2);
    kg__vars_free(&C2);
    if (st == KG_OK) {
      *out = kg__it_join(rt, a, b);
      a = b = NULL;
    }
    break;
  }
  case KG__OP_UNION:
    st = plan_op(pl, op->a, L, C, force, &a);
    if (st == KG_OK) {
      st = plan_op(pl, op->b, L, C, force, &b);
    }
    if (st == KG_OK) {
      *out = kg__it_union(rt, a, b);
      a = b = NULL;
    }
    break;
  case KG__OP_LEFTJOIN:
  case KG__OP_MINUS:
  case KG__OP_FILTER:
  case KG__OP_EXTEND: {
    kg__vars reads = {0};
    st = expr_reads(op->exprs, op->nexprs, op->expr, &reads);
    if (st == KG_OK && op->b && op->kind != KG__OP_MINUS) {
      st = kg__op_mentions(op->b, &reads);
    }
    if (st == KG_OK && op->kind == KG__OP_MINUS) {
      st = kg__op_mentions(op->b, &reads);
    }
    bool push = st == KG_OK && (force || pushable(&reads, L, &op->a->cert));
    kg__vars_free(&reads);
    if (st != KG_OK) {
      break;
    }
    if (!push) {
      kg__vars none = {0};
      kg__it *inner = NULL;
      st = plan_op(pl, op, &none, &none, false, &inner);
      if (st == KG_OK) {
        st = cached(pl, op, C, inner, out);
      }
      return st;
    }
    st = plan_op(pl, op->a, L, C, force, &a);
    if (st != KG_OK) {
      break;
    }
    if (op->kind == KG__OP_FILTER) {
      *out = kg__it_filter(rt, a, op->exprs, op->nexprs);
      a = NULL;
    } else if (op->kind == KG__OP_EXTEND) {
      *out = kg__it_extend(rt, a, op->var, op->expr);
      a = NULL;
    } else if (op->kind == KG__OP_MINUS) {
      kg__vars none = {0};
      kg__vars keys = {0};
      st = plan_op(pl, op->b, &none, &none, false, &b);
      if (st == KG_OK) {
        st = kg__vars_union(&keys, &op->b->cert);
      }
      kg__vars dvars = {0};
      if (st == KG_OK) {
        kg__vars_intersect(&keys, &op->a->cert);
        st = kg__vars_union(&dvars, &op->b->maybe);
      }
      if (st == KG_OK) {
        for (size_t w = 0; w < dvars.nw; w++) {
          dvars.w[w] &=
              w < pl->graph_slots.nw ? ~pl->graph_slots.w[w] : ~UINT64_C(0);
        }
        *out = kg__it_minus(rt, a, b, &op->b->maybe, &dvars, &keys);
        a = b = NULL;
      }
      kg__vars_free(&dvars);
      kg__vars_free(&keys);
    } else {
      kg__vars L2 = {0};
      kg__vars C2 = {0};
      st = kg__vars_union(&L2, L);
      if (st == KG_OK) {
        st = kg__vars_union(&L2, &op->a->maybe);
      }
      if (st == KG_OK) {
        st = kg__vars_union(&C2, C);
      }
      if (st == KG_OK) {
        st = kg__vars_union(&C2, &op->a->cert);
      }
      if (st == KG_OK) {
        st = plan_op(pl, op->b, &L2, &C2, force, &b);
      }
      kg__vars_free(&L2);
      kg__vars_free(&C2);
      if (st == KG_OK) {
        *out = kg__it_leftjoin(rt, a, b, op->exprs, op->nexprs);
        a = b = NULL;
      }
    }
    break;
  }
  case KG__OP_GRAPH: {
    kg__vars L2 = {0};
    kg__vars C2 = {0};
    int h = op->graph.g.var;
    /* when the pattern may leave the hidden slot unbound, it is run once
     * per named graph with the slot set */
    bool per_graph = h >= 0 && !kg__vars_has(&op->a->cert, h);
    st = kg__vars_union(&L2, L);
    if (st == KG_OK) {
      st = kg__vars_union(&C2, C);
    }
    if (st == KG_OK && h >= 0 &&
        (per_graph || (op->var >= 0 && kg__vars_has(L, op->var)))) {
      st = kg__vars_add(&L2, h);
    }
    if (st == KG_OK && h >= 0 &&
        (per_graph || (op->var >= 0 && kg__vars_has(C, op->var)))) {
      st = kg__vars_add(&C2, h);
    }
    if (st == KG_OK) {
      st = plan_op(pl, op->a, &L2, &C2, force, &a);
    }
    kg__vars_free(&L2);
    kg__vars_free(&C2);
    if (st == KG_OK) {
      *out = kg__it_graph(rt, a, &op->graph, op->var, per_graph);
      a = NULL;
    }
    break;
  }
  case KG__OP_QUERY: {
    kg__it *inner = NULL;
    kg__vars corr = {0};
    st = query_mentions(op->sub, &corr);
    kg__vars_intersect(&corr, L);
    kg__vars_intersect(&corr, &pl->graph_slots);
    bool correlated = false;
    for (size_t w = 0; w < corr.nw; w++) {
      correlated = correlated || corr.w[w] != 0;
    }
    if (st == KG_OK) {
      st = build_query(pl, op->sub, &inner);
    }
    if (st == KG_OK && correlated) {
      *out = kg__it_correlate(rt, inner, &corr, &op->maybe);
      st = *out ? KG_OK : KG_ERR_NOMEM;
    } else if (st == KG_OK) {
      st = cached(pl, op, C, inner, out);
    }
    kg__vars_free(&corr);
    return st;
  }
  }
  kg__it_free(a);
  kg__it_free(b);
  if (st == KG_OK && !*out) {
    st = KG_ERR_NOMEM;
  }
  return st;
}

/* ---- queries ---- */

static kg_status build_query(plan *pl, kg__query *q, kg__it **out)
{
  kg__rt *rt = pl->rt;
  kg__vars none = {0};
  kg__it *it = NULL;
  kg_status st = plan_op(pl, q->where, &none, &none, false, &it);
  if (st != KG_OK) {
    return st;
  }
  if (q->grouped) {
    it = kg__it_group(rt, it, q);
  }
  if (it && q->nhaving) {
    it = kg__it_filter(rt, it, q->having, q->nhaving);
  }
  for (size_t i = 0; it && i < q->nproj; i++) {
    if (q->proj[i].expr) {
      it = kg__it_extend(rt, it, q->proj[i].slot, q->proj[i].expr);
    }
  }
  if (it && q->norder) {
    uint64_t top = 0;
    if (q->limit >= 0 && !q->distinct) {
      top = (uint64_t)q->limit + (uint64_t)q->offset;
    }
    it = kg__it_order(rt, it, q->order, q->norder, top);
  }
  if (it && q->kind == KG_QUERY_SELECT) {
    kg__vars keep = {0};
    kg__slots cols = {0};
    for (size_t i = 0; st == KG_OK && i < q->nproj; i++) {
      st = kg__vars_add(&keep, q->proj[i].slot);
    }
    if (st == KG_OK) {
      it = kg__it_project(rt, it, &keep);
    }
    if (st == KG_OK && it && q->distinct == 1) {
      cols.v = malloc((q->nproj ? q->nproj : 1) * sizeof *cols.v);
      if (!cols.v) {
        st = KG_ERR_NOMEM;
      } else {
        for (size_t i = 0; i < q->nproj; i++) {
          cols.v[cols.n++] = q->proj[i].slot;
        }
        it = kg__it_distinct(rt, it, &cols);
      }
    }
    kg__slots_free(&cols);
    kg__vars_free(&keep);
    if (st != KG_OK) {
      kg__it_free(it);
      return st;
    }
  }
  if (it && (q->offset > 0 || q->limit >= 0)) {
    it = kg__it_slice(rt, it, q->offset, q->limit);
  }
  if (!it) {
    return KG_ERR_NOMEM;
  }
  *out = it;
  return KG_OK;
}

/* The root owns the EXISTS iterators of the plan. */
typedef struct root_it {
  kg__it base;
  kg__it *a;
  kg__it **owned;
  size_t nowned;
} root_it;

static kg_status root_open(kg__it *it, const kg__vid *in)
{
  return kg__it_open(((root_it *)it)->a, in);
}

static kg_status root_next(kg__it *it, kg__vid *out)
{
  return kg__it_next(((root_it *)it)->a, out);
}

static void root_free(kg__it *it)
{
  root_it *r = (root_it *)it;
  kg__it_free(r->a);
  for (size_t i = 0; i < r->nowned; i++) {
    kg__it_free(r->owned[i]);
  }
  free(r->owned);
  free(r);
}

static const kg__it_ops root_ops = {root_open, root_next, root_free};

kg_status kg__plan_query(kg__rt *rt, kg__query *q, kg__it **out)
{
  *out = NULL;
  plan pl;
  memset(&pl, 0, sizeof pl);
  pl.rt = rt;
  kg_status st = KG_OK;
  for (size_t i = 0; st == KG_OK && i < rt->width; i++) {
    st = kg__vars_add(&pl.all, (int)i);
  }
  if (st == KG_OK) {
    st = op_graph_slots(&pl, q->where);
  }
  if (st == KG_OK) {
    st = resolve_query(&pl, q);
  }
  if (st == KG_OK && q->where) {
    st = kg__op_analyse(q->where);
  }
  kg__it *it = NULL;
  if (st == KG_OK) {
    st = build_query(&pl, q, &it);
  }
  root_it *r = NULL;
  if (st == KG_OK) {
    r = calloc(1, sizeof *r);
    if (!r) {
      st = KG_ERR_NOMEM;
    }
  }
  if (st != KG_OK) {
    kg__it_free(it);
    for (size_t i = 0; i < pl.nowned; i++) {
      kg__it_free(pl.owned[i]);
    }
    free(pl.owned);
    kg__vars_free(&pl.all);
    kg__vars_free(&pl.graph_slots);
    return st;
  }
  r->base.ops = &root_ops;
  r->base.rt = rt;
  r->a = it;
  r->owned = pl.owned;
  r->nowned = pl.nowned;
  kg__vars_free(&pl.all);
  kg__vars_free(&pl.graph_slots);
  *out = &r->base;
  return KG_OK;
}
