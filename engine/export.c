/* Export and statistics: read statements out of the store as quads. */
#include "db.h"
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

/* The pattern of a graph argument: all quads (graph NULL), the default
 * graph (""), or one named graph. False when that graph cannot exist. */
static bool graph_pattern(kg_db *db, const char *graph, kg__id pat[4])
{
  pat[0] = pat[1] = pat[2] = pat[3] = 0;
  if (!graph) {
    return true;
  }
  if (!graph[0]) {
    pat[3] = KG__DEFAULT_GRAPH;
    return true;
  }
  kg_term g = {KG_TERM_IRI, graph, strlen(graph), NULL, NULL};
  return db->store->ops->lookup(db->store, &g, &pat[3]) == KG_OK &&
         pat[3] != KG__NO_ID;
}

/* Append the store's statements to `out`: all (graph NULL), the default
 * graph only (graph ""), or one named graph. */
static kg_status collect(kg_db *db, const char *graph, kg__quads *out)
{
  kg__store *s = db->store;
  kg__id pat[4];
  if (!graph_pattern(db, graph, pat)) {
    return KG_OK;
  }
  kg__cursor *c = NULL;
  kg_status st = s->ops->match(s, pat, NULL, &c);
  kg__id q[4];
  while (st == KG_OK && (st = s->ops->next(c, q)) == KG_ROW) {
    kg_term t[4];
    memset(&t[3], 0, sizeof t[3]);
    st = KG_OK;
    for (int i = 0; i < 4 && st == KG_OK; i++) {
      if (i < 3 || q[3] != KG__DEFAULT_GRAPH) {
        st = s->ops->term(s, q[i], &t[i]);
      }
    }
    if (st == KG_OK) {
      st = kg__quads_push(out, &t[0], &t[1], &t[2], &t[3]);
    }
  }
  if (c) {
    s->ops->cursor_free(c);
  }
  if (st == KG_DONE) {
    return KG_OK;
  }
  if (st == KG_ERR_NOMEM && s->err.status == KG_OK) {
    return kg__db_fail(db, st, NULL, 0, 0, "out of memory");
  }
  return kg__db_store_fail(db, db->path, "cannot read store");
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
  kg_status st = collect(db, graph, &q);
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

static int quad_cmp(const void *a, const void *b)
{
  const kg__id *x = a;
  const kg__id *y = b;
  for (int i = 0; i < 4; i++) {
    if (x[i] != y[i]) {
      return x[i] < y[i] ? -1 : 1;
    }
  }
  return 0;
}

static int id_cmp(const void *a, const void *b)
{
  kg__id x = *(const kg__id *)a;
  kg__id y = *(const kg__id *)b;
  return x < y ? -1 : x > y;
}

/* Distinct values of position `pos` over the quads. */
static uint64_t distinct(kg__id (*q)[4], size_t n, int pos, kg__id *tmp)
{
  for (size_t i = 0; i < n; i++) {
    tmp[i] = q[i][pos];
  }
  qsort(tmp, n, sizeof *tmp, id_cmp);
  uint64_t d = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || tmp[i] != tmp[i - 1]) {
      d++;
    }
  }
  return d;
}

/* Every quad of the store as IDs, sorted (graph, s, p, o), no duplicates. */
static kg_status collect_ids(kg_db *db, kg__id (**out)[4], size_t *n)
{
  kg__store *s = db->store;
  kg__id all[4] = {0, 0, 0, 0};
  kg__id(*q)[4] = NULL;
  size_t cap = 0;
  *n = 0;
  kg__cursor *c = NULL;
  kg_status st = s->ops->match(s, all, NULL, &c);
  kg__id quad[4];
  while (st == KG_OK && (st = s->ops->next(c, quad)) == KG_ROW) {
    st = KG_OK;
    if (*n == cap) {
      cap = cap ? cap * 2 : 1024;
      kg__id(*v)[4] = realloc(q, cap * sizeof *v);
      if (!v) {
        st = KG_ERR_NOMEM;
        break;
      }
      q = v;
    }
    /* graph first, so that sorting groups the graphs */
    q[*n][0] = quad[3];
    q[*n][1] = quad[0];
    q[*n][2] = quad[1];
    q[*n][3] = quad[2];
    (*n)++;
  }
  if (c) {
    s->ops->cursor_free(c);
  }
  if (st != KG_DONE) {
    free(q);
    *n = 0;
    if (st == KG_ERR_NOMEM) {
      return kg__db_fail(db, st, NULL, 0, 0, "out of memory");
    }
    return kg__db_store_fail(db, db->path, "cannot read store");
  }
  if (*n) {
    qsort(q, *n, sizeof *q, quad_cmp);
    size_t k = 1;
    for (size_t i = 1; i < *n; i++) {
      if (quad_cmp(q[i], q[k - 1]) != 0) {
        memcpy(q[k++], q[i], sizeof q[i]);
      }
    }
    *n = k;
  }
  *out = q;
  return KG_OK;
}

kg_status kg_db_stats(kg_db *db, kg_stats *out)
{
  if (!db || !out) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  memset(out, 0, sizeof *out);
  kg__id(*q)[4] = NULL;
  size_t n = 0;
  kg_status st = collect_ids(db, &q, &n);
  if (st != KG_OK) {
    return st;
  }
  out->quads = n;
  for (size_t i = 0; i < n; i++) {
    if (q[i][0] != KG__DEFAULT_GRAPH && (i == 0 || q[i][0] != q[i - 1][0])) {
      out->graphs++;
    }
  }
  kg__id *tmp = malloc((n ? n : 1) * sizeof *tmp);
  if (!tmp) {
    free(q);
    return kg__db_fail(db, KG_ERR_NOMEM, NULL, 0, 0, "out of memory");
  }
  out->subjects = distinct(q, n, 1, tmp);
  out->predicates = distinct(q, n, 2, tmp);
  out->objects = distinct(q, n, 3, tmp);
  /* distinct triples: drop the graph, sort again */
  for (size_t i = 0; i < n; i++) {
    q[i][0] = 0;
  }
  if (n) {
    qsort(q, n, sizeof *q, quad_cmp);
  }
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || quad_cmp(q[i], q[i - 1]) != 0) {
      out->triples++;
    }
  }
  free(tmp);
  free(q);
  return KG_OK;
}
