/* SPARQL 1.1 Update executed by kgraph: one request is one write
 * transaction of the store, so it changes all or nothing. */
#include "../db.h"
#include "../io/io.h"
#include "eval.h"
#include "parser.h"
#include "rows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct upd {
  kg_db *db;
  kg__store *s;
  const kg_update_options *opts;
  const char *base;
  uint64_t deadline_ms;
  uint64_t changed;
  kg__id *created; /* graphs made by CREATE in this request (still empty) */
  size_t ncreated;
  kg__err *err;
} upd;

static kg_status fail(upd *u, kg_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static kg_status fail(upd *u, kg_status st, const char *fmt, ...)
{
  if (u->err->status == KG_OK) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kg__err_set(u->err, st, 0, 0, "%s", msg);
  }
  return st;
}

static kg_status store_fail(upd *u, kg_status st)
{
  const char *m = u->s->err.msg;
  return fail(u, st, "%s", m && m[0] ? m : kg_strstatus(st));
}

static kg_status check_time(upd *u)
{
  if (u->deadline_ms && kg__now_ms() > u->deadline_ms) {
    return fail(u, KG_ERR_LIMIT, "update timed out after %llu ms",
                (unsigned long long)u->db->limits.timeout_ms);
  }
  if (atomic_load(&u->db->interrupt)) {
    return fail(u, KG_ERR_LIMIT, "update interrupted");
  }
  return KG_OK;
}

/* ---- quads ---- */

typedef struct quadset {
  kg__id *q; /* 4 per quad */
  size_t n;
  size_t cap;
} quadset;

static kg_status qs_push(quadset *s, const kg__id q[4])
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    kg__id *v = realloc(s->q, cap * 4 * sizeof *v);
    if (!v) {
      return KG_ERR_NOMEM;
    }
    s->q = v;
    s->cap = cap;
  }
  memcpy(s->q + 4 * s->n, q, 4 * sizeof *q);
  s->n++;
  return KG_OK;
}

static kg_status apply(upd *u, const quadset *qs, bool add)
{
  for (size_t i = 0; i < qs->n; i++) {
    if ((i & 1023u) == 0) {
      kg_status st = check_time(u);
      if (st != KG_OK) {
        return st;
      }
    }
    bool changed = false;
    kg_status st = add ? u->s->ops->add(u->s, qs->q + 4 * i, &changed)
                       : u->s->ops->remove(u->s, qs->q + 4 * i, &changed);
    if (st != KG_OK) {
      return store_fail(u, st);
    }
    u->changed += changed;
  }
  return KG_OK;
}

/* The quads matching `pat`, collected before they are changed. */
static kg_status collect(upd *u, const kg__id pat[4], quadset *out)
{
  kg__cursor *c = NULL;
  kg_status st = u->s->ops->match(u->s, pat, NULL, &c);
  if (st != KG_OK) {
    return store_fail(u, st);
  }
  kg__id q[4];
  while ((st = u->s->ops->next(c, q)) == KG_ROW) {
    if ((st = qs_push(out, q)) != KG_OK) {
      break;
    }
  }
  u->s->ops->cursor_free(c);
  if (st == KG_ERR_NOMEM) {
    return fail(u, st, "out of memory");
  }
  return st == KG_DONE ? KG_OK : store_fail(u, st);
}

/* ---- graphs ---- */

static kg_status graph_id(upd *u, const kg_term *iri, bool make, kg__id *id)
{
  kg_status st = make ? u->s->ops->intern(u->s, iri, id)
                      : u->s->ops->lookup(u->s, iri, id);
  return st == KG_OK ? KG_OK : store_fail(u, st);
}

static bool graph_exists(upd *u, kg__id g)
{
  if (g == KG__NO_ID) {
    return false;
  }
  for (size_t i = 0; i < u->ncreated; i++) {
    if (u->created[i] == g) {
      return true;
    }
  }
  kg__id pat[4] = {0, 0, 0, g};
  uint64_t n = 0;
  bool exact = false;
  return u->s->ops->count(u->s, pat, &n, &exact) == KG_OK && n > 0;
}

