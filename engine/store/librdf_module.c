/* The "kgraph" librdf storage module: librdf's storage interface served
 * from a kg__store, so that the librdf model API (and Rasqal through it)
 * reads kgraph's native stores. Statements come out of store lookups by
 * term ID; librdf nodes of the terms met are cached per storage.
 *
 * Every function here runs with the Redland lock held: librdf calls them. */
#include "librdf_store.h"

#include <limits.h>
#include <rdf_storage_module.h>
#include <stdlib.h>
#include <string.h>

/* Nodes cached per storage before the cache starts over. */
#define NODE_CACHE_MAX ((size_t)1 << 16)

typedef struct node_slot {
  kg__id id;
  librdf_node *node;
} node_slot;

typedef struct instance {
  kg__store *store;
  librdf_world *world;
  node_slot *cache; /* open addressing on the ID */
  size_t ncache;
  size_t cap;   /* a power of two */
  bool own_txn; /* a transaction started through librdf is open */
} instance;

/* The store handed to the next storage the module makes (lock held). */
static kg__store *handover;
static librdf_world *registered_in;

static instance *inst(librdf_storage *storage)
{
  return (instance *)librdf_storage_get_instance(storage);
}

/* ---- nodes and IDs ---- */

static void cache_clear(instance *m)
{
  for (size_t i = 0; i < m->cap; i++) {
    if (m->cache[i].node) {
      librdf_free_node(m->cache[i].node);
    }
  }
  if (m->cap) {
    memset(m->cache, 0, m->cap * sizeof *m->cache);
  }
  m->ncache = 0;
}

static size_t slot_of(kg__id id, size_t mask)
{
  uint64_t h = id * 0x9e3779b97f4a7c15ULL;
  return (size_t)(h >> 20) & mask;
}

/* The node of an ID, borrowed from the cache (NULL on failure). */
static librdf_node *node_of(instance *m, kg__id id)
{
  if (!m->cap) {
    m->cache = calloc(1024, sizeof *m->cache);
    if (!m->cache) {
      return NULL;
    }
    m->cap = 1024;
  }
  size_t mask = m->cap - 1;
  size_t i = slot_of(id, mask);
  while (m->cache[i].node) {
    if (m->cache[i].id == id) {
      return m->cache[i].node;
    }
    i = (i + 1) & mask;
  }
  kg_term t;
  if (m->store->ops->term(m->store, id, &t) != KG_OK) {
    return NULL;
  }
  librdf_node *n = kg__node_from_term(&t);
  if (!n) {
    return NULL;
  }
  if ((m->ncache + 1) * 2 > m->cap) {
    if (m->cap >= NODE_CACHE_MAX * 2) {
      cache_clear(m);
    } else {
      node_slot *old = m->cache;
      size_t oldcap = m->cap;
      node_slot *nc = calloc(oldcap * 2, sizeof *nc);
      if (!nc) {
        librdf_free_node(n);
        return NULL;
      }
      m->cache = nc;
      m->cap = oldcap * 2;
      for (size_t k = 0; k < oldcap; k++) {
        if (old[k].node) {
          size_t j = slot_of(old[k].id, m->cap - 1);
          while (nc[j].node) {
            j = (j + 1) & (m->cap - 1);
          }
          nc[j] = old[k];
        }
      }
      free(old);
    }
    mask = m->cap - 1;
    i = slot_of(id, mask);
    while (m->cache[i].node) {
      i = (i + 1) & mask;
    }
  }
  m->cache[i].id = id;
  m->cache[i].node = n;
  m->ncache++;
  return n;
}

/* A new reference to the node of an ID. */
static librdf_node *node_copy(instance *m, kg__id id)
{
  librdf_node *n = node_of(m, id);
  return n ? librdf_new_node_from_node(n) : NULL;
}

/* ID of a node: KG__NO_ID when the store has never seen the term. */
static kg__id id_of(instance *m, librdf_node *n)
{
  kg_term t;
  kg__term_view(n, &t);
  kg__id id = KG__NO_ID;
  if (t.kind && m->store->ops->lookup(m->store, &t, &id) != KG_OK) {
    id = KG__NO_ID;
  }
  return id;
}

