/* Reader for RDF/XML on Raptor's "rdfxml" parser.
 *
 * The text is fed to the parser in chunks; statements arrive in a handler
 * that turns raptor terms into kgraph terms, and namespace declarations
 * (xmlns) arrive in another that records prefixes. Raptor's error messages
 * reach us through the Redland log capture (redland.h). The parser is
 * hardened first: no network, no files, no external entities; and a
 * document whose entities would expand too far, or whose elements nest too
 * deep, is refused before the parser sees it (xml_guard()). */
#include "io.h"
#include "reader_util.h"
#include "redland.h"

#include <stdio.h>
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
  int bad = kg__iri_bad_char(slot->data, len);
  if (bad >= 0) {
    char msg[64];
    snprintf(msg, sizeof msg, "invalid IRI character U+%04X", (unsigned)bad);
    handler_error(x, KG_ERR_PARSE, msg);
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
      if (!kg__is_langtag(x->lang.data)) {
        /* no writer of the Turtle family could write it back */
        handler_error(x, KG_ERR_PARSE, "invalid language tag in xml:lang");
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

/* ---- guard against documents that exhaust the XML layer ----
 *
 * libxml2 2.9 expands internal entities without bound (a 100 KB entity
 * referenced 20,000 times makes a 2 GB literal and takes gigabytes), and
 * Raptor looks up the in-scope base IRI through every open element, so
 * that nesting costs time quadratic in its depth. Before Raptor sees a
 * document, a scan without expansion adds up what its entity references
 * would expand to and how deep its elements (entities included) nest, and
 * the document is refused when either is too much. References to
 * parameter entities are refused: their text could declare more. */

/* Element nesting allowed (RDF/XML alternates node and property
 * elements: 256 nested resources). */
#define XML_MAX_DEPTH 512
/* Entity references within entity values, nested. */
#define XML_MAX_ENTITY_NESTING 32
/* Entity expansion allowed: twice the document plus this. */
#define XML_EXPANSION_SLACK ((size_t)16 << 20)

typedef struct xml_entity {
  const char *name;
  size_t name_len;
  const char *value; /* replacement text as written; NULL if external */
  size_t value_len;
  size_t size;  /* bytes it expands to (at most), once computed */
  size_t depth; /* element nesting it opens, once computed */
  int state;    /* 0 not computed, 1 being computed, 2 computed */
} xml_entity;

typedef struct xml_scan {
  xml_entity *ents; /* general entities */
  size_t nents;
  size_t *slots; /* hash of ents by name: index + 1, 0 empty */
  size_t nslots;
  size_t attlist_refs; /* expansion of references in attribute defaults */
  size_t limit;        /* expansion allowed in the body */
  const char *why;     /* reason for refusing, NULL while fine */
} xml_scan;

static size_t add_sat(size_t a, size_t b)
{
  return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t mul_sat(size_t a, size_t b)
{
  return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static bool xml_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool xml_name_char(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' ||
         c == '-' || c >= 0x80;
}

static size_t name_hash(const char *s, size_t n)
{
  size_t h = 5381;
  for (size_t i = 0; i < n; i++) {
    h = h * 33 + (unsigned char)s[i];
  }
  return h;
}

static xml_entity *find_entity(const xml_scan *x, const char *name, size_t n)
{
  if (!x->nslots) {
    return NULL;
  }
  for (size_t k = name_hash(name, n) & (x->nslots - 1); x->slots[k];
       k = (k + 1) & (x->nslots - 1)) {
    xml_entity *e = &x->ents[x->slots[k] - 1];
    if (e->name_len == n && memcmp(e->name, name, n) == 0) {
      return e;
    }
  }
  return NULL;
}

/* Record a general entity; the first declaration of a name is binding. */
static bool add_entity(xml_scan *x, const xml_entity *e)
{
  if (find_entity(x, e->name, e->name_len)) {
    return true;
  }
  if ((x->nents + 1) * 2 > x->nslots) {
    size_t ns = x->nslots ? x->nslots * 2 : 64;
    size_t *slots = calloc(ns, sizeof *slots);
    xml_entity *ents = realloc(x->ents, ns / 2 * sizeof *ents);
    if (!slots || !ents) {
      free(slots);
      if (ents) {
        x->ents = ents;
      }
      return false;
    }
    x->ents = ents;
    for (size_t i = 0; i < x->nents; i++) {
      size_t k = name_hash(ents[i].name, ents[i].name_len) & (ns - 1);
      while (slots[k]) {
        k = (k + 1) & (ns - 1);
      }
      slots[k] = i + 1;
    }
    free(x->slots);
    x->slots = slots;
    x->nslots = ns;
  }
  size_t k = name_hash(e->name, e->name_len) & (x->nslots - 1);
  while (x->slots[k]) {
    k = (k + 1) & (x->nslots - 1);
  }
  x->ents[x->nents] = *e;
  x->slots[k] = ++x->nents;
  return true;
}

/* Offset just past the next `end` at or after `i` (n if there is none). */
static size_t skip_past(const char *s, size_t n, size_t i, const char *end)
{
  size_t m = strlen(end);
  while (i + m <= n && memcmp(s + i, end, m) != 0) {
    i++;
  }
  return i + m <= n ? i + m : n;
}

/* Offset just past the '>' that ends the markup starting at `i`, quoted
 * strings skipped. */
static size_t skip_tag(const char *s, size_t n, size_t i)
{
  char quote = 0;
  for (; i < n; i++) {
    if (quote) {
      quote = s[i] == quote ? 0 : quote;
    } else if (s[i] == '"' || s[i] == '\'') {
      quote = s[i];
    } else if (s[i] == '>') {
      return i + 1;
    }
  }
  return n;
}

static void entity_measure(xml_scan *x, xml_entity *e, unsigned nesting);

/* The entity reference at s[i] ('&'): its name's length in *len (0 for a
 * character reference or a stray '&'), the entity if declared. */
static xml_entity *
reference(xml_scan *x, const char *s, size_t n, size_t i, size_t *len)
{
  size_t j = i + 1;
  while (j < n && j - i <= 1024 && xml_name_char((unsigned char)s[j])) {
    j++;
  }
  *len = 0;
  if (j == i + 1 || j >= n || s[j] != ';') {
    return NULL;
  }
  *len = j - i - 1;
  return find_entity(x, s + i + 1, *len);
}

/* Scan markup s[0..n): add what entity references expand to into *size
 * and raise *maxdepth to the deepest element nesting, starting at `depth`.
 * With `tags` counts start tags. Sets x->why to refuse. */
static void scan_markup(xml_scan *x,
                        const char *s,
                        size_t n,
                        size_t depth,
                        unsigned nesting,
                        size_t *size,
                        size_t *maxdepth,
                        size_t *tags)
{
  size_t i = 0;
  while (i < n && !x->why) {
    if (s[i] == '&') {
      size_t len = 0;
      xml_entity *e = reference(x, s, n, i, &len);
      if (e) {
        entity_measure(x, e, nesting + 1);
        *size = add_sat(*size, e->size);
        if (add_sat(depth, e->depth) > *maxdepth) {
          *maxdepth = add_sat(depth, e->depth);
        }
      }
      i += len + 1;
    } else if (s[i] != '<') {
      i++;
    } else if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
      i = skip_past(s, n, i + 4, "-->");
    } else if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
      i = skip_past(s, n, i + 9, "]]>");
    } else if (n - i >= 2 && (s[i + 1] == '?' || s[i + 1] == '!')) {
      i = skip_past(s, n, i + 2, s[i + 1] == '?' ? "?>" : ">");
    } else if (n - i >= 2 && s[i + 1] == '/') {
      depth = depth ? depth - 1 : 0;
      i = skip_tag(s, n, i + 2);
    } else {
      /* a start tag: references in attribute values expand too */
      size_t end = skip_tag(s, n, i + 1);
      for (size_t k = i + 1; k < end; k++) {
        size_t len = 0;
        xml_entity *e = s[k] == '&' ? reference(x, s, end, k, &len) : NULL;
        if (e) {
          entity_measure(x, e, nesting + 1);
          *size = add_sat(*size, e->size);
        }
      }
      if (tags) {
        (*tags)++;
      }
      if (end < 2 || s[end - 2] != '/') {
        depth++;
        *maxdepth = depth > *maxdepth ? depth : *maxdepth;
      }
      i = end;
    }
    if (*maxdepth > XML_MAX_DEPTH) {
      x->why = "XML elements nested deeper than 512 levels";
    }
  }
}

/* Does s[0..n) hold a character reference to '<' (which, in an entity
 * value, becomes markup when the entity is used)? */
static bool encodes_markup(const char *s, size_t n)
{
  for (size_t i = 0; i + 2 < n; i++) {
    if (s[i] != '&' || s[i + 1] != '#') {
      continue;
    }
    bool hex = s[i + 2] == 'x';
    unsigned long v = 0;
    size_t j = i + 2 + hex;
    for (; j < n && j - i < 16; j++) {
      char c = s[j];
      int d = c >= '0' && c <= '9'          ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
      if (d < 0) {
        break;
      }
      v = v * (hex ? 16 : 10) + (unsigned long)d;
    }
    if (v == '<') {
      return true;
    }
  }
  return false;
}

static void entity_measure(xml_scan *x, xml_entity *e, unsigned nesting)
{
  if (x->why || e->state == 2) {
    return;
  }
  if (e->state == 1) {
    x->why = "an XML entity refers to itself";
    return;
  }
  if (nesting > XML_MAX_ENTITY_NESTING) {
    x->why = "XML entities nested deeper than 32 levels";
    return;
  }
  if (e->value && encodes_markup(e->value, e->value_len)) {
    x->why = "an XML entity value holds markup as character references";
    return;
  }
  e->state = 1;
  size_t size = e->value_len;
  size_t depth = 0;
  if (e->value) {
    scan_markup(x, e->value, e->value_len, 0, nesting, &size, &depth, NULL);
  }
  e->size = size;
  e->depth = depth;
  e->state = 2;
}

/* Read the declarations of an internal DTD subset starting at s[i] (after
 * '['); returns the offset after its ']'. */
static size_t scan_subset(xml_scan *x, const char *s, size_t n, size_t i)
{
  while (i < n && !x->why) {
    if (xml_space(s[i])) {
      i++;
    } else if (s[i] == ']') {
      return i + 1;
    } else if (s[i] == '%') {
      x->why = "XML parameter entity references are not supported";
    } else if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
      i = skip_past(s, n, i + 4, "-->");
    } else if (n - i >= 2 && memcmp(s + i, "<?", 2) == 0) {
      i = skip_past(s, n, i + 2, "?>");
    } else if (n - i >= 9 && memcmp(s + i, "<!ENTITY", 8) == 0 &&
               xml_space(s[i + 8])) {
      size_t end = skip_tag(s, n, i + 8);
      size_t j = i + 8;
      while (j < end && xml_space(s[j])) {
        j++;
      }
      bool param = j < end && s[j] == '%';
      j += param;
      while (j < end && xml_space(s[j])) {
        j++;
      }
      xml_entity e = {s + j, 0, NULL, 0, 0, 0, 0};
      while (j < end && xml_name_char((unsigned char)s[j])) {
        j++;
      }
      e.name_len = (size_t)(s + j - e.name);
      while (j < end && xml_space(s[j])) {
        j++;
      }
      if (j < end && (s[j] == '"' || s[j] == '\'')) {
        const char *q = memchr(s + j + 1, s[j], end - j - 1);
        if (q) {
          e.value = s + j + 1;
          e.value_len = (size_t)(q - e.value);
        }
      }
      if (!param && e.name_len && !add_entity(x, &e)) {
        x->why = "out of memory";
      }
      i = end;
    } else if (n - i >= 9 && memcmp(s + i, "<!ATTLIST", 9) == 0) {
      size_t end = skip_tag(s, n, i + 9);
      for (size_t k = i + 9; k < end; k++) {
        size_t len = 0;
        xml_entity *e = s[k] == '&' ? reference(x, s, end, k, &len) : NULL;
        if (e) {
          entity_measure(x, e, 1);
          x->attlist_refs = add_sat(x->attlist_refs, e->size);
        }
      }
      i = end;
    } else if (s[i] == '<') {
      i = skip_tag(s, n, i + 1);
    } else {
      i++;
    }
  }
  return n;
}

/* Check a whole document; NULL if it may be parsed, else why not. */
static const char *xml_guard(const char *s, size_t n)
{
  xml_scan x;
  memset(&x, 0, sizeof x);
  x.limit = add_sat(mul_sat(n, 2), XML_EXPANSION_SLACK);
  size_t i = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  /* the prolog: declaration, comments, PIs, at most one DOCTYPE */
  for (;;) {
    while (i < n && xml_space(s[i])) {
      i++;
    }
    if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
      i = skip_past(s, n, i + 4, "-->");
    } else if (n - i >= 2 && memcmp(s + i, "<?", 2) == 0) {
      i = skip_past(s, n, i + 2, "?>");
    } else if (n - i >= 9 && memcmp(s + i, "<!DOCTYPE", 9) == 0) {
      /* name and external ID, then maybe an internal subset */
      char quote = 0;
      i += 9;
      while (i < n && !x.why) {
        char c = s[i++];
        if (quote) {
          quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '[') {
          i = scan_subset(&x, s, n, i);
        } else if (c == '>') {
          break;
        }
      }
      if (x.why) {
        break;
      }
    } else {
      break;
    }
  }
  size_t size = 0;
  size_t depth = 0;
  size_t tags = 0;
  if (!x.why) {
    scan_markup(&x, s + i, n - i, 0, 0, &size, &depth, &tags);
  }
  if (!x.why && add_sat(size, mul_sat(tags, x.attlist_refs)) > x.limit) {
    x.why = "XML entities would expand to more than twice the document "
            "plus 16 MB";
  }
  free(x.ents);
  free(x.slots);
  return x.why;
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
  if (len == 0) {
    return KG_OK;
  }
  kg_status st;
  const char *why = xml_guard(text, len);
  if (why) {
    st = strcmp(why, "out of memory") == 0 ? KG_ERR_NOMEM : KG_ERR_PARSE;
    kg__err_set(err, st, 0, 0, "%s", why);
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
    kg__err_set(err, st, 0, 0, "%s", kg__redland_failure());
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
