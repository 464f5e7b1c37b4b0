/* Public API: open/close, errors, loading, prefixes, queries, export. */
#undef NDEBUG
#include "../buf.h"

#include <kgraph.h>

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_STR(got, want)                                                   \
  do {                                                                         \
    const char *g_ = (got);                                                    \
    const char *w_ = (want);                                                   \
    if (!g_ || strcmp(g_, w_) != 0) {                                          \
      fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__,  \
              g_ ? g_ : "(null)", w_);                                         \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static kg_db *open_memory(void)
{
  kg_db *db = NULL;
  char *msg = NULL;
  assert(kg_db_open(":memory:", 0, &msg, &db) == KG_OK);
  assert(db && !msg);
  return db;
}

static kg_status load(kg_db *db, const char *ttl)
{
  return kg_db_load_string(db, ttl, strlen(ttl), KG_FORMAT_TURTLE, "t.ttl",
                           "http://example.org/", NULL, NULL);
}

static char *select_tsv(kg_db *db, const char *sparql)
{
  kg_query *q = NULL;
  buf b = {0};
  kg_status st = kg_query_prepare(db, sparql, strlen(sparql), NULL, &q);
  if (st != KG_OK) {
    fprintf(stderr, "prepare: %s\n", kg_errmsg(db));
  }
  assert(st == KG_OK);
  assert(kg_query_write(q, KG_RESULTS_TSV, KG_FORMAT_TURTLE, buf_sink, &b) ==
         KG_OK);
  kg_query_finalize(q);
  return b.data;
}

static void test_free_null(void)
{
  assert(kg_db_close(NULL) == KG_OK);
  kg_query_finalize(NULL);
  kg_free(NULL);
  CHECK_STR(kg_errmsg(NULL), "");
  kg_location at = kg_errloc(NULL);
  assert(!at.source && !at.line && !at.column);
}

static void test_open_errors(void)
{
  kg_db *db = (kg_db *)&db;
  char *msg = NULL;
  assert(kg_db_open("nope:thing", 0, &msg, &db) == KG_ERR_ARG);
  assert(db == NULL);
  CHECK_STR(msg, "unknown store type 'nope' (known: :memory:, lmdb:PATH, "
                 "sqlite:PATH, bdb:DIR, postgresql:SETTINGS, or a file path)");
  kg_free(msg);
  assert(kg_db_open("/nonexistent-dir/x.db", 0, &msg, &db) == KG_ERR_IO);
  CHECK_STR(msg, "/nonexistent-dir/x.db: no such store (create it with "
                 "kgraph load)");
  kg_free(msg);
  assert(kg_db_open("/", KG_OPEN_CREATE, &msg, &db) == KG_ERR_IO);
  CHECK_STR(msg, "/: cannot open store: is a directory");
  kg_free(msg);
  assert(kg_db_open(NULL, 0, NULL, &db) == KG_ERR_ARG);
  assert(kg_db_open(":memory:", 0, NULL, NULL) == KG_ERR_ARG);
}

static void test_load_and_query(void)
{
  kg_db *db = open_memory();
  uint64_t n = 99;
  const char *ttl = "@prefix ex: <http://example.org/> .\n"
                    "ex:a ex:p 1, 2 ; ex:q \"x\"@en .\n";
  assert(kg_db_load_string(db, ttl, strlen(ttl), KG_FORMAT_TURTLE, "t.ttl",
                           NULL, NULL, &n) == KG_OK);
  assert(n == 3);
  CHECK_STR(kg_errmsg(db), "");
  /* the same statements again: no duplicates */
  assert(load(db, ttl) == KG_OK);
  kg_stats s;
  assert(kg_db_stats(db, &s) == KG_OK);
  assert(s.quads == 3 && s.triples == 3 && s.graphs == 0);
  assert(s.subjects == 1 && s.predicates == 2 && s.objects == 3);

  char *out = select_tsv(db, "SELECT ?o WHERE { <http://example.org/a> "
                             "<http://example.org/p> ?o } ORDER BY ?o");
  CHECK_STR(out, "?o\n1\n2\n");
  free(out);

  /* typed access */
  const char *sparql = "SELECT ?o ?none WHERE { ?s <http://example.org/q> ?o "
                       "OPTIONAL { ?s <http://example.org/zz> ?none } }";
  kg_query *q = NULL;
  assert(kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) == KG_OK);
  assert(kg_query_kind_of(q) == KG_QUERY_SELECT);
  assert(kg_query_column_count(q) == 2);
  CHECK_STR(kg_query_column_name(q, 0), "o");
  CHECK_STR(kg_query_column_name(q, 1), "none");
  assert(kg_query_column_name(q, 2) == NULL);
  assert(kg_db_close(db) == KG_ERR_ARG); /* query still open */
  CHECK_STR(kg_errmsg(db), "1 queries are not finalized");
  assert(kg_query_step(q) == KG_ROW);
  const kg_term *o = kg_query_value(q, 0);
  assert(o && o->kind == KG_TERM_LITERAL);
  CHECK_STR(o->value, "x");
  CHECK_STR(o->lang, "en");
  assert(o->datatype == NULL && o->value_len == 1);
  assert(kg_query_value(q, 1) == NULL);
  assert(kg_query_value(q, 7) == NULL);
  assert(kg_query_step(q) == KG_DONE);
  assert(kg_query_step(q) == KG_DONE);
  kg_query_finalize(q);

  /* ASK */
  sparql = "ASK { ?s ?p 2 }";
  assert(kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) == KG_OK);
  assert(kg_query_kind_of(q) == KG_QUERY_ASK);
  assert(kg_query_step(q) == KG_ROW);
  assert(kg_query_boolean(q) == 1);
  assert(kg_query_step(q) == KG_DONE);
  kg_query_finalize(q);

  /* CONSTRUCT */
  sparql = "CONSTRUCT { ?s <http://example.org/r> ?o } WHERE { ?s "
           "<http://example.org/q> ?o }";
  assert(kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) == KG_OK);
  assert(kg_query_kind_of(q) == KG_QUERY_CONSTRUCT);
  assert(kg_query_step(q) == KG_ROW);
  const kg_term *ts, *tp, *to;
  assert(kg_query_triple(q, &ts, &tp, &to) == KG_OK);
  CHECK_STR(ts->value, "http://example.org/a");
  CHECK_STR(tp->value, "http://example.org/r");
  CHECK_STR(to->value, "x");
  assert(kg_query_step(q) == KG_DONE);
  kg_query_finalize(q);
  assert(kg_db_close(db) == KG_OK);
}

