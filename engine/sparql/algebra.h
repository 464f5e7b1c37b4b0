/* kgraph's SPARQL algebra: what a query means, independent of how it was
 * written (translate.c builds it from Rasqal's parse and the lift layer)
 * and of how it runs (plan.c and eval.c).
 *
 * Variables are numbered slots of one row that spans the whole query;
 * a subquery's own variables get slots of their own. */
#ifndef KG_SPARQL_ALGEBRA_H
#define KG_SPARQL_ALGEBRA_H

#include "value.h"

typedef struct kg__op kg__op;
typedef struct kg__expr kg__expr;
typedef struct kg__query kg__query;

/* ---- sets of variable slots ---- */
typedef struct kg__vars {
  uint64_t *w;
  size_t nw;
} kg__vars;

bool kg__vars_has(const kg__vars *s, int v);
kg_status kg__vars_add(kg__vars *s, int v);
kg_status kg__vars_union(kg__vars *s, const kg__vars *o);
void kg__vars_intersect(kg__vars *s, const kg__vars *o);
kg_status kg__vars_copy(kg__vars *d, const kg__vars *s);
bool kg__vars_subset(const kg__vars *a, const kg__vars *b);
bool kg__vars_meets(const kg__vars *a, const kg__vars *b);
void kg__vars_free(kg__vars *s);

/* ---- a term in a pattern ---- */
typedef struct kg__pterm {
  int var;      /* slot, or -1 for a constant */
  kg_term term; /* the constant (owned); kind 0 for a variable */
  kg__vid id;   /* the constant's ID, set when the plan is made */
} kg__pterm;

/* Which graph a pattern reads. */
typedef enum kg__gmode {
  KG__G_DEFAULT = 0, /* the query's default graph */
  KG__G_NAMED        /* `g`: a named graph (a variable or an IRI) */
} kg__gmode;

typedef struct kg__graph {
  kg__gmode mode;
  kg__pterm g;
} kg__graph;

typedef struct kg__quadpat {
  kg__pterm t[3];
  kg__graph graph;
} kg__quadpat;

/* ---- property paths ---- */
typedef enum kg__path_kind {
  KG__PATH_LINK = 1, /* iri */
  KG__PATH_INV,      /* ^a */
  KG__PATH_SEQ,      /* a / b */
  KG__PATH_ALT,      /* a | b */
  KG__PATH_STAR,     /* a* */
  KG__PATH_PLUS,     /* a+ */
  KG__PATH_OPT,      /* a? */
  KG__PATH_NEG       /* !(iri | ^iri ...) */
} kg__path_kind;

typedef struct kg__path {
  kg__path_kind kind;
  struct kg__path *a, *b;
  kg_term iri; /* LINK */
  kg__vid id;
  /* NEG: forward and inverse IRIs */
  kg_term *fwd;
  kg__vid *fwd_id;
  size_t nfwd;
  kg_term *inv;
  kg__vid *inv_id;
  size_t ninv;
  unsigned depth;
} kg__path;

void kg__path_free(kg__path *p);

/* ---- expressions ---- */
typedef enum kg__xop {
  KG__X_CONST = 1,
  KG__X_VAR,
  KG__X_AND,
  KG__X_OR,
  KG__X_NOT,
  KG__X_EQ,
  KG__X_NE,
  KG__X_LT,
  KG__X_GT,
  KG__X_LE,
  KG__X_GE,
  KG__X_ADD,
  KG__X_SUB,
  KG__X_MUL,
  KG__X_DIV,
  KG__X_NEG,
  KG__X_POS,
  KG__X_IN,
  KG__X_NOTIN,
  KG__X_EXISTS, /* pattern */
  KG__X_BOUND,
  KG__X_IF,
  KG__X_COALESCE,
  KG__X_SAMETERM,
  KG__X_ISIRI,
  KG__X_ISBLANK,
  KG__X_ISLITERAL,
  KG__X_ISNUMERIC,
  KG__X_STR,
  KG__X_LANG,
  KG__X_DATATYPE,
  KG__X_IRI,
  KG__X_BNODE,
  KG__X_STRDT,
  KG__X_STRLANG,
  KG__X_UUID,
  KG__X_STRUUID,
  KG__X_STRLEN,
  KG__X_SUBSTR,
  KG__X_UCASE,
  KG__X_LCASE,
  KG__X_STRSTARTS,
  KG__X_STRENDS,
  KG__X_CONTAINS,
  KG__X_STRBEFORE,
  KG__X_STRAFTER,
  KG__X_ENCODE_FOR_URI,
  KG__X_CONCAT,
  KG__X_LANGMATCHES,
  KG__X_REGEX,
  KG__X_REPLACE,
  KG__X_ABS,
  KG__X_ROUND,
  KG__X_CEIL,
  KG__X_FLOOR,
  KG__X_RAND,
  KG__X_NOW,
  KG__X_YEAR,
  KG__X_MONTH,
  KG__X_DAY,
  KG__X_HOURS,
  KG__X_MINUTES,
  KG__X_SECONDS,
  KG__X_TIMEZONE,
  KG__X_TZ,
  KG__X_MD5,
  KG__X_SHA1,
  KG__X_SHA256,
  KG__X_SHA384,
  KG__X_SHA512,
  KG__X_CAST, /* iri: an XSD datatype */
  KG__X_FUNC, /* iri: a function kgraph does not know: error */
  KG__X_AGG   /* an aggregate; replaced by a VAR when the query is built */
} kg__xop;

