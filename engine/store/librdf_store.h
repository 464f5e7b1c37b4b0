/* kgraph and librdf, both ways:
 * - librdf_store.c: store.h over a librdf storage (sqlite, ...), with IDs
 *   from a dictionary of its own kept for as long as it is open;
 * - librdf_module.c: a librdf storage module named "kgraph" serving the
 *   quads of any kg__store, so that librdf's model API and Rasqal read a
 *   native store. */
#ifndef KG_STORE_LIBRDF_STORE_H
#define KG_STORE_LIBRDF_STORE_H

#include "../redland.h"
#include "pq.h"
#include "store.h"

/* Open the librdf "sqlite" storage in file `path`, a new one when
 * `create` (which must not exist yet, or be empty). Prefixes are kept in
 * a table of kgraph's in the same file. The Redland lock must NOT be held:
 * every operation of this store takes it itself. On failure the message
 * is in `err`. */
kg_status kg__sqlite_store_open(const char *path,
                                bool create,
                                bool readonly,
                                kg__err *err,
                                kg__store **out);

/* Open the store named `settings->store` in a PostgreSQL database through
 * librdf's "postgresql" storage; `create` makes it when the database does
 * not hold it yet (the database itself must exist). Prefixes are kept in
 * the table kgraph_prefixes of that database. Same rules as above. */
kg_status kg__postgresql_store_open(const kg__pg_settings *settings,
                                    bool create,
                                    bool readonly,
                                    kg__err *err,
                                    kg__store **out);

/* Open librdf's "hashes" storage on Berkeley DB, with contexts, in the
 * directory `dir` (which must exist), a new one when `create`. It has no
 * transactions: changes are written as they are made. Prefixes are kept
 * in the file kgraph-prefixes of `dir`. Same rules as above. */
kg_status kg__bdb_store_open(
    const char *dir, bool create, bool readonly, kg__err *err, kg__store **out);

/* The librdf model under an adapter store (valid while it is open; use it
 * with the Redland lock held). NULL for any other store. */
librdf_model *kg__librdf_store_model(kg__store *s);

/* The kind of an adapter store ("sqlite", "postgresql") when its storage
 * cannot keep a NUL character in a literal; NULL when it can, or for any
 * other store. */
const char *kg__librdf_store_refuses_nul(kg__store *s);

/* A librdf storage of the "kgraph" module over `store`, and a model on
 * it. The store must outlive both (free the model, then the storage).
 * Redland lock held. */
kg_status kg__librdf_module_model(kg__store *store,
                                  librdf_storage **storage,
                                  librdf_model **model);

/* librdf node of a term, and term view of a node (db.c). */
librdf_node *kg__node_from_term(const kg_term *t);
void kg__term_view(librdf_node *n, kg_term *t);

#endif
