/* The public query API: prepare, step, typed access, write, finalize.
 * Limits (row cap, deadline) are enforced here, whatever evaluates. */
#include "../io/io.h"
#include "exec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kg_query {
  kg_db *db;
  kg__exec *exec;
  kg_query_kind kind;
  kg_term triple[3];
  kg_term *row; /* views, valid until the next step */
  const kg_term **values;
  int boolean;
  bool has_row;
  bool finished;
  uint64_t rows;
  uint64_t deadline_ms; /* monotonic; 0 = none */
  kg__mem mem;          /* what the query holds, against max_memory */
};

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A call on `q` that failed because the query used more memory than
 * allowed fails with KG_ERR_LIMIT; others keep their error. */
static kg_status over_memory(kg_db *db, const kg__mem *mem, kg_status st)
{
  if (st == KG_OK || st == KG_ROW || st == KG_DONE || !mem->exceeded) {
    return st;
  }
  return kg__db_over_memory(db, mem, "query");
}

static kg_status fail_with(kg_db *db, kg__err *e, kg_status st)
{
  if (e->status == KG_OK) {
    kg__err_set(e, st, 0, 0, "%s", kg_strstatus(st));
  }
  e->status = st;
  return kg__db_take_error(db, e, "<query>");
}

kg_status kg_query_prepare(
    kg_db *db, const char *text, size_t len, const char *base, kg_query **out)
{
  if (!out) {
    return KG_ERR_ARG;
  }
  *out = NULL;
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  if (!text) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "no query text given");
  }
  if (memchr(text, '\0', len)) {
    return kg__db_fail(db, KG_ERR_PARSE, "<query>", 0, 0,
                       "NUL byte in query text");
  }
  atomic_store(&db->interrupt, 0);
  char *copy = kg__strndup(text, len);
  kg_query *q = calloc(1, sizeof *q);
  if (!copy || !q) {
    free(copy);
    free(q);
    return kg__db_fail(db, KG_ERR_NOMEM, NULL, 0, 0, "out of memory");
  }
  q->db = db;
  q->mem.cap = db->limits.max_memory;
  kg__mem *outer = kg__mem_enter(&q->mem);
  kg__err e = {0};
  kg_status st = kg__exec_prepare(db, copy, base, &q->exec, &e);
  kg__mem_leave(outer);
  free(copy);
  if (st != KG_OK) {
    kg__mem mem = q->mem;
    free(q);
    return over_memory(db, &mem, fail_with(db, &e, st));
  }
  q->kind = kg__exec_kind(q->exec);
  size_t n = kg__exec_column_count(q->exec);
  q->row = calloc(n ? n : 1, sizeof *q->row);
  q->values = calloc(n ? n : 1, sizeof *q->values);
  if (!q->row || !q->values) {
    kg__exec_free(q->exec);
    free(q->row);
    free(q->values);
    free(q);
    return kg__db_fail(db, KG_ERR_NOMEM, NULL, 0, 0, "out of memory");
  }
  if (db->limits.timeout_ms) {
    q->deadline_ms = now_ms() + db->limits.timeout_ms;
  }
  db->live_queries++;
  *out = q;
  return KG_OK;
}

kg_status kg_db_set_default_graph(kg_db *db, kg_default_graph mode)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  if (mode != KG_DEFAULT_GRAPH_OWN && mode != KG_DEFAULT_GRAPH_UNION) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0,
                       "unknown default graph mode");
  }
  db->default_graph = mode;
  return KG_OK;
}

kg_query_kind kg_query_kind_of(const kg_query *q)
{
  return q ? q->kind : KG_QUERY_SELECT;
}

