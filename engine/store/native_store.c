/* The native store in memory.
 *
 * Terms: a dictionary (dict.c) gives each term a dense 32-bit number,
 * which is its ID. Quads live in two tables of sorted key sets
 * (key_index.c):
 * - the default graph as triples, in the orders SPO, POS and OSP;
 * - the named graphs as quads, in SPOG, POSG, OSPG, GSPO, GPOS and GOSP.
 * Every pattern shape is then a prefix range of one ordering of each
 * table it touches; docs/store.md gives the table of shapes.
 *
 * Writes inside a transaction: added quads wait in a buffer and go into
 * the indexes sorted, in batches (before any read, removal or commit);
 * an undo log of what changed lets rollback put everything back. */
#include "native_store.h"

#include "dict.h"
#include "key_index.h"
#include "plan.h"

#include <stdlib.h>
#include <string.h>

enum { ND = KG__ND, NN = KG__NN };

/* Added quads wait in a buffer of up to this many before a merge. */
#define PENDING_MAX ((size_t)1 << 19)

enum { UNDO_ADD, UNDO_REMOVE };

typedef struct undo {
  uint32_t q[4];
  uint32_t op;
} undo;

typedef struct pending {
  uint32_t *keys; /* quads (s,p,o) or (s,p,o,g) in the first ordering */
  size_t n;
  size_t cap;
} pending;

typedef struct mem_store {
  kg__store base;
  kg__dict *dict;
  kg__kix d[ND];
  kg__kix n[NN];
  bool in_txn;
  bool write;
  bool from_empty; /* the write transaction began on an empty store */
  kg__id first_new_id;
  undo *undo;
  size_t nundo;
  size_t capundo;
  pending pd; /* default graph */
  pending pn; /* named graphs */
  kg__prefixes prefixes;
} mem_store;

struct part {
  kg__kix *x;
  kg__plan_part plan;
  kg__kpos pos;
  uint64_t version;
  uint32_t last[4];
  bool started;
  bool done;
};

struct kg__cursor {
  mem_store *s;
  kg__plan plan;
  int nparts;
  struct part part[2];
  bool have[2]; /* merging two parts into the requested order */
  kg__id head[2][4];
};

static kg_status fail(mem_store *s, kg_status st, const char *msg)
{
  kg__err_clear(&s->base.err);
  kg__err_set(&s->base.err, st, 0, 0, "%s", msg);
  return st;
}

static kg_status need_write(mem_store *s)
{
  if (!s->in_txn || !s->write) {
    return fail(s, KG_ERR_ARG, "no write transaction is open");
  }
  return KG_OK;
}

/* ---- dictionary ---- */

static bool term_ok(const kg_term *t)
{
  return t &&
         (t->kind == KG_TERM_IRI || t->kind == KG_TERM_BLANK ||
          t->kind == KG_TERM_LITERAL) &&
         (t->value || t->value_len == 0);
}

static kg_status mem_lookup(kg__store *base, const kg_term *t, kg__id *out)
{
  mem_store *s = (mem_store *)base;
  *out = KG__NO_ID;
  if (!term_ok(t)) {
    return KG_OK;
  }
  *out = kg__dict_find(s->dict, t, kg__term_hash(t));
  return KG_OK;
}

static kg_status mem_intern(kg__store *base, const kg_term *t, kg__id *out)
{
  mem_store *s = (mem_store *)base;
  *out = KG__NO_ID;
  kg_status st = need_write(s);
  if (st != KG_OK) {
    return st;
  }
  if (!term_ok(t)) {
    return fail(s, KG_ERR_ARG, "not an RDF term");
  }
  uint64_t h = kg__term_hash(t);
  kg__id id = kg__dict_find(s->dict, t, h);
  if (id == KG__NO_ID) {
    st = kg__dict_add(s->dict, t, h, &id);
    if (st != KG_OK) {
      return fail(s, st,
                  st == KG_ERR_NOMEM ? "out of memory" : "term too large");
    }
  }
  *out = id;
  return KG_OK;
}

static kg_status mem_term(kg__store *base, kg__id id, kg_term *out)
{
  mem_store *s = (mem_store *)base;
  if (!kg__dict_term(s->dict, id, out)) {
    memset(out, 0, sizeof *out);
    return fail(s, KG_ERR_ARG, "unknown term ID");
  }
  return KG_OK;
}

