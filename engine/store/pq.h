/* PostgreSQL for the "postgresql:" store spec: the spec's connection
 * settings, and a connection of kgraph's own (libpq, loaded on demand like
 * Redland) that tells why a server refuses a store, finds out whether the
 * store exists, and keeps its prefixes. The quads themselves go through
 * librdf's "postgresql" storage (librdf_store.c). */
#ifndef KG_STORE_PQ_H
#define KG_STORE_PQ_H

#include "../term.h"

#include <stdbool.h>

/* Connection settings of a store, every field set after parsing. */
typedef struct kg__pg_settings {
  char *host;     /* host name, address or socket directory */
  char *port;     /* port number */
  char *dbname;   /* database */
  char *user;     /* role */
  char *password; /* may be "": then libpq reads ~/.pgpass */
  char *store;    /* name of the store inside the database */
} kg__pg_settings;

/* Parse the text after "postgresql:": libpq-style `key=value` pairs
 * separated by spaces (a value may be single-quoted), keys host, port,
 * dbname, user, password and store; or, after "//", the rest of a libpq
 * URI (user:password@host:port/dbname?key=value&..., percent-encoded). What is
 * not given comes from PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD as libpq
 * would take it, then from localhost, 5432, the user name, the login name, ""
 * and "kgraph". Never puts the password in a message. */
kg_status
kg__pg_settings_parse(const char *text, kg__pg_settings *out, kg__err *err);
void kg__pg_settings_free(kg__pg_settings *s);

/* The store as messages name it, without the password:
 * "postgresql://user@host:port/dbname" (and "?store=NAME" when not the
 * default). Caller frees; NULL when out of memory. */
char *kg__pg_settings_name(const kg__pg_settings *s);

typedef struct kg__pg kg__pg;

/* Connect; on failure one line in `err` that says whether the server
 * could not be reached, refused the password, or lacks the database. */
kg_status kg__pg_connect(const kg__pg_settings *s, kg__err *err, kg__pg **out);
void kg__pg_close(kg__pg *pg);

/* Does the database hold the store named `store` (librdf's model of that
 * name)? */
kg_status
kg__pg_store_exists(kg__pg *pg, const char *store, bool *out, kg__err *err);

/* Make what a writer of `store` needs besides librdf's tables, when
 * missing: indexes on its statements, the table kgraph_prefixes, and
 * rules that let librdf's storage add nodes inside a transaction. */
kg_status kg__pg_prepare(kg__pg *pg, const char *store, kg__err *err);

/* Prefixes of `store`, kept in the table kgraph_prefixes. */
kg_status kg__pg_load_prefixes(kg__pg *pg,
                               const char *store,
                               kg__prefixes *out,
                               kg__err *err);
kg_status kg__pg_save_prefix(kg__pg *pg,
                             const char *store,
                             const char *prefix,
                             const char *iri,
                             kg__err *err);

#endif
