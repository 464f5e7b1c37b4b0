/* Reader for the Turtle family (Turtle, TriG, N-Triples, N-Quads) on serd.
 *
 * serd reads the text straight from the caller's buffer through a source
 * function, in strict mode. Relative IRIs are resolved with a SerdEnv that
 * follows the document's @base; CURIEs are expanded with the reader's own
 * hash of the @prefix directives (SerdEnv looks prefixes up one by one,
 * which a document declaring many prefixes turns into quadratic time).
 *
 * serd reports its own syntax errors with a line and a byte column. Some
 * errors are only found in the callbacks here (an undefined prefix, a
 * relative IRI without a base IRI, an escape that gives a surrogate), where
 * serd's position is not visible; for those the text is read a second time
 * one byte per call, which shows exactly how far serd had got when the
 * callback failed. That second pass only happens on such an error, so the
 * normal path stays fast. */
#include "io.h"
#include "reader_util.h"

/* serd.h marks pointers with clang's nullability qualifiers, which
 * -Wpedantic reports when the header is not a system header. */
#if defined(__clang__)
#  pragma clang diagnostic push
#  pragma clang diagnostic ignored "-Wnullability-extension"
#endif
#include <serd/serd.h>
#if defined(__clang__)
#  pragma clang diagnostic pop
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes handed to serd per call of the source function. */
#define PAGE_SIZE 4096

enum { SLOT_S, SLOT_P, SLOT_O, SLOT_G, SLOT_DT, SLOT_COUNT };

/* Namespace prefixes declared so far: name -> namespace IRI. */
typedef struct prefix_entry {
  char *name;
  char *ns;
  size_t ns_len;
} prefix_entry;

typedef struct prefix_map {
  prefix_entry *v;
  size_t n;
  size_t *slots; /* open addressing: index + 1, 0 empty */
  size_t nslots;
} prefix_map;

typedef struct reader {
  SerdEnv *env;
  prefix_map pfx;
  const kg_term *graph;   /* graph of triples; NULL: default graph */
  kg__quads *out;         /* NULL while locating an error */
  kg__prefixes *prefixes; /* NULL when not wanted or while locating */
  bool locating;

  /* the text, and how much of it serd has taken */
  const char *text;
  size_t len;
  size_t off;

  kg__buf slot[SLOT_COUNT]; /* expanded IRIs of the current statement */

  /* first error */
  kg_status status;
  bool from_callback; /* found by a callback, position still unknown */
  char *msg;
  unsigned line;        /* serd errors: serd's line (1-based) */
  unsigned byte_col;    /* serd errors: serd's column (see char_column) */
  size_t offset;        /* locating: byte offset of serd's position */
  char *needle;         /* text of the faulty token, to find it exactly */
  bool needle_is_curie; /* the needle is a prefix name and its ':' */
} reader;

static size_t source_read(void *buf, size_t size, size_t nmemb, void *stream)
{
  reader *r = stream;
  size_t want = size * nmemb;
  size_t left = r->len - r->off;
  size_t n = want < left ? want : left;
  if (n) {
    memcpy(buf, r->text + r->off, n);
  }
  r->off += n;
  return size ? n / size : 0;
}

static int source_error(void *stream)
{
  (void)stream;
  return 0;
}

static SerdStatus on_error(void *handle, const SerdError *e)
{
  reader *r = handle;
  if (r->status != KG_OK || r->locating) {
    return SERD_SUCCESS;
  }
  char text[512];
  va_list ap;
  va_copy(ap, *e->args);
  int n = vsnprintf(text, sizeof text, e->fmt, ap);
  va_end(ap);
  if (n < 0) {
    text[0] = '\0';
  }
  /* serd reads the end of the input inside an IRI as character -1 */
  if (strstr(text, "(escape %FFFFFFFF)")) {
    snprintf(text, sizeof text, "unexpected end of file");
  }
  kg__utf8_scrub(text);
  r->msg = kg__strdup(text);
  r->status = r->msg ? KG_ERR_PARSE : KG_ERR_NOMEM;
  r->line = e->line;
  r->byte_col = e->col;
  return SERD_SUCCESS;
}

