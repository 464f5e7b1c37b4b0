/* Opening and closing databases, per-handle errors, prefixes, limits. */
#include "db.h"

#include "store/native_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- errors ---- */

void kg__db_clear_error(kg_db *db)
{
  if (db) {
    kg__err_clear(&db->err);
    free(db->err_source);
    db->err_source = NULL;
  }
}

kg_status kg__db_take_error(kg_db *db, kg__err *e, const char *source)
{
  kg_status st = e->status != KG_OK ? e->status : KG_ERR_INTERNAL;
  kg__db_clear_error(db);
  db->err = *e;
  db->err.status = st;
  if (!db->err.msg) {
    db->err.msg = kg__strdup(kg_strstatus(st));
  }
  memset(e, 0, sizeof *e);
  db->err_source = kg__strdup(source);
  return st;
}

kg_status kg__db_fail(kg_db *db,
                      kg_status st,
                      const char *source,
                      unsigned line,
                      unsigned column,
                      const char *fmt,
                      ...)
{
  kg__err e = {0};
  va_list ap;
  va_start(ap, fmt);
  va_list aq;
  va_copy(aq, ap);
  int n = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (text) {
    (void)vsnprintf(text, (size_t)n + 1, fmt, ap);
  }
  va_end(ap);
  kg__err_set(&e, st, line, column, "%s", text ? text : kg_strstatus(st));
  free(text);
  return kg__db_take_error(db, &e, source);
}

const char *kg_errmsg(const kg_db *db)
{
  return db && db->err.msg ? db->err.msg : "";
}

kg_location kg_errloc(const kg_db *db)
{
  kg_location loc = {NULL, 0, 0};
  if (db && db->err.status != KG_OK) {
    loc.source = db->err_source;
    loc.line = db->err.line;
    loc.column = db->err.column;
  }
  return loc;
}

/* ---- the store ---- */

kg_status kg__db_store_fail(kg_db *db, const char *source, const char *what)
{
  const kg__err *e = &db->store->err;
  kg_status st = e->status != KG_OK ? e->status : KG_ERR_STORE;
  const char *msg = e->msg ? e->msg : kg_strstatus(st);
  if (what) {
    return kg__db_fail(db, st, source, 0, 0, "%s: %s", what, msg);
  }
  return kg__db_fail(db, st, source, 0, 0, "%s", msg);
}

kg_status kg__db_over_memory(kg_db *db, const kg__mem *mem, const char *what)
{
  char cap[32];
  kg__mem_cap_text(mem->cap, cap, sizeof cap);
  /* the message is not the query's to pay for */
  kg__mem *account = kg__mem_enter(NULL);
  kg_status st =
      kg__db_fail(db, KG_ERR_LIMIT, what[0] == 'q' ? "<query>" : "<update>", 0,
                  0, "%s used more than %s", what, cap);
  kg__mem_leave(account);
  return st;
}

kg_status kg__db_store_prefix(kg_db *db, const char *prefix, const char *iri)
{
  if (db->store->ops->save_prefix(db->store, prefix, iri) != KG_OK) {
    return kg__db_store_fail(db, db->path, NULL);
  }
  return KG_OK;
}

/* ---- open / close ---- */

static void set_errmsg(char **errmsg, const char *text)
{
  if (errmsg) {
    *errmsg = kg__strdup(text);
  }
}

/* What is at `path`: 0 nothing (or an empty file), 1 a SQLite file, 2 an
 * LMDB file, 3 something else; -1 with the error set. */
