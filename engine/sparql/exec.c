/* SPARQL evaluation by kgraph: parse (parser.c), plan (plan.c) and run the
 * iterators (eval.c) over the database's store, then shape the solutions
 * into rows, one boolean, or triples (CONSTRUCT templates, DESCRIBE's
 * concise bounded descriptions). */
#include "exec.h"
#include "eval.h"
#include "parser.h"
#include "rows.h"

#include <stdlib.h>
#include <string.h>

struct kg__exec {
  kg_db *db;
  kg__query *q;
  kg__rt rt;
  kg__it *it;
  kg__vid *row;
  bool started;
  bool done;
  atomic_int cancel;
  /* CONSTRUCT and DESCRIBE: triples waiting, and those already given */
  kg__vid *pending;
  size_t npending;
  size_t ppos;
  size_t pcap;
  kg__tupset given;
  /* DESCRIBE: resources to describe (a queue) and those already seen */
  kg__vid *queue;
  size_t nqueue;
  size_t qpos;
  size_t qcap;
  kg__tupset described;
  bool collected;
};

static kg_status push_pending(kg__exec *x, const kg__vid t[3])
{
  bool added = false;
  kg_status st = kg__tupset_add(&x->given, t, &added);
  if (st != KG_OK || !added) {
    return st;
  }
  if (x->npending == x->pcap) {
    size_t cap = x->pcap ? x->pcap * 2 : 16;
    kg__vid *p = realloc(x->pending, cap * 3 * sizeof *p);
    if (!p) {
      return KG_ERR_NOMEM;
    }
    x->pending = p;
    x->pcap = cap;
  }
  memcpy(x->pending + 3 * x->npending, t, 3 * sizeof *t);
  x->npending++;
  return KG_OK;
}

/* ---- preparing ---- */

/* With inference on, a query without FROM reads the inferred graph as part
 * of its default graph (the merge of the store's default graph and
 * KG_INFERRED_GRAPH), so that entailments answer ordinary patterns. The
 * union default graph holds it already. */
static kg_status default_with_inferred(kg__rt *rt)
{
  static const kg_term inferred = {KG_TERM_IRI, KG_INFERRED_GRAPH,
                                   sizeof KG_INFERRED_GRAPH - 1, NULL, NULL};
  if (rt->from_default || rt->union_default) {
    return KG_OK;
  }
  kg__vid id = kg__vctx_lookup(&rt->v, &inferred);
  if (rt->v.failure != KG_OK) {
    return rt->v.failure;
  }
  if (!id) {
    return KG_OK; /* nothing inferred yet */
  }
  rt->from = calloc(2, sizeof *rt->from);
  if (!rt->from) {
    return KG_ERR_NOMEM;
  }
  rt->from[0] = KG__DEFAULT_GRAPH;
  rt->from[1] = id;
  rt->nfrom = 2;
  rt->from_default = true;
  return KG_OK;
}

kg_status kg__exec_prepare(
    kg_db *db, const char *text, const char *base, kg__exec **out, kg__err *err)
{
  *out = NULL;
  kg__exec *x = calloc(1, sizeof *x);
  if (!x) {
    kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
    return KG_ERR_NOMEM;
  }
  x->db = db;
  atomic_init(&x->cancel, 0);
  kg_status st = kg__parse_query(text, strlen(text), base, &x->q, err);
  if (st == KG_OK) {
    st = kg__rt_init(&x->rt, db->store, x->q->nslots);
  }
  if (st == KG_OK) {
    x->rt.base = x->q->base ? x->q->base : base;
    x->rt.union_default = db->default_graph == KG_DEFAULT_GRAPH_UNION;
    x->rt.cancel = &x->cancel;
    x->rt.interrupt = &db->interrupt;
    x->rt.err = err;
    if (db->limits.timeout_ms) {
      x->rt.deadline_ms = kg__now_ms() + db->limits.timeout_ms;
      x->rt.timeout_ms = db->limits.timeout_ms;
    }
    x->row = calloc(x->q->nslots ? x->q->nslots : 1, sizeof *x->row);
    if (!x->row || kg__tupset_init(&x->given, 3) != KG_OK ||
        kg__tupset_init(&x->described, 1) != KG_OK) {
      st = KG_ERR_NOMEM;
    }
  }
  if (st == KG_OK) {
    st = kg__rt_dataset(&x->rt, x->q);
  }
  if (st == KG_OK && db->inference != KG_INFERENCE_NONE) {
    st = default_with_inferred(&x->rt);
  }
  for (size_t i = 0; st == KG_OK && i < x->q->ntmpl; i++) {
    for (int k = 0; st == KG_OK && k < 3; k++) {
      kg__pterm *t = &x->q->tmpl[i].t[k];
      if (t->var < 0 && t->term.kind && t->term.kind != KG_TERM_BLANK) {
        st = kg__vctx_intern(&x->rt.v, &t->term, &t->id);
      }
    }
  }
  for (size_t i = 0; st == KG_OK && i < x->q->ndescribe; i++) {
    st = kg__plan_pterm(&x->rt, &x->q->describe[i]);
  }
  if (st == KG_OK) {
    st = kg__plan_query(&x->rt, x->q, &x->it);
  }
  x->rt.err = NULL;
  if (st != KG_OK) {
    if (err->status == KG_OK) {
      kg__err_set(err, st, 0, 0, "%s", kg_strstatus(st));
    }
    kg__exec_free(x);
    return err->status;
  }
  *out = x;
  return KG_OK;
}

