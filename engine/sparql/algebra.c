/* The algebra: variable sets, freeing, analysis and a printed form. */
#include "algebra.h"

#include <stdlib.h>
#include <string.h>

/* ---- variable sets ---- */

bool kg__vars_has(const kg__vars *s, int v)
{
  if (v < 0) {
    return false;
  }
  size_t w = (size_t)v / 64;
  return w < s->nw && (s->w[w] >> ((unsigned)v % 64)) & 1u;
}

static kg_status vars_reserve(kg__vars *s, size_t nw)
{
  if (nw <= s->nw) {
    return KG_OK;
  }
  uint64_t *w = realloc(s->w, nw * sizeof *w);
  if (!w) {
    return KG_ERR_NOMEM;
  }
  memset(w + s->nw, 0, (nw - s->nw) * sizeof *w);
  s->w = w;
  s->nw = nw;
  return KG_OK;
}

kg_status kg__vars_add(kg__vars *s, int v)
{
  if (v < 0) {
    return KG_OK;
  }
  kg_status st = vars_reserve(s, (size_t)v / 64 + 1);
  if (st == KG_OK) {
    s->w[(size_t)v / 64] |= UINT64_C(1) << ((unsigned)v % 64);
  }
  return st;
}

kg_status kg__vars_union(kg__vars *s, const kg__vars *o)
{
  kg_status st = vars_reserve(s, o->nw);
  for (size_t i = 0; st == KG_OK && i < o->nw; i++) {
    s->w[i] |= o->w[i];
  }
  return st;
}

void kg__vars_intersect(kg__vars *s, const kg__vars *o)
{
  for (size_t i = 0; i < s->nw; i++) {
    s->w[i] &= i < o->nw ? o->w[i] : 0;
  }
}

kg_status kg__vars_copy(kg__vars *d, const kg__vars *s)
{
  kg__vars_free(d);
  return kg__vars_union(d, s);
}

bool kg__vars_subset(const kg__vars *a, const kg__vars *b)
{
  for (size_t i = 0; i < a->nw; i++) {
    uint64_t bw = i < b->nw ? b->w[i] : 0;
    if (a->w[i] & ~bw) {
      return false;
    }
  }
  return true;
}

bool kg__vars_meets(const kg__vars *a, const kg__vars *b)
{
  size_t n = a->nw < b->nw ? a->nw : b->nw;
  for (size_t i = 0; i < n; i++) {
    if (a->w[i] & b->w[i]) {
      return true;
    }
  }
  return false;
}

void kg__vars_free(kg__vars *s)
{
  free(s->w);
  s->w = NULL;
  s->nw = 0;
}

/* ---- freeing ---- */

static void pterm_clear(kg__pterm *t)
{
  kg__term_clear(&t->term);
}

void kg__path_free(kg__path *p)
{
  if (!p) {
    return;
  }
  kg__path_free(p->a);
  kg__path_free(p->b);
  kg__term_clear(&p->iri);
  for (size_t i = 0; i < p->nfwd; i++) {
    kg__term_clear(&p->fwd[i]);
  }
  for (size_t i = 0; i < p->ninv; i++) {
    kg__term_clear(&p->inv[i]);
  }
  free(p->fwd);
  free(p->fwd_id);
  free(p->inv);
  free(p->inv_id);
  free(p);
}

void kg__expr_free(kg__expr *e)
{
  if (!e) {
    return;
  }
  for (size_t i = 0; i < e->nargs; i++) {
    kg__expr_free(e->args[i]);
  }
  free(e->args);
  pterm_clear(&e->cst);
  free(e->iri);
  free(e->sep);
  kg__op_free(e->pattern);
  kg__regex_cache_free(e->cache);
  free(e);
}

kg__op *kg__op_new(kg__op_kind kind)
{
  kg__op *op = calloc(1, sizeof *op);
  if (op) {
    op->kind = kind;
    op->var = -1;
    op->s.var = op->o.var = -1;
    op->graph.g.var = -1;
  }
  return op;
}