static kg_status clear_pattern(upd *u, kg__id g)
{
  quadset qs = {0};
  kg__id pat[4] = {0, 0, 0, g};
  kg_status st = collect(u, pat, &qs);
  if (st == KG_OK) {
    st = apply(u, &qs, false);
  }
  free(qs.q);
  return st;
}

static void forget_created(upd *u, kg__id g)
{
  for (size_t i = 0; i < u->ncreated; i++) {
    if (u->created[i] == g) {
      u->created[i] = u->created[--u->ncreated];
      return;
    }
  }
}

static kg_status op_clear(upd *u, const kg__uop *op)
{
  switch (op->target) {
  case KG__GREF_DEFAULT:
    return clear_pattern(u, KG__DEFAULT_GRAPH);
  case KG__GREF_NAMED:
    u->ncreated = 0;
    return clear_pattern(u, KG__NAMED_GRAPHS);
  case KG__GREF_ALL:
    u->ncreated = 0;
    return clear_pattern(u, 0);
  default: {
    kg__id g = KG__NO_ID;
    kg_status st = graph_id(u, &op->graph, false, &g);
    if (st != KG_OK) {
      return st;
    }
    if (!graph_exists(u, g)) {
      return fail(u, KG_ERR_QUERY, "%s: no graph <%s>",
                  op->kind == KG__U_DROP ? "DROP" : "CLEAR", op->graph.value);
    }
    if (op->kind == KG__U_DROP) {
      forget_created(u, g);
    }
    return clear_pattern(u, g);
  }
  }
}

static kg_status op_create(upd *u, const kg__uop *op)
{
  kg__id g = KG__NO_ID;
  kg_status st = graph_id(u, &op->graph, true, &g);
  if (st != KG_OK) {
    return st;
  }
  if (graph_exists(u, g)) {
    return fail(u, KG_ERR_QUERY, "CREATE: graph <%s> exists", op->graph.value);
  }
  kg__id *c = realloc(u->created, (u->ncreated + 1) * sizeof *c);
  if (!c) {
    return fail(u, KG_ERR_NOMEM, "out of memory");
  }
  u->created = c;
  u->created[u->ncreated++] = g;
  return KG_OK;
}

/* ADD, MOVE, COPY */
static kg_status op_transfer(upd *u, const kg__uop *op)
{
  kg__id src = KG__DEFAULT_GRAPH;
  kg__id dst = KG__DEFAULT_GRAPH;
  kg_status st = KG_OK;
  if (op->target == KG__GREF_GRAPH) {
    st = graph_id(u, &op->graph, false, &src);
    if (st == KG_OK && !graph_exists(u, src)) {
      return fail(u, KG_ERR_QUERY, "no graph <%s>", op->graph.value);
    }
  }
  if (st == KG_OK && op->dst_ref == KG__GREF_GRAPH) {
    st = graph_id(u, &op->dst, true, &dst);
  }
  if (st != KG_OK || src == dst) {
    return st;
  }
  quadset qs = {0};
  kg__id pat[4] = {0, 0, 0, src};
  st = collect(u, pat, &qs);
  if (st == KG_OK && op->kind != KG__U_ADD) {
    st = clear_pattern(u, dst);
  }
  for (size_t i = 0; st == KG_OK && i < qs.n; i++) {
    qs.q[4 * i + 3] = dst;
  }
  if (st == KG_OK) {
    st = apply(u, &qs, true);
  }
  if (st == KG_OK && op->kind == KG__U_MOVE) {
    for (size_t i = 0; i < qs.n; i++) {
      qs.q[4 * i + 3] = src;
    }
    st = apply(u, &qs, false);
    if (src != KG__DEFAULT_GRAPH) {
      forget_created(u, src);
    }
  }
  free(qs.q);
  return st;
}

/* ---- LOAD ---- */

