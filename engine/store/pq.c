/* kgraph's own PostgreSQL connection (see pq.h). libpq is not linked: it
 * is loaded the first time a "postgresql:" store is opened, as Redland
 * is, so that other stores never load it and its dependencies. */
#include "pq.h"

#include "../dl.h"

#include <dlfcn.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KG_LIBPQ_SONAME "libpq.so.5"

#define KG_PQ_FUNCTIONS(X)                                                     \
  X(PQclear)                                                                   \
  X(PQconnectdbParams)                                                         \
  X(PQconnectionNeedsPassword)                                                 \
  X(PQerrorMessage)                                                            \
  X(PQexecParams)                                                              \
  X(PQfinish)                                                                  \
  X(PQgetvalue)                                                                \
  X(PQntuples)                                                                 \
  X(PQresultErrorField)                                                        \
  X(PQresultErrorMessage)                                                      \
  X(PQresultStatus)                                                            \
  X(PQsetNoticeProcessor)                                                      \
  X(PQstatus)

static struct {
#define KG_PQ_FIELD(f) __typeof__(&f) f;
  KG_PQ_FUNCTIONS(KG_PQ_FIELD)
#undef KG_PQ_FIELD
} pq;

#define KG_PQ_SYM(f) KG_DL_SYM(pq, f)

static pthread_mutex_t pq_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pq_loaded;

/* Load libpq once; on failure the reason is in `err`. */
static kg_status pq_load(kg__err *err)
{
  pthread_mutex_lock(&pq_lock);
  if (pq_loaded) {
    pthread_mutex_unlock(&pq_lock);
    return KG_OK;
  }
  static const kg__dl_sym syms[] = {KG_PQ_FUNCTIONS(KG_PQ_SYM)};
  char why[200];
  if (!kg__dl_load(KG_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL, syms,
                   sizeof syms / sizeof *syms, why, sizeof why)) {
    kg__err_set(err, KG_ERR_STORE, 0, 0, "cannot load libpq: %s", why);
    pthread_mutex_unlock(&pq_lock);
    return KG_ERR_STORE;
  }
  pq_loaded = true; /* kept loaded for the life of the process */
  pthread_mutex_unlock(&pq_lock);
  return KG_OK;
}

/* ---- settings ---- */

void kg__pg_settings_free(kg__pg_settings *s)
{
  free(s->host);
  free(s->port);
  free(s->dbname);
  free(s->user);
  free(s->password);
  free(s->store);
  memset(s, 0, sizeof *s);
}

static char **setting(kg__pg_settings *s, const char *key, size_t len)
{
  static const char *const keys[] = {"host", "port",     "dbname",
                                     "user", "password", "store"};
  char **fields[] = {&s->host, &s->port,     &s->dbname,
                     &s->user, &s->password, &s->store};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    if (strlen(keys[i]) == len && memcmp(keys[i], key, len) == 0) {
      return fields[i];
    }
  }
  return NULL;
}

/* Read one value at *p (plain, or single-quoted with \' and \\) into a
 * new string; NULL on a missing closing quote. */
static char *read_value(const char **p, kg__buf *b)
{
  const char *c = *p;
  b->len = 0;
  kg__buf_puts(b, "");
  if (*c == '\'') {
    for (c++; *c && *c != '\''; c++) {
      if (*c == '\\' && c[1]) {
        c++;
      }
      kg__buf_putc(b, *c);
    }
    if (*c != '\'') {
      return NULL;
    }
    c++;
  } else {
    for (; *c && *c != ' ' && *c != '\t'; c++) {
      kg__buf_putc(b, *c);
    }
  }
  *p = c;
  return kg__strdup(b->data);
}

/* librdf's storage hands these values to libpq unquoted, and puts the
 * store name into SQL unescaped: refuse what it would pass wrongly. */
static bool value_ok(const char *key, const char *v)
{
  if (strcmp(key, "store") == 0) {
    if (!*v) {
      return false;
    }
    for (const char *c = v; *c; c++) {
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.')) {
        return false;
      }
    }
    return true;
  }
  return !strpbrk(v, " \t\r\n'\\");
}

static char *default_of(const char *env, const char *fallback)
{
  const char *v = getenv(env);
  return kg__strdup(v && *v ? v : fallback);
}

static char *login_name(void)
{
  struct passwd pw;
  struct passwd *found = NULL;
  char buf[1024];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found) {
    return kg__strdup(found->pw_name);
  }
  return kg__strdup("postgres");
}