void kg__op_free(kg__op *op)
{
  if (!op) {
    return;
  }
  kg__op_free(op->a);
  kg__op_free(op->b);
  for (size_t i = 0; i < op->npats; i++) {
    for (int k = 0; k < 3; k++) {
      pterm_clear(&op->pats[i].t[k]);
    }
    pterm_clear(&op->pats[i].graph.g);
  }
  free(op->pats);
  pterm_clear(&op->s);
  pterm_clear(&op->o);
  pterm_clear(&op->graph.g);
  kg__path_free(op->path);
  for (size_t i = 0; i < op->nexprs; i++) {
    kg__expr_free(op->exprs[i]);
  }
  free(op->exprs);
  kg__expr_free(op->expr);
  free(op->vars);
  for (size_t i = 0; i < op->nrows * op->nvars; i++) {
    pterm_clear(&op->cells[i]);
  }
  free(op->cells);
  kg__query_free(op->sub);
  kg__vars_free(&op->cert);
  kg__vars_free(&op->maybe);
  free(op);
}

void kg__query_free(kg__query *q)
{
  if (!q) {
    return;
  }
  kg__op_free(q->where);
  for (size_t i = 0; i < q->nkeys; i++) {
    kg__expr_free(q->keys[i]);
  }
  free(q->keys);
  free(q->key_slots);
  for (size_t i = 0; i < q->naggs; i++) {
    kg__expr_free(q->aggs[i].arg);
    free(q->aggs[i].sep);
  }
  free(q->aggs);
  for (size_t i = 0; i < q->nhaving; i++) {
    kg__expr_free(q->having[i]);
  }
  free(q->having);
  for (size_t i = 0; i < q->nproj; i++) {
    free(q->proj[i].name);
    kg__expr_free(q->proj[i].expr);
  }
  free(q->proj);
  for (size_t i = 0; i < q->norder; i++) {
    kg__expr_free(q->order[i].expr);
  }
  free(q->order);
  for (size_t i = 0; i < q->ntmpl; i++) {
    for (int k = 0; k < 3; k++) {
      pterm_clear(&q->tmpl[i].t[k]);
    }
    pterm_clear(&q->tmpl[i].graph.g);
  }
  free(q->tmpl);
  for (size_t i = 0; i < q->ndescribe; i++) {
    pterm_clear(&q->describe[i]);
  }
  free(q->describe);
  for (size_t i = 0; i < q->nfrom; i++) {
    kg__term_clear(&q->from[i]);
  }
  free(q->from);
  for (size_t i = 0; i < q->nfrom_named; i++) {
    kg__term_clear(&q->from_named[i]);
  }
  free(q->from_named);
  for (size_t i = 0; i < q->nslots; i++) {
    free(q->slot_names[i]);
  }
  free(q->slot_names);
  free(q->base);
  free(q);
}

/* ---- analysis ---- */

kg_status kg__expr_vars(const kg__expr *e, kg__vars *s)
{
  if (!e) {
    return KG_OK;
  }
  kg_status st = KG_OK;
  if (e->op == KG__X_VAR) {
    st = kg__vars_add(s, e->var);
  }
  for (size_t i = 0; st == KG_OK && i < e->nargs; i++) {
    st = kg__expr_vars(e->args[i], s);
  }
  if (st == KG_OK && e->pattern) {
    st = kg__op_mentions(e->pattern, s);
  }
  return st;
}

static kg_status pterm_mention(const kg__pterm *t, kg__vars *s)
{
  return kg__vars_add(s, t->var);
}

kg_status kg__op_mentions(const kg__op *op, kg__vars *s)
{
  if (!op) {
    return KG_OK;
  }
  kg_status st = KG_OK;
  for (size_t i = 0; st == KG_OK && i < op->npats; i++) {
    for (int k = 0; st == KG_OK && k < 3; k++) {
      st = pterm_mention(&op->pats[i].t[k], s);
    }
    if (st == KG_OK) {
      st = pterm_mention(&op->pats[i].graph.g, s);
    }
  }
  if (st == KG_OK) {
    st = pterm_mention(&op->s, s);
  }
  if (st == KG_OK) {
    st = pterm_mention(&op->o, s);
  }
  if (st == KG_OK) {
    st = pterm_mention(&op->graph.g, s);
  }
  if (st == KG_OK) {
    st = kg__vars_add(s, op->var);
  }
  for (size_t i = 0; st == KG_OK && i < op->nexprs; i++) {
    st = kg__expr_vars(op->exprs[i], s);
  }
  if (st == KG_OK) {
    st = kg__expr_vars(op->expr, s);
  }
  for (size_t i = 0; st == KG_OK && i < op->nvars; i++) {
    st = kg__vars_add(s, op->vars[i]);
  }
  if (st == KG_OK && op->sub) {
    for (size_t i = 0; st == KG_OK && i < op->sub->nproj; i++) {
      st = kg__vars_add(s, op->sub->proj[i].slot);
    }
  }
  if (st == KG_OK) {
    st = kg__op_mentions(op->a, s);
  }
  if (st == KG_OK) {
    st = kg__op_mentions(op->b, s);
  }
  return st;
}

