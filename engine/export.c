/* Export and statistics: read statements out of the store as quads. */
#include "db.h"
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

/* Append the store's statements to `out`: all (graph NULL), the default
 * graph only (graph ""), or one named graph. Lock held. */
static kg_status collect(kg_db *db, const char *graph, kg__quads *out)
{
  librdf_stream *s = NULL;
  librdf_node *ctx = NULL;
  if (graph && graph[0]) {
    ctx = librdf_new_node_from_uri_string(kg__rdf_world(),
                                          (const unsigned char *)graph);
    if (!ctx) {
      return KG_ERR_NOMEM;
    }
    s = librdf_model_context_as_stream(db->model, ctx);
  } else {
    s = librdf_model_as_stream(db->model);
  }
  kg_status st = KG_OK;
  while (s && st == KG_OK && !librdf_stream_end(s)) {
    librdf_statement *stmt = librdf_stream_get_object(s);
    librdf_node *c = ctx ? ctx : librdf_stream_get_context2(s);
    if (!(graph && !graph[0] && c)) {
      kg_term t[4];
      kg__term_view(librdf_statement_get_subject(stmt), &t[0]);
      kg__term_view(librdf_statement_get_predicate(stmt), &t[1]);
      kg__term_view(librdf_statement_get_object(stmt), &t[2]);
      kg__term_view(c, &t[3]);
      st = kg__quads_push(out, &t[0], &t[1], &t[2], &t[3]);
    }
    librdf_stream_next(s);
  }
  if (s) {
    librdf_free_stream(s);
  }
  if (ctx) {
    librdf_free_node(ctx);
  }
  return st;
}

static kg_status collect_locked(kg_db *db, const char *graph, kg__quads *q)
{
  kg_status st = kg__redland_acquire();
  if (st != KG_OK) {
    return kg__db_fail(db, st, NULL, 0, 0, "cannot initialise Redland");
  }
  kg__err e = {0};
  kg__redland_capture(&e);
  st = collect(db, graph, q);
  kg__redland_capture(NULL);
  kg__redland_release();
  if (st == KG_OK && e.status != KG_OK) {
    st = KG_ERR_STORE;
  }
  if (st != KG_OK) {
    kg_status r = kg__db_fail(db, st, db->path, 0, 0, "cannot read store: %s",
                              e.msg ? e.msg : kg_strstatus(st));
    kg__err_clear(&e);
    return r;
  }
  kg__err_clear(&e);
  return KG_OK;
}

kg_status kg_db_export(
    kg_db *db, kg_format format, const char *graph, kg_sink sink, void *ctx)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  if (!sink || format <= KG_FORMAT_AUTO || format > KG_FORMAT_DOT) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0,
                       "name an export format and an output");
  }
  kg__quads q = {0};
  kg_status st = collect_locked(db, graph, &q);
  if (st == KG_OK) {
    kg__out out = {sink, ctx, false};
    st = kg__write_rdf(format, &q, &db->prefixes, &out);
    if (st == KG_ERR_IO) {
      kg__db_fail(db, st, NULL, 0, 0, "cannot write the output");
    } else if (st == KG_ERR_ARG) {
      kg__db_fail(db, st, NULL, 0, 0, "%s cannot express this graph",
                  kg_format_name(format));
    } else if (st != KG_OK) {
      kg__db_fail(db, st, NULL, 0, 0, "%s", kg_strstatus(st));
    }
  }
  kg__quads_free(&q);
  return st;
}

static int term_ptr_cmp(const void *a, const void *b)
{
  return kg__term_cmp(*(const kg_term *const *)a, *(const kg_term *const *)b);
}

/* Distinct terms in column `col` (0 s, 1 p, 2 o) of triples `q`. */
static uint64_t distinct(const kg__quads *q, int col, const kg_term **tmp)
{
  for (size_t i = 0; i < q->n; i++) {
    tmp[i] = col == 0 ? &q->v[i].s : col == 1 ? &q->v[i].p : &q->v[i].o;
  }
  qsort(tmp, q->n, sizeof *tmp, term_ptr_cmp);
  uint64_t n = 0;
  for (size_t i = 0; i < q->n; i++) {
    if (i == 0 || kg__term_cmp(tmp[i - 1], tmp[i]) != 0) {
      n++;
    }
  }
  return n;
}

kg_status kg_db_stats(kg_db *db, kg_stats *out)
{
  if (!db || !out) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  memset(out, 0, sizeof *out);
  kg__quads q = {0};
  kg_status st = collect_locked(db, NULL, &q);
  if (st != KG_OK) {
    kg__quads_free(&q);
    return st;
  }
  kg__quads_sort_unique(&q);
  out->quads = q.n;
  for (size_t i = 0; i < q.n; i++) {
    if (q.v[i].g.kind &&
        (i == 0 || kg__term_cmp(&q.v[i - 1].g, &q.v[i].g) != 0)) {
      out->graphs++;
    }
  }
  kg__quads_to_triples(&q);
  out->triples = q.n;
  const kg_term **tmp = malloc((q.n ? q.n : 1) * sizeof *tmp);
  if (!tmp) {
    kg__quads_free(&q);
    return kg__db_fail(db, KG_ERR_NOMEM, NULL, 0, 0, "out of memory");
  }
  out->subjects = distinct(&q, 0, tmp);
  out->predicates = distinct(&q, 1, tmp);
  out->objects = distinct(&q, 2, tmp);
  free(tmp);
  kg__quads_free(&q);
  return KG_OK;
}
