/* Values while a query runs: IDs, the query's own terms, numbers, dates,
 * and SPARQL's comparisons. */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char kg__xsd[] = "http://www.w3.org/2001/XMLSchema#";

/* ---- arena ---- */

struct kg__arena_chunk {
  kg__arena_chunk *next;
  size_t cap;
  size_t used;
  max_align_t data[];
};

void *kg__arena_alloc(kg__arena *a, size_t n)
{
  n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  if (n == 0) {
    n = sizeof(max_align_t);
  }
  kg__arena_chunk *c = a->head;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    c = malloc(sizeof *c + cap);
    if (!c) {
      a->failed = true;
      return NULL;
    }
    c->cap = cap;
    c->used = 0;
    c->next = a->head;
    a->head = c;
  }
  void *p = (char *)c->data + c->used;
  c->used += n;
  return p;
}

char *kg__arena_strndup(kg__arena *a, const char *s, size_t n)
{
  char *p = kg__arena_alloc(a, n + 1);
  if (p) {
    if (n) {
      memcpy(p, s, n);
    }
    p[n] = '\0';
  }
  return p;
}

kg__arena_mark kg__arena_get_mark(const kg__arena *a)
{
  kg__arena_mark m = {a->head, a->head ? a->head->used : 0};
  return m;
}

void kg__arena_release(kg__arena *a, kg__arena_mark m)
{
  /* Free the chunks made after the mark; an empty mark keeps the oldest
   * chunk for reuse. */
  while (a->head && a->head != m.chunk) {
    if (!m.chunk && !a->head->next) {
      break;
    }
    kg__arena_chunk *n = a->head->next;
    free(a->head);
    a->head = n;
  }
  if (a->head) {
    a->head->used = m.chunk ? m.used : 0;
  }
}

void kg__arena_free(kg__arena *a)
{
  kg__arena_chunk *c = a->head;
  while (c) {
    kg__arena_chunk *n = c->next;
    free(c);
    c = n;
  }
  a->head = NULL;
  a->failed = false;
}

/* ---- dictionary of computed terms ---- */

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= UINT64_C(1099511628211);
  }
  return h;
}

uint64_t kg__qterm_hash(const kg_term *t)
{
  uint64_t h = UINT64_C(14695981039346656037);
  unsigned char k = (unsigned char)t->kind;
  h = fnv(h, &k, 1);
  h = fnv(h, t->value, t->value_len);
  if (t->datatype) {
    h = fnv(h, "^", 1);
    h = fnv(h, t->datatype, strlen(t->datatype));
  }
  if (t->lang) {
    h = fnv(h, "@", 1);
    h = fnv(h, t->lang, strlen(t->lang));
  }
  return h;
}

static bool dict_grow(kg__qdict *d)
{
  size_t ns = d->nslots ? d->nslots * 2 : 64;
  uint32_t *slots = calloc(ns, sizeof *slots);
  if (!slots) {
    return false;
  }
  for (size_t i = 0; i < d->n; i++) {
    size_t h = (size_t)kg__qterm_hash(&d->terms[i]) & (ns - 1);
    while (slots[h]) {
      h = (h + 1) & (ns - 1);
    }
    slots[h] = (uint32_t)(i + 1);
  }
  free(d->slots);
  d->slots = slots;
  d->nslots = ns;
  return true;
}

kg_status kg__qdict_intern(kg__qdict *d, const kg_term *t, kg__vid *out)
{
  if ((d->n + 1) * 2 > d->nslots && !dict_grow(d)) {
    return KG_ERR_NOMEM;
  }
  size_t h = (size_t)kg__qterm_hash(t) & (d->nslots - 1);
  while (d->slots[h]) {
    size_t i = d->slots[h] - 1;
    if (kg__term_eq(&d->terms[i], t)) {
      *out = KG__VID_LOCAL | (kg__vid)i;
      return KG_OK;
    }
    h = (h + 1) & (d->nslots - 1);
  }
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 64;
    kg_term *v = realloc(d->terms, cap * sizeof *v);
    if (!v) {
      return KG_ERR_NOMEM;
    }
    d->terms = v;
    d->cap = cap;
  }
  if (d->n >= UINT32_MAX - 1) {
    return KG_ERR_NOMEM;
  }
  kg_status st = kg__term_copy(&d->terms[d->n], t);
  if (st != KG_OK) {
    return st;
  }
  d->slots[h] = (uint32_t)(d->n + 1);
  *out = KG__VID_LOCAL | (kg__vid)d->n;
  d->n++;
  return KG_OK;
}

const kg_term *kg__qdict_get(const kg__qdict *d, kg__vid id)
{
  if (!(id & KG__VID_LOCAL)) {
    return NULL;
  }
  size_t i = (size_t)(id & ~KG__VID_LOCAL);
  return i < d->n ? &d->terms[i] : NULL;
}

void kg__qdict_free(kg__qdict *d)
{
  for (size_t i = 0; i < d->n; i++) {
    kg__term_clear(&d->terms[i]);
  }
  free(d->terms);
  free(d->slots);
  memset(d, 0, sizeof *d);
}

/* ---- value context ---- */

kg_status kg__vctx_term(kg__vctx *c, kg__vid id, kg_term *out)
{
  memset(out, 0, sizeof *out);
  if (id == 0) {
    return KG_OK;
  }
  if (id & KG__VID_LOCAL) {
    const kg_term *t = kg__qdict_get(&c->dict, id);
    if (!t) {
      return KG_ERR_INTERNAL;
    }
    *out = *t;
    return KG_OK;
  }
  kg_status st = c->store->ops->term(c->store, id, out);
  if (st != KG_OK && c->failure == KG_OK) {
    c->failure = st;
  }
  return st;
}

kg__vid kg__vctx_lookup(kg__vctx *c, const kg_term *t)
{
  kg__id id = KG__NO_ID;
  if (!c->store) {
    return 0;
  }
  kg_status st = c->store->ops->lookup(c->store, t, &id);
  if (st != KG_OK) {
    if (c->failure == KG_OK) {
      c->failure = st;
    }
    return 0;
  }
  return id;
}

