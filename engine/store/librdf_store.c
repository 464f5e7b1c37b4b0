/* store.h over a librdf storage. Terms get IDs from a dictionary this
 * adapter keeps while open; every call takes the Redland lock. Used for
 * the persistent storages "sqlite" (prefixes in a table of kgraph's own in
 * the same SQLite file), "postgresql" (prefixes in a table of the same
 * database, through a libpq connection of kgraph's own) and "hashes" on
 * Berkeley DB (prefixes in a file beside its databases). */
#include "librdf_store.h"

#include "dict.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* A change made without a transaction, kept to undo it. */
typedef struct lr_change {
  kg__id quad[4];
  bool added;
} lr_change;

typedef struct lr_store {
  kg__store base;
  const char *kind; /* "sqlite", "postgresql", "bdb": for messages */
  char *path;       /* SQLite file, BDB directory, PostgreSQL store name */
  librdf_storage *storage;
  librdf_model *model;
  bool transactions; /* the storage has them (BDB has not) */
  bool nul_ok;       /* the storage keeps NUL characters in literals */
  sqlite3 *meta;     /* sqlite: kgraph's connection to the file */
  kg__pg *pg;        /* postgresql: kgraph's connection to the database */
  char *prefix_file; /* bdb: the prefixes, one "prefix\tIRI" a line */
  char *lock_file;   /* bdb: flock'ed by the one writer */
  int lock_fd;       /* open on lock_file while writing, else -1 */
  kg__buf undo;      /* without transactions: lr_change records since begin */
  bool readonly;
  kg__dict *dict;
  bool in_txn;
  bool write;
} lr_store;

struct kg__cursor {
  lr_store *s;
  librdf_stream *stream;
  librdf_statement *pattern;
  librdf_node *context;
  kg__id graph; /* the pattern's graph position */
};

/* ---- terms and nodes ---- */

librdf_node *kg__node_from_term(const kg_term *t)
{
  librdf_world *w = kg__rdf_world();
  switch (t->kind) {
  case KG_TERM_IRI:
    return librdf_new_node_from_uri_string(w, (const unsigned char *)t->value);
  case KG_TERM_BLANK:
    return librdf_new_node_from_blank_identifier(
        w, (const unsigned char *)t->value);
  case KG_TERM_LITERAL: {
    librdf_uri *dt = NULL;
    if (t->datatype && !t->lang) {
      dt = librdf_new_uri(w, (const unsigned char *)t->datatype);
      if (!dt) {
        return NULL;
      }
    }
    /* language tags in lower case, as the native stores keep them */
    char *lang = t->lang ? kg__strdup(t->lang) : NULL;
    kg__lang_lower(lang);
    librdf_node *n = NULL;
    if (lang || !t->lang) {
      n = librdf_new_node_from_typed_counted_literal(
          w, (const unsigned char *)t->value, t->value_len, lang,
          lang ? strlen(lang) : 0, dt);
    }
    free(lang);
    if (dt) {
      librdf_free_uri(dt);
    }
    return n;
  }
  }
  return NULL;
}

void kg__term_view(librdf_node *n, kg_term *t)
{
  memset(t, 0, sizeof *t);
  if (!n) {
    return;
  }
  size_t len = 0;
  switch (librdf_node_get_type(n)) {
  case LIBRDF_NODE_TYPE_RESOURCE:
    t->kind = KG_TERM_IRI;
    t->value = (const char *)librdf_uri_as_counted_string(
        librdf_node_get_uri(n), &len);
    t->value_len = len;
    break;
  case LIBRDF_NODE_TYPE_BLANK:
    t->kind = KG_TERM_BLANK;
    t->value = (const char *)librdf_node_get_counted_blank_identifier(n, &len);
    t->value_len = len;
    break;
  case LIBRDF_NODE_TYPE_LITERAL: {
    t->kind = KG_TERM_LITERAL;
    t->value =
        (const char *)librdf_node_get_literal_value_as_counted_string(n, &len);
    t->value_len = len;
    const char *lang = librdf_node_get_literal_value_language(n);
    t->lang = lang && lang[0] ? lang : NULL;
    librdf_uri *dt = librdf_node_get_literal_value_datatype_uri(n);
    const char *dts = dt ? (const char *)librdf_uri_as_string(dt) : NULL;
    if (dts && !t->lang && strcmp(dts, kg__xsd_string) != 0 &&
        strcmp(dts, kg__rdf_lang_string) != 0) {
      t->datatype = dts;
    }
    break;
  }
  default:
    break;
  }
  if (!t->value) {
    t->value = "";
    t->value_len = 0;
  }
}

