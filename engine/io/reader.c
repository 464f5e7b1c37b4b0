/* RDF readers: format dispatch, blank node relabelling, input checks. */
#include "io.h"
#include "reader_util.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- input checks and positions ---- */

kg_status
kg__read_check_text(const char *text, size_t len, bool nul_ok, kg__err *err)
{
  const unsigned char *u = (const unsigned char *)text;
  size_t i = 0;
  while (i < len) {
    /* fast path over ASCII */
    if (u[i] != 0 && u[i] < 0x80) {
      i++;
      continue;
    }
    unsigned line = 0;
    unsigned column = 0;
    if (u[i] == 0 && nul_ok) {
      i++;
      continue;
    }
    if (u[i] == 0) {
      kg__text_position(text, len, i, &line, &column);
      kg__err_set(err, KG_ERR_PARSE, line, column, "NUL byte in input");
      return KG_ERR_PARSE;
    }
    size_t n = kg__utf8_seq(u + i, len - i);
    if (n == 0) {
      kg__text_position(text, len, i, &line, &column);
      kg__err_set(err, KG_ERR_PARSE, line, column,
                  "invalid UTF-8 byte 0x%02X in input", (unsigned)u[i]);
      return KG_ERR_PARSE;
    }
    i += n;
  }
  return KG_OK;
}

static bool is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool kg__iri_has_scheme(const char *iri)
{
  if (!is_alpha(iri[0])) {
    return false;
  }
  for (size_t i = 1; iri[i]; i++) {
    char c = iri[i];
    if (c == ':') {
      return true;
    }
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' &&
        c != '.') {
      return false;
    }
  }
  return false;
}

int kg__iri_bad_char(const char *iri, size_t len)
{
  /* every IRI of every load passes here: a switch, not a strchr() per
   * character (which took a fifth of a load's time) */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)iri[i];
    switch (c) {
    case '<':
    case '>':
    case '"':
    case '{':
    case '}':
    case '|':
    case '^':
    case '`':
    case '\\':
      return c;
    default:
      if (c <= 0x20) {
        return c;
      }
    }
  }
  return -1;
}

bool kg__is_langtag(const char *s)
{
  size_t run = 0;
  bool primary = true;
  for (size_t i = 0;; i++) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    bool digit = c >= '0' && c <= '9';
    if (alpha || (digit && !primary)) {
      run++;
    } else if (c == '-' && run > 0) {
      primary = false;
      run = 0;
    } else {
      return c == '\0' && run > 0;
    }
  }
}

void kg__utf8_scrub(char *s)
{
  size_t len = strlen(s);
  size_t i = 0;
  while (i < len) {
    size_t n = kg__utf8_seq((const unsigned char *)s + i, len - i);
    if (n == 0) {
      s[i++] = '?';
    } else {
      i += n;
    }
  }
}

static unsigned clamp_unsigned(size_t n)
{
  return n > (size_t)UINT_MAX ? UINT_MAX : (unsigned)n;
}

void kg__text_position(const char *text,
                       size_t len,
                       size_t offset,
                       unsigned *line,
                       unsigned *column)
{
  if (offset > len) {
    offset = len;
  }
  size_t lines = 1;
  size_t start = 0;
  for (size_t i = 0; i < offset; i++) {
    if (text[i] == '\n') {
      lines++;
      start = i + 1;
    }
  }
  /* a byte order mark is not a character of the first line */
  if (start == 0 && offset >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    start = 3;
  }
  *line = clamp_unsigned(lines);
  *column = clamp_unsigned(kg__utf8_count(text + start, offset - start) + 1);
}

size_t kg__text_line_start(const char *text, size_t len, unsigned line)
{
  size_t at = 0;
  for (unsigned l = 1; l < line; l++) {
    const char *nl = at < len ? memchr(text + at, '\n', len - at) : NULL;
    if (!nl) {
      return len;
    }
    at = (size_t)(nl - text) + 1;
  }
  return at;
}

