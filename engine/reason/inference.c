/* Keeping the inferred graph: the RDFS closure of the store, recomputed
 * whole inside the transaction of every change. */
#include "../db.h"
#include "rdfs.h"

#include <stdlib.h>
#include <string.h>

static const kg_term inferred_graph = {
    KG_TERM_IRI, KG_INFERRED_GRAPH, sizeof KG_INFERRED_GRAPH - 1, NULL, NULL};

/* Remove every quad of graph `gid`. */
static kg_status clear_graph(kg__store *s, kg__id gid)
{
  kg__id pat[4] = {0, 0, 0, gid};
  kg__cursor *c = NULL;
  kg__id(*ids)[4] = NULL;
  size_t n = 0;
  size_t cap = 0;
  kg_status st = s->ops->match(s, pat, NULL, &c);
  kg__id q[4];
  while (st == KG_OK && (st = s->ops->next(c, q)) == KG_ROW) {
    st = KG_OK;
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 1024;
      kg__id(*v)[4] = realloc(ids, ncap * sizeof *v);
      if (!v) {
        st = KG_ERR_NOMEM;
        break;
      }
      ids = v;
      cap = ncap;
    }
    memcpy(ids[n++], q, sizeof q);
  }
  if (c) {
    s->ops->cursor_free(c);
  }
  if (st == KG_DONE) {
    st = KG_OK;
  }
  for (size_t i = 0; i < n && st == KG_OK; i++) {
    st = s->ops->remove(s, ids[i], NULL);
  }
  free(ids);
  return st;
}

/* Every quad of the store outside graph `skip`, as terms. */
static kg_status collect(kg__store *s, kg__id skip, kg__quads *out)
{
  kg__id pat[4] = {0, 0, 0, 0};
  kg__cursor *c = NULL;
  kg_status st = s->ops->match(s, pat, NULL, &c);
  kg__id q[4];
  while (st == KG_OK && (st = s->ops->next(c, q)) == KG_ROW) {
    st = KG_OK;
    if (skip != KG__NO_ID && q[3] == skip) {
      continue;
    }
    kg_term t[3];
    for (int i = 0; i < 3 && st == KG_OK; i++) {
      st = s->ops->term(s, q[i], &t[i]);
    }
    if (st == KG_OK) {
      st = kg__quads_push(out, &t[0], &t[1], &t[2], NULL);
    }
  }
  if (c) {
    s->ops->cursor_free(c);
  }
  return st == KG_DONE ? KG_OK : st;
}

kg_status kg__inference_refresh(kg_db *db)
{
  if (db->inference == KG_INFERENCE_NONE) {
    return KG_OK;
  }
  kg__store *s = db->store;
  kg__id gid = KG__NO_ID;
  kg_status st = s->ops->lookup(s, &inferred_graph, &gid);
  if (st == KG_OK && gid != KG__NO_ID) {
    st = clear_graph(s, gid);
  }
  kg__quads in = {0};
  kg__quads out = {0};
  if (st == KG_OK) {
    st = collect(s, gid, &in);
  }
  if (st == KG_OK) {
    kg__quads_to_triples(&in);
    st = kg__rdfs_closure(&in, &inferred_graph, &out);
  }
  kg__quads_free(&in);
  if (st == KG_OK && out.n && gid == KG__NO_ID) {
    st = s->ops->intern(s, &inferred_graph, &gid);
  }
  for (size_t i = 0; i < out.n && st == KG_OK; i++) {
    kg__id q[4] = {0, 0, 0, gid};
    st = s->ops->intern(s, &out.v[i].s, &q[0]);
    if (st == KG_OK) {
      st = s->ops->intern(s, &out.v[i].p, &q[1]);
    }
    if (st == KG_OK) {
      st = s->ops->intern(s, &out.v[i].o, &q[2]);
    }
    if (st == KG_OK) {
      st = s->ops->add(s, q, NULL);
    }
  }
  kg__quads_free(&out);
  if (st != KG_OK && s->err.status == KG_OK) {
    kg__err_set(&s->err, st, 0, 0, "inference: %s", kg_strstatus(st));
  }
  return st;
}

kg_status kg_db_set_inference(kg_db *db, kg_inference regime)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  if (regime != KG_INFERENCE_NONE && regime != KG_INFERENCE_RDFS) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "unknown inference regime");
  }
  if (regime == KG_INFERENCE_NONE) {
    db->inference = regime;
    return KG_OK;
  }
  if (db->flags & KG_OPEN_READONLY) {
    return kg__db_fail(db, KG_ERR_DENIED, db->path, 0, 0,
                       "the store is open read-only");
  }
  kg__store *s = db->store;
  kg__err_clear(&s->err);
  db->inference = regime;
  kg_status st = s->ops->begin(s, true);
  if (st == KG_OK) {
    st = kg__inference_refresh(db);
    if (st == KG_OK) {
      st = s->ops->commit(s);
    } else {
      s->ops->rollback(s);
    }
  }
  if (st != KG_OK) {
    db->inference = KG_INFERENCE_NONE;
    return kg__db_store_fail(db, db->path, "cannot infer");
  }
  return KG_OK;
}