/* Record an error found in a callback; returns the status that makes serd
 * stop. `needle` (may be NULL) is the token to look for in the text. */
static SerdStatus callback_error(reader *r,
                                 kg_status st,
                                 const char *needle,
                                 bool needle_is_curie,
                                 const char *fmt,
                                 ...) __attribute__((format(printf, 5, 6)));

static SerdStatus callback_error(reader *r,
                                 kg_status st,
                                 const char *needle,
                                 bool needle_is_curie,
                                 const char *fmt,
                                 ...)
{
  if (r->status != KG_OK) {
    return SERD_ERR_BAD_ARG;
  }
  r->status = st;
  r->from_callback = true;
  if (r->locating) {
    /* serd has asked for exactly `off` bytes; the last one is the byte it
     * is looking at, unless it has reached the end. */
    r->offset = r->off < r->len && r->off > 0 ? r->off - 1 : r->off;
    if (needle) {
      r->needle = kg__strdup(needle);
      r->needle_is_curie = needle_is_curie;
    }
    return SERD_ERR_BAD_ARG;
  }
  kg__buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  char text[512];
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (n < 0) {
    text[0] = '\0';
  }
  kg__utf8_scrub(text);
  kg__buf_puts(&b, text);
  r->msg = kg__buf_take(&b);
  if (!r->msg) {
    r->status = KG_ERR_NOMEM;
  }
  return SERD_ERR_BAD_ARG;
}

static SerdStatus nomem(reader *r)
{
  if (r->status == KG_OK) {
    r->status = KG_ERR_NOMEM;
  }
  return SERD_ERR_INTERNAL;
}

/* True if s[0..len) is valid UTF-8. The input text was checked before
 * parsing, so only escapes (\uD800) can make it invalid here. */
static bool valid_utf8(const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    if (u[i] < 0x80) {
      i++;
      continue;
    }
    size_t n = kg__utf8_seq(u + i, len - i);
    if (n == 0) {
      return false;
    }
    i += n;
  }
  return true;
}

static bool has_scheme(const char *s)
{
  return serd_uri_string_has_scheme((const uint8_t *)s);
}

/* Shorten long IRIs in messages. */
static const char *msg_iri(const char *s, char *tmp, size_t cap)
{
  size_t len = strlen(s);
  if (len < cap) {
    return s;
  }
  size_t keep = cap - 4;
  while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) {
    keep--; /* do not cut a UTF-8 sequence */
  }
  memcpy(tmp, s, keep);
  memcpy(tmp + keep, "...", 4);
  return tmp;
}

/* RFC 3986 5.2.4: remove "." and ".." segments from the path of the
 * absolute IRI in `b` (serd 0.30 resolves only leading "../"). */
static void remove_dot_segments(kg__buf *b)
{
  char *s = b->data;
  size_t len = b->len;
  size_t i = 0;
  while (i < len && s[i] != ':') {
    i++;
  }
  if (i == len) {
    return;
  }
  i++;
  if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
    i += 2;
    while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#') {
      i++;
    }
  }
  size_t path = i;
  size_t end = path;
  while (end < len && s[end] != '?' && s[end] != '#') {
    end++;
  }
  /* the output never grows past the input, so work in place: `in` reads
   * ahead of `out` */
  size_t in = path;
  size_t out = path;
  while (in < end) {
    size_t left = end - in;
    const char *p = s + in;
    if (left >= 3 && memcmp(p, "../", 3) == 0) {
      in += 3;
    } else if (left >= 2 && memcmp(p, "./", 2) == 0) {
      in += 2;
    } else if (left >= 3 && memcmp(p, "/./", 3) == 0) {
      in += 2;
    } else if (left == 2 && memcmp(p, "/.", 2) == 0) {
      in += 1;
      s[in] = '/';
    } else if ((left >= 4 && memcmp(p, "/../", 4) == 0) ||
               (left == 3 && memcmp(p, "/..", 3) == 0)) {
      in += left == 3 ? 2 : 3;
      s[in] = '/';
      while (out > path && s[out - 1] != '/') {
        out--;
      }
      if (out > path) {
        out--;
      }
    } else if ((left == 1 && p[0] == '.') ||
               (left == 2 && memcmp(p, "..", 2) == 0)) {
      in = end;
    } else {
      size_t seg = in + 1;
      while (seg < end && s[seg] != '/') {
        seg++;
      }
      memmove(s + out, s + in, seg - in);
      out += seg - in;
      in = seg;
    }
  }
  memmove(s + out, s + end, len - end);
  b->len = out + (len - end);
  s[b->len] = '\0';
}