static int hexval(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/* The local path of a file: IRI (percent-decoded), or NULL. */
static char *file_path(const char *iri)
{
  const char *p = NULL;
  if (strncmp(iri, "file://", 7) == 0) {
    p = iri + 7;
    if (strncmp(p, "localhost/", 10) == 0) {
      p += 9;
    }
  } else if (strncmp(iri, "file:/", 6) == 0) {
    p = iri + 5;
  }
  if (!p || p[0] != '/') {
    return NULL;
  }
  char *out = malloc(strlen(p) + 1);
  if (!out) {
    return NULL;
  }
  size_t k = 0;
  for (; *p && *p != '?' && *p != '#'; p++) {
    if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
      out[k++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
      p += 2;
    } else {
      out[k++] = *p;
    }
  }
  out[k] = '\0';
  return out;
}

static bool allowed(upd *u, const char *path)
{
  if (!u->opts) {
    return false;
  }
  char *real = realpath(path, NULL);
  if (!real) {
    return false;
  }
  bool ok = false;
  for (size_t i = 0; !ok && i < u->opts->nload_files; i++) {
    const char *a = u->opts->load_files[i];
    char *decoded = strncmp(a, "file:", 5) == 0 ? file_path(a) : NULL;
    char *r = realpath(decoded ? decoded : a, NULL);
    ok = r && strcmp(r, real) == 0;
    free(r);
    free(decoded);
  }
  free(real);
  return ok;
}

static kg_status read_file(upd *u, const char *path, char **text, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    return fail(u, KG_ERR_IO, "LOAD: %s: %s", path, strerror(errno));
  }
  kg__buf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    kg__buf_append(&b, chunk, n);
  }
  bool bad = ferror(f) != 0;
  fclose(f);
  if (bad || b.failed) {
    kg__buf_free(&b);
    return fail(u, bad ? KG_ERR_IO : KG_ERR_NOMEM, "LOAD: %s: cannot read",
                path);
  }
  *len = b.len;
  *text = kg__buf_take(&b);
  return *text ? KG_OK : fail(u, KG_ERR_NOMEM, "out of memory");
}

