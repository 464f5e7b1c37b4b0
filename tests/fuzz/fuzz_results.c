/* Fuzz the SPARQL result writers with a row set decoded from the input,
 * written in every result format, and an ASK answer in every format.
 *
 * Input layout (every read past the end gives zeros):
 *   byte: number of columns (mod 6); byte: sink budget (0 = unlimited,
 *   else 16 * byte bytes); byte: ASK answer; per column one name (length
 *   byte, then bytes mapped onto variable-name characters); then rows,
 *   each a term per column: kind byte (mod 4: unbound, IRI, blank,
 *   literal), length byte, value bytes; for a literal a selector byte
 *   (mod 8: plain, language, one of five XSD types, any datatype) and, for
 *   language and any datatype, a length byte and the bytes.
 *
 * Checks: no crash, leak or sanitizer report; the writer succeeds exactly
 * when the sink did not fail (XML may refuse, as documented, a character
 * XML 1.0 cannot carry); a successful document is valid UTF-8 and
 * well formed: JSON parses (yajl) with one binding per row, XML parses
 * (libxml2) with one <result> per row, CSV has one record per row plus
 * the header and one field per column, TSV one line per row plus the
 * header and one tab less than columns on every line. */
#include "fuzz.h"
#include "io/io.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl_tree.h>

#define MAX_COLS 6
#define MAX_ROWS 64

typedef struct input {
  const uint8_t *p;
  size_t n;
} input;

static unsigned byte(input *in)
{
  if (!in->n) {
    return 0;
  }
  in->n--;
  return *in->p++;
}

/* Take `len` bytes (fewer at the end) as a new NUL-terminated string. */
static char *take(input *in, size_t len, size_t *got)
{
  if (len > in->n) {
    len = in->n;
  }
  char *s = malloc(len + 1);
  if (!s) {
    fuzz_fail("out of memory");
  }
  memcpy(s, in->p, len);
  s[len] = '\0';
  in->p += len;
  in->n -= len;
  *got = len;
  return s;
}

static const char varchars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

static char *take_name(input *in)
{
  size_t len = byte(in) % 12 + 1;
  char *s = malloc(2 * len + 1);
  if (!s) {
    fuzz_fail("out of memory");
  }
  size_t k = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned c = byte(in);
    if (c >= 0xF0) { /* now and then a letter outside ASCII: é */
      s[k++] = (char)0xC3;
      s[k++] = (char)0xA9;
    } else {
      s[k++] = varchars[c % (sizeof varchars - 1)];
    }
  }
  s[k] = '\0';
  return s;
}

static const char *const xsd[] = {
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://www.w3.org/2001/XMLSchema#double",
    "http://www.w3.org/2001/XMLSchema#boolean",
    "http://www.w3.org/2001/XMLSchema#string",
};

typedef struct cell {
  kg_term t;
  char *value;
  char *extra; /* datatype or language we own */
} cell;

static void take_term(input *in, cell *c)
{
  memset(c, 0, sizeof *c);
  unsigned kind = byte(in) % 4;
  if (kind == 0) {
    return;
  }
  size_t len = 0;
  c->value = take(in, byte(in), &len);
  c->t.kind = (kg_term_kind)kind;
  c->t.value = c->value;
  /* Only a literal's lexical form may hold NUL bytes. */
  c->t.value_len = kind == KG_TERM_LITERAL ? len : strlen(c->value);
  if (kind != KG_TERM_LITERAL) {
    return;
  }
  unsigned sel = byte(in) % 8;
  size_t elen = 0;
  if (sel == 1) {
    c->extra = take(in, byte(in) % 16, &elen);
    c->t.lang = c->extra;
  } else if (sel >= 2 && sel <= 6) {
    c->t.datatype = xsd[sel - 2];
  } else if (sel == 7) {
    c->extra = take(in, byte(in), &elen);
    c->t.datatype = c->extra;
  }
}

/* ---- checks of a finished document ---- */

