/* Reader for RDF/XML on Raptor's "rdfxml" parser.
 *
 * The text is fed to the parser in chunks; statements arrive in a handler
 * that turns raptor terms into kgraph terms, and namespace declarations
 * (xmlns) arrive in another that records prefixes. Raptor's error messages
 * reach us through the Redland log capture (redland.h). The parser is
 * hardened first: no network, no files, no external entities. */
#include "io.h"
#include "reader_util.h"
#include "redland.h"

#include <stdlib.h>
#include <string.h>

/* Bytes per raptor_parser_parse_chunk() call. */
#define CHUNK_SIZE 65536

/* Stands in for a missing base IRI, so that Raptor can parse; an IRI that
 * starts with its scheme after resolution was relative. */
static const char no_base[] = "x-kgraph-no-base://invalid/";

/* length of "x-kgraph-no-base:" */
#define NO_BASE_SCHEME_LEN 17

typedef struct xml_reader {
  raptor_parser *parser;
  const kg_term *graph; /* NULL: default graph */
  kg__quads *out;
  kg__prefixes *prefixes;
  bool have_base;
  kg__buf slot[4]; /* s, p, o, datatype */
  kg__buf lang;
  /* an error found in a handler */
  kg_status status;
  char *msg;
  unsigned line;
  unsigned column;
  unsigned end_line; /* where the parser stopped (line of its last event) */
} xml_reader;

static void handler_error(xml_reader *x, kg_status st, const char *msg)
{
  if (x->status != KG_OK) {
    return;
  }
  x->status = st;
  x->msg = kg__strdup(msg);
  raptor_locator *loc = raptor_parser_get_locator(x->parser);
  if (loc && st == KG_ERR_PARSE) {
    x->line = loc->line > 0 ? (unsigned)loc->line : 0;
    x->column = loc->column > 0 ? (unsigned)loc->column : 0;
  }
  raptor_parser_parse_abort(x->parser);
}

static bool
uri_text(xml_reader *x, raptor_uri *uri, kg__buf *slot, const char **value)
{
  size_t len = 0;
  const unsigned char *s = raptor_uri_as_counted_string(uri, &len);
  if (!s) {
    handler_error(x, KG_ERR_NOMEM, "out of memory");
    return false;
  }
  if (!x->have_base && len >= NO_BASE_SCHEME_LEN &&
      memcmp(s, no_base, NO_BASE_SCHEME_LEN) == 0) {
    /* show the reference as it was, as far as resolution kept it */
    size_t skip = NO_BASE_SCHEME_LEN;
    if (len >= sizeof no_base - 1 &&
        memcmp(s, no_base, sizeof no_base - 1) == 0) {
      skip = sizeof no_base - 1;
    }
    size_t show = len - skip > 200 ? 200 : len - skip;
    while (show > 0 && show < len - skip && (s[skip + show] & 0xC0) == 0x80) {
      show--; /* do not cut a UTF-8 sequence */
    }
    slot->len = 0;
    kg__buf_puts(slot, "relative IRI <");
    kg__buf_append(slot, s + skip, show);
    kg__buf_puts(slot, "> without a base IRI");
    if (!slot->failed) {
      kg__utf8_scrub(slot->data);
    }
    handler_error(x, slot->failed ? KG_ERR_NOMEM : KG_ERR_PARSE,
                  slot->failed ? "out of memory" : slot->data);
    return false;
  }
  slot->len = 0;
  kg__buf_append(slot, s, len);
  if (slot->failed) {
    handler_error(x, KG_ERR_NOMEM, "out of memory");
    return false;
  }
  if (!kg__iri_has_scheme(slot->data) || strlen(slot->data) != len) {
    /* made from a namespace name that is not an absolute IRI */
    if (len > 200) {
      size_t keep = 200;
      while (keep > 0 && (slot->data[keep] & 0xC0) == 0x80) {
        keep--;
      }
      slot->data[keep] = '\0';
    }
    kg__utf8_scrub(slot->data);
    kg__buf msg = {0};
    kg__buf_printf(&msg, "IRI <%s> is not absolute", slot->data);
    handler_error(x, msg.failed ? KG_ERR_NOMEM : KG_ERR_PARSE,
                  msg.failed ? "out of memory" : msg.data);
    kg__buf_free(&msg);
    return false;
  }
  *value = slot->data;
  return true;
}