kg_status kg__op_analyse(kg__op *op)
{
  kg_status st = KG_OK;
  if (op->a) {
    st = kg__op_analyse(op->a);
  }
  if (st == KG_OK && op->b) {
    st = kg__op_analyse(op->b);
  }
  if (st != KG_OK) {
    return st;
  }
  kg__vars_free(&op->cert);
  kg__vars_free(&op->maybe);
  kg__vars *c = &op->cert;
  kg__vars *m = &op->maybe;
  switch (op->kind) {
  case KG__OP_UNIT:
  case KG__OP_EMPTY:
    break;
  case KG__OP_BGP:
  case KG__OP_PATH:
    st = kg__op_mentions(op, c);
    if (st == KG_OK) {
      st = kg__vars_union(m, c);
    }
    break;
  case KG__OP_JOIN:
    st = kg__vars_union(c, &op->a->cert);
    if (st == KG_OK) {
      st = kg__vars_union(c, &op->b->cert);
    }
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->a->maybe);
    }
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->b->maybe);
    }
    break;
  case KG__OP_LEFTJOIN:
    st = kg__vars_union(c, &op->a->cert);
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->a->maybe);
    }
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->b->maybe);
    }
    break;
  case KG__OP_UNION:
    st = kg__vars_union(c, &op->a->cert);
    if (st == KG_OK) {
      kg__vars_intersect(c, &op->b->cert);
      st = kg__vars_union(m, &op->a->maybe);
    }
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->b->maybe);
    }
    break;
  case KG__OP_MINUS:
  case KG__OP_FILTER:
    st = kg__vars_union(c, &op->a->cert);
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->a->maybe);
    }
    break;
  case KG__OP_EXTEND:
    st = kg__vars_union(c, &op->a->cert);
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->a->maybe);
    }
    if (st == KG_OK) {
      st = kg__vars_add(m, op->var);
    }
    break;
  case KG__OP_GRAPH:
    st = kg__vars_union(c, &op->a->cert);
    if (st == KG_OK) {
      st = kg__vars_union(m, &op->a->maybe);
    }
    if (st == KG_OK && op->var >= 0) {
      st = kg__vars_add(c, op->var);
      if (st == KG_OK) {
        st = kg__vars_add(m, op->var);
      }
    }
    if (st == KG_OK && op->graph.g.var >= 0) {
      st = kg__vars_add(c, op->graph.g.var);
      if (st == KG_OK) {
        st = kg__vars_add(m, op->graph.g.var);
      }
    }
    break;
  case KG__OP_VALUES:
    for (size_t v = 0; st == KG_OK && v < op->nvars; v++) {
      bool all = true;
      for (size_t r = 0; r < op->nrows; r++) {
        if (op->cells[r * op->nvars + v].term.kind == 0) {
          all = false;
        }
      }
      st = kg__vars_add(m, op->vars[v]);
      if (st == KG_OK && all) {
        st = kg__vars_add(c, op->vars[v]);
      }
    }
    break;
  case KG__OP_QUERY: {
    kg__query *q = op->sub;
    if (q->where) {
      st = kg__op_analyse(q->where);
    }
    for (size_t i = 0; st == KG_OK && i < q->nproj; i++) {
      st = kg__vars_add(m, q->proj[i].slot);
      if (st == KG_OK && !q->grouped && !q->proj[i].expr && q->where &&
          kg__vars_has(&q->where->cert, q->proj[i].slot)) {
        st = kg__vars_add(c, q->proj[i].slot);
      }
    }
    break;
  }
  }
  return st;
}

/* ---- printed form ---- */