/* Keep `v` (taken) as the setting `key` once it passes value_ok(). */
static kg_status set_field(
    kg__pg_settings *out, const char *key, size_t len, char *v, kg__err *err)
{
  char name[16];
  snprintf(name, sizeof name, "%.*s", (int)(len < 15 ? len : 15), key);
  char **field = setting(out, key, len);
  if (!field) {
    free(v);
    kg__err_set(err, KG_ERR_ARG, 0, 0,
                "postgresql: expected key=value with a key among host, "
                "port, dbname, user, password, store; got '%s'",
                name);
    return KG_ERR_ARG;
  }
  if (!v) {
    kg__err_set(err, KG_ERR_ARG, 0, 0,
                "postgresql: the value of %s is malformed", name);
    return KG_ERR_ARG;
  }
  if (!value_ok(name, v)) {
    free(v);
    kg__err_set(err, KG_ERR_ARG, 0, 0,
                strcmp(name, "store") == 0
                    ? "postgresql: a store name is letters, digits, '_', "
                      "'-' and '.'"
                    : "postgresql: the value of %s cannot hold spaces, "
                      "quotes or backslashes (librdf's storage passes it "
                      "to libpq unquoted)",
                name);
    return KG_ERR_ARG;
  }
  free(*field);
  *field = v;
  return KG_OK;
}

static int hex_digit(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
    return (c | 0x20) - 'a' + 10;
  }
  return -1;
}

/* `n` bytes at `s`, percent-decoded; NULL for a bad escape or %00. */
static char *decode(const char *s, size_t n)
{
  kg__buf b = {0};
  kg__buf_puts(&b, "");
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') {
      kg__buf_putc(&b, s[i]);
      continue;
    }
    int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
    int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
      kg__buf_free(&b);
      return NULL;
    }
    kg__buf_putc(&b, (char)(hi * 16 + lo));
    i += 2;
  }
  return kg__buf_take(&b);
}

/* Set `key` from the non-empty part [from, to) of a URI. */
static kg_status uri_part(kg__pg_settings *out,
                          const char *key,
                          const char *from,
                          const char *to,
                          kg__err *err)
{
  if (to <= from) {
    return KG_OK;
  }
  return set_field(out, key, strlen(key), decode(from, (size_t)(to - from)),
                   err);
}

/* "//[user[:password]@][host][:port][/dbname][?key=value&...]", as libpq
 * reads a postgresql:// URI, every part percent-decoded. */
static kg_status parse_uri(const char *c, kg__pg_settings *out, kg__err *err)
{
  const char *end = c + strcspn(c, "/?");
  const char *at = NULL;
  for (const char *a = c; a < end; a++) {
    if (*a == '@') {
      at = a;
    }
  }
  kg_status st = KG_OK;
  if (at) {
    const char *colon = memchr(c, ':', (size_t)(at - c));
    st = uri_part(out, "user", c, colon ? colon : at, err);
    if (st == KG_OK && colon) {
      st = uri_part(out, "password", colon + 1, at, err);
    }
    c = at + 1;
  }
  if (st == KG_OK && memchr(c, '[', (size_t)(end - c))) {
    kg__err_set(err, KG_ERR_ARG, 0, 0,
                "postgresql: write an IPv6 address as host=ADDRESS");
    st = KG_ERR_ARG;
  }
  const char *colon = st == KG_OK ? memchr(c, ':', (size_t)(end - c)) : NULL;
  if (st == KG_OK) {
    st = uri_part(out, "host", c, colon ? colon : end, err);
  }
  if (st == KG_OK && colon) {
    st = uri_part(out, "port", colon + 1, end, err);
  }
  c = end;
  if (st == KG_OK && *c == '/') {
    const char *q = c + 1 + strcspn(c + 1, "?");
    st = uri_part(out, "dbname", c + 1, q, err);
    c = q;
  }
  if (st == KG_OK && *c == '?') {
    c++;
    while (st == KG_OK && *c) {
      const char *amp = c + strcspn(c, "&");
      const char *eq = memchr(c, '=', (size_t)(amp - c));
      if (!eq) {
        kg__err_set(err, KG_ERR_ARG, 0, 0,
                    "postgresql: a URI parameter without '='");
        st = KG_ERR_ARG;
      } else {
        st = set_field(out, c, (size_t)(eq - c),
                       decode(eq + 1, (size_t)(amp - eq - 1)), err);
      }
      c = *amp ? amp + 1 : amp;
    }
  }
  return st;
}