static int probe(kg_db *db, const char *path)
{
  struct stat sb;
  if (stat(path, &sb) != 0) {
    if (errno == ENOENT) {
      return 0;
    }
    kg__db_fail(db, KG_ERR_IO, path, 0, 0, "cannot open store: %s",
                strerror(errno));
    return -1;
  }
  if (S_ISDIR(sb.st_mode)) {
    kg__db_fail(db, KG_ERR_IO, path, 0, 0, "cannot open store: is a directory");
    return -1;
  }
  if (sb.st_size == 0) {
    return 0;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    kg__db_fail(db, KG_ERR_IO, path, 0, 0, "cannot open store: %s",
                strerror(errno));
    return -1;
  }
  char head[16] = {0};
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  if (n == sizeof head && memcmp(head, "SQLite format 3", 16) == 0) {
    return 1;
  }
  return kg__lmdb_store_probe(path) == 1 ? 2 : 3;
}

/* Finish opening a persistent store: on failure move the store's message
 * (or the status text) into the handle, located at the store. */
static kg_status opened(kg_db *db, kg_status st, kg__err *e)
{
  if (st == KG_OK) {
    return KG_OK;
  }
  if (e->status == KG_OK) {
    kg__err_set(e, st, 0, 0, "%s", kg_strstatus(st));
  }
  return kg__db_take_error(db, e, db->path);
}

static kg_status open_sqlite(kg_db *db, const char *path, int what)
{
  if (what == 2 || what == 3) {
    return kg__db_fail(db, KG_ERR_STORE, path, 0, 0,
                       "not a kgraph store (no SQLite header)");
  }
  bool exists = what == 1;
  if (!exists && !(db->flags & KG_OPEN_CREATE)) {
    return kg__db_fail(db, KG_ERR_IO, path, 0, 0,
                       "no such store (create it with kgraph load)");
  }
  if (!exists && (db->flags & KG_OPEN_READONLY)) {
    return kg__db_fail(db, KG_ERR_IO, path, 0, 0,
                       "no such store (cannot create it read-only)");
  }
  db->kind = KG__STORE_LIBRDF;
  kg__err e = {0};
  kg_status st = kg__sqlite_store_open(
      path, !exists, (db->flags & KG_OPEN_READONLY) != 0, &e, &db->store);
  return opened(db, st, &e);
}

static kg_status open_lmdb(kg_db *db, const char *path)
{
  db->kind = KG__STORE_LMDB;
  unsigned flags = ((db->flags & KG_OPEN_CREATE) ? KG__LMDB_CREATE : 0) |
                   ((db->flags & KG_OPEN_READONLY) ? KG__LMDB_READONLY : 0);
  kg__err e = {0};
  kg_status st = kg__lmdb_store_open(path, flags, &e, &db->store);
  return opened(db, st, &e);
}

/* "postgresql:SETTINGS": a store in a PostgreSQL database. Messages name
 * it without its password. */
static kg_status open_postgresql(kg_db *db, const char *settings)
{
  db->kind = KG__STORE_LIBRDF;
  kg__pg_settings cs;
  kg__err e = {0};
  kg_status st = kg__pg_settings_parse(settings, &cs, &e);
  if (st != KG_OK) {
    return kg__db_take_error(db, &e, NULL);
  }
  db->path = kg__pg_settings_name(&cs);
  if (!db->path) {
    kg__pg_settings_free(&cs);
    return kg__db_fail(db, KG_ERR_NOMEM, NULL, 0, 0, "out of memory");
  }
  st = kg__postgresql_store_open(&cs, (db->flags & KG_OPEN_CREATE) != 0,
                                 (db->flags & KG_OPEN_READONLY) != 0, &e,
                                 &db->store);
  kg__pg_settings_free(&cs);
  return opened(db, st, &e);
}

/* "bdb:DIR": Redland's "hashes" storage on Berkeley DB in directory DIR,
 * made (with the directory) by a load. */