static void dump_term(kg__buf *b, const kg_term *t)
{
  switch (t->kind) {
  case KG_TERM_IRI:
    kg__buf_printf(b, "<%s>", t->value);
    break;
  case KG_TERM_BLANK:
    kg__buf_printf(b, "_:%s", t->value);
    break;
  case KG_TERM_LITERAL:
    kg__buf_putc(b, '"');
    for (size_t i = 0; i < t->value_len; i++) {
      char c = t->value[i];
      if (c == '"' || c == '\\') {
        kg__buf_putc(b, '\\');
      }
      if (c == '\n') {
        kg__buf_puts(b, "\\n");
        continue;
      }
      kg__buf_putc(b, c);
    }
    kg__buf_putc(b, '"');
    if (t->lang) {
      kg__buf_printf(b, "@%s", t->lang);
    } else if (t->datatype) {
      kg__buf_printf(b, "^^<%s>", t->datatype);
    }
    break;
  default:
    kg__buf_puts(b, "UNDEF");
  }
}

static void dump_var(kg__buf *b, int v, char **names)
{
  if (names && names[v]) {
    kg__buf_printf(b, "?%s", names[v]);
  } else {
    kg__buf_printf(b, "?_%d", v);
  }
}

static void dump_pterm(kg__buf *b, const kg__pterm *t, char **names)
{
  if (t->var >= 0) {
    dump_var(b, t->var, names);
  } else {
    dump_term(b, &t->term);
  }
}

static const char *const xop_names[] = {
    [KG__X_AND] = "&&",
    [KG__X_OR] = "||",
    [KG__X_NOT] = "!",
    [KG__X_EQ] = "=",
    [KG__X_NE] = "!=",
    [KG__X_LT] = "<",
    [KG__X_GT] = ">",
    [KG__X_LE] = "<=",
    [KG__X_GE] = ">=",
    [KG__X_ADD] = "+",
    [KG__X_SUB] = "-",
    [KG__X_MUL] = "*",
    [KG__X_DIV] = "/",
    [KG__X_NEG] = "neg",
    [KG__X_POS] = "pos",
    [KG__X_IN] = "in",
    [KG__X_NOTIN] = "notin",
    [KG__X_EXISTS] = "exists",
    [KG__X_BOUND] = "bound",
    [KG__X_IF] = "if",
    [KG__X_COALESCE] = "coalesce",
    [KG__X_SAMETERM] = "sameTerm",
    [KG__X_ISIRI] = "isIRI",
    [KG__X_ISBLANK] = "isBlank",
    [KG__X_ISLITERAL] = "isLiteral",
    [KG__X_ISNUMERIC] = "isNumeric",
    [KG__X_STR] = "str",
    [KG__X_LANG] = "lang",
    [KG__X_DATATYPE] = "datatype",
    [KG__X_IRI] = "iri",
    [KG__X_BNODE] = "bnode",
    [KG__X_STRDT] = "strdt",
    [KG__X_STRLANG] = "strlang",
    [KG__X_UUID] = "uuid",
    [KG__X_STRUUID] = "struuid",
    [KG__X_STRLEN] = "strlen",
    [KG__X_SUBSTR] = "substr",
    [KG__X_UCASE] = "ucase",
    [KG__X_LCASE] = "lcase",
    [KG__X_STRSTARTS] = "strstarts",
    [KG__X_STRENDS] = "strends",
    [KG__X_CONTAINS] = "contains",
    [KG__X_STRBEFORE] = "strbefore",
    [KG__X_STRAFTER] = "strafter",
    [KG__X_ENCODE_FOR_URI] = "encode_for_uri",
    [KG__X_CONCAT] = "concat",
    [KG__X_LANGMATCHES] = "langMatches",
    [KG__X_REGEX] = "regex",
    [KG__X_REPLACE] = "replace",
    [KG__X_ABS] = "abs",
    [KG__X_ROUND] = "round",
    [KG__X_CEIL] = "ceil",
    [KG__X_FLOOR] = "floor",
    [KG__X_RAND] = "rand",
    [KG__X_NOW] = "now",
    [KG__X_YEAR] = "year",
    [KG__X_MONTH] = "month",
    [KG__X_DAY] = "day",
    [KG__X_HOURS] = "hours",
    [KG__X_MINUTES] = "minutes",
    [KG__X_SECONDS] = "seconds",
    [KG__X_TIMEZONE] = "timezone",
    [KG__X_TZ] = "tz",
    [KG__X_MD5] = "md5",
    [KG__X_SHA1] = "sha1",
    [KG__X_SHA256] = "sha256",
    [KG__X_SHA384] = "sha384",
    [KG__X_SHA512] = "sha512",
};

