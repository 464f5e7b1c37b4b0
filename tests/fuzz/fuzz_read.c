/* Fuzz one RDF reader through the public loading call, store included:
 * kg_db_load_string() on an empty in-memory database. Built once per
 * format with KG_FUZZ_FORMAT set to its kg_format value.
 *
 * Checks: no crash, leak or sanitizer report; the status is KG_OK or
 * KG_ERR_PARSE with a one-line message; after a good load the store holds
 * exactly the statements the load reported. */
#include "fuzz.h"

#ifndef KG_FUZZ_FORMAT
#  error "define KG_FUZZ_FORMAT"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  kg_db *db = fuzz_open_memory();
  /* Odd sizes put triples into a named graph, so that both paths run. */
  const char *graph = (size & 1) ? "http://example.org/graph" : NULL;
  uint64_t n = 0;
  kg_status st =
      kg_db_load_string(db, (const char *)data, size, KG_FUZZ_FORMAT, "<fuzz>",
                        "http://example.org/base/", graph, &n);
  fuzz_check(db, st, "load", KG_OK, KG_ERR_PARSE, -1);
  uint64_t held = fuzz_quads(db);
  if (st == KG_OK && held != n) {
    fuzz_fail("load reported %llu statements, the store holds %llu",
              (unsigned long long)n, (unsigned long long)held);
  }
  if (st != KG_OK && held != 0) {
    fuzz_fail("a failed load left %llu statements", (unsigned long long)held);
  }
  if (kg_db_close(db) != KG_OK) {
    fuzz_fail("close failed");
  }
  return 0;
}