static kg_status step(kg_query *q)
{
  kg_db *db = q->db;
  kg__db_clear_error(db);
  q->has_row = false;
  if (q->finished) {
    return KG_DONE;
  }
  if (q->deadline_ms && now_ms() > q->deadline_ms) {
    q->finished = true;
    return kg__db_fail(db, KG_ERR_LIMIT, "<query>", 0, 0,
                       "query timed out after %llu ms",
                       (unsigned long long)db->limits.timeout_ms);
  }
  kg__err e = {0};
  kg_term *dest = q->kind == KG_QUERY_SELECT ? q->row : q->triple;
  kg_status st = kg__exec_next(q->exec, dest, &q->boolean, &e);
  if (st == KG_DONE) {
    q->finished = true;
    kg__err_clear(&e);
    return KG_DONE;
  }
  if (st != KG_ROW) {
    q->finished = true;
    return fail_with(db, &e, st);
  }
  kg__err_clear(&e);
  if (q->deadline_ms && now_ms() > q->deadline_ms) {
    q->finished = true;
    return kg__db_fail(db, KG_ERR_LIMIT, "<query>", 0, 0,
                       "query timed out after %llu ms",
                       (unsigned long long)db->limits.timeout_ms);
  }
  if (db->limits.max_rows && q->rows >= db->limits.max_rows &&
      q->kind != KG_QUERY_ASK) {
    q->finished = true;
    return kg__db_fail(db, KG_ERR_LIMIT, "<query>", 0, 0,
                       "more than %llu results",
                       (unsigned long long)db->limits.max_rows);
  }
  q->rows++;
  q->has_row = true;
  size_t n = kg__exec_column_count(q->exec);
  for (size_t i = 0; q->kind == KG_QUERY_SELECT && i < n; i++) {
    q->values[i] = q->row[i].kind ? &q->row[i] : NULL;
  }
  return KG_ROW;
}

kg_status kg_query_step(kg_query *q)
{
  if (!q) {
    return KG_ERR_ARG;
  }
  kg__mem *outer = kg__mem_enter(&q->mem);
  kg_status st = step(q);
  kg__mem_leave(outer);
  return over_memory(q->db, &q->mem, st);
}

size_t kg_query_column_count(const kg_query *q)
{
  return q ? kg__exec_column_count(q->exec) : 0;
}

const char *kg_query_column_name(const kg_query *q, size_t i)
{
  return q ? kg__exec_column_name(q->exec, i) : NULL;
}

const kg_term *kg_query_value(const kg_query *q, size_t i)
{
  if (!q || !q->has_row || q->kind != KG_QUERY_SELECT ||
      i >= kg__exec_column_count(q->exec)) {
    return NULL;
  }
  return q->values[i];
}

int kg_query_boolean(const kg_query *q)
{
  return q ? q->boolean : 0;
}

kg_status kg_query_triple(const kg_query *q,
                          const kg_term **s,
                          const kg_term **p,
                          const kg_term **o)
{
  if (!q || !q->has_row ||
      (q->kind != KG_QUERY_CONSTRUCT && q->kind != KG_QUERY_DESCRIBE)) {
    return KG_ERR_ARG;
  }
  if (s) {
    *s = &q->triple[0];
  }
  if (p) {
    *p = &q->triple[1];
  }
  if (o) {
    *o = &q->triple[2];
  }
  return KG_OK;
}