static const char *const agg_names[] = {
    [KG__AGG_COUNT] = "count",
    [KG__AGG_SUM] = "sum",
    [KG__AGG_MIN] = "min",
    [KG__AGG_MAX] = "max",
    [KG__AGG_AVG] = "avg",
    [KG__AGG_SAMPLE] = "sample",
    [KG__AGG_GROUP_CONCAT] = "group_concat",
};

static void dump_op(kg__buf *b, const kg__op *op, char **names);

static void dump_expr(kg__buf *b, const kg__expr *e, char **names)
{
  if (!e) {
    kg__buf_puts(b, "()");
    return;
  }
  switch (e->op) {
  case KG__X_CONST:
    dump_pterm(b, &e->cst, names);
    return;
  case KG__X_VAR:
    dump_var(b, e->var, names);
    return;
  case KG__X_EXISTS:
    kg__buf_puts(b, "(exists ");
    dump_op(b, e->pattern, names);
    kg__buf_putc(b, ')');
    return;
  case KG__X_CAST:
  case KG__X_FUNC:
    kg__buf_printf(b, "(<%s>", e->iri);
    break;
  case KG__X_AGG:
    kg__buf_printf(b, "(%s%s%s", agg_names[e->agg],
                   e->distinct ? " distinct" : "", e->star ? " *" : "");
    if (e->sep) {
      kg__buf_printf(b, " separator=\"%s\"", e->sep);
    }
    break;
  default:
    kg__buf_printf(b, "(%s",
                   (size_t)e->op < sizeof xop_names / sizeof *xop_names &&
                           xop_names[e->op]
                       ? xop_names[e->op]
                       : "?");
  }
  for (size_t i = 0; i < e->nargs; i++) {
    kg__buf_putc(b, ' ');
    dump_expr(b, e->args[i], names);
  }
  kg__buf_putc(b, ')');
}

static void dump_graph(kg__buf *b, const kg__graph *g, char **names)
{
  if (g->mode == KG__G_NAMED) {
    kg__buf_putc(b, ' ');
    dump_pterm(b, &g->g, names);
  }
}

static void dump_path(kg__buf *b, const kg__path *p)
{
  switch (p->kind) {
  case KG__PATH_LINK:
    dump_term(b, &p->iri);
    return;
  case KG__PATH_INV:
    kg__buf_puts(b, "(inv ");
    dump_path(b, p->a);
    break;
  case KG__PATH_SEQ:
  case KG__PATH_ALT:
    kg__buf_puts(b, p->kind == KG__PATH_SEQ ? "(seq " : "(alt ");
    dump_path(b, p->a);
    kg__buf_putc(b, ' ');
    dump_path(b, p->b);
    break;
  case KG__PATH_STAR:
  case KG__PATH_PLUS:
  case KG__PATH_OPT:
    kg__buf_puts(b, p->kind == KG__PATH_STAR   ? "(path* "
                    : p->kind == KG__PATH_PLUS ? "(path+ "
                                               : "(path? ");
    dump_path(b, p->a);
    break;
  case KG__PATH_NEG:
    kg__buf_puts(b, "(notoneof");
    for (size_t i = 0; i < p->nfwd; i++) {
      kg__buf_putc(b, ' ');
      dump_term(b, &p->fwd[i]);
    }
    for (size_t i = 0; i < p->ninv; i++) {
      kg__buf_puts(b, " ^");
      dump_term(b, &p->inv[i]);
    }
    break;
  }
  kg__buf_putc(b, ')');
}

static void dump_query(kg__buf *b, const kg__query *q, char **outer);