/* ---- errors ---- */

static kg_status fail(lr_store *s, kg_status st, const char *msg)
{
  kg__err_clear(&s->base.err);
  kg__err_set(&s->base.err, st, 0, 0, "%s", msg);
  return st;
}

/* Run with the lock held and Redland's errors captured into `e`. */
static kg_status lock(kg__err *e)
{
  kg_status st = kg__redland_acquire();
  if (st == KG_OK) {
    kg__redland_capture(e);
  } else {
    kg__err_set(e, st, 0, 0, "%s", kg__redland_failure());
  }
  return st;
}

static void unlock(void)
{
  kg__redland_capture(NULL);
  kg__redland_release();
}

/* Fail with "what: Redland's message" (just the message when `what` is
 * NULL). */
static kg_status
fail_redland(lr_store *s, kg_status st, const char *what, kg__err *e)
{
  const char *msg = e->msg ? e->msg : kg_strstatus(st);
  kg__err_clear(&s->base.err);
  if (what) {
    kg__err_set(&s->base.err, st, 0, 0, "%s: %s", what, msg);
  } else {
    kg__err_set(&s->base.err, st, 0, 0, "%s", msg);
  }
  kg__err_clear(e);
  return st;
}

/* ---- dictionary ---- */

static bool term_ok(const kg_term *t)
{
  return t &&
         (t->kind == KG_TERM_IRI || t->kind == KG_TERM_BLANK ||
          t->kind == KG_TERM_LITERAL) &&
         (t->value || t->value_len == 0);
}

static kg_status id_of(lr_store *s, const kg_term *t, kg__id *out)
{
  uint64_t h = kg__term_hash(t);
  kg__id id = kg__dict_find(s->dict, t, h);
  if (id == KG__NO_ID) {
    kg_status st = kg__dict_add(s->dict, t, h, &id);
    if (st != KG_OK) {
      return fail(s, st, kg_strstatus(st));
    }
  }
  *out = id;
  return KG_OK;
}

/* Any term may be in the librdf storage without this adapter having seen
 * it yet, so a lookup gives every term an ID. */
static kg_status lr_lookup(kg__store *base, const kg_term *t, kg__id *out)
{
  *out = KG__NO_ID;
  if (!term_ok(t)) {
    return KG_OK;
  }
  return id_of((lr_store *)base, t, out);
}

static kg_status lr_intern(kg__store *base, const kg_term *t, kg__id *out)
{
  lr_store *s = (lr_store *)base;
  *out = KG__NO_ID;
  if (!s->in_txn || !s->write) {
    return fail(s, KG_ERR_ARG, "no write transaction is open");
  }
  if (!term_ok(t)) {
    return fail(s, KG_ERR_ARG, "not an RDF term");
  }
  if (t->kind == KG_TERM_LITERAL && !s->nul_ok &&
      memchr(t->value, '\0', t->value_len)) {
    kg__err_clear(&s->base.err);
    kg__err_set(&s->base.err, KG_ERR_STORE, 0, 0,
                "a literal holds a NUL character, which the %s store cannot "
                "keep",
                s->kind);
    return KG_ERR_STORE;
  }
  return id_of(s, t, out);
}

static kg_status lr_term(kg__store *base, kg__id id, kg_term *out)
{
  lr_store *s = (lr_store *)base;
  if (!kg__dict_term(s->dict, id, out)) {
    memset(out, 0, sizeof *out);
    return fail(s, KG_ERR_ARG, "unknown term ID");
  }
  return KG_OK;
}

/* Node of an ID (lock held); NULL for 0 or on failure. */
static librdf_node *node_of(lr_store *s, kg__id id)
{
  kg_term t;
  if (!id || !kg__dict_term(s->dict, id, &t)) {
    return NULL;
  }
  return kg__node_from_term(&t);
}

/* ID of a node met in the storage (lock held). */
static kg_status id_of_node(lr_store *s, librdf_node *n, kg__id *out)
{
  kg_term t;
  kg__term_view(n, &t);
  if (!t.kind) {
    *out = KG__NO_ID;
    return KG_OK;
  }
  return id_of(s, &t, out);
}

/* ---- reading ---- */

