/* SPARQL evaluation through Rasqal's engine over the librdf model.
 *
 * Rasqal parses the query twice: once here, through its own API, so that
 * kgraph can see what the query asks for before anything runs (and refuse
 * SERVICE and FROM, which would make Rasqal fetch IRIs the caller did not
 * name), and once inside librdf_model_query_execute(). */
#include "exec.h"

#include <stdlib.h>
#include <string.h>

struct kg__exec {
  kg_db *db;
  kg_query_kind kind;
  size_t ncols;
  char **names;
  librdf_query *query;
  librdf_query_results *results;
  librdf_stream *triples;  /* CONSTRUCT / DESCRIBE */
  librdf_node *held[3];    /* nodes behind the current row's terms */
  librdf_node **row_nodes; /* SELECT: ncols nodes of the current row */
  bool started;
  bool done;
  bool empty_template; /* CONSTRUCT {}: Rasqal must not run it */
  char *text;          /* kept until execution starts */
  char *base;
};

static int find_service(rasqal_query *q, rasqal_graph_pattern *gp, void *data)
{
  (void)q;
  if (rasqal_graph_pattern_get_operator(gp) ==
      RASQAL_GRAPH_PATTERN_OPERATOR_SERVICE) {
    *(bool *)data = true;
    return 1;
  }
  return 0;
}

/* Parse with Rasqal and decide whether the query may run. Lock held. */
static kg_status
inspect(kg__exec *x, const char *text, const char *base, kg__err *err)
{
  rasqal_world *rw = kg__rasqal_world();
  rasqal_query *rq = rasqal_new_query(rw, "sparql11-query", NULL);
  if (!rq) {
    return KG_ERR_NOMEM;
  }
  raptor_uri *base_uri =
      base ? raptor_new_uri(kg__raptor_world(), (const unsigned char *)base)
           : NULL;
  kg_status st = KG_OK;
  kg__redland_capture(err);
  int rc = rasqal_query_prepare(rq, (const unsigned char *)text, base_uri);
  kg__redland_capture(NULL);
  if (rc != 0) {
    kg__err_set(err, KG_ERR_PARSE, 0, 0, "SPARQL syntax error");
    st = KG_ERR_PARSE;
    goto done;
  }
  switch (rasqal_query_get_verb(rq)) {
  case RASQAL_QUERY_VERB_SELECT:
    x->kind = KG_QUERY_SELECT;
    break;
  case RASQAL_QUERY_VERB_ASK:
    x->kind = KG_QUERY_ASK;
    break;
  case RASQAL_QUERY_VERB_CONSTRUCT: {
    x->kind = KG_QUERY_CONSTRUCT;
    raptor_sequence *t = rasqal_query_get_construct_triples_sequence(rq);
    x->empty_template = !t || raptor_sequence_size(t) == 0;
    break;
  }
  case RASQAL_QUERY_VERB_DESCRIBE:
    x->kind = KG_QUERY_DESCRIBE;
    break;
  default:
    kg__err_set(err, KG_ERR_QUERY, 0, 0,
                "SPARQL Update is not a query (use kgraph update)");
    st = KG_ERR_QUERY;
    goto done;
  }
  raptor_sequence *graphs = rasqal_query_get_data_graph_sequence(rq);
  if (graphs && raptor_sequence_size(graphs) > 0) {
    kg__err_set(err, KG_ERR_DENIED, 0, 0,
                "FROM and FROM NAMED are refused: they would read IRIs "
                "the caller did not name (load the data first)");
    st = KG_ERR_DENIED;
    goto done;
  }
  bool service = false;
  rasqal_query_graph_pattern_visit2(rq, find_service, &service);
  if (service) {
    kg__err_set(err, KG_ERR_DENIED, 0, 0,
                "SERVICE is refused: kgraph never reaches the network");
    st = KG_ERR_DENIED;
    goto done;
  }
  if (x->kind == KG_QUERY_SELECT) {
    raptor_sequence *vars = rasqal_query_get_bound_variable_sequence(rq);
    int n = vars ? raptor_sequence_size(vars) : 0;
    x->ncols = n > 0 ? (size_t)n : 0;
    x->names = calloc(x->ncols ? x->ncols : 1, sizeof *x->names);
    x->row_nodes = calloc(x->ncols ? x->ncols : 1, sizeof *x->row_nodes);
    if (!x->names || !x->row_nodes) {
      st = KG_ERR_NOMEM;
      goto done;
    }
    for (size_t i = 0; i < x->ncols; i++) {
      rasqal_variable *v = raptor_sequence_get_at(vars, (int)i);
      x->names[i] = kg__strdup((const char *)v->name);
      if (!x->names[i]) {
        st = KG_ERR_NOMEM;
        goto done;
      }
    }
  }
done:
  if (base_uri) {
    raptor_free_uri(base_uri);
  }
  rasqal_free_query(rq);
  return st;
}

static kg_status
start(kg__exec *x, const char *text, const char *base, kg__err *err)
{
  librdf_world *w = kg__rdf_world();
  librdf_uri *base_uri =
      base ? librdf_new_uri(w, (const unsigned char *)base) : NULL;
  if (base && !base_uri) {
    return KG_ERR_NOMEM;
  }
  kg__redland_capture(err);
  x->query = librdf_new_query(w, "sparql11-query", NULL,
                              (const unsigned char *)text, base_uri);
  if (x->query) {
    x->results = librdf_model_query_execute(x->db->model, x->query);
  }
  kg__redland_capture(NULL);
  if (base_uri) {
    librdf_free_uri(base_uri);
  }
  if (!x->query || !x->results) {
    kg__err_set(err, KG_ERR_QUERY, 0, 0, "query execution failed");
    return err->status;
  }
  if (x->kind == KG_QUERY_CONSTRUCT || x->kind == KG_QUERY_DESCRIBE) {
    x->triples = librdf_query_results_as_stream(x->results);
    if (!x->triples) {
      x->done = true; /* an empty graph */
    }
  }
  return KG_OK;
}

