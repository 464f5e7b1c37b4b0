/* The SPARQL 1.1 parser: recursive descent over the grammar of the Query
 * and Update recommendations (section 19), building the algebra as
 * section 18.2 translates graph patterns. */
#include "parser.h"
#include "lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char xsd_ns[] = "http://www.w3.org/2001/XMLSchema#";

/* ---- variable scopes ---- */

typedef struct scope {
  struct scope *outer;
  bool inherit; /* SELECT * subquery: every name is the outer one */
  char **names;
  int *slots;
  size_t n;
  size_t cap;
} scope;

typedef struct blabel {
  char *name;
  int bgp;
} blabel;

typedef struct P {
  const char *src;
  size_t len;
  kg__tokens tk;
  size_t i;
  kg__err *err;
  bool failed;
  bool denied;
  char *base;
  kg__prefixes pfx;
  /* slots of the query being built */
  char **names;
  size_t nslots;
  size_t cap;
  scope *sc;
  /* blank node labels of patterns and the BGP they belong to */
  blabel *labels;
  size_t nlabels;
  size_t lcap;
  int bgp;
  int next_bgp;
  /* blank node labels of update templates and the operation they are in */
  blabel *tlabels;
  size_t ntlabels;
  size_t tlcap;
  int op_index;
  /* templates: blank nodes are constants; DATA: no variables */
  bool in_template;
  bool data_mode;
  bool no_bnodes;
  unsigned long anon;
  /* the last group parsed ended in its own FILTER (OPTIONAL takes it as
   * the left join's condition) */
  bool own_filter;
  /* the graph patterns read (EXISTS inside GRAPH reads that graph) */
  const kg__graph *graph;
  unsigned depth; /* nesting of the text */
  /* aggregates: allowed in SELECT, HAVING, ORDER BY */
  bool agg_ok;
  bool agg_seen;
  int agg_depth;
} P;

static kg__op *parse_group(P *p, const kg__graph *g);
static kg__expr *parse_expr(P *p);

/* ---- errors ---- */

static void tok_text(const P *p, const kg__tok *t, char *buf, size_t cap)
{
  switch (t->kind) {
  case KG__T_EOF:
    snprintf(buf, cap, "end of input");
    return;
  case KG__T_PUNCT:
    snprintf(buf, cap, "'%s'", t->p);
    return;
  default: {
    size_t n = t->end - t->start;
    if (n > 40) {
      snprintf(buf, cap, "%.40s...", p->src + t->start);
    } else {
      snprintf(buf, cap, "%.*s", (int)n, p->src + t->start);
    }
  }
  }
}

static void fail_at(P *p, const kg__tok *t, kg_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail_at(P *p, const kg__tok *t, kg_status st, const char *fmt, ...)
{
  if (p->failed) {
    return;
  }
  p->failed = true;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  kg__err_set(p->err, st, t ? t->line : 0, t ? kg__tok_column(p->src, t) : 0,
              "%s", msg);
}

static const kg__tok *peek(const P *p)
{
  return &p->tk.v[p->i];
}

static const kg__tok *peek2(const P *p)
{
  return &p->tk.v[p->i + 1 < p->tk.n ? p->i + 1 : p->i];
}

/* Nesting of the text (groups, parentheses, lists) while parsing. */
static bool enter(P *p)
{
  if (++p->depth > KG__MAX_DEPTH) {
    fail_at(p, peek(p), KG_ERR_PARSE,
            "the query nests more than %u levels deep", KG__MAX_DEPTH);
    return false;
  }
  return true;
}

static void leave(P *p)
{
  p->depth--;
}

static void unexpected(P *p)
{
  char t[64];
  tok_text(p, peek(p), t, sizeof t);
  fail_at(p, peek(p), KG_ERR_PARSE, "syntax error, unexpected %s", t);
}

static void nomem(P *p)
{
  fail_at(p, NULL, KG_ERR_NOMEM, "out of memory");
}

static const kg__tok *advance(P *p)
{
  const kg__tok *t = peek(p);
  if (t->kind != KG__T_EOF) {
    p->i++;
  }
  return t;
}

static bool is_punct(const kg__tok *t, const char *s)
{
  return t->kind == KG__T_PUNCT && strcmp(t->p, s) == 0;
}

static bool at_punct(const P *p, const char *s)
{
  return is_punct(peek(p), s);
}

static bool is_word(const P *p, const kg__tok *t, const char *w)
{
  size_t n = strlen(w);
  return t->kind == KG__T_WORD && t->end - t->start == n &&
         strncasecmp(p->src + t->start, w, n) == 0;
}

static bool at_word(const P *p, const char *w)
{
  return is_word(p, peek(p), w);
}

static bool accept_punct(P *p, const char *s)
{
  if (at_punct(p, s)) {
    advance(p);
    return true;
  }
  return false;
}

static bool accept_word(P *p, const char *w)
{
  if (at_word(p, w)) {
    advance(p);
    return true;
  }
  return false;
}

static bool expect_punct(P *p, const char *s)
{
  if (accept_punct(p, s)) {
    return true;
  }
  unexpected(p);
  return false;
}

static bool expect_word(P *p, const char *w)
{
  if (accept_word(p, w)) {
    return true;
  }
  unexpected(p);
  return false;
}

/* ---- slots and scopes ---- */

static int new_slot(P *p, const char *name)
{
  if (p->nslots == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    char **n = realloc(p->names, cap * sizeof *n);
    if (!n) {
      nomem(p);
      return -1;
    }
    p->names = n;
    p->cap = cap;
  }
  p->names[p->nslots] = name ? kg__strdup(name) : NULL;
  if (name && !p->names[p->nslots]) {
    nomem(p);
    return -1;
  }
  return (int)p->nslots++;
}

static int scope_find(const scope *s, const char *name)
{
  for (size_t i = 0; i < s->n; i++) {
    if (strcmp(s->names[i], name) == 0) {
      return s->slots[i];
    }
  }
  return -1;
}

static int scope_bind(P *p, scope *s, const char *name, int slot)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    char **n = realloc(s->names, cap * sizeof *n);
    int *sl = n ? realloc(s->slots, cap * sizeof *sl) : NULL;
    if (n) {
      s->names = n;
    }
    if (!sl) {
      nomem(p);
      return -1;
    }
    s->slots = sl;
    s->cap = cap;
  }
  s->names[s->n] = kg__strdup(name);
  if (!s->names[s->n]) {
    nomem(p);
    return -1;
  }
  s->slots[s->n++] = slot;
  return slot;
}

/* The slot of variable `name` in the current scope, made when new. */
static int var_slot(P *p, const char *name)
{
  scope *s = p->sc;
  while (s->inherit && s->outer) {
    s = s->outer;
  }
  int v = scope_find(s, name);
  if (v >= 0) {
    return v;
  }
  v = new_slot(p, name);
  if (v < 0) {
    return -1;
  }
  return scope_bind(p, s, name, v);
}

static void scope_free(scope *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->names[i]);
  }
  free(s->names);
  free(s->slots);
  memset(s, 0, sizeof *s);
}

/* A copy of a token's text; NULL, with the error recorded, when memory
 * runs out. */
static char *tok_dup(P *p, const kg__tok *t, size_t skip)
{
  char *s = kg__strndup(p->src + t->start + skip, t->end - t->start - skip);
  if (!s) {
    nomem(p);
  }
  return s;
}

/* ---- terms ---- */

static bool set_iri(P *p, kg_term *t, char *value)
{
  if (!value) {
    nomem(p);
    return false;
  }
  memset(t, 0, sizeof *t);
  t->kind = KG_TERM_IRI;
  t->value = value;
  t->value_len = strlen(value);
  return true;
}

/* An IRI token or a prefixed name, as an absolute IRI. */
static bool parse_iri(P *p, kg_term *out)
{
  const kg__tok *t = peek(p);
  if (t->kind == KG__T_IRI) {
    advance(p);
    kg__buf b = {0};
    kg_status st = kg__lex_iri(p->src, t, &b);
    if (st != KG_OK) {
      kg__buf_free(&b);
      if (st == KG_ERR_NOMEM) {
        nomem(p);
      } else {
        fail_at(p, t, KG_ERR_PARSE, "bad escape in IRI");
      }
      return false;
    }
    char *r = kg__iri_resolve(p->base, b.data ? b.data : "", b.len);
    kg__buf_free(&b);
    return set_iri(p, out, r);
  }
  if (t->kind == KG__T_PNAME) {
    advance(p);
    const char *s = p->src + t->start;
    size_t n = t->end - t->start;
    const char *colon = memchr(s, ':', n);
    char *prefix = kg__strndup(s, (size_t)(colon - s));
    if (!prefix) {
      nomem(p);
      return false;
    }
    const char *ns = kg__prefixes_get(&p->pfx, prefix);
    if (!ns) {
      fail_at(p, t, KG_ERR_PARSE, "undefined prefix '%s:'", prefix);
      free(prefix);
      return false;
    }
    free(prefix);
    kg__buf b = {0};
    kg__buf_puts(&b, ns);
    for (const char *c = colon + 1; c < s + n; c++) {
      if (*c == '\\' && c + 1 < s + n) {
        c++;
      }
      kg__buf_putc(&b, *c);
    }
    return set_iri(p, out, kg__buf_take(&b));
  }
  unexpected(p);
  return false;
}

static bool at_iri(const P *p)
{
  kg__tok_kind k = peek(p)->kind;
  return k == KG__T_IRI || k == KG__T_PNAME;
}

static bool make_literal(P *p,
                         kg_term *out,
                         const char *value,
                         size_t len,
                         const char *dt,
                         const char *lang)
{
  memset(out, 0, sizeof *out);
  out->kind = KG_TERM_LITERAL;
  out->value = kg__strndup(value, len);
  out->value_len = len;
  if (dt && strcmp(dt, kg__xsd_string) != 0) {
    out->datatype = kg__strdup(dt);
  }
  if (lang) {
    char *l = kg__strdup(lang);
    kg__lang_lower(l);
    out->lang = l;
  }
  if (!out->value ||
      (dt && strcmp(dt, kg__xsd_string) != 0 && !out->datatype) ||
      (lang && !out->lang)) {
    kg__term_clear(out);
    nomem(p);
    return false;
  }
  return true;
}

static bool at_literal(const P *p)
{
  const kg__tok *t = peek(p);
  return t->kind == KG__T_STRING || t->kind == KG__T_INTEGER ||
         t->kind == KG__T_DECIMAL || t->kind == KG__T_DOUBLE ||
         is_word(p, t, "true") || is_word(p, t, "false");
}

/* RDFLiteral, NumericLiteral or BooleanLiteral. */
static bool parse_literal(P *p, kg_term *out)
{
  const kg__tok *t = peek(p);
  const char *s = p->src + t->start;
  size_t n = t->end - t->start;
  switch (t->kind) {
  case KG__T_INTEGER:
    advance(p);
    return make_literal(p, out, s, n,
                        "http://www.w3.org/2001/XMLSchema#integer", NULL);
  case KG__T_DECIMAL:
    advance(p);
    return make_literal(p, out, s, n,
                        "http://www.w3.org/2001/XMLSchema#decimal", NULL);
  case KG__T_DOUBLE:
    advance(p);
    return make_literal(p, out, s, n, "http://www.w3.org/2001/XMLSchema#double",
                        NULL);
  case KG__T_STRING: {
    advance(p);
    kg__buf b = {0};
    kg_status st = kg__lex_string(p->src, t, &b);
    if (st != KG_OK) {
      kg__buf_free(&b);
      if (st == KG_ERR_NOMEM) {
        nomem(p);
      } else {
        fail_at(p, t, KG_ERR_PARSE, "bad escape in string");
      }
      return false;
    }
    char *lang = NULL;
    kg_term dt = {0};
    if (peek(p)->kind == KG__T_LANGTAG) {
      lang = tok_dup(p, advance(p), 1);
      if (!lang) {
        kg__buf_free(&b);
        nomem(p);
        return false;
      }
    } else if (accept_punct(p, "^^")) {
      if (!parse_iri(p, &dt)) {
        kg__buf_free(&b);
        return false;
      }
    }
    bool ok = make_literal(p, out, b.data ? b.data : "", b.len, dt.value, lang);
    kg__buf_free(&b);
    free(lang);
    kg__term_clear(&dt);
    return ok;
  }
  case KG__T_WORD:
    if (is_word(p, t, "true") || is_word(p, t, "false")) {
      advance(p);
      bool tr = is_word(p, t, "true");
      return make_literal(p, out, tr ? "true" : "false", tr ? 4 : 5,
                          "http://www.w3.org/2001/XMLSchema#boolean", NULL);
    }
    break;
  default:
    break;
  }
  unexpected(p);
  return false;
}

static kg__pterm pt_var(int slot)
{
  kg__pterm t;
  memset(&t, 0, sizeof t);
  t.var = slot;
  return t;
}

static kg__pterm pt_none(void)
{
  return pt_var(-1);
}

static void pt_clear(kg__pterm *t)
{
  kg__term_clear(&t->term);
  t->var = -1;
}

/* A fresh blank node: a hidden variable in patterns, a constant in
 * templates. */