/* A statement with the nodes of the pattern (NULL parts free). */
static librdf_statement *make_pattern(lr_store *s, const kg__id q[3])
{
  librdf_node *n[3] = {NULL, NULL, NULL};
  for (int i = 0; i < 3; i++) {
    if (q[i]) {
      n[i] = node_of(s, q[i]);
      if (!n[i]) {
        for (int j = 0; j < i; j++) {
          if (n[j]) {
            librdf_free_node(n[j]);
          }
        }
        return NULL;
      }
    }
  }
  return librdf_new_statement_from_nodes(kg__rdf_world(), n[0], n[1], n[2]);
}

static void cursor_free_locked(kg__cursor *c)
{
  if (c->stream) {
    librdf_free_stream(c->stream);
  }
  if (c->pattern) {
    librdf_free_statement(c->pattern);
  }
  if (c->context) {
    librdf_free_node(c->context);
  }
  free(c);
}

static kg_status lr_match(kg__store *base,
                          const kg__id pattern[4],
                          const int *order,
                          kg__cursor **out)
{
  lr_store *s = (lr_store *)base;
  *out = NULL;
  if (order && order[0] >= 0) {
    return fail(s, KG_ERR_ARG, "the store cannot deliver that order");
  }
  kg__cursor *c = calloc(1, sizeof *c);
  if (!c) {
    return fail(s, KG_ERR_NOMEM, "out of memory");
  }
  c->s = s;
  c->graph = pattern[3];
  kg__err e = {0};
  kg_status st = lock(&e);
  if (st != KG_OK) {
    free(c);
    return fail(s, st, "cannot initialise Redland");
  }
  c->pattern = make_pattern(s, pattern);
  bool named = pattern[3] >= KG__FIRST_ID;
  if (named) {
    c->context = node_of(s, pattern[3]);
  }
  if (c->pattern && (!named || c->context)) {
    c->stream = named ? librdf_model_find_statements_in_context(
                            s->model, c->pattern, c->context)
                      : librdf_model_find_statements(s->model, c->pattern);
  }
  if (!c->stream) {
    cursor_free_locked(c);
    unlock();
    return fail_redland(s, KG_ERR_STORE, "cannot read the store", &e);
  }
  unlock();
  kg__err_clear(&e);
  *out = c;
  return KG_OK;
}

static kg_status lr_next(kg__cursor *c, kg__id quad[4])
{
  lr_store *s = c->s;
  kg__err e = {0};
  kg_status st = lock(&e);
  if (st != KG_OK) {
    return st;
  }
  st = KG_DONE;
  while (!librdf_stream_end(c->stream)) {
    librdf_statement *stmt = librdf_stream_get_object(c->stream);
    librdf_node *ctx = librdf_stream_get_context2(c->stream);
    bool keep = stmt && (c->graph == 0 || c->graph >= KG__FIRST_ID ||
                         (c->graph == KG__DEFAULT_GRAPH) == !ctx);
    if (keep) {
      st = id_of_node(s, librdf_statement_get_subject(stmt), &quad[0]);
      if (st == KG_OK) {
        st = id_of_node(s, librdf_statement_get_predicate(stmt), &quad[1]);
      }
      if (st == KG_OK) {
        st = id_of_node(s, librdf_statement_get_object(stmt), &quad[2]);
      }
      if (st == KG_OK) {
        if (c->graph >= KG__FIRST_ID) {
          quad[3] = c->graph;
        } else if (ctx) {
          st = id_of_node(s, ctx, &quad[3]);
        } else {
          quad[3] = KG__DEFAULT_GRAPH;
        }
      }
      librdf_stream_next(c->stream);
      st = st == KG_OK ? KG_ROW : st;
      break;
    }
    librdf_stream_next(c->stream);
  }
  unlock();
  if (st == KG_DONE && e.status != KG_OK) {
    st = fail_redland(s, KG_ERR_STORE, "cannot read the store", &e);
  }
  kg__err_clear(&e);
  return st;
}

static void lr_cursor_free(kg__cursor *c)
{
  if (!c) {
    return;
  }
  if (kg__redland_acquire() == KG_OK) {
    cursor_free_locked(c);
    kg__redland_release();
  }
}