/* Pattern of a statement: false when a term is unknown (no match). */
static bool pattern_of(instance *m, librdf_statement *st, kg__id pat[4])
{
  librdf_node *n[3] = {NULL, NULL, NULL};
  if (st) {
    n[0] = librdf_statement_get_subject(st);
    n[1] = librdf_statement_get_predicate(st);
    n[2] = librdf_statement_get_object(st);
  }
  pat[3] = 0;
  for (int i = 0; i < 3; i++) {
    pat[i] = 0;
    if (n[i]) {
      pat[i] = id_of(m, n[i]);
      if (pat[i] == KG__NO_ID) {
        return false;
      }
    }
  }
  return true;
}

/* ---- streams of statements ---- */

typedef struct stream_ctx {
  instance *m;
  kg__cursor *cursor;
  kg__id quad[4];
  bool end;
  librdf_statement *stmt; /* current statement, made on demand */
  librdf_node *context;   /* its graph (NULL: the default graph) */
} stream_ctx;

static void stream_drop_current(stream_ctx *c)
{
  if (c->stmt) {
    librdf_free_statement(c->stmt);
    c->stmt = NULL;
  }
  if (c->context) {
    librdf_free_node(c->context);
    c->context = NULL;
  }
}

static void stream_advance(stream_ctx *c)
{
  stream_drop_current(c);
  if (c->end) {
    return;
  }
  kg__store *s = c->m->store;
  if (!c->cursor || s->ops->next(c->cursor, c->quad) != KG_ROW) {
    c->end = true;
  }
}

static int stream_is_end(void *ctx)
{
  return ((stream_ctx *)ctx)->end;
}

static int stream_next(void *ctx)
{
  stream_ctx *c = ctx;
  stream_advance(c);
  return c->end;
}

static void *stream_get(void *ctx, int flags)
{
  stream_ctx *c = ctx;
  if (c->end) {
    return NULL;
  }
  if (!c->stmt) {
    librdf_node *s = node_copy(c->m, c->quad[0]);
    librdf_node *p = node_copy(c->m, c->quad[1]);
    librdf_node *o = node_copy(c->m, c->quad[2]);
    if (!s || !p || !o) {
      if (s) {
        librdf_free_node(s);
      }
      if (p) {
        librdf_free_node(p);
      }
      if (o) {
        librdf_free_node(o);
      }
      return NULL;
    }
    c->stmt = librdf_new_statement_from_nodes(c->m->world, s, p, o);
    if (c->quad[3] != KG__DEFAULT_GRAPH) {
      c->context = node_copy(c->m, c->quad[3]);
    }
  }
  switch (flags) {
  case LIBRDF_ITERATOR_GET_METHOD_GET_OBJECT:
    return c->stmt;
  case LIBRDF_ITERATOR_GET_METHOD_GET_CONTEXT:
    return c->context;
  default:
    return NULL;
  }
}

static void stream_finished(void *ctx)
{
  stream_ctx *c = ctx;
  stream_drop_current(c);
  if (c->cursor) {
    c->m->store->ops->cursor_free(c->cursor);
  }
  free(c);
}

/* A stream of the quads matching `pat` (`none`: an empty stream). */
static librdf_stream *quad_stream(instance *m, const kg__id pat[4], bool none)
{
  stream_ctx *c = calloc(1, sizeof *c);
  if (!c) {
    return NULL;
  }
  c->m = m;
  if (none) {
    c->end = true;
  } else if (m->store->ops->match(m->store, pat, NULL, &c->cursor) != KG_OK) {
    free(c);
    return NULL;
  } else {
    stream_advance(c);
  }
  librdf_stream *s = librdf_new_stream(m->world, c, stream_is_end, stream_next,
                                       stream_get, stream_finished);
  if (!s) {
    stream_finished(c);
  }
  return s;
}

/* ---- the factory's methods ---- */

static int
kgm_init(librdf_storage *storage, const char *name, librdf_hash *options)
{
  (void)name;
  if (options) {
    librdf_free_hash(options);
  }
  if (!handover) {
    return 1;
  }
  instance *m = calloc(1, sizeof *m);
  if (!m) {
    return 1;
  }
  m->store = handover;
  m->world = librdf_storage_get_world(storage);
  librdf_storage_set_instance(storage, m);
  return 0;
}