kg_status kg__vctx_intern(kg__vctx *c, const kg_term *t, kg__vid *out)
{
  kg__vid id = kg__vctx_lookup(c, t);
  if (id) {
    *out = id;
    return KG_OK;
  }
  kg_status st = kg__qdict_intern(&c->dict, t, out);
  if (st != KG_OK && c->failure == KG_OK) {
    c->failure = st;
  }
  return st;
}

void kg__vctx_free(kg__vctx *c)
{
  kg__qdict_free(&c->dict);
  kg__arena_free(&c->arena);
}

/* ---- datatypes ---- */

static const struct {
  const char *local;
  kg__dt dt;
} dt_names[] = {
    {"string", KG__DT_STRING},
    {"boolean", KG__DT_BOOLEAN},
    {"integer", KG__DT_INTEGER},
    {"decimal", KG__DT_DECIMAL},
    {"float", KG__DT_FLOAT},
    {"double", KG__DT_DOUBLE},
    {"dateTime", KG__DT_DATETIME},
    {"dateTimeStamp", KG__DT_DATETIME},
    {"date", KG__DT_DATE},
    {"time", KG__DT_TIME},
    {"duration", KG__DT_DURATION},
    {"dayTimeDuration", KG__DT_DURATION},
    {"yearMonthDuration", KG__DT_DURATION},
    {"nonPositiveInteger", KG__DT_INTEGER},
    {"negativeInteger", KG__DT_INTEGER},
    {"long", KG__DT_INTEGER},
    {"int", KG__DT_INTEGER},
    {"short", KG__DT_INTEGER},
    {"byte", KG__DT_INTEGER},
    {"nonNegativeInteger", KG__DT_INTEGER},
    {"unsignedLong", KG__DT_INTEGER},
    {"unsignedInt", KG__DT_INTEGER},
    {"unsignedShort", KG__DT_INTEGER},
    {"unsignedByte", KG__DT_INTEGER},
    {"positiveInteger", KG__DT_INTEGER},
};

kg__dt kg__term_dt(const kg_term *t)
{
  if (t->kind != KG_TERM_LITERAL) {
    return KG__DT_NONE;
  }
  if (t->lang && t->lang[0]) {
    return KG__DT_LANG;
  }
  const char *d = t->datatype;
  if (!d || !d[0]) {
    return KG__DT_STRING;
  }
  if (strncmp(d, kg__xsd, sizeof kg__xsd - 1) != 0) {
    return strcmp(d, kg__rdf_lang_string) == 0 ? KG__DT_LANG : KG__DT_OTHER;
  }
  const char *local = d + sizeof kg__xsd - 1;
  for (size_t i = 0; i < sizeof dt_names / sizeof *dt_names; i++) {
    if (strcmp(local, dt_names[i].local) == 0) {
      return dt_names[i].dt;
    }
  }
  return KG__DT_OTHER;
}

bool kg__dt_numeric(kg__dt dt)
{
  return dt == KG__DT_INTEGER || dt == KG__DT_DECIMAL || dt == KG__DT_FLOAT ||
         dt == KG__DT_DOUBLE;
}

/* ---- numbers ---- */

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Range of an integer-derived datatype; false if unbounded on that side. */
static void int_range(
    const char *dt, bool *has_min, int64_t *min, bool *has_max, uint64_t *max)
{
  *has_min = *has_max = false;
  *min = 0;
  *max = 0;
  if (!dt || strncmp(dt, kg__xsd, sizeof kg__xsd - 1) != 0) {
    return;
  }
  const char *l = dt + sizeof kg__xsd - 1;
  static const struct {
    const char *name;
    bool has_min;
    int64_t min;
    bool has_max;
    uint64_t max;
  } r[] = {
      {"nonPositiveInteger", false, 0, true, 0},
      {"negativeInteger", false, 0, true, 0}, /* max -1: checked below */
      {"long", true, INT64_MIN, true, INT64_MAX},
      {"int", true, INT32_MIN, true, INT32_MAX},
      {"short", true, -32768, true, 32767},
      {"byte", true, -128, true, 127},
      {"nonNegativeInteger", true, 0, false, 0},
      {"unsignedLong", true, 0, true, UINT64_MAX},
      {"unsignedInt", true, 0, true, UINT32_MAX},
      {"unsignedShort", true, 0, true, 65535},
      {"unsignedByte", true, 0, true, 255},
      {"positiveInteger", true, 1, false, 0},
  };
  for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
    if (strcmp(l, r[i].name) == 0) {
      *has_min = r[i].has_min;
      *min = r[i].min;
      *has_max = r[i].has_max;
      *max = r[i].max;
      return;
    }
  }
}

static bool parse_int(const char *s, size_t len, int64_t *out)
{
  size_t i = 0;
  bool neg = false;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    i++;
  }
  if (i == len) {
    return false;
  }
  uint64_t v = 0;
  for (; i < len; i++) {
    if (!is_digit(s[i])) {
      return false;
    }
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (UINT64_C(9223372036854775808) - d) / 10) {
      return false;
    }
    v = v * 10 + d;
  }
  if (!neg && v > (uint64_t)INT64_MAX) {
    return false;
  }
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return true;
}

bool kg__dec_parse(const char *s, size_t len, kg__dec *out)
{
  size_t i = 0;
  bool neg = false;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    i++;
  }
  kg__dec ip = 0;
  kg__dec fp = 0;
  int fd = 0;
  bool any = false;
  const kg__dec limit = (kg__dec)170000000000000000LL * 1000; /* 1.7e20 */
  while (i < len && is_digit(s[i])) {
    ip = ip * 10 + (s[i] - '0');
    if (ip > limit) {
      return false;
    }
    any = true;
    i++;
  }
  if (i < len && s[i] == '.') {
    i++;
    while (i < len && is_digit(s[i])) {
      if (fd < 18) {
        fp = fp * 10 + (s[i] - '0');
        fd++;
      }
      any = true;
      i++;
    }
  }
  if (i != len || !any) {
    return false;
  }
  while (fd < 18) {
    fp *= 10;
    fd++;
  }
  kg__dec v = ip * KG__DEC_SCALE + fp;
  *out = neg ? -v : v;
  return true;
}

