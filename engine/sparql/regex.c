/* REGEX and REPLACE with XPath semantics (XPath and XQuery Functions 3.1,
 * section 5.6) through PCRE2: flags s, m, i, x, q; `$` matches at the end
 * of the text only (unless m); \d and \w are Unicode classes; REPLACE
 * takes $N group references and \$ \\ escapes, and a pattern that matches
 * the empty string is an error. */
#include "eval.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

typedef struct regex_cache {
  char *pattern;
  size_t plen;
  char flags[16];
  pcre2_code *code;
  pcre2_match_data *md;
} regex_cache;

void kg__regex_cache_free(void *cache)
{
  regex_cache *c = cache;
  if (!c) {
    return;
  }
  free(c->pattern);
  pcre2_code_free(c->code);
  pcre2_match_data_free(c->md);
  free(c);
}

/* Compile (or reuse) the pattern. NULL when invalid, or with *nomem set
 * when memory ran out. */
static regex_cache *compile(void **slot,
                            const char *pattern,
                            size_t plen,
                            const char *flags,
                            bool *nomem)
{
  *nomem = false;
  regex_cache *c = *slot;
  if (c && c->plen == plen && memcmp(c->pattern, pattern, plen) == 0 &&
      strcmp(c->flags, flags) == 0) {
    return c->code ? c : NULL;
  }
  if (strlen(flags) >= sizeof c->flags) {
    return NULL;
  }
  uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY;
  bool literal = false;
  bool extended = false;
  for (const char *f = flags; *f; f++) {
    switch (*f) {
    case 's':
      opts |= PCRE2_DOTALL;
      break;
    case 'm':
      opts |= PCRE2_MULTILINE;
      break;
    case 'i':
      opts |= PCRE2_CASELESS;
      break;
    case 'x':
      extended = true;
      break;
    case 'q':
      literal = true;
      break;
    default:
      return NULL;
    }
  }
  /* x: whitespace in the pattern is removed, except inside [...] */
  char *pat = malloc(plen + 1);
  if (!pat) {
    *nomem = true;
    return NULL;
  }
  size_t n = 0;
  int depth = 0;
  for (size_t i = 0; i < plen; i++) {
    char ch = pattern[i];
    if (extended && !literal && depth == 0 &&
        (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')) {
      continue;
    }
    if (!literal) {
      if (ch == '\\' && i + 1 < plen) {
        pat[n++] = ch;
        pat[n++] = pattern[++i];
        continue;
      }
      if (ch == '[') {
        depth++;
      } else if (ch == ']' && depth > 0) {
        depth--;
      }
    }
    pat[n++] = ch;
  }
  if (literal) {
    opts &= PCRE2_UTF | PCRE2_CASELESS;
    opts |= PCRE2_LITERAL;
  }
  int errcode = 0;
  PCRE2_SIZE erroff = 0;
  pcre2_code *code =
      pcre2_compile((PCRE2_SPTR)pat, n, opts, &errcode, &erroff, NULL);
  free(pat);
  if (!c) {
    c = calloc(1, sizeof *c);
    if (!c) {
      pcre2_code_free(code);
      *nomem = true;
      return NULL;
    }
    *slot = c;
  }
  free(c->pattern);
  pcre2_code_free(c->code);
  pcre2_match_data_free(c->md);
  c->code = code;
  c->md = code ? pcre2_match_data_create_from_pattern(code, NULL) : NULL;
  c->pattern = malloc(plen ? plen : 1);
  if (!c->pattern) {
    pcre2_code_free(c->code);
    pcre2_match_data_free(c->md);
    c->code = NULL;
    c->md = NULL;
    c->plen = 0;
    c->flags[0] = '\0';
    *nomem = true;
    return NULL;
  }
  if (plen) {
    memcpy(c->pattern, pattern, plen);
  }
  c->plen = plen;
  snprintf(c->flags, sizeof c->flags, "%s", flags);
  if (!c->code || !c->md) {
    return NULL;
  }
  return c;
}

int kg__regex_match(void **cache,
                    const char *text,
                    size_t len,
                    const char *pattern,
                    size_t plen,
                    const char *flags)
{
  bool nomem = false;
  regex_cache *c = compile(cache, pattern, plen, flags, &nomem);
  if (!c) {
    return nomem ? -2 : -1;
  }
  int rc = pcre2_match(c->code, (PCRE2_SPTR)text, len, 0, 0, c->md, NULL);
  if (rc >= 0) {
    return 1;
  }
  return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

bool kg__regex_replace(void **cache,
                       const char *text,
                       size_t len,
                       const char *pattern,
                       size_t plen,
                       const char *flags,
                       const char *repl,
                       size_t rlen,
                       kg__buf *out)
{
  bool nomem = false;
  regex_cache *c = compile(cache, pattern, plen, flags, &nomem);
  if (!c) {
    out->failed = nomem;
    return false;
  }
  uint32_t groups = 0;
  pcre2_pattern_info(c->code, PCRE2_INFO_CAPTURECOUNT, &groups);
  bool literal_repl = strchr(flags, 'q') != NULL;
  /* check the replacement once */
  for (size_t i = 0; !literal_repl && i < rlen; i++) {
    if (repl[i] == '\\') {
      if (i + 1 >= rlen || (repl[i + 1] != '\\' && repl[i + 1] != '$')) {
        return false;
      }
      i++;
    } else if (repl[i] == '$') {
      if (i + 1 >= rlen || repl[i + 1] < '0' || repl[i + 1] > '9') {
        return false;
      }
    }
  }
  size_t pos = 0;
  while (pos <= len) {
    int rc = pcre2_match(c->code, (PCRE2_SPTR)text, len, pos, 0, c->md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH) {
      break;
    }
    if (rc < 0) {
      return false;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
    if (ov[1] == ov[0]) {
      return false; /* the pattern matches the empty string */
    }
    kg__buf_append(out, text + pos, ov[0] - pos);
    for (size_t i = 0; i < rlen; i++) {
      char ch = repl[i];
      if (literal_repl) {
        kg__buf_putc(out, ch);
      } else if (ch == '\\') {
        kg__buf_putc(out, repl[++i]);
      } else if (ch == '$') {
        /* the longest group number that exists */
        size_t g = (size_t)(repl[++i] - '0');
        while (i + 1 < rlen && repl[i + 1] >= '0' && repl[i + 1] <= '9' &&
               g * 10 + (size_t)(repl[i + 1] - '0') <= groups) {
          g = g * 10 + (size_t)(repl[++i] - '0');
        }
        if (g <= groups && (int)g < rc && ov[2 * g] != PCRE2_UNSET) {
          kg__buf_append(out, text + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        }
      } else {
        kg__buf_putc(out, ch);
      }
    }
    pos = ov[1];
  }
  if (pos < len) {
    kg__buf_append(out, text + pos, len - pos);
  }
  return !out->failed;
}
