/* Opening and closing databases, per-handle errors, prefixes, limits. */
#include "db.h"

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

/* ---- nodes ---- */

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
    librdf_node *n = librdf_new_node_from_typed_counted_literal(
        w, (const unsigned char *)t->value, t->value_len, t->lang,
        t->lang ? strlen(t->lang) : 0, dt);
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

/* ---- kgraph's own tables in a sqlite store ---- */

static kg_status meta_exec(kg_db *db, const char *sql)
{
  char *msg = NULL;
  if (sqlite3_exec(db->meta, sql, NULL, NULL, &msg) != SQLITE_OK) {
    kg_status st = kg__db_fail(db, KG_ERR_STORE, db->path, 0, 0, "%s",
                               msg ? msg : "sqlite error");
    sqlite3_free(msg);
    return st;
  }
  return KG_OK;
}

static kg_status meta_open(kg_db *db)
{
  int mode = (db->flags & KG_OPEN_READONLY) ? SQLITE_OPEN_READONLY
                                            : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(db->path, &db->meta, mode, NULL) != SQLITE_OK) {
    return kg__db_fail(db, KG_ERR_STORE, db->path, 0, 0, "%s",
                       sqlite3_errmsg(db->meta));
  }
  sqlite3_busy_timeout(db->meta, 5000);
  if (!(db->flags & KG_OPEN_READONLY)) {
    kg_status st = meta_exec(db, "CREATE TABLE IF NOT EXISTS kgraph_prefixes"
                                 " (prefix TEXT PRIMARY KEY, iri TEXT)");
    if (st != KG_OK) {
      return st;
    }
  }
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db->meta, "SELECT prefix, iri FROM kgraph_prefixes",
                         -1, &stmt, NULL) != SQLITE_OK) {
    /* A read-only store written before prefixes were kept: none. */
    return KG_OK;
  }
  kg_status st = KG_OK;
  while (st == KG_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const char *p = (const char *)sqlite3_column_text(stmt, 0);
    const char *i = (const char *)sqlite3_column_text(stmt, 1);
    if (p && i) {
      st = kg__prefixes_set(&db->prefixes, p, i);
    }
  }
  sqlite3_finalize(stmt);
  return st;
}

kg_status kg__db_store_prefix(kg_db *db, const char *prefix, const char *iri)
{
  if (!db->meta) {
    return KG_OK;
  }
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db->meta,
                         "INSERT OR REPLACE INTO kgraph_prefixes VALUES (?, ?)",
                         -1, &stmt, NULL) != SQLITE_OK) {
    return kg__db_fail(db, KG_ERR_STORE, db->path, 0, 0, "%s",
                       sqlite3_errmsg(db->meta));
  }
  sqlite3_bind_text(stmt, 1, prefix, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, iri, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    return kg__db_fail(db, KG_ERR_STORE, db->path, 0, 0, "%s",
                       sqlite3_errmsg(db->meta));
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

/* Is `path` an existing store? 1 yes, 0 missing (or empty), -1 error set. */
static int probe_sqlite(kg_db *db, const char *path)
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
  if (n != sizeof head || memcmp(head, "SQLite format 3", 16) != 0) {
    kg__db_fail(db, KG_ERR_STORE, path, 0, 0,
                "not a kgraph store (no SQLite header)");
    return -1;
  }
  return 1;
}

static kg_status open_storage(kg_db *db, const char *spec)
{
  librdf_world *w = kg__rdf_world();
  if (strcmp(spec, ":memory:") == 0 || strcmp(spec, "memory:") == 0) {
    db->kind = KG__STORE_MEMORY;
    db->storage = librdf_new_storage(w, "hashes", "kgraph",
                                     "hash-type='memory',contexts='yes'");
  } else {
    const char *path = spec;
    if (strncmp(spec, "sqlite:", 7) == 0) {
      path = spec + 7;
    } else if (strchr(spec, ':') && !strchr(spec, '/')) {
      const char *colon = strchr(spec, ':');
      return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0,
                         "unknown store type '%.*s' (known: :memory:, "
                         "sqlite:PATH, or a file path)",
                         (int)(colon - spec), spec);
    }
    if (!path[0]) {
      return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "empty store path");
    }
    db->kind = KG__STORE_SQLITE;
    db->path = kg__strdup(path);
    if (!db->path) {
      return KG_ERR_NOMEM;
    }
    int exists = probe_sqlite(db, path);
    if (exists < 0) {
      return db->err.status;
    }
    if (!exists && !(db->flags & KG_OPEN_CREATE)) {
      return kg__db_fail(db, KG_ERR_IO, path, 0, 0,
                         "no such store (create it with kgraph load)");
    }
    if (!exists && (db->flags & KG_OPEN_READONLY)) {
      return kg__db_fail(db, KG_ERR_IO, path, 0, 0,
                         "no such store (cannot create it read-only)");
    }
    kg__err e = {0};
    kg__redland_capture(&e);
    db->storage = librdf_new_storage(w, "sqlite", path,
                                     exists ? "synchronous='full'"
                                            : "new='yes',synchronous='full'");
    kg__redland_capture(NULL);
    if (!db->storage) {
      kg_status st =
          kg__db_fail(db, KG_ERR_STORE, path, 0, 0, "cannot open store: %s",
                      e.msg ? e.msg : "sqlite storage refused it");
      kg__err_clear(&e);
      return st;
    }
    kg__err_clear(&e);
  }
  if (!db->storage) {
    return kg__db_fail(db, KG_ERR_STORE, NULL, 0, 0,
                       "cannot create the in-memory store");
  }
  db->model = librdf_new_model(w, db->storage, NULL);
  if (!db->model) {
    return kg__db_fail(db, KG_ERR_STORE, db->path, 0, 0,
                       "cannot create a model over the store");
  }
  if (db->kind == KG__STORE_SQLITE) {
    return meta_open(db);
  }
  return KG_OK;
}

static void db_free(kg_db *db)
{
  if (db->model || db->storage) {
    if (kg__redland_acquire() == KG_OK) {
      if (db->model) {
        librdf_free_model(db->model);
      }
      if (db->storage) {
        librdf_free_storage(db->storage);
      }
      kg__redland_release();
    }
  }
  if (db->meta) {
    sqlite3_close(db->meta);
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
  kg_status st = kg__redland_acquire();
  if (st != KG_OK) {
    set_errmsg(errmsg, "cannot initialise Redland");
    free(db);
    return st;
  }
  st = open_storage(db, spec);
  kg__redland_release();
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