static bool fresh_bnode(P *p, kg__pterm *out)
{
  *out = pt_none();
  if (p->in_template || p->data_mode) {
    if (p->no_bnodes) {
      fail_at(p, peek(p), KG_ERR_PARSE,
              "blank nodes are not allowed in DELETE");
      return false;
    }
    char label[48];
    snprintf(label, sizeof label, "kg:anon%lu", ++p->anon);
    out->term.kind = KG_TERM_BLANK;
    out->term.value = kg__strdup(label);
    out->term.value_len = strlen(label);
    if (!out->term.value) {
      nomem(p);
      return false;
    }
    return true;
  }
  out->var = new_slot(p, NULL);
  return out->var >= 0;
}

/* VarOrTerm (or VarOrIri when `iri_only`). */
static bool parse_var_or_term(P *p, kg__pterm *out, bool iri_only)
{
  *out = pt_none();
  const kg__tok *t = peek(p);
  if (t->kind == KG__T_VAR) {
    if (p->data_mode) {
      fail_at(p, t, KG_ERR_PARSE, "variables are not allowed in DATA");
      return false;
    }
    advance(p);
    char *name = tok_dup(p, t, 1);
    if (!name) {
      nomem(p);
      return false;
    }
    out->var = var_slot(p, name);
    free(name);
    return out->var >= 0;
  }
  if (at_iri(p)) {
    return parse_iri(p, &out->term);
  }
  if (iri_only) {
    unexpected(p);
    return false;
  }
  if (t->kind == KG__T_BNODE) {
    advance(p);
    if (p->no_bnodes) {
      fail_at(p, t, KG_ERR_PARSE, "blank nodes are not allowed in DELETE");
      return false;
    }
    char *name = tok_dup(p, t, 0);
    if (!name) {
      nomem(p);
      return false;
    }
    if (p->data_mode && p->op_index > 0) {
      /* a label is local to one operation of an update request */
      size_t i = 0;
      for (; i < p->ntlabels; i++) {
        if (strcmp(p->tlabels[i].name, name) == 0) {
          break;
        }
      }
      if (i < p->ntlabels && p->tlabels[i].bgp != p->op_index) {
        fail_at(p, t, KG_ERR_PARSE,
                "blank node label %s used in two operations", name);
        free(name);
        return false;
      }
      if (i == p->ntlabels) {
        if (p->ntlabels == p->tlcap) {
          size_t cap = p->tlcap ? p->tlcap * 2 : 8;
          blabel *l = realloc(p->tlabels, cap * sizeof *l);
          if (!l) {
            free(name);
            nomem(p);
            return false;
          }
          p->tlabels = l;
          p->tlcap = cap;
        }
        p->tlabels[i].name = kg__strdup(name);
        p->tlabels[i].bgp = p->op_index;
        if (!p->tlabels[i].name) {
          free(name);
          nomem(p);
          return false;
        }
        p->ntlabels++;
      }
    }
    if (p->in_template || p->data_mode) {
      out->term.kind = KG_TERM_BLANK;
      out->term.value = kg__strdup(name + 2);
      out->term.value_len = strlen(name + 2);
      free(name);
      if (!out->term.value) {
        nomem(p);
        return false;
      }
      return true;
    }
    /* a blank node label belongs to one basic graph pattern */
    size_t i = 0;
    for (; i < p->nlabels; i++) {
      if (strcmp(p->labels[i].name, name) == 0) {
        break;
      }
    }
    if (i < p->nlabels && p->labels[i].bgp != p->bgp) {
      fail_at(p, t, KG_ERR_PARSE,
              "blank node label %s used in two basic graph patterns", name);
      free(name);
      return false;
    }
    if (i == p->nlabels) {
      if (p->nlabels == p->lcap) {
        size_t cap = p->lcap ? p->lcap * 2 : 8;
        blabel *l = realloc(p->labels, cap * sizeof *l);
        if (!l) {
          free(name);
          nomem(p);
          return false;
        }
        p->labels = l;
        p->lcap = cap;
      }
      p->labels[p->nlabels].name = kg__strdup(name);
      p->labels[p->nlabels].bgp = p->bgp;
      if (!p->labels[p->nlabels].name) {
        free(name);
        nomem(p);
        return false;
      }
      p->nlabels++;
    }
    out->var = var_slot(p, name);
    free(name);
    return out->var >= 0;
  }
  if (t->kind == KG__T_ANON) {
    advance(p);
    return fresh_bnode(p, out);
  }
  if (t->kind == KG__T_NIL) {
    advance(p);
    char *v = kg__strdup("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil");
    return set_iri(p, &out->term, v);
  }
  if (at_literal(p)) {
    return parse_literal(p, &out->term);
  }
  unexpected(p);
  return false;
}

/* ---- operators ---- */

static kg__op *op_new(P *p, kg__op_kind kind)
{
  kg__op *op = kg__op_new(kind);
  if (!op) {
    nomem(p);
  }
  return op;
}

/* The depth of an operator over its children; too deep fails. */
static void op_depth(P *p, kg__op *op)
{
  unsigned d = 0;
  if (op->a && op->a->depth > d) {
    d = op->a->depth;
  }
  if (op->b && op->b->depth > d) {
    d = op->b->depth;
  }
  if (op->sub && op->sub->where && op->sub->where->depth > d) {
    d = op->sub->where->depth;
  }
  op->depth = d + 1;
  if (op->depth > KG__MAX_DEPTH) {
    fail_at(p, peek(p), KG_ERR_PARSE,
            "the query is too complex (more than %u nested operators)",
            KG__MAX_DEPTH);
  }
}

static bool is_plain_bgp(const kg__op *op)
{
  return op->kind == KG__OP_BGP;
}

/* Join with the simplifications Join(Z, A) = A and BGP merging. */
static kg__op *op_join(P *p, kg__op *a, kg__op *b)
{
  if (!a || !b) {
    kg__op_free(a);
    kg__op_free(b);
    return NULL;
  }
  if (a->kind == KG__OP_UNIT) {
    kg__op_free(a);
    return b;
  }
  if (b->kind == KG__OP_UNIT) {
    kg__op_free(b);
    return a;
  }
  if (is_plain_bgp(a) && is_plain_bgp(b)) {
    kg__quadpat *v = realloc(a->pats, (a->npats + b->npats + 1) * sizeof *v);
    if (!v) {
      kg__op_free(a);
      kg__op_free(b);
      nomem(p);
      return NULL;
    }
    a->pats = v;
    if (b->npats) {
      memcpy(a->pats + a->npats, b->pats, b->npats * sizeof *v);
    }
    a->npats += b->npats;
    b->npats = 0;
    kg__op_free(b);
    return a;
  }
  kg__op *j = op_new(p, KG__OP_JOIN);
  if (!j) {
    kg__op_free(a);
    kg__op_free(b);
    return NULL;
  }
  j->a = a;
  j->b = b;
  op_depth(p, j);
  return j;
}

static kg__op *op_two(P *p, kg__op_kind kind, kg__op *a, kg__op *b)
{
  if (!a || !b) {
    kg__op_free(a);
    kg__op_free(b);
    return NULL;
  }
  kg__op *op = op_new(p, kind);
  if (!op) {
    kg__op_free(a);
    kg__op_free(b);
    return NULL;
  }
  op->a = a;
  op->b = b;
  op_depth(p, op);
  return op;
}

/* ---- expressions ---- */

static kg__expr *ex_new(P *p, kg__xop op, size_t nargs)
{
  kg__expr *e = calloc(1, sizeof *e);
  if (e && nargs) {
    e->args = calloc(nargs, sizeof *e->args);
    if (!e->args) {
      free(e);
      e = NULL;
    }
  }
  if (!e) {
    nomem(p);
    return NULL;
  }
  e->op = op;
  e->nargs = nargs;
  e->var = -1;
  e->cst.var = -1;
  return e;
}

static void ex_depth(P *p, kg__expr *e)
{
  unsigned d = 0;
  for (size_t i = 0; i < e->nargs; i++) {
    if (e->args[i] && e->args[i]->depth > d) {
      d = e->args[i]->depth;
    }
  }
  if (e->pattern && e->pattern->depth > d) {
    d = e->pattern->depth;
  }
  e->depth = d + 1;
  if (e->depth > KG__MAX_DEPTH) {
    fail_at(p, peek(p), KG_ERR_PARSE,
            "the query is too complex (an expression more than %u deep)",
            KG__MAX_DEPTH);
  }
}

static kg__expr *ex_var(P *p, int slot)
{
  kg__expr *e = ex_new(p, KG__X_VAR, 0);
  if (e) {
    e->var = slot;
  }
  return e;
}

static kg__expr *ex_const(P *p, kg_term *t)
{
  kg__expr *e = ex_new(p, KG__X_CONST, 0);
  if (!e) {
    kg__term_clear(t);
    return NULL;
  }
  e->cst.term = *t;
  memset(t, 0, sizeof *t);
  return e;
}

static kg__expr *ex_bin(P *p, kg__xop op, kg__expr *a, kg__expr *b)
{
  if (!a || !b) {
    kg__expr_free(a);
    kg__expr_free(b);
    return NULL;
  }
  kg__expr *e = ex_new(p, op, 2);
  if (!e) {
    kg__expr_free(a);
    kg__expr_free(b);
    return NULL;
  }
  e->args[0] = a;
  e->args[1] = b;
  ex_depth(p, e);
  return e;
}

static kg__expr *ex_un(P *p, kg__xop op, kg__expr *a)
{
  if (!a) {
    return NULL;
  }
  kg__expr *e = ex_new(p, op, 1);
  if (!e) {
    kg__expr_free(a);
    return NULL;
  }
  e->args[0] = a;
  ex_depth(p, e);
  return e;
}

/* Grow an argument list by one. */
static bool ex_push(P *p, kg__expr *e, kg__expr *arg)
{
  if (!arg) {
    return false;
  }
  kg__expr **a = realloc(e->args, (e->nargs + 1) * sizeof *a);
  if (!a) {
    kg__expr_free(arg);
    nomem(p);
    return false;
  }
  e->args = a;
  e->args[e->nargs++] = arg;
  ex_depth(p, e);
  return !p->failed;
}

/* '(' Expression (',' Expression)* ')' or NIL, into e's arguments. */
static bool parse_arglist(P *p, kg__expr *e, bool allow_distinct)
{
  if (peek(p)->kind == KG__T_NIL) {
    advance(p);
    return true;
  }
  if (!expect_punct(p, "(")) {
    return false;
  }
  if (allow_distinct && accept_word(p, "DISTINCT")) {
    e->distinct = true;
  }
  do {
    if (!ex_push(p, e, parse_expr(p))) {
      return false;
    }
  } while (accept_punct(p, ","));
  return expect_punct(p, ")");
}

typedef struct builtin {
  const char *name;
  kg__xop op;
  int min;
  int max; /* -1: any */
} builtin;

static const builtin builtins[] = {
    {"STR", KG__X_STR, 1, 1},
    {"LANG", KG__X_LANG, 1, 1},
    {"LANGMATCHES", KG__X_LANGMATCHES, 2, 2},
    {"DATATYPE", KG__X_DATATYPE, 1, 1},
    {"BOUND", KG__X_BOUND, 1, 1},
    {"IRI", KG__X_IRI, 1, 1},
    {"URI", KG__X_IRI, 1, 1},
    {"BNODE", KG__X_BNODE, 0, 1},
    {"RAND", KG__X_RAND, 0, 0},
    {"ABS", KG__X_ABS, 1, 1},
    {"CEIL", KG__X_CEIL, 1, 1},
    {"FLOOR", KG__X_FLOOR, 1, 1},
    {"ROUND", KG__X_ROUND, 1, 1},
    {"CONCAT", KG__X_CONCAT, 0, -1},
    {"STRLEN", KG__X_STRLEN, 1, 1},
    {"UCASE", KG__X_UCASE, 1, 1},
    {"LCASE", KG__X_LCASE, 1, 1},
    {"ENCODE_FOR_URI", KG__X_ENCODE_FOR_URI, 1, 1},
    {"CONTAINS", KG__X_CONTAINS, 2, 2},
    {"STRSTARTS", KG__X_STRSTARTS, 2, 2},
    {"STRENDS", KG__X_STRENDS, 2, 2},
    {"STRBEFORE", KG__X_STRBEFORE, 2, 2},
    {"STRAFTER", KG__X_STRAFTER, 2, 2},
    {"YEAR", KG__X_YEAR, 1, 1},
    {"MONTH", KG__X_MONTH, 1, 1},
    {"DAY", KG__X_DAY, 1, 1},
    {"HOURS", KG__X_HOURS, 1, 1},
    {"MINUTES", KG__X_MINUTES, 1, 1},
    {"SECONDS", KG__X_SECONDS, 1, 1},
    {"TIMEZONE", KG__X_TIMEZONE, 1, 1},
    {"TZ", KG__X_TZ, 1, 1},
    {"NOW", KG__X_NOW, 0, 0},
    {"UUID", KG__X_UUID, 0, 0},
    {"STRUUID", KG__X_STRUUID, 0, 0},
    {"MD5", KG__X_MD5, 1, 1},
    {"SHA1", KG__X_SHA1, 1, 1},
    {"SHA256", KG__X_SHA256, 1, 1},
    {"SHA384", KG__X_SHA384, 1, 1},
    {"SHA512", KG__X_SHA512, 1, 1},
    {"COALESCE", KG__X_COALESCE, 0, -1},
    {"IF", KG__X_IF, 3, 3},
    {"STRLANG", KG__X_STRLANG, 2, 2},
    {"STRDT", KG__X_STRDT, 2, 2},
    {"sameTerm", KG__X_SAMETERM, 2, 2},
    {"isIRI", KG__X_ISIRI, 1, 1},
    {"isURI", KG__X_ISIRI, 1, 1},
    {"isBLANK", KG__X_ISBLANK, 1, 1},
    {"isLITERAL", KG__X_ISLITERAL, 1, 1},
    {"isNUMERIC", KG__X_ISNUMERIC, 1, 1},
    {"REGEX", KG__X_REGEX, 2, 3},
    {"SUBSTR", KG__X_SUBSTR, 2, 3},
    {"REPLACE", KG__X_REPLACE, 3, 4},
};