static bool parse_double(const char *s, size_t len, double *out)
{
  char buf[128];
  if (len == 0 || len >= sizeof buf) {
    return false;
  }
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (strcmp(buf, "INF") == 0 || strcmp(buf, "+INF") == 0) {
    *out = INFINITY;
    return true;
  }
  if (strcmp(buf, "-INF") == 0) {
    *out = -INFINITY;
    return true;
  }
  if (strcmp(buf, "NaN") == 0) {
    *out = NAN;
    return true;
  }
  /* XSD: sign? (digits ('.' digits?)? | '.' digits) ([eE] sign? digits)? */
  size_t i = 0;
  if (buf[i] == '+' || buf[i] == '-') {
    i++;
  }
  bool any = false;
  while (is_digit(buf[i])) {
    i++;
    any = true;
  }
  if (buf[i] == '.') {
    i++;
    while (is_digit(buf[i])) {
      i++;
      any = true;
    }
  }
  if (!any) {
    return false;
  }
  if (buf[i] == 'e' || buf[i] == 'E') {
    i++;
    if (buf[i] == '+' || buf[i] == '-') {
      i++;
    }
    if (!is_digit(buf[i])) {
      return false;
    }
    while (is_digit(buf[i])) {
      i++;
    }
  }
  if (buf[i] != '\0') {
    return false;
  }
  *out = strtod(buf, NULL);
  return true;
}

bool kg__num_of(const kg_term *t, kg__num *out)
{
  memset(out, 0, sizeof *out);
  switch (kg__term_dt(t)) {
  case KG__DT_INTEGER: {
    out->type = KG__NUM_INTEGER;
    bool has_min;
    bool has_max;
    int64_t min;
    uint64_t max;
    int_range(t->datatype, &has_min, &min, &has_max, &max);
    if (!parse_int(t->value, t->value_len, &out->i)) {
      /* unsignedLong beyond INT64_MAX: keep it as a decimal */
      kg__dec d;
      if (has_min && min == 0 && kg__dec_parse(t->value, t->value_len, &d) &&
          d >= 0 && memchr(t->value, '.', t->value_len) == NULL) {
        out->type = KG__NUM_DECIMAL;
        out->d = d;
        return d / KG__DEC_SCALE <= (kg__dec)max || !has_max;
      }
      return false;
    }
    const char *local =
        t->datatype ? t->datatype + sizeof kg__xsd - 1 : "integer";
    if (strcmp(local, "negativeInteger") == 0 && out->i >= 0) {
      return false;
    }
    if (has_min && out->i < min) {
      return false;
    }
    if (has_max && out->i > 0 && (uint64_t)out->i > max) {
      return false;
    }
    return true;
  }
  case KG__DT_DECIMAL: {
    out->type = KG__NUM_DECIMAL;
    const char *dot = memchr(t->value, '.', t->value_len);
    if (dot) {
      size_t fd = t->value_len - (size_t)(dot - t->value) - 1;
      out->scale = fd > 18 ? 18 : (int)fd;
    }
    return kg__dec_parse(t->value, t->value_len, &out->d);
  }
  case KG__DT_FLOAT:
    out->type = KG__NUM_FLOAT;
    if (!parse_double(t->value, t->value_len, &out->f)) {
      return false;
    }
    out->f = (double)(float)out->f;
    return true;
  case KG__DT_DOUBLE:
    out->type = KG__NUM_DOUBLE;
    return parse_double(t->value, t->value_len, &out->f);
  default:
    return false;
  }
}

static double dec_to_double(kg__dec d)
{
  kg__dec ip = d / KG__DEC_SCALE;
  kg__dec fp = d % KG__DEC_SCALE;
  return (double)ip + (double)fp / 1e18;
}

double kg__num_double(const kg__num *n)
{
  switch (n->type) {
  case KG__NUM_INTEGER:
    return (double)n->i;
  case KG__NUM_DECIMAL:
    return dec_to_double(n->d);
  default:
    return n->f;
  }
}

void kg__num_promote(kg__num *a, kg__num *b)
{
  kg__numtype t = a->type > b->type ? a->type : b->type;
  kg__num *v[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    kg__num *n = v[k];
    if (n->type == t) {
      continue;
    }
    if (t == KG__NUM_DECIMAL) {
      n->d = (kg__dec)n->i * KG__DEC_SCALE;
      n->scale = 0;
    } else {
      n->f = kg__num_double(n);
      if (t == KG__NUM_FLOAT) {
        n->f = (double)(float)n->f;
      }
    }
    n->type = t;
  }
}

int kg__num_cmp(const kg__num *a0, const kg__num *b0)
{
  kg__num a = *a0;
  kg__num b = *b0;
  kg__num_promote(&a, &b);
  switch (a.type) {
  case KG__NUM_INTEGER:
    return a.i < b.i ? -1 : a.i > b.i;
  case KG__NUM_DECIMAL:
    return a.d < b.d ? -1 : a.d > b.d;
  default:
    if (isnan(a.f) || isnan(b.f)) {
      return 2;
    }
    return a.f < b.f ? -1 : a.f > b.f;
  }
}

static bool dec_mul(kg__dec a, kg__dec b, kg__dec *out)
{
  bool neg = (a < 0) != (b < 0);
  __extension__ typedef unsigned __int128 u128;
  u128 ua = a < 0 ? (u128)(-a) : (u128)a;
  u128 ub = b < 0 ? (u128)(-b) : (u128)b;
  const u128 scale = (u128)KG__DEC_SCALE;
  /* (ah*S + al) * ub / S = ah*ub + al*ub/S */
  u128 ah = ua / scale;
  u128 al = ua % scale;
  u128 p1;
  if (__builtin_mul_overflow(ah, ub, &p1)) {
    return false;
  }
  /* al*ub may overflow: split ub the same way */
  u128 bh = ub / scale;
  u128 bl = ub % scale;
  u128 p2 = al * bh;         /* < S * (2^128/S) */
  u128 p3 = al * bl / scale; /* al, bl < 10^18: product < 10^36 */
  u128 r;
  if (__builtin_add_overflow(p1, p2, &r) || __builtin_add_overflow(r, p3, &r)) {
    return false;
  }
  if (r > (u128)(((kg__dec)1 << 126) - 1) * 2 + 1) {
    return false;
  }
  *out = neg ? -(kg__dec)r : (kg__dec)r;
  return true;
}