kg_status kg__exec_prepare(
    kg_db *db, const char *text, const char *base, kg__exec **out, kg__err *err)
{
  *out = NULL;
  kg__exec *x = calloc(1, sizeof *x);
  if (!x) {
    return KG_ERR_NOMEM;
  }
  x->db = db;
  kg_status st = kg__redland_acquire();
  if (st != KG_OK) {
    free(x);
    return st;
  }
  st = inspect(x, text, base, err);
  kg__redland_release();
  if (st == KG_OK && x->empty_template) {
    x->done = true;
  } else if (st == KG_OK) {
    /* Execution starts at the first kg__exec_next(). */
    x->text = kg__strdup(text);
    x->base = base ? kg__strdup(base) : NULL;
    if (!x->text || (base && !x->base)) {
      st = KG_ERR_NOMEM;
    }
  }
  if (st != KG_OK) {
    if (err->status == KG_OK) {
      kg__err_set(err, st, 0, 0, "%s", kg_strstatus(st));
    }
    kg__exec_free(x);
    return st;
  }
  *out = x;
  return KG_OK;
}

kg_query_kind kg__exec_kind(const kg__exec *x)
{
  return x->kind;
}

size_t kg__exec_column_count(const kg__exec *x)
{
  return x->ncols;
}

const char *kg__exec_column_name(const kg__exec *x, size_t i)
{
  return i < x->ncols ? x->names[i] : NULL;
}

static void drop_row(kg__exec *x)
{
  for (size_t i = 0; i < x->ncols; i++) {
    if (x->row_nodes[i]) {
      librdf_free_node(x->row_nodes[i]);
      x->row_nodes[i] = NULL;
    }
  }
  for (size_t i = 0; i < 3; i++) {
    x->held[i] = NULL; /* borrowed from the stream's statement */
  }
}

static kg_status
next_locked(kg__exec *x, kg_term *row, int *boolean, kg__err *err)
{
  drop_row(x);
  if (x->done) {
    return KG_DONE;
  }
  if (!x->query) {
    kg_status st = start(x, x->text, x->base, err);
    if (st != KG_OK) {
      x->done = true;
      return st;
    }
    if (x->done) {
      return KG_DONE;
    }
  }
  switch (x->kind) {
  case KG_QUERY_ASK: {
    int b = librdf_query_results_get_boolean(x->results);
    if (b < 0) {
      kg__err_set(err, KG_ERR_QUERY, 0, 0, "query execution failed");
      return KG_ERR_QUERY;
    }
    *boolean = b > 0;
    x->done = true;
    return KG_ROW;
  }
  case KG_QUERY_SELECT:
    if (x->started && librdf_query_results_next(x->results)) {
      x->done = true;
    }
    x->started = true;
    if (x->done || librdf_query_results_finished(x->results)) {
      x->done = true;
      return KG_DONE;
    }
    for (size_t i = 0; i < x->ncols; i++) {
      x->row_nodes[i] =
          librdf_query_results_get_binding_value(x->results, (int)i);
      kg__term_view(x->row_nodes[i], &row[i]);
    }
    return KG_ROW;
  case KG_QUERY_CONSTRUCT:
  case KG_QUERY_DESCRIBE: {
    if (x->started) {
      librdf_stream_next(x->triples);
    }
    x->started = true;
    if (librdf_stream_end(x->triples)) {
      x->done = true;
      return KG_DONE;
    }
    librdf_statement *s = librdf_stream_get_object(x->triples);
    kg__term_view(librdf_statement_get_subject(s), &row[0]);
    kg__term_view(librdf_statement_get_predicate(s), &row[1]);
    kg__term_view(librdf_statement_get_object(s), &row[2]);
    return KG_ROW;
  }
  }
  return KG_ERR_INTERNAL;
}

kg_status kg__exec_next(kg__exec *x, kg_term *row, int *boolean, kg__err *err)
{
  kg_status st = kg__redland_acquire();
  if (st != KG_OK) {
    return st;
  }
  kg__redland_capture(err);
  st = next_locked(x, row, boolean, err);
  kg__redland_capture(NULL);
  kg__redland_release();
  if (st == KG_ROW && err->status != KG_OK) {
    st = KG_ERR_QUERY; /* Rasqal reported an error while evaluating */
  }
  return st;
}

void kg__exec_free(kg__exec *x)
{
  if (!x) {
    return;
  }
  if (kg__redland_acquire() == KG_OK) {
    if (x->row_nodes) {
      drop_row(x);
    }
    if (x->triples) {
      librdf_free_stream(x->triples);
    }
    if (x->results) {
      librdf_free_query_results(x->results);
    }
    if (x->query) {
      librdf_free_query(x->query);
    }
    kg__redland_release();
  }
  for (size_t i = 0; x->names && i < x->ncols; i++) {
    free(x->names[i]);
  }
  free(x->names);
  free(x->row_nodes);
  free(x->text);
  free(x->base);
  free(x);
}
