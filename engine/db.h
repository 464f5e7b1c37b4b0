/* The database handle and the helpers every API file uses on it. */
#ifndef KG_DB_H
#define KG_DB_H

#include "alloc.h"
#include "redland.h"
#include "store/librdf_store.h"
#include "store/store.h"
#include "term.h"

#include <stdatomic.h>

typedef enum kg__store_kind {
  KG__STORE_MEMORY, /* kgraph's native store in memory */
  KG__STORE_LMDB,   /* kgraph's native store in one LMDB file */
  KG__STORE_LIBRDF  /* a librdf storage: sqlite, postgresql, BDB hashes */
} kg__store_kind;

struct kg_db {
  kg__store_kind kind;
  unsigned flags;
  char *path;       /* a persistent store's file or directory, or its name
                     * without the password (postgresql); else NULL */
  kg__store *store; /* every read and write of quads goes through it */
  /* The store as a librdf model, made on first use by kg__db_model():
   * for a native store a storage of the "kgraph" librdf module over
   * `store`; for a librdf storage the adapter's own model (then `storage` is
   * NULL). Redland lock held while using them. */
  librdf_storage *storage;
  librdf_model *model;
  kg__prefixes prefixes;
  kg_limits limits;
  kg_default_graph default_graph; /* what a query without FROM reads */
  atomic_int interrupt;           /* set by kg_db_interrupt() */
  kg_inference inference;         /* regime kept up to date on every load */
  kg_progress_fn progress;        /* told how loads advance */
  void *progress_ctx;
  size_t live_queries; /* prepared and not yet finalized */
  kg__err err;         /* last error */
  char *err_source;    /* source named in the last error's location */
};

/* Clear the handle's last error (every API entry point calls this). */
void kg__db_clear_error(kg_db *db);
/* Record an error on the handle and return `st`. `source` may be NULL. */
kg_status kg__db_fail(kg_db *db,
                      kg_status st,
                      const char *source,
                      unsigned line,
                      unsigned column,
                      const char *fmt,
                      ...) __attribute__((format(printf, 6, 7)));
/* Fail with KG_ERR_LIMIT, "WHAT used more than N MB", for a query or an
 * update whose account `mem` went over its cap. */
kg_status kg__db_over_memory(kg_db *db, const kg__mem *mem, const char *what);
/* Move an error record into the handle (taking its message). */
kg_status kg__db_take_error(kg_db *db, kg__err *e, const char *source);

/* Conversions between kgraph terms and librdf nodes (lock held), in
 * store/librdf_store.c: kg__node_from_term returns a new node the caller
 * frees, or NULL; kg__term_view fills `t` with views into the node's
 * strings (valid while the node lives), kind 0 for NULL. */

/* The store as a librdf model (made on first use), for code that reads it
 * through librdf. Redland lock held. */
kg_status kg__db_model(kg_db *db, librdf_model **out);

/* Keep a prefix binding in the store. */
kg_status kg__db_store_prefix(kg_db *db, const char *prefix, const char *iri);

/* Fail with the store's last error as "what: message" (the message alone
 * when `what` is NULL), located at `source`. */
kg_status kg__db_store_fail(kg_db *db, const char *source, const char *what);

/* Recompute the inferred graph when the regime asks for it. Call inside
 * an open write transaction, after the changes; on failure the caller
 * rolls back (details in the store's error). */
kg_status kg__inference_refresh(kg_db *db);

#endif