static bool dec_div(kg__dec a, kg__dec b, kg__dec *out)
{
  if (b == 0) {
    return false;
  }
  bool neg = (a < 0) != (b < 0);
  __extension__ typedef unsigned __int128 u128;
  u128 ua = a < 0 ? (u128)(-a) : (u128)a;
  u128 ub = b < 0 ? (u128)(-b) : (u128)b;
  /* result = ua * S / ub, by long division in base 10 */
  u128 q = ua / ub;
  u128 r = ua % ub;
  const u128 umax = ~(u128)0;
  if (q > umax / (u128)KG__DEC_SCALE) {
    return false;
  }
  u128 res = q * (u128)KG__DEC_SCALE;
  u128 frac = 0;
  for (int i = 0; i < 18; i++) {
    if (r > umax / 10) {
      /* divisor beyond 3.4e37 (raw): finish in floating point */
      long double rest = (long double)r / (long double)ub;
      for (; i < 18; i++) {
        rest *= 10;
        unsigned d = (unsigned)rest;
        frac = frac * 10 + d;
        rest -= d;
      }
      break;
    }
    r *= 10;
    frac = frac * 10 + r / ub;
    r %= ub;
  }
  res += frac;
  if (res > (u128)(((kg__dec)1 << 126) - 1) * 2 + 1) {
    return false;
  }
  *out = neg ? -(kg__dec)res : (kg__dec)res;
  return true;
}

bool kg__num_arith(char op, const kg__num *a0, const kg__num *b0, kg__num *out)
{
  kg__num a = *a0;
  kg__num b = *b0;
  kg__num_promote(&a, &b);
  if (op == '/' && a.type == KG__NUM_INTEGER) {
    a.d = (kg__dec)a.i * KG__DEC_SCALE;
    b.d = (kg__dec)b.i * KG__DEC_SCALE;
    a.type = b.type = KG__NUM_DECIMAL;
    a.scale = b.scale = 0;
  }
  memset(out, 0, sizeof *out);
  out->type = a.type;
  if (a.type == KG__NUM_DECIMAL) {
    /* the fraction digits of the result, as decimal arithmetic keeps
     * them: the larger for + and -, the sum for *, at least one for / */
    int sa = a.scale < 0 ? 1 : a.scale;
    int sb = b.scale < 0 ? 1 : b.scale;
    out->scale = op == '*'   ? (sa + sb > 18 ? 18 : sa + sb)
                 : op == '/' ? -1
                             : (sa > sb ? sa : sb);
  }
  switch (a.type) {
  case KG__NUM_INTEGER:
    switch (op) {
    case '+':
      return !__builtin_add_overflow(a.i, b.i, &out->i);
    case '-':
      return !__builtin_sub_overflow(a.i, b.i, &out->i);
    case '*':
      return !__builtin_mul_overflow(a.i, b.i, &out->i);
    }
    return false;
  case KG__NUM_DECIMAL:
    switch (op) {
    case '+':
      return !__builtin_add_overflow(a.d, b.d, &out->d);
    case '-':
      return !__builtin_sub_overflow(a.d, b.d, &out->d);
    case '*':
      return dec_mul(a.d, b.d, &out->d);
    case '/':
      return dec_div(a.d, b.d, &out->d);
    }
    return false;
  default: {
    double r = 0;
    switch (op) {
    case '+':
      r = a.f + b.f;
      break;
    case '-':
      r = a.f - b.f;
      break;
    case '*':
      r = a.f * b.f;
      break;
    case '/':
      r = a.f / b.f;
      break;
    default:
      return false;
    }
    out->f = a.type == KG__NUM_FLOAT ? (double)(float)r : r;
    out->plain = true;
    return true;
  }
  }
}

void kg__dec_format(kg__dec d, int scale, char *buf, size_t cap)
{
  __extension__ typedef unsigned __int128 u128;
  bool neg = d < 0;
  u128 u = neg ? (u128)(-d) : (u128)d;
  u128 ip = u / (u128)KG__DEC_SCALE;
  uint64_t fp = (uint64_t)(u % (u128)KG__DEC_SCALE);
  char digits[64];
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(ip % 10));
    ip /= 10;
  } while (ip && n < 60);
  char frac[20];
  snprintf(frac, sizeof frac, "%018llu", (unsigned long long)fp);
  int fl = 18;
  int min = scale < 0 ? 1 : scale;
  while (fl > min && frac[fl - 1] == '0') {
    fl--;
  }
  frac[fl] = '\0';
  size_t k = 0;
  if (neg && (n > 1 || digits[0] != '0' || fp != 0) && k + 1 < cap) {
    buf[k++] = '-';
  }
  while (n > 0 && k + 1 < cap) {
    buf[k++] = digits[--n];
  }
  if (fl > 0 && k + 1 < cap) {
    buf[k++] = '.';
  }
  for (int i = 0; i < fl && k + 1 < cap; i++) {
    buf[k++] = frac[i];
  }
  buf[k] = '\0';
}

/* The shortest significant digits of finite, non-zero v that read back as
 * v (as a float when is_float), without sign, dot or trailing zeros:
 * |v| = d.ddd x 10^*exp10. */
static void double_digits(double v, bool is_float, char digits[20], int *exp10)
{
  char tmp[64];
  double av = fabs(v);
  int maxp = is_float ? 9 : 17;
  for (int p = 1; p <= maxp; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, av);
    double back = strtod(tmp, NULL);
    if (is_float ? (float)back == (float)av : back == av) {
      break;
    }
  }
  /* tmp is "d.ddde+XX" or "de+XX" */
  int n = 0;
  const char *c = tmp;
  for (; *c && *c != 'e' && n < 19; c++) {
    if (*c != '.') {
      digits[n++] = *c;
    }
  }
  while (n > 1 && digits[n - 1] == '0') {
    n--;
  }
  digits[n] = '\0';
  *exp10 = *c == 'e' ? atoi(c + 1) : 0;
}

