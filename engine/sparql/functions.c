/* SPARQL 1.1 functions on RDF terms, strings (by code points), numbers,
 * dates and times, hashes, and XSD casts. */
#include "eval.h"

#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wctype.h>

static const char xsd_integer[] = "http://www.w3.org/2001/XMLSchema#integer";
static const char xsd_decimal[] = "http://www.w3.org/2001/XMLSchema#decimal";
static const char xsd_double[] = "http://www.w3.org/2001/XMLSchema#double";
static const char xsd_boolean[] = "http://www.w3.org/2001/XMLSchema#boolean";
static const char xsd_datetime[] = "http://www.w3.org/2001/XMLSchema#dateTime";
static const char xsd_daytimeduration[] =
    "http://www.w3.org/2001/XMLSchema#dayTimeDuration";

/* ---- UTF-8 ---- */

/* Decode the code point at s (len > 0); invalid bytes decode as U+FFFD
 * and count one byte. */
static size_t utf8_next(const char *s, size_t len, uint32_t *cp)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t n = kg__utf8_seq(u, len);
  if (n == 0) {
    *cp = 0xFFFD;
    return 1;
  }
  if (n == 1) {
    *cp = u[0];
  } else if (n == 2) {
    *cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
  } else if (n == 3) {
    *cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 |
          (u[2] & 0x3F);
  } else {
    *cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
          (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
  }
  return n;
}

/* Case mapping through the C.UTF-8 locale, made once, used without
 * touching the process's locale. */
static locale_t utf8_locale;
static pthread_once_t utf8_locale_once = PTHREAD_ONCE_INIT;

static void utf8_locale_init(void)
{
  utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  if (!utf8_locale) {
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
  }
}

static uint32_t map_case(uint32_t cp, bool upper)
{
  if (cp < 0x80) {
    if (upper && cp >= 'a' && cp <= 'z') {
      return cp - 32;
    }
    if (!upper && cp >= 'A' && cp <= 'Z') {
      return cp + 32;
    }
    return cp;
  }
  pthread_once(&utf8_locale_once, utf8_locale_init);
  if (!utf8_locale) {
    return cp;
  }
  wint_t r = upper ? towupper_l((wint_t)cp, utf8_locale)
                   : towlower_l((wint_t)cp, utf8_locale);
  return (uint32_t)r;
}

/* ---- results ---- */

/* A string literal like `like` (same language tag) with the given text. */
static kg__val
like_string(kg__rt *rt, const kg__val *like, const char *s, size_t len)
{
  if (like && like->t.lang && like->t.lang[0]) {
    return kg__val_lang(&rt->v, s, len, like->t.lang);
  }
  return kg__val_string(&rt->v, s, len);
}

/* An error value that also fails the query: memory ran out. */
static kg__val nomem(kg__rt *rt)
{
  if (rt->v.failure == KG_OK) {
    rt->v.failure = KG_ERR_NOMEM;
  }
  return kg__val_error();
}

static kg__val from_buf(kg__rt *rt, const kg__val *like, kg__buf *b)
{
  if (b->failed) {
    kg__buf_free(b);
    return nomem(rt);
  }
  kg__val v = like_string(rt, like, b->data ? b->data : "", b->len);
  kg__buf_free(b);
  return v;
}

/* Argument compatibility of STRSTARTS and its kin (SPARQL 17.4.3.1.1). */
static bool compatible(const kg__val *a, const kg__val *b)
{
  if (!kg__val_is_string(a) || !kg__val_is_string(b)) {
    return false;
  }
  if (kg__val_is_simple(b)) {
    return true;
  }
  if (kg__val_is_simple(a)) {
    return false;
  }
  return strcasecmp(a->t.lang, b->t.lang) == 0;
}

static const char *
find_bytes(const char *h, size_t hl, const char *n, size_t nl)
{
  if (nl == 0) {
    return h;
  }
  for (size_t i = 0; i + nl <= hl; i++) {
    if (h[i] == n[0] && memcmp(h + i, n, nl) == 0) {
      return h + i;
    }
  }
  return NULL;
}

/* ---- blank nodes ---- */

struct kg__bnode_map {
  uint64_t serial;
  size_t n;
  size_t cap;
  char **keys;
  char **labels;
};

static void bmap_clear(kg__bnode_map *m)
{
  for (size_t i = 0; i < m->n; i++) {
    free(m->keys[i]);
    free(m->labels[i]);
  }
  m->n = 0;
}

void kg__bnode_map_free(kg__bnode_map *m)
{
  if (m) {
    bmap_clear(m);
    free(m->keys);
    free(m->labels);
    free(m);
  }
}