static void dump_op(kg__buf *b, const kg__op *op, char **names)
{
  if (!op) {
    kg__buf_puts(b, "(null)");
    return;
  }
  switch (op->kind) {
  case KG__OP_UNIT:
    kg__buf_puts(b, "(table unit)");
    return;
  case KG__OP_EMPTY:
    kg__buf_puts(b, "(table empty)");
    return;
  case KG__OP_BGP:
    kg__buf_puts(b, "(bgp");
    for (size_t i = 0; i < op->npats; i++) {
      const kg__quadpat *p = &op->pats[i];
      kg__buf_puts(b, p->graph.mode == KG__G_NAMED ? " (quad" : " (triple");
      dump_graph(b, &p->graph, names);
      for (int k = 0; k < 3; k++) {
        kg__buf_putc(b, ' ');
        dump_pterm(b, &p->t[k], names);
      }
      kg__buf_putc(b, ')');
    }
    kg__buf_putc(b, ')');
    return;
  case KG__OP_PATH:
    kg__buf_puts(b, "(path");
    dump_graph(b, &op->graph, names);
    kg__buf_putc(b, ' ');
    dump_pterm(b, &op->s, names);
    kg__buf_putc(b, ' ');
    dump_path(b, op->path);
    kg__buf_putc(b, ' ');
    dump_pterm(b, &op->o, names);
    kg__buf_putc(b, ')');
    return;
  case KG__OP_JOIN:
  case KG__OP_UNION:
  case KG__OP_MINUS:
    kg__buf_puts(b, op->kind == KG__OP_JOIN    ? "(join "
                    : op->kind == KG__OP_UNION ? "(union "
                                               : "(minus ");
    dump_op(b, op->a, names);
    kg__buf_putc(b, ' ');
    dump_op(b, op->b, names);
    kg__buf_putc(b, ')');
    return;
  case KG__OP_LEFTJOIN:
  case KG__OP_FILTER:
    kg__buf_puts(b, op->kind == KG__OP_LEFTJOIN ? "(leftjoin " : "(filter ");
    if (op->kind == KG__OP_FILTER) {
      kg__buf_putc(b, '(');
      for (size_t i = 0; i < op->nexprs; i++) {
        kg__buf_puts(b, i ? " " : "");
        dump_expr(b, op->exprs[i], names);
      }
      kg__buf_puts(b, ") ");
    }
    dump_op(b, op->a, names);
    if (op->b) {
      kg__buf_putc(b, ' ');
      dump_op(b, op->b, names);
    }
    if (op->kind == KG__OP_LEFTJOIN && op->nexprs) {
      kg__buf_puts(b, " (");
      for (size_t i = 0; i < op->nexprs; i++) {
        kg__buf_puts(b, i ? " " : "");
        dump_expr(b, op->exprs[i], names);
      }
      kg__buf_putc(b, ')');
    }
    kg__buf_putc(b, ')');
    return;
  case KG__OP_EXTEND:
    kg__buf_puts(b, "(extend (");
    dump_var(b, op->var, names);
    kg__buf_putc(b, ' ');
    dump_expr(b, op->expr, names);
    kg__buf_puts(b, ") ");
    dump_op(b, op->a, names);
    kg__buf_putc(b, ')');
    return;
  case KG__OP_GRAPH:
    kg__buf_puts(b, "(graph ");
    if (op->var >= 0) {
      dump_var(b, op->var, names);
      kg__buf_putc(b, ' ');
    }
    dump_pterm(b, &op->graph.g, names);
    kg__buf_putc(b, ' ');
    dump_op(b, op->a, names);
    kg__buf_putc(b, ')');
    return;
  case KG__OP_VALUES:
    kg__buf_puts(b, "(table (vars");
    for (size_t i = 0; i < op->nvars; i++) {
      kg__buf_putc(b, ' ');
      dump_var(b, op->vars[i], names);
    }
    kg__buf_putc(b, ')');
    for (size_t r = 0; r < op->nrows; r++) {
      kg__buf_puts(b, " (row");
      for (size_t i = 0; i < op->nvars; i++) {
        kg__buf_putc(b, ' ');
        dump_term(b, &op->cells[r * op->nvars + i].term);
      }
      kg__buf_putc(b, ')');
    }
    kg__buf_putc(b, ')');
    return;
  case KG__OP_QUERY:
    dump_query(b, op->sub, names);
    return;
  }
}