kg_query_kind kg__exec_kind(const kg__exec *x)
{
  return x->q->kind;
}

size_t kg__exec_column_count(const kg__exec *x)
{
  return x->q->kind == KG_QUERY_SELECT ? x->q->nproj : 0;
}

const char *kg__exec_column_name(const kg__exec *x, size_t i)
{
  return i < kg__exec_column_count(x) ? x->q->proj[i].name : NULL;
}

void kg__exec_cancel(kg__exec *x)
{
  if (x) {
    atomic_store(&x->cancel, 1);
  }
}

/* ---- running ---- */

static kg_status next_solution(kg__exec *x)
{
  if (!x->started) {
    x->started = true;
    memset(x->row, 0, (x->q->nslots ? x->q->nslots : 1) * sizeof *x->row);
    kg_status st = kg__it_open(x->it, x->row);
    if (st != KG_OK) {
      return st;
    }
  }
  kg_status st = kg__it_next(x->it, x->row);
  if (st == KG_ROW || st == KG_DONE) {
    kg_status c = kg__rt_check(&x->rt);
    if (c != KG_OK) {
      return c;
    }
  }
  return st;
}

/* Instantiate the CONSTRUCT template with the current solution. */
static kg_status instantiate(kg__exec *x)
{
  kg__rt *rt = &x->rt;
  const kg__query *q = x->q;
  rt->serial++;
  /* blank nodes of the template: fresh for this solution */
  kg__vid bn[64];
  const char *bl[64];
  size_t nb = 0;
  for (size_t i = 0; i < q->ntmpl; i++) {
    kg__vid t[3];
    bool ok = true;
    for (int k = 0; k < 3 && ok; k++) {
      const kg__pterm *p = &q->tmpl[i].t[k];
      if (p->var >= 0) {
        t[k] = x->row[p->var];
      } else if (p->term.kind == KG_TERM_BLANK) {
        size_t b = 0;
        while (b < nb && strcmp(bl[b], p->term.value) != 0) {
          b++;
        }
        if (b == nb) {
          char label[48];
          kg__rt_fresh_bnode(rt, label, sizeof label);
          kg_term bt = {KG_TERM_BLANK, label, strlen(label), NULL, NULL};
          kg__vid id = 0;
          kg_status st = kg__qdict_intern(&rt->v.dict, &bt, &id);
          if (st != KG_OK) {
            return st;
          }
          if (nb < sizeof bn / sizeof *bn) {
            bn[nb] = id;
            bl[nb] = p->term.value;
            nb++;
          }
          t[k] = id;
        } else {
          t[k] = bn[b];
        }
      } else {
        t[k] = p->id;
      }
      ok = t[k] != 0;
    }
    if (!ok) {
      continue;
    }
    /* subjects are IRIs or blank nodes, predicates IRIs */
    kg_term s;
    kg_term pr;
    if (kg__vctx_term(&rt->v, t[0], &s) != KG_OK ||
        kg__vctx_term(&rt->v, t[1], &pr) != KG_OK) {
      return rt->v.failure != KG_OK ? rt->v.failure : KG_ERR_INTERNAL;
    }
    if (s.kind == KG_TERM_LITERAL || pr.kind != KG_TERM_IRI) {
      continue;
    }
    kg_status st = push_pending(x, t);
    if (st != KG_OK) {
      return st;
    }
  }
  return KG_OK;
}

static kg_status enqueue(kg__exec *x, kg__vid id)
{
  bool added = false;
  kg_status st = kg__tupset_add(&x->described, &id, &added);
  if (st != KG_OK || !added) {
    return st;
  }
  if (x->nqueue == x->qcap) {
    size_t cap = x->qcap ? x->qcap * 2 : 16;
    kg__vid *q = realloc(x->queue, cap * sizeof *q);
    if (!q) {
      return KG_ERR_NOMEM;
    }
    x->queue = q;
    x->qcap = cap;
  }
  x->queue[x->nqueue++] = id;
  return KG_OK;
}

/* The triples of resource `r` in graph `g` (0: every graph); blank node
 * objects join the queue. */