/* Labels of the blank nodes queries and updates make: "q<T><N>", where T
 * is a random token drawn once per process and N counts in the process,
 * so that blank nodes an update stores never meet others (the readers'
 * labels start with "r"). */
static atomic_uint_fast64_t next_bnode = 1;
static pthread_once_t bnode_token_once = PTHREAD_ONCE_INIT;
static char bnode_token[13];

static void make_bnode_token(void)
{
  uint64_t r = 0;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, &r, sizeof r) != (ssize_t)sizeof r) {
    r = (uint64_t)time(NULL) * UINT64_C(0x9E3779B97F4A7C15) ^
        (uint64_t)getpid();
  }
  if (fd >= 0) {
    close(fd);
  }
  snprintf(bnode_token, sizeof bnode_token, "%012llx",
           (unsigned long long)(r & UINT64_C(0xFFFFFFFFFFFF)));
}

void kg__rt_fresh_bnode(kg__rt *rt, char *buf, size_t cap)
{
  pthread_once(&bnode_token_once, make_bnode_token);
  rt->bnodes++;
  snprintf(buf, cap, "q%s%llx", bnode_token,
           (unsigned long long)atomic_fetch_add(&next_bnode, 1));
}

static kg__val bnode_for(kg__rt *rt, const kg__val *arg)
{
  char label[48];
  kg__val v = kg__val_error();
  if (!arg) {
    kg__rt_fresh_bnode(rt, label, sizeof label);
  } else {
    if (!kg__val_is_simple(arg)) {
      return v;
    }
    if (!rt->bmap) {
      rt->bmap = calloc(1, sizeof *rt->bmap);
      if (!rt->bmap) {
        return nomem(rt);
      }
    }
    kg__bnode_map *m = rt->bmap;
    if (m->serial != rt->serial) {
      bmap_clear(m);
      m->serial = rt->serial;
    }
    size_t i = 0;
    for (; i < m->n; i++) {
      if (strlen(m->keys[i]) == arg->t.value_len &&
          memcmp(m->keys[i], arg->t.value, arg->t.value_len) == 0) {
        break;
      }
    }
    if (i == m->n) {
      if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 8;
        char **k = realloc(m->keys, nc * sizeof *k);
        if (!k) {
          return nomem(rt);
        }
        m->keys = k;
        char **l = realloc(m->labels, nc * sizeof *l);
        if (!l) {
          return nomem(rt);
        }
        m->labels = l;
        m->cap = nc;
      }
      kg__rt_fresh_bnode(rt, label, sizeof label);
      m->keys[i] = kg__strndup(arg->t.value, arg->t.value_len);
      m->labels[i] = kg__strdup(label);
      if (!m->keys[i] || !m->labels[i]) {
        free(m->keys[i]);
        free(m->labels[i]);
        return nomem(rt);
      }
      m->n++;
    }
    snprintf(label, sizeof label, "%s", m->labels[i]);
  }
  char *p = kg__arena_strndup(&rt->v.arena, label, strlen(label));
  if (p) {
    v.t.kind = KG_TERM_BLANK;
    v.t.value = p;
    v.t.value_len = strlen(p);
  }
  return v;
}

static void random_bytes(kg__rt *rt, unsigned char *b, size_t n)
{
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  size_t got = 0;
  if (fd >= 0) {
    while (got < n) {
      ssize_t r = read(fd, b + got, n - got);
      if (r <= 0) {
        break;
      }
      got += (size_t)r;
    }
    close(fd);
  }
  for (; got < n; got++) {
    rt->rand_state ^= rt->rand_state << 13;
    rt->rand_state ^= rt->rand_state >> 7;
    rt->rand_state ^= rt->rand_state << 17;
    b[got] = (unsigned char)(rt->rand_state >> 24);
  }
}

static void uuid_text(kg__rt *rt, char out[37])
{
  unsigned char b[16];
  random_bytes(rt, b, sizeof b);
  b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
  snprintf(out, 37,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
           "%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
           b[11], b[12], b[13], b[14], b[15]);
}

/* ---- strings ---- */