static kg_status op_load(upd *u, const kg__uop *op)
{
  char *path = file_path(op->doc.value);
  if (!path || !allowed(u, path)) {
    free(path);
    return fail(u, KG_ERR_DENIED,
                "LOAD <%s> is refused: not a file the caller allowed",
                op->doc.value);
  }
  kg_format fmt = kg_format_from_path(path);
  if (fmt == KG_FORMAT_AUTO || fmt == KG_FORMAT_DOT) {
    free(path);
    return fail(u, KG_ERR_ARG, "LOAD <%s>: unknown RDF format", op->doc.value);
  }
  char *text = NULL;
  size_t len = 0;
  kg_status st = read_file(u, path, &text, &len);
  free(path);
  if (st != KG_OK) {
    return st;
  }
  kg__quads quads = {0};
  kg__err perr = {0};
  st = kg__read_rdf(fmt, text, len, op->doc.value,
                    op->target == KG__GREF_GRAPH ? &op->graph : NULL, &quads,
                    NULL, &perr);
  free(text);
  if (st != KG_OK) {
    fail(u, st, "LOAD <%s>:%u: %s", op->doc.value, perr.line,
         perr.msg ? perr.msg : kg_strstatus(st));
    kg__err_clear(&perr);
    kg__quads_free(&quads);
    return st;
  }
  quadset qs = {0};
  for (size_t i = 0; st == KG_OK && i < quads.n; i++) {
    const kg__quad *q = &quads.v[i];
    kg__id id[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
    const kg_term *t[4] = {&q->s, &q->p, &q->o, &q->g};
    for (int k = 0; st == KG_OK && k < 4; k++) {
      if (k == 3 && q->g.kind == 0) {
        break;
      }
      st = u->s->ops->intern(u->s, t[k], &id[k]);
    }
    if (st != KG_OK) {
      st = store_fail(u, st);
      break;
    }
    if (qs_push(&qs, id) != KG_OK) {
      st = fail(u, KG_ERR_NOMEM, "out of memory");
    }
  }
  kg__quads_free(&quads);
  if (st == KG_OK) {
    st = apply(u, &qs, true);
  }
  free(qs.q);
  return st;
}

/* ---- DATA, DELETE WHERE, DELETE/INSERT ---- */

/* Blank nodes of a template, fresh for each solution. */
typedef struct bmap {
  const char *label[64];
  kg__vid id[64];
  size_t n;
} bmap;

/* The store ID of `id` (a store's or the query's own), made when `make`;
 * KG__NO_ID when the store lacks it and `make` is false. */
static kg_status
store_id(upd *u, kg__rt *rt, kg__vid id, bool make, kg__id *out)
{
  *out = KG__NO_ID;
  if (!(id & KG__VID_LOCAL)) {
    *out = id;
    return KG_OK;
  }
  kg_term t;
  kg_status st = kg__vctx_term(&rt->v, id, &t);
  if (st == KG_OK) {
    st = make ? u->s->ops->intern(u->s, &t, out)
              : u->s->ops->lookup(u->s, &t, out);
  }
  return st == KG_OK ? KG_OK : store_fail(u, st);
}

/* One template quad with a solution: false when it has no quad (an
 * unbound variable, a literal subject, ...). */
static kg_status instantiate(upd *u,
                             kg__rt *rt,
                             kg__quadpat *t,
                             const kg__vid *row,
                             const kg__id *with,
                             bmap *bm,
                             bool insert,
                             kg__id out[4],
                             bool *ok)
{
  *ok = false;
  kg__vid v[4];
  for (int k = 0; k < 4; k++) {
    kg__pterm *p = k < 3 ? &t->t[k] : &t->graph.g;
    if (k == 3 && t->graph.mode == KG__G_DEFAULT) {
      v[k] = 0;
      continue;
    }
    if (p->var >= 0) {
      v[k] = row ? row[p->var] : 0;
    } else if (p->term.kind == KG_TERM_BLANK) {
      size_t b = 0;
      while (b < bm->n && strcmp(bm->label[b], p->term.value) != 0) {
        b++;
      }
      if (b == bm->n) {
        char label[64];
        kg__rt_fresh_bnode(rt, label, sizeof label);
        kg_term bt = {KG_TERM_BLANK, label, strlen(label), NULL, NULL};
        kg__vid id = 0;
        if (kg__qdict_intern(&rt->v.dict, &bt, &id) != KG_OK) {
          return fail(u, KG_ERR_NOMEM, "out of memory");
        }
        if (bm->n < sizeof bm->id / sizeof *bm->id) {
          bm->label[bm->n] = p->term.value;
          bm->id[bm->n++] = id;
        }
        v[k] = id;
      } else {
        v[k] = bm->id[b];
      }
    } else {
      if (!p->id && kg__vctx_intern(&rt->v, &p->term, &p->id) != KG_OK) {
        return fail(u, KG_ERR_NOMEM, "out of memory");
      }
      v[k] = p->id;
    }
    if (!v[k]) {
      return KG_OK;
    }
  }
  /* kinds: subject IRI or blank node, predicate IRI, graph IRI */
  kg_term s;
  kg_term p;
  if (kg__vctx_term(&rt->v, v[0], &s) != KG_OK ||
      kg__vctx_term(&rt->v, v[1], &p) != KG_OK) {
    return store_fail(u, KG_ERR_STORE);
  }
  if (s.kind == KG_TERM_LITERAL || p.kind != KG_TERM_IRI) {
    return KG_OK;
  }
  if (t->graph.mode == KG__G_NAMED) {
    kg_term g;
    if (kg__vctx_term(&rt->v, v[3], &g) != KG_OK) {
      return store_fail(u, KG_ERR_STORE);
    }
    if (g.kind != KG_TERM_IRI) {
      return KG_OK;
    }
  }
  for (int k = 0; k < 4; k++) {
    if (k == 3 && t->graph.mode == KG__G_DEFAULT) {
      out[3] = with ? *with : KG__DEFAULT_GRAPH;
      continue;
    }
    kg_status st = store_id(u, rt, v[k], insert, &out[k]);
    if (st != KG_OK) {
      return st;
    }
    if (out[k] == KG__NO_ID) {
      return KG_OK; /* deleting a term the store lacks: nothing */
    }
  }
  *ok = true;
  return KG_OK;
}

/* Evaluate a WHERE pattern into rows. */
static kg_status solutions(upd *u, kg__rt *rt, kg__query *q, kg__rows *rows)
{
  kg__it *it = NULL;
  kg_status st = kg__rt_dataset(rt, q);
  if (st == KG_OK) {
    st = kg__plan_query(rt, q, &it);
  }
  kg__vid *row = calloc(q->nslots ? q->nslots : 1, sizeof *row);
  if (st == KG_OK && !row) {
    st = KG_ERR_NOMEM;
  }
  if (st == KG_OK) {
    st = kg__it_open(it, row);
  }
  uint64_t max = u->db->limits.max_rows;
  while (st == KG_OK && (st = kg__it_next(it, row)) == KG_ROW) {
    if (max && rows->n >= max) {
      st = fail(u, KG_ERR_LIMIT, "more than %llu solutions",
                (unsigned long long)max);
      break;
    }
    st = kg__rows_push(rows, row);
  }
  free(row);
  kg__it_free(it);
  if (st == KG_DONE) {
    st = KG_OK;
  }
  if (st != KG_OK && u->err->status == KG_OK) {
    fail(u, st, "%s", st == KG_ERR_NOMEM ? "out of memory" : kg_strstatus(st));
  }
  return st;
}

static kg_status op_modify(upd *u, kg__uop *op)
{
  kg__rt rt;
  size_t width = op->where ? op->where->nslots : 0;
  kg_status st = kg__rt_init(&rt, u->s, width);
  if (st != KG_OK) {
    return fail(u, st, "out of memory");
  }
  rt.base = u->base;
  rt.err = u->err;
  rt.deadline_ms = u->deadline_ms;
  rt.timeout_ms = u->db->limits.timeout_ms;
  rt.interrupt = &u->db->interrupt;
  rt.union_default = u->db->default_graph == KG_DEFAULT_GRAPH_UNION;
  kg__rows rows;
  memset(&rows, 0, sizeof rows);
  rows.width = width ? width : 1;
  kg__id with = KG__NO_ID;
  bool has_with = op->with.kind != 0;
  if (has_with) {
    st = graph_id(u, &op->with, op->nins > 0, &with);
  }
  if (st == KG_OK && op->where) {
    st = solutions(u, &rt, op->where, &rows);
  } else if (st == KG_OK) {
    /* DATA: one empty solution */
    kg__vid none = 0;
    st = kg__rows_push(&rows, &none);
  }
  quadset del = {0};
  quadset ins = {0};
  for (size_t r = 0; st == KG_OK && r < rows.n; r++) {
    const kg__vid *row = op->where ? kg__rows_at(&rows, r) : NULL;
    bmap bm;
    bm.n = 0;
    rt.serial++;
    for (size_t i = 0; st == KG_OK && i < op->ndel; i++) {
      kg__id q[4];
      bool ok = false;
      st = instantiate(u, &rt, &op->del[i], row, has_with ? &with : NULL, &bm,
                       false, q, &ok);
      if (st == KG_OK && ok && qs_push(&del, q) != KG_OK) {
        st = fail(u, KG_ERR_NOMEM, "out of memory");
      }
    }
    for (size_t i = 0; st == KG_OK && i < op->nins; i++) {
      kg__id q[4];
      bool ok = false;
      st = instantiate(u, &rt, &op->ins[i], row, has_with ? &with : NULL, &bm,
                       true, q, &ok);
      if (st == KG_OK && ok && qs_push(&ins, q) != KG_OK) {
        st = fail(u, KG_ERR_NOMEM, "out of memory");
      }
    }
    if (st == KG_OK && (r & 1023u) == 0) {
      st = check_time(u);
    }
  }
  /* every deletion, then every insertion, from the same solutions */
  if (st == KG_OK) {
    st = apply(u, &del, false);
  }
  if (st == KG_OK) {
    st = apply(u, &ins, true);
  }
  free(del.q);
  free(ins.q);
  kg__rows_free(&rows);
  kg__rt_free(&rt);
  return st;
}

static kg_status run_op(upd *u, kg__uop *op)
{
  switch (op->kind) {
  case KG__U_INSERT_DATA:
  case KG__U_DELETE_DATA:
  case KG__U_DELETE_WHERE:
  case KG__U_MODIFY:
    return op_modify(u, op);
  case KG__U_LOAD:
    return op_load(u, op);
  case KG__U_CLEAR:
  case KG__U_DROP:
    return op_clear(u, op);
  case KG__U_CREATE:
    return op_create(u, op);
  case KG__U_ADD:
  case KG__U_MOVE:
  case KG__U_COPY:
    return op_transfer(u, op);
  }
  return KG_ERR_INTERNAL;
}

static kg_status run_update(kg_db *db,
                            const char *text,
                            size_t len,
                            const char *base,
                            const kg_update_options *opts,
                            uint64_t *changed)
{
  if (changed) {
    *changed = 0;
  }
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  if (!text) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "no update text given");
  }
  if (memchr(text, '\0', len)) {
    return kg__db_fail(db, KG_ERR_PARSE, "<update>", 0, 0,
                       "NUL byte in update text");
  }
  atomic_store(&db->interrupt, 0);
  uint64_t deadline =
      db->limits.timeout_ms ? kg__now_ms() + db->limits.timeout_ms : 0;
  kg__err err = {0};
  kg__update *req = NULL;
  kg_status st = kg__parse_update(text, len, base, &req, &err);
  if (st != KG_OK) {
    return kg__db_take_error(db, &err, "<update>");
  }
  if (opts && opts->parse_only) {
    kg__update_free(req);
    return KG_OK;
  }
  if (db->flags & KG_OPEN_READONLY) {
    kg__update_free(req);
    return kg__db_fail(db, KG_ERR_DENIED, NULL, 0, 0,
                       "the database is read-only");
  }
  upd u;
  memset(&u, 0, sizeof u);
  u.db = db;
  u.s = db->store;
  u.opts = opts;
  u.base = base;
  u.deadline_ms = deadline;
  u.err = &err;
  st = u.s->ops->begin(u.s, true);
  if (st != KG_OK) {
    kg__update_free(req);
    return kg__db_store_fail(db, db->path, "cannot update");
  }
  for (size_t i = 0; st == KG_OK && i < req->n; i++) {
    kg__uop *op = &req->ops[i];
    st = check_time(&u);
    if (st == KG_OK) {
      st = run_op(&u, op);
    }
    if (st != KG_OK && op->silent && st != KG_ERR_LIMIT && st != KG_ERR_NOMEM &&
        st != KG_ERR_STORE) {
      /* SILENT: the operation's failure is not the request's */
      kg__err_clear(&err);
      st = KG_OK;
    }
  }
  if (st == KG_OK && u.changed) {
    st = kg__inference_refresh(db);
    if (st != KG_OK) {
      store_fail(&u, st);
    }
  }
  if (st == KG_OK) {
    st = u.s->ops->commit(u.s);
    if (st != KG_OK) {
      store_fail(&u, st);
    }
  } else {
    u.s->ops->rollback(u.s);
  }
  free(u.created);
  kg__update_free(req);
  if (st != KG_OK) {
    if (err.status == KG_OK) {
      kg__err_set(&err, st, 0, 0, "%s", kg_strstatus(st));
    }
    return kg__db_take_error(db, &err, "<update>");
  }
  if (changed) {
    *changed = u.changed;
  }
  return KG_OK;
}

kg_status kg_db_update(kg_db *db,
                       const char *text,
                       size_t len,
                       const char *base,
                       const kg_update_options *opts,
                       uint64_t *changed)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__mem mem = {0, db->limits.max_memory, false};
  kg__mem *outer = kg__mem_enter(&mem);
  kg_status st = run_update(db, text, len, base, opts, changed);
  kg__mem_leave(outer);
  if (st != KG_OK && mem.exceeded) {
    st = kg__db_over_memory(db, &mem, "update");
  }
  return st;
}