static kg_status open_bdb(kg_db *db, const char *dir)
{
  db->kind = KG__STORE_LIBRDF;
  if (!dir[0]) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "empty store path");
  }
  db->path = kg__strdup(dir);
  if (!db->path) {
    return kg__db_fail(db, KG_ERR_NOMEM, NULL, 0, 0, "out of memory");
  }
  bool create = (db->flags & KG_OPEN_CREATE) != 0;
  bool readonly = (db->flags & KG_OPEN_READONLY) != 0;
  struct stat sb;
  kg__buf marker = {0};
  kg__buf_printf(&marker, "%s/kgraph-sp2o.db", dir);
  bool exists = marker.data && stat(marker.data, &sb) == 0;
  kg__buf_free(&marker);
  if (!exists && stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
    return kg__db_fail(db, KG_ERR_STORE, dir, 0, 0,
                       "not a bdb store (not a directory)");
  }
  if (!exists && (!create || readonly)) {
    return kg__db_fail(db, KG_ERR_IO, dir, 0, 0,
                       readonly ? "no such store (cannot create it read-only)"
                                : "no such store (create it with kgraph load)");
  }
  if (!exists && mkdir(dir, 0777) != 0 && errno != EEXIST) {
    return kg__db_fail(db, KG_ERR_IO, dir, 0, 0, "cannot create store: %s",
                       strerror(errno));
  }
  kg__err e = {0};
  kg_status st = kg__bdb_store_open(dir, !exists, readonly, &e, &db->store);
  return opened(db, st, &e);
}

/* Store specs: ":memory:"; "lmdb:PATH"; "sqlite:PATH"; "bdb:DIR";
 * "postgresql:SETTINGS"; a plain PATH is an existing SQLite or LMDB store,
 * or a new LMDB store. */
static kg_status open_store(kg_db *db, const char *spec)
{
  kg_status st = KG_OK;
  if (strcmp(spec, ":memory:") == 0 || strcmp(spec, "memory:") == 0) {
    db->kind = KG__STORE_MEMORY;
    if (kg__memory_store_open(&db->store) != KG_OK) {
      return kg__db_fail(db, KG_ERR_NOMEM, NULL, 0, 0,
                         "cannot create the in-memory store: out of memory");
    }
  } else if (strncmp(spec, "postgresql:", 11) == 0) {
    st = open_postgresql(db, spec + 11);
  } else if (strncmp(spec, "bdb:", 4) == 0) {
    st = open_bdb(db, spec + 4);
  } else {
    const char *path = spec;
    int type = 0; /* 0 plain path, 1 sqlite:, 2 lmdb: */
    if (strncmp(spec, "sqlite:", 7) == 0) {
      path = spec + 7;
      type = 1;
    } else if (strncmp(spec, "lmdb:", 5) == 0) {
      path = spec + 5;
      type = 2;
    } else if (strchr(spec, ':') && !strchr(spec, '/')) {
      const char *colon = strchr(spec, ':');
      return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0,
                         "unknown store type '%.*s' (known: :memory:, "
                         "lmdb:PATH, sqlite:PATH, bdb:DIR, "
                         "postgresql:SETTINGS, or a file path)",
                         (int)(colon - spec), spec);
    }
    if (!path[0]) {
      return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "empty store path");
    }
    db->path = kg__strdup(path);
    if (!db->path) {
      return KG_ERR_NOMEM;
    }
    int what = probe(db, path);
    if (what < 0) {
      return db->err.status;
    }
    if (type == 1 || (type == 0 && what == 1)) {
      st = open_sqlite(db, path, what);
    } else if (type == 0 && what == 3) {
      st = kg__db_fail(db, KG_ERR_STORE, path, 0, 0,
                       "not a kgraph store (neither LMDB nor SQLite)");
    } else {
      st = open_lmdb(db, path);
    }
  }
  if (st != KG_OK) {
    return st;
  }
  if (db->store->ops->load_prefixes(db->store, &db->prefixes) != KG_OK) {
    return kg__db_store_fail(db, db->path, NULL);
  }
  return KG_OK;
}