/* ask: -1 for a row set, else the boolean the document must hold. */
static void check_json(const fuzz_buf *b, size_t rows, int ask)
{
  char err[256];
  yajl_val root = yajl_tree_parse(b->data, err, sizeof err);
  if (!root) {
    fuzz_fail("JSON results do not parse: %s", err);
  }
  if (ask >= 0) {
    const char *bpath[] = {"boolean", NULL};
    yajl_val v = yajl_tree_get(root, bpath, yajl_t_any);
    if (!v || (ask ? !YAJL_IS_TRUE(v) : !YAJL_IS_FALSE(v))) {
      fuzz_fail("JSON results: no boolean %s", ask ? "true" : "false");
    }
    yajl_tree_free(root);
    return;
  }
  const char *path[] = {"results", "bindings", NULL};
  yajl_val bindings = yajl_tree_get(root, path, yajl_t_array);
  if (!bindings || YAJL_GET_ARRAY(bindings)->len != rows) {
    fuzz_fail("JSON results: bindings are not %zu rows", rows);
  }
  yajl_tree_free(root);
}

static void check_xml(const fuzz_buf *b, size_t rows, int ask)
{
  xmlDocPtr doc =
      xmlReadMemory(b->data, (int)b->len, "results.srx", NULL,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) {
    fuzz_fail("XML results are not well formed");
  }
  size_t n = 0;
  int found = -1;
  xmlNodePtr root = xmlDocGetRootElement(doc);
  for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next) {
    if (ask >= 0 && c->type == XML_ELEMENT_NODE &&
        strcmp((const char *)c->name, "boolean") == 0) {
      xmlChar *text = xmlNodeGetContent(c);
      found = text && strcmp((const char *)text, "true") == 0    ? 1
              : text && strcmp((const char *)text, "false") == 0 ? 0
                                                                 : -2;
      xmlFree(text);
    }
    if (c->type == XML_ELEMENT_NODE &&
        strcmp((const char *)c->name, "results") == 0) {
      for (xmlNodePtr r = c->children; r; r = r->next) {
        n += r->type == XML_ELEMENT_NODE &&
             strcmp((const char *)r->name, "result") == 0;
      }
    }
  }
  xmlFreeDoc(doc);
  if (ask >= 0) {
    if (found != ask) {
      fuzz_fail("XML results: no <boolean>%s</boolean>",
                ask ? "true" : "false");
    }
    return;
  }
  if (n != rows) {
    fuzz_fail("XML results: %zu <result> elements for %zu rows", n, rows);
  }
}

/* RFC 4180 records ending in CRLF; every record must have `cols` fields. */
static void check_csv(const fuzz_buf *b, size_t rows, size_t cols)
{
  size_t records = 0;
  size_t i = 0;
  while (i < b->len) {
    size_t fields = 1;
    for (;;) {
      if (i < b->len && b->data[i] == '"') {
        i++;
        for (;;) {
          if (i >= b->len) {
            fuzz_fail("CSV: unterminated quoted field");
          }
          if (b->data[i] == '"') {
            if (i + 1 < b->len && b->data[i + 1] == '"') {
              i += 2;
              continue;
            }
            i++;
            break;
          }
          i++;
        }
      } else {
        while (i < b->len && b->data[i] != ',' && b->data[i] != '\r' &&
               b->data[i] != '\n' && b->data[i] != '"') {
          i++;
        }
      }
      if (i < b->len && b->data[i] == ',') {
        i++;
        fields++;
        continue;
      }
      break;
    }
    if (i + 1 >= b->len || b->data[i] != '\r' || b->data[i + 1] != '\n') {
      fuzz_fail("CSV: record %zu does not end in CRLF", records + 1);
    }
    i += 2;
    if (cols && fields != cols) {
      fuzz_fail("CSV: record %zu has %zu fields, not %zu", records + 1, fields,
                cols);
    }
    records++;
  }
  if (records != rows + 1) {
    fuzz_fail("CSV: %zu records for %zu rows", records, rows);
  }
}

static void check_tsv(const fuzz_buf *b, size_t rows, size_t cols)
{
  size_t lines = 0;
  size_t tabs = 0;
  for (size_t i = 0; i < b->len; i++) {
    if (b->data[i] == '\t') {
      tabs++;
    } else if (b->data[i] == '\r') {
      fuzz_fail("TSV: CR in the output");
    } else if (b->data[i] == '\n') {
      if (cols && tabs != cols - 1) {
        fuzz_fail("TSV: line %zu has %zu tabs for %zu columns", lines + 1, tabs,
                  cols);
      }
      tabs = 0;
      lines++;
    }
  }
  if (b->len && b->data[b->len - 1] != '\n') {
    fuzz_fail("TSV: last line not ended");
  }
  if (lines != rows + 1) {
    fuzz_fail("TSV: %zu lines for %zu rows", lines, rows);
  }
}