typedef enum kg__agg_kind {
  KG__AGG_COUNT = 1,
  KG__AGG_SUM,
  KG__AGG_MIN,
  KG__AGG_MAX,
  KG__AGG_AVG,
  KG__AGG_SAMPLE,
  KG__AGG_GROUP_CONCAT
} kg__agg_kind;

struct kg__expr {
  kg__xop op;
  kg__expr **args;
  size_t nargs;
  int var;         /* VAR */
  kg__pterm cst;   /* CONST */
  char *iri;       /* CAST, FUNC */
  kg__op *pattern; /* EXISTS */
  /* aggregates */
  kg__agg_kind agg;
  bool distinct;
  bool star;      /* COUNT(*) */
  char *sep;      /* GROUP_CONCAT separator (NULL: " ") */
  void *cache;    /* compiled regular expression, see functions.c */
  void *plan;     /* EXISTS: the pattern's iterator (borrowed from the
                     plan that owns it) */
  unsigned depth; /* of the tree below, bounded by the parser */
};

void kg__expr_free(kg__expr *e);
/* Free a compiled regular expression kept in kg__expr.cache. */
void kg__regex_cache_free(void *cache);
/* Add the slots `e` reads (EXISTS patterns included) to `s`. */
kg_status kg__expr_vars(const kg__expr *e, kg__vars *s);

/* ---- graph patterns ---- */
typedef enum kg__op_kind {
  KG__OP_UNIT = 1, /* {}: one empty solution */
  KG__OP_EMPTY,    /* no solutions */
  KG__OP_BGP,      /* pats */
  KG__OP_PATH,     /* s path o in graph */
  KG__OP_JOIN,     /* a, b */
  KG__OP_LEFTJOIN, /* a, b, exprs */
  KG__OP_UNION,    /* a, b */
  KG__OP_MINUS,    /* a, b */
  KG__OP_FILTER,   /* a, exprs */
  KG__OP_EXTEND,   /* a, var := expr */
  KG__OP_GRAPH,    /* a in the named graph `graph.g`: an IRI, or the
                      hidden slot the patterns of `a` use; `var` (or -1)
                      is the query's graph variable, bound from it */
  KG__OP_VALUES,   /* vars x rows */
  KG__OP_QUERY     /* a subquery: sub */
} kg__op_kind;

struct kg__op {
  kg__op_kind kind;
  kg__op *a, *b;
  kg__quadpat *pats;
  size_t npats;
  /* PATH */
  kg__pterm s, o;
  kg__path *path;
  kg__graph graph;
  /* FILTER, LEFTJOIN */
  kg__expr **exprs;
  size_t nexprs;
  /* EXTEND, GRAPH */
  int var;
  kg__expr *expr;
  /* VALUES: cells[row * nvars + col], kind 0 = UNDEF */
  int *vars;
  size_t nvars;
  kg__pterm *cells;
  size_t nrows;
  /* QUERY */
  kg__query *sub;
  /* analysis: slots always bound / possibly bound by this pattern */
  kg__vars cert, maybe;
  unsigned depth; /* of the tree below, bounded by the parser */
};

/* How deep the parser lets expressions and patterns nest, so that no
 * recursion over them can exhaust a stack. */
#define KG__MAX_DEPTH 1000u

kg__op *kg__op_new(kg__op_kind kind);
void kg__op_free(kg__op *op);
/* Fill cert and maybe of `op` and its children. */
kg_status kg__op_analyse(kg__op *op);
/* Add every slot mentioned anywhere in `op` to `s`. */
kg_status kg__op_mentions(const kg__op *op, kg__vars *s);

/* ---- queries ---- */
typedef struct kg__agg {
  kg__agg_kind kind;
  bool distinct;
  bool star;
  kg__expr *arg; /* NULL for COUNT(*) */
  char *sep;
  int slot; /* where the group's value goes */
} kg__agg;

typedef struct kg__proj {
  char *name;
  int slot;       /* the variable's slot (shared with the enclosing query
                     for a subquery's projected variables) */
  kg__expr *expr; /* (expr AS ?v), else NULL */
} kg__proj;

typedef struct kg__order {
  kg__expr *expr;
  bool desc;
} kg__order;

struct kg__query {
  kg_query_kind kind;
  kg__op *where;
  /* GROUP BY: keys are evaluated into slots; aggregates into theirs */
  bool grouped;
  kg__expr **keys;
  int *key_slots;
  size_t nkeys;
  kg__agg *aggs;
  size_t naggs;
  kg__expr **having;
  size_t nhaving;
  /* SELECT */
  kg__proj *proj;
  size_t nproj;
  kg__order *order;
  size_t norder;
  int distinct;  /* 0, 1 DISTINCT, 2 REDUCED */
  int64_t limit; /* -1 none */
  int64_t offset;
  /* CONSTRUCT: blank nodes of the template are constants of kind BLANK,
   * made fresh for every solution */
  kg__quadpat *tmpl;
  size_t ntmpl;
  /* DESCRIBE */
  kg__pterm *describe;
  size_t ndescribe;
  /* dataset: FROM and FROM NAMED (USING, USING NAMED, WITH) */
  bool has_dataset;
  bool named_all; /* WITH alone: the named graphs stay the store's */
  kg_term *from;
  size_t nfrom;
  kg_term *from_named;
  size_t nfrom_named;
  char *base; /* the query's BASE (after its prologue), or NULL */
  /* slots */
  size_t nslots;
  char **slot_names; /* for messages; hidden slots have NULL */
};

void kg__query_free(kg__query *q);

/* Render the algebra as an S-expression (tests, debugging). */
char *kg__query_dump(const kg__query *q);
char *kg__op_dump(const kg__op *op, char **slot_names);

#endif