static const struct {
  const char *name;
  kg__agg_kind kind;
} aggregates[] = {
    {"COUNT", KG__AGG_COUNT},
    {"SUM", KG__AGG_SUM},
    {"MIN", KG__AGG_MIN},
    {"MAX", KG__AGG_MAX},
    {"AVG", KG__AGG_AVG},
    {"SAMPLE", KG__AGG_SAMPLE},
    {"GROUP_CONCAT", KG__AGG_GROUP_CONCAT},
};

static kg__op *parse_group_keep_bgp(P *p, const kg__graph *g);

static kg__expr *parse_exists(P *p, bool negated)
{
  kg__expr *e = ex_new(p, KG__X_EXISTS, 0);
  if (!e) {
    return NULL;
  }
  bool agg_ok = p->agg_ok;
  p->agg_ok = false;
  e->pattern = parse_group_keep_bgp(p, p->graph);
  p->agg_ok = agg_ok;
  if (!e->pattern) {
    kg__expr_free(e);
    return NULL;
  }
  return negated ? ex_un(p, KG__X_NOT, e) : e;
}

static kg__expr *parse_aggregate(P *p, kg__agg_kind kind)
{
  const kg__tok *at = peek(p);
  if (!p->agg_ok) {
    fail_at(p, at, KG_ERR_PARSE,
            "aggregate outside SELECT, HAVING or "
            "ORDER BY");
    return NULL;
  }
  if (p->agg_depth > 0) {
    fail_at(p, at, KG_ERR_PARSE, "aggregate inside an aggregate");
    return NULL;
  }
  advance(p);
  kg__expr *e = ex_new(p, KG__X_AGG, 0);
  if (!e) {
    return NULL;
  }
  e->agg = kind;
  p->agg_seen = true;
  p->agg_depth++;
  bool ok = expect_punct(p, "(");
  if (ok && accept_word(p, "DISTINCT")) {
    e->distinct = true;
  }
  if (ok && kind == KG__AGG_COUNT && accept_punct(p, "*")) {
    e->star = true;
  } else if (ok) {
    ok = ex_push(p, e, parse_expr(p));
  }
  if (ok && kind == KG__AGG_GROUP_CONCAT && accept_punct(p, ";")) {
    ok = expect_word(p, "SEPARATOR") && expect_punct(p, "=");
    if (ok && peek(p)->kind != KG__T_STRING) {
      unexpected(p);
      ok = false;
    }
    if (ok) {
      kg__buf b = {0};
      const kg__tok *t = advance(p);
      kg_status st = kg__lex_string(p->src, t, &b);
      if (st != KG_OK) {
        if (st == KG_ERR_NOMEM) {
          nomem(p);
        } else {
          fail_at(p, t, KG_ERR_PARSE, "bad escape in string");
        }
        kg__buf_free(&b);
        ok = false;
      } else {
        e->sep = kg__buf_take(&b);
        if (!e->sep) {
          nomem(p);
          ok = false;
        }
      }
      kg__buf_free(&b);
    }
  }
  p->agg_depth--;
  if (ok) {
    ok = expect_punct(p, ")");
  }
  if (!ok) {
    kg__expr_free(e);
    return NULL;
  }
  return e;
}

static bool is_cast_type(const char *iri)
{
  static const char *const types[] = {"string",
                                      "boolean",
                                      "integer",
                                      "decimal",
                                      "float",
                                      "double",
                                      "dateTime",
                                      "date",
                                      "time",
                                      "int",
                                      "long",
                                      "short",
                                      "byte",
                                      "nonNegativeInteger",
                                      "nonPositiveInteger",
                                      "negativeInteger",
                                      "positiveInteger",
                                      "unsignedLong",
                                      "unsignedInt",
                                      "unsignedShort",
                                      "unsignedByte"};
  if (strncmp(iri, xsd_ns, sizeof xsd_ns - 1) != 0) {
    return false;
  }
  for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
    if (strcmp(iri + sizeof xsd_ns - 1, types[i]) == 0) {
      return true;
    }
  }
  return false;
}

/* iri, or iri(args): a cast or a function kgraph may not know. */
static kg__expr *parse_iri_or_function(P *p)
{
  kg_term iri;
  if (!parse_iri(p, &iri)) {
    return NULL;
  }
  if (peek(p)->kind != KG__T_NIL && !at_punct(p, "(")) {
    return ex_const(p, &iri);
  }
  kg__expr *e = ex_new(p, is_cast_type(iri.value) ? KG__X_CAST : KG__X_FUNC, 0);
  if (!e) {
    kg__term_clear(&iri);
    return NULL;
  }
  e->iri = (char *)iri.value;
  iri.value = NULL;
  kg__term_clear(&iri);
  if (!parse_arglist(p, e, true)) {
    kg__expr_free(e);
    return NULL;
  }
  return e;
}

static kg__expr *parse_builtin(P *p)
{
  const kg__tok *t = peek(p);
  for (size_t i = 0; i < sizeof aggregates / sizeof *aggregates; i++) {
    if (is_word(p, t, aggregates[i].name)) {
      return parse_aggregate(p, aggregates[i].kind);
    }
  }
  if (is_word(p, t, "EXISTS")) {
    advance(p);
    return parse_exists(p, false);
  }
  if (is_word(p, t, "NOT")) {
    advance(p);
    if (!expect_word(p, "EXISTS")) {
      return NULL;
    }
    return parse_exists(p, true);
  }
  for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++) {
    if (!is_word(p, t, builtins[i].name)) {
      continue;
    }
    advance(p);
    kg__expr *e = ex_new(p, builtins[i].op, 0);
    if (!e) {
      return NULL;
    }
    bool ok;
    if (builtins[i].op == KG__X_BOUND) {
      ok = expect_punct(p, "(");
      if (ok && peek(p)->kind != KG__T_VAR) {
        unexpected(p);
        ok = false;
      }
      if (ok) {
        ok = ex_push(p, e, parse_expr(p)) && expect_punct(p, ")");
      }
    } else {
      ok = parse_arglist(p, e, false);
    }
    if (ok && ((int)e->nargs < builtins[i].min ||
               (builtins[i].max >= 0 && (int)e->nargs > builtins[i].max))) {
      fail_at(p, t, KG_ERR_PARSE, "%s takes %d to %d arguments, not %zu",
              builtins[i].name, builtins[i].min, builtins[i].max, e->nargs);
      ok = false;
    }
    if (!ok) {
      kg__expr_free(e);
      return NULL;
    }
    return e;
  }
  unexpected(p);
  return NULL;
}

static kg__expr *parse_primary(P *p)
{
  const kg__tok *t = peek(p);
  if (is_punct(t, "(")) {
    advance(p);
    kg__expr *e = parse_expr(p);
    if (e && !expect_punct(p, ")")) {
      kg__expr_free(e);
      return NULL;
    }
    return e;
  }
  if (t->kind == KG__T_VAR) {
    advance(p);
    char *name = tok_dup(p, t, 1);
    if (!name) {
      nomem(p);
      return NULL;
    }
    int v = var_slot(p, name);
    free(name);
    return v >= 0 ? ex_var(p, v) : NULL;
  }
  if (at_iri(p)) {
    return parse_iri_or_function(p);
  }
  if (at_literal(p)) {
    kg_term lit;
    if (!parse_literal(p, &lit)) {
      return NULL;
    }
    return ex_const(p, &lit);
  }
  if (t->kind == KG__T_WORD) {
    return parse_builtin(p);
  }
  unexpected(p);
  return NULL;
}

static kg__expr *parse_unary_in(P *p);

static kg__expr *parse_unary(P *p)
{
  if (!enter(p)) {
    return NULL;
  }
  kg__expr *e = parse_unary_in(p);
  leave(p);
  return e;
}

static kg__expr *parse_unary_in(P *p)
{
  if (accept_punct(p, "!")) {
    return ex_un(p, KG__X_NOT, parse_unary(p));
  }
  if (accept_punct(p, "+")) {
    return ex_un(p, KG__X_POS, parse_unary(p));
  }
  if (accept_punct(p, "-")) {
    return ex_un(p, KG__X_NEG, parse_unary(p));
  }
  return parse_primary(p);
}

static kg__expr *parse_multiplicative(P *p)
{
  kg__expr *e = parse_unary(p);
  while (e) {
    if (accept_punct(p, "*")) {
      e = ex_bin(p, KG__X_MUL, e, parse_unary(p));
    } else if (accept_punct(p, "/")) {
      e = ex_bin(p, KG__X_DIV, e, parse_unary(p));
    } else {
      break;
    }
  }
  return e;
}

static bool signed_number(const P *p)
{
  const kg__tok *t = peek(p);
  return (t->kind == KG__T_INTEGER || t->kind == KG__T_DECIMAL ||
          t->kind == KG__T_DOUBLE) &&
         (p->src[t->start] == '+' || p->src[t->start] == '-');
}

static kg__expr *parse_additive(P *p)
{
  kg__expr *e = parse_multiplicative(p);
  while (e) {
    if (accept_punct(p, "+")) {
      e = ex_bin(p, KG__X_ADD, e, parse_multiplicative(p));
    } else if (accept_punct(p, "-")) {
      e = ex_bin(p, KG__X_SUB, e, parse_multiplicative(p));
    } else if (signed_number(p)) {
      /* "?a -1": the sign is the operator */
      const kg__tok *t = peek(p);
      bool minus = p->src[t->start] == '-';
      kg_term lit;
      if (!parse_literal(p, &lit)) {
        kg__expr_free(e);
        return NULL;
      }
      char *v = kg__strndup(lit.value + 1, lit.value_len - 1);
      if (!v) {
        kg__term_clear(&lit);
        kg__expr_free(e);
        nomem(p);
        return NULL;
      }
      free((char *)lit.value);
      lit.value = v;
      lit.value_len--;
      kg__expr *r = ex_const(p, &lit);
      while (r) {
        if (accept_punct(p, "*")) {
          r = ex_bin(p, KG__X_MUL, r, parse_unary(p));
        } else if (accept_punct(p, "/")) {
          r = ex_bin(p, KG__X_DIV, r, parse_unary(p));
        } else {
          break;
        }
      }
      e = ex_bin(p, minus ? KG__X_SUB : KG__X_ADD, e, r);
    } else {
      break;
    }
  }
  return e;
}

static kg__expr *parse_relational(P *p)
{
  kg__expr *e = parse_additive(p);
  if (!e) {
    return NULL;
  }
  static const struct {
    const char *p;
    kg__xop op;
  } rel[] = {{"=", KG__X_EQ}, {"!=", KG__X_NE}, {"<", KG__X_LT},
             {">", KG__X_GT}, {"<=", KG__X_LE}, {">=", KG__X_GE}};
  for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
    if (accept_punct(p, rel[i].p)) {
      return ex_bin(p, rel[i].op, e, parse_additive(p));
    }
  }
  bool not_in = at_word(p, "NOT") && is_word(p, peek2(p), "IN");
  if (not_in || at_word(p, "IN")) {
    advance(p);
    if (not_in) {
      advance(p);
    }
    kg__expr *in = ex_new(p, not_in ? KG__X_NOTIN : KG__X_IN, 0);
    if (!in || !ex_push(p, in, e)) {
      kg__expr_free(in);
      return NULL;
    }
    if (!parse_arglist(p, in, false)) {
      kg__expr_free(in);
      return NULL;
    }
    return in;
  }
  return e;
}

static kg__expr *parse_and(P *p)
{
  kg__expr *e = parse_relational(p);
  while (e && accept_punct(p, "&&")) {
    e = ex_bin(p, KG__X_AND, e, parse_relational(p));
  }
  return e;
}

static kg__expr *parse_expr(P *p)
{
  if (!enter(p)) {
    return NULL;
  }
  kg__expr *e = parse_and(p);
  while (e && accept_punct(p, "||")) {
    e = ex_bin(p, KG__X_OR, e, parse_and(p));
  }
  leave(p);
  if (e && p->failed) {
    kg__expr_free(e);
    return NULL;
  }
  return e;
}

/* Constraint: BrackettedExpression | BuiltInCall | FunctionCall. */
static kg__expr *parse_constraint(P *p)
{
  if (at_punct(p, "(")) {
    return parse_primary(p);
  }
  if (at_iri(p)) {
    const kg__tok *t = peek2(p);
    if (t->kind != KG__T_NIL && !is_punct(t, "(")) {
      unexpected(p);
      return NULL;
    }
    return parse_iri_or_function(p);
  }
  if (peek(p)->kind == KG__T_WORD) {
    return parse_builtin(p);
  }
  unexpected(p);
  return NULL;
}

