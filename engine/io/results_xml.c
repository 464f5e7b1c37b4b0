/* SPARQL Query Results XML Format (Second Edition).
 *
 * Layout (fixed; two-space indent, one binding per line):
 *
 *   <?xml version="1.0"?>
 *   <sparql xmlns="http://www.w3.org/2005/sparql-results#">
 *     <head>
 *       <variable name="s"/>
 *     </head>
 *     <results>
 *       <result>
 *         <binding name="s"><uri>http://example.org/a</uri></binding>
 *       </result>
 *       <result/>
 *     </results>
 *   </sparql>
 *
 * An unbound variable has no <binding> in its <result> (<unbound/> is never
 * written); a result without any binding is <result/>. Literals carry
 * xml:lang or datatype (none for a simple literal or xsd:string). No
 * variables give <head/>. ASK gives <head/> and <boolean>true</boolean>.
 *
 * Escaping: & < > as entities everywhere, " in attributes; CR as &#13;
 * (and tab and LF in attributes as &#9; &#10;) so that XML end-of-line and
 * attribute normalisation give back the original text.
 *
 * XML 1.0 cannot carry some characters at all, not even as character
 * references: NUL and the other C0 controls except tab, LF and CR, and
 * U+FFFE and U+FFFF. A variable name or term holding one is refused with
 * KG_ERR_ARG (before any of its row is written) rather than written as an
 * ill-formed document; the writer then stays failed. */
#include "results_impl.h"

#include <string.h>

/* Can XML 1.0 carry s[0..len)? (Bytes that are not valid UTF-8 are
 * written as U+FFFD, which it can.) */
static bool xml_ok(const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = u[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return false;
    }
    /* U+FFFE and U+FFFF are EF BF BE and EF BF BF */
    if (c == 0xEF && i + 2 < len && u[i + 1] == 0xBF &&
        (u[i + 2] == 0xBE || u[i + 2] == 0xBF)) {
      return false;
    }
  }
  return true;
}

static bool term_ok(const kg_term *t)
{
  return xml_ok(kg__res_bytes(t), t->value_len) &&
         (!t->lang || xml_ok(t->lang, strlen(t->lang))) &&
         (!t->datatype || xml_ok(t->datatype, strlen(t->datatype)));
}

static void esc_content(kg__buf *b, unsigned char c)
{
  switch (c) {
  case '&':
    kg__buf_puts(b, "&amp;");
    break;
  case '<':
    kg__buf_puts(b, "&lt;");
    break;
  case '>':
    kg__buf_puts(b, "&gt;");
    break;
  case '\r':
    kg__buf_puts(b, "&#13;");
    break;
  default:
    kg__buf_putc(b, (char)c);
  }
}

static void esc_attr(kg__buf *b, unsigned char c)
{
  switch (c) {
  case '"':
    kg__buf_puts(b, "&quot;");
    break;
  case '\t':
    kg__buf_puts(b, "&#9;");
    break;
  case '\n':
    kg__buf_puts(b, "&#10;");
    break;
  default:
    esc_content(b, c);
  }
}

static void attr(kg__buf *b, const char *name, const char *value)
{
  kg__buf_putc(b, ' ');
  kg__buf_puts(b, name);
  kg__buf_puts(b, "=\"");
  kg__res_text(b, value, strlen(value), esc_attr);
  kg__buf_putc(b, '"');
}

static const char xml_top[] =
    "<?xml version=\"1.0\"?>\n"
    "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n";

static kg_status xml_begin(kg__results_writer *w)
{
  kg__buf *b = &w->line;
  for (size_t i = 0; i < w->ncols; i++) {
    if (!xml_ok(w->names[i], strlen(w->names[i]))) {
      return KG_ERR_ARG;
    }
  }
  kg__buf_puts(b, xml_top);
  if (!w->ncols) {
    kg__buf_puts(b, "  <head/>\n");
  } else {
    kg__buf_puts(b, "  <head>\n");
    for (size_t i = 0; i < w->ncols; i++) {
      kg__buf_puts(b, "    <variable");
      attr(b, "name", w->names[i]);
      kg__buf_puts(b, "/>\n");
    }
    kg__buf_puts(b, "  </head>\n");
  }
  kg__buf_puts(b, "  <results>\n");
  return KG_OK;
}

static void xml_term(kg__buf *b, const kg_term *t)
{
  const char *v = kg__res_bytes(t);
  switch (t->kind) {
  case KG_TERM_IRI:
    kg__buf_puts(b, "<uri>");
    kg__res_text(b, v, t->value_len, esc_content);
    kg__buf_puts(b, "</uri>");
    return;
  case KG_TERM_BLANK:
    kg__buf_puts(b, "<bnode>");
    kg__res_text(b, v, t->value_len, esc_content);
    kg__buf_puts(b, "</bnode>");
    return;
  case KG_TERM_LITERAL:
    break;
  }
  kg__buf_puts(b, "<literal");
  switch (kg__res_lit_kind(t)) {
  case KG__LIT_LANG:
    attr(b, "xml:lang", t->lang);
    break;
  case KG__LIT_TYPED:
    attr(b, "datatype", t->datatype);
    break;
  case KG__LIT_SIMPLE:
    break;
  }
  kg__buf_putc(b, '>');
  kg__res_text(b, v, t->value_len, esc_content);
  kg__buf_puts(b, "</literal>");
}

static kg_status xml_row(kg__results_writer *w, const kg_term *const *values)
{
  kg__buf *b = &w->line;
  bool any = false;
  for (size_t i = 0; i < w->ncols; i++) {
    bool bad = false;
    const kg_term *t = kg__res_value(values[i], &bad);
    if (t && !term_ok(t)) {
      return KG_ERR_ARG;
    }
    any = any || t != NULL;
  }
  if (!any) {
    kg__buf_puts(b, "    <result/>\n");
    return KG_OK;
  }
  kg__buf_puts(b, "    <result>\n");
  for (size_t i = 0; i < w->ncols; i++) {
    bool bad = false;
    const kg_term *t = kg__res_value(values[i], &bad);
    if (!t) {
      continue;
    }
    kg__buf_puts(b, "      <binding");
    attr(b, "name", w->names[i]);
    kg__buf_putc(b, '>');
    xml_term(b, t);
    kg__buf_puts(b, "</binding>\n");
  }
  kg__buf_puts(b, "    </result>\n");
  return KG_OK;
}

static kg_status xml_end(kg__results_writer *w)
{
  kg__buf_puts(&w->line, "  </results>\n</sparql>\n");
  return KG_OK;
}

static kg_status xml_boolean(kg__out *out, int value)
{
  kg__buf buf = {0};
  kg__buf *b = &buf;
  kg__buf_puts(b, xml_top);
  kg__buf_puts(b, "  <head/>\n");
  kg__buf_puts(b, value ? "  <boolean>true</boolean>\n"
                        : "  <boolean>false</boolean>\n");
  kg__buf_puts(b, "</sparql>\n");
  return kg__res_write_buf(out, b);
}

const kg__results_vtable kg__results_xml_vt = {xml_begin, xml_row, xml_end,
                                               NULL, xml_boolean};