static kg_status
lr_count(kg__store *base, const kg__id pattern[4], uint64_t *out, bool *exact)
{
  *out = 0;
  if (exact) {
    *exact = true;
  }
  kg__cursor *c = NULL;
  kg_status st = lr_match(base, pattern, NULL, &c);
  kg__id q[4];
  while (st == KG_OK && (st = lr_next(c, q)) == KG_ROW) {
    (*out)++;
    st = KG_OK;
  }
  lr_cursor_free(c);
  return st == KG_DONE ? KG_OK : st;
}

/* ---- writing ---- */

/* Is the quad there (lock held)? */
static bool has_quad(lr_store *s, librdf_statement *stmt, librdf_node *ctx)
{
  librdf_stream *st =
      ctx ? librdf_model_find_statements_in_context(s->model, stmt, ctx)
          : librdf_model_find_statements(s->model, stmt);
  bool found = false;
  while (st && !found && !librdf_stream_end(st)) {
    found = ctx || !librdf_stream_get_context2(st);
    librdf_stream_next(st);
  }
  if (st) {
    librdf_free_stream(st);
  }
  return found;
}

/* Add or remove one quad; *changed says whether the storage changed. */
static kg_status
write_quad(lr_store *s, const kg__id quad[4], bool add, bool *changed)
{
  *changed = false;
  kg__err e = {0};
  kg_status st = lock(&e);
  if (st != KG_OK) {
    return fail(s, st, "cannot initialise Redland");
  }
  librdf_statement *stmt = make_pattern(s, quad);
  librdf_node *ctx = quad[3] >= KG__FIRST_ID ? node_of(s, quad[3]) : NULL;
  bool complete = stmt && librdf_statement_is_complete(stmt);
  if (!complete || (quad[3] >= KG__FIRST_ID && !ctx)) {
    st = KG_ERR_ARG;
  } else {
    bool there = has_quad(s, stmt, ctx);
    if (there != add) {
      int rc;
      if (ctx) {
        rc = add ? librdf_model_context_add_statement(s->model, ctx, stmt)
                 : librdf_model_context_remove_statement(s->model, ctx, stmt);
      } else {
        rc = add ? librdf_model_add_statement(s->model, stmt)
                 : librdf_model_remove_statement(s->model, stmt);
      }
      if (rc) {
        st = KG_ERR_STORE;
      } else {
        *changed = true;
      }
    }
  }
  if (stmt) {
    librdf_free_statement(stmt);
  }
  if (ctx) {
    librdf_free_node(ctx);
  }
  unlock();
  if (st == KG_ERR_ARG) {
    kg__err_clear(&e);
    return fail(s, st, "a quad holds an unknown term ID");
  }
  if (st != KG_OK) {
    return fail_redland(s, st, NULL, &e);
  }
  kg__err_clear(&e);
  return KG_OK;
}

/* Without transactions, a write transaction keeps what it changed, and a
 * rollback undoes it (newest first). */
static kg_status log_change(lr_store *s, const kg__id quad[4], bool added)
{
  lr_change c;
  memset(&c, 0, sizeof c);
  memcpy(c.quad, quad, sizeof c.quad);
  c.added = added;
  kg__buf_append(&s->undo, &c, sizeof c);
  return s->undo.failed ? fail(s, KG_ERR_NOMEM, "out of memory") : KG_OK;
}

static kg_status
change(lr_store *s, const kg__id quad[4], bool add, bool *changed)
{
  if (changed) {
    *changed = false;
  }
  if (!s->in_txn || !s->write) {
    return fail(s, KG_ERR_ARG, "no write transaction is open");
  }
  if (quad[3] == KG__NAMED_GRAPHS || quad[3] == KG__NO_ID) {
    return fail(s, KG_ERR_ARG, "not a graph");
  }
  bool did = false;
  kg_status st = write_quad(s, quad, add, &did);
  if (st == KG_OK && did && !s->transactions) {
    st = log_change(s, quad, add);
    if (st != KG_OK) { /* what cannot be logged cannot stay */
      (void)write_quad(s, quad, !add, &did);
      did = false;
    }
  }
  if (changed) {
    *changed = did;
  }
  return st;
}

static kg_status lr_add(kg__store *base, const kg__id quad[4], bool *changed)
{
  return change((lr_store *)base, quad, true, changed);
}

static kg_status lr_remove(kg__store *base, const kg__id quad[4], bool *changed)
{
  return change((lr_store *)base, quad, false, changed);
}

/* ---- transactions ---- */

/* BDB has no locking of its own here: one writer at a time, by flock(),
 * failing at once like the LMDB store. */