/* ---- triples ---- */

/* What a triples block builds: quad patterns and path operators. */
typedef struct block {
  kg__quadpat *pats;
  size_t n;
  size_t cap;
  kg__op **paths;
  size_t npaths;
  const kg__graph *g;
} block;

static void block_free(block *b)
{
  for (size_t i = 0; i < b->n; i++) {
    for (int k = 0; k < 3; k++) {
      kg__term_clear(&b->pats[i].t[k].term);
    }
    kg__term_clear(&b->pats[i].graph.g.term);
  }
  free(b->pats);
  for (size_t i = 0; i < b->npaths; i++) {
    kg__op_free(b->paths[i]);
  }
  free(b->paths);
  memset(b, 0, sizeof *b);
}

static bool copy_pt(P *p, kg__pterm *dst, const kg__pterm *src)
{
  *dst = *src;
  dst->term.kind = 0;
  if (kg__term_copy(&dst->term, &src->term) != KG_OK) {
    nomem(p);
    return false;
  }
  return true;
}

static bool copy_graph(P *p, kg__graph *dst, const kg__graph *src)
{
  dst->mode = src->mode;
  return copy_pt(p, &dst->g, &src->g);
}

static bool
emit(P *p, block *b, const kg__pterm *s, const kg__pterm *v, const kg__pterm *o)
{
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 8;
    kg__quadpat *q = realloc(b->pats, cap * sizeof *q);
    if (!q) {
      nomem(p);
      return false;
    }
    b->pats = q;
    b->cap = cap;
  }
  kg__quadpat *q = &b->pats[b->n];
  memset(q, 0, sizeof *q);
  q->t[0].var = q->t[1].var = q->t[2].var = q->graph.g.var = -1;
  if (!copy_pt(p, &q->t[0], s) || !copy_pt(p, &q->t[1], v) ||
      !copy_pt(p, &q->t[2], o) || !copy_graph(p, &q->graph, b->g)) {
    for (int k = 0; k < 3; k++) {
      kg__term_clear(&q->t[k].term);
    }
    kg__term_clear(&q->graph.g.term);
    return false;
  }
  b->n++;
  return true;
}

/* ---- property paths ---- */

static kg__path *path_new(P *p, kg__path_kind kind, kg__path *a, kg__path *b)
{
  kg__path *x = calloc(1, sizeof *x);
  if (!x) {
    kg__path_free(a);
    kg__path_free(b);
    nomem(p);
    return NULL;
  }
  x->kind = kind;
  x->a = a;
  x->b = b;
  unsigned d = a ? a->depth : 0;
  if (b && b->depth > d) {
    d = b->depth;
  }
  x->depth = d + 1;
  if (x->depth > KG__MAX_DEPTH) {
    fail_at(p, peek(p), KG_ERR_PARSE,
            "the query is too complex (a path more than %u deep)",
            KG__MAX_DEPTH);
    kg__path_free(x);
    return NULL;
  }
  return x;
}

static bool at_a(const P *p)
{
  const kg__tok *t = peek(p);
  return t->kind == KG__T_WORD && t->end - t->start == 1 &&
         p->src[t->start] == 'a';
}

static bool parse_path_iri(P *p, kg_term *out)
{
  if (at_a(p)) {
    advance(p);
    return set_iri(p, out, kg__strdup(kg__rdf_type));
  }
  return parse_iri(p, out);
}

static kg__path *parse_path_alt(P *p);

static kg__path *path_copy(P *p, const kg__path *x)
{
  kg__path *c = calloc(1, sizeof *c);
  if (!c) {
    nomem(p);
    return NULL;
  }
  c->kind = x->kind;
  c->depth = x->depth;
  bool ok = kg__term_copy(&c->iri, &x->iri) == KG_OK;
  if (ok && x->nfwd) {
    c->fwd = calloc(x->nfwd, sizeof *c->fwd);
    c->fwd_id = calloc(x->nfwd, sizeof *c->fwd_id);
    ok = c->fwd && c->fwd_id;
    for (size_t i = 0; ok && i < x->nfwd; i++) {
      ok = kg__term_copy(&c->fwd[i], &x->fwd[i]) == KG_OK;
      c->nfwd = i + 1;
    }
  }
  if (ok && x->ninv) {
    c->inv = calloc(x->ninv, sizeof *c->inv);
    c->inv_id = calloc(x->ninv, sizeof *c->inv_id);
    ok = c->inv && c->inv_id;
    for (size_t i = 0; ok && i < x->ninv; i++) {
      ok = kg__term_copy(&c->inv[i], &x->inv[i]) == KG_OK;
      c->ninv = i + 1;
    }
  }
  if (!ok) {
    nomem(p);
    kg__path_free(c);
    return NULL;
  }
  if (x->a && !(c->a = path_copy(p, x->a))) {
    kg__path_free(c);
    return NULL;
  }
  if (x->b && !(c->b = path_copy(p, x->b))) {
    kg__path_free(c);
    return NULL;
  }
  return c;
}

static bool neg_add(P *p, kg__path *x, bool inverse, kg_term *iri)
{
  kg_term **v = inverse ? &x->inv : &x->fwd;
  kg__vid **ids = inverse ? &x->inv_id : &x->fwd_id;
  size_t *n = inverse ? &x->ninv : &x->nfwd;
  kg_term *nv = realloc(*v, (*n + 1) * sizeof *nv);
  if (!nv) {
    kg__term_clear(iri);
    nomem(p);
    return false;
  }
  *v = nv;
  kg__vid *ni = realloc(*ids, (*n + 1) * sizeof *ni);
  if (!ni) {
    kg__term_clear(iri);
    nomem(p);
    return false;
  }
  *ids = ni;
  nv[*n] = *iri;
  ni[*n] = 0;
  (*n)++;
  memset(iri, 0, sizeof *iri);
  return true;
}

static bool parse_neg_one(P *p, kg__path *x)
{
  bool inverse = accept_punct(p, "^");
  kg_term iri;
  if (!at_a(p) && !at_iri(p)) {
    unexpected(p);
    return false;
  }
  if (!parse_path_iri(p, &iri)) {
    return false;
  }
  return neg_add(p, x, inverse, &iri);
}

static kg__path *parse_path_primary(P *p)
{
  if (accept_punct(p, "(")) {
    kg__path *x = parse_path_alt(p);
    if (x && !expect_punct(p, ")")) {
      kg__path_free(x);
      return NULL;
    }
    return x;
  }
  if (accept_punct(p, "!")) {
    kg__path *x = path_new(p, KG__PATH_NEG, NULL, NULL);
    if (!x) {
      return NULL;
    }
    bool ok;
    if (peek(p)->kind == KG__T_NIL) {
      advance(p);
      ok = true;
    } else if (accept_punct(p, "(")) {
      ok = parse_neg_one(p, x);
      while (ok && accept_punct(p, "|")) {
        ok = parse_neg_one(p, x);
      }
      ok = ok && expect_punct(p, ")");
    } else {
      ok = parse_neg_one(p, x);
    }
    if (!ok) {
      kg__path_free(x);
      return NULL;
    }
    return x;
  }
  if (at_a(p) || at_iri(p)) {
    kg__path *x = path_new(p, KG__PATH_LINK, NULL, NULL);
    if (x && !parse_path_iri(p, &x->iri)) {
      kg__path_free(x);
      return NULL;
    }
    return x;
  }
  unexpected(p);
  return NULL;
}

static kg__path *parse_path_elt(P *p)
{
  kg__path *x = parse_path_primary(p);
  if (!x) {
    return NULL;
  }
  const kg__tok *t = peek(p);
  if (is_punct(t, "*")) {
    advance(p);
    return path_new(p, KG__PATH_STAR, x, NULL);
  }
  if (is_punct(t, "+")) {
    advance(p);
    return path_new(p, KG__PATH_PLUS, x, NULL);
  }
  if (is_punct(t, "?")) {
    advance(p);
    return path_new(p, KG__PATH_OPT, x, NULL);
  }
  return x;
}

static kg__path *parse_path_inv(P *p)
{
  if (accept_punct(p, "^")) {
    kg__path *x = parse_path_elt(p);
    return x ? path_new(p, KG__PATH_INV, x, NULL) : NULL;
  }
  return parse_path_elt(p);
}

static kg__path *parse_path_seq(P *p)
{
  kg__path *x = parse_path_inv(p);
  while (x && accept_punct(p, "/")) {
    kg__path *y = parse_path_inv(p);
    if (!y) {
      kg__path_free(x);
      return NULL;
    }
    x = path_new(p, KG__PATH_SEQ, x, y);
  }
  return x;
}

static kg__path *parse_path_alt(P *p)
{
  if (!enter(p)) {
    return NULL;
  }
  kg__path *x = parse_path_seq(p);
  while (x && accept_punct(p, "|")) {
    kg__path *y = parse_path_seq(p);
    if (!y) {
      kg__path_free(x);
      return NULL;
    }
    x = path_new(p, KG__PATH_ALT, x, y);
  }
  leave(p);
  return x;
}

/* Emit `s path o`: links and inverses become triple patterns, sequences
 * joins over fresh variables (SPARQL 1.1 section 18.2.2.4), the rest path
 * operators. Takes ownership of `path`. */
static bool emit_path(
    P *p, block *b, const kg__pterm *s, kg__path *path, const kg__pterm *o)
{
  bool ok = true;
  switch (path->kind) {
  case KG__PATH_LINK: {
    kg__pterm v = pt_none();
    v.term = path->iri;
    ok = emit(p, b, s, &v, o);
    break;
  }
  case KG__PATH_INV:
    ok = emit_path(p, b, o, path->a, s);
    path->a = NULL;
    break;
  case KG__PATH_SEQ: {
    /* each half given to emit_path() is its to free; the rest is freed
     * below with `path` */
    kg__pterm mid = pt_var(new_slot(p, NULL));
    ok = mid.var >= 0;
    if (ok) {
      ok = emit_path(p, b, s, path->a, &mid);
      path->a = NULL;
    }
    if (ok) {
      ok = emit_path(p, b, &mid, path->b, o);
      path->b = NULL;
    }
    break;
  }
  default: {
    kg__op *op = op_new(p, KG__OP_PATH);
    kg__op **v = op ? realloc(b->paths, (b->npaths + 1) * sizeof *v) : NULL;
    if (v) {
      b->paths = v; /* the old array is gone */
    }
    if (!v || !copy_pt(p, &op->s, s) || !copy_pt(p, &op->o, o) ||
        !copy_graph(p, &op->graph, b->g)) {
      if (op && !v) {
        nomem(p);
      }
      kg__op_free(op);
      ok = false;
      break;
    }
    op->path = path;
    b->paths[b->npaths++] = op;
    return true;
  }
  }
  kg__path_free(path);
  return ok;
}

static bool parse_graph_node(P *p, block *b, kg__pterm *out);

/* [ PropertyList ] as subject or object: a fresh blank node. */
static bool parse_bnode_proplist(P *p, block *b, kg__pterm *out);
static bool parse_proplist(P *p, block *b, const kg__pterm *s, bool required);

/* ( GraphNode+ ): an rdf:first/rdf:rest list. */
static bool parse_collection(P *p, block *b, kg__pterm *out)
{
  if (!expect_punct(p, "(")) {
    return false;
  }
  kg__pterm first = pt_none();
  kg__pterm prev = pt_none();
  kg__pterm f = pt_none();
  kg__pterm r = pt_none();
  bool ok = set_iri(p, &f.term,
                    kg__strdup("http://www.w3.org/1999/02/"
                               "22-rdf-syntax-ns#first")) &&
            set_iri(p, &r.term,
                    kg__strdup("http://www.w3.org/1999/02/"
                               "22-rdf-syntax-ns#rest"));
  bool have = false;
  while (ok && !at_punct(p, ")")) {
    kg__pterm node = pt_none();
    kg__pterm item = pt_none();
    ok = fresh_bnode(p, &node) && parse_graph_node(p, b, &item) &&
         emit(p, b, &node, &f, &item);
    if (ok && have) {
      ok = emit(p, b, &prev, &r, &node);
    }
    if (ok && !have) {
      ok = copy_pt(p, &first, &node);
      have = true;
    }
    pt_clear(&prev);
    prev = node;
    pt_clear(&item);
    if (!ok) {
      pt_clear(&node);
      prev = pt_none();
    }
  }
  if (ok && have) {
    kg__pterm nil = pt_none();
    ok = set_iri(p, &nil.term,
                 kg__strdup("http://www.w3.org/1999/02/"
                            "22-rdf-syntax-ns#nil")) &&
         emit(p, b, &prev, &r, &nil);
    pt_clear(&nil);
  }
  ok = ok && expect_punct(p, ")");
  pt_clear(&prev);
  pt_clear(&f);
  pt_clear(&r);
  if (!ok) {
    pt_clear(&first);
    return false;
  }
  *out = first;
  return true;
}

static bool parse_graph_node(P *p, block *b, kg__pterm *out)
{
  *out = pt_none();
  if (!enter(p)) {
    return false;
  }
  bool ok;
  if (at_punct(p, "[")) {
    ok = parse_bnode_proplist(p, b, out);
  } else if (at_punct(p, "(")) {
    ok = parse_collection(p, b, out);
  } else {
    ok = parse_var_or_term(p, out, false);
  }
  leave(p);
  return ok;
}

