/* Embedding kgraph: open a store, load a Turtle file, run a SELECT query
 * and print each row.
 *
 *   cc embed.c $(pkg-config --cflags --libs kgraph) -o embed
 *   ./embed people.ttl
 */
#include <kgraph.h>

#include <stdio.h>
#include <string.h>

static const char query[] =
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
    "SELECT ?person ?name WHERE { ?person foaf:name ?name } ORDER BY ?name";

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.ttl\n", argv[0]);
    return 2;
  }
  kg_db *db = NULL;
  kg_query *q = NULL;
  char *msg = NULL;
  kg_status st = kg_db_open(":memory:", 0, &msg, &db);
  if (st != KG_OK) {
    fprintf(stderr, "embed: %s\n", msg);
    kg_free(msg);
    return 1;
  }
  uint64_t n = 0;
  st = kg_db_load_file(db, argv[1], KG_FORMAT_AUTO, NULL, NULL, &n);
  if (st == KG_OK) {
    printf("loaded %llu statements\n", (unsigned long long)n);
    st = kg_query_prepare(db, query, strlen(query), NULL, &q);
  }
  while (st == KG_OK || st == KG_ROW) {
    st = kg_query_step(q);
    if (st == KG_ROW) {
      const kg_term *person = kg_query_value(q, 0);
      const kg_term *name = kg_query_value(q, 1);
      printf("%s\t%s\n", person ? person->value : "", name ? name->value : "");
    }
  }
  int rc = 0;
  if (st != KG_DONE) {
    kg_location at = kg_errloc(db);
    fprintf(stderr, "embed: %s:%u:%u: %s\n", at.source ? at.source : "-",
            at.line, at.column, kg_errmsg(db));
    rc = 1;
  }
  kg_query_finalize(q);
  kg_db_close(db);
  return rc;
}