static kg__val substr(kg__rt *rt,
                      const kg__val *a,
                      size_t nargs,
                      const kg__val *start,
                      const kg__val *len)
{
  kg__num ns;
  kg__num nl;
  if (!kg__val_is_string(a) || !kg__num_of(&start->t, &ns) ||
      (nargs > 2 && !kg__num_of(&len->t, &nl))) {
    return kg__val_error();
  }
  /* XPath fn:substring: positions p with round(start) <= p and
   * p < round(start) + round(len), p counted from 1 */
  double s = floor(kg__num_double(&ns) + 0.5);
  double e = INFINITY;
  if (nargs > 2) {
    e = s + floor(kg__num_double(&nl) + 0.5);
  }
  if (isnan(s) || isnan(e)) {
    return like_string(rt, a, "", 0);
  }
  kg__buf b = {0};
  const char *p = a->t.value;
  size_t rest = a->t.value_len;
  double pos = 1;
  while (rest > 0) {
    uint32_t cp;
    size_t n = utf8_next(p, rest, &cp);
    if (pos >= s && pos < e) {
      kg__buf_append(&b, p, n);
    }
    p += n;
    rest -= n;
    pos++;
  }
  return from_buf(rt, a, &b);
}

static kg__val change_case(kg__rt *rt, const kg__val *a, bool upper)
{
  if (!kg__val_is_string(a)) {
    return kg__val_error();
  }
  kg__buf b = {0};
  const char *p = a->t.value;
  size_t rest = a->t.value_len;
  while (rest > 0) {
    uint32_t cp;
    size_t n = utf8_next(p, rest, &cp);
    if (cp == 0xFFFD && n == 1) {
      kg__buf_append(&b, p, 1);
    } else {
      kg__buf_put_utf8(&b, map_case(cp, upper));
    }
    p += n;
    rest -= n;
  }
  return from_buf(rt, a, &b);
}

static kg__val
str_test(kg__rt *rt, kg__xop op, const kg__val *a, const kg__val *b)
{
  if (!compatible(a, b)) {
    return kg__val_error();
  }
  const char *h = a->t.value;
  size_t hl = a->t.value_len;
  const char *n = b->t.value;
  size_t nl = b->t.value_len;
  switch (op) {
  case KG__X_STRSTARTS:
    return kg__val_bool(nl <= hl && memcmp(h, n, nl) == 0);
  case KG__X_STRENDS:
    return kg__val_bool(nl <= hl && memcmp(h + hl - nl, n, nl) == 0);
  case KG__X_CONTAINS:
    return kg__val_bool(find_bytes(h, hl, n, nl) != NULL);
  case KG__X_STRBEFORE:
  case KG__X_STRAFTER: {
    const char *at = find_bytes(h, hl, n, nl);
    if (!at) {
      return kg__val_string(&rt->v, "", 0);
    }
    if (op == KG__X_STRBEFORE) {
      return like_string(rt, a, h, (size_t)(at - h));
    }
    return like_string(rt, a, at + nl, hl - (size_t)(at - h) - nl);
  }
  default:
    return kg__val_error();
  }
}

static kg__val concat(kg__rt *rt, const kg__val *args, size_t n)
{
  kg__buf b = {0};
  const char *lang = NULL;
  bool same_lang = true;
  for (size_t i = 0; i < n; i++) {
    if (!kg__val_is_string(&args[i])) {
      kg__buf_free(&b);
      return kg__val_error();
    }
    const char *l = args[i].t.lang && args[i].t.lang[0] ? args[i].t.lang : NULL;
    if (i == 0) {
      lang = l;
    } else if (!l || !lang || strcasecmp(l, lang) != 0) {
      same_lang = false;
    }
    kg__buf_append(&b, args[i].t.value, args[i].t.value_len);
  }
  if (b.failed) {
    kg__buf_free(&b);
    return nomem(rt);
  }
  kg__val v = same_lang && lang
                  ? kg__val_lang(&rt->v, b.data ? b.data : "", b.len, lang)
                  : kg__val_string(&rt->v, b.data ? b.data : "", b.len);
  kg__buf_free(&b);
  return v;
}

static kg__val encode_for_uri(kg__rt *rt, const kg__val *a)
{
  if (!kg__val_is_string(a)) {
    return kg__val_error();
  }
  kg__buf b = {0};
  for (size_t i = 0; i < a->t.value_len; i++) {
    unsigned char c = (unsigned char)a->t.value[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      kg__buf_putc(&b, (char)c);
    } else {
      kg__buf_printf(&b, "%%%02X", c);
    }
  }
  return from_buf(rt, NULL, &b);
}

static bool
lang_matches(const char *tag, size_t tl, const char *range, size_t rl)
{
  if (rl == 1 && range[0] == '*') {
    return tl > 0;
  }
  if (rl > tl) {
    return false;
  }
  for (size_t i = 0; i < rl; i++) {
    char a = tag[i];
    char b = range[i];
    if (a >= 'A' && a <= 'Z') {
      a = (char)(a + 32);
    }
    if (b >= 'A' && b <= 'Z') {
      b = (char)(b + 32);
    }
    if (a != b) {
      return false;
    }
  }
  return rl == tl || tag[rl] == '-';
}