static bool parse_bnode_proplist(P *p, block *b, kg__pterm *out)
{
  if (!expect_punct(p, "[") || !fresh_bnode(p, out)) {
    return false;
  }
  if (!parse_proplist(p, b, out, true) || !expect_punct(p, "]")) {
    pt_clear(out);
    return false;
  }
  return true;
}

static bool at_verb(const P *p)
{
  const kg__tok *t = peek(p);
  return t->kind == KG__T_VAR || at_iri(p) || at_a(p) || is_punct(t, "^") ||
         is_punct(t, "!") || is_punct(t, "(");
}

static bool parse_proplist(P *p, block *b, const kg__pterm *s, bool required)
{
  if (!at_verb(p)) {
    if (required) {
      unexpected(p);
      return false;
    }
    return true;
  }
  for (;;) {
    kg__pterm verb = pt_none();
    kg__path *path = NULL;
    const kg__tok *vt = peek(p);
    if (vt->kind == KG__T_VAR) {
      if (!parse_var_or_term(p, &verb, false)) {
        return false;
      }
    } else {
      if (p->in_template || p->data_mode) {
        if (!at_a(p) && !at_iri(p)) {
          unexpected(p);
          return false;
        }
        if (!parse_path_iri(p, &verb.term)) {
          return false;
        }
      } else {
        path = parse_path_alt(p);
        if (!path) {
          return false;
        }
      }
    }
    do {
      kg__pterm o = pt_none();
      bool ok = parse_graph_node(p, b, &o);
      if (ok && path) {
        /* each object gets its own copy of the path */
        kg__path *copy = path_copy(p, path);
        ok = copy && emit_path(p, b, s, copy, &o);
      } else if (ok) {
        ok = emit(p, b, s, &verb, &o);
      }
      pt_clear(&o);
      if (!ok) {
        pt_clear(&verb);
        kg__path_free(path);
        return false;
      }
    } while (accept_punct(p, ","));
    pt_clear(&verb);
    kg__path_free(path);
    if (!at_punct(p, ";")) {
      return true;
    }
    while (accept_punct(p, ";")) {
    }
    if (!at_verb(p)) {
      return true;
    }
  }
}

static bool at_triples_start(const P *p)
{
  const kg__tok *t = peek(p);
  switch (t->kind) {
  case KG__T_VAR:
  case KG__T_IRI:
  case KG__T_PNAME:
  case KG__T_BNODE:
  case KG__T_STRING:
  case KG__T_INTEGER:
  case KG__T_DECIMAL:
  case KG__T_DOUBLE:
  case KG__T_NIL:
  case KG__T_ANON:
    return true;
  case KG__T_PUNCT:
    return is_punct(t, "[") || is_punct(t, "(");
  case KG__T_WORD:
    return is_word(p, t, "true") || is_word(p, t, "false");
  default:
    return false;
  }
}

/* TriplesSameSubject(Path). */
static bool parse_triples_same_subject(P *p, block *b)
{
  kg__pterm s = pt_none();
  bool ok;
  if (at_punct(p, "[")) {
    ok = parse_bnode_proplist(p, b, &s) && parse_proplist(p, b, &s, false);
  } else if (at_punct(p, "(")) {
    ok = parse_collection(p, b, &s) && parse_proplist(p, b, &s, false);
  } else {
    ok = parse_var_or_term(p, &s, false) && parse_proplist(p, b, &s, true);
  }
  pt_clear(&s);
  return ok;
}

/* TriplesBlock: triples separated by '.', as one BGP joined with the
 * paths. */
static kg__op *parse_triples_block(P *p, const kg__graph *g)
{
  block b;
  memset(&b, 0, sizeof b);
  b.g = g;
  bool ok = true;
  while (ok) {
    ok = parse_triples_same_subject(p, &b);
    if (!ok || !accept_punct(p, ".") || !at_triples_start(p)) {
      break;
    }
  }
  if (!ok) {
    block_free(&b);
    return NULL;
  }
  kg__op *op = NULL;
  if (b.n || !b.npaths) {
    op = op_new(p, KG__OP_BGP);
    if (!op) {
      block_free(&b);
      return NULL;
    }
    op->pats = b.pats;
    op->npats = b.n;
    b.pats = NULL;
    b.n = 0;
  }
  for (size_t i = 0; i < b.npaths; i++) {
    op = op ? op_join(p, op, b.paths[i]) : b.paths[i];
    b.paths[i] = NULL;
    if (!op) {
      break;
    }
  }
  block_free(&b);
  return op;
}

/* ---- group graph patterns (section 18.2.2) ---- */

static kg__op *parse_subselect(P *p);

static bool slot_in_scope(kg__op *g, int slot, P *p)
{
  if (kg__op_analyse(g) != KG_OK) {
    nomem(p);
    return true;
  }
  return kg__vars_has(&g->maybe, slot);
}

/* VALUES data block (after the keyword). */
static kg__op *parse_values(P *p)
{
  kg__op *op = op_new(p, KG__OP_VALUES);
  if (!op) {
    return NULL;
  }
  bool ok = true;
  bool single = false;
  /* variables */
  if (peek(p)->kind == KG__T_VAR) {
    single = true;
  } else if (peek(p)->kind == KG__T_NIL) {
    advance(p);
  } else {
    ok = expect_punct(p, "(");
  }
  while (ok && peek(p)->kind == KG__T_VAR) {
    const kg__tok *t = advance(p);
    char *name = tok_dup(p, t, 1);
    int v = name ? var_slot(p, name) : -1;
    free(name);
    int *vars =
        v >= 0 ? realloc(op->vars, (op->nvars + 1) * sizeof *vars) : NULL;
    if (!vars) {
      if (v >= 0) {
        nomem(p);
      }
      ok = false;
      break;
    }
    op->vars = vars;
    op->vars[op->nvars++] = v;
    if (single) {
      break;
    }
  }
  if (ok && !single && op->nvars > 0) {
    ok = expect_punct(p, ")");
  }
  ok = ok && expect_punct(p, "{");
  /* rows, in room that doubles (one realloc per row is quadratic where
   * realloc copies, as under ASan: 200,000 rows took minutes) */
  size_t cap_rows = 0;
  while (ok && !at_punct(p, "}")) {
    size_t want = op->nvars;
    if (op->nrows == cap_rows) {
      size_t rows = cap_rows ? cap_rows * 2 : 8;
      kg__pterm *cells =
          realloc(op->cells, rows * (want ? want : 1) * sizeof *cells);
      if (!cells) {
        nomem(p);
        ok = false;
        break;
      }
      op->cells = cells;
      cap_rows = rows;
    }
    kg__pterm *row = op->cells + op->nrows * want;
    for (size_t c = 0; c < want; c++) {
      row[c] = pt_none();
    }
    op->nrows++;
    const kg__tok *start = peek(p);
    bool paren = !single;
    if (paren) {
      if (peek(p)->kind == KG__T_NIL) {
        advance(p);
        if (want != 0) {
          fail_at(p, start, KG_ERR_PARSE,
                  "VALUES row has 0 values for %zu variables", want);
          ok = false;
        }
        continue;
      }
      if (!expect_punct(p, "(")) {
        ok = false;
        break;
      }
    }
    size_t got = 0;
    while (ok && (paren ? !at_punct(p, ")") : got < 1)) {
      kg__pterm cell = pt_none();
      if (accept_word(p, "UNDEF")) {
        /* unbound */
      } else if (at_iri(p)) {
        ok = parse_iri(p, &cell.term);
      } else if (at_literal(p)) {
        ok = parse_literal(p, &cell.term);
      } else {
        unexpected(p);
        ok = false;
      }
      if (ok && got < want) {
        row[got] = cell;
      } else {
        pt_clear(&cell);
      }
      got++;
    }
    if (ok && paren) {
      ok = expect_punct(p, ")");
    }
    if (ok && got != want) {
      fail_at(p, start, KG_ERR_PARSE,
              "VALUES row has %zu values for %zu variables", got, want);
      ok = false;
    }
  }
  ok = ok && expect_punct(p, "}");
  if (!ok) {
    kg__op_free(op);
    return NULL;
  }
  return op;
}

static kg__op *parse_group_or_union(P *p)
{
  kg__op *a = parse_group(p, p->graph);
  while (a && accept_word(p, "UNION")) {
    a = op_two(p, KG__OP_UNION, a, parse_group(p, p->graph));
  }
  return a;
}

static kg__op *parse_graph_graph(P *p)
{
  kg__pterm t;
  if (!parse_var_or_term(p, &t, true)) {
    return NULL;
  }
  kg__graph g;
  g.mode = KG__G_NAMED;
  int user = -1;
  if (t.var >= 0) {
    user = t.var;
    g.g = pt_var(new_slot(p, NULL));
    if (g.g.var < 0) {
      return NULL;
    }
  } else {
    g.g = t;
  }
  const kg__graph *saved = p->graph;
  p->graph = &g;
  kg__op *inner = parse_group(p, &g);
  p->graph = saved;
  kg__op *op = inner ? op_new(p, KG__OP_GRAPH) : NULL;
  if (!op) {
    kg__op_free(inner);
    pt_clear(&g.g);
    return NULL;
  }
  op->a = inner;
  op->graph = g;
  op->var = user;
  op_depth(p, op);
  return op;
}

static kg__op *parse_group_body(P *p, const kg__graph *g)
{
  kg__op *G = op_new(p, KG__OP_UNIT);
  kg__expr **filters = NULL;
  size_t nfilters = 0;
  int saved_bgp = p->bgp;
  p->bgp = ++p->next_bgp;
  while (G && !p->failed && !at_punct(p, "}")) {
    if (at_triples_start(p)) {
      G = op_join(p, G, parse_triples_block(p, g));
      if (G && at_triples_start(p)) {
        unexpected(p); /* triples need a '.' between them */
      }
      continue;
    }
    if (accept_word(p, "FILTER")) {
      kg__expr *f = parse_constraint(p);
      kg__expr **v = f ? realloc(filters, (nfilters + 1) * sizeof *v) : NULL;
      if (!v) {
        if (f) {
          nomem(p);
        }
        kg__expr_free(f);
        break;
      }
      filters = v;
      filters[nfilters++] = f;
      accept_punct(p, ".");
      continue;
    }
    if (accept_word(p, "OPTIONAL")) {
      kg__op *a = parse_group(p, g);
      if (!a) {
        break;
      }
      bool own = p->own_filter;
      kg__op *lj = op_new(p, KG__OP_LEFTJOIN);
      if (!lj) {
        kg__op_free(a);
        break;
      }
      lj->a = G;
      G = lj;
      if (a->kind == KG__OP_FILTER && own) {
        lj->b = a->a;
        lj->exprs = a->exprs;
        lj->nexprs = a->nexprs;
        a->a = NULL;
        a->exprs = NULL;
        a->nexprs = 0;
        kg__op_free(a);
      } else {
        lj->b = a;
      }
      op_depth(p, lj);
    } else if (accept_word(p, "MINUS")) {
      G = op_two(p, KG__OP_MINUS, G, parse_group(p, g));
    } else if (accept_word(p, "BIND")) {
      const kg__tok *at = peek(p);
      kg__expr *e = NULL;
      if (expect_punct(p, "(")) {
        e = parse_expr(p);
      }
      if (e && expect_word(p, "AS") && peek(p)->kind != KG__T_VAR) {
        unexpected(p);
      }
      if (!e || p->failed) {
        kg__expr_free(e);
        break;
      }
      const kg__tok *vt = advance(p);
      char *name = tok_dup(p, vt, 1);
      int v = name ? var_slot(p, name) : -1;
      free(name);
      if (v < 0 || !expect_punct(p, ")")) {
        kg__expr_free(e);
        break;
      }
      if (slot_in_scope(G, v, p)) {
        fail_at(p, at, KG_ERR_PARSE, "BIND: variable ?%s is already in scope",
                p->names[v]);
        kg__expr_free(e);
        break;
      }
      kg__op *x = op_new(p, KG__OP_EXTEND);
      if (!x) {
        kg__expr_free(e);
        break;
      }
      x->a = G;
      x->var = v;
      x->expr = e;
      G = x;
      op_depth(p, x);
    } else if (accept_word(p, "VALUES")) {
      G = op_join(p, G, parse_values(p));
    } else if (accept_word(p, "GRAPH")) {
      G = op_join(p, G, parse_graph_graph(p));
    } else if (accept_word(p, "SERVICE")) {
      accept_word(p, "SILENT");
      kg__pterm t;
      if (!parse_var_or_term(p, &t, true)) {
        break;
      }
      pt_clear(&t);
      kg__op *inner = parse_group(p, g);
      kg__op_free(inner);
      p->denied = true;
    } else if (at_punct(p, "{")) {
      G = op_join(p, G, parse_group_or_union(p));
    } else {
      unexpected(p);
      break;
    }
    /* anything but triples and FILTER ends a basic graph pattern */
    p->bgp = ++p->next_bgp;
    accept_punct(p, ".");
  }
  p->bgp = saved_bgp;
  if (!G || p->failed) {
    kg__op_free(G);
    for (size_t i = 0; i < nfilters; i++) {
      kg__expr_free(filters[i]);
    }
    free(filters);
    return NULL;
  }
  if (nfilters) {
    kg__op *f = op_new(p, KG__OP_FILTER);
    if (!f) {
      kg__op_free(G);
      for (size_t i = 0; i < nfilters; i++) {
        kg__expr_free(filters[i]);
      }
      free(filters);
      return NULL;
    }
    f->a = G;
    f->exprs = filters;
    f->nexprs = nfilters;
    G = f;
    op_depth(p, f);
    if (p->failed) {
      kg__op_free(G);
      return NULL;
    }
  }
  p->own_filter = nfilters > 0;
  return G;
}