static bool
make_term(xml_reader *x, const raptor_term *rt, kg__buf *slot, kg_term *t)
{
  memset(t, 0, sizeof *t);
  if (!rt) {
    handler_error(x, KG_ERR_PARSE, "incomplete statement");
    return false;
  }
  switch (rt->type) {
  case RAPTOR_TERM_TYPE_URI: {
    const char *v = NULL;
    if (!uri_text(x, rt->value.uri, slot, &v)) {
      return false;
    }
    t->kind = KG_TERM_IRI;
    t->value = v;
    t->value_len = strlen(v);
    return true;
  }
  case RAPTOR_TERM_TYPE_BLANK:
    t->kind = KG_TERM_BLANK;
    t->value = (const char *)rt->value.blank.string;
    t->value_len = rt->value.blank.string_len;
    return true;
  case RAPTOR_TERM_TYPE_LITERAL:
    t->kind = KG_TERM_LITERAL;
    t->value = (const char *)rt->value.literal.string;
    t->value_len = rt->value.literal.string_len;
    if (!t->value) {
      t->value = "";
    }
    if (rt->value.literal.datatype) {
      const char *dt = NULL;
      if (!uri_text(x, rt->value.literal.datatype, &x->slot[3], &dt)) {
        return false;
      }
      if (strcmp(dt, kg__xsd_string) != 0) {
        t->datatype = dt;
      }
    } else if (rt->value.literal.language && rt->value.literal.language_len) {
      x->lang.len = 0;
      kg__buf_append(&x->lang, rt->value.literal.language,
                     rt->value.literal.language_len);
      if (x->lang.failed) {
        handler_error(x, KG_ERR_NOMEM, "out of memory");
        return false;
      }
      t->lang = x->lang.data;
    }
    return true;
  case RAPTOR_TERM_TYPE_UNKNOWN:
  default:
    handler_error(x, KG_ERR_PARSE, "unknown term");
    return false;
  }
}

static void on_statement(void *user_data, raptor_statement *st)
{
  xml_reader *x = user_data;
  if (x->status != KG_OK) {
    return;
  }
  kg_term s;
  kg_term p;
  kg_term o;
  if (!make_term(x, st->subject, &x->slot[0], &s) ||
      !make_term(x, st->predicate, &x->slot[1], &p) ||
      !make_term(x, st->object, &x->slot[2], &o)) {
    return;
  }
  if (kg__quads_push(x->out, &s, &p, &o, x->graph) != KG_OK) {
    handler_error(x, KG_ERR_NOMEM, "out of memory");
  }
}

static void on_namespace(void *user_data, raptor_namespace *ns)
{
  xml_reader *x = user_data;
  if (x->status != KG_OK || !x->prefixes) {
    return;
  }
  raptor_uri *uri = raptor_namespace_get_uri(ns);
  if (!uri) {
    return; /* xmlns="" undeclares the default namespace */
  }
  const unsigned char *prefix = raptor_namespace_get_prefix(ns);
  size_t len = 0;
  const unsigned char *s = raptor_uri_as_counted_string(uri, &len);
  if (!s || !kg__iri_has_scheme((const char *)s) ||
      (!x->have_base &&
       strncmp((const char *)s, no_base, NO_BASE_SCHEME_LEN) == 0)) {
    return; /* a relative namespace name is of no use as a prefix */
  }
  if (kg__prefixes_set(x->prefixes, prefix ? (const char *)prefix : "",
                       (const char *)s) != KG_OK) {
    handler_error(x, KG_ERR_NOMEM, "out of memory");
  }
}

static void xml_reader_clear(xml_reader *x)
{
  for (size_t i = 0; i < sizeof x->slot / sizeof x->slot[0]; i++) {
    kg__buf_free(&x->slot[i]);
  }
  kg__buf_free(&x->lang);
  free(x->msg);
  x->msg = NULL;
}