static void test_errors_leave_store_unchanged(void)
{
  kg_db *db = open_memory();
  assert(load(db, "<a> <b> <c> .") == KG_OK);
  const char *bad = "<x> <y> <z> .\n<x> <y> .\n";
  assert(load(db, bad) == KG_ERR_PARSE);
  kg_location at = kg_errloc(db);
  CHECK_STR(at.source, "t.ttl");
  assert(at.line == 2);
  assert(at.column > 0);
  kg_stats s;
  assert(kg_db_stats(db, &s) == KG_OK);
  assert(s.quads == 1);
  /* a successful call clears the error */
  assert(kg_db_stats(db, &s) == KG_OK);
  CHECK_STR(kg_errmsg(db), "");
  assert(kg_errloc(db).source == NULL);

  assert(kg_db_load_file(db, "/nonexistent/file.ttl", KG_FORMAT_AUTO, NULL,
                         NULL, NULL) == KG_ERR_IO);
  CHECK_STR(kg_errmsg(db), "cannot open: No such file or directory");
  CHECK_STR(kg_errloc(db).source, "/nonexistent/file.ttl");
  assert(kg_db_load_file(db, "file.unknown", KG_FORMAT_AUTO, NULL, NULL,
                         NULL) == KG_ERR_ARG);
  CHECK_STR(kg_errmsg(db), "cannot tell the RDF format from the file name "
                           "(name it: turtle, ntriples, nquads, trig, "
                           "rdfxml)");
  assert(kg_db_load_string(db, "x", 1, KG_FORMAT_DOT, NULL, NULL, NULL, NULL) ==
         KG_ERR_ARG);
  CHECK_STR(kg_errmsg(db), "DOT is an export format; it cannot be loaded");

  kg_query *q = NULL;
  const char *sparql = "SELECT * WHERE { ?s ?p }";
  assert(kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) ==
         KG_ERR_PARSE);
  assert(q == NULL);
  CHECK_STR(kg_errloc(db).source, "<query>");
  assert(kg_errloc(db).line == 1);

  sparql = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }";
  assert(kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) ==
         KG_ERR_DENIED);
  CHECK_STR(kg_errmsg(db),
            "SERVICE is refused: kgraph never reaches the network");
  /* FROM names a graph of the store, never a file: here none */
  sparql = "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }";
  assert(kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) == KG_OK);
  assert(kg_query_step(q) == KG_DONE);
  kg_query_finalize(q);
  assert(kg_db_close(db) == KG_OK);
}