static kg__op *parse_group_in(P *p, const kg__graph *g);

static kg__op *parse_group(P *p, const kg__graph *g)
{
  if (!enter(p)) {
    return NULL;
  }
  kg__op *op = parse_group_in(p, g);
  leave(p);
  return op;
}

static kg__op *parse_group_in(P *p, const kg__graph *g)
{
  if (!expect_punct(p, "{")) {
    return NULL;
  }
  kg__op *op;
  if (at_word(p, "SELECT")) {
    op = parse_subselect(p);
    p->own_filter = false;
  } else {
    op = parse_group_body(p, g);
  }
  if (op && !expect_punct(p, "}")) {
    kg__op_free(op);
    return NULL;
  }
  return op;
}

static kg__op *parse_group_keep_bgp(P *p, const kg__graph *g)
{
  return parse_group(p, g);
}

/* ---- SELECT queries and their modifiers ---- */

/* Replace aggregates in `*e` by variables, moving them to q->aggs. */
static bool lift_aggs(P *p, kg__query *q, kg__expr **e)
{
  if (!*e) {
    return true;
  }
  kg__expr *x = *e;
  if (x->op == KG__X_AGG) {
    kg__agg *a = realloc(q->aggs, (q->naggs + 1) * sizeof *a);
    if (!a) {
      nomem(p);
      return false;
    }
    q->aggs = a;
    int slot = new_slot(p, NULL);
    kg__expr *v = slot >= 0 ? ex_var(p, slot) : NULL;
    if (!v) {
      return false;
    }
    kg__agg *g = &q->aggs[q->naggs++];
    memset(g, 0, sizeof *g);
    g->kind = x->agg;
    g->distinct = x->distinct;
    g->star = x->star;
    g->arg = x->nargs ? x->args[0] : NULL;
    if (x->nargs) {
      x->args[0] = NULL;
    }
    g->sep = x->sep;
    x->sep = NULL;
    g->slot = slot;
    kg__expr_free(x);
    *e = v;
    return true;
  }
  for (size_t i = 0; i < x->nargs; i++) {
    if (!lift_aggs(p, q, &x->args[i])) {
      return false;
    }
  }
  return true;
}

/* Every variable `e` reads is in `allowed`. */
static bool only_reads(const kg__expr *e, const kg__vars *allowed, int *bad)
{
  if (!e) {
    return true;
  }
  if (e->op == KG__X_VAR && !kg__vars_has(allowed, e->var)) {
    *bad = e->var;
    return false;
  }
  for (size_t i = 0; i < e->nargs; i++) {
    if (!only_reads(e->args[i], allowed, bad)) {
      return false;
    }
  }
  return true;
}

/* Names projected by a SELECT clause, found before it is parsed so that a
 * subquery's projected variables are the enclosing query's. */
static bool
prescan_projection(P *p, scope *inner, scope *outer_scope, bool *star)
{
  size_t i = p->i + 1;
  *star = false;
  int depth = 0;
  for (; i < p->tk.n; i++) {
    const kg__tok *t = &p->tk.v[i];
    if (t->kind == KG__T_EOF) {
      break;
    }
    if (depth == 0 &&
        (is_word(p, t, "WHERE") || is_punct(t, "{") || is_word(p, t, "FROM"))) {
      break;
    }
    if (is_punct(t, "(")) {
      depth++;
    } else if (is_punct(t, ")")) {
      depth--;
    } else if (depth == 0 && is_punct(t, "*")) {
      *star = true;
    }
    bool named = t->kind == KG__T_VAR &&
                 (depth == 0 || (i > 0 && is_word(p, &p->tk.v[i - 1], "AS")));
    if (!named) {
      continue;
    }
    char *name = tok_dup(p, t, 1);
    if (!name) {
      nomem(p);
      return false;
    }
    if (scope_find(inner, name) < 0) {
      scope *saved = p->sc;
      p->sc = outer_scope;
      int slot = var_slot(p, name);
      p->sc = saved;
      if (slot < 0 || scope_bind(p, inner, name, slot) < 0) {
        free(name);
        return false;
      }
    }
    free(name);
  }
  return true;
}

static bool push_order(P *p, kg__query *q, kg__expr *e, bool desc)
{
  if (!e) {
    return false;
  }
  kg__order *o = realloc(q->order, (q->norder + 1) * sizeof *o);
  if (!o) {
    kg__expr_free(e);
    nomem(p);
    return false;
  }
  q->order = o;
  q->order[q->norder].expr = e;
  q->order[q->norder].desc = desc;
  q->norder++;
  return true;
}

static bool push_key(P *p, kg__query *q, kg__expr *e, int slot)
{
  if (!e || slot < 0) {
    kg__expr_free(e);
    return false;
  }
  kg__expr **k = realloc(q->keys, (q->nkeys + 1) * sizeof *k);
  int *s = k ? realloc(q->key_slots, (q->nkeys + 1) * sizeof *s) : NULL;
  if (k) {
    q->keys = k;
  }
  if (!s) {
    kg__expr_free(e);
    nomem(p);
    return false;
  }
  q->key_slots = s;
  q->keys[q->nkeys] = e;
  q->key_slots[q->nkeys] = slot;
  q->nkeys++;
  return true;
}

static bool parse_integer(P *p, int64_t *out)
{
  const kg__tok *t = peek(p);
  if (t->kind != KG__T_INTEGER || p->src[t->start] == '+' ||
      p->src[t->start] == '-') {
    unexpected(p);
    return false;
  }
  advance(p);
  int64_t v = 0;
  for (size_t i = t->start; i < t->end; i++) {
    if (v > (INT64_MAX - 9) / 10) {
      v = INT64_MAX;
      break;
    }
    v = v * 10 + (p->src[i] - '0');
  }
  *out = v;
  return true;
}

static bool parse_modifiers(P *p, kg__query *q)
{
  bool ok = true;
  if (at_word(p, "GROUP")) {
    advance(p);
    ok = expect_word(p, "BY");
    q->grouped = true;
    bool any = false;
    while (ok) {
      const kg__tok *t = peek(p);
      if (t->kind == KG__T_VAR) {
        advance(p);
        char *name = tok_dup(p, t, 1);
        int v = name ? var_slot(p, name) : -1;
        free(name);
        ok = v >= 0 && push_key(p, q, ex_var(p, v), v);
      } else if (is_punct(t, "(")) {
        advance(p);
        kg__expr *e = parse_expr(p);
        int slot = -1;
        if (e && accept_word(p, "AS")) {
          if (peek(p)->kind != KG__T_VAR) {
            unexpected(p);
          } else {
            char *name = tok_dup(p, advance(p), 1);
            slot = name ? var_slot(p, name) : -1;
            free(name);
          }
        } else if (e) {
          slot = new_slot(p, NULL);
        }
        ok = e && !p->failed && expect_punct(p, ")") && push_key(p, q, e, slot);
        if (!ok && p->failed) {
          kg__expr_free(e);
          e = NULL;
        }
      } else if (t->kind == KG__T_WORD || at_iri(p)) {
        if (t->kind == KG__T_WORD &&
            (is_word(p, t, "HAVING") || is_word(p, t, "ORDER") ||
             is_word(p, t, "LIMIT") || is_word(p, t, "OFFSET") ||
             is_word(p, t, "VALUES"))) {
          break;
        }
        kg__expr *e = parse_constraint(p);
        int slot = e ? new_slot(p, NULL) : -1;
        ok = push_key(p, q, e, slot);
      } else {
        break;
      }
      any = true;
    }
    if (ok && !any) {
      unexpected(p);
      ok = false;
    }
  }
  if (ok && accept_word(p, "HAVING")) {
    bool saved = p->agg_ok;
    p->agg_ok = true;
    bool any = false;
    while (ok && (at_punct(p, "(") || at_iri(p) ||
                  (peek(p)->kind == KG__T_WORD && !at_word(p, "ORDER") &&
                   !at_word(p, "LIMIT") && !at_word(p, "OFFSET") &&
                   !at_word(p, "VALUES")))) {
      kg__expr *e = parse_constraint(p);
      kg__expr **h =
          e ? realloc(q->having, (q->nhaving + 1) * sizeof *h) : NULL;
      if (!h) {
        if (e) {
          nomem(p);
        }
        kg__expr_free(e);
        ok = false;
        break;
      }
      q->having = h;
      q->having[q->nhaving++] = e;
      any = true;
    }
    if (ok && !any) {
      unexpected(p);
      ok = false;
    }
    p->agg_ok = saved;
  }
  if (ok && at_word(p, "ORDER")) {
    advance(p);
    ok = expect_word(p, "BY");
    bool saved = p->agg_ok;
    p->agg_ok = true;
    bool any = false;
    while (ok) {
      const kg__tok *t = peek(p);
      if (is_word(p, t, "ASC") || is_word(p, t, "DESC")) {
        bool desc = is_word(p, t, "DESC");
        advance(p);
        if (!at_punct(p, "(")) {
          unexpected(p);
          ok = false;
          break;
        }
        ok = push_order(p, q, parse_primary(p), desc);
      } else if (t->kind == KG__T_VAR) {
        ok = push_order(p, q, parse_primary(p), false);
      } else if (is_punct(t, "(") || at_iri(p) ||
                 (t->kind == KG__T_WORD && !is_word(p, t, "LIMIT") &&
                  !is_word(p, t, "OFFSET") && !is_word(p, t, "VALUES"))) {
        ok = push_order(p, q, parse_constraint(p), false);
      } else {
        break;
      }
      any = true;
    }
    if (ok && !any) {
      unexpected(p);
      ok = false;
    }
    p->agg_ok = saved;
  }
  bool limit = false;
  bool offset = false;
  while (ok) {
    if (!limit && accept_word(p, "LIMIT")) {
      ok = parse_integer(p, &q->limit);
      limit = true;
    } else if (!offset && accept_word(p, "OFFSET")) {
      ok = parse_integer(p, &q->offset);
      offset = true;
    } else {
      break;
    }
  }
  return ok && !p->failed;
}

static bool add_proj(P *p, kg__query *q, int slot, kg__expr *e)
{
  kg__proj *v = realloc(q->proj, (q->nproj + 1) * sizeof *v);
  if (!v) {
    kg__expr_free(e);
    nomem(p);
    return false;
  }
  q->proj = v;
  v[q->nproj].slot = slot;
  v[q->nproj].expr = e;
  v[q->nproj].name = kg__strdup(p->names[slot] ? p->names[slot] : "");
  if (!v[q->nproj].name) {
    kg__expr_free(e);
    nomem(p);
    return false;
  }
  q->nproj++;
  return true;
}

/* The SELECT clause after the keyword: modifiers, projection. `star` set
 * for SELECT *. */
static bool parse_projection(P *p, kg__query *q, bool *star)
{
  if (accept_word(p, "DISTINCT")) {
    q->distinct = 1;
  } else if (accept_word(p, "REDUCED")) {
    q->distinct = 2;
  }
  *star = false;
  if (accept_punct(p, "*")) {
    *star = true;
    return true;
  }
  bool any = false;
  bool saved = p->agg_ok;
  p->agg_ok = true;
  bool ok = true;
  while (ok) {
    const kg__tok *t = peek(p);
    if (t->kind == KG__T_VAR) {
      advance(p);
      char *name = tok_dup(p, t, 1);
      int v = name ? var_slot(p, name) : -1;
      free(name);
      ok = v >= 0 && add_proj(p, q, v, NULL);
    } else if (is_punct(t, "(")) {
      advance(p);
      kg__expr *e = parse_expr(p);
      ok = e && expect_word(p, "AS");
      if (ok && peek(p)->kind != KG__T_VAR) {
        unexpected(p);
        ok = false;
      }
      if (!ok) {
        kg__expr_free(e);
        break;
      }
      const kg__tok *vt = advance(p);
      char *name = tok_dup(p, vt, 1);
      int v = name ? var_slot(p, name) : -1;
      free(name);
      for (size_t i = 0; ok && v >= 0 && i < q->nproj; i++) {
        if (q->proj[i].slot == v) {
          fail_at(p, vt, KG_ERR_PARSE, "?%s is projected twice", p->names[v]);
          ok = false;
        }
      }
      if (!ok || v < 0 || !expect_punct(p, ")")) {
        kg__expr_free(e);
        ok = false;
        break;
      }
      ok = add_proj(p, q, v, e);
    } else {
      break;
    }
    any = true;
  }
  p->agg_ok = saved;
  if (ok && !any) {
    unexpected(p);
    ok = false;
  }
  return ok && !p->failed;
}

