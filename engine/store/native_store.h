/* kgraph's native quad stores: in memory and on LMDB. Both implement
 * store.h; see docs/store.md for the layout.
 *
 * Rules both follow beyond store.h:
 * - intern, add, remove and save_prefix need a write transaction
 *   (KG_ERR_ARG otherwise); one transaction at a time per store;
 * - a cursor opened inside a transaction reads that transaction and must
 *   be freed before it ends; a cursor opened outside one reads its own
 *   consistent snapshot (LMDB) or the live store (memory, where a cursor
 *   survives changes: it carries on after the last quad it returned). */
#ifndef KG_STORE_NATIVE_STORE_H
#define KG_STORE_NATIVE_STORE_H

#include "store.h"

/* A new, empty in-memory store. */
kg_status kg__memory_store_open(kg__store **out);

/* Flags for kg__lmdb_store_open(). */
enum {
  KG__LMDB_CREATE = 1u << 0,  /* create the store when the file is missing */
  KG__LMDB_READONLY = 1u << 1 /* refuse every write */
};

/* Open the LMDB store in file `path` (plus `path`-lock beside it). On
 * failure the message is in `err` and *out is NULL. KG_ERR_IO: missing
 * (without CREATE) or unreadable; KG_ERR_STORE: not a kgraph store. */
kg_status kg__lmdb_store_open(const char *path,
                              unsigned flags,
                              kg__err *err,
                              kg__store **out);

/* Is the file at `path` an LMDB store of kgraph's? 1 yes, 0 no, -1 it
 * cannot be read (errno set). */
int kg__lmdb_store_probe(const char *path);

#endif
