/* The SPARQL tokenizer: longest match, as the grammar's terminals say. */
#include "lexer.h"

#include <stdlib.h>
#include <string.h>

typedef struct lx {
  const char *s;
  size_t len;
  size_t i;
  unsigned line;
  size_t line_start;
  kg__tokens *out;
  size_t cap;
  kg__err *err;
} lx;

static bool is_alpha(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

static bool is_hex(unsigned char c)
{
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of a PN_CHARS_BASE at s[i] (letters, or a non-ASCII UTF-8
 * sequence), 0 if none. */
static size_t base_char(const lx *x, size_t i)
{
  if (i >= x->len) {
    return 0;
  }
  unsigned char c = (unsigned char)x->s[i];
  if (is_alpha(c)) {
    return 1;
  }
  if (c >= 0x80) {
    size_t n = kg__utf8_seq((const unsigned char *)x->s + i, x->len - i);
    return n;
  }
  return 0;
}

/* PN_CHARS: base, '_', '-', digits (and the non-ASCII extras). */
static size_t pn_char(const lx *x, size_t i)
{
  if (i >= x->len) {
    return 0;
  }
  unsigned char c = (unsigned char)x->s[i];
  if (c == '_' || c == '-' || is_digit(c)) {
    return 1;
  }
  return base_char(x, i);
}

/* PLX: %hh or a backslash escape of a reserved character. */
static size_t plx(const lx *x, size_t i)
{
  const char *s = x->s;
  if (i + 2 < x->len && s[i] == '%' && is_hex((unsigned char)s[i + 1]) &&
      is_hex((unsigned char)s[i + 2])) {
    return 3;
  }
  if (i + 1 < x->len && s[i] == '\\' && s[i + 1] != '\0' &&
      strchr("_~.-!$&'()*+,;=/?#@%", s[i + 1])) {
    return 2;
  }
  return 0;
}

static unsigned column(const lx *x, size_t at)
{
  return (unsigned)kg__utf8_count(x->s + x->line_start, at - x->line_start) + 1;
}

static kg_status fail(lx *x, size_t at, const char *msg)
{
  kg__err_set(x->err, KG_ERR_PARSE, x->line, column(x, at), "%s", msg);
  return KG_ERR_PARSE;
}

static kg_status
push(lx *x, kg__tok_kind kind, size_t start, size_t end, const char *p)
{
  kg__tokens *t = x->out;
  if (t->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 64;
    kg__tok *v = realloc(t->v, cap * sizeof *v);
    if (!v) {
      return KG_ERR_NOMEM;
    }
    t->v = v;
    x->cap = cap;
  }
  kg__tok *k = &t->v[t->n++];
  memset(k, 0, sizeof *k);
  k->kind = kind;
  k->start = start;
  k->end = end;
  k->line = x->line;
  k->line_start = x->line_start;
  if (p) {
    snprintf(k->p, sizeof k->p, "%s", p);
  }
  return KG_OK;
}

static bool ws(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void newline(lx *x, size_t at)
{
  x->line++;
  x->line_start = at + 1;
}

/* Scan a number at i (sign included); returns its end, 0 if none. */
static size_t number(const lx *x, size_t i, kg__tok_kind *kind)
{
  const char *s = x->s;
  size_t n = x->len;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    i++;
  }
  size_t d0 = i;
  while (i < n && is_digit((unsigned char)s[i])) {
    i++;
  }
  bool int_part = i > d0;
  *kind = KG__T_INTEGER;
  if (i < n && s[i] == '.') {
    size_t j = i + 1;
    while (j < n && is_digit((unsigned char)s[j])) {
      j++;
    }
    bool frac = j > i + 1;
    size_t e = j;
    bool expo = false;
    if (e < n && (s[e] == 'e' || s[e] == 'E')) {
      size_t k = e + 1;
      if (k < n && (s[k] == '+' || s[k] == '-')) {
        k++;
      }
      if (k < n && is_digit((unsigned char)s[k])) {
        while (k < n && is_digit((unsigned char)s[k])) {
          k++;
        }
        expo = true;
        e = k;
      }
    }
    if (frac || (int_part && expo)) {
      *kind = expo ? KG__T_DOUBLE : KG__T_DECIMAL;
      return expo ? e : j;
    }
  }
  if (!int_part) {
    return 0;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t k = i + 1;
    if (k < n && (s[k] == '+' || s[k] == '-')) {
      k++;
    }
    if (k < n && is_digit((unsigned char)s[k])) {
      while (k < n && is_digit((unsigned char)s[k])) {
        k++;
      }
      *kind = KG__T_DOUBLE;
      return k;
    }
  }
  return i;
}

static kg_status string(lx *x)
{
  const char *s = x->s;
  size_t start = x->i;
  char q = s[x->i];
  bool longq = x->i + 2 < x->len && s[x->i + 1] == q && s[x->i + 2] == q;
  size_t i = x->i + (longq ? 3 : 1);
  unsigned line0 = x->line;
  size_t ls0 = x->line_start;
  for (;;) {
    if (i >= x->len) {
      x->line = line0;
      x->line_start = ls0;
      return fail(x, start, "unterminated string");
    }
    char c = s[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (!longq && (c == '\n' || c == '\r')) {
      return fail(x, i, "line break in a string");
    }
    if (c == '\n') {
      newline(x, i);
    }
    if (c == q) {
      if (!longq) {
        i++;
        break;
      }
      if (i + 2 < x->len && s[i + 1] == q && s[i + 2] == q) {
        i += 3;
        break;
      }
    }
    i++;
  }
  unsigned line_end = x->line;
  size_t ls_end = x->line_start;
  x->line = line0;
  x->line_start = ls0;
  kg_status st = push(x, KG__T_STRING, start, i, NULL);
  x->line = line_end;
  x->line_start = ls_end;
  x->i = i;
  return st;
}

static const char *const two_char[] = {"!=", "<=", ">=", "&&", "||", "^^"};

kg_status kg__lex(const char *text, size_t len, kg__tokens *out, kg__err *err)
{
  lx x;
  memset(&x, 0, sizeof x);
  x.s = text;
  x.len = len;
  x.line = 1;
  x.out = out;
  x.err = err;
  out->v = NULL;
  out->n = 0;
  kg_status st = KG_OK;
  const char *s = text;
  /* The whole text must be UTF-8 (strings, IRIs and comments included):
   * nothing invalid may reach the store or the results. */
  for (size_t i = 0; i < len;) {
    unsigned char c = (unsigned char)s[i];
    size_t n =
        c < 0x80 ? 1 : kg__utf8_seq((const unsigned char *)s + i, len - i);
    if (n == 0) {
      for (size_t j = 0; j < i; j++) {
        if (s[j] == '\n') {
          newline(&x, j);
        }
      }
      char msg[48];
      snprintf(msg, sizeof msg, "invalid UTF-8 byte 0x%02X", c);
      kg_status bad = fail(&x, i, msg);
      kg__tokens_free(out);
      return bad;
    }
    i += n;
  }
  while (st == KG_OK) {
    while (x.i < len && (ws(s[x.i]) || s[x.i] == '#')) {
      if (s[x.i] == '#') {
        while (x.i < len && s[x.i] != '\n') {
          x.i++;
        }
        continue;
      }
      if (s[x.i] == '\n') {
        newline(&x, x.i);
      }
      x.i++;
    }
    if (x.i >= len) {
      st = push(&x, KG__T_EOF, len, len, NULL);
      break;
    }
    size_t i = x.i;
    unsigned char c = (unsigned char)s[i];
    if (c == '<') {
      size_t j = i + 1;
      for (;;) {
        if (j + 1 < len && s[j] == '\\' &&
            (s[j + 1] == 'u' || s[j + 1] == 'U')) {
          j += 2; /* \u escapes are decoded with the IRI */
          continue;
        }
        if (j < len && s[j] != '>' && !strchr("<\"{}|^`\\", s[j]) &&
            (unsigned char)s[j] > 0x20) {
          j++;
          continue;
        }
        break;
      }
      if (j < len && s[j] == '>') {
        st = push(&x, KG__T_IRI, i, j + 1, NULL);
        x.i = j + 1;
        continue;
      }
    }
    if (c == '?' || c == '$') {
      size_t j = i + 1;
      for (;;) {
        size_t n = pn_char(&x, j);
        if (!n) {
          break;
        }
        if (j == i + 1 && s[j] == '-') {
          break;
        }
        if (s[j] == '-') {
          break; /* VARNAME has no '-' */
        }
        j += n;
      }
      if (j > i + 1) {
        st = push(&x, KG__T_VAR, i, j, NULL);
        x.i = j;
        continue;
      }
      if (c == '$') {
        st = fail(&x, i, "'$' without a variable name");
        break;
      }
    }
    if (c == '"' || c == '\'') {
      st = string(&x);
      continue;
    }
    if (c == '@') {
      size_t j = i + 1;
      while (j < len && is_alpha((unsigned char)s[j])) {
        j++;
      }
      if (j == i + 1) {
        st = fail(&x, i, "'@' without a language tag");
        break;
      }
      while (j + 1 < len && s[j] == '-' &&
             (is_alpha((unsigned char)s[j + 1]) ||
              is_digit((unsigned char)s[j + 1]))) {
        j++;
        while (j < len && (is_alpha((unsigned char)s[j]) ||
                           is_digit((unsigned char)s[j]))) {
          j++;
        }
      }
      st = push(&x, KG__T_LANGTAG, i, j, NULL);
      x.i = j;
      continue;
    }
    if (is_digit(c) || ((c == '.' || c == '+' || c == '-') && i + 1 < len &&
                        (is_digit((unsigned char)s[i + 1]) ||
                         (s[i + 1] == '.' && c != '.' && i + 2 < len &&
                          is_digit((unsigned char)s[i + 2]))))) {
      kg__tok_kind k;
      size_t e = number(&x, i, &k);
      if (e) {
        st = push(&x, k, i, e, NULL);
        x.i = e;
        continue;
      }
    }
    if (c == '_' && i + 1 < len && s[i + 1] == ':') {
      size_t j = i + 2;
      size_t n = pn_char(&x, j);
      if (!n || s[j] == '-') {
        st = fail(&x, i, "blank node label expected after '_:'");
        break;
      }
      while (n || (j < len && s[j] == '.')) {
        j += n ? n : 1;
        n = pn_char(&x, j);
      }
      while (s[j - 1] == '.') {
        j--;
      }
      st = push(&x, KG__T_BNODE, i, j, NULL);
      x.i = j;
      continue;
    }
    if (base_char(&x, i) || c == ':' || c == '_') {
      /* a prefixed name, or a word */
      size_t j = i;
      if (c != ':') {
        j += c == '_' ? 1 : base_char(&x, i);
        for (;;) {
          size_t n = pn_char(&x, j);
          if (n) {
            j += n;
          } else if (j < len && s[j] == '.') {
            j++;
          } else {
            break;
          }
        }
      }
      size_t pe = j;
      while (pe > i && s[pe - 1] == '.') {
        pe--;
      }
      if (pe < len && s[pe] == ':' && c != '_') {
        size_t k = pe + 1;
        size_t last_ok = k;
        bool first = true;
        for (;;) {
          size_t n = pn_char(&x, k);
          if (!n && k < len && s[k] == ':') {
            n = 1;
          }
          if (!n) {
            n = plx(&x, k);
          }
          if (!n && !first && k < len && s[k] == '.') {
            k++;
            continue;
          }
          if (!n) {
            break;
          }
          k += n;
          last_ok = k;
          first = false;
        }
        st = push(&x, KG__T_PNAME, i, last_ok, NULL);
        x.i = last_ok;
        continue;
      }
      /* a word: ASCII letters, digits, '_' */
      j = i;
      while (j < len && (is_alpha((unsigned char)s[j]) ||
                         is_digit((unsigned char)s[j]) || s[j] == '_')) {
        j++;
      }
      if (j == i) {
        st = fail(&x, i, "unexpected character");
        break;
      }
      st = push(&x, KG__T_WORD, i, j, NULL);
      x.i = j;
      continue;
    }
    if (c == '(' || c == '[') {
      char close = c == '(' ? ')' : ']';
      size_t j = i + 1;
      unsigned line0 = x.line;
      size_t ls0 = x.line_start;
      while (j < len && ws(s[j])) {
        if (s[j] == '\n') {
          newline(&x, j);
        }
        j++;
      }
      if (j < len && s[j] == close) {
        unsigned l1 = x.line;
        size_t ls1 = x.line_start;
        x.line = line0;
        x.line_start = ls0;
        st = push(&x, c == '(' ? KG__T_NIL : KG__T_ANON, i, j + 1, NULL);
        x.line = l1;
        x.line_start = ls1;
        x.i = j + 1;
        continue;
      }
      x.line = line0;
      x.line_start = ls0;
    }
    bool done = false;
    for (size_t k = 0; k < sizeof two_char / sizeof *two_char; k++) {
      if (i + 1 < len && s[i] == two_char[k][0] && s[i + 1] == two_char[k][1]) {
        st = push(&x, KG__T_PUNCT, i, i + 2, two_char[k]);
        x.i = i + 2;
        done = true;
        break;
      }
    }
    if (done) {
      continue;
    }
    if (strchr("{}()[].,;*+-/?!^|=<>", (char)c) && c) {
      char p[2] = {(char)c, 0};
      st = push(&x, KG__T_PUNCT, i, i + 1, p);
      x.i = i + 1;
      continue;
    }
    char msg[64];
    snprintf(msg, sizeof msg, "unexpected character '%c'",
             c >= 0x20 && c < 0x7F ? (char)c : '?');
    st = fail(&x, i, msg);
  }
  if (st == KG_ERR_NOMEM) {
    kg__err_set(err, KG_ERR_NOMEM, 0, 0, "out of memory");
  }
  if (st != KG_OK) {
    kg__tokens_free(out);
  }
  return st;
}

void kg__tokens_free(kg__tokens *t)
{
  free(t->v);
  t->v = NULL;
  t->n = 0;
}

static int hexval(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return c - 'A' + 10;
}

kg_status kg__lex_string(const char *text, const kg__tok *t, kg__buf *out)
{
  const char *s = text + t->start;
  size_t n = t->end - t->start;
  char q = s[0];
  size_t open = n >= 6 && s[1] == q && s[2] == q ? 3 : 1;
  size_t close = open;
  const char *p = s + open;
  const char *end = s + n - close;
  while (p < end) {
    if (*p != '\\') {
      kg__buf_putc(out, *p++);
      continue;
    }
    p++;
    if (p >= end) {
      return KG_ERR_PARSE;
    }
    char e = *p++;
    switch (e) {
    case 't':
      kg__buf_putc(out, '\t');
      break;
    case 'b':
      kg__buf_putc(out, '\b');
      break;
    case 'n':
      kg__buf_putc(out, '\n');
      break;
    case 'r':
      kg__buf_putc(out, '\r');
      break;
    case 'f':
      kg__buf_putc(out, '\f');
      break;
    case '"':
    case '\'':
    case '\\':
      kg__buf_putc(out, e);
      break;
    case 'u':
    case 'U': {
      int nd = e == 'u' ? 4 : 8;
      if (end - p < nd) {
        return KG_ERR_PARSE;
      }
      uint32_t cp = 0;
      for (int k = 0; k < nd; k++) {
        if (!is_hex((unsigned char)p[k])) {
          return KG_ERR_PARSE;
        }
        cp = cp * 16 + (uint32_t)hexval(p[k]);
      }
      p += nd;
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return KG_ERR_PARSE;
      }
      kg__buf_put_utf8(out, cp);
      break;
    }
    default:
      return KG_ERR_PARSE;
    }
  }
  return out->failed ? KG_ERR_NOMEM : KG_OK;
}

unsigned kg__tok_column(const char *text, const kg__tok *t)
{
  return (unsigned)kg__utf8_count(text + t->line_start,
                                  t->start - t->line_start) +
         1;
}

kg_status kg__lex_iri(const char *text, const kg__tok *t, kg__buf *out)
{
  const char *p = text + t->start + 1;
  const char *end = text + t->end - 1;
  while (p < end) {
    if (*p == '\\' && p + 1 < end && (p[1] == 'u' || p[1] == 'U')) {
      int nd = p[1] == 'u' ? 4 : 8;
      p += 2;
      if (end - p < nd) {
        return KG_ERR_PARSE;
      }
      uint32_t cp = 0;
      for (int k = 0; k < nd; k++) {
        if (!is_hex((unsigned char)p[k])) {
          return KG_ERR_PARSE;
        }
        cp = cp * 16 + (uint32_t)hexval(p[k]);
      }
      p += nd;
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp <= 0x20 ||
          strchr("<>\"{}|^`\\", (int)cp)) {
        return KG_ERR_PARSE;
      }
      kg__buf_put_utf8(out, cp);
      continue;
    }
    kg__buf_putc(out, *p++);
  }
  return out->failed ? KG_ERR_NOMEM : KG_OK;
}