static void test_named_graphs_and_prefixes(void)
{
  kg_db *db = open_memory();
  const char *trig = "@prefix ex: <http://example.org/> .\n"
                     "ex:a ex:p ex:b .\n"
                     "ex:g { ex:a ex:p ex:c . }\n";
  assert(kg_db_load_string(db, trig, strlen(trig), KG_FORMAT_TRIG, "t.trig",
                           NULL, NULL, NULL) == KG_OK);
  assert(kg_db_load_string(db, "<http://x/s> <http://x/p> <http://x/o> .", 40,
                           KG_FORMAT_NTRIPLES, NULL, NULL, "http://x/g2",
                           NULL) == KG_OK);
  kg_stats s;
  assert(kg_db_stats(db, &s) == KG_OK);
  assert(s.quads == 3 && s.graphs == 2);

  char *out = select_tsv(db, "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } } "
                             "ORDER BY ?g");
  CHECK_STR(out, "?g\t?o\n<http://example.org/g>\t<http://example.org/c>\n"
                 "<http://x/g2>\t<http://x/o>\n");
  free(out);

  assert(kg_db_prefix_count(db) == 1);
  const char *p = NULL, *iri = NULL;
  assert(kg_db_prefix(db, 0, &p, &iri) == KG_OK);
  CHECK_STR(p, "ex");
  CHECK_STR(iri, "http://example.org/");
  assert(kg_db_prefix(db, 1, &p, &iri) == KG_ERR_ARG);
  assert(kg_db_set_prefix(db, "x", "http://x/") == KG_OK);
  assert(kg_db_prefix_count(db) == 2);

  buf b = {0};
  assert(kg_db_export(db, KG_FORMAT_NQUADS, NULL, buf_sink, &b) == KG_OK);
  CHECK_STR(b.data, "<http://example.org/a> <http://example.org/p> "
                    "<http://example.org/b> .\n"
                    "<http://example.org/a> <http://example.org/p> "
                    "<http://example.org/c> <http://example.org/g> .\n"
                    "<http://x/s> <http://x/p> <http://x/o> <http://x/g2> .\n");
  free(b.data);
  b.data = NULL;
  b.len = 0;
  assert(kg_db_export(db, KG_FORMAT_NTRIPLES, "", buf_sink, &b) == KG_OK);
  CHECK_STR(b.data, "<http://example.org/a> <http://example.org/p> "
                    "<http://example.org/b> .\n");
  free(b.data);
  assert(kg_db_close(db) == KG_OK);
}

