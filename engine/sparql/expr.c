/* Expression evaluation: the operators of SPARQL 1.1 section 17 with their
 * error semantics (an error is a value of its own: FILTER treats it as
 * false, || and && as the spec's three-valued logic). Functions beyond the
 * core operators are in functions.c. */
#include "eval.h"

#include <string.h>

static kg__val eval(kg__rt *rt, const kg__expr *e, const kg__vid *row);

static kg__val arith(kg__rt *rt, kg__xop op, const kg__val *a, const kg__val *b)
{
  kg__num x;
  kg__num y;
  kg__num r;
  if (!kg__num_of(&a->t, &x) || !kg__num_of(&b->t, &y)) {
    return kg__val_error();
  }
  char c = op == KG__X_ADD   ? '+'
           : op == KG__X_SUB ? '-'
           : op == KG__X_MUL ? '*'
                             : '/';
  if (!kg__num_arith(c, &x, &y, &r)) {
    return kg__val_error();
  }
  return kg__val_num(&rt->v, &r);
}

static kg__val negate(kg__rt *rt, const kg__val *a, bool minus)
{
  kg__num x;
  if (!kg__num_of(&a->t, &x)) {
    return kg__val_error();
  }
  if (!minus) {
    return *a; /* unary plus: the number itself */
  }
  switch (x.type) {
  case KG__NUM_INTEGER:
    if (x.i == INT64_MIN) {
      return kg__val_error();
    }
    x.i = -x.i;
    break;
  case KG__NUM_DECIMAL:
    x.d = -x.d;
    break;
  default:
    x.f = -x.f;
    x.plain = true;
  }
  return kg__val_num(&rt->v, &x);
}

/* 1 true, 0 false, -1 error */
static int tri(kg__rt *rt, const kg__expr *e, const kg__vid *row)
{
  kg__val v = eval(rt, e, row);
  return kg__val_ok(&v) ? kg__val_ebv(&v) : -1;
}

static bool same_term(const kg__val *a, const kg__val *b)
{
  if (a->id && b->id) {
    return a->id == b->id;
  }
  return kg__term_eq(&a->t, &b->t);
}

static kg__val compare(kg__xop op, const kg__val *a, const kg__val *b)
{
  if (op == KG__X_EQ || op == KG__X_NE) {
    int eq = kg__val_equal(a, b);
    if (eq < 0) {
      return kg__val_error();
    }
    return kg__val_bool(op == KG__X_EQ ? eq == 1 : eq == 0);
  }
  int c = kg__val_compare(a, b);
  if (c == KG__CMP_ERROR) {
    return kg__val_error();
  }
  if (c == 2) { /* NaN: unordered */
    return kg__val_bool(false);
  }
  switch (op) {
  case KG__X_LT:
    return kg__val_bool(c < 0);
  case KG__X_GT:
    return kg__val_bool(c > 0);
  case KG__X_LE:
    return kg__val_bool(c <= 0);
  default:
    return kg__val_bool(c >= 0);
  }
}

static kg__val in_list(kg__rt *rt, const kg__expr *e, const kg__vid *row)
{
  kg__val a = eval(rt, e->args[0], row);
  if (!kg__val_ok(&a)) {
    return a;
  }
  bool err = false;
  for (size_t i = 1; i < e->nargs; i++) {
    kg__val b = eval(rt, e->args[i], row);
    int eq = kg__val_ok(&b) ? kg__val_equal(&a, &b) : -1;
    if (eq == 1) {
      return kg__val_bool(e->op == KG__X_IN);
    }
    if (eq < 0) {
      err = true;
    }
  }
  if (err) {
    return kg__val_error();
  }
  return kg__val_bool(e->op == KG__X_NOTIN);
}