static void dump_query(kg__buf *b, const kg__query *q, char **outer)
{
  char **n = q->slot_names ? q->slot_names : outer;
  static const char *const kinds[] = {"", "select", "ask", "construct",
                                      "describe"};
  kg__buf_printf(b, "(%s", kinds[q->kind]);
  if (q->has_dataset) {
    kg__buf_puts(b, " (dataset");
    for (size_t i = 0; i < q->nfrom; i++) {
      kg__buf_putc(b, ' ');
      dump_term(b, &q->from[i]);
    }
    for (size_t i = 0; i < q->nfrom_named; i++) {
      kg__buf_puts(b, " named ");
      dump_term(b, &q->from_named[i]);
    }
    kg__buf_putc(b, ')');
  }
  if (q->nproj) {
    kg__buf_puts(b, " (project");
    for (size_t i = 0; i < q->nproj; i++) {
      kg__buf_putc(b, ' ');
      if (q->proj[i].expr) {
        kg__buf_putc(b, '(');
        dump_expr(b, q->proj[i].expr, n);
        kg__buf_puts(b, " as ");
        dump_var(b, q->proj[i].slot, n);
        kg__buf_putc(b, ')');
      } else {
        dump_var(b, q->proj[i].slot, n);
      }
    }
    kg__buf_putc(b, ')');
  }
  if (q->distinct) {
    kg__buf_puts(b, q->distinct == 1 ? " distinct" : " reduced");
  }
  if (q->grouped) {
    kg__buf_puts(b, " (group");
    for (size_t i = 0; i < q->nkeys; i++) {
      kg__buf_puts(b, " (");
      dump_var(b, q->key_slots[i], n);
      kg__buf_putc(b, ' ');
      dump_expr(b, q->keys[i], n);
      kg__buf_putc(b, ')');
    }
    kg__buf_putc(b, ')');
    for (size_t i = 0; i < q->naggs; i++) {
      const kg__agg *a = &q->aggs[i];
      kg__buf_puts(b, " (agg ");
      dump_var(b, a->slot, n);
      kg__buf_printf(b, " %s%s", agg_names[a->kind],
                     a->distinct ? " distinct" : "");
      if (a->star) {
        kg__buf_puts(b, " *");
      } else {
        kg__buf_putc(b, ' ');
        dump_expr(b, a->arg, n);
      }
      if (a->sep) {
        kg__buf_printf(b, " separator=\"%s\"", a->sep);
      }
      kg__buf_putc(b, ')');
    }
  }
  for (size_t i = 0; i < q->nhaving; i++) {
    kg__buf_puts(b, " (having ");
    dump_expr(b, q->having[i], n);
    kg__buf_putc(b, ')');
  }
  for (size_t i = 0; i < q->norder; i++) {
    kg__buf_puts(b, q->order[i].desc ? " (desc " : " (asc ");
    dump_expr(b, q->order[i].expr, n);
    kg__buf_putc(b, ')');
  }
  if (q->offset) {
    kg__buf_printf(b, " (offset %lld)", (long long)q->offset);
  }
  if (q->limit >= 0) {
    kg__buf_printf(b, " (limit %lld)", (long long)q->limit);
  }
  if (q->ntmpl) {
    kg__buf_puts(b, " (template");
    for (size_t i = 0; i < q->ntmpl; i++) {
      kg__buf_puts(b, " (");
      for (int k = 0; k < 3; k++) {
        kg__buf_puts(b, k ? " " : "");
        dump_pterm(b, &q->tmpl[i].t[k], n);
      }
      kg__buf_putc(b, ')');
    }
    kg__buf_putc(b, ')');
  }
  if (q->ndescribe) {
    kg__buf_puts(b, " (describe");
    for (size_t i = 0; i < q->ndescribe; i++) {
      kg__buf_putc(b, ' ');
      dump_pterm(b, &q->describe[i], n);
    }
    kg__buf_putc(b, ')');
  }
  kg__buf_putc(b, ' ');
  dump_op(b, q->where, n);
  kg__buf_putc(b, ')');
}

char *kg__query_dump(const kg__query *q)
{
  kg__buf b = {0};
  dump_query(&b, q, NULL);
  return kg__buf_take(&b);
}

char *kg__op_dump(const kg__op *op, char **slot_names)
{
  kg__buf b = {0};
  dump_op(&b, op, slot_names);
  return kg__buf_take(&b);
}