static kg_status describe_in(kg__exec *x, kg__vid r, kg__vid g)
{
  kg__rt *rt = &x->rt;
  kg__store *s = rt->v.store;
  kg__id pat[4] = {r, 0, 0, g};
  kg__cursor *c = NULL;
  kg_status st = s->ops->match(s, pat, NULL, &c);
  if (st != KG_OK) {
    return st;
  }
  kg__id quad[4];
  while ((st = s->ops->next(c, quad)) == KG_ROW) {
    if ((st = kg__rt_tick(rt)) != KG_OK) {
      break;
    }
    kg__vid t[3] = {quad[0], quad[1], quad[2]};
    st = push_pending(x, t);
    if (st == KG_OK) {
      kg_term o;
      st = kg__vctx_term(&rt->v, quad[2], &o);
      if (st == KG_OK && o.kind == KG_TERM_BLANK) {
        st = enqueue(x, quad[2]);
      }
    }
    if (st != KG_OK) {
      break;
    }
  }
  s->ops->cursor_free(c);
  return st == KG_DONE ? KG_OK : st;
}

/* The concise bounded description of the next resource in the query's
 * default graph (with FROM, the merge of those graphs): its triples and
 * those of the blank nodes they lead to. */
static kg_status describe_next(kg__exec *x)
{
  kg__rt *rt = &x->rt;
  kg__vid r = x->queue[x->qpos++];
  if (r & KG__VID_LOCAL) {
    return KG_OK;
  }
  if (!rt->from_default) {
    return describe_in(x, r, rt->union_default ? 0 : KG__DEFAULT_GRAPH);
  }
  kg_status st = KG_OK;
  for (size_t i = 0; st == KG_OK && i < rt->nfrom; i++) {
    st = describe_in(x, r, rt->from[i]);
  }
  return st;
}

static kg_status collect_describe(kg__exec *x)
{
  const kg__query *q = x->q;
  kg_status st;
  while ((st = next_solution(x)) == KG_ROW) {
    for (size_t i = 0; i < q->ndescribe; i++) {
      const kg__pterm *p = &q->describe[i];
      kg__vid id = p->var >= 0 ? x->row[p->var] : p->id;
      if (id) {
        kg_status e = enqueue(x, id);
        if (e != KG_OK) {
          return e;
        }
      }
    }
  }
  return st == KG_DONE ? KG_OK : st;
}

static kg_status view_triple(kg__exec *x, kg_term *row)
{
  const kg__vid *t = x->pending + 3 * x->ppos++;
  for (int k = 0; k < 3; k++) {
    kg_status st = kg__vctx_term(&x->rt.v, t[k], &row[k]);
    if (st != KG_OK) {
      return st;
    }
  }
  return KG_ROW;
}

static kg_status next_graph(kg__exec *x, kg_term *row)
{
  for (;;) {
    if (x->ppos < x->npending) {
      return view_triple(x, row);
    }
    x->ppos = x->npending = 0;
    kg_status st;
    if (x->q->kind == KG_QUERY_CONSTRUCT) {
      st = next_solution(x);
      if (st != KG_ROW) {
        return st;
      }
      st = instantiate(x);
    } else {
      if (!x->collected) {
        st = collect_describe(x);
        if (st != KG_OK) {
          return st;
        }
        x->collected = true;
      }
      if (x->qpos >= x->nqueue) {
        return KG_DONE;
      }
      st = describe_next(x);
    }
    if (st != KG_OK) {
      return st;
    }
  }
}

kg_status kg__exec_next(kg__exec *x, kg_term *row, int *boolean, kg__err *err)
{
  if (x->done) {
    return KG_DONE;
  }
  kg__rt *rt = &x->rt;
  rt->err = err;
  kg_status st;
  switch (x->q->kind) {
  case KG_QUERY_SELECT:
    st = next_solution(x);
    for (size_t i = 0; st == KG_ROW && i < x->q->nproj; i++) {
      kg__vid id = x->row[x->q->proj[i].slot];
      if (kg__vctx_term(&rt->v, id, &row[i]) != KG_OK) {
        st = rt->v.failure != KG_OK ? rt->v.failure : KG_ERR_INTERNAL;
      }
    }
    break;
  case KG_QUERY_ASK:
    st = next_solution(x);
    if (st == KG_ROW || st == KG_DONE) {
      *boolean = st == KG_ROW;
      st = KG_ROW;
      x->done = true;
    }
    break;
  default:
    st = next_graph(x, row);
    break;
  }
  /* Memory that ran out in an expression (its value then an error) fails
   * the query, never a row or the end of the results. */
  if ((st == KG_ROW || st == KG_DONE) &&
      (rt->v.failure != KG_OK || rt->v.arena.failed)) {
    st = kg__rt_check(rt);
  }
  rt->err = NULL;
  if (st == KG_DONE) {
    x->done = true;
  } else if (st != KG_ROW) {
    x->done = true;
    if (err->status == KG_OK) {
      kg__err_set(err, st, 0, 0, "%s",
                  st == KG_ERR_NOMEM ? "out of memory" : kg_strstatus(st));
    }
    st = err->status;
  }
  return st;
}

void kg__exec_free(kg__exec *x)
{
  if (!x) {
    return;
  }
  kg__it_free(x->it);
  kg__rt_free(&x->rt);
  kg__query_free(x->q);
  free(x->row);
  free(x->pending);
  free(x->queue);
  kg__tupset_free(&x->given);
  kg__tupset_free(&x->described);
  free(x);
}