static kg__val eval(kg__rt *rt, const kg__expr *e, const kg__vid *row)
{
  kg__val v = kg__val_error();
  switch (e->op) {
  case KG__X_CONST:
    v.id = e->cst.id;
    v.t = e->cst.term;
    return v;
  case KG__X_VAR:
    return kg__val_of_id(&rt->v, e->var >= 0 ? row[e->var] : 0);
  case KG__X_AND:
  case KG__X_OR: {
    int a = tri(rt, e->args[0], row);
    bool is_and = e->op == KG__X_AND;
    if (a == (is_and ? 0 : 1)) {
      return kg__val_bool(!is_and);
    }
    int b = tri(rt, e->args[1], row);
    if (b == (is_and ? 0 : 1)) {
      return kg__val_bool(!is_and);
    }
    if (a < 0 || b < 0) {
      return kg__val_error();
    }
    return kg__val_bool(is_and);
  }
  case KG__X_NOT: {
    int a = tri(rt, e->args[0], row);
    return a < 0 ? kg__val_error() : kg__val_bool(!a);
  }
  case KG__X_EQ:
  case KG__X_NE:
  case KG__X_LT:
  case KG__X_GT:
  case KG__X_LE:
  case KG__X_GE: {
    kg__val a = eval(rt, e->args[0], row);
    if (!kg__val_ok(&a)) {
      return a;
    }
    kg__val b = eval(rt, e->args[1], row);
    if (!kg__val_ok(&b)) {
      return b;
    }
    return compare(e->op, &a, &b);
  }
  case KG__X_ADD:
  case KG__X_SUB:
  case KG__X_MUL:
  case KG__X_DIV: {
    kg__val a = eval(rt, e->args[0], row);
    if (!kg__val_ok(&a)) {
      return a;
    }
    kg__val b = eval(rt, e->args[1], row);
    if (!kg__val_ok(&b)) {
      return b;
    }
    return arith(rt, e->op, &a, &b);
  }
  case KG__X_NEG:
  case KG__X_POS: {
    kg__val a = eval(rt, e->args[0], row);
    if (!kg__val_ok(&a)) {
      return a;
    }
    return negate(rt, &a, e->op == KG__X_NEG);
  }
  case KG__X_IN:
  case KG__X_NOTIN:
    return in_list(rt, e, row);
  case KG__X_EXISTS: {
    int r = rt->exists ? rt->exists(rt, e, row) : -1;
    return r < 0 ? kg__val_error() : kg__val_bool(r == 1);
  }
  case KG__X_BOUND:
    return kg__val_bool(e->args[0]->op == KG__X_VAR && e->args[0]->var >= 0 &&
                        row[e->args[0]->var] != 0);
  case KG__X_IF: {
    int c = tri(rt, e->args[0], row);
    if (c < 0) {
      return kg__val_error();
    }
    return eval(rt, e->args[c ? 1 : 2], row);
  }
  case KG__X_COALESCE:
    for (size_t i = 0; i < e->nargs; i++) {
      v = eval(rt, e->args[i], row);
      if (kg__val_ok(&v)) {
        return v;
      }
    }
    return kg__val_error();
  case KG__X_SAMETERM: {
    kg__val a = eval(rt, e->args[0], row);
    kg__val b = eval(rt, e->args[1], row);
    if (!kg__val_ok(&a) || !kg__val_ok(&b)) {
      return kg__val_error();
    }
    return kg__val_bool(same_term(&a, &b));
  }
  case KG__X_ISIRI:
  case KG__X_ISBLANK:
  case KG__X_ISLITERAL: {
    kg__val a = eval(rt, e->args[0], row);
    if (!kg__val_ok(&a)) {
      return a;
    }
    kg_term_kind k = e->op == KG__X_ISIRI     ? KG_TERM_IRI
                     : e->op == KG__X_ISBLANK ? KG_TERM_BLANK
                                              : KG_TERM_LITERAL;
    return kg__val_bool(a.t.kind == k);
  }
  case KG__X_ISNUMERIC: {
    kg__val a = eval(rt, e->args[0], row);
    if (!kg__val_ok(&a)) {
      return a;
    }
    kg__num n;
    return kg__val_bool(kg__num_of(&a.t, &n));
  }
  case KG__X_AGG:
    return kg__val_error(); /* replaced when the query is built */
  default:
    break;
  }
  /* every other function: evaluate the arguments, then call */
  kg__val small[4];
  kg__val *args = small;
  if (e->nargs > 4) {
    args = kg__arena_alloc(&rt->v.arena, e->nargs * sizeof *args);
    if (!args) {
      return kg__val_error();
    }
  }
  for (size_t i = 0; i < e->nargs; i++) {
    args[i] = eval(rt, e->args[i], row);
    if (!kg__val_ok(&args[i])) {
      return kg__val_error();
    }
  }
  return kg__fn_call(rt, e, args);
}

kg__val kg__expr_eval(kg__rt *rt, const kg__expr *e, const kg__vid *row)
{
  return eval(rt, e, row);
}

bool kg__expr_true(kg__rt *rt, const kg__expr *e, const kg__vid *row)
{
  return tri(rt, e, row) == 1;
}
