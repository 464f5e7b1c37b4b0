/* Fuzz SPARQL Update: each input is a request run on a fresh in-memory
 * database loaded from a fixed Turtle document, with a deadline and a cap
 * on the solutions of each WHERE. No file may be loaded (LOAD is refused).
 *
 * Checks: no crash, leak or sanitizer report; the status is one the API
 * documents, with a one-line message; a failed request changes nothing
 * (the N-Quads export is the same bytes before and after); a successful
 * one changes the number of statements by at most what it reports, and
 * leaves a store whose N-Quads export loads back with the same count. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static const char data_ttl[] =
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "ex:alice ex:name \"Alice\" ; ex:age 30 ; ex:knows ex:bob, _:c .\n"
    "ex:bob ex:name \"Bob\"@en ; ex:age \"41\"^^xsd:integer .\n"
    "_:c ex:name \"C\\u00E9sar\" ; ex:score 2.5e3 .\n";

static const char graph_ttl[] = "@prefix ex: <http://example.org/> .\n"
                                "ex:alice ex:says \"hello\" .\n";

static void export_nquads(kg_db *db, fuzz_buf *out)
{
  kg_status st = kg_db_export(db, KG_FORMAT_NQUADS, NULL, fuzz_buf_sink, out);
  if (st != KG_OK) {
    fuzz_fail("export: %s", kg_errmsg(db));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  kg_db *db = fuzz_open_memory();
  if (kg_db_load_string(db, data_ttl, strlen(data_ttl), KG_FORMAT_TURTLE,
                        "fixture.ttl", NULL, NULL, NULL) != KG_OK ||
      kg_db_load_string(db, graph_ttl, strlen(graph_ttl), KG_FORMAT_TURTLE,
                        "fixture.ttl", NULL, "http://example.org/g1",
                        NULL) != KG_OK) {
    fuzz_fail("fixture: %s", kg_errmsg(db));
  }
  kg_limits limits = {1000, 1000, 0};
  kg_db_set_limits(db, &limits);
  fuzz_buf before = {0};
  export_nquads(db, &before);
  uint64_t n0 = fuzz_quads(db);

  uint64_t changed = 0;
  kg_status st = kg_db_update(db, (const char *)data, size,
                              "http://example.org/base/", NULL, &changed);
  fuzz_check(db, st, "update", KG_OK, KG_ERR_PARSE, KG_ERR_DENIED, KG_ERR_QUERY,
             KG_ERR_LIMIT, -1);
  if (st == KG_OK && fuzz_utf8_valid((const char *)data, size)) {
    /* What an update stored must export and load back. (A request that
     * is not valid UTF-8 is not checked here: the parser accepting one is
     * a known fault, tests/hostile case u-invalid-utf8.) */
    fuzz_buf dump = {0};
    export_nquads(db, &dump);
    kg_db *back = fuzz_open_memory();
    kg_status bst =
        kg_db_load_string(back, dump.data ? dump.data : "", dump.len,
                          KG_FORMAT_NQUADS, "<dump>", NULL, NULL, NULL);
    if (bst != KG_OK) {
      fuzz_fail("the store after an update does not load back: %s",
                kg_errmsg(back));
    }
    if (fuzz_quads(back) != fuzz_quads(db)) {
      fuzz_fail("the store after an update loads back with another count");
    }
    kg_db_close(back);
    fuzz_buf_free(&dump);
  }
  if (st == KG_OK) {
    uint64_t n1 = fuzz_quads(db);
    uint64_t diff = n1 > n0 ? n1 - n0 : n0 - n1;
    if (diff > changed) {
      fuzz_fail("update reported %llu changes, the store went from %llu "
                "to %llu statements",
                (unsigned long long)changed, (unsigned long long)n0,
                (unsigned long long)n1);
    }
  } else {
    fuzz_buf after = {0};
    export_nquads(db, &after);
    if (after.len != before.len ||
        (after.len && memcmp(after.data, before.data, after.len) != 0)) {
      fuzz_fail("a failed update (%s) changed the store", kg_strstatus(st));
    }
    fuzz_buf_free(&after);
  }
  fuzz_buf_free(&before);
  if (kg_db_close(db) != KG_OK) {
    fuzz_fail("close failed");
  }
  return 0;
}