static SerdStatus relative_error(reader *r, const char *raw, const char *iri)
{
  char tmp[200];
  kg__buf needle = {0};
  if (raw) {
    kg__buf_putc(&needle, '<');
    kg__buf_puts(&needle, raw);
    kg__buf_putc(&needle, '>');
    if (needle.failed) {
      return nomem(r);
    }
  }
  SerdStatus st = callback_error(r, KG_ERR_PARSE, needle.data, false,
                                 "relative IRI <%s> without a base IRI",
                                 msg_iri(iri, tmp, sizeof tmp));
  kg__buf_free(&needle);
  return st;
}

static size_t prefix_hash(const char *s, size_t n)
{
  size_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  }
  return h;
}

static prefix_entry *
prefix_find(const prefix_map *m, const char *name, size_t n)
{
  if (!m->nslots) {
    return NULL;
  }
  for (size_t k = prefix_hash(name, n) & (m->nslots - 1); m->slots[k];
       k = (k + 1) & (m->nslots - 1)) {
    prefix_entry *e = &m->v[m->slots[k] - 1];
    if (strlen(e->name) == n && memcmp(e->name, name, n) == 0) {
      return e;
    }
  }
  return NULL;
}

/* Bind `name` to `ns` (both copied), replacing an earlier binding. */
static bool prefix_bind(prefix_map *m, const char *name, const char *ns)
{
  size_t nlen = strlen(name);
  char *copy = kg__strdup(ns);
  if (!copy) {
    return false;
  }
  prefix_entry *e = prefix_find(m, name, nlen);
  if (e) {
    free(e->ns);
    e->ns = copy;
    e->ns_len = strlen(copy);
    return true;
  }
  if ((m->n + 1) * 2 > m->nslots) {
    size_t ns2 = m->nslots ? m->nslots * 2 : 32;
    size_t *slots = calloc(ns2, sizeof *slots);
    prefix_entry *v = realloc(m->v, ns2 / 2 * sizeof *v);
    if (v) {
      m->v = v;
    }
    if (!slots || !v) {
      free(slots);
      free(copy);
      return false;
    }
    for (size_t i = 0; i < m->n; i++) {
      size_t k = prefix_hash(v[i].name, strlen(v[i].name)) & (ns2 - 1);
      while (slots[k]) {
        k = (k + 1) & (ns2 - 1);
      }
      slots[k] = i + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = ns2;
  }
  char *ncopy = kg__strndup(name, nlen);
  if (!ncopy) {
    free(copy);
    return false;
  }
  size_t k = prefix_hash(name, nlen) & (m->nslots - 1);
  while (m->slots[k]) {
    k = (k + 1) & (m->nslots - 1);
  }
  m->v[m->n].name = ncopy;
  m->v[m->n].ns = copy;
  m->v[m->n].ns_len = strlen(copy);
  m->slots[k] = ++m->n;
  return true;
}

static void prefix_map_free(prefix_map *m)
{
  for (size_t i = 0; i < m->n; i++) {
    free(m->v[i].name);
    free(m->v[i].ns);
  }
  free(m->v);
  free(m->slots);
  memset(m, 0, sizeof *m);
}

/* Expand an IRI or CURIE node into `slot` (or point into the node when it
 * is already absolute). Returns SERD_SUCCESS, or an error already
 * recorded. */
static SerdStatus
expand_iri(reader *r, const SerdNode *n, kg__buf *slot, const char **value)
{
  const char *s = (const char *)n->buf;
  size_t vlen = 0;
  slot->len = 0;
  if (n->type == SERD_URI && has_scheme(s)) {
    *value = s;
    vlen = n->n_bytes;
  } else if (n->type == SERD_URI) {
    SerdNode x = serd_env_expand_node(r->env, n);
    kg__buf_append(slot, x.buf ? x.buf : (const uint8_t *)"", x.n_bytes);
    serd_node_free(&x);
    if (slot->failed) {
      return nomem(r);
    }
    if (!has_scheme(slot->data)) {
      return relative_error(r, s, s);
    }
    remove_dot_segments(slot);
    *value = slot->data;
    vlen = slot->len;
  } else if (n->type == SERD_CURIE) {
    const char *colon = memchr(s, ':', n->n_bytes);
    const prefix_entry *e =
        colon ? prefix_find(&r->pfx, s, (size_t)(colon - s)) : NULL;
    if (!e) {
      size_t plen = colon ? (size_t)(colon - s) + 1 : strlen(s);
      char *needle = kg__strndup(s, plen);
      if (!needle) {
        return nomem(r);
      }
      SerdStatus st = callback_error(r, KG_ERR_PARSE, needle, true,
                                     "undefined prefix '%.*s'",
                                     (int)(colon ? plen - 1 : plen), s);
      free(needle);
      return st;
    }
    kg__buf_append(slot, e->ns, e->ns_len);
    kg__buf_append(slot, colon + 1, n->n_bytes - (size_t)(colon + 1 - s));
    if (slot->failed) {
      return nomem(r);
    }
    *value = slot->data;
    vlen = slot->len;
    if (!has_scheme(slot->data)) {
      return relative_error(r, NULL, slot->data);
    }
  } else {
    return callback_error(r, KG_ERR_PARSE, NULL, false, "expected an IRI");
  }
  if (strlen(*value) != vlen) {
    /* an escaped NUL: IRIs are kept as NUL-terminated strings */
    return callback_error(r, KG_ERR_PARSE, NULL, false,
                          "NUL character in an IRI");
  }
  if (!valid_utf8(*value, vlen)) {
    return callback_error(r, KG_ERR_PARSE, NULL, false,
                          "invalid code point in an escape");
  }
  /* serd lets some escapes through that IRIREF excludes written out */
  int bad = kg__iri_bad_char(*value, vlen);
  if (bad >= 0) {
    return callback_error(r, KG_ERR_PARSE, NULL, false,
                          "invalid escaped IRI character U+%04X",
                          (unsigned)bad);
  }
  return SERD_SUCCESS;
}

/* Turn a node into a term; strings point into the node or into `slot`. */
static SerdStatus
make_term(reader *r, const SerdNode *n, kg__buf *slot, kg_term *t)
{
  memset(t, 0, sizeof *t);
  switch (n->type) {
  case SERD_URI:
  case SERD_CURIE: {
    const char *v = NULL;
    SerdStatus st = expand_iri(r, n, slot, &v);
    if (st != SERD_SUCCESS) {
      return st;
    }
    t->kind = KG_TERM_IRI;
    t->value = v;
    t->value_len = strlen(v);
    return SERD_SUCCESS;
  }
  case SERD_BLANK:
    t->kind = KG_TERM_BLANK;
    t->value = (const char *)n->buf;
    t->value_len = n->n_bytes;
    return SERD_SUCCESS;
  case SERD_LITERAL:
    t->kind = KG_TERM_LITERAL;
    t->value = (const char *)n->buf;
    t->value_len = n->n_bytes;
    if (!valid_utf8(t->value, t->value_len)) {
      return callback_error(r, KG_ERR_PARSE, NULL, false,
                            "invalid code point in an escape");
    }
    return SERD_SUCCESS;
  case SERD_NOTHING:
  default:
    return callback_error(r, KG_ERR_PARSE, NULL, false, "missing term");
  }
}

/* Resolve a directive's IRI against the current base into `b`. */
static bool resolve_directive_iri(reader *r, const SerdNode *uri, kg__buf *b)
{
  b->len = 0;
  if (has_scheme((const char *)uri->buf)) {
    kg__buf_append(b, uri->buf, uri->n_bytes);
  } else {
    SerdNode x = serd_env_expand_node(r->env, uri);
    kg__buf_append(b, x.buf ? x.buf : (const uint8_t *)"", x.n_bytes);
    serd_node_free(&x);
    if (!b->failed && has_scheme(b->data)) {
      remove_dot_segments(b);
    }
  }
  return !b->failed;
}

static SerdStatus on_base(void *handle, const SerdNode *uri)
{
  reader *r = handle;
  kg__buf b = {0};
  if (!resolve_directive_iri(r, uri, &b)) {
    kg__buf_free(&b);
    return nomem(r);
  }
  SerdNode node =
      serd_node_from_substring(SERD_URI, (const uint8_t *)b.data, b.len);
  SerdStatus st = serd_env_set_base_uri(r->env, &node);
  kg__buf_free(&b);
  if (st != SERD_SUCCESS) {
    return callback_error(r, KG_ERR_PARSE, NULL, false, "invalid base IRI");
  }
  return SERD_SUCCESS;
}

static SerdStatus
on_prefix(void *handle, const SerdNode *name, const SerdNode *uri)
{
  reader *r = handle;
  char tmp[200];
  kg__buf b = {0};
  if (!resolve_directive_iri(r, uri, &b)) {
    kg__buf_free(&b);
    return nomem(r);
  }
  if (!has_scheme(b.data)) {
    kg__buf_free(&b);
    return relative_error(r, (const char *)uri->buf,
                          msg_iri((const char *)uri->buf, tmp, sizeof tmp));
  }
  if (!prefix_bind(&r->pfx, (const char *)name->buf, b.data) ||
      (r->prefixes && !r->locating &&
       kg__prefixes_set(r->prefixes, (const char *)name->buf, b.data) !=
           KG_OK)) {
    kg__buf_free(&b);
    return nomem(r);
  }
  kg__buf_free(&b);
  return SERD_SUCCESS;
}

static SerdStatus on_statement(void *handle,
                               SerdStatementFlags flags,
                               const SerdNode *graph,
                               const SerdNode *subject,
                               const SerdNode *predicate,
                               const SerdNode *object,
                               const SerdNode *datatype,
                               const SerdNode *lang)
{
  reader *r = handle;
  (void)flags; /* anonymous nodes and lists arrive as plain blank nodes */
  if (r->status != KG_OK) {
    return SERD_ERR_BAD_ARG;
  }
  kg_term s;
  kg_term p;
  kg_term o;
  kg_term g;
  SerdStatus st = make_term(r, subject, &r->slot[SLOT_S], &s);
  if (st == SERD_SUCCESS) {
    st = make_term(r, predicate, &r->slot[SLOT_P], &p);
  }
  if (st == SERD_SUCCESS) {
    st = make_term(r, object, &r->slot[SLOT_O], &o);
  }
  if (st == SERD_SUCCESS && object->type == SERD_LITERAL) {
    if (datatype && datatype->buf) {
      const char *dt = NULL;
      st = expand_iri(r, datatype, &r->slot[SLOT_DT], &dt);
      if (st == SERD_SUCCESS && strcmp(dt, kg__xsd_string) != 0) {
        o.datatype = dt;
      }
    } else if (lang && lang->buf && lang->n_bytes) {
      o.lang = (const char *)lang->buf;
      /* serd lets a tag through that LANGTAG does not match ("en-") */
      if (!kg__is_langtag(o.lang)) {
        st = callback_error(r, KG_ERR_PARSE, NULL, false,
                            "invalid language tag '%.40s'", o.lang);
      }
    }
  }
  const kg_term *gp = r->graph;
  if (st == SERD_SUCCESS && graph && graph->buf) {
    st = make_term(r, graph, &r->slot[SLOT_G], &g);
    gp = &g;
  }
  if (st != SERD_SUCCESS) {
    return st;
  }
  if (r->out && kg__quads_push(r->out, &s, &p, &o, gp) != KG_OK) {
    return nomem(r);
  }
  return SERD_SUCCESS;
}

static bool pn_char(unsigned char c)
{
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.';
}

/* Look back from `offset` for the faulty token; return its offset, or
 * `offset` when it is not there. */
static size_t find_needle(const reader *r, size_t offset)
{
  if (!r->needle) {
    return offset;
  }
  size_t nlen = strlen(r->needle);
  if (nlen == 0 || nlen > offset + 1) {
    return offset;
  }
  size_t last = offset + 1 - nlen;
  if (last + nlen > r->len) {
    last = r->len - nlen;
  }
  for (size_t i = last + 1; i-- > 0;) {
    if (memcmp(r->text + i, r->needle, nlen) != 0) {
      continue;
    }
    if (r->needle_is_curie && i > 0 && pn_char((unsigned char)r->text[i - 1])) {
      continue;
    }
    return i;
  }
  return offset;
}

/* serd reads nested blank nodes and lists by recursion, so deep enough
 * nesting overflows the C stack. Before parsing Turtle or TriG, find the
 * first '(' or '[' that opens level MAX_DEPTH + 1, skipping comments, IRIs
 * and strings. Returns its offset, or len when there is none. */
#define MAX_DEPTH 256

static size_t skip_string(const char *t, size_t len, size_t i)
{
  char q = t[i];
  bool longq = i + 2 < len && t[i + 1] == q && t[i + 2] == q;
  i += longq ? 3 : 1;
  while (i < len) {
    if (t[i] == '\\') {
      i += 2;
    } else if (t[i] == q &&
               (!longq || (i + 2 < len && t[i + 1] == q && t[i + 2] == q))) {
      return i + (longq ? 3 : 1);
    } else if (!longq && (t[i] == '\n' || t[i] == '\r')) {
      return i; /* not a valid string: serd will say so */
    } else {
      i++;
    }
  }
  return len;
}

static size_t too_deep(const char *t, size_t len)
{
  size_t depth = 0;
  size_t i = 0;
  while (i < len) {
    switch (t[i]) {
    case '#':
      while (i < len && t[i] != '\n' && t[i] != '\r') {
        i++;
      }
      break;
    case '<':
      while (i < len && t[i] != '>' && t[i] != '\n') {
        i++;
      }
      i++;
      break;
    case '"':
    case '\'':
      i = skip_string(t, len, i);
      break;
    case '\\':
      i += 2;
      break;
    case '(':
    case '[':
      if (++depth > MAX_DEPTH) {
        return i;
      }
      i++;
      break;
    case ')':
    case ']':
      if (depth > 0) {
        depth--;
      }
      i++;
      break;
    default:
      i++;
      break;
    }
  }
  return len;
}

static SerdSyntax syntax_of(kg_format format)
{
  switch (format) {
  case KG_FORMAT_NTRIPLES:
    return SERD_NTRIPLES;
  case KG_FORMAT_NQUADS:
    return SERD_NQUADS;
  case KG_FORMAT_TRIG:
    return SERD_TRIG;
  case KG_FORMAT_TURTLE:
  default:
    return SERD_TURTLE;
  }
}

static void reader_clear(reader *r)
{
  serd_env_free(r->env);
  r->env = NULL;
  prefix_map_free(&r->pfx);
  for (int i = 0; i < SLOT_COUNT; i++) {
    kg__buf_free(&r->slot[i]);
  }
  free(r->msg);
  r->msg = NULL;
  free(r->needle);
  r->needle = NULL;
}

/* One pass over the text. Returns serd's status; errors are in `r`. */
static SerdStatus run(reader *r, SerdSyntax syntax, const char *base)
{
  SerdNode base_node = SERD_NODE_NULL;
  if (base && base[0]) {
    base_node = serd_node_from_string(SERD_URI, (const uint8_t *)base);
  }
  r->env = serd_env_new(base_node.buf ? &base_node : NULL);
  if (!r->env) {
    r->status = KG_ERR_NOMEM;
    return SERD_ERR_INTERNAL;
  }
  SerdReader *sr =
      serd_reader_new(syntax, r, NULL, on_base, on_prefix, on_statement, NULL);
  if (!sr) {
    r->status = KG_ERR_NOMEM;
    return SERD_ERR_INTERNAL;
  }
  serd_reader_set_strict(sr, true);
  serd_reader_set_error_sink(sr, on_error, r);
  r->off = 0;
  SerdStatus st = serd_reader_read_source(sr, source_read, source_error, r,
                                          NULL, r->locating ? 1 : PAGE_SIZE);
  serd_reader_free(sr);
  return st;
}

/* Column (1-based, in characters) of serd's column on `line`. serd counts
 * bytes, from 1 on the first line but from 0 on the others. */
static unsigned
char_column(const char *text, size_t len, unsigned line, unsigned byte_col)
{
  size_t start = kg__text_line_start(text, len, line);
  if (line == 1 && byte_col > 0) {
    byte_col--;
  }
  size_t end = start + byte_col;
  if (end > len) {
    end = len;
  }
  unsigned l = 0;
  unsigned c = 0;
  kg__text_position(text, len, end, &l, &c);
  return c;
}

/* Read `text` again one byte at a time to see where serd was when it
 * failed. With `found`, the failure is one a callback of kgraph's raised:
 * returns the offset of the faulty token and sets *found when it could be
 * told; without, returns the offset of the last byte serd read. */
static size_t locate(const char *text,
                     size_t len,
                     SerdSyntax syntax,
                     const char *base,
                     bool *found)
{
  reader loc;
  memset(&loc, 0, sizeof loc);
  loc.locating = true;
  loc.text = text;
  loc.len = len;
  (void)run(&loc, syntax, base);
  size_t at = loc.off > 0 ? loc.off - 1 : 0;
  if (found) {
    *found = loc.from_callback && loc.status == KG_ERR_PARSE;
    at = *found ? find_needle(&loc, loc.offset) : 0;
  }
  reader_clear(&loc);
  return at;
}

/* Parse checked text (no NUL byte). */
static kg_status parse(kg_format format,
                       const char *text,
                       size_t len,
                       const char *base,
                       const kg_term *graph,
                       kg__quads *out,
                       kg__prefixes *prefixes,
                       kg__err *err)
{
  if (format == KG_FORMAT_TURTLE || format == KG_FORMAT_TRIG) {
    size_t deep = too_deep(text, len);
    if (deep < len) {
      unsigned line = 0;
      unsigned column = 0;
      kg__text_position(text, len, deep, &line, &column);
      kg__err_set(err, KG_ERR_PARSE, line, column,
                  "blank nodes or lists nested deeper than %d levels",
                  MAX_DEPTH);
      return KG_ERR_PARSE;
    }
  }

  reader r;
  memset(&r, 0, sizeof r);
  r.graph = graph && graph->kind ? graph : NULL;
  r.out = out;
  r.prefixes = prefixes;
  r.text = text;
  r.len = len;
  SerdSyntax syntax = syntax_of(format);
  SerdStatus st = run(&r, syntax, base);

  kg_status result = r.status;
  if (result == KG_OK && st > SERD_FAILURE) {
    /* serd failed without saying why (a '}' closing no graph, ...) */
    result = KG_ERR_PARSE;
    size_t at = locate(text, len, syntax, base, NULL);
    unsigned line = 0;
    unsigned column = 0;
    kg__text_position(text, len, at, &line, &column);
    if (at < len && text[at] > ' ' && text[at] < 0x7F) {
      kg__err_set(err, KG_ERR_PARSE, line, column, "syntax error at '%c'",
                  text[at]);
    } else {
      kg__err_set(err, KG_ERR_PARSE, line, column, "syntax error");
    }
  } else if (result == KG_ERR_NOMEM) {
    kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
  } else if (result != KG_OK && !r.from_callback) {
    kg__err_set(err, result, r.line,
                r.line ? char_column(text, len, r.line, r.byte_col) : 0, "%s",
                r.msg ? r.msg : "syntax error");
  } else if (result != KG_OK) {
    bool found = false;
    size_t at = locate(text, len, syntax, base, &found);
    unsigned line = 0;
    unsigned column = 0;
    if (found) {
      kg__text_position(text, len, at, &line, &column);
    }
    kg__err_set(err, result, line, column, "%s", r.msg);
  }
  reader_clear(&r);
  return result;
}

/* A raw NUL byte is a character like any other inside a string literal
 * (and a comment), but serd takes it for the end of its input. Such text is
 * parsed as a copy in which each NUL byte is written as the escape
 * \u0000, which means the same. Returns the offset of the first NUL byte
 * that is anywhere else (or follows a backslash), or len. */
static size_t misplaced_nul(const char *t, size_t len)
{
  size_t i = 0;
  while (i < len) {
    switch (t[i]) {
    case '\0':
      return i;
    case '#':
      while (i < len && t[i] != '\n' && t[i] != '\r') {
        i++;
      }
      break;
    case '<':
      while (i < len && t[i] != '>' && t[i] != '\n') {
        if (t[i] == '\0') {
          return i;
        }
        i++;
      }
      break;
    case '"':
    case '\'': {
      size_t end = skip_string(t, len, i);
      for (size_t k = i; k + 1 < end; k++) {
        if (t[k] == '\\' && t[++k] == '\0') {
          return k;
        }
      }
      i = end;
      break;
    }
    default:
      i++;
      break;
    }
  }
  return len;
}

static char *escape_nuls(const char *t, size_t len, size_t *out_len)
{
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    n += t[i] ? 1 : 6;
  }
  char *e = malloc(n + 1);
  if (!e) {
    return NULL;
  }
  size_t k = 0;
  for (size_t i = 0; i < len; i++) {
    if (t[i]) {
      e[k++] = t[i];
    } else {
      memcpy(e + k, "\\u0000", 6);
      k += 6;
    }
  }
  e[k] = '\0';
  *out_len = n;
  return e;
}