static kg_status lock_writer(lr_store *s)
{
  s->lock_fd = open(s->lock_file, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (s->lock_fd < 0) {
    kg__err_clear(&s->base.err);
    kg__err_set(&s->base.err, KG_ERR_IO, 0, 0, "cannot open %s: %s",
                s->lock_file, strerror(errno));
    return KG_ERR_IO;
  }
  if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(s->lock_fd);
    s->lock_fd = -1;
    return fail(s, err == EWOULDBLOCK ? KG_ERR_STORE : KG_ERR_IO,
                err == EWOULDBLOCK ? "store is locked" : strerror(err));
  }
  return KG_OK;
}

static void unlock_writer(lr_store *s)
{
  if (s->lock_fd >= 0) {
    close(s->lock_fd); /* releases the flock */
    s->lock_fd = -1;
  }
}

static kg_status lr_begin(kg__store *base, bool write)
{
  lr_store *s = (lr_store *)base;
  if (s->in_txn) {
    return fail(s, KG_ERR_ARG, "a transaction is already open");
  }
  if (write && s->readonly) {
    return fail(s, KG_ERR_DENIED, "the store is open read-only");
  }
  if (write && s->lock_file) {
    kg_status st = lock_writer(s);
    if (st != KG_OK) {
      return st;
    }
  }
  kg__buf_free(&s->undo);
  if (write && s->transactions) {
    kg__err e = {0};
    kg_status st = lock(&e);
    if (st != KG_OK) {
      return fail(s, st, "cannot initialise Redland");
    }
    int rc = librdf_model_transaction_start(s->model);
    unlock();
    if (rc != 0) {
      return fail_redland(s, KG_ERR_STORE,
                          "cannot start a transaction (store locked?)", &e);
    }
    kg__err_clear(&e);
  }
  s->in_txn = true;
  s->write = write;
  return KG_OK;
}

/* Without transactions, a commit only makes the storage write its
 * changes to disk. */
static kg_status lr_commit(kg__store *base)
{
  lr_store *s = (lr_store *)base;
  if (!s->in_txn) {
    return fail(s, KG_ERR_ARG, "no transaction is open");
  }
  s->in_txn = false;
  if (!s->write) {
    return KG_OK;
  }
  kg__err e = {0};
  kg_status st = lock(&e);
  if (st != KG_OK) {
    return fail(s, st, "cannot initialise Redland");
  }
  int rc = s->transactions ? librdf_model_transaction_commit(s->model)
                           : librdf_model_sync(s->model);
  if (rc != 0 && s->transactions) {
    librdf_model_transaction_rollback(s->model);
  }
  unlock();
  kg__buf_free(&s->undo);
  unlock_writer(s);
  if (rc != 0) {
    return fail_redland(s, KG_ERR_STORE, "cannot commit", &e);
  }
  kg__err_clear(&e);
  return KG_OK;
}

/* Without transactions, the changes logged since begin are undone one by
 * one: nothing protects them from a crash in between. */
static void lr_rollback(kg__store *base)
{
  lr_store *s = (lr_store *)base;
  if (!s->in_txn) {
    return;
  }
  s->in_txn = false;
  if (s->write && s->transactions && kg__redland_acquire() == KG_OK) {
    librdf_model_transaction_rollback(s->model);
    kg__redland_release();
  }
  if (s->write && !s->transactions) {
    bool did = false;
    for (size_t n = s->undo.len / sizeof(lr_change); n > 0; n--) {
      lr_change c;
      memcpy(&c, s->undo.data + (n - 1) * sizeof c, sizeof c);
      (void)write_quad(s, c.quad, !c.added, &did);
    }
    kg__buf_free(&s->undo);
    if (kg__redland_acquire() == KG_OK) {
      librdf_model_sync(s->model);
      kg__redland_release();
    }
  }
  unlock_writer(s);
}

/* ---- prefixes: a table of kgraph's in the SQLite file ---- */

static kg_status meta_fail(lr_store *s)
{
  return fail(s, KG_ERR_STORE, sqlite3_errmsg(s->meta));
}