static void check_document(
    kg_results_format f, const fuzz_buf *b, size_t rows, size_t cols, int ask)
{
  if (!fuzz_utf8_valid(b->data, b->len)) {
    fuzz_fail("format %d: output is not valid UTF-8", (int)f);
  }
  if (!b->len) {
    fuzz_fail("format %d: empty document", (int)f);
  }
  switch (f) {
  case KG_RESULTS_JSON:
    check_json(b, rows, ask);
    break;
  case KG_RESULTS_XML:
    check_xml(b, rows, ask);
    break;
  case KG_RESULTS_CSV:
    check_csv(b, rows, cols);
    break;
  case KG_RESULTS_TSV:
    check_tsv(b, rows, cols);
    break;
  case KG_RESULTS_TABLE:
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  input in = {data, size};
  size_t ncols = byte(&in) % MAX_COLS;
  size_t budget = 16 * (size_t)byte(&in);
  int answer = (int)(byte(&in) & 1);
  char *names[MAX_COLS];
  for (size_t i = 0; i < ncols; i++) {
    names[i] = take_name(&in);
  }
  cell(*rows)[MAX_COLS] = calloc(MAX_ROWS, sizeof *rows);
  if (!rows) {
    fuzz_fail("out of memory");
  }
  size_t nrows = 0;
  while (in.n && nrows < MAX_ROWS) {
    for (size_t i = 0; i < ncols; i++) {
      take_term(&in, &rows[nrows][i]);
    }
    nrows++;
    if (!ncols) {
      in.n--; /* one byte per row when there are no columns */
      in.p++;
    }
  }

  for (int f = KG_RESULTS_JSON; f <= KG_RESULTS_TABLE; f++) {
    fuzz_buf b = {0};
    b.limit = budget;
    kg__out out = {fuzz_buf_sink, &b, false};
    kg__results_writer *w = NULL;
    kg_status st = kg__results_begin((kg_results_format)f, &out, ncols,
                                     (const char *const *)names, &w);
    size_t written = 0;
    for (size_t r = 0; r < nrows && st == KG_OK; r++) {
      const kg_term *vals[MAX_COLS];
      for (size_t i = 0; i < ncols; i++) {
        vals[i] = rows[r][i].t.kind ? &rows[r][i].t : NULL;
      }
      st = kg__results_row(w, vals);
      written += st == KG_OK;
    }
    if (st == KG_OK) {
      st = kg__results_end(w);
    } else {
      kg__results_abort(w);
    }
    /* XML 1.0 cannot carry some characters: refused, as documented. */
    bool refused = f == KG_RESULTS_XML && st == KG_ERR_ARG;
    if (st != KG_OK && st != KG_ERR_IO && !refused) {
      fuzz_fail("format %d: status %s", f, kg_strstatus(st));
    }
    if ((st == KG_ERR_IO) != b.failed) {
      fuzz_fail("format %d: status %s but the sink %s", f, kg_strstatus(st),
                b.failed ? "failed" : "did not fail");
    }
    if (st == KG_OK) {
      check_document((kg_results_format)f, &b, written, ncols, -1);
    }
    fuzz_buf_free(&b);

    b.limit = budget;
    out.failed = false;
    st = kg__results_boolean((kg_results_format)f, &out, answer);
    if ((st == KG_ERR_IO) != b.failed || (st != KG_OK && st != KG_ERR_IO)) {
      fuzz_fail("format %d: ASK status %s", f, kg_strstatus(st));
    }
    if (st == KG_OK) {
      check_document((kg_results_format)f, &b, 1, 1, answer);
    }
    fuzz_buf_free(&b);
  }

  for (size_t r = 0; r < nrows; r++) {
    for (size_t i = 0; i < ncols; i++) {
      free(rows[r][i].value);
      free(rows[r][i].extra);
    }
  }
  free(rows);
  for (size_t i = 0; i < ncols; i++) {
    free(names[i]);
  }
  return 0;
}
