/* The evaluator: a tree of iterators over rows of value IDs, built from the
 * algebra by plan.c, reading the store only through store.h.
 *
 * An iterator is opened with an input row (the bindings it must extend:
 * every row it yields agrees with the input and binds at least what the
 * input binds) and then yields rows until KG_DONE. Rows are arrays of
 * `width` kg__vid; 0 is unbound. */
#ifndef KG_SPARQL_EVAL_H
#define KG_SPARQL_EVAL_H

#include "algebra.h"

#include <stdatomic.h>

/* ---- the state of one running query ---- */
typedef struct kg__bnode_map kg__bnode_map;

typedef struct kg__rt {
  kg__vctx v;
  size_t width;
  const char *base; /* base IRI of the query (IRI()), may be NULL */
  /* dataset: with FROM (USING, WITH) the default graph is the merge of
   * `from`; with FROM NAMED (USING NAMED) the named graphs are `named` */
  bool from_default;
  bool union_default; /* no FROM: the default graph is every graph */
  kg__vid *from;
  size_t nfrom;
  bool from_named;
  kg__vid *named;
  size_t nnamed;
  /* the store's named graphs, listed when first needed */
  kg__vid *graphs;
  size_t ngraphs;
  bool graphs_listed;
  /* limits */
  uint64_t deadline_ms;        /* CLOCK_MONOTONIC milliseconds; 0: none */
  uint64_t timeout_ms;         /* the limit, for the message */
  const atomic_int *cancel;    /* the query's (kg_query_cancel()) */
  const atomic_int *interrupt; /* the database's (kg_db_interrupt()) */
  unsigned ticks;
  kg_status stop;    /* KG_ERR_LIMIT once a limit was reached */
  uint64_t max_rows; /* cap on rows materialised by one operator; 0: none */
  /* functions */
  char now[48];
  uint64_t rand_state;
  uint64_t serial; /* solution counter for BNODE(str) */
  uint64_t bnodes; /* blank nodes made so far */
  kg__bnode_map *bmap;
  /* EXISTS evaluation, set by the plan */
  int (*exists)(struct kg__rt *rt, const kg__expr *e, const kg__vid *row);
  kg__err *err;
} kg__rt;

kg_status kg__rt_init(kg__rt *rt, kg__store *store, size_t width);
void kg__rt_free(kg__rt *rt);
uint64_t kg__now_ms(void);
/* Check the deadline and the cancel flag every few hundred calls.
 * KG_OK, or KG_ERR_LIMIT with the reason recorded. */