/* NaN, INF, -INF, or NULL for a finite value. */
static const char *double_special(double v)
{
  if (isnan(v)) {
    return "NaN";
  }
  if (isinf(v)) {
    return v > 0 ? "INF" : "-INF";
  }
  return NULL;
}

void kg__double_format(double v, bool is_float, char *buf, size_t cap)
{
  const char *special = double_special(v);
  if (special) {
    snprintf(buf, cap, "%s", special);
    return;
  }
  if (v == 0) {
    snprintf(buf, cap, signbit(v) ? "-0.0E0" : "0.0E0");
    return;
  }
  char d[20];
  int exp = 0;
  double_digits(v, is_float, d, &exp);
  snprintf(buf, cap, "%s%c.%sE%d", v < 0 ? "-" : "", d[0], d[1] ? d + 1 : "0",
           exp);
}

bool kg__dec_of_double(double v, kg__dec *out)
{
  if (isnan(v) || isinf(v) || fabs(v) > 1e20) {
    return false;
  }
  *out = 0;
  if (v == 0) {
    return true;
  }
  char d[20];
  int exp = 0;
  double_digits(v, false, d, &exp);
  int nd = (int)strlen(d);
  kg__dec r = 0;
  for (int i = 0; i < nd; i++) {
    r = r * 10 + (d[i] - '0');
  }
  /* |v| = r x 10^(exp - nd + 1); scaled by 10^18, at most 1e38 */
  int shift = exp - nd + 1 + 18;
  for (; shift > 0; shift--) {
    r *= 10;
  }
  if (shift < 0) {
    kg__dec p = 1;
    for (; shift < 0 && p <= r; shift++) {
      p *= 10;
    }
    r = shift < 0 ? 0 : (r + p / 2) / p;
  }
  *out = v < 0 ? -r : r;
  return true;
}

void kg__double_string(double v, bool is_float, char *buf, size_t cap)
{
  double av = fabs(v);
  if (double_special(v) || (v != 0 && (av < 1e-6 || av >= 1e6))) {
    kg__double_format(v, is_float, buf, cap);
    return;
  }
  if (v == 0) {
    snprintf(buf, cap, signbit(v) ? "-0" : "0");
    return;
  }
  char d[20];
  int exp = 0; /* -6 .. 5 here */
  double_digits(v, is_float, d, &exp);
  int nd = (int)strlen(d);
  char out[48];
  int k = 0;
  if (v < 0) {
    out[k++] = '-';
  }
  if (exp < 0) {
    out[k++] = '0';
    out[k++] = '.';
    for (int i = -1; i > exp; i--) {
      out[k++] = '0';
    }
    for (int i = 0; i < nd; i++) {
      out[k++] = d[i];
    }
  } else {
    for (int i = 0; i <= exp; i++) {
      out[k++] = i < nd ? d[i] : '0';
    }
    if (nd > exp + 1) {
      out[k++] = '.';
      for (int i = exp + 1; i < nd; i++) {
        out[k++] = d[i];
      }
    }
  }
  out[k] = '\0';
  snprintf(buf, cap, "%s", out);
}

const char *kg__num_datatype(kg__numtype t)
{
  switch (t) {
  case KG__NUM_INTEGER:
    return "http://www.w3.org/2001/XMLSchema#integer";
  case KG__NUM_DECIMAL:
    return "http://www.w3.org/2001/XMLSchema#decimal";
  case KG__NUM_FLOAT:
    return "http://www.w3.org/2001/XMLSchema#float";
  default:
    return "http://www.w3.org/2001/XMLSchema#double";
  }
}

const char *kg__num_format(const kg__num *n, char *buf, size_t cap)
{
  switch (n->type) {
  case KG__NUM_INTEGER:
    snprintf(buf, cap, "%lld", (long long)n->i);
    break;
  case KG__NUM_DECIMAL:
    kg__dec_format(n->d, n->scale, buf, cap);
    break;
  case KG__NUM_FLOAT:
  case KG__NUM_DOUBLE:
    if (n->plain && n->f == floor(n->f) && fabs(n->f) < 1e15) {
      snprintf(buf, cap, "%.0f", n->f == 0 ? 0.0 : n->f);
    } else {
      kg__double_format(n->f, n->type == KG__NUM_FLOAT, buf, cap);
    }
    break;
  }
  return kg__num_datatype(n->type);
}

/* ---- dates and times ---- */

static bool digits(const char *s, size_t len, size_t *i, int n, int64_t *out)
{
  int64_t v = 0;
  for (int k = 0; k < n; k++) {
    if (*i >= len || !is_digit(s[*i])) {
      return false;
    }
    v = v * 10 + (s[*i] - '0');
    (*i)++;
  }
  *out = v;
  return true;
}

static bool leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}

static bool parse_tz(const char *s, size_t len, size_t *i, kg__datetime *out)
{
  if (*i == len) {
    return true;
  }
  if (s[*i] == 'Z') {
    (*i)++;
    out->has_tz = true;
    out->tz = 0;
    return true;
  }
  if (s[*i] != '+' && s[*i] != '-') {
    return false;
  }
  int sign = s[*i] == '-' ? -1 : 1;
  (*i)++;
  int64_t h;
  int64_t m;
  if (!digits(s, len, i, 2, &h) || *i >= len || s[*i] != ':') {
    return false;
  }
  (*i)++;
  if (!digits(s, len, i, 2, &m) || m > 59 || h > 14 || (h == 14 && m != 0)) {
    return false;
  }
  out->has_tz = true;
  out->tz = sign * (int)(h * 60 + m);
  return true;
}