/* ---- blank node relabelling ----
 *
 * Blank node labels are only meaningful inside one document: `_:b0` of one
 * file and `_:b0` of another are different nodes. The format readers emit
 * labels as the document (or the parser) spells them, so after a successful
 * read every blank label of the quads appended by this call is rewritten to
 * "r<T><N>_<label>", where T is a random token drawn once per process
 * (12 hex digits) and N is taken once per call from a process-wide atomic
 * counter. Labels of one call stay equal to each other; labels of two calls
 * never meet, because "r<T><N>_" ends at the first '_' and N differs within
 * a process and T between processes that load into the same persistent
 * store. */

static atomic_uint_fast64_t next_read_id = 1;
static pthread_once_t token_once = PTHREAD_ONCE_INIT;
static char token[13];

static void make_token(void)
{
  uint64_t r = 0;
  FILE *f = fopen("/dev/urandom", "rb");
  if (!f || fread(&r, sizeof r, 1, f) != 1) {
    /* no entropy source: fall back on time and process id */
    r = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
  }
  if (f) {
    fclose(f);
  }
  snprintf(token, sizeof token, "%012llx",
           (unsigned long long)(r & 0xFFFFFFFFFFFFULL));
}

static kg_status
relabel_term(kg_term *t, const kg__buf *prefix, kg__buf *scratch)
{
  if (t->kind != KG_TERM_BLANK) {
    return KG_OK;
  }
  scratch->len = 0;
  kg__buf_append(scratch, prefix->data, prefix->len);
  kg__buf_append(scratch, t->value, t->value_len);
  if (scratch->failed) {
    return KG_ERR_NOMEM;
  }
  char *v = kg__strndup(scratch->data, scratch->len);
  if (!v) {
    return KG_ERR_NOMEM;
  }
  free((char *)t->value);
  t->value = v;
  t->value_len = scratch->len;
  return KG_OK;
}

kg_status kg__blank_prefix(kg__buf *out)
{
  pthread_once(&token_once, make_token);
  uint_fast64_t id = atomic_fetch_add(&next_read_id, 1);
  kg__buf_printf(out, "r%s%llx_", token, (unsigned long long)id);
  return out->failed ? KG_ERR_NOMEM : KG_OK;
}

static kg_status relabel_blanks(kg__quads *out, size_t from)
{
  kg__buf prefix = {0};
  kg__buf scratch = {0};
  kg_status st = kg__blank_prefix(&prefix);
  for (size_t i = from; i < out->n && st == KG_OK; i++) {
    kg__quad *q = &out->v[i];
    st = relabel_term(&q->s, &prefix, &scratch);
    if (st == KG_OK) {
      st = relabel_term(&q->p, &prefix, &scratch);
    }
    if (st == KG_OK) {
      st = relabel_term(&q->o, &prefix, &scratch);
    }
    if (st == KG_OK) {
      st = relabel_term(&q->g, &prefix, &scratch);
    }
  }
  kg__buf_free(&prefix);
  kg__buf_free(&scratch);
  return st;
}

/* ---- dispatch ---- */

kg_status kg__read_rdf(kg_format format,
                       const char *text,
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
  bool turtle = format == KG_FORMAT_TURTLE || format == KG_FORMAT_NTRIPLES ||
                format == KG_FORMAT_NQUADS || format == KG_FORMAT_TRIG;
  if (!turtle && format != KG_FORMAT_RDFXML) {
    kg__err_set(err, KG_ERR_ARG, 0, 0, "format %s cannot be read",
                format == KG_FORMAT_DOT ? "dot" : "(unknown)");
    return KG_ERR_ARG;
  }
  /* a raw NUL byte is a character in Turtle-family literals, never in XML */
  kg_status st = kg__read_check_text(text, len, turtle, err);
  if (st != KG_OK) {
    return st;
  }
  size_t from = out->n;
  if (turtle) {
    st = kg__read_turtle_family(format, text, len, base, graph, out, prefixes,
                                err);
  } else {
    st = kg__read_rdfxml(text, len, base, graph, out, prefixes, err);
  }
  if (st == KG_OK) {
    st = relabel_blanks(out, from);
    if (st != KG_OK) {
      kg__err_set(err, st, 0, 0, "out of memory");
    }
  }
  return st;
}
