/* The one seam between the query API (query.c) and what evaluates SPARQL:
 * kgraph's own parser and evaluator over the database's store (exec.c). */
#ifndef KG_EXEC_H
#define KG_EXEC_H

#include "../db.h"

typedef struct kg__exec kg__exec;

/* Parse and check `text` (NUL-terminated) against `db`'s store. On error
 * `err` holds the message and location. */
kg_status kg__exec_prepare(kg_db *db,
                           const char *text,
                           const char *base,
                           kg__exec **out,
                           kg__err *err);

kg_query_kind kg__exec_kind(const kg__exec *x);
size_t kg__exec_column_count(const kg__exec *x);
const char *kg__exec_column_name(const kg__exec *x, size_t i);

/* Next result: SELECT fills row[0..ncols) (kind 0 = unbound); ASK sets
 * *boolean and returns one KG_ROW; CONSTRUCT/DESCRIBE fill row[0..3).
 * The terms are owned by the executor until the next call. Returns KG_ROW,
 * KG_DONE or an error with `err` set. */
kg_status kg__exec_next(kg__exec *x, kg_term *row, int *boolean, kg__err *err);

/* Ask a running query to stop: its next (or current) kg__exec_next()
 * fails with KG_ERR_LIMIT. Safe from another thread or a signal
 * handler. */
void kg__exec_cancel(kg__exec *x);

void kg__exec_free(kg__exec *x);

#endif