static bool
parse_date_part(const char *s, size_t len, size_t *i, kg__datetime *out)
{
  bool neg = false;
  if (*i < len && s[*i] == '-') {
    neg = true;
    (*i)++;
  }
  size_t start = *i;
  int64_t y = 0;
  while (*i < len && is_digit(s[*i])) {
    if (y > 100000000000LL) {
      return false;
    }
    y = y * 10 + (s[*i] - '0');
    (*i)++;
  }
  size_t nd = *i - start;
  if (nd < 4 || (nd > 4 && s[start] == '0')) {
    return false;
  }
  int64_t m;
  int64_t d;
  if (*i >= len || s[*i] != '-') {
    return false;
  }
  (*i)++;
  if (!digits(s, len, i, 2, &m) || *i >= len || s[*i] != '-') {
    return false;
  }
  (*i)++;
  if (!digits(s, len, i, 2, &d)) {
    return false;
  }
  out->year = neg ? -y : y;
  out->month = (int)m;
  out->day = (int)d;
  if (m < 1 || m > 12 || d < 1 || d > month_days(out->year, (int)m)) {
    return false;
  }
  out->has_date = true;
  return true;
}

static bool
parse_time_part(const char *s, size_t len, size_t *i, kg__datetime *out)
{
  int64_t h;
  int64_t mi;
  int64_t se;
  if (!digits(s, len, i, 2, &h) || *i >= len || s[*i] != ':') {
    return false;
  }
  (*i)++;
  if (!digits(s, len, i, 2, &mi) || *i >= len || s[*i] != ':') {
    return false;
  }
  (*i)++;
  if (!digits(s, len, i, 2, &se)) {
    return false;
  }
  int64_t frac = 0;
  int fd = 0;
  if (*i < len && s[*i] == '.') {
    (*i)++;
    if (*i >= len || !is_digit(s[*i])) {
      return false;
    }
    while (*i < len && is_digit(s[*i])) {
      if (fd < 6) {
        frac = frac * 10 + (s[*i] - '0');
      }
      fd++;
      (*i)++;
    }
  }
  out->frac_digits = fd;
  for (int k = fd < 6 ? fd : 6; k < 6; k++) {
    frac *= 10;
  }
  if (mi > 59 || se > 59 || h > 24 || (h == 24 && (mi || se || frac))) {
    return false;
  }
  out->hour = (int)h;
  out->minute = (int)mi;
  out->micro = se * 1000000 + frac;
  out->has_time = true;
  return true;
}

bool kg__datetime_parse(const char *s, size_t len, kg__dt dt, kg__datetime *out)
{
  memset(out, 0, sizeof *out);
  size_t i = 0;
  switch (dt) {
  case KG__DT_DATETIME:
    if (!parse_date_part(s, len, &i, out) || i >= len || s[i] != 'T') {
      return false;
    }
    i++;
    if (!parse_time_part(s, len, &i, out)) {
      return false;
    }
    break;
  case KG__DT_DATE:
    if (!parse_date_part(s, len, &i, out)) {
      return false;
    }
    break;
  case KG__DT_TIME:
    if (!parse_time_part(s, len, &i, out)) {
      return false;
    }
    out->year = 1972;
    out->month = 12;
    out->day = 31;
    break;
  default:
    return false;
  }
  return parse_tz(s, len, &i, out) && i == len;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Microseconds since the epoch, as if in UTC when there is no timezone. */
static long double timeline(const kg__datetime *v)
{
  long double days = (long double)days_from_civil(v->year, v->month, v->day);
  long double us = days * 86400.0L * 1e6L +
                   (long double)(v->hour * 3600 + v->minute * 60) * 1e6L +
                   (long double)v->micro;
  if (v->has_tz) {
    us -= (long double)v->tz * 60.0L * 1e6L;
  }
  return us;
}

int kg__datetime_cmp(const kg__datetime *a, const kg__datetime *b)
{
  long double ta = timeline(a);
  long double tb = timeline(b);
  if (a->has_tz == b->has_tz) {
    return ta < tb ? -1 : ta > tb;
  }
  const long double h14 = 14.0L * 3600.0L * 1e6L;
  if (a->has_tz) {
    if (ta < tb - h14) {
      return -1;
    }
    if (ta > tb + h14) {
      return 1;
    }
    return 2;
  }
  if (ta + h14 < tb) {
    return -1;
  }
  if (ta - h14 > tb) {
    return 1;
  }
  return 2;
}

/* ---- comparisons ---- */

static bool lang_eq(const char *a, const char *b)
{
  if (!a || !b) {
    return a == b;
  }
  for (; *a && *b; a++, b++) {
    char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
    char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
    if (ca != cb) {
      return false;
    }
  }
  return *a == *b;
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
  size_t n = al < bl ? al : bl;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) {
    return c < 0 ? -1 : 1;
  }
  return al < bl ? -1 : al > bl;
}

static bool same_term(const kg__val *a, const kg__val *b)
{
  if (a->id && b->id) {
    return a->id == b->id;
  }
  if (a->t.kind != b->t.kind || a->t.value_len != b->t.value_len ||
      memcmp(a->t.value, b->t.value, a->t.value_len) != 0) {
    return false;
  }
  const char *da = a->t.datatype && a->t.datatype[0] ? a->t.datatype : NULL;
  const char *db = b->t.datatype && b->t.datatype[0] ? b->t.datatype : NULL;
  if ((da == NULL) != (db == NULL) || (da && strcmp(da, db) != 0)) {
    return false;
  }
  return lang_eq(a->t.lang && a->t.lang[0] ? a->t.lang : NULL,
                 b->t.lang && b->t.lang[0] ? b->t.lang : NULL);
}

static bool bool_of(const kg_term *t, bool *out)
{
  if (t->value_len == 4 && memcmp(t->value, "true", 4) == 0) {
    *out = true;
  } else if (t->value_len == 5 && memcmp(t->value, "false", 5) == 0) {
    *out = false;
  } else if (t->value_len == 1 && (t->value[0] == '1' || t->value[0] == '0')) {
    *out = t->value[0] == '1';
  } else {
    return false;
  }
  return true;
}