/* libpq-style "key=value key='value'" pairs. */
static kg_status parse_pairs(const char *c, kg__pg_settings *out, kg__err *err)
{
  kg__buf b = {0};
  kg_status st = KG_OK;
  while (st == KG_OK) {
    while (*c == ' ' || *c == '\t') {
      c++;
    }
    if (!*c) {
      break;
    }
    const char *eq = c;
    while (*eq && *eq != '=' && *eq != ' ' && *eq != '\t') {
      eq++;
    }
    if (*eq != '=') {
      /* a word without '=' may be a stray password: never echo it */
      kg__err_set(err, KG_ERR_ARG, 0, 0,
                  "postgresql: expected key=value with a key among host, "
                  "port, dbname, user, password, store; got a word without "
                  "'='");
      st = KG_ERR_ARG;
      break;
    }
    const char *key = c;
    c = eq + 1;
    char *v = read_value(&c, &b);
    if (!v && setting(out, key, (size_t)(eq - key))) {
      kg__err_set(err, KG_ERR_ARG, 0, 0,
                  "postgresql: the value of %.*s lacks its closing quote",
                  (int)(eq - key), key);
      st = KG_ERR_ARG;
    } else {
      st = set_field(out, key, (size_t)(eq - key), v, err);
    }
  }
  kg__buf_free(&b);
  return st;
}

kg_status
kg__pg_settings_parse(const char *text, kg__pg_settings *out, kg__err *err)
{
  memset(out, 0, sizeof *out);
  kg_status st = strncmp(text, "//", 2) == 0 ? parse_uri(text + 2, out, err)
                                             : parse_pairs(text, out, err);
  if (st == KG_OK && !out->host) {
    out->host = default_of("PGHOST", "localhost");
  }
  if (st == KG_OK && !out->port) {
    out->port = default_of("PGPORT", "5432");
  }
  if (st == KG_OK && !out->user) {
    const char *u = getenv("PGUSER");
    out->user = u && *u ? kg__strdup(u) : login_name();
  }
  if (st == KG_OK && !out->dbname) {
    out->dbname = default_of("PGDATABASE", out->user ? out->user : "");
  }
  if (st == KG_OK && !out->password) {
    out->password = default_of("PGPASSWORD", "");
  }
  if (st == KG_OK && !out->store) {
    out->store = kg__strdup("kgraph");
  }
  if (st == KG_OK && (!out->host || !out->port || !out->user || !out->dbname ||
                      !out->password || !out->store)) {
    st = KG_ERR_NOMEM;
    kg__err_set(err, st, 0, 0, "out of memory");
  }
  if (st == KG_OK &&
      (!value_ok("host", out->host) || !value_ok("port", out->port) ||
       !value_ok("user", out->user) || !value_ok("dbname", out->dbname) ||
       !value_ok("password", out->password))) {
    st = KG_ERR_ARG;
    kg__err_set(err, st, 0, 0,
                "postgresql: a setting from the environment holds spaces, "
                "quotes or backslashes, which librdf's storage cannot pass");
  }
  if (st != KG_OK) {
    kg__pg_settings_free(out);
  }
  return st;
}

char *kg__pg_settings_name(const kg__pg_settings *s)
{
  kg__buf b = {0};
  kg__buf_printf(&b, "postgresql://%s@%s:%s/%s", s->user, s->host, s->port,
                 s->dbname);
  if (strcmp(s->store, "kgraph") != 0) {
    kg__buf_printf(&b, "?store=%s", s->store);
  }
  return kg__buf_take(&b);
}

/* ---- the connection ---- */

/* Notices ("relation ... already exists, skipping") are not errors:
 * libpq would print them on stderr. */
static void ignore_notice(void *arg, const char *message)
{
  (void)arg;
  (void)message;
}

struct kg__pg {
  PGconn *conn;
};

void kg__pg_close(kg__pg *pg)
{
  if (pg) {
    if (pg->conn) {
      pq.PQfinish(pg->conn);
    }
    free(pg);
  }
}

/* libpq's reason, one line: what follows "failed: " in its first line,
 * without the "FATAL:  " of a server message. */
static void reason(const char *msg, kg__buf *b)
{
  const char *start = msg ? msg : "";
  const char *f = strstr(start, "failed: ");
  if (f) {
    start = f + 8;
  }
  if (strncmp(start, "FATAL:", 6) == 0) {
    start += 6;
    while (*start == ' ') {
      start++;
    }
  }
  size_t n = strcspn(start, "\n");
  kg__buf_append(b, start, n);
}