static kg__val digest(kg__rt *rt, kg__xop op, const kg__val *a)
{
  if (!kg__val_is_simple(a)) {
    return kg__val_error();
  }
  char out[129];
  switch (op) {
  case KG__X_MD5:
    kg__md5_hex(a->t.value, a->t.value_len, out);
    break;
  case KG__X_SHA1:
    kg__sha1_hex(a->t.value, a->t.value_len, out);
    break;
  case KG__X_SHA256:
    kg__sha256_hex(a->t.value, a->t.value_len, out);
    break;
  case KG__X_SHA384:
    kg__sha384_hex(a->t.value, a->t.value_len, out);
    break;
  default:
    kg__sha512_hex(a->t.value, a->t.value_len, out);
    break;
  }
  return kg__val_string(&rt->v, out, strlen(out));
}

/* Pattern and flags must be simple literals. */
static bool regex_args(
    const kg__val *args, size_t nargs, size_t first, char *flags, size_t cap)
{
  if (!kg__val_is_simple(&args[first])) {
    return false;
  }
  flags[0] = '\0';
  if (nargs > first + 1) {
    const kg__val *f = &args[first + 1];
    if (!kg__val_is_simple(f) || f->t.value_len >= cap) {
      return false;
    }
    memcpy(flags, f->t.value, f->t.value_len);
    flags[f->t.value_len] = '\0';
  }
  return true;
}

/* ---- numbers ---- */

static kg__val num_round(kg__rt *rt, kg__xop op, const kg__val *a)
{
  kg__num n;
  if (!kg__num_of(&a->t, &n)) {
    return kg__val_error();
  }
  switch (n.type) {
  case KG__NUM_INTEGER:
    if (op == KG__X_ABS) {
      if (n.i == INT64_MIN) {
        return kg__val_error();
      }
      n.i = n.i < 0 ? -n.i : n.i;
    }
    break;
  case KG__NUM_DECIMAL: {
    kg__dec s = KG__DEC_SCALE;
    kg__dec v = n.d;
    if (op == KG__X_ABS) {
      n.d = v < 0 ? -v : v;
      break;
    }
    if (op == KG__X_ROUND) {
      v += s / 2;
    }
    kg__dec q = v / s;
    kg__dec r = v % s;
    if (op == KG__X_CEIL) {
      if (r > 0) {
        q++;
      }
    } else if (r < 0) {
      q--;
    }
    n.d = q * s;
    n.scale = 0;
    break;
  }
  default:
    switch (op) {
    case KG__X_ABS:
      n.f = fabs(n.f);
      break;
    case KG__X_CEIL:
      n.f = ceil(n.f);
      break;
    case KG__X_FLOOR:
      n.f = floor(n.f);
      break;
    default:
      if (!isnan(n.f) && !isinf(n.f)) {
        double r = floor(n.f + 0.5);
        n.f = (r == 0 && n.f < 0) ? -0.0 : r;
      }
      break;
    }
  }
  return kg__val_num(&rt->v, &n);
}

/* ---- dates ---- */

