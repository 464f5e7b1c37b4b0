/* Relative IRI resolution (RFC 3986, section 5.2). */
#include "eval.h"

#include <stdlib.h>
#include <string.h>

typedef struct iri_parts {
  const char *scheme, *auth, *path, *query, *frag;
  size_t scheme_len, auth_len, path_len, query_len, frag_len;
  bool has_scheme, has_auth, has_query, has_frag;
} iri_parts;

static bool alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void split(const char *s, size_t len, iri_parts *p)
{
  memset(p, 0, sizeof *p);
  size_t i = 0;
  if (len && alpha(s[0])) {
    size_t k = 1;
    while (k < len && (alpha(s[k]) || (s[k] >= '0' && s[k] <= '9') ||
                       s[k] == '+' || s[k] == '-' || s[k] == '.')) {
      k++;
    }
    if (k < len && s[k] == ':') {
      p->has_scheme = true;
      p->scheme = s;
      p->scheme_len = k;
      i = k + 1;
    }
  }
  if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
    size_t k = i + 2;
    while (k < len && s[k] != '/' && s[k] != '?' && s[k] != '#') {
      k++;
    }
    p->has_auth = true;
    p->auth = s + i + 2;
    p->auth_len = k - i - 2;
    i = k;
  }
  size_t k = i;
  while (k < len && s[k] != '?' && s[k] != '#') {
    k++;
  }
  p->path = s + i;
  p->path_len = k - i;
  i = k;
  if (i < len && s[i] == '?') {
    k = i + 1;
    while (k < len && s[k] != '#') {
      k++;
    }
    p->has_query = true;
    p->query = s + i + 1;
    p->query_len = k - i - 1;
    i = k;
  }
  if (i < len && s[i] == '#') {
    p->has_frag = true;
    p->frag = s + i + 1;
    p->frag_len = len - i - 1;
  }
}

/* remove_dot_segments of RFC 3986 5.2.4, appending to `out`. */
static void remove_dots(const char *in, size_t len, kg__buf *out)
{
  char *buf = kg__strndup(in, len);
  if (!buf) {
    out->failed = true;
    return;
  }
  char *p = buf;
  size_t start = out->len;
  while (*p) {
    if (strncmp(p, "../", 3) == 0) {
      p += 3;
    } else if (strncmp(p, "./", 2) == 0) {
      p += 2;
    } else if (strncmp(p, "/./", 3) == 0) {
      p += 2;
    } else if (strcmp(p, "/.") == 0) {
      p[1] = '\0';
    } else if (strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0) {
      if (p[3] == '\0') {
        p += 2;
        p[0] = '/';
      } else {
        p += 3;
      }
      /* drop the last segment of the output */
      size_t l = out->len;
      while (l > start && out->data[l - 1] != '/') {
        l--;
      }
      if (l > start) {
        l--;
      }
      out->len = l;
      if (out->data) {
        out->data[l] = '\0';
      }
    } else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
      p += strlen(p);
    } else {
      size_t k = p[0] == '/' ? 1 : 0;
      while (p[k] && p[k] != '/') {
        k++;
      }
      kg__buf_append(out, p, k);
      p += k;
    }
  }
  free(buf);
}

char *kg__iri_resolve(const char *base, const char *ref, size_t len)
{
  iri_parts r;
  split(ref, len, &r);
  kg__buf b = {0};
  if (r.has_scheme || !base) {
    /* an absolute IRI is kept as written (SPARQL does not normalise) */
    return kg__strndup(ref, len);
  } else {
    iri_parts bp;
    split(base, strlen(base), &bp);
    kg__buf_append(&b, bp.scheme, bp.scheme_len);
    if (bp.has_scheme) {
      kg__buf_putc(&b, ':');
    }
    if (r.has_auth) {
      kg__buf_puts(&b, "//");
      kg__buf_append(&b, r.auth, r.auth_len);
      remove_dots(r.path, r.path_len, &b);
    } else {
      if (bp.has_auth) {
        kg__buf_puts(&b, "//");
        kg__buf_append(&b, bp.auth, bp.auth_len);
      }
      if (r.path_len == 0) {
        kg__buf_append(&b, bp.path, bp.path_len);
        if (!r.has_query && bp.has_query) {
          kg__buf_putc(&b, '?');
          kg__buf_append(&b, bp.query, bp.query_len);
        }
      } else if (r.path[0] == '/') {
        remove_dots(r.path, r.path_len, &b);
      } else {
        kg__buf m = {0};
        if (bp.has_auth && bp.path_len == 0) {
          kg__buf_putc(&m, '/');
        } else {
          size_t k = bp.path_len;
          while (k > 0 && bp.path[k - 1] != '/') {
            k--;
          }
          kg__buf_append(&m, bp.path, k);
        }
        kg__buf_append(&m, r.path, r.path_len);
        if (m.failed) {
          b.failed = true;
        } else {
          remove_dots(m.data ? m.data : "", m.len, &b);
        }
        kg__buf_free(&m);
      }
    }
  }
  if (r.has_query) {
    kg__buf_putc(&b, '?');
    kg__buf_append(&b, r.query, r.query_len);
  }
  if (r.has_frag) {
    kg__buf_putc(&b, '#');
    kg__buf_append(&b, r.frag, r.frag_len);
  }
  return kg__buf_take(&b);
}