static kg_status write_select(kg_query *q, kg_results_format fmt, kg__out *out)
{
  size_t n = kg__exec_column_count(q->exec);
  const char **names = calloc(n ? n : 1, sizeof *names);
  if (!names) {
    return kg__db_fail(q->db, KG_ERR_NOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    names[i] = kg__exec_column_name(q->exec, i);
  }
  kg__results_writer *w = NULL;
  kg_status st = kg__results_begin(fmt, out, n, names, &w);
  free(names);
  if (st != KG_OK) {
    return kg__db_fail(q->db, st, NULL, 0, 0, "cannot write results: %s",
                       kg_strstatus(st));
  }
  while ((st = kg_query_step(q)) == KG_ROW) {
    st = kg__results_row(w, q->values);
    if (st != KG_OK) {
      kg__results_abort(w);
      return kg__db_fail(q->db, st, NULL, 0, 0, "cannot write results: %s",
                         st == KG_ERR_ARG ? "a value cannot be written in "
                                            "this format"
                                          : kg_strstatus(st));
    }
  }
  if (st != KG_DONE) {
    kg__results_abort(w);
    return st; /* error already recorded by kg_query_step */
  }
  st = kg__results_end(w);
  if (st != KG_OK) {
    return kg__db_fail(q->db, st, NULL, 0, 0, "cannot write results: %s",
                       kg_strstatus(st));
  }
  return KG_OK;
}

static kg_status write_graph(kg_query *q, kg_format fmt, kg__out *out)
{
  kg__quads quads = {0};
  kg_status st;
  while ((st = kg_query_step(q)) == KG_ROW) {
    st = kg__quads_push(&quads, &q->triple[0], &q->triple[1], &q->triple[2],
                        NULL);
    if (st != KG_OK) {
      kg__quads_free(&quads);
      return kg__db_fail(q->db, st, NULL, 0, 0, "out of memory");
    }
  }
  if (st != KG_DONE) {
    kg__quads_free(&quads);
    return st;
  }
  st = kg__write_rdf(fmt, &quads, &q->db->prefixes, out);
  kg__quads_free(&quads);
  if (st != KG_OK) {
    return kg__db_fail(q->db, st, NULL, 0, 0, "cannot write the graph: %s",
                       st == KG_ERR_ARG ? "the format cannot express it"
                                        : kg_strstatus(st));
  }
  return KG_OK;
}

static kg_status write_results(kg_query *q,
                               kg_results_format results,
                               kg_format graph_format,
                               kg_sink sink,
                               void *ctx)
{
  kg__db_clear_error(q->db);
  if (!sink) {
    return kg__db_fail(q->db, KG_ERR_ARG, NULL, 0, 0, "no output given");
  }
  kg__out out = {sink, ctx, false};
  switch (q->kind) {
  case KG_QUERY_SELECT:
    if (results < KG_RESULTS_JSON || results > KG_RESULTS_TABLE) {
      return kg__db_fail(q->db, KG_ERR_ARG, NULL, 0, 0,
                         "unknown result format");
    }
    return write_select(q, results, &out);
  case KG_QUERY_ASK: {
    if (results < KG_RESULTS_JSON || results > KG_RESULTS_TABLE) {
      return kg__db_fail(q->db, KG_ERR_ARG, NULL, 0, 0,
                         "unknown result format");
    }
    kg_status st = kg_query_step(q);
    if (st != KG_ROW) {
      return st == KG_DONE ? kg__db_fail(q->db, KG_ERR_ARG, NULL, 0, 0,
                                         "the answer was already read")
                           : st;
    }
    st = kg__results_boolean(results, &out, q->boolean);
    if (st != KG_OK) {
      return kg__db_fail(q->db, st, NULL, 0, 0, "cannot write results: %s",
                         kg_strstatus(st));
    }
    return KG_OK;
  }
  case KG_QUERY_CONSTRUCT:
  case KG_QUERY_DESCRIBE:
    if (graph_format <= KG_FORMAT_AUTO || graph_format > KG_FORMAT_DOT) {
      return kg__db_fail(q->db, KG_ERR_ARG, NULL, 0, 0, "unknown RDF format");
    }
    return write_graph(q, graph_format, &out);
  }
  return KG_ERR_INTERNAL;
}

kg_status kg_query_write(kg_query *q,
                         kg_results_format results,
                         kg_format graph_format,
                         kg_sink sink,
                         void *ctx)
{
  if (!q) {
    return KG_ERR_ARG;
  }
  kg__mem *outer = kg__mem_enter(&q->mem);
  kg_status st = write_results(q, results, graph_format, sink, ctx);
  kg__mem_leave(outer);
  return over_memory(q->db, &q->mem, st);
}

void kg_query_cancel(kg_query *q)
{
  if (q) {
    kg__exec_cancel(q->exec);
  }
}

void kg_db_interrupt(kg_db *db)
{
  if (db) {
    atomic_store(&db->interrupt, 1);
  }
}

void kg_query_finalize(kg_query *q)
{
  if (!q) {
    return;
  }
  kg__exec_free(q->exec);
  free(q->row);
  free(q->values);
  q->db->live_queries--;
  free(q);
}