/* Column of the original text for column `col` of line `line` of its
 * escaped copy, where each NUL byte takes six characters. */
static unsigned
unescaped_column(const char *t, size_t len, unsigned line, unsigned col)
{
  size_t i = kg__text_line_start(t, len, line);
  unsigned ecol = 1;
  unsigned ocol = 1;
  while (i < len && t[i] != '\n') {
    unsigned width = t[i] ? 1 : 6;
    if (ecol + width > col) {
      break;
    }
    size_t n = t[i] ? kg__utf8_seq((const unsigned char *)t + i, len - i) : 1;
    i += n ? n : 1;
    ecol += width;
    ocol++;
  }
  return ocol;
}

kg_status kg__read_turtle_family(kg_format format,
                                 const char *text,
                                 size_t len,
                                 const char *base,
                                 const kg_term *graph,
                                 kg__quads *out,
                                 kg__prefixes *prefixes,
                                 kg__err *err)
{
  if (!memchr(text, '\0', len)) {
    return parse(format, text, len, base, graph, out, prefixes, err);
  }
  size_t bad = misplaced_nul(text, len);
  if (bad < len) {
    unsigned line = 0;
    unsigned column = 0;
    kg__text_position(text, len, bad, &line, &column);
    kg__err_set(err, KG_ERR_PARSE, line, column,
                "NUL byte outside a string literal");
    return KG_ERR_PARSE;
  }
  size_t elen = 0;
  char *escaped = escape_nuls(text, len, &elen);
  if (!escaped) {
    kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
    return KG_ERR_NOMEM;
  }
  kg_status st = parse(format, escaped, elen, base, graph, out, prefixes, err);
  if (st != KG_OK && err->line) {
    err->column = unescaped_column(text, len, err->line, err->column);
  }
  free(escaped);
  return st;
}