static void test_persistent_store(void)
{
  char path[] = "/tmp/kgraph-test-XXXXXX";
  int fd = mkstemp(path);
  assert(fd >= 0);
  close(fd);
  unlink(path);
  kg_db *db = NULL;
  assert(kg_db_open(path, KG_OPEN_CREATE, NULL, &db) == KG_OK);
  assert(load(db, "@prefix ex: <http://example.org/> . ex:a ex:b \"c\" .") ==
         KG_OK);
  assert(load(db, "<a> <b> <c> . <a> <b>") == KG_ERR_PARSE);
  assert(kg_db_close(db) == KG_OK);

  assert(kg_db_open(path, KG_OPEN_READONLY, NULL, &db) == KG_OK);
  kg_stats s;
  assert(kg_db_stats(db, &s) == KG_OK);
  assert(s.quads == 1);
  assert(kg_db_prefix_count(db) == 1);
  assert(load(db, "<a> <b> <c> .") == KG_ERR_DENIED);
  CHECK_STR(kg_errmsg(db), "the store is open read-only");
  char *out = select_tsv(db, "SELECT ?o WHERE { ?s ?p ?o }");
  CHECK_STR(out, "?o\n\"c\"\n");
  free(out);
  assert(kg_db_close(db) == KG_OK);
  unlink(path);

  /* a file that is not a store is refused, not overwritten */
  FILE *f = fopen(path, "w");
  assert(f);
  fputs("not a database, just text\n", f);
  fclose(f);
  char *msg = NULL;
  assert(kg_db_open(path, KG_OPEN_CREATE, &msg, &db) == KG_ERR_STORE);
  assert(strstr(msg, "not a kgraph store (neither LMDB nor SQLite)"));
  kg_free(msg);
  f = fopen(path, "r");
  char line[64] = {0};
  assert(f && fgets(line, sizeof line, f));
  fclose(f);
  CHECK_STR(line, "not a database, just text\n");
  unlink(path);
  char lock[sizeof path + 8];
  snprintf(lock, sizeof lock, "%s-lock", path);
  unlink(lock);
}

static void interrupt_at_9(uint64_t statements, void *ctx)
{
  if (statements >= 9) {
    kg_db_interrupt(ctx);
  }
}

static char *export_nquads(kg_db *db)
{
  buf b = {0};
  assert(kg_db_export(db, KG_FORMAT_NQUADS, NULL, buf_sink, &b) == KG_OK);
  return b.data;
}