static void kgm_terminate(librdf_storage *storage)
{
  instance *m = inst(storage);
  if (!m) {
    return;
  }
  if (m->own_txn) {
    m->store->ops->rollback(m->store);
  }
  cache_clear(m);
  free(m->cache);
  free(m);
}

static int kgm_open(librdf_storage *storage, librdf_model *model)
{
  (void)storage;
  (void)model;
  return 0;
}

static int kgm_close(librdf_storage *storage)
{
  (void)storage;
  return 0;
}

static int kgm_size(librdf_storage *storage)
{
  instance *m = inst(storage);
  kg__id all[4] = {0, 0, 0, 0};
  uint64_t n = 0;
  if (m->store->ops->count(m->store, all, &n, NULL) != KG_OK) {
    return -1;
  }
  return n > INT_MAX ? INT_MAX : (int)n;
}

/* Run a change inside a transaction of its own unless librdf opened one. */
static int change(librdf_storage *storage,
                  librdf_node *context,
                  librdf_statement *st,
                  bool add)
{
  instance *m = inst(storage);
  kg__store *s = m->store;
  if (!st || !librdf_statement_is_complete(st)) {
    return 1;
  }
  bool own = !m->own_txn;
  if (own && s->ops->begin(s, true) != KG_OK) {
    return 1;
  }
  librdf_node *n[4] = {librdf_statement_get_subject(st),
                       librdf_statement_get_predicate(st),
                       librdf_statement_get_object(st), context};
  kg__id q[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
  kg_status rc = KG_OK;
  bool known = true;
  for (int i = 0; i < 4 && rc == KG_OK; i++) {
    if (!n[i]) {
      continue;
    }
    kg_term t;
    kg__term_view(n[i], &t);
    rc = add ? s->ops->intern(s, &t, &q[i]) : s->ops->lookup(s, &t, &q[i]);
    known = known && q[i] != KG__NO_ID;
  }
  if (rc == KG_OK && known) {
    rc = add ? s->ops->add(s, q, NULL) : s->ops->remove(s, q, NULL);
  }
  if (own) {
    if (rc == KG_OK) {
      rc = s->ops->commit(s);
    } else {
      s->ops->rollback(s);
    }
  }
  return rc == KG_OK ? 0 : 1;
}

static int kgm_add_statement(librdf_storage *storage, librdf_statement *st)
{
  return change(storage, NULL, st, true);
}

static int kgm_context_add_statement(librdf_storage *storage,
                                     librdf_node *context,
                                     librdf_statement *st)
{
  return change(storage, context, st, true);
}

static int
add_all(librdf_storage *storage, librdf_node *context, librdf_stream *stream)
{
  int rc = 0;
  while (rc == 0 && stream && !librdf_stream_end(stream)) {
    rc = change(storage, context, librdf_stream_get_object(stream), true);
    librdf_stream_next(stream);
  }
  return rc;
}

static int kgm_add_statements(librdf_storage *storage, librdf_stream *stream)
{
  return add_all(storage, NULL, stream);
}

static int kgm_context_add_statements(librdf_storage *storage,
                                      librdf_node *context,
                                      librdf_stream *stream)
{
  return add_all(storage, context, stream);
}

static int kgm_remove_statement(librdf_storage *storage, librdf_statement *st)
{
  return change(storage, NULL, st, false);
}

static int kgm_context_remove_statement(librdf_storage *storage,
                                        librdf_node *context,
                                        librdf_statement *st)
{
  return change(storage, context, st, false);
}

static int kgm_contains_statement(librdf_storage *storage, librdf_statement *st)
{
  instance *m = inst(storage);
  kg__id pat[4];
  if (!pattern_of(m, st, pat)) {
    return 0;
  }
  uint64_t n = 0;
  if (m->store->ops->count(m->store, pat, &n, NULL) != KG_OK) {
    return 0;
  }
  return n > 0;
}

static librdf_stream *kgm_serialise(librdf_storage *storage)
{
  kg__id all[4] = {0, 0, 0, 0};
  return quad_stream(inst(storage), all, false);
}

static librdf_stream *kgm_find_statements(librdf_storage *storage,
                                          librdf_statement *st)
{
  instance *m = inst(storage);
  kg__id pat[4];
  bool known = pattern_of(m, st, pat);
  return quad_stream(m, pat, !known);
}

static librdf_stream *kgm_find_statements_in_context(librdf_storage *storage,
                                                     librdf_statement *st,
                                                     librdf_node *context)
{
  instance *m = inst(storage);
  kg__id pat[4];
  bool known = pattern_of(m, st, pat);
  if (context) {
    pat[3] = id_of(m, context);
    known = known && pat[3] != KG__NO_ID;
  }
  return quad_stream(m, pat, !known);
}

static librdf_stream *kgm_context_serialise(librdf_storage *storage,
                                            librdf_node *context)
{
  instance *m = inst(storage);
  kg__id pat[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
  if (context) {
    pat[3] = id_of(m, context);
  }
  return quad_stream(m, pat, pat[3] == KG__NO_ID);
}

static int kgm_context_remove_statements(librdf_storage *storage,
                                         librdf_node *context)
{
  instance *m = inst(storage);
  kg__store *s = m->store;
  kg__id pat[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
  if (context) {
    pat[3] = id_of(m, context);
    if (pat[3] == KG__NO_ID) {
      return 0;
    }
  }
  bool own = !m->own_txn;
  if (own && s->ops->begin(s, true) != KG_OK) {
    return 1;
  }
  /* Collect first: the quads go while the cursor would be reading. */
  kg__id(*q)[4] = NULL;
  size_t n = 0, cap = 0;
  kg__cursor *c = NULL;
  kg_status rc = s->ops->match(s, pat, NULL, &c);
  kg__id quad[4];
  while (rc == KG_OK && s->ops->next(c, quad) == KG_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      kg__id(*v)[4] = realloc(q, cap * sizeof *v);
      if (!v) {
        rc = KG_ERR_NOMEM;
        break;
      }
      q = v;
    }
    memcpy(q[n++], quad, sizeof quad);
  }
  s->ops->cursor_free(c);
  for (size_t i = 0; i < n && rc == KG_OK; i++) {
    rc = s->ops->remove(s, q[i], NULL);
  }
  free(q);
  if (own) {
    if (rc == KG_OK) {
      rc = s->ops->commit(s);
    } else {
      s->ops->rollback(s);
    }
  }
  return rc == KG_OK ? 0 : 1;
}

/* Iterator over the named graphs. */
typedef struct graphs_ctx {
  instance *m;
  kg__id *ids;
  size_t n;
  size_t at;
  librdf_node *node;
} graphs_ctx;

static int graphs_is_end(void *ctx)
{
  graphs_ctx *g = ctx;
  return g->at >= g->n;
}

static int graphs_next(void *ctx)
{
  graphs_ctx *g = ctx;
  if (g->node) {
    librdf_free_node(g->node);
    g->node = NULL;
  }
  g->at++;
  return g->at >= g->n;
}

static void *graphs_get(void *ctx, int flags)
{
  graphs_ctx *g = ctx;
  if (g->at >= g->n || flags != LIBRDF_ITERATOR_GET_METHOD_GET_OBJECT) {
    return NULL;
  }
  if (!g->node) {
    g->node = node_copy(g->m, g->ids[g->at]);
  }
  return g->node;
}

static void graphs_finished(void *ctx)
{
  graphs_ctx *g = ctx;
  if (g->node) {
    librdf_free_node(g->node);
  }
  free(g->ids);
  free(g);
}

static int id_cmp(const void *a, const void *b)
{
  kg__id x = *(const kg__id *)a;
  kg__id y = *(const kg__id *)b;
  return x < y ? -1 : x > y;
}

static librdf_iterator *kgm_get_contexts(librdf_storage *storage)
{
  instance *m = inst(storage);
  kg__store *s = m->store;
  graphs_ctx *g = calloc(1, sizeof *g);
  if (!g) {
    return NULL;
  }
  g->m = m;
  kg__id pat[4] = {0, 0, 0, KG__NAMED_GRAPHS};
  static const int by_graph[] = {3, -1};
  kg__cursor *c = NULL;
  bool sorted = s->ops->match(s, pat, by_graph, &c) == KG_OK;
  if (!sorted && s->ops->match(s, pat, NULL, &c) != KG_OK) {
    free(g);
    return NULL;
  }
  size_t cap = 0;
  kg__id q[4];
  bool ok = true;
  while (ok && s->ops->next(c, q) == KG_ROW) {
    if (g->n && g->ids[g->n - 1] == q[3]) {
      continue;
    }
    if (g->n == cap) {
      cap = cap ? cap * 2 : 16;
      kg__id *v = realloc(g->ids, cap * sizeof *v);
      if (!v) {
        ok = false;
        break;
      }
      g->ids = v;
    }
    g->ids[g->n++] = q[3];
  }
  s->ops->cursor_free(c);
  if (!ok) {
    graphs_finished(g);
    return NULL;
  }
  if (!sorted && g->n) {
    qsort(g->ids, g->n, sizeof *g->ids, id_cmp);
    size_t k = 1;
    for (size_t i = 1; i < g->n; i++) {
      if (g->ids[i] != g->ids[k - 1]) {
        g->ids[k++] = g->ids[i];
      }
    }
    g->n = k;
  }
  librdf_iterator *it = librdf_new_iterator(
      m->world, g, graphs_is_end, graphs_next, graphs_get, graphs_finished);
  if (!it) {
    graphs_finished(g);
  }
  return it;
}

static librdf_node *kgm_get_feature(librdf_storage *storage,
                                    librdf_uri *feature)
{
  instance *m = inst(storage);
  const char *f = (const char *)librdf_uri_as_string(feature);
  if (f && strcmp(f, LIBRDF_MODEL_FEATURE_CONTEXTS) == 0) {
    return librdf_new_node_from_typed_literal(
        m->world, (const unsigned char *)"1", NULL, NULL);
  }
  return NULL;
}

static int kgm_transaction_start(librdf_storage *storage)
{
  instance *m = inst(storage);
  if (m->own_txn || m->store->ops->begin(m->store, true) != KG_OK) {
    return 1;
  }
  m->own_txn = true;
  return 0;
}

static int kgm_transaction_commit(librdf_storage *storage)
{
  instance *m = inst(storage);
  if (!m->own_txn) {
    return 1;
  }
  m->own_txn = false;
  return m->store->ops->commit(m->store) == KG_OK ? 0 : 1;
}

static int kgm_transaction_rollback(librdf_storage *storage)
{
  instance *m = inst(storage);
  if (!m->own_txn) {
    return 1;
  }
  m->own_txn = false;
  m->store->ops->rollback(m->store);
  return 0;
}

static void kgm_register(librdf_storage_factory *f)
{
  f->version = LIBRDF_STORAGE_INTERFACE_VERSION;
  f->init = kgm_init;
  f->terminate = kgm_terminate;
  f->open = kgm_open;
  f->close = kgm_close;
  f->size = kgm_size;
  f->add_statement = kgm_add_statement;
  f->add_statements = kgm_add_statements;
  f->remove_statement = kgm_remove_statement;
  f->contains_statement = kgm_contains_statement;
  f->serialise = kgm_serialise;
  f->find_statements = kgm_find_statements;
  f->context_add_statement = kgm_context_add_statement;
  f->context_add_statements = kgm_context_add_statements;
  f->context_remove_statement = kgm_context_remove_statement;
  f->context_remove_statements = kgm_context_remove_statements;
  f->context_serialise = kgm_context_serialise;
  f->find_statements_in_context = kgm_find_statements_in_context;
  f->get_contexts = kgm_get_contexts;
  f->get_feature = kgm_get_feature;
  f->transaction_start = kgm_transaction_start;
  f->transaction_commit = kgm_transaction_commit;
  f->transaction_rollback = kgm_transaction_rollback;
}

kg_status kg__librdf_module_model(kg__store *store,
                                  librdf_storage **storage,
                                  librdf_model **model)
{
  *storage = NULL;
  *model = NULL;
  librdf_world *w = kg__rdf_world();
  if (registered_in != w) {
    if (librdf_storage_register_factory(w, "kgraph", "kgraph native store",
                                        kgm_register) != 0) {
      return KG_ERR_STORE;
    }
    registered_in = w;
  }
  handover = store;
  *storage = librdf_new_storage(w, "kgraph", "kgraph", NULL);
  handover = NULL;
  if (!*storage) {
    return KG_ERR_STORE;
  }
  *model = librdf_new_model(w, *storage, NULL);
  if (!*model) {
    librdf_free_storage(*storage);
    *storage = NULL;
    return KG_ERR_STORE;
  }
  return KG_OK;
}