kg_status kg__rt_check(kg__rt *rt);
static inline kg_status kg__rt_tick(kg__rt *rt)
{
  if ((++rt->ticks & 255u) != 0 && rt->stop == KG_OK) {
    return KG_OK;
  }
  return kg__rt_check(rt);
}
/* Record an error (first one wins) and return its status. */
kg_status kg__rt_fail(kg__rt *rt, kg_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record that reading the store failed with `st`. */
kg_status kg__rt_store_fail(kg__rt *rt, kg_status st);
/* The store's named graphs (sorted IDs), listed once. */
kg_status kg__rt_graphs(kg__rt *rt, const kg__vid **ids, size_t *n);
/* Is `g` a named graph of the query's dataset? */
bool kg__rt_is_named(kg__rt *rt, kg__vid g);

/* Select the graphs of a query's dataset (FROM, FROM NAMED, USING, WITH)
 * in the store: IRIs the store does not hold select nothing. */
kg_status kg__rt_dataset(kg__rt *rt, const kg__query *q);

/* ---- expressions (expr.c, functions.c) ---- */
kg__val kg__expr_eval(kg__rt *rt, const kg__expr *e, const kg__vid *row);
/* EBV of `e`: 1 true, 0 false or error. */
bool kg__expr_true(kg__rt *rt, const kg__expr *e, const kg__vid *row);
/* Functions beyond the core operators. */
kg__val kg__fn_call(kg__rt *rt, const kg__expr *e, kg__val *args);
/* A fresh blank node label. */
void kg__rt_fresh_bnode(kg__rt *rt, char *buf, size_t cap);
void kg__bnode_map_free(kg__bnode_map *m);

/* ---- message digests (digest.c): lowercase hex into out ---- */
void kg__md5_hex(const void *data, size_t len, char out[33]);
void kg__sha1_hex(const void *data, size_t len, char out[41]);
void kg__sha256_hex(const void *data, size_t len, char out[65]);
void kg__sha384_hex(const void *data, size_t len, char out[97]);
void kg__sha512_hex(const void *data, size_t len, char out[129]);

/* ---- regular expressions with XPath semantics (regex.c) ---- */
/* Match: 1, 0, -1 when the pattern or flags are invalid, -2 when memory
 * ran out. */
int kg__regex_match(void **cache,
                    const char *text,
                    size_t len,
                    const char *pattern,
                    size_t plen,
                    const char *flags);
/* Replace: false when the pattern, flags or replacement are invalid, or
 * with out->failed set when memory ran out. */
bool kg__regex_replace(void **cache,
                       const char *text,
                       size_t len,
                       const char *pattern,
                       size_t plen,
                       const char *flags,
                       const char *repl,
                       size_t rlen,
                       kg__buf *out);

/* ---- iterators ---- */
typedef struct kg__it kg__it;
typedef struct kg__it_ops {
  kg_status (*open)(kg__it *it, const kg__vid *in);
  kg_status (*next)(kg__it *it, kg__vid *out);
  void (*free)(kg__it *it);
} kg__it_ops;

struct kg__it {
  const kg__it_ops *ops;
  kg__rt *rt;
};

static inline kg_status kg__it_open(kg__it *it, const kg__vid *in)
{
  return it->ops->open(it, in);
}
static inline kg_status kg__it_next(kg__it *it, kg__vid *out)
{
  return it->ops->next(it, out);
}
void kg__it_free(kg__it *it);

/* Slots as a list (for loops over the bound part of rows). */
typedef struct kg__slots {
  int *v;
  size_t n;
} kg__slots;
kg_status kg__slots_of(const kg__vars *s, kg__slots *out);
void kg__slots_free(kg__slots *s);

/* Constructors: every one takes ownership of the iterators passed in and
 * frees them on failure (NULL is returned for out of memory). */
kg__it *kg__it_unit(kg__rt *rt);
kg__it *kg__it_empty(kg__rt *rt);
kg__it *kg__it_scan(kg__rt *rt, const kg__quadpat *p);
kg__it *kg__it_join(kg__rt *rt, kg__it *a, kg__it *b);
/* its[0] joined with its[1] opened with each of its rows, and so on
 * (nested loops without recursion). Takes the array's iterators. */
kg__it *kg__it_chain(kg__rt *rt, kg__it **its, size_t n);
kg__it *kg__it_leftjoin(
    kg__rt *rt, kg__it *a, kg__it *b, kg__expr *const *exprs, size_t nexprs);
kg__it *kg__it_union(kg__rt *rt, kg__it *a, kg__it *b);
/* Rows of `a` with no compatible row of `b` sharing a variable. `b` is
 * evaluated once on its own; `bvars` are the slots it may bind, `dvars`
 * those that count as shared (not the hidden slots of GRAPH). */
kg__it *kg__it_minus(kg__rt *rt,
                     kg__it *a,
                     kg__it *b,
                     const kg__vars *bvars,
                     const kg__vars *dvars,
                     const kg__vars *keys);
/* A subquery that reads slots of its input (the hidden graph slot of an
 * enclosing GRAPH): opened with only the `pass` slots of each input, its
 * rows joined with the input on `maybe`. */
kg__it *kg__it_correlate(kg__rt *rt,
                         kg__it *a,
                         const kg__vars *pass,
                         const kg__vars *maybe);
kg__it *
kg__it_filter(kg__rt *rt, kg__it *a, kg__expr *const *exprs, size_t nexprs);
kg__it *kg__it_extend(kg__rt *rt, kg__it *a, int var, const kg__expr *e);
/* GRAPH: see kg__OP_GRAPH. `per_graph`: open `a` once per named graph
 * with the hidden slot preset (when `a` may leave it unbound). */
kg__it *kg__it_graph(
    kg__rt *rt, kg__it *a, const kg__graph *g, int var, bool per_graph);
kg__it *kg__it_values(kg__rt *rt, const kg__op *op);
/* Evaluate `a` once with no input and keep its rows; each open yields the
 * kept rows compatible with the input, found through `keys` (slots every
 * kept row binds and every input binds) when there are any. */
kg__it *kg__it_cache(kg__rt *rt,
                     kg__it *a,
                     const kg__vars *maybe,
                     const kg__vars *keys);
kg__it *kg__it_path(kg__rt *rt, const kg__op *op);
/* Keep only `keep` slots. */
kg__it *kg__it_project(kg__rt *rt, kg__it *a, const kg__vars *keep);
kg__it *kg__it_distinct(kg__rt *rt, kg__it *a, const kg__slots *cols);
kg__it *kg__it_order(
    kg__rt *rt, kg__it *a, const kg__order *keys, size_t nkeys, uint64_t top);
kg__it *kg__it_slice(kg__rt *rt, kg__it *a, int64_t offset, int64_t limit);
kg__it *kg__it_group(kg__rt *rt, kg__it *a, const kg__query *q);

/* ---- plans (plan.c) ---- */
/* The iterator of a query's solutions (before CONSTRUCT templates and
 * DESCRIBE): pattern, grouping, projection expressions, ORDER BY,
 * projection, DISTINCT, OFFSET/LIMIT. Resolves the query's constants. */
kg_status kg__plan_query(kg__rt *rt, kg__query *q, kg__it **out);
/* Resolve the constants of a template or of a list of terms. */
kg_status kg__plan_pterm(kg__rt *rt, kg__pterm *t);

#endif