static void test_chunked_load(void)
{
  /* 10 statements on 12 lines; _:a in the first and the last */
  static const char nt[] = "# ten statements\n"
                           "_:a <http://e/p> \"1\" .\n"
                           "<http://e/s2> <http://e/p> \"2\" .\n"
                           "<http://e/s3> <http://e/p> \"3\" .\n"
                           "<http://e/s4> <http://e/p> \"4\" .\n"
                           "<http://e/s5> <http://e/p> \"5\" .\n"
                           "<http://e/s6> <http://e/p> \"6\" .\n"
                           "<http://e/s7> <http://e/p> \"7\" .\n"
                           "<http://e/s8> <http://e/p> \"8\" .\n"
                           "<http://e/s9> <http://e/p> \"9\" .\n"
                           "\n"
                           "<http://e/s10> <http://e/p> _:a .\n";
  char dir[] = "/tmp/kgraph-chunks-XXXXXX";
  assert(mkdtemp(dir));
  char file[64], store[64], lock[64];
  snprintf(file, sizeof file, "%s/ten.nt", dir);
  snprintf(store, sizeof store, "%s/s.db", dir);
  snprintf(lock, sizeof lock, "%s/s.db-lock", dir);
  FILE *f = fopen(file, "w");
  assert(f && fputs(nt, f) >= 0 && fclose(f) == 0);

  /* the unbroken load, in one transaction; interrupted, it leaves
   * nothing */
  kg_db *whole = open_memory();
  kg_load_report r;
  kg_db_set_progress(whole, interrupt_at_9, whole);
  assert(kg_db_load(whole, file, NULL, &r) == KG_ERR_LIMIT);
  assert(r.committed == 0 && r.chunks == 0);
  kg_stats st;
  assert(kg_db_stats(whole, &st) == KG_OK && st.quads == 0);
  kg_db_set_progress(whole, NULL, NULL);
  assert(kg_db_load(whole, file, NULL, &r) == KG_OK);
  assert(r.statements == 10 && r.committed == 10 && r.chunks == 1);
  assert(r.line == 12 && r.offset == sizeof nt - 1);
  char *want = export_nquads(whole);

  /* chunks of 3, interrupted after the third: 9 statements stay */
  kg_db *db = NULL;
  assert(kg_db_open(store, KG_OPEN_CREATE, NULL, &db) == KG_OK);
  kg_db_set_progress(db, interrupt_at_9, db);
  kg_load_options o = {KG_FORMAT_AUTO, NULL, NULL, NULL, 3, 0};
  assert(kg_db_load(db, file, &o, &r) == KG_ERR_LIMIT);
  CHECK_STR(kg_errmsg(db), "load interrupted");
  assert(r.committed == 9 && r.chunks == 3 && r.statements == 9);
  assert(r.line == 10 && r.offset == (uint64_t)(strstr(nt, "\n\n") + 1 - nt));
  assert(kg_db_stats(db, &st) == KG_OK && st.quads == 9);
  kg_db_set_progress(db, NULL, NULL);
  assert(kg_db_close(db) == KG_OK);

  /* resumed in another handle: _:a is the node of the first chunk */
  assert(kg_db_open(store, 0, NULL, &db) == KG_OK);
  kg_load_report c;
  assert(kg_db_load_checkpoint(db, file, NULL, &c) == KG_OK);
  assert(c.committed == 9 && c.line == 10 && c.offset == r.offset);
  o.skip = 10;
  assert(kg_db_load(db, file, &o, &r) == KG_ERR_ARG);
  assert(strstr(kg_errmsg(db), "holds only the first 9 statements"));
  assert(r.committed == 9 && r.line == 10);
  o.skip = KG_LOAD_RESUME;
  assert(kg_db_load(db, file, &o, &r) == KG_OK);
  assert(r.committed == 10 && r.chunks == 1 && r.statements == 1);
  char *got = export_nquads(db);
  CHECK_STR(got, want);
  free(got);
  /* the checkpoint is gone with the load that completed it */
  assert(kg_db_load_checkpoint(db, file, NULL, &c) == KG_OK);
  assert(c.committed == 0);
  assert(kg_db_load(db, file, &o, &r) == KG_ERR_ARG);
  assert(strstr(kg_errmsg(db), "no checkpoint"));
  assert(kg_db_close(db) == KG_OK);

  /* a stream in chunks; skipping past a blank node without a checkpoint
   * is refused; Turtle chunks have no line */
  db = open_memory();
  f = fopen(file, "r");
  kg_load_options so = {KG_FORMAT_NTRIPLES, NULL, NULL, f, 4, 1};
  assert(kg_db_load(db, "<stdin>", &so, &r) == KG_ERR_ARG);
  assert(strstr(kg_errmsg(db), "hold blank nodes"));
  assert(r.committed == 0);
  rewind(f);
  so.skip = 0;
  assert(kg_db_load(db, "<stdin>", &so, &r) == KG_OK);
  assert(r.committed == 10 && r.chunks == 3 && r.line == 12);
  fclose(f);
  got = export_nquads(db);
  CHECK_STR(got, want);
  free(got);
  kg_db_close(db);
  /* several statements on a line: the chunk ends with the block */
  db = open_memory();
  f = tmpfile();
  assert(f);
  fputs("<http://e/a> <http://e/p> \"1\" . <http://e/a> <http://e/p> \"2\" .\n"
        "<http://e/a> <http://e/p> \"3\" .\n",
        f);
  rewind(f);
  so.stream = f;
  so.commit_every = 1;
  assert(kg_db_load(db, "two.nt", &so, &r) == KG_OK);
  assert(r.committed == 3 && r.chunks == 1 && r.line == 2);
  assert(r.offset == (uint64_t)ftell(f));
  rewind(f);
  so.skip = 1;
  assert(kg_db_load(db, "two.nt", &so, &r) == KG_OK);
  assert(r.committed == 3 && r.chunks == 1 && r.statements == 2);
  fclose(f);
  kg_db_close(db);
  db = open_memory();
  f = tmpfile();
  assert(f);
  fputs("@prefix e: <http://e/> . e:a e:p 1, 2, 3, 4, 5 .", f);
  rewind(f);
  kg_load_options to = {KG_FORMAT_TURTLE, "http://e/", NULL, f, 2, 1};
  assert(kg_db_load(db, "t.ttl", &to, &r) == KG_OK);
  assert(r.committed == 5 && r.chunks == 2 && r.statements == 4);
  assert(r.line == 0 && r.offset == 0);
  to.skip = 9;
  rewind(f);
  assert(kg_db_load(db, "t.ttl", &to, &r) == KG_ERR_ARG);
  assert(strstr(kg_errmsg(db), "holds 5 statements, fewer than the 9"));
  fclose(f);
  kg_db_close(db);

  free(want);
  kg_db_close(whole);
  unlink(file);
  unlink(store);
  unlink(lock);
  rmdir(dir);
}

