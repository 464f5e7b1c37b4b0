/* SPARQL 1.1 Query Results JSON Format.
 *
 * Layout (fixed; one binding object per line):
 *
 *   {
 *     "head": {"vars": ["s", "o"]},
 *     "results": {
 *       "bindings": [
 *         {"s": {"type": "uri", "value": "http://example.org/a"}, "o": ...},
 *         {"s": {"type": "bnode", "value": "b0"}}
 *       ]
 *     }
 *   }
 *
 * Terms: {"type": "uri"|"bnode"|"literal", "value": ...} followed, for a
 * literal, by "xml:lang" or "datatype" (never both; none for a simple
 * literal or xsd:string). An unbound variable is absent from its binding
 * object. No rows give "bindings": []. ASK gives
 * {"head": {}, "boolean": true} on three lines.
 *
 * Strings are escaped per RFC 8259: \" \\ \b \f \n \r \t, other control
 * characters (NUL included) as \u00XX; everything else, non-ASCII
 * included, is written as UTF-8. */
#include "results_impl.h"

#include <string.h>

static void esc_json(kg__buf *b, unsigned char c)
{
  static const char hex[] = "0123456789ABCDEF";
  switch (c) {
  case '"':
    kg__buf_puts(b, "\\\"");
    return;
  case '\\':
    kg__buf_puts(b, "\\\\");
    return;
  case '\b':
    kg__buf_puts(b, "\\b");
    return;
  case '\f':
    kg__buf_puts(b, "\\f");
    return;
  case '\n':
    kg__buf_puts(b, "\\n");
    return;
  case '\r':
    kg__buf_puts(b, "\\r");
    return;
  case '\t':
    kg__buf_puts(b, "\\t");
    return;
  default:
    break;
  }
  if (c < 0x20) {
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    kg__buf_append(b, e, sizeof e);
  } else {
    kg__buf_putc(b, (char)c);
  }
}

static void json_string(kg__buf *b, const char *s, size_t len)
{
  kg__buf_putc(b, '"');
  kg__res_text(b, s, len, esc_json);
  kg__buf_putc(b, '"');
}

static void json_term(kg__buf *b, const kg_term *t)
{
  static const char *const types[] = {"", "uri", "bnode", "literal"};
  kg__buf_puts(b, "{\"type\": \"");
  kg__buf_puts(b, types[t->kind]);
  kg__buf_puts(b, "\", \"value\": ");
  json_string(b, kg__res_bytes(t), t->value_len);
  if (t->kind == KG_TERM_LITERAL) {
    switch (kg__res_lit_kind(t)) {
    case KG__LIT_LANG:
      kg__buf_puts(b, ", \"xml:lang\": ");
      json_string(b, t->lang, strlen(t->lang));
      break;
    case KG__LIT_TYPED:
      kg__buf_puts(b, ", \"datatype\": ");
      json_string(b, t->datatype, strlen(t->datatype));
      break;
    case KG__LIT_SIMPLE:
      break;
    }
  }
  kg__buf_putc(b, '}');
}

static kg_status json_begin(kg__results_writer *w)
{
  kg__buf *b = &w->line;
  kg__buf_puts(b, "{\n  \"head\": {\"vars\": [");
  for (size_t i = 0; i < w->ncols; i++) {
    if (i) {
      kg__buf_puts(b, ", ");
    }
    json_string(b, w->names[i], strlen(w->names[i]));
  }
  kg__buf_puts(b, "]},\n  \"results\": {\n    \"bindings\": [");
  return KG_OK;
}

static kg_status json_row(kg__results_writer *w, const kg_term *const *values)
{
  kg__buf *b = &w->line;
  kg__buf_puts(b, w->nrows ? ",\n      {" : "\n      {");
  bool first = true;
  for (size_t i = 0; i < w->ncols; i++) {
    bool bad = false;
    const kg_term *t = kg__res_value(values[i], &bad);
    if (!t) {
      continue;
    }
    if (!first) {
      kg__buf_puts(b, ", ");
    }
    first = false;
    json_string(b, w->names[i], strlen(w->names[i]));
    kg__buf_puts(b, ": ");
    json_term(b, t);
  }
  kg__buf_putc(b, '}');
  return KG_OK;
}

static kg_status json_end(kg__results_writer *w)
{
  kg__buf_puts(&w->line, w->nrows ? "\n    ]\n  }\n}\n" : "]\n  }\n}\n");
  return KG_OK;
}

static kg_status json_boolean(kg__out *out, int value)
{
  kg__buf b = {0};
  kg__buf_puts(&b, value ? "{\n  \"head\": {},\n  \"boolean\": true\n}\n"
                         : "{\n  \"head\": {},\n  \"boolean\": false\n}\n");
  return kg__res_write_buf(out, &b);
}

const kg__results_vtable kg__results_json_vt = {json_begin, json_row, json_end,
                                                NULL, json_boolean};
