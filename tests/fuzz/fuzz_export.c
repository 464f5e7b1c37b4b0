/* Fuzz export as a round trip: load the input as Turtle into an in-memory
 * database, export it in every format, read the N-Triples, N-Quads,
 * Turtle and TriG exports back into fresh databases and compare.
 *
 * Checks: no crash, leak or sanitizer report; every export succeeds
 * (RDF/XML may refuse a graph it cannot express) and is valid UTF-8; every
 * export read back loads without error and holds the same number of
 * statements; for a graph without blank nodes, exporting what was read
 * back gives the same bytes again. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const kg_format formats[] = {
    KG_FORMAT_TURTLE, KG_FORMAT_NTRIPLES, KG_FORMAT_NQUADS,
    KG_FORMAT_TRIG,   KG_FORMAT_RDFXML,   KG_FORMAT_DOT,
};

static bool reread(kg_format f)
{
  return f == KG_FORMAT_TURTLE || f == KG_FORMAT_NTRIPLES ||
         f == KG_FORMAT_NQUADS || f == KG_FORMAT_TRIG;
}

static bool has_blank(const fuzz_buf *b)
{
  for (size_t i = 0; i + 1 < b->len; i++) {
    if (b->data[i] == '_' && b->data[i + 1] == ':') {
      return true;
    }
  }
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  kg_db *db = fuzz_open_memory();
  kg_status st =
      kg_db_load_string(db, (const char *)data, size, KG_FORMAT_TURTLE,
                        "<fuzz>", "http://example.org/base/", NULL, NULL);
  fuzz_check(db, st, "load", KG_OK, KG_ERR_PARSE, -1);
  if (st != KG_OK) {
    kg_db_close(db);
    return 0;
  }
  uint64_t n = fuzz_quads(db);
  for (size_t k = 0; k < sizeof formats / sizeof *formats; k++) {
    kg_format f = formats[k];
    const char *name = kg_format_name(f);
    fuzz_buf out = {0};
    st = kg_db_export(db, f, NULL, fuzz_buf_sink, &out);
    if (f == KG_FORMAT_RDFXML) {
      fuzz_check(db, st, name, KG_OK, KG_ERR_ARG, -1);
    } else {
      fuzz_check(db, st, name, KG_OK, -1);
    }
    if (!fuzz_utf8_valid(out.data, out.len)) {
      fuzz_fail("%s export is not valid UTF-8", name);
    }
    if (st == KG_OK && reread(f)) {
      kg_db *back = fuzz_open_memory();
      st = kg_db_load_string(back, out.data ? out.data : "", out.len, f,
                             "<export>", NULL, NULL, NULL);
      if (st != KG_OK) {
        fuzz_fail("%s export does not load: %s:%u:%u: %s", name,
                  kg_errloc(back).source, kg_errloc(back).line,
                  kg_errloc(back).column, kg_errmsg(back));
      }
      uint64_t m = fuzz_quads(back);
      if (m != n) {
        fuzz_fail("%s export holds %llu statements, not %llu", name,
                  (unsigned long long)m, (unsigned long long)n);
      }
      if (!has_blank(&out)) {
        fuzz_buf again = {0};
        st = kg_db_export(back, f, NULL, fuzz_buf_sink, &again);
        if (st != KG_OK || again.len != out.len ||
            (out.len && memcmp(again.data, out.data, out.len) != 0)) {
          fuzz_fail("%s export of what was read back differs", name);
        }
        fuzz_buf_free(&again);
      }
      kg_db_close(back);
    }
    fuzz_buf_free(&out);
  }
  kg_db_close(db);
  return 0;
}