kg_status kg__pg_connect(const kg__pg_settings *s, kg__err *err, kg__pg **out)
{
  *out = NULL;
  kg_status st = pq_load(err);
  if (st != KG_OK) {
    return st;
  }
  kg__pg *pg = calloc(1, sizeof *pg);
  if (!pg) {
    kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
    return KG_ERR_NOMEM;
  }
  const char *keys[] = {"host",
                        "port",
                        "dbname",
                        "user",
                        "password",
                        "application_name",
                        "connect_timeout",
                        NULL};
  const char *values[] = {s->host,     s->port,  s->dbname, s->user,
                          s->password, "kgraph", "10",      NULL};
  pg->conn = pq.PQconnectdbParams(keys, values, 0);
  if (pg->conn && pq.PQstatus(pg->conn) == CONNECTION_OK) {
    pq.PQsetNoticeProcessor(pg->conn, ignore_notice, NULL);
    *out = pg;
    return KG_OK;
  }
  const char *msg = pg->conn ? pq.PQerrorMessage(pg->conn) : NULL;
  kg__buf why = {0};
  reason(msg, &why);
  if (!pg->conn) {
    kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
    st = KG_ERR_NOMEM;
  } else if (pq.PQconnectionNeedsPassword(pg->conn) ||
             (msg && strstr(msg, "authentication failed"))) {
    kg__err_set(err, KG_ERR_IO, 0, 0,
                "authentication failed for user \"%s\" on the PostgreSQL "
                "server at %s:%s",
                s->user, s->host, s->port);
    st = KG_ERR_IO;
  } else if (msg && strstr(msg, "database \"") &&
             strstr(msg, "does not exist")) {
    kg__err_set(err, KG_ERR_IO, 0, 0,
                "database \"%s\" does not exist on the PostgreSQL server at "
                "%s:%s (create it with createdb)",
                s->dbname, s->host, s->port);
    st = KG_ERR_IO;
  } else if (msg && strstr(msg, "FATAL:")) {
    kg__err_set(err, KG_ERR_IO, 0, 0,
                "the PostgreSQL server at %s:%s refused the connection: %s",
                s->host, s->port, why.data ? why.data : "");
    st = KG_ERR_IO;
  } else {
    kg__err_set(err, KG_ERR_IO, 0, 0,
                "cannot reach the PostgreSQL server at %s:%s: %s", s->host,
                s->port, why.data ? why.data : "");
    st = KG_ERR_IO;
  }
  kg__buf_free(&why);
  kg__pg_close(pg);
  return st;
}

/* Run `sql` with text parameters; NULL (error in `err`) unless it
 * returned `want`. A missing table (SQLSTATE 42P01) sets *missing when
 * `missing` is not NULL, and is not an error then. */
static PGresult *run(kg__pg *pg,
                     const char *sql,
                     int n,
                     const char *const *params,
                     ExecStatusType want,
                     bool *missing,
                     kg__err *err)
{
  PGresult *r = pq.PQexecParams(pg->conn, sql, n, NULL, params, NULL, NULL, 0);
  if (r && pq.PQresultStatus(r) == want) {
    return r;
  }
  const char *state = r ? pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (missing && state && strcmp(state, "42P01") == 0) {
    *missing = true;
  } else {
    kg__buf why = {0};
    reason(r ? pq.PQresultErrorMessage(r) : pq.PQerrorMessage(pg->conn), &why);
    kg__err_set(err, KG_ERR_STORE, 0, 0, "PostgreSQL: %s",
                why.data ? why.data : "");
    kg__buf_free(&why);
  }
  if (r) {
    pq.PQclear(r);
  }
  return NULL;
}

kg_status
kg__pg_store_exists(kg__pg *pg, const char *store, bool *out, kg__err *err)
{
  bool missing = false;
  const char *params[] = {store};
  PGresult *r = run(pg, "SELECT 1 FROM models WHERE name = $1", 1, params,
                    PGRES_TUPLES_OK, &missing, err);
  *out = r && pq.PQntuples(r) > 0;
  if (r) {
    pq.PQclear(r);
  }
  return r || missing ? KG_OK : KG_ERR_STORE;
}

/* librdf's storage adds a node by inserting it and taking a unique key
 * violation as "already there"; inside a transaction that error aborts
 * the transaction. These rules make inserting a node that is there a
 * no-op instead, so that a load can run in one transaction. */
static const char *const node_rules[][2] = {
    {"kgraph_resources_once",
     "CREATE OR REPLACE RULE kgraph_resources_once AS ON INSERT TO resources "
     "WHERE EXISTS (SELECT 1 FROM resources r WHERE r.id = NEW.id) DO "
     "INSTEAD NOTHING"},
    {"kgraph_literals_once",
     "CREATE OR REPLACE RULE kgraph_literals_once AS ON INSERT TO literals "
     "WHERE EXISTS (SELECT 1 FROM literals l WHERE l.id = NEW.id) DO INSTEAD "
     "NOTHING"},
    {"kgraph_bnodes_once",
     "CREATE OR REPLACE RULE kgraph_bnodes_once AS ON INSERT TO bnodes WHERE "
     "EXISTS (SELECT 1 FROM bnodes b WHERE b.id = NEW.id) DO INSTEAD "
     "NOTHING"},
};