/* ---- writing ---- */

static void key_of(const kg__kix *x, const uint32_t *q, uint32_t *key)
{
  for (unsigned i = 0; i < x->width; i++) {
    key[i] = q[x->cols[i]];
  }
}

/* Room in the undo log for `more` entries, so that logging a change made
 * afterwards cannot fail. */
static bool reserve_undo(mem_store *s, size_t more)
{
  if (s->capundo - s->nundo >= more) {
    return true;
  }
  size_t cap = s->capundo ? s->capundo : 256;
  while (cap - s->nundo < more) {
    cap *= 2;
  }
  undo *u = realloc(s->undo, cap * sizeof *u);
  if (!u) {
    return false;
  }
  s->undo = u;
  s->capundo = cap;
  return true;
}

static kg_status log_undo(mem_store *s, const uint32_t *q, uint32_t op)
{
  if (s->from_empty && op == UNDO_ADD) {
    return KG_OK; /* rollback empties the store instead */
  }
  if (!reserve_undo(s, 1)) {
    return KG_ERR_NOMEM;
  }
  undo *u = &s->undo[s->nundo++];
  memcpy(u->q, q, sizeof u->q);
  u->op = op;
  return KG_OK;
}

/* Merge one table's pending quads into its indexes. */
static kg_status flush_table(mem_store *s, kg__kix *ix, int nix, pending *p)
{
  if (!p->n) {
    return KG_OK;
  }
  unsigned w = ix[0].width;
  size_t n = p->n;
  uint32_t *tmp = malloc(n * w * sizeof *tmp);
  uint32_t *keys = malloc(n * w * sizeof *keys);
  if (!tmp || !keys || (!s->from_empty && !reserve_undo(s, n))) {
    free(tmp);
    free(keys);
    return KG_ERR_NOMEM;
  }
  /* The buffer holds quads in the first ordering's order (identity). What
   * went into the first index is logged at once (that cannot fail now),
   * even when the insertion stopped half way, so that a rollback takes it
   * out of every index. */
  n = kg__keys_sort_unique(p->keys, tmp, n, w);
  size_t nadded = 0;
  kg_status st = kg__kix_insert_sorted(&ix[0], p->keys, n, p->keys, &nadded);
  for (size_t j = 0; j < nadded; j++) {
    uint32_t q[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
    memcpy(q, p->keys + j * w, w * sizeof *q);
    log_undo(s, q, UNDO_ADD);
  }
  for (int i = 1; i < nix && st == KG_OK; i++) {
    for (size_t j = 0; j < nadded; j++) {
      uint32_t q[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
      memcpy(q, p->keys + j * w, w * sizeof *q);
      key_of(&ix[i], q, keys + j * w);
    }
    size_t m = kg__keys_sort_unique(keys, tmp, nadded, w);
    st = kg__kix_insert_sorted(&ix[i], keys, m, NULL, NULL);
  }
  free(tmp);
  free(keys);
  p->n = 0;
  if (p->cap > PENDING_MAX / 8) {
    free(p->keys);
    p->keys = NULL;
    p->cap = 0;
  }
  return st;
}

static kg_status flush(mem_store *s)
{
  kg_status st = flush_table(s, s->d, ND, &s->pd);
  if (st == KG_OK) {
    st = flush_table(s, s->n, NN, &s->pn);
  }
  if (st != KG_OK) {
    return fail(s, st, "out of memory");
  }
  return KG_OK;
}

static bool quad_ok(const mem_store *s, const kg__id q[4])
{
  kg__id top = KG__FIRST_ID + kg__dict_size(s->dict);
  for (int i = 0; i < 3; i++) {
    if (q[i] < KG__FIRST_ID || q[i] >= top) {
      return false;
    }
  }
  return q[3] == KG__DEFAULT_GRAPH || (q[3] >= KG__FIRST_ID && q[3] < top);
}

/* Insert one quad now. 1 added, 0 there already. */
static kg_status insert_now(mem_store *s, const uint32_t *q, bool *changed)
{
  bool dflt = q[3] == KG__DEFAULT_GRAPH;
  kg__kix *ix = dflt ? s->d : s->n;
  int nix = dflt ? ND : NN;
  uint32_t key[4];
  key_of(&ix[0], q, key);
  if (!s->from_empty && !reserve_undo(s, 1)) {
    return KG_ERR_NOMEM;
  }
  int r = kg__kix_insert(&ix[0], key);
  if (r < 0) {
    return KG_ERR_NOMEM;
  }
  *changed = r > 0;
  if (!r) {
    return KG_OK;
  }
  for (int i = 1; i < nix; i++) {
    key_of(&ix[i], q, key);
    if (kg__kix_insert(&ix[i], key) < 0) {
      /* put the indexes back in step */
      for (int j = 0; j < i; j++) {
        key_of(&ix[j], q, key);
        kg__kix_remove(&ix[j], key);
      }
      return KG_ERR_NOMEM;
    }
  }
  return log_undo(s, q, UNDO_ADD);
}

static void remove_now(mem_store *s, const uint32_t *q, bool *changed)
{
  bool dflt = q[3] == KG__DEFAULT_GRAPH;
  kg__kix *ix = dflt ? s->d : s->n;
  int nix = dflt ? ND : NN;
  uint32_t key[4];
  key_of(&ix[0], q, key);
  *changed = kg__kix_remove(&ix[0], key);
  if (!*changed) {
    return;
  }
  for (int i = 1; i < nix; i++) {
    key_of(&ix[i], q, key);
    kg__kix_remove(&ix[i], key);
  }
}

static kg_status mem_add(kg__store *base, const kg__id quad[4], bool *changed)
{
  mem_store *s = (mem_store *)base;
  if (changed) {
    *changed = false;
  }
  kg_status st = need_write(s);
  if (st != KG_OK) {
    return st;
  }
  if (!quad_ok(s, quad)) {
    return fail(s, KG_ERR_ARG, "a quad holds an unknown term ID");
  }
  uint32_t q[4] = {(uint32_t)quad[0], (uint32_t)quad[1], (uint32_t)quad[2],
                   (uint32_t)quad[3]};
  if (changed) {
    st = flush(s);
    if (st == KG_OK) {
      st = insert_now(s, q, changed);
      if (st != KG_OK) {
        return fail(s, st, "out of memory");
      }
    }
    return st;
  }
  pending *p = q[3] == KG__DEFAULT_GRAPH ? &s->pd : &s->pn;
  unsigned w = q[3] == KG__DEFAULT_GRAPH ? 3 : 4;
  if (p->n == p->cap) {
    if (p->n >= PENDING_MAX) {
      st = flush(s);
      if (st != KG_OK) {
        return st;
      }
    }
    if (p->n == p->cap) {
      size_t cap = p->cap ? p->cap * 2 : 1024;
      uint32_t *k = realloc(p->keys, cap * w * sizeof *k);
      if (!k) {
        return fail(s, KG_ERR_NOMEM, "out of memory");
      }
      p->keys = k;
      p->cap = cap;
    }
  }
  memcpy(p->keys + p->n * w, q, w * sizeof *q);
  p->n++;
  return KG_OK;
}

static kg_status
mem_remove(kg__store *base, const kg__id quad[4], bool *changed)
{
  mem_store *s = (mem_store *)base;
  if (changed) {
    *changed = false;
  }
  kg_status st = need_write(s);
  if (st != KG_OK) {
    return st;
  }
  if (!quad_ok(s, quad)) {
    return KG_OK; /* never added, so not there */
  }
  st = flush(s);
  if (st != KG_OK) {
    return st;
  }
  uint32_t q[4] = {(uint32_t)quad[0], (uint32_t)quad[1], (uint32_t)quad[2],
                   (uint32_t)quad[3]};
  bool ch = false;
  if (!reserve_undo(s, 1)) {
    return fail(s, KG_ERR_NOMEM, "out of memory");
  }
  remove_now(s, q, &ch);
  if (ch) {
    log_undo(s, q, UNDO_REMOVE); /* cannot fail: room was made */
  }
  if (changed) {
    *changed = ch;
  }
  return KG_OK;
}

/* ---- transactions ---- */

static uint64_t total(const mem_store *s)
{
  return s->d[0].total + s->n[0].total;
}

static kg_status mem_begin(kg__store *base, bool write)
{
  mem_store *s = (mem_store *)base;
  if (s->in_txn) {
    return fail(s, KG_ERR_ARG, "a transaction is already open");
  }
  s->in_txn = true;
  s->write = write;
  s->from_empty = write && total(s) == 0;
  s->first_new_id = KG__FIRST_ID + kg__dict_size(s->dict);
  s->nundo = 0;
  return KG_OK;
}

static void end_txn(mem_store *s)
{
  s->in_txn = false;
  s->write = false;
  s->nundo = 0;
  if (s->capundo > 4096) {
    free(s->undo);
    s->undo = NULL;
    s->capundo = 0;
  }
  free(s->pd.keys);
  free(s->pn.keys);
  memset(&s->pd, 0, sizeof s->pd);
  memset(&s->pn, 0, sizeof s->pn);
}

static void mem_rollback(kg__store *base)
{
  mem_store *s = (mem_store *)base;
  if (!s->in_txn) {
    return;
  }
  if (s->write) {
    s->pd.n = 0;
    s->pn.n = 0;
    if (s->from_empty) {
      /* Only this transaction's quads are in the store (the undo log
       * holds its removals of them, if any). */
      for (int i = 0; i < ND; i++) {
        kg__kix_clear(&s->d[i]);
      }
      for (int i = 0; i < NN; i++) {
        kg__kix_clear(&s->n[i]);
      }
    } else {
      for (size_t i = s->nundo; i-- > 0;) {
        bool ch = false;
        if (s->undo[i].op == UNDO_ADD) {
          remove_now(s, s->undo[i].q, &ch);
        } else {
          /* Putting back what was there needs no new memory in the
           * common case (the entries from i on are done with, so logging
           * it reuses entry i); if the index must grow and cannot, the
           * quad stays lost. */
          s->from_empty = false;
          uint32_t q[4];
          memcpy(q, s->undo[i].q, sizeof q);
          s->nundo = i;
          insert_now(s, q, &ch);
        }
      }
    }
    kg__dict_truncate(s->dict, s->first_new_id);
  }
  end_txn(s);
}

static kg_status mem_commit(kg__store *base)
{
  mem_store *s = (mem_store *)base;
  if (!s->in_txn) {
    return fail(s, KG_ERR_ARG, "no transaction is open");
  }
  if (s->write) {
    kg_status st = flush(s);
    if (st != KG_OK) {
      mem_rollback(base);
      return st;
    }
  }
  end_txn(s);
  return KG_OK;
}

/* ---- reading ---- */

static kg__kix *part_index(mem_store *s, const kg__plan_part *p)
{
  return p->named ? &s->n[p->ordering] : &s->d[p->ordering];
}

static kg__id top_id(const mem_store *s)
{
  return KG__FIRST_ID + kg__dict_size(s->dict);
}

static kg_status mem_match(kg__store *base,
                           const kg__id pattern[4],
                           const int *order,
                           kg__cursor **out)
{
  mem_store *s = (mem_store *)base;
  *out = NULL;
  if (s->in_txn && s->write) {
    kg_status st = flush(s);
    if (st != KG_OK) {
      return st;
    }
  }
  kg__cursor *c = calloc(1, sizeof *c);
  if (!c) {
    return fail(s, KG_ERR_NOMEM, "out of memory");
  }
  if (kg__plan_make(pattern, order, top_id(s), &c->plan) != KG_OK) {
    free(c);
    return fail(s, KG_ERR_ARG, "the store cannot deliver that order");
  }
  c->s = s;
  c->nparts = c->plan.empty ? 0 : c->plan.nparts;
  for (int i = 0; i < c->nparts; i++) {
    struct part *p = &c->part[i];
    p->plan = c->plan.part[i];
    p->x = part_index(s, &p->plan);
    p->version = p->x->version - 1; /* seek on first use */
  }
  *out = c;
  return KG_OK;
}

/* Next quad of one part; false at its end. */
static bool part_next(struct part *p, kg__id quad[4])
{
  if (p->done) {
    return false;
  }
  kg__kix *x = p->x;
  if (p->version != x->version) {
    p->pos = p->started ? kg__kix_seek(x, p->last, x->width, true)
                        : kg__kix_seek(x, p->plan.prefix, p->plan.k, false);
    p->version = x->version;
  }
  const uint32_t *key = kg__kix_at(x, p->pos);
  if (!key || kg__key_cmp(key, p->plan.prefix, p->plan.k) != 0) {
    p->done = true;
    return false;
  }
  memcpy(p->last, key, x->width * sizeof *key);
  p->started = true;
  kg__kix_next(x, &p->pos);
  kg__plan_quad(&p->plan, p->last, quad);
  return true;
}

static kg_status mem_next(kg__cursor *c, kg__id quad[4])
{
  if (c->nparts == 2 && c->plan.norder) {
    for (int i = 0; i < 2; i++) {
      if (!c->have[i]) {
        c->have[i] = part_next(&c->part[i], c->head[i]);
      }
    }
    int pick =
        !c->have[0] ? 1
        : !c->have[1]
            ? 0
            : (kg__plan_cmp(&c->plan, c->head[1], c->head[0]) < 0 ? 1 : 0);
    if (!c->have[pick]) {
      return KG_DONE;
    }
    memcpy(quad, c->head[pick], 4 * sizeof *quad);
    c->have[pick] = false;
    return KG_ROW;
  }
  for (int i = 0; i < c->nparts; i++) {
    if (part_next(&c->part[i], quad)) {
      return KG_ROW;
    }
  }
  return KG_DONE;
}

static void mem_cursor_free(kg__cursor *c)
{
  free(c);
}

static kg_status
mem_count(kg__store *base, const kg__id pattern[4], uint64_t *out, bool *exact)
{
  mem_store *s = (mem_store *)base;
  *out = 0;
  if (exact) {
    *exact = true;
  }
  if (s->in_txn && s->write) {
    kg_status st = flush(s);
    if (st != KG_OK) {
      return st;
    }
  }
  kg__plan p;
  if (kg__plan_make(pattern, NULL, top_id(s), &p) != KG_OK) {
    return fail(s, KG_ERR_INTERNAL, "no ordering serves the pattern");
  }
  if (p.empty) {
    return KG_OK;
  }
  for (int i = 0; i < p.nparts; i++) {
    *out +=
        kg__kix_count(part_index(s, &p.part[i]), p.part[i].prefix, p.part[i].k);
  }
  return KG_OK;
}

/* ---- prefixes ---- */

static kg_status mem_load_prefixes(kg__store *base, kg__prefixes *out)
{
  mem_store *s = (mem_store *)base;
  for (size_t i = 0; i < s->prefixes.n; i++) {
    kg_status st =
        kg__prefixes_set(out, s->prefixes.v[i].prefix, s->prefixes.v[i].iri);
    if (st != KG_OK) {
      return fail(s, st, "out of memory");
    }
  }
  return KG_OK;
}

static kg_status
mem_save_prefix(kg__store *base, const char *prefix, const char *iri)
{
  mem_store *s = (mem_store *)base;
  kg_status st = kg__prefixes_set(&s->prefixes, prefix, iri);
  if (st != KG_OK) {
    return fail(s, st, "out of memory");
  }
  return KG_OK;
}

static void mem_close(kg__store *base)
{
  mem_store *s = (mem_store *)base;
  if (!s) {
    return;
  }
  for (int i = 0; i < ND; i++) {
    kg__kix_free(&s->d[i]);
  }
  for (int i = 0; i < NN; i++) {
    kg__kix_free(&s->n[i]);
  }
  kg__dict_free(s->dict);
  free(s->undo);
  free(s->pd.keys);
  free(s->pn.keys);
  kg__prefixes_free(&s->prefixes);
  kg__err_clear(&s->base.err);
  free(s);
}

static const kg__store_ops mem_ops = {
    "native-memory",
    mem_lookup,
    mem_intern,
    mem_term,
    mem_match,
    mem_next,
    mem_cursor_free,
    mem_count,
    mem_add,
    mem_remove,
    mem_begin,
    mem_commit,
    mem_rollback,
    mem_load_prefixes,
    mem_save_prefix,
    mem_close,
    NULL,
    NULL,
    NULL,
};

kg_status kg__memory_store_open(kg__store **out)
{
  *out = NULL;
  mem_store *s = calloc(1, sizeof *s);
  if (!s) {
    return KG_ERR_NOMEM;
  }
  s->base.ops = &mem_ops;
  if (kg__dict_new(false, &s->dict) != KG_OK) {
    free(s);
    return KG_ERR_NOMEM;
  }
  for (int i = 0; i < ND; i++) {
    kg__kix_init(&s->d[i], 3, kg__d_cols[i]);
  }
  for (int i = 0; i < NN; i++) {
    kg__kix_init(&s->n[i], 4, kg__n_cols[i]);
  }
  *out = &s->base;
  return KG_OK;
}