static bool parse_dataset(P *p, kg__query *q)
{
  while (accept_word(p, "FROM")) {
    bool named = accept_word(p, "NAMED");
    kg_term iri;
    if (!parse_iri(p, &iri)) {
      return false;
    }
    kg_term **v = named ? &q->from_named : &q->from;
    size_t *n = named ? &q->nfrom_named : &q->nfrom;
    kg_term *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) {
      kg__term_clear(&iri);
      nomem(p);
      return false;
    }
    nv[(*n)++] = iri;
    *v = nv;
    q->has_dataset = true;
  }
  return true;
}

/* After the WHERE clause and modifiers: aggregates, grouping checks,
 * SELECT *, scope of SELECT expressions. */
static bool finish_select(P *p, kg__query *q, bool star, const kg__tok *at)
{
  if (kg__op_analyse(q->where) != KG_OK) {
    nomem(p);
    return false;
  }
  if (p->agg_seen || q->nkeys) {
    q->grouped = true;
  }
  if (star) {
    if (q->grouped) {
      fail_at(p, at, KG_ERR_PARSE, "SELECT * with GROUP BY or aggregates");
      return false;
    }
    for (size_t s = 0; s < p->nslots; s++) {
      if (p->names[s] && strncmp(p->names[s], "_:", 2) != 0 &&
          kg__vars_has(&q->where->maybe, (int)s) &&
          !add_proj(p, q, (int)s, NULL)) {
        return false;
      }
    }
  }
  /* (expr AS ?v): ?v must be new */
  for (size_t i = 0; i < q->nproj; i++) {
    if (q->proj[i].expr && kg__vars_has(&q->where->maybe, q->proj[i].slot)) {
      fail_at(p, at, KG_ERR_PARSE, "?%s is already bound in the pattern",
              q->proj[i].name);
      return false;
    }
  }
  for (size_t i = 0; i < q->nproj; i++) {
    if (!lift_aggs(p, q, &q->proj[i].expr)) {
      return false;
    }
  }
  for (size_t i = 0; i < q->nhaving; i++) {
    if (!lift_aggs(p, q, &q->having[i])) {
      return false;
    }
  }
  for (size_t i = 0; i < q->norder; i++) {
    if (!lift_aggs(p, q, &q->order[i].expr)) {
      return false;
    }
  }
  if (!q->grouped) {
    return true;
  }
  kg__vars allowed = {0};
  bool ok = true;
  for (size_t i = 0; ok && i < q->nkeys; i++) {
    ok = kg__vars_add(&allowed, q->key_slots[i]) == KG_OK;
  }
  for (size_t i = 0; ok && i < q->naggs; i++) {
    ok = kg__vars_add(&allowed, q->aggs[i].slot) == KG_OK;
  }
  if (!ok) {
    kg__vars_free(&allowed);
    nomem(p);
    return false;
  }
  for (size_t i = 0; ok && i < q->nproj; i++) {
    int bad = -1;
    if (!q->proj[i].expr) {
      if (!kg__vars_has(&allowed, q->proj[i].slot)) {
        bad = q->proj[i].slot;
      }
    } else {
      only_reads(q->proj[i].expr, &allowed, &bad);
    }
    if (bad >= 0) {
      fail_at(p, at, KG_ERR_PARSE, "?%s is neither grouped nor aggregated",
              p->names[bad] ? p->names[bad] : "_");
      ok = false;
    } else {
      ok = kg__vars_add(&allowed, q->proj[i].slot) == KG_OK;
    }
  }
  kg__vars_free(&allowed);
  return ok;
}

static kg__query *query_new(P *p, kg_query_kind kind)
{
  kg__query *q = calloc(1, sizeof *q);
  if (!q) {
    nomem(p);
    return NULL;
  }
  q->kind = kind;
  q->limit = -1;
  return q;
}

/* A WHERE clause: the keyword is optional. */
static kg__op *parse_where(P *p)
{
  accept_word(p, "WHERE");
  return parse_group(p, p->graph);
}

/* SubSelect, after '{' at the SELECT keyword. */
static kg__op *parse_subselect(P *p)
{
  const kg__tok *at = peek(p);
  advance(p); /* SELECT */
  scope inner;
  memset(&inner, 0, sizeof inner);
  inner.outer = p->sc;
  bool star = false;
  kg__query *q = query_new(p, KG_QUERY_SELECT);
  if (!q) {
    return NULL;
  }
  bool saved_seen = p->agg_seen;
  p->agg_seen = false;
  p->i--; /* prescan starts after SELECT */
  bool ok = prescan_projection(p, &inner, p->sc, &star);
  p->i++;
  inner.inherit = star;
  scope *saved = p->sc;
  p->sc = &inner;
  ok = ok && parse_projection(p, q, &star);
  if (ok) {
    q->where = parse_where(p);
    ok = q->where != NULL;
  }
  ok = ok && parse_modifiers(p, q);
  if (ok && accept_word(p, "VALUES")) {
    q->where = op_join(p, q->where, parse_values(p));
    ok = q->where != NULL;
  }
  ok = ok && finish_select(p, q, star, at);
  p->sc = saved;
  p->agg_seen = saved_seen;
  scope_free(&inner);
  if (!ok) {
    kg__query_free(q);
    return NULL;
  }
  kg__op *op = op_new(p, KG__OP_QUERY);
  if (!op) {
    kg__query_free(q);
    return NULL;
  }
  op->sub = q;
  op_depth(p, op);
  return op;
}

/* ---- templates ---- */

/* Triples of a template (CONSTRUCT, INSERT, DELETE, DATA) in graph `g`. */
static bool parse_template_triples(P *p, block *b)
{
  while (at_triples_start(p)) {
    if (!parse_triples_same_subject(p, b)) {
      return false;
    }
    if (!accept_punct(p, ".")) {
      if (at_triples_start(p)) {
        unexpected(p);
        return false;
      }
      break;
    }
  }
  return !p->failed;
}

/* '{' Quads '}' of update templates and data. */
static bool parse_quads(P *p, block *out)
{
  if (!expect_punct(p, "{")) {
    return false;
  }
  kg__graph def;
  memset(&def, 0, sizeof def);
  def.mode = KG__G_DEFAULT;
  def.g = pt_none();
  out->g = &def;
  bool ok = parse_template_triples(p, out);
  while (ok && accept_word(p, "GRAPH")) {
    kg__graph g;
    g.mode = KG__G_NAMED;
    ok = parse_var_or_term(p, &g.g, true);
    if (!ok) {
      break;
    }
    out->g = &g;
    ok = expect_punct(p, "{") && parse_template_triples(p, out) &&
         expect_punct(p, "}");
    pt_clear(&g.g);
    out->g = &def;
    if (ok) {
      accept_punct(p, ".");
      ok = parse_template_triples(p, out);
    }
  }
  out->g = NULL;
  return ok && expect_punct(p, "}");
}

/* ---- the prologue ---- */

static bool parse_prologue(P *p)
{
  for (;;) {
    if (accept_word(p, "BASE")) {
      const kg__tok *t = peek(p);
      if (t->kind != KG__T_IRI) {
        unexpected(p);
        return false;
      }
      advance(p);
      char *r = kg__iri_resolve(p->base, p->src + t->start + 1,
                                t->end - t->start - 2);
      if (!r) {
        nomem(p);
        return false;
      }
      free(p->base);
      p->base = r;
    } else if (accept_word(p, "PREFIX")) {
      const kg__tok *t = peek(p);
      if (t->kind != KG__T_PNAME || p->src[t->end - 1] != ':' ||
          memchr(p->src + t->start, ':', t->end - t->start - 1)) {
        unexpected(p);
        return false;
      }
      advance(p);
      char *prefix = kg__strndup(p->src + t->start, t->end - t->start - 1);
      kg_term iri;
      if (!prefix) {
        nomem(p);
        return false;
      }
      if (peek(p)->kind != KG__T_IRI || !parse_iri(p, &iri)) {
        if (!p->failed) {
          unexpected(p);
        }
        free(prefix);
        return false;
      }
      kg_status st = kg__prefixes_set(&p->pfx, prefix, iri.value);
      free(prefix);
      kg__term_clear(&iri);
      if (st != KG_OK) {
        nomem(p);
        return false;
      }
    } else {
      return true;
    }
  }
}

/* ---- queries ---- */

static bool take_slots(P *p, kg__query *q)
{
  q->nslots = p->nslots;
  q->slot_names = p->names;
  p->names = NULL;
  p->nslots = p->cap = 0;
  return true;
}

static kg__query *parse_query_body(P *p)
{
  const kg__tok *at = peek(p);
  kg__query *q = NULL;
  bool ok = true;
  bool star = false;
  if (accept_word(p, "SELECT")) {
    q = query_new(p, KG_QUERY_SELECT);
    ok = q && parse_projection(p, q, &star) && parse_dataset(p, q);
    if (ok) {
      q->where = parse_where(p);
      ok = q->where != NULL;
    }
  } else if (accept_word(p, "CONSTRUCT")) {
    q = query_new(p, KG_QUERY_CONSTRUCT);
    ok = q != NULL;
    block b;
    memset(&b, 0, sizeof b);
    kg__graph def;
    memset(&def, 0, sizeof def);
    def.g = pt_none();
    b.g = &def;
    if (ok && at_punct(p, "{")) {
      advance(p);
      p->in_template = true;
      ok = parse_template_triples(p, &b) && expect_punct(p, "}");
      p->in_template = false;
      ok = ok && parse_dataset(p, q);
      if (ok) {
        q->where = parse_where(p);
        ok = q->where != NULL;
      }
    } else if (ok) {
      ok = parse_dataset(p, q) && expect_word(p, "WHERE") &&
           expect_punct(p, "{");
      size_t start = p->i;
      if (ok) {
        p->in_template = true;
        ok = parse_template_triples(p, &b) && expect_punct(p, "}");
        p->in_template = false;
      }
      if (ok) {
        /* the same triples again, as the pattern */
        p->i = start;
        kg__op *w = parse_triples_block(p, p->graph);
        if (!w && !p->failed && at_punct(p, "}")) {
          w = op_new(p, KG__OP_UNIT);
        }
        if (!at_punct(p, "}") && w) {
          unexpected(p);
          kg__op_free(w);
          w = NULL;
        }
        ok = w != NULL && expect_punct(p, "}");
        q->where = w;
      }
    }
    if (q) {
      q->tmpl = b.pats;
      q->ntmpl = b.n;
      b.pats = NULL;
      b.n = 0;
    }
    block_free(&b);
  } else if (accept_word(p, "DESCRIBE")) {
    q = query_new(p, KG_QUERY_DESCRIBE);
    ok = q != NULL;
    if (ok && accept_punct(p, "*")) {
      star = true;
    } else {
      bool any = false;
      while (ok && (peek(p)->kind == KG__T_VAR || at_iri(p))) {
        kg__pterm t;
        ok = parse_var_or_term(p, &t, true);
        kg__pterm *v =
            ok ? realloc(q->describe, (q->ndescribe + 1) * sizeof *v) : NULL;
        if (ok && !v) {
          pt_clear(&t);
          nomem(p);
          ok = false;
        }
        if (ok) {
          q->describe = v;
          q->describe[q->ndescribe++] = t;
          any = true;
        }
      }
      if (ok && !any) {
        unexpected(p);
        ok = false;
      }
    }
    ok = ok && parse_dataset(p, q);
    if (ok && (at_word(p, "WHERE") || at_punct(p, "{"))) {
      q->where = parse_where(p);
      ok = q->where != NULL;
    } else if (ok) {
      q->where = op_new(p, KG__OP_UNIT);
      ok = q->where != NULL;
    }
  } else if (accept_word(p, "ASK")) {
    q = query_new(p, KG_QUERY_ASK);
    ok = q && parse_dataset(p, q);
    if (ok) {
      q->where = parse_where(p);
      ok = q->where != NULL;
    }
  } else {
    unexpected(p);
    return NULL;
  }
  ok = ok && parse_modifiers(p, q);
  if (ok && accept_word(p, "VALUES")) {
    q->where = op_join(p, q->where, parse_values(p));
    ok = q->where != NULL;
  }
  if (ok && peek(p)->kind != KG__T_EOF) {
    unexpected(p);
    ok = false;
  }
  if (ok && q->kind == KG_QUERY_SELECT) {
    ok = finish_select(p, q, star, at);
  } else if (ok) {
    if (p->agg_seen || q->nkeys) {
      q->grouped = true;
    }
    ok = kg__op_analyse(q->where) == KG_OK;
    if (!ok) {
      nomem(p);
    }
    for (size_t i = 0; ok && i < q->nhaving; i++) {
      ok = lift_aggs(p, q, &q->having[i]);
    }
    for (size_t i = 0; ok && i < q->norder; i++) {
      ok = lift_aggs(p, q, &q->order[i].expr);
    }
    if (ok && star) {
      /* DESCRIBE *: every variable in scope */
      for (size_t s = 0; ok && s < p->nslots; s++) {
        if (!p->names[s] || strncmp(p->names[s], "_:", 2) == 0 ||
            !kg__vars_has(&q->where->maybe, (int)s)) {
          continue;
        }
        kg__pterm *v = realloc(q->describe, (q->ndescribe + 1) * sizeof *v);
        if (!v) {
          nomem(p);
          ok = false;
          break;
        }
        q->describe = v;
        q->describe[q->ndescribe++] = pt_var((int)s);
      }
    }
  }
  if (!ok || p->failed) {
    kg__query_free(q);
    return NULL;
  }
  take_slots(p, q);
  return q;
}