static kg_status meta_open(lr_store *s)
{
  int mode = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(s->path, &s->meta, mode, NULL) != SQLITE_OK) {
    return meta_fail(s);
  }
  sqlite3_busy_timeout(s->meta, 5000);
  if (!s->readonly) {
    char *msg = NULL;
    if (sqlite3_exec(s->meta,
                     "CREATE TABLE IF NOT EXISTS kgraph_prefixes"
                     " (prefix TEXT PRIMARY KEY, iri TEXT)",
                     NULL, NULL, &msg) != SQLITE_OK) {
      kg_status st = fail(s, KG_ERR_STORE, msg ? msg : "sqlite error");
      sqlite3_free(msg);
      return st;
    }
  }
  return KG_OK;
}

static kg_status sqlite_load_prefixes(lr_store *s, kg__prefixes *out)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(s->meta, "SELECT prefix, iri FROM kgraph_prefixes", -1,
                         &stmt, NULL) != SQLITE_OK) {
    /* A read-only store written before prefixes were kept: none. */
    return KG_OK;
  }
  kg_status st = KG_OK;
  while (st == KG_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const char *p = (const char *)sqlite3_column_text(stmt, 0);
    const char *i = (const char *)sqlite3_column_text(stmt, 1);
    if (p && i) {
      st = kg__prefixes_set(out, p, i);
    }
  }
  sqlite3_finalize(stmt);
  return st;
}

static kg_status
sqlite_save_prefix(lr_store *s, const char *prefix, const char *iri)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(s->meta,
                         "INSERT OR REPLACE INTO kgraph_prefixes VALUES (?, ?)",
                         -1, &stmt, NULL) != SQLITE_OK) {
    return meta_fail(s);
  }
  sqlite3_bind_text(stmt, 1, prefix, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, iri, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    return meta_fail(s);
  }
  return KG_OK;
}

/* ---- prefixes: a file beside the BDB databases ---- */

static kg_status file_fail(lr_store *s, const char *what)
{
  kg__err_clear(&s->base.err);
  kg__err_set(&s->base.err, KG_ERR_IO, 0, 0, "%s %s: %s", what, s->prefix_file,
              strerror(errno));
  return KG_ERR_IO;
}

static kg_status file_load_prefixes(lr_store *s, kg__prefixes *out)
{
  FILE *f = fopen(s->prefix_file, "r");
  if (!f) {
    return errno == ENOENT ? KG_OK : file_fail(s, "cannot read");
  }
  kg_status st = KG_OK;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while (st == KG_OK && (n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') {
      line[n - 1] = '\0';
    }
    char *tab = strchr(line, '\t');
    if (tab) {
      *tab = '\0';
      st = kg__prefixes_set(out, line, tab + 1);
    }
  }
  free(line);
  fclose(f);
  return st;
}

/* Rewrite the whole file (a new one renamed over the old). */
static kg_status
file_save_prefix(lr_store *s, const char *prefix, const char *iri)
{
  kg__prefixes all = {0};
  kg_status st = file_load_prefixes(s, &all);
  if (st == KG_OK) {
    st = kg__prefixes_set(&all, prefix, iri);
  }
  kg__buf tmp = {0};
  kg__buf_printf(&tmp, "%s.new", s->prefix_file);
  FILE *f = st == KG_OK && tmp.data ? fopen(tmp.data, "w") : NULL;
  if (st == KG_OK && !f) {
    st = file_fail(s, "cannot write");
  }
  for (size_t i = 0; f && i < all.n; i++) {
    fprintf(f, "%s\t%s\n", all.v[i].prefix, all.v[i].iri);
  }
  if (f && (fclose(f) != 0 || rename(tmp.data, s->prefix_file) != 0)) {
    st = file_fail(s, "cannot write");
  }
  kg__buf_free(&tmp);
  kg__prefixes_free(&all);
  return st;
}

/* ---- prefixes ---- */

static kg_status lr_load_prefixes(kg__store *base, kg__prefixes *out)
{
  lr_store *s = (lr_store *)base;
  if (s->meta) {
    return sqlite_load_prefixes(s, out);
  }
  if (s->prefix_file) {
    return file_load_prefixes(s, out);
  }
  kg__err e = {0};
  if (kg__pg_load_prefixes(s->pg, s->path, out, &e) != KG_OK) {
    return fail_redland(s, e.status, NULL, &e);
  }
  return KG_OK;
}