/* Is the literal's lexical form valid for its (known) datatype? */
static bool lit_valid(const kg_term *t, kg__dt dt)
{
  kg__num n;
  kg__datetime d;
  bool b;
  switch (dt) {
  case KG__DT_STRING:
  case KG__DT_LANG:
    return true;
  case KG__DT_INTEGER:
  case KG__DT_DECIMAL:
  case KG__DT_FLOAT:
  case KG__DT_DOUBLE:
    return kg__num_of(t, &n);
  case KG__DT_BOOLEAN:
    return bool_of(t, &b);
  case KG__DT_DATETIME:
  case KG__DT_DATE:
  case KG__DT_TIME:
    return kg__datetime_parse(t->value, t->value_len, dt, &d);
  default:
    return false;
  }
}

static int dt_family(kg__dt dt)
{
  return kg__dt_numeric(dt) ? KG__DT_INTEGER : (int)dt;
}

int kg__val_equal(const kg__val *a, const kg__val *b)
{
  if (a->t.kind != KG_TERM_LITERAL || b->t.kind != KG_TERM_LITERAL) {
    return same_term(a, b) ? 1 : 0;
  }
  kg__dt da = kg__term_dt(&a->t);
  kg__dt db = kg__term_dt(&b->t);
  if (da == KG__DT_LANG || db == KG__DT_LANG) {
    /* language-tagged strings equal only each other, tags compared
     * without case */
    return da == db && a->t.value_len == b->t.value_len &&
           memcmp(a->t.value, b->t.value, a->t.value_len) == 0 &&
           lang_eq(a->t.lang, b->t.lang);
  }
  if (a->id && a->id == b->id) {
    kg__num n;
    if (kg__dt_numeric(da) && kg__num_of(&a->t, &n) &&
        (n.type == KG__NUM_FLOAT || n.type == KG__NUM_DOUBLE) && isnan(n.f)) {
      return 0;
    }
    return 1;
  }
  if (kg__dt_numeric(da) && kg__dt_numeric(db)) {
    kg__num na;
    kg__num nb;
    if (kg__num_of(&a->t, &na) && kg__num_of(&b->t, &nb)) {
      return kg__num_cmp(&na, &nb) == 0;
    }
  } else if (da == KG__DT_STRING && db == KG__DT_STRING) {
    return bytes_cmp(a->t.value, a->t.value_len, b->t.value, b->t.value_len) ==
           0;
  } else if (da == KG__DT_BOOLEAN && db == KG__DT_BOOLEAN) {
    bool x;
    bool y;
    if (bool_of(&a->t, &x) && bool_of(&b->t, &y)) {
      return x == y;
    }
  } else if (da == db && (da == KG__DT_DATETIME || da == KG__DT_DATE ||
                          da == KG__DT_TIME)) {
    kg__datetime x;
    kg__datetime y;
    if (kg__datetime_parse(a->t.value, a->t.value_len, da, &x) &&
        kg__datetime_parse(b->t.value, b->t.value_len, db, &y)) {
      int c = kg__datetime_cmp(&x, &y);
      return c == 2 ? -1 : c == 0;
    }
  }
  if (same_term(a, b)) {
    return 1;
  }
  /* Valid literals of two different known value spaces differ; anything
   * else (unknown datatypes, ill-formed literals) is a type error
   * (RDFterm-equal). */
  if (da != KG__DT_OTHER && db != KG__DT_OTHER &&
      dt_family(da) != dt_family(db) && lit_valid(&a->t, da) &&
      lit_valid(&b->t, db)) {
    return 0;
  }
  return -1;
}

int kg__val_compare(const kg__val *a, const kg__val *b)
{
  if (a->t.kind != KG_TERM_LITERAL || b->t.kind != KG_TERM_LITERAL) {
    return KG__CMP_ERROR;
  }
  kg__dt da = kg__term_dt(&a->t);
  kg__dt db = kg__term_dt(&b->t);
  if (kg__dt_numeric(da) && kg__dt_numeric(db)) {
    kg__num na;
    kg__num nb;
    if (!kg__num_of(&a->t, &na) || !kg__num_of(&b->t, &nb)) {
      return KG__CMP_ERROR;
    }
    return kg__num_cmp(&na, &nb);
  }
  if (da == KG__DT_STRING && db == KG__DT_STRING) {
    return bytes_cmp(a->t.value, a->t.value_len, b->t.value, b->t.value_len);
  }
  if (da == KG__DT_LANG && db == KG__DT_LANG && lang_eq(a->t.lang, b->t.lang)) {
    return bytes_cmp(a->t.value, a->t.value_len, b->t.value, b->t.value_len);
  }
  if (da == KG__DT_BOOLEAN && db == KG__DT_BOOLEAN) {
    bool x;
    bool y;
    if (!bool_of(&a->t, &x) || !bool_of(&b->t, &y)) {
      return KG__CMP_ERROR;
    }
    return x == y ? 0 : (x ? 1 : -1);
  }
  if (da == db &&
      (da == KG__DT_DATETIME || da == KG__DT_DATE || da == KG__DT_TIME)) {
    kg__datetime x;
    kg__datetime y;
    if (!kg__datetime_parse(a->t.value, a->t.value_len, da, &x) ||
        !kg__datetime_parse(b->t.value, b->t.value_len, db, &y)) {
      return KG__CMP_ERROR;
    }
    int c = kg__datetime_cmp(&x, &y);
    return c == 2 ? KG__CMP_ERROR : c;
  }
  return KG__CMP_ERROR;
}

/* Rank of a literal in ORDER BY among literals of other kinds. */
static int lit_rank(kg__dt dt)
{
  switch (dt) {
  case KG__DT_INTEGER:
  case KG__DT_DECIMAL:
  case KG__DT_FLOAT:
  case KG__DT_DOUBLE:
    return 1;
  case KG__DT_STRING:
  case KG__DT_LANG:
    return 0;
  case KG__DT_BOOLEAN:
    return 3;
  case KG__DT_DATETIME:
    return 4;
  case KG__DT_DATE:
    return 5;
  case KG__DT_TIME:
    return 6;
  default:
    return 7;
  }
}