/* Run a statement that returns no rows. */
static kg_status command(kg__pg *pg, const char *sql, kg__err *err)
{
  PGresult *r = run(pg, sql, 0, NULL, PGRES_COMMAND_OK, NULL, err);
  if (!r) {
    return KG_ERR_STORE;
  }
  pq.PQclear(r);
  return KG_OK;
}

/* librdf's storage makes its statements table without an index: every
 * pattern, and every check before an add, would read the whole table. */
static kg_status index_statements(kg__pg *pg, const char *store, kg__err *err)
{
  const char *params[] = {store};
  PGresult *r = run(pg, "SELECT id FROM models WHERE name = $1", 1, params,
                    PGRES_TUPLES_OK, NULL, err);
  if (!r) {
    return KG_ERR_STORE;
  }
  char id[32];
  snprintf(id, sizeof id, "%s",
           pq.PQntuples(r) > 0 ? pq.PQgetvalue(r, 0, 0) : "");
  pq.PQclear(r);
  if (!id[0] || strspn(id, "0123456789") != strlen(id)) {
    kg__err_set(err, KG_ERR_STORE, 0, 0, "PostgreSQL: store %s not found",
                store);
    return KG_ERR_STORE;
  }
  static const char *const columns[][2] = {
      {"spo", "subject, predicate, object"},
      {"pos", "predicate, object"},
      {"os", "object, subject"},
      {"c", "context"},
  };
  kg_status st = KG_OK;
  for (size_t i = 0; st == KG_OK && i < 4; i++) {
    char sql[200];
    snprintf(sql, sizeof sql,
             "CREATE INDEX IF NOT EXISTS kgraph_%s_%s ON statements%s (%s)", id,
             columns[i][0], id, columns[i][1]);
    st = command(pg, sql, err);
  }
  return st;
}

kg_status kg__pg_prepare(kg__pg *pg, const char *store, kg__err *err)
{
  kg_status st = index_statements(pg, store, err);
  if (st == KG_OK) {
    st = command(pg,
                 "CREATE TABLE IF NOT EXISTS kgraph_prefixes (store "
                 "text, prefix text, iri text NOT NULL, PRIMARY KEY "
                 "(store, prefix))",
                 err);
  }
  for (size_t i = 0; st == KG_OK && i < 3; i++) {
    const char *params[] = {node_rules[i][0]};
    PGresult *r = run(pg, "SELECT 1 FROM pg_rules WHERE rulename = $1", 1,
                      params, PGRES_TUPLES_OK, NULL, err);
    if (!r) {
      st = KG_ERR_STORE;
    } else {
      bool there = pq.PQntuples(r) > 0;
      pq.PQclear(r);
      if (!there) {
        st = command(pg, node_rules[i][1], err);
      }
    }
  }
  return st;
}

kg_status kg__pg_load_prefixes(kg__pg *pg,
                               const char *store,
                               kg__prefixes *out,
                               kg__err *err)
{
  bool missing = false;
  const char *params[] = {store};
  PGresult *r =
      run(pg, "SELECT prefix, iri FROM kgraph_prefixes WHERE store = $1", 1,
          params, PGRES_TUPLES_OK, &missing, err);
  if (!r) {
    /* a store written before its prefixes were kept has none */
    return missing ? KG_OK : KG_ERR_STORE;
  }
  kg_status st = KG_OK;
  for (int i = 0; st == KG_OK && i < pq.PQntuples(r); i++) {
    st = kg__prefixes_set(out, pq.PQgetvalue(r, i, 0), pq.PQgetvalue(r, i, 1));
  }
  pq.PQclear(r);
  if (st != KG_OK) {
    kg__err_set(err, st, 0, 0, "%s", kg_strstatus(st));
  }
  return st;
}

kg_status kg__pg_save_prefix(kg__pg *pg,
                             const char *store,
                             const char *prefix,
                             const char *iri,
                             kg__err *err)
{
  const char *params[] = {store, prefix, iri};
  PGresult *r = run(pg,
                    "INSERT INTO kgraph_prefixes VALUES ($1, $2, $3) ON "
                    "CONFLICT (store, prefix) DO UPDATE SET iri = "
                    "EXCLUDED.iri",
                    3, params, PGRES_COMMAND_OK, NULL, err);
  if (r) {
    pq.PQclear(r);
  }
  return r ? KG_OK : KG_ERR_STORE;
}