static void test_limits(void)
{
  kg_db *db = open_memory();
  assert(load(db, "<a> <b> 1, 2, 3 .") == KG_OK);
  kg_limits lim = {2, 0, 0};
  assert(kg_db_set_limits(db, &lim) == KG_OK);
  kg_query *q = NULL;
  const char *sparql = "SELECT ?o WHERE { ?s ?p ?o }";
  assert(kg_query_prepare(db, sparql, strlen(sparql), NULL, &q) == KG_OK);
  assert(kg_query_step(q) == KG_ROW);
  assert(kg_query_step(q) == KG_ROW);
  assert(kg_query_step(q) == KG_ERR_LIMIT);
  CHECK_STR(kg_errmsg(db), "more than 2 results");
  kg_query_finalize(q);
  assert(kg_db_close(db) == KG_OK);
}

/* 100 statements: a product of three patterns has 10^6 rows. */
static kg_db *open_product(void)
{
  kg_db *db = open_memory();
  char line[96];
  for (int i = 0; i < 100; i++) {
    snprintf(line, sizeof line, "<s%d> <p> %d .", i, i);
    assert(load(db, line) == KG_OK);
  }
  return db;
}

static void test_memory_limit(void)
{
  static const char product[] =
      "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g";
  static const char count[] = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
  kg_db *db = open_product();
  kg_limits lim = {0, 0, 1 << 20};
  assert(kg_db_set_limits(db, &lim) == KG_OK);
  /* a query past the cap fails, and the next one works */
  kg_query *q = NULL;
  assert(kg_query_prepare(db, product, strlen(product), NULL, &q) == KG_OK);
  assert(kg_query_step(q) == KG_ERR_LIMIT);
  CHECK_STR(kg_errmsg(db), "query used more than 1 MB");
  assert(kg_query_step(q) == KG_DONE);
  kg_query_finalize(q);
  char *got = select_tsv(db, count);
  CHECK_STR(got, "?n\n100\n");
  free(got);
  /* an update past the cap changes nothing */
  static const char update[] = "INSERT { ?a <q> ?d } WHERE { ?a ?b ?c . "
                               "?d ?e ?f . ?g ?h ?i }";
  uint64_t changed = 7;
  assert(kg_db_update(db, update, strlen(update), "http://example.org/", NULL,
                      &changed) == KG_ERR_LIMIT);
  CHECK_STR(kg_errmsg(db), "update used more than 1 MB");
  got = select_tsv(db, count);
  CHECK_STR(got, "?n\n100\n");
  free(got);
  /* each query has its own account: many small ones pass */
  for (int i = 0; i < 100; i++) {
    got = select_tsv(db, count);
    free(got);
  }
  /* a cap that is not whole megabytes is given in bytes */
  lim.max_memory = 100000;
  assert(kg_db_set_limits(db, &lim) == KG_OK);
  assert(kg_query_prepare(db, product, strlen(product), NULL, &q) == KG_OK);
  assert(kg_query_step(q) == KG_ERR_LIMIT);
  CHECK_STR(kg_errmsg(db), "query used more than 100000 bytes");
  kg_query_finalize(q);
  assert(kg_db_close(db) == KG_OK);
}