static kg__val date_part(kg__rt *rt, kg__xop op, const kg__val *a)
{
  kg__dt dt = kg__term_dt(&a->t);
  kg__datetime d;
  if ((dt != KG__DT_DATETIME && dt != KG__DT_DATE && dt != KG__DT_TIME) ||
      !kg__datetime_parse(a->t.value, a->t.value_len, dt, &d)) {
    return kg__val_error();
  }
  switch (op) {
  case KG__X_YEAR:
  case KG__X_MONTH:
  case KG__X_DAY:
    if (dt == KG__DT_TIME) {
      return kg__val_error();
    }
    return kg__val_int(&rt->v, op == KG__X_YEAR    ? d.year
                               : op == KG__X_MONTH ? d.month
                                                   : d.day);
  case KG__X_HOURS:
  case KG__X_MINUTES:
    if (dt == KG__DT_DATE) {
      return kg__val_error();
    }
    return kg__val_int(&rt->v, op == KG__X_HOURS ? d.hour : d.minute);
  case KG__X_SECONDS: {
    if (dt == KG__DT_DATE) {
      return kg__val_error();
    }
    kg__num n;
    memset(&n, 0, sizeof n);
    n.type = KG__NUM_DECIMAL;
    n.d = (kg__dec)d.micro * (KG__DEC_SCALE / 1000000);
    n.scale = d.frac_digits < 6 ? d.frac_digits : 6;
    return kg__val_num(&rt->v, &n);
  }
  case KG__X_TIMEZONE: {
    if (!d.has_tz) {
      return kg__val_error();
    }
    char buf[32];
    int tz = d.tz < 0 ? -d.tz : d.tz;
    int h = tz / 60;
    int m = tz % 60;
    if (tz == 0) {
      snprintf(buf, sizeof buf, "PT0S");
    } else if (m == 0) {
      snprintf(buf, sizeof buf, "%sPT%dH", d.tz < 0 ? "-" : "", h);
    } else if (h == 0) {
      snprintf(buf, sizeof buf, "%sPT%dM", d.tz < 0 ? "-" : "", m);
    } else {
      snprintf(buf, sizeof buf, "%sPT%dH%dM", d.tz < 0 ? "-" : "", h, m);
    }
    return kg__val_typed(&rt->v, buf, strlen(buf), xsd_daytimeduration);
  }
  default: { /* TZ: the timezone as written */
    if (!d.has_tz) {
      return kg__val_string(&rt->v, "", 0);
    }
    const char *s = a->t.value;
    size_t l = a->t.value_len;
    if (l && s[l - 1] == 'Z') {
      return kg__val_string(&rt->v, "Z", 1);
    }
    return kg__val_string(&rt->v, s + l - 6, l >= 6 ? 6 : 0);
  }
  }
}

/* ---- casts ---- */

static bool xml_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static kg_term trimmed(const kg__val *a, const char *dt)
{
  kg_term t = a->t;
  while (t.value_len && xml_space(t.value[0])) {
    t.value++;
    t.value_len--;
  }
  while (t.value_len && xml_space(t.value[t.value_len - 1])) {
    t.value_len--;
  }
  t.datatype = dt;
  t.lang = NULL;
  return t;
}

static kg__val
cast_number(kg__rt *rt, const char *iri, kg__dt to, const kg__val *a)
{
  kg__dt from = kg__term_dt(&a->t);
  kg__num n;
  memset(&n, 0, sizeof n);
  if (from == KG__DT_STRING) {
    const char *pdt =
        to == KG__DT_INTEGER ? iri
        : to == KG__DT_DECIMAL
            ? xsd_decimal
            : (to == KG__DT_FLOAT ? "http://www.w3.org/2001/XMLSchema#float"
                                  : xsd_double);
    kg_term t = trimmed(a, pdt);
    if (!kg__num_of(&t, &n)) {
      return kg__val_error();
    }
  } else if (from == KG__DT_BOOLEAN) {
    int b = kg__val_ebv(a);
    kg_term t = trimmed(a, xsd_boolean);
    if ((t.value_len != 1 || (t.value[0] != '0' && t.value[0] != '1')) &&
        !(t.value_len == 4 && memcmp(t.value, "true", 4) == 0) &&
        !(t.value_len == 5 && memcmp(t.value, "false", 5) == 0)) {
      return kg__val_error();
    }
    n.type = KG__NUM_INTEGER;
    n.i = b == 1;
  } else if (kg__dt_numeric(from)) {
    if (!kg__num_of(&a->t, &n)) {
      return kg__val_error();
    }
  } else {
    return kg__val_error();
  }
  kg__num r;
  memset(&r, 0, sizeof r);
  switch (to) {
  case KG__DT_INTEGER:
    r.type = KG__NUM_INTEGER;
    if (n.type == KG__NUM_INTEGER) {
      r.i = n.i;
    } else if (n.type == KG__NUM_DECIMAL) {
      kg__dec q = n.d / KG__DEC_SCALE;
      if (q > INT64_MAX || q < INT64_MIN) {
        return kg__val_error();
      }
      r.i = (int64_t)q;
    } else {
      if (isnan(n.f) || isinf(n.f) || n.f >= 9.2233720368547758e18 ||
          n.f <= -9.2233720368547758e18) {
        return kg__val_error();
      }
      r.i = (int64_t)n.f;
    }
    break;
  case KG__DT_DECIMAL:
    r.type = KG__NUM_DECIMAL;
    if (n.type == KG__NUM_INTEGER) {
      r.d = (kg__dec)n.i * KG__DEC_SCALE;
    } else if (n.type == KG__NUM_DECIMAL) {
      r.d = n.d;
      r.scale = n.scale;
    } else {
      r.scale = -1;
      if (!kg__dec_of_double(n.f, &r.d)) {
        return kg__val_error();
      }
    }
    break;
  default:
    r.type = to == KG__DT_FLOAT ? KG__NUM_FLOAT : KG__NUM_DOUBLE;
    r.f = kg__num_double(&n);
    if (r.type == KG__NUM_FLOAT) {
      r.f = (double)(float)r.f;
    }
    break;
  }
  kg__val v = kg__val_num(&rt->v, &r);
  if (to == KG__DT_INTEGER && kg__val_ok(&v) && strcmp(iri, xsd_integer)) {
    /* a type derived from xsd:integer: check its range */
    v.t.datatype = iri;
    kg__num check;
    if (!kg__num_of(&v.t, &check)) {
      return kg__val_error();
    }
  }
  return v;
}