static kg_status
lr_save_prefix(kg__store *base, const char *prefix, const char *iri)
{
  lr_store *s = (lr_store *)base;
  if (s->readonly) {
    return fail(s, KG_ERR_DENIED, "the store is open read-only");
  }
  if (s->meta) {
    return sqlite_save_prefix(s, prefix, iri);
  }
  if (s->prefix_file) {
    return file_save_prefix(s, prefix, iri);
  }
  kg__err e = {0};
  if (kg__pg_save_prefix(s->pg, s->path, prefix, iri, &e) != KG_OK) {
    return fail_redland(s, e.status, NULL, &e);
  }
  return KG_OK;
}

/* ---- open / close ---- */

static void lr_close(kg__store *base)
{
  lr_store *s = (lr_store *)base;
  if (!s) {
    return;
  }
  lr_rollback(base);
  if ((s->model || s->storage) && kg__redland_acquire() == KG_OK) {
    if (s->model) {
      librdf_free_model(s->model);
    }
    if (s->storage) {
      librdf_free_storage(s->storage);
    }
    kg__redland_release();
  }
  if (s->meta) {
    sqlite3_close(s->meta);
  }
  kg__pg_close(s->pg);
  kg__dict_free(s->dict);
  kg__err_clear(&s->base.err);
  unlock_writer(s);
  kg__buf_free(&s->undo);
  free(s->lock_file);
  free(s->prefix_file);
  free(s->path);
  free(s);
}

static const kg__store_ops lr_ops = {
    "librdf",       lr_lookup,
    lr_intern,      lr_term,
    lr_match,       lr_next,
    lr_cursor_free, lr_count,
    lr_add,         lr_remove,
    lr_begin,       lr_commit,
    lr_rollback,    lr_load_prefixes,
    lr_save_prefix, lr_close,
    NULL,           NULL,
    NULL,
};

librdf_model *kg__librdf_store_model(kg__store *s)
{
  return s && s->ops == &lr_ops ? ((lr_store *)s)->model : NULL;
}

const char *kg__librdf_store_refuses_nul(kg__store *s)
{
  lr_store *l = s && s->ops == &lr_ops ? (lr_store *)s : NULL;
  return l && !l->nul_ok ? l->kind : NULL;
}

static lr_store *lr_new(const char *kind, const char *path, bool readonly)
{
  lr_store *s = calloc(1, sizeof *s);
  if (!s) {
    return NULL;
  }
  s->base.ops = &lr_ops;
  s->kind = kind;
  s->readonly = readonly;
  s->transactions = true;
  s->lock_fd = -1;
  s->path = kg__strdup(path);
  if (!s->path || kg__dict_new(false, &s->dict) != KG_OK) {
    lr_close(&s->base);
    return NULL;
  }
  return s;
}