static int str_or_null_cmp(const char *a, const char *b)
{
  if (!a || !a[0]) {
    return b && b[0] ? -1 : 0;
  }
  if (!b || !b[0]) {
    return 1;
  }
  int c = strcmp(a, b);
  return c < 0 ? -1 : c > 0;
}

int kg__val_order(const kg__val *a, const kg__val *b)
{
  /* unbound < blank nodes < IRIs < literals */
  static const int rank[] = {0, 2, 1, 3};
  int ra = rank[a->t.kind <= KG_TERM_LITERAL ? a->t.kind : 0];
  int rb = rank[b->t.kind <= KG_TERM_LITERAL ? b->t.kind : 0];
  if (ra != rb) {
    return ra < rb ? -1 : 1;
  }
  if (ra == 0) {
    return 0;
  }
  if (a->id && a->id == b->id) {
    return 0;
  }
  if (a->t.kind != KG_TERM_LITERAL) {
    return bytes_cmp(a->t.value, a->t.value_len, b->t.value, b->t.value_len);
  }
  kg__dt da = kg__term_dt(&a->t);
  kg__dt db = kg__term_dt(&b->t);
  int ka = lit_rank(da);
  int kb = lit_rank(db);
  if (ka != kb) {
    return ka < kb ? -1 : 1;
  }
  int c = kg__val_compare(a, b);
  if (c == -1 || c == 1) {
    return c;
  }
  c = bytes_cmp(a->t.value, a->t.value_len, b->t.value, b->t.value_len);
  if (c) {
    return c;
  }
  c = str_or_null_cmp(a->t.datatype, b->t.datatype);
  if (c) {
    return c;
  }
  return str_or_null_cmp(a->t.lang, b->t.lang);
}

int kg__val_ebv(const kg__val *v)
{
  if (v->t.kind != KG_TERM_LITERAL) {
    return -1;
  }
  kg__dt dt = kg__term_dt(&v->t);
  switch (dt) {
  case KG__DT_BOOLEAN: {
    bool b;
    if (!bool_of(&v->t, &b)) {
      return 0;
    }
    return b;
  }
  case KG__DT_STRING:
  case KG__DT_LANG:
    return v->t.value_len > 0;
  case KG__DT_INTEGER:
  case KG__DT_DECIMAL:
  case KG__DT_FLOAT:
  case KG__DT_DOUBLE: {
    kg__num n;
    if (!kg__num_of(&v->t, &n)) {
      return 0;
    }
    switch (n.type) {
    case KG__NUM_INTEGER:
      return n.i != 0;
    case KG__NUM_DECIMAL:
      return n.d != 0;
    default:
      return !(n.f == 0 || isnan(n.f));
    }
  }
  default:
    return -1;
  }
}

/* ---- value helpers ---- */

kg__val kg__val_error(void)
{
  kg__val v;
  memset(&v, 0, sizeof v);
  return v;
}

kg__val kg__val_bool(bool b)
{
  kg__val v = kg__val_error();
  v.t.kind = KG_TERM_LITERAL;
  v.t.value = b ? "true" : "false";
  v.t.value_len = b ? 4 : 5;
  v.t.datatype = "http://www.w3.org/2001/XMLSchema#boolean";
  return v;
}

kg__val kg__val_typed(kg__vctx *c, const char *s, size_t len, const char *dt)
{
  kg__val v = kg__val_error();
  char *p = kg__arena_strndup(&c->arena, s, len);
  if (!p) {
    return v;
  }
  v.t.kind = KG_TERM_LITERAL;
  v.t.value = p;
  v.t.value_len = len;
  v.t.datatype = dt && strcmp(dt, kg__xsd_string) != 0 ? dt : NULL;
  return v;
}

kg__val kg__val_string(kg__vctx *c, const char *s, size_t len)
{
  return kg__val_typed(c, s, len, NULL);
}

kg__val kg__val_lang(kg__vctx *c, const char *s, size_t len, const char *lang)
{
  kg__val v = kg__val_typed(c, s, len, NULL);
  if (v.t.kind && lang && lang[0]) {
    char *l = kg__arena_strndup(&c->arena, lang, strlen(lang));
    if (!l) {
      return kg__val_error();
    }
    kg__lang_lower(l); /* as the store keeps it */
    v.t.lang = l;
  }
  return v;
}

kg__val kg__val_iri(kg__vctx *c, const char *s, size_t len)
{
  kg__val v = kg__val_error();
  char *p = kg__arena_strndup(&c->arena, s, len);
  if (!p) {
    return v;
  }
  v.t.kind = KG_TERM_IRI;
  v.t.value = p;
  v.t.value_len = len;
  return v;
}

kg__val kg__val_num(kg__vctx *c, const kg__num *n)
{
  char buf[96];
  const char *dt = kg__num_format(n, buf, sizeof buf);
  return kg__val_typed(c, buf, strlen(buf), dt);
}

kg__val kg__val_int(kg__vctx *c, int64_t i)
{
  kg__num n;
  memset(&n, 0, sizeof n);
  n.type = KG__NUM_INTEGER;
  n.i = i;
  return kg__val_num(c, &n);
}

kg__val kg__val_of_id(kg__vctx *c, kg__vid id)
{
  kg__val v = kg__val_error();
  if (id && kg__vctx_term(c, id, &v.t) == KG_OK) {
    v.id = id;
  } else {
    memset(&v, 0, sizeof v);
  }
  return v;
}

kg__vid kg__val_id(kg__vctx *c, const kg__val *v)
{
  if (!kg__val_ok(v)) {
    return 0;
  }
  if (v->id) {
    return v->id;
  }
  kg__vid id = 0;
  if (kg__vctx_intern(c, &v->t, &id) != KG_OK) {
    return 0;
  }
  return id;
}

bool kg__val_is_string(const kg__val *v)
{
  kg__dt dt = kg__term_dt(&v->t);
  return dt == KG__DT_STRING || dt == KG__DT_LANG;
}

bool kg__val_is_simple(const kg__val *v)
{
  return kg__term_dt(&v->t) == KG__DT_STRING;
}