static void test_names(void)
{
  kg_format f;
  kg_results_format rf;
  assert(kg_format_from_name("TTL", &f) == KG_OK && f == KG_FORMAT_TURTLE);
  assert(kg_format_from_name("jsonld", &f) == KG_ERR_ARG);
  assert(kg_format_from_path("a/b.c/x.nq") == KG_FORMAT_NQUADS);
  assert(kg_format_from_path("a.d/noext") == KG_FORMAT_AUTO);
  CHECK_STR(kg_format_name(KG_FORMAT_TRIG), "trig");
  assert(kg_results_format_from_name("tsv", &rf) == KG_OK &&
         rf == KG_RESULTS_TSV);
  assert(kg_results_format_from_name("srj", &rf) == KG_ERR_ARG);
  CHECK_STR(kg_strstatus(KG_ERR_PARSE), "syntax error");
  CHECK_STR(kg_version(), KG_VERSION);
}

static void test_inference(void)
{
  kg_db *db = open_memory();
  assert(load(db, "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                  "<A> rdfs:subClassOf <B> . <x> a <A> .") == KG_OK);
  assert(kg_db_set_inference(db, (kg_inference)7) == KG_ERR_ARG);
  CHECK_STR(kg_errmsg(db), "unknown inference regime");
  assert(kg_db_set_inference(db, KG_INFERENCE_RDFS) == KG_OK);
  char *out = select_tsv(db, "SELECT ?s ?c WHERE { GRAPH <" KG_INFERRED_GRAPH
                             "> { ?s a ?c } }");
  CHECK_STR(out, "?s\t?c\n<http://example.org/x>\t<http://example.org/B>\n");
  free(out);
  /* a later load refreshes the inferred graph in the same transaction */
  assert(load(db, "<y> a <A> .") == KG_OK);
  out =
      select_tsv(db, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <" KG_INFERRED_GRAPH
                     "> { ?s ?p ?o } }");
  CHECK_STR(out, "?n\n2\n");
  free(out);
  /* off: later loads no longer touch it */
  assert(kg_db_set_inference(db, KG_INFERENCE_NONE) == KG_OK);
  assert(load(db, "<z> a <A> .") == KG_OK);
  out =
      select_tsv(db, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <" KG_INFERRED_GRAPH
                     "> { ?s ?p ?o } }");
  CHECK_STR(out, "?n\n2\n");
  free(out);
  assert(kg_db_close(db) == KG_OK);
  assert(kg_db_set_inference(NULL, KG_INFERENCE_RDFS) == KG_ERR_ARG);
}

int main(void)
{
  test_free_null();
  test_names();
  test_open_errors();
  test_load_and_query();
  test_errors_leave_store_unchanged();
  test_named_graphs_and_prefixes();
  test_persistent_store();
  test_chunked_load();
  test_limits();
  test_memory_limit();
  test_inference();
  return 0;
}
