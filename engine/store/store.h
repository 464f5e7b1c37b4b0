/* The quad store interface: what every layer above the store (loading,
 * export, SPARQL evaluation, inference) uses to read and change quads.
 *
 * Terms are dictionary-encoded: each distinct RDF term of a store has a
 * fixed-size ID (kg__id, never 0). A quad is four IDs: subject, predicate,
 * object, graph. The default graph has the reserved ID KG__DEFAULT_GRAPH.
 *
 * A pattern is four IDs where 0 is a wildcard. Graph position:
 *   KG__DEFAULT_GRAPH   only the default graph,
 *   0                   any graph, the default one included,
 *   KG__NAMED_GRAPHS    any named graph (not the default one),
 *   another ID          that named graph.
 *
 * Implementations: the native store (dictionary + quad indexes, in memory
 * and on LMDB) and an adapter over any librdf storage (sqlite, ...).
 *
 * Threads: a store is used by one thread at a time (the kg_db's).
 * Lifetimes: a term view returned by kg__store_term() stays valid until the
 * store is closed (the native store never frees dictionary entries while
 * open; the adapter keeps what it handed out). */
#ifndef KG_STORE_H
#define KG_STORE_H

#include "../term.h"

#include <stdint.h>

typedef uint64_t kg__id;

enum {
  KG__NO_ID = 0,
  KG__DEFAULT_GRAPH = 1, /* the default graph, in the graph position */
  KG__NAMED_GRAPHS = 2,  /* pattern only: any named graph */
  KG__FIRST_ID = 16      /* IDs of terms start here */
};

typedef struct kg__store kg__store;
typedef struct kg__cursor kg__cursor;

typedef struct kg__store_ops {
  const char *name; /* "native-memory", "native-lmdb", "librdf-sqlite", ... */

  /* ID of `t`, or KG__NO_ID in *out when the store has never seen it. */
  kg_status (*lookup)(kg__store *s, const kg_term *t, kg__id *out);
  /* ID of `t`, adding it to the dictionary if needed (write). */
  kg_status (*intern)(kg__store *s, const kg_term *t, kg__id *out);
  /* The term with ID `id` (a view: see lifetimes above). */
  kg_status (*term)(kg__store *s, kg__id id, kg_term *out);

  /* Iterate the quads matching `pattern`. Order is unspecified, unless
   * `order` (may be NULL) names positions (0 s, 1 p, 2 o, 3 g; -1 ends)
   * the caller wants the output sorted by ID on, in that order; a store
   * returns KG_ERR_ARG when it cannot deliver that order. */
  kg_status (*match)(kg__store *s,
                     const kg__id pattern[4],
                     const int *order,
                     kg__cursor **out);
  /* Next quad: KG_ROW with quad[0..3] set, or KG_DONE. */
  kg_status (*next)(kg__cursor *c, kg__id quad[4]);
  void (*cursor_free)(kg__cursor *c);

  /* Number of quads matching `pattern`: exact when *exact is set to true,
   * else an estimate good enough to order joins. */
  kg_status (*count)(kg__store *s,
                     const kg__id pattern[4],
                     uint64_t *out,
                     bool *exact);

  /* Add or remove one quad (write). Adding a quad that is there, or
   * removing one that is not, is KG_OK and changes nothing; *changed (may
   * be NULL) says whether the store changed. */
  kg_status (*add)(kg__store *s, const kg__id quad[4], bool *changed);
  kg_status (*remove)(kg__store *s, const kg__id quad[4], bool *changed);

  /* Transactions. Every change happens between begin(write=true) and
   * commit or rollback; reads may run inside or outside one. Stores
   * without transactions (librdf hashes) emulate rollback by undoing. */
  kg_status (*begin)(kg__store *s, bool write);
  kg_status (*commit)(kg__store *s);
  void (*rollback)(kg__store *s);

  /* Namespace prefixes kept with the store (persistent stores). */
  kg_status (*load_prefixes)(kg__store *s, kg__prefixes *out);
  kg_status (*save_prefix)(kg__store *s, const char *prefix, const char *iri);

  void (*close)(kg__store *s);

  /* Small named records kept with a persistent store (NULL in a store
   * that keeps none): get_meta gives a copy of the value (the caller
   * frees it), or NULL when there is none; put_meta writes it, or deletes
   * it when `value` is NULL, inside the open write transaction. */
  kg_status (*get_meta)(kg__store *s, const char *key, char **value);
  kg_status (*put_meta)(kg__store *s, const char *key, const char *value);
  /* Commit the open write transaction and open the next one, keeping the
   * store to this writer in between (NULL: commit, then begin). On
   * failure no transaction is open. */
  kg_status (*commit_begin)(kg__store *s);
} kg__store_ops;

struct kg__store {
  const kg__store_ops *ops;
  kg__err err; /* details of the last failure */
};

#endif