kg_status kg__db_model(kg_db *db, librdf_model **out)
{
  if (!db->model) {
    if (db->kind == KG__STORE_LIBRDF) {
      db->model = kg__librdf_store_model(db->store);
    } else if (kg__librdf_module_model(db->store, &db->storage, &db->model) !=
               KG_OK) {
      db->model = NULL;
    }
  }
  *out = db->model;
  if (!db->model) {
    return kg__db_fail(db, KG_ERR_STORE, db->path, 0, 0,
                       "cannot create a model over the store");
  }
  return KG_OK;
}

static void db_free(kg_db *db)
{
  /* A model without a storage of its own is the librdf adapter's. */
  if (db->storage && kg__redland_acquire() == KG_OK) {
    if (db->model) {
      librdf_free_model(db->model);
    }
    librdf_free_storage(db->storage);
    kg__redland_release();
  }
  if (db->store) {
    db->store->ops->close(db->store);
  }
  kg__prefixes_free(&db->prefixes);
  kg__db_clear_error(db);
  free(db->path);
  free(db);
}

kg_status
kg_db_open(const char *spec, unsigned flags, char **errmsg, kg_db **out)
{
  if (errmsg) {
    *errmsg = NULL;
  }
  if (!out) {
    set_errmsg(errmsg, "no output handle given");
    return KG_ERR_ARG;
  }
  *out = NULL;
  if (!spec) {
    set_errmsg(errmsg, "no store spec given");
    return KG_ERR_ARG;
  }
  kg_db *db = calloc(1, sizeof *db);
  if (!db) {
    set_errmsg(errmsg, kg_strstatus(KG_ERR_NOMEM));
    return KG_ERR_NOMEM;
  }
  db->flags = flags;
  kg_status st = open_store(db, spec);
  if (st != KG_OK) {
    if (errmsg) {
      kg_location at = kg_errloc(db);
      kg__buf b = {0};
      if (at.source) {
        kg__buf_printf(&b, "%s: ", at.source);
      }
      kg__buf_puts(&b, db->err.msg ? db->err.msg : kg_strstatus(st));
      *errmsg = kg__buf_take(&b);
    }
    db_free(db);
    return st;
  }
  *out = db;
  return KG_OK;
}

kg_status kg_db_close(kg_db *db)
{
  if (!db) {
    return KG_OK;
  }
  if (db->live_queries) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0,
                       "%zu queries are not finalized", db->live_queries);
  }
  db_free(db);
  return KG_OK;
}

kg_status kg_db_set_limits(kg_db *db, const kg_limits *limits)
{
  if (!db || !limits) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  db->limits = *limits;
  return KG_OK;
}

kg_status kg_db_set_progress(kg_db *db, kg_progress_fn fn, void *ctx)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  db->progress = fn;
  db->progress_ctx = ctx;
  return KG_OK;
}

/* ---- prefixes ---- */

kg_status kg_db_set_prefix(kg_db *db, const char *prefix, const char *iri)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  if (!prefix || !iri) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0,
                       "prefix and namespace IRI are required");
  }
  if (db->flags & KG_OPEN_READONLY) {
    return kg__db_fail(db, KG_ERR_DENIED, db->path, 0, 0,
                       "the store is open read-only");
  }
  kg_status st = kg__prefixes_set(&db->prefixes, prefix, iri);
  if (st != KG_OK) {
    return kg__db_fail(db, st, NULL, 0, 0, "%s", kg_strstatus(st));
  }
  return kg__db_store_prefix(db, prefix, iri);
}

size_t kg_db_prefix_count(const kg_db *db)
{
  return db ? db->prefixes.n : 0;
}

kg_status kg_db_prefix(const kg_db *db,
                       size_t index,
                       const char **prefix,
                       const char **iri)
{
  if (!db || index >= db->prefixes.n) {
    return KG_ERR_ARG;
  }
  if (prefix) {
    *prefix = db->prefixes.v[index].prefix;
  }
  if (iri) {
    *iri = db->prefixes.v[index].iri;
  }
  return KG_OK;
}