/* Fail an open: move the message into `err`, close `s`. */
static kg_status
open_fail(lr_store *s, kg__err *err, kg_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static kg_status
open_fail(lr_store *s, kg__err *err, kg_status st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  kg__err_set(err, st, 0, 0, "%s", msg);
  lr_close(&s->base);
  return st;
}

/* Is the librdf storage `factory` there (lock held)? Storages other than
 * the built-in ones are modules of their own Debian packages. */
static bool have_factory(const char *factory)
{
  const char *name = NULL;
  for (unsigned i = 0;
       librdf_storage_enumerate(kg__rdf_world(), i, &name, NULL) == 0; i++) {
    if (name && strcmp(name, factory) == 0) {
      return true;
    }
  }
  return false;
}

/* Make the librdf storage `factory` named `name` with the options
 * `opts` (key, value, ..., NULL) and a model on it. */
static kg_status attach(lr_store *s,
                        const char *factory,
                        const char *package,
                        const char *name,
                        const char *const *opts,
                        kg__err *err)
{
  kg__err e = {0};
  kg_status st = lock(&e);
  if (st != KG_OK) {
    kg__err_set(err, st, 0, 0, "cannot initialise Redland: %s",
                e.msg ? e.msg : kg__redland_failure());
    kg__err_clear(&e);
    return st;
  }
  librdf_world *w = kg__rdf_world();
  if (!have_factory(factory)) {
    unlock();
    kg__err_clear(&e);
    kg__err_set(err, KG_ERR_STORE, 0, 0,
                "librdf has no storage \"%s\" (install the package %s)",
                factory, package);
    return KG_ERR_STORE;
  }
  librdf_hash *options = librdf_new_hash(w, NULL);
  for (size_t i = 0; options && opts[i]; i += 2) {
    if (librdf_hash_put_strings(options, opts[i], opts[i + 1])) {
      librdf_free_hash(options);
      options = NULL;
    }
  }
  if (options) {
    s->storage = librdf_new_storage_with_options(w, factory, name, options);
    librdf_free_hash(options);
  }
  if (s->storage) {
    s->model = librdf_new_model(w, s->storage, NULL);
  }
  unlock();
  if (!s->storage) {
    kg__err_set(err, KG_ERR_STORE, 0, 0, "cannot open store: %s",
                e.msg ? e.msg : "the storage refused it");
  } else if (!s->model) {
    kg__err_set(err, KG_ERR_STORE, 0, 0,
                "cannot create a model over the store");
  }
  kg__err_clear(&e);
  return s->model ? KG_OK : KG_ERR_STORE;
}

kg_status kg__sqlite_store_open(
    const char *path, bool create, bool readonly, kg__err *err, kg__store **out)
{
  *out = NULL;
  lr_store *s = lr_new("sqlite", path, readonly);
  if (!s) {
    return KG_ERR_NOMEM;
  }
  const char *opts[] = {"synchronous", "full", create ? "new" : NULL, "yes",
                        NULL};
  kg_status st = attach(s, "sqlite", "librdf-storage-sqlite", path, opts, err);
  if (st == KG_OK && (st = meta_open(s)) != KG_OK) {
    kg__err_set(err, st, 0, 0, "%s", s->base.err.msg);
  }
  if (st != KG_OK) {
    lr_close(&s->base);
    return st;
  }
  *out = &s->base;
  return KG_OK;
}

kg_status kg__postgresql_store_open(const kg__pg_settings *cs,
                                    bool create,
                                    bool readonly,
                                    kg__err *err,
                                    kg__store **out)
{
  *out = NULL;
  lr_store *s = lr_new("postgresql", cs->store, readonly);
  if (!s) {
    return KG_ERR_NOMEM;
  }
  kg_status st = kg__pg_connect(cs, err, &s->pg);
  bool exists = false;
  if (st == KG_OK) {
    st = kg__pg_store_exists(s->pg, cs->store, &exists, err);
  }
  if (st != KG_OK) {
    lr_close(&s->base);
    return st;
  }
  if (!exists && !create) {
    return open_fail(s, err, KG_ERR_IO,
                     "no such store (create it with kgraph load)");
  }
  if (!exists && readonly) {
    return open_fail(s, err, KG_ERR_IO,
                     "no such store (cannot create it read-only)");
  }
  /* librdf's "new" empties a store that exists: only for a new one. */
  const char *opts[] = {"host",
                        cs->host,
                        "port",
                        cs->port,
                        "database",
                        cs->dbname,
                        "user",
                        cs->user,
                        "password",
                        cs->password,
                        exists ? NULL : "new",
                        "yes",
                        NULL};
  st = attach(s, "postgresql", "librdf-storage-postgresql", cs->store, opts,
              err);
  if (st == KG_OK && !readonly) {
    st = kg__pg_prepare(s->pg, cs->store, err);
  }
  if (st != KG_OK) {
    lr_close(&s->base);
    return st;
  }
  *out = &s->base;
  return KG_OK;
}

kg_status kg__bdb_store_open(
    const char *dir, bool create, bool readonly, kg__err *err, kg__store **out)
{
  *out = NULL;
  lr_store *s = lr_new("bdb", dir, readonly);
  kg__buf file = {0};
  kg__buf_printf(&file, "%s/kgraph-prefixes", dir);
  if (!s) {
    kg__buf_free(&file);
    return KG_ERR_NOMEM;
  }
  s->prefix_file = kg__buf_take(&file);
  kg__buf_printf(&file, "%s/kgraph-lock", dir);
  s->lock_file = kg__buf_take(&file);
  if (!s->prefix_file || !s->lock_file) {
    lr_close(&s->base);
    return KG_ERR_NOMEM;
  }
  s->transactions = false;
  s->nul_ok = true;
  const char *opts[] = {"hash-type",
                        "bdb",
                        "dir",
                        dir,
                        "contexts",
                        "yes",
                        "write",
                        readonly ? "no" : "yes",
                        create ? "new" : NULL,
                        "yes",
                        NULL};
  kg_status st = attach(s, "hashes", "librdf0", "kgraph", opts, err);
  if (st != KG_OK) {
    lr_close(&s->base);
    return st;
  }
  *out = &s->base;
  return KG_OK;
}