/* xsd:string(): XPath's casts for booleans and numbers (an integer or a
 * decimal in canonical form, an integral decimal as an integer: "1.50" is
 * "1.5", "1.0" is "1"; a double or float as kg__double_string gives it),
 * the lexical form otherwise. */
static kg__val cast_string(kg__rt *rt, const kg__val *a, kg__dt from)
{
  kg__num n;
  char buf[96];
  if (from == KG__DT_BOOLEAN) {
    int b = kg__val_ebv(a);
    kg_term t = trimmed(a, xsd_boolean);
    bool valid =
        (t.value_len == 1 && (t.value[0] == '0' || t.value[0] == '1')) ||
        (t.value_len == 4 && memcmp(t.value, "true", 4) == 0) ||
        (t.value_len == 5 && memcmp(t.value, "false", 5) == 0);
    if (valid) {
      return kg__val_string(&rt->v, b == 1 ? "true" : "false", b == 1 ? 4 : 5);
    }
  } else if (kg__dt_numeric(from) && kg__num_of(&a->t, &n)) {
    if (n.type == KG__NUM_FLOAT || n.type == KG__NUM_DOUBLE) {
      kg__double_string(n.f, n.type == KG__NUM_FLOAT, buf, sizeof buf);
    } else {
      n.scale = 0; /* no trailing zeros, no "." when integral */
      kg__num_format(&n, buf, sizeof buf);
    }
    return kg__val_string(&rt->v, buf, strlen(buf));
  }
  return kg__val_string(&rt->v, a->t.value, a->t.value_len);
}

static kg__val cast(kg__rt *rt, const char *iri, const kg__val *a)
{
  kg_term probe = {KG_TERM_LITERAL, "", 0, iri, NULL};
  kg__dt to = kg__term_dt(&probe);
  if (a->t.kind == KG_TERM_BLANK) {
    return kg__val_error();
  }
  if (a->t.kind == KG_TERM_IRI) {
    return to == KG__DT_STRING
               ? kg__val_string(&rt->v, a->t.value, a->t.value_len)
               : kg__val_error();
  }
  kg__dt from = kg__term_dt(&a->t);
  switch (to) {
  case KG__DT_STRING:
    return cast_string(rt, a, from);
  case KG__DT_INTEGER:
  case KG__DT_DECIMAL:
  case KG__DT_FLOAT:
  case KG__DT_DOUBLE:
    return cast_number(rt, iri, to, a);
  case KG__DT_BOOLEAN: {
    if (kg__dt_numeric(from)) {
      kg__num n;
      if (!kg__num_of(&a->t, &n)) {
        return kg__val_error();
      }
      return kg__val_bool(kg__val_ebv(a) == 1);
    }
    if (from == KG__DT_STRING || from == KG__DT_BOOLEAN) {
      kg_term t = trimmed(a, xsd_boolean);
      if (t.value_len == 4 && memcmp(t.value, "true", 4) == 0) {
        return kg__val_bool(true);
      }
      if (t.value_len == 5 && memcmp(t.value, "false", 5) == 0) {
        return kg__val_bool(false);
      }
      if (t.value_len == 1 && (t.value[0] == '1' || t.value[0] == '0')) {
        return kg__val_bool(t.value[0] == '1');
      }
    }
    return kg__val_error();
  }
  case KG__DT_DATETIME:
  case KG__DT_DATE:
  case KG__DT_TIME: {
    kg__datetime d;
    if (from == KG__DT_STRING || from == to) {
      kg_term t = trimmed(a, iri);
      if (!kg__datetime_parse(t.value, t.value_len, to, &d)) {
        return kg__val_error();
      }
      return kg__val_typed(&rt->v, t.value, t.value_len, iri);
    }
    if (from == KG__DT_DATETIME &&
        kg__datetime_parse(a->t.value, a->t.value_len, from, &d)) {
      /* dateTime to date: the date part and timezone */
      const char *tpos = memchr(a->t.value, 'T', a->t.value_len);
      if (!tpos) {
        return kg__val_error();
      }
      kg__buf b = {0};
      if (to == KG__DT_DATE) {
        kg__buf_append(&b, a->t.value, (size_t)(tpos - a->t.value));
      } else {
        const char *end = a->t.value + a->t.value_len;
        const char *tz = tpos + 9;
        while (tz < end && *tz != 'Z' && *tz != '+' && *tz != '-') {
          tz++;
        }
        kg__buf_append(&b, tpos + 1, (size_t)(tz - tpos - 1));
      }
      if (d.has_tz) {
        const char *end = a->t.value + a->t.value_len;
        if (end[-1] == 'Z') {
          kg__buf_putc(&b, 'Z');
        } else {
          kg__buf_append(&b, end - 6, 6);
        }
      }
      if (b.failed) {
        kg__buf_free(&b);
        return nomem(rt);
      }
      kg__val v = kg__val_typed(&rt->v, b.data, b.len, iri);
      kg__buf_free(&b);
      return v;
    }
    if (from == KG__DT_DATE && to == KG__DT_DATETIME &&
        kg__datetime_parse(a->t.value, a->t.value_len, from, &d)) {
      size_t dl = a->t.value_len;
      const char *s = a->t.value;
      size_t datel = dl;
      if (d.has_tz) {
        datel = s[dl - 1] == 'Z' ? dl - 1 : dl - 6;
      }
      kg__buf b = {0};
      kg__buf_append(&b, s, datel);
      kg__buf_puts(&b, "T00:00:00");
      kg__buf_append(&b, s + datel, dl - datel);
      if (b.failed) {
        kg__buf_free(&b);
        return nomem(rt);
      }
      kg__val v = kg__val_typed(&rt->v, b.data, b.len, xsd_datetime);
      kg__buf_free(&b);
      return v;
    }
    return kg__val_error();
  }
  default:
    return kg__val_error();
  }
}