static void p_free(P *p)
{
  kg__tokens_free(&p->tk);
  free(p->base);
  kg__prefixes_free(&p->pfx);
  for (size_t i = 0; i < p->nslots; i++) {
    free(p->names[i]);
  }
  free(p->names);
  for (size_t i = 0; i < p->nlabels; i++) {
    free(p->labels[i].name);
  }
  free(p->labels);
  for (size_t i = 0; i < p->ntlabels; i++) {
    free(p->tlabels[i].name);
  }
  free(p->tlabels);
}

static kg_status
p_init(P *p, const char *text, size_t len, const char *base, kg__err *err)
{
  memset(p, 0, sizeof *p);
  p->src = text;
  p->len = len;
  p->err = err;
  if (base) {
    p->base = kg__strdup(base);
    if (!p->base) {
      kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
      return KG_ERR_NOMEM;
    }
  }
  kg_status st = kg__lex(text, len, &p->tk, err);
  if (st != KG_OK) {
    free(p->base);
    p->base = NULL;
  }
  return st;
}

static kg_status p_status(const P *p)
{
  return p->err->status != KG_OK ? p->err->status : KG_ERR_PARSE;
}

kg_status kg__parse_query(const char *text,
                          size_t len,
                          const char *base,
                          kg__query **out,
                          kg__err *err)
{
  *out = NULL;
  P p;
  kg_status st = p_init(&p, text, len, base, err);
  if (st != KG_OK) {
    return st;
  }
  scope root;
  memset(&root, 0, sizeof root);
  p.sc = &root;
  kg__graph def;
  memset(&def, 0, sizeof def);
  def.g = pt_none();
  p.graph = &def;
  kg__query *q = NULL;
  if (parse_prologue(&p)) {
    q = parse_query_body(&p);
  }
  if (q && p.base) {
    q->base = kg__strdup(p.base);
    if (!q->base) {
      kg__query_free(q);
      q = NULL;
      nomem(&p);
    }
  }
  if (q && p.denied) {
    kg__query_free(q);
    q = NULL;
    kg__err_set(err, KG_ERR_DENIED, 0, 0,
                "SERVICE is refused: kgraph never reaches the network");
    p.failed = true;
  }
  scope_free(&root);
  st = q ? KG_OK : p_status(&p);
  p_free(&p);
  *out = q;
  return st;
}

/* ---- updates ---- */

static void uop_clear(kg__uop *u)
{
  kg__term_clear(&u->graph);
  kg__term_clear(&u->dst);
  kg__term_clear(&u->doc);
  kg__term_clear(&u->with);
  for (size_t i = 0; i < u->ndel; i++) {
    for (int k = 0; k < 3; k++) {
      kg__term_clear(&u->del[i].t[k].term);
    }
    kg__term_clear(&u->del[i].graph.g.term);
  }
  free(u->del);
  for (size_t i = 0; i < u->nins; i++) {
    for (int k = 0; k < 3; k++) {
      kg__term_clear(&u->ins[i].t[k].term);
    }
    kg__term_clear(&u->ins[i].graph.g.term);
  }
  free(u->ins);
  kg__query_free(u->where);
  memset(u, 0, sizeof *u);
}

void kg__update_free(kg__update *u)
{
  if (!u) {
    return;
  }
  for (size_t i = 0; i < u->n; i++) {
    uop_clear(&u->ops[i]);
  }
  free(u->ops);
  free(u);
}

/* GRAPH iri (GraphRef), or with `all`: DEFAULT, NAMED, ALL too. */
static bool parse_graph_ref(P *p, kg__uop *u, bool all)
{
  if (all && accept_word(p, "DEFAULT")) {
    u->target = KG__GREF_DEFAULT;
    return true;
  }
  if (all && accept_word(p, "NAMED")) {
    u->target = KG__GREF_NAMED;
    return true;
  }
  if (all && accept_word(p, "ALL")) {
    u->target = KG__GREF_ALL;
    return true;
  }
  u->target = KG__GREF_GRAPH;
  return expect_word(p, "GRAPH") && parse_iri(p, &u->graph);
}

/* GraphOrDefault: DEFAULT | GRAPH? iri */
static bool parse_graph_or_default(P *p, kg__gref *ref, kg_term *iri)
{
  if (accept_word(p, "DEFAULT")) {
    *ref = KG__GREF_DEFAULT;
    return true;
  }
  accept_word(p, "GRAPH");
  *ref = KG__GREF_GRAPH;
  return parse_iri(p, iri);
}

static bool take_block(kg__quadpat **dst, size_t *n, block *b)
{
  *dst = b->pats;
  *n = b->n;
  b->pats = NULL;
  b->n = 0;
  return true;
}

/* A query over the update's slots for a WHERE pattern: its solutions
 * instantiate templates, as CONSTRUCT's do (no projection). */
static kg__query *where_query(P *p, kg__op *where)
{
  kg__query *q = query_new(p, KG_QUERY_CONSTRUCT);
  if (!q) {
    kg__op_free(where);
    return NULL;
  }
  q->where = where;
  if (kg__op_analyse(where) != KG_OK) {
    nomem(p);
    kg__query_free(q);
    return NULL;
  }
  return q;
}

static bool parse_update1(P *p, kg__uop *u)
{
  bool ok = true;
  if (accept_word(p, "LOAD")) {
    u->kind = KG__U_LOAD;
    u->silent = accept_word(p, "SILENT");
    ok = parse_iri(p, &u->doc);
    u->target = KG__GREF_DEFAULT;
    if (ok && accept_word(p, "INTO")) {
      ok = parse_graph_ref(p, u, false);
    }
    return ok;
  }
  if (at_word(p, "CLEAR") || at_word(p, "DROP")) {
    u->kind = at_word(p, "CLEAR") ? KG__U_CLEAR : KG__U_DROP;
    advance(p);
    u->silent = accept_word(p, "SILENT");
    return parse_graph_ref(p, u, true);
  }
  if (accept_word(p, "CREATE")) {
    u->kind = KG__U_CREATE;
    u->silent = accept_word(p, "SILENT");
    return parse_graph_ref(p, u, false);
  }
  if (at_word(p, "ADD") || at_word(p, "MOVE") || at_word(p, "COPY")) {
    u->kind = at_word(p, "ADD")    ? KG__U_ADD
              : at_word(p, "MOVE") ? KG__U_MOVE
                                   : KG__U_COPY;
    advance(p);
    u->silent = accept_word(p, "SILENT");
    return parse_graph_or_default(p, &u->target, &u->graph) &&
           expect_word(p, "TO") &&
           parse_graph_or_default(p, &u->dst_ref, &u->dst);
  }
  block b;
  memset(&b, 0, sizeof b);
  if (at_word(p, "INSERT") && is_word(p, peek2(p), "DATA")) {
    advance(p);
    advance(p);
    u->kind = KG__U_INSERT_DATA;
    p->data_mode = true;
    ok = parse_quads(p, &b);
    p->data_mode = false;
    take_block(&u->ins, &u->nins, &b);
    block_free(&b);
    return ok;
  }
  if (at_word(p, "DELETE") && is_word(p, peek2(p), "DATA")) {
    advance(p);
    advance(p);
    u->kind = KG__U_DELETE_DATA;
    p->data_mode = true;
    p->no_bnodes = true;
    ok = parse_quads(p, &b);
    p->data_mode = false;
    p->no_bnodes = false;
    take_block(&u->del, &u->ndel, &b);
    block_free(&b);
    return ok;
  }
  if (at_word(p, "DELETE") && is_word(p, peek2(p), "WHERE")) {
    advance(p);
    advance(p);
    u->kind = KG__U_DELETE_WHERE;
    p->in_template = true;
    p->no_bnodes = true;
    ok = parse_quads(p, &b);
    p->in_template = false;
    p->no_bnodes = false;
    if (ok) {
      /* the quads are the pattern too */
      kg__op *w = op_new(p, KG__OP_BGP);
      if (w) {
        w->pats = calloc(b.n ? b.n : 1, sizeof *w->pats);
        if (!w->pats) {
          nomem(p);
          kg__op_free(w);
          w = NULL;
        }
      }
      for (size_t i = 0; w && i < b.n; i++) {
        kg__quadpat *q = &w->pats[w->npats];
        memset(q, 0, sizeof *q);
        q->t[0].var = q->t[1].var = q->t[2].var = q->graph.g.var = -1;
        w->npats++;
        bool c = copy_pt(p, &q->t[0], &b.pats[i].t[0]) &&
                 copy_pt(p, &q->t[1], &b.pats[i].t[1]) &&
                 copy_pt(p, &q->t[2], &b.pats[i].t[2]) &&
                 copy_graph(p, &q->graph, &b.pats[i].graph);
        if (!c) {
          kg__op_free(w);
          w = NULL;
        }
      }
      u->where = w ? where_query(p, w) : NULL;
      ok = u->where != NULL;
    }
    take_block(&u->del, &u->ndel, &b);
    block_free(&b);
    return ok;
  }
  /* Modify */
  u->kind = KG__U_MODIFY;
  if (accept_word(p, "WITH")) {
    ok = parse_iri(p, &u->with);
  }
  bool any = false;
  if (ok && accept_word(p, "DELETE")) {
    p->in_template = true;
    p->no_bnodes = true;
    ok = parse_quads(p, &b);
    p->in_template = false;
    p->no_bnodes = false;
    take_block(&u->del, &u->ndel, &b);
    block_free(&b);
    any = true;
  }
  if (ok && accept_word(p, "INSERT")) {
    p->in_template = true;
    ok = parse_quads(p, &b);
    p->in_template = false;
    take_block(&u->ins, &u->nins, &b);
    block_free(&b);
    any = true;
  }
  if (ok && !any) {
    unexpected(p);
    return false;
  }
  kg__query *q = ok ? query_new(p, KG_QUERY_CONSTRUCT) : NULL;
  ok = q != NULL;
  while (ok && accept_word(p, "USING")) {
    bool named = accept_word(p, "NAMED");
    kg_term iri;
    if (!parse_iri(p, &iri)) {
      ok = false;
      break;
    }
    kg_term **v = named ? &q->from_named : &q->from;
    size_t *n = named ? &q->nfrom_named : &q->nfrom;
    kg_term *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) {
      kg__term_clear(&iri);
      nomem(p);
      ok = false;
      break;
    }
    nv[(*n)++] = iri;
    *v = nv;
    q->has_dataset = true;
  }
  if (ok && !q->has_dataset && u->with.kind) {
    q->from = calloc(1, sizeof *q->from);
    ok = q->from && kg__term_copy(&q->from[0], &u->with) == KG_OK;
    if (!ok) {
      nomem(p);
    } else {
      q->nfrom = 1;
      q->has_dataset = true;
      q->named_all = true;
    }
  }
  ok = ok && expect_word(p, "WHERE");
  if (ok) {
    q->where = parse_group(p, p->graph);
    ok = q->where != NULL;
    if (ok && kg__op_analyse(q->where) != KG_OK) {
      nomem(p);
      ok = false;
    }
  }
  if (!ok) {
    kg__query_free(q);
    return false;
  }
  u->where = q;
  return true;
}

kg_status kg__parse_update(const char *text,
                           size_t len,
                           const char *base,
                           kg__update **out,
                           kg__err *err)
{
  *out = NULL;
  P p;
  kg_status st = p_init(&p, text, len, base, err);
  if (st != KG_OK) {
    return st;
  }
  kg__update *u = calloc(1, sizeof *u);
  kg__graph def;
  memset(&def, 0, sizeof def);
  def.g = pt_none();
  p.graph = &def;
  if (!u) {
    nomem(&p);
  }
  while (u && !p.failed) {
    if (!parse_prologue(&p)) {
      break;
    }
    if (peek(&p)->kind == KG__T_EOF) {
      break;
    }
    kg__uop *ops = realloc(u->ops, (u->n + 1) * sizeof *ops);
    if (!ops) {
      nomem(&p);
      break;
    }
    u->ops = ops;
    kg__uop *op = &u->ops[u->n];
    memset(op, 0, sizeof *op);
    u->n++;
    /* each operation has its own variables */
    scope sc;
    memset(&sc, 0, sizeof sc);
    p.sc = &sc;
    p.op_index = (int)u->n;
    bool ok = parse_update1(&p, op);
    if (ok && op->where) {
      take_slots(&p, op->where);
    }
    for (size_t i = 0; i < p.nslots; i++) {
      free(p.names[i]);
    }
    p.nslots = 0;
    scope_free(&sc);
    p.sc = NULL;
    if (!ok) {
      break;
    }
    if (!accept_punct(&p, ";")) {
      if (peek(&p)->kind != KG__T_EOF) {
        unexpected(&p);
      }
      break;
    }
  }
  if (!p.failed && p.denied) {
    kg__err_set(err, KG_ERR_DENIED, 0, 0,
                "SERVICE is refused: kgraph never reaches the network");
    p.failed = true;
  }
  st = p.failed ? p_status(&p) : KG_OK;
  p_free(&p);
  if (st != KG_OK) {
    kg__update_free(u);
    return st;
  }
  *out = u;
  return KG_OK;
}