/* Parse with the Redland lock held. Returns raptor's failure flag. */
static int
parse_locked(xml_reader *x, const char *text, size_t len, const char *base)
{
  raptor_world *world = kg__raptor_world();
  x->parser = raptor_new_parser(world, "rdfxml");
  if (!x->parser) {
    x->status = KG_ERR_NOMEM;
    return 1;
  }
  kg__raptor_harden_parser(x->parser);
  raptor_parser_set_statement_handler(x->parser, x, on_statement);
  raptor_parser_set_namespace_handler(x->parser, x, on_namespace);
  const char *b = x->have_base ? base : no_base;
  raptor_uri *base_uri = raptor_new_uri_from_counted_string(
      world, (const unsigned char *)b, strlen(b));
  int failed = 1;
  if (base_uri && raptor_parser_parse_start(x->parser, base_uri) == 0) {
    failed = 0;
    size_t at = 0;
    do {
      size_t n = len - at < CHUNK_SIZE ? len - at : CHUNK_SIZE;
      int end = at + n == len;
      if (raptor_parser_parse_chunk(x->parser, (const unsigned char *)text + at,
                                    n, end) != 0) {
        failed = 1;
      }
      at += n;
    } while (!failed && x->status == KG_OK && at < len);
  } else if (!base_uri) {
    x->status = KG_ERR_NOMEM;
  }
  if (base_uri) {
    raptor_free_uri(base_uri);
  }
  raptor_locator *loc = raptor_parser_get_locator(x->parser);
  if (loc && loc->line > 0) {
    x->end_line = (unsigned)loc->line;
  }
  raptor_free_parser(x->parser);
  x->parser = NULL;
  return failed;
}

/* The XML layer's tag mismatch message names "line 0" for the opening
 * tag, as it keeps no line numbers here: drop that part. */
static void drop_line_zero(char *msg)
{
  static const char bogus[] = " line 0 and ";
  char *p = strstr(msg, bogus);
  if (p) {
    memmove(p + 1, p + 8, strlen(p + 8) + 1);
  }
}

kg_status kg__read_rdfxml(const char *text,
                          size_t len,
                          const char *base,
                          const kg_term *graph,
                          kg__quads *out,
                          kg__prefixes *prefixes,
                          kg__err *err)
{
  if (!out || (!text && len)) {
    kg__err_set(err, KG_ERR_ARG, 0, 0, "no input to read");
    return KG_ERR_ARG;
  }
  if (!text) {
    text = "";
  }
  kg_status st = kg__read_check_text(text, len, err);
  if (st != KG_OK || len == 0) {
    return st;
  }

  xml_reader x;
  memset(&x, 0, sizeof x);
  x.graph = graph && graph->kind ? graph : NULL;
  x.out = out;
  x.prefixes = prefixes;
  x.have_base = base && base[0];

  st = kg__redland_acquire();
  if (st != KG_OK) {
    kg__err_set(err, st, 0, 0, "Raptor could not be initialised");
    return st;
  }
  kg__err captured = {0};
  kg__redland_capture(&captured);
  int failed = parse_locked(&x, text, len, base);
  kg__redland_capture(NULL);
  kg__redland_release();

  if (x.status == KG_ERR_NOMEM) {
    kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
    st = KG_ERR_NOMEM;
  } else if (captured.status != KG_OK) {
    /* Raptor's own message comes first: it saw the problem first. Errors
     * of the XML layer arrive without a location: use the line where the
     * parser stopped. */
    unsigned line = captured.line ? captured.line : x.end_line;
    unsigned column = captured.line ? captured.column : 0;
    if (captured.msg) {
      drop_line_zero(captured.msg);
      kg__utf8_scrub(captured.msg);
    }
    kg__err_set(err, KG_ERR_PARSE, line, column, "%s",
                captured.msg ? captured.msg : "RDF/XML syntax error");
    st = KG_ERR_PARSE;
  } else if (x.status != KG_OK) {
    kg__err_set(err, x.status, x.line, x.column, "%s",
                x.msg ? x.msg : "RDF/XML syntax error");
    st = x.status;
  } else if (failed) {
    kg__err_set(err, KG_ERR_PARSE, x.end_line, 0, "RDF/XML syntax error");
    st = KG_ERR_PARSE;
  }
  kg__err_clear(&captured);
  xml_reader_clear(&x);
  return st;
}