/* ---- the dispatcher ---- */

kg__val kg__fn_call(kg__rt *rt, const kg__expr *e, kg__val *args)
{
  kg__val *a = args;
  size_t n = e->nargs;
  switch (e->op) {
  case KG__X_STR:
    if (a[0].t.kind == KG_TERM_BLANK) {
      return kg__val_error();
    }
    return kg__val_string(&rt->v, a[0].t.value, a[0].t.value_len);
  case KG__X_LANG:
    if (a[0].t.kind != KG_TERM_LITERAL) {
      return kg__val_error();
    }
    return a[0].t.lang
               ? kg__val_string(&rt->v, a[0].t.lang, strlen(a[0].t.lang))
               : kg__val_string(&rt->v, "", 0);
  case KG__X_DATATYPE: {
    if (a[0].t.kind != KG_TERM_LITERAL) {
      return kg__val_error();
    }
    const char *dt = a[0].t.lang && a[0].t.lang[0] ? kg__rdf_lang_string
                     : a[0].t.datatype             ? a[0].t.datatype
                                                   : kg__xsd_string;
    return kg__val_iri(&rt->v, dt, strlen(dt));
  }
  case KG__X_IRI: {
    if (a[0].t.kind == KG_TERM_IRI) {
      return a[0];
    }
    if (!kg__val_is_simple(&a[0])) {
      return kg__val_error();
    }
    char *r = kg__iri_resolve(rt->base, a[0].t.value, a[0].t.value_len);
    if (!r) {
      return kg__val_error();
    }
    kg__val v = kg__val_iri(&rt->v, r, strlen(r));
    free(r);
    return v;
  }
  case KG__X_BNODE:
    return bnode_for(rt, n ? &a[0] : NULL);
  case KG__X_STRDT:
    if (!kg__val_is_simple(&a[0]) || a[1].t.kind != KG_TERM_IRI) {
      return kg__val_error();
    }
    return kg__val_typed(&rt->v, a[0].t.value, a[0].t.value_len, a[1].t.value);
  case KG__X_STRLANG:
    if (!kg__val_is_simple(&a[0]) || !kg__val_is_simple(&a[1]) ||
        a[1].t.value_len == 0) {
      return kg__val_error();
    }
    return kg__val_lang(&rt->v, a[0].t.value, a[0].t.value_len, a[1].t.value);
  case KG__X_UUID:
  case KG__X_STRUUID: {
    char u[48];
    uuid_text(rt, u + 9);
    memcpy(u, "urn:uuid:", 9);
    if (e->op == KG__X_UUID) {
      return kg__val_iri(&rt->v, u, strlen(u));
    }
    return kg__val_string(&rt->v, u + 9, strlen(u + 9));
  }
  case KG__X_STRLEN:
    if (!kg__val_is_string(&a[0])) {
      return kg__val_error();
    }
    return kg__val_int(&rt->v,
                       (int64_t)kg__utf8_count(a[0].t.value, a[0].t.value_len));
  case KG__X_SUBSTR:
    return substr(rt, &a[0], n, &a[1], n > 2 ? &a[2] : NULL);
  case KG__X_UCASE:
  case KG__X_LCASE:
    return change_case(rt, &a[0], e->op == KG__X_UCASE);
  case KG__X_STRSTARTS:
  case KG__X_STRENDS:
  case KG__X_CONTAINS:
  case KG__X_STRBEFORE:
  case KG__X_STRAFTER:
    return str_test(rt, e->op, &a[0], &a[1]);
  case KG__X_ENCODE_FOR_URI:
    return encode_for_uri(rt, &a[0]);
  case KG__X_CONCAT:
    return concat(rt, a, n);
  case KG__X_LANGMATCHES:
    if (!kg__val_is_simple(&a[0]) || !kg__val_is_simple(&a[1])) {
      return kg__val_error();
    }
    return kg__val_bool(lang_matches(a[0].t.value, a[0].t.value_len,
                                     a[1].t.value, a[1].t.value_len));
  case KG__X_REGEX: {
    char flags[16];
    if (!kg__val_is_string(&a[0]) ||
        !regex_args(a, n, 1, flags, sizeof flags)) {
      return kg__val_error();
    }
    int m = kg__regex_match((void **)&e->cache, a[0].t.value, a[0].t.value_len,
                            a[1].t.value, a[1].t.value_len, flags);
    if (m == -2) {
      return nomem(rt);
    }
    return m < 0 ? kg__val_error() : kg__val_bool(m == 1);
  }
  case KG__X_REPLACE: {
    char flags[16];
    if (!kg__val_is_string(&a[0]) ||
        !regex_args(a, n == 4 ? 4 : 3, 1, flags, sizeof flags) ||
        !kg__val_is_simple(&a[2])) {
      return kg__val_error();
    }
    if (n == 4 && (!kg__val_is_simple(&a[3]) || a[3].t.value_len >= 16)) {
      return kg__val_error();
    }
    if (n == 4) {
      memcpy(flags, a[3].t.value, a[3].t.value_len);
      flags[a[3].t.value_len] = '\0';
    } else {
      flags[0] = '\0';
    }
    kg__buf b = {0};
    if (!kg__regex_replace((void **)&e->cache, a[0].t.value, a[0].t.value_len,
                           a[1].t.value, a[1].t.value_len, flags, a[2].t.value,
                           a[2].t.value_len, &b)) {
      bool failed = b.failed;
      kg__buf_free(&b);
      return failed ? nomem(rt) : kg__val_error();
    }
    return from_buf(rt, &a[0], &b);
  }
  case KG__X_ABS:
  case KG__X_ROUND:
  case KG__X_CEIL:
  case KG__X_FLOOR:
    return num_round(rt, e->op, &a[0]);
  case KG__X_RAND: {
    rt->rand_state ^= rt->rand_state << 13;
    rt->rand_state ^= rt->rand_state >> 7;
    rt->rand_state ^= rt->rand_state << 17;
    kg__num r;
    memset(&r, 0, sizeof r);
    r.type = KG__NUM_DOUBLE;
    r.f = (double)(rt->rand_state >> 11) / 9007199254740992.0;
    return kg__val_num(&rt->v, &r);
  }
  case KG__X_NOW:
    return kg__val_typed(&rt->v, rt->now, strlen(rt->now), xsd_datetime);
  case KG__X_YEAR:
  case KG__X_MONTH:
  case KG__X_DAY:
  case KG__X_HOURS:
  case KG__X_MINUTES:
  case KG__X_SECONDS:
  case KG__X_TIMEZONE:
  case KG__X_TZ:
    return date_part(rt, e->op, &a[0]);
  case KG__X_MD5:
  case KG__X_SHA1:
  case KG__X_SHA256:
  case KG__X_SHA384:
  case KG__X_SHA512:
    return digest(rt, e->op, &a[0]);
  case KG__X_CAST:
    return n == 1 ? cast(rt, e->iri, &a[0]) : kg__val_error();
  default:
    return kg__val_error();
  }
}
