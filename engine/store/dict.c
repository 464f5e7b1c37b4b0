/* The in-memory term dictionary: an arena of term records, an array of
 * entries and open-addressing hash tables (linear probing). */
#include "dict.h"

#include <stdlib.h>
#include <string.h>

/* A term record in the arena: a 13-byte header (value, language and
 * datatype lengths as 32-bit little-endian numbers, then the kind), then
 * the value, the language tag and the datatype IRI, each followed by a
 * NUL byte (the last two only when present). The language tag is kept in
 * lower case: RDF 1.1 language tags compare without case, so "a"@EN and
 * "a"@en are one term, hashed and matched as such. */
enum { REC_HEADER = 13 };

#define CHUNK_SIZE ((size_t)1 << 20)

typedef struct chunk {
  struct chunk *next;
  size_t used;
  size_t cap;
  unsigned char data[];
} chunk;

struct kg__dict {
  bool sparse;
  chunk *arena;
  size_t arena_bytes;

  /* entries */
  const unsigned char **rec;
  uint32_t *hash; /* low 32 bits of each entry's term hash */
  kg__id *ids;    /* sparse mode only */
  size_t n;
  size_t cap;

  /* term hash -> entry index + 1 (0: empty slot) */
  uint32_t *slots;
  size_t nslots; /* a power of two */

  /* sparse mode: id -> entry index + 1 */
  uint32_t *id_slots;
};

/* ---- hashing ---- */

static uint64_t load_le64(const unsigned char *b, size_t n, bool lower)
{
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    v |= (uint64_t)(lower ? kg__ascii_lower(b[i]) : b[i]) << (8 * i);
  }
  return v;
}

static uint64_t mix64(uint64_t h)
{
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

/* lower: hash the bytes as if in lower case. */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t n, bool lower)
{
  const unsigned char *b = data;
  const uint64_t k = 0x9e3779b97f4a7c15ULL;
  h ^= (uint64_t)n * k;
  while (n >= 8) {
    h = (h ^ load_le64(b, 8, lower)) * k;
    h = (h << 29) | (h >> 35);
    b += 8;
    n -= 8;
  }
  if (n) {
    h = (h ^ load_le64(b, n, lower)) * k;
    h = (h << 29) | (h >> 35);
  }
  return h;
}

static const char *norm_datatype(const kg_term *t)
{
  if (t->kind != KG_TERM_LITERAL || !t->datatype || (t->lang && t->lang[0])) {
    return NULL;
  }
  if (strcmp(t->datatype, kg__xsd_string) == 0) {
    return NULL;
  }
  return t->datatype;
}

static const char *norm_lang(const kg_term *t)
{
  return t->kind == KG_TERM_LITERAL && t->lang && t->lang[0] ? t->lang : NULL;
}

void kg__term_normalise(kg_term *t)
{
  const char *dt = norm_datatype(t);
  const char *lang = norm_lang(t);
  t->datatype = dt;
  t->lang = lang;
  if (!t->value) {
    t->value = "";
    t->value_len = 0;
  }
}

uint64_t kg__term_hash(const kg_term *t)
{
  uint64_t h = 0x243f6a8885a308d3ULL + (uint64_t)t->kind;
  h = hash_bytes(h, t->value ? t->value : "", t->value ? t->value_len : 0,
                 false);
  const char *lang = norm_lang(t);
  const char *dt = norm_datatype(t);
  if (lang) {
    h = hash_bytes(h ^ 0x1, lang, strlen(lang), true);
  }
  if (dt) {
    h = hash_bytes(h ^ 0x2, dt, strlen(dt), false);
  }
  return mix64(h);
}

/* ---- records ---- */

static uint32_t get32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

void kg__rec_view(const unsigned char *r, kg_term *out)
{
  uint32_t vlen = get32(r);
  uint32_t llen = get32(r + 4);
  uint32_t dlen = get32(r + 8);
  memset(out, 0, sizeof *out);
  out->kind = (kg_term_kind)r[12];
  const char *p = (const char *)r + REC_HEADER;
  out->value = p;
  out->value_len = vlen;
  p += vlen + 1;
  if (llen) {
    out->lang = p;
    p += llen + 1;
  }
  if (dlen) {
    out->datatype = p;
  }
}

bool kg__rec_equals(const unsigned char *r, const kg_term *t)
{
  if (r[12] != (unsigned char)t->kind) {
    return false;
  }
  size_t vlen = t->value ? t->value_len : 0;
  if (get32(r) != vlen) {
    return false;
  }
  const char *lang = norm_lang(t);
  const char *dt = norm_datatype(t);
  size_t llen = lang ? strlen(lang) : 0;
  size_t dlen = dt ? strlen(dt) : 0;
  if (get32(r + 4) != llen || get32(r + 8) != dlen) {
    return false;
  }
  const unsigned char *p = r + REC_HEADER;
  if (vlen && memcmp(p, t->value, vlen) != 0) {
    return false;
  }
  p += vlen + 1;
  if (llen) {
    for (size_t i = 0; i < llen; i++) {
      if (p[i] != kg__ascii_lower((unsigned char)lang[i])) {
        return false;
      }
    }
    p += llen + 1;
  }
  return !dlen || memcmp(p, dt, dlen) == 0;
}

size_t kg__rec_size(const kg_term *t)
{
  size_t vlen = t->value ? t->value_len : 0;
  const char *lang = norm_lang(t);
  const char *dt = norm_datatype(t);
  size_t llen = lang ? strlen(lang) : 0;
  size_t dlen = dt ? strlen(dt) : 0;
  if (vlen > UINT32_MAX / 4 || llen > UINT32_MAX / 4 || dlen > UINT32_MAX / 4) {
    return 0;
  }
  return REC_HEADER + vlen + 1 + (llen ? llen + 1 : 0) + (dlen ? dlen + 1 : 0);
}

void kg__rec_write(const kg_term *t, unsigned char *r)
{
  size_t vlen = t->value ? t->value_len : 0;
  const char *lang = norm_lang(t);
  const char *dt = norm_datatype(t);
  size_t llen = lang ? strlen(lang) : 0;
  size_t dlen = dt ? strlen(dt) : 0;
  put32(r, (uint32_t)vlen);
  put32(r + 4, (uint32_t)llen);
  put32(r + 8, (uint32_t)dlen);
  r[12] = (unsigned char)t->kind;
  unsigned char *p = r + REC_HEADER;
  if (vlen) {
    memcpy(p, t->value, vlen);
  }
  p[vlen] = 0;
  p += vlen + 1;
  if (llen) {
    for (size_t i = 0; i <= llen; i++) {
      p[i] = kg__ascii_lower((unsigned char)lang[i]);
    }
    p += llen + 1;
  }
  if (dlen) {
    memcpy(p, dt, dlen + 1);
  }
}

bool kg__rec_valid(const unsigned char *r, size_t len)
{
  if (len < REC_HEADER + 1) {
    return false;
  }
  uint64_t vlen = get32(r);
  uint64_t llen = get32(r + 4);
  uint64_t dlen = get32(r + 8);
  uint64_t want =
      REC_HEADER + vlen + 1 + (llen ? llen + 1 : 0) + (dlen ? dlen + 1 : 0);
  if (want != len || r[12] < KG_TERM_IRI || r[12] > KG_TERM_LITERAL) {
    return false;
  }
  const unsigned char *p = r + REC_HEADER + vlen;
  if (*p) {
    return false;
  }
  if (llen) {
    p += llen + 1;
    if (*p || memchr(p - llen, 0, llen)) {
      return false;
    }
  }
  if (dlen) {
    p += dlen + 1;
    if (*p || memchr(p - dlen, 0, dlen)) {
      return false;
    }
  }
  return true;
}

static unsigned char *arena_alloc(kg__dict *d, size_t size)
{
  chunk *c = d->arena;
  if (!c || c->cap - c->used < size) {
    size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;
    chunk *nc = malloc(sizeof *nc + cap);
    if (!nc) {
      return NULL;
    }
    nc->next = c;
    nc->used = 0;
    nc->cap = cap;
    d->arena = nc;
    d->arena_bytes += sizeof *nc + cap;
    c = nc;
  }
  unsigned char *p = c->data + c->used;
  c->used += size;
  return p;
}

/* ---- tables ---- */

kg_status kg__dict_new(bool sparse, kg__dict **out)
{
  *out = NULL;
  kg__dict *d = calloc(1, sizeof *d);
  if (!d) {
    return KG_ERR_NOMEM;
  }
  d->sparse = sparse;
  d->nslots = 1024;
  d->slots = calloc(d->nslots, sizeof *d->slots);
  if (sparse) {
    d->id_slots = calloc(d->nslots, sizeof *d->id_slots);
  }
  if (!d->slots || (sparse && !d->id_slots)) {
    kg__dict_free(d);
    return KG_ERR_NOMEM;
  }
  *out = d;
  return KG_OK;
}

void kg__dict_free(kg__dict *d)
{
  if (!d) {
    return;
  }
  chunk *c = d->arena;
  while (c) {
    chunk *next = c->next;
    free(c);
    c = next;
  }
  free(d->rec);
  free(d->hash);
  free(d->ids);
  free(d->slots);
  free(d->id_slots);
  free(d);
}

size_t kg__dict_size(const kg__dict *d)
{
  return d->n;
}

size_t kg__dict_bytes(const kg__dict *d)
{
  size_t per = sizeof *d->rec + sizeof *d->hash + (d->sparse ? 8 : 0);
  return d->arena_bytes + d->cap * per +
         d->nslots * sizeof *d->slots * (d->sparse ? 2 : 1);
}

static size_t id_slot_of(kg__id id, size_t mask)
{
  return (size_t)mix64(id * 0x9e3779b97f4a7c15ULL) & mask;
}

static kg_status grow_tables(kg__dict *d)
{
  size_t nslots = d->nslots * 2;
  uint32_t *slots = calloc(nslots, sizeof *slots);
  uint32_t *id_slots = d->sparse ? calloc(nslots, sizeof *id_slots) : NULL;
  if (!slots || (d->sparse && !id_slots)) {
    free(slots);
    free(id_slots);
    return KG_ERR_NOMEM;
  }
  size_t mask = nslots - 1;
  for (size_t e = 0; e < d->n; e++) {
    size_t i = d->hash[e] & mask;
    while (slots[i]) {
      i = (i + 1) & mask;
    }
    slots[i] = (uint32_t)(e + 1);
    if (id_slots) {
      i = id_slot_of(d->ids[e], mask);
      while (id_slots[i]) {
        i = (i + 1) & mask;
      }
      id_slots[i] = (uint32_t)(e + 1);
    }
  }
  free(d->slots);
  free(d->id_slots);
  d->slots = slots;
  d->id_slots = id_slots;
  d->nslots = nslots;
  return KG_OK;
}

static kg__id entry_id(const kg__dict *d, size_t e)
{
  return d->sparse ? d->ids[e] : (kg__id)(KG__FIRST_ID + e);
}

kg__id kg__dict_find(const kg__dict *d, const kg_term *t, uint64_t hash)
{
  size_t mask = d->nslots - 1;
  uint32_t h = (uint32_t)hash;
  for (size_t i = h & mask; d->slots[i]; i = (i + 1) & mask) {
    size_t e = d->slots[i] - 1;
    if (d->hash[e] == h && kg__rec_equals(d->rec[e], t)) {
      return entry_id(d, e);
    }
  }
  return KG__NO_ID;
}

kg_status kg__dict_add(kg__dict *d, const kg_term *t, uint64_t hash, kg__id *id)
{
  if (d->n >= UINT32_MAX - 1) {
    return KG_ERR_STORE;
  }
  if ((d->n + 1) * 2 > d->nslots && grow_tables(d) != KG_OK) {
    return KG_ERR_NOMEM;
  }
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 1024;
    const unsigned char **rec = realloc(d->rec, cap * sizeof *rec);
    if (!rec) {
      return KG_ERR_NOMEM;
    }
    d->rec = rec;
    uint32_t *hs = realloc(d->hash, cap * sizeof *hs);
    if (!hs) {
      return KG_ERR_NOMEM;
    }
    d->hash = hs;
    if (d->sparse) {
      kg__id *ids = realloc(d->ids, cap * sizeof *ids);
      if (!ids) {
        return KG_ERR_NOMEM;
      }
      d->ids = ids;
    }
    d->cap = cap;
  }
  size_t size = kg__rec_size(t);
  if (!size) {
    return KG_ERR_STORE;
  }
  unsigned char *r = arena_alloc(d, size);
  if (!r) {
    return KG_ERR_NOMEM;
  }
  kg__rec_write(t, r);
  size_t e = d->n++;
  d->rec[e] = r;
  d->hash[e] = (uint32_t)hash;
  size_t mask = d->nslots - 1;
  size_t i = (uint32_t)hash & mask;
  while (d->slots[i]) {
    i = (i + 1) & mask;
  }
  d->slots[i] = (uint32_t)(e + 1);
  if (d->sparse) {
    d->ids[e] = *id;
    i = id_slot_of(*id, mask);
    while (d->id_slots[i]) {
      i = (i + 1) & mask;
    }
    d->id_slots[i] = (uint32_t)(e + 1);
  } else {
    *id = entry_id(d, e);
  }
  return KG_OK;
}

bool kg__dict_term(const kg__dict *d, kg__id id, kg_term *out)
{
  size_t e;
  if (d->sparse) {
    size_t mask = d->nslots - 1;
    size_t i = id_slot_of(id, mask);
    for (;;) {
      if (!d->id_slots[i]) {
        return false;
      }
      if (d->ids[d->id_slots[i] - 1] == id) {
        break;
      }
      i = (i + 1) & mask;
    }
    e = d->id_slots[i] - 1;
  } else {
    if (id < KG__FIRST_ID || id - KG__FIRST_ID >= d->n) {
      return false;
    }
    e = (size_t)(id - KG__FIRST_ID);
  }
  kg__rec_view(d->rec[e], out);
  return true;
}

/* Remove slot i from a linear-probing table, shifting later entries of
 * the same cluster back so that every lookup still finds them. */
static void slot_delete(
    uint32_t *slots, size_t mask, size_t i, const kg__dict *d, bool by_id)
{
  size_t j = i;
  for (;;) {
    slots[i] = 0;
    for (;;) {
      j = (j + 1) & mask;
      if (!slots[j]) {
        return;
      }
      size_t e = slots[j] - 1;
      size_t home = by_id ? id_slot_of(d->ids[e], mask) : (d->hash[e] & mask);
      /* Move j back to i unless its home lies cyclically in (i, j]. */
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        break;
      }
    }
    slots[i] = slots[j];
    i = j;
  }
}

void kg__dict_truncate(kg__dict *d, kg__id first)
{
  if (d->sparse || first < KG__FIRST_ID) {
    return;
  }
  size_t keep = (size_t)(first - KG__FIRST_ID);
  size_t mask = d->nslots - 1;
  while (d->n > keep) {
    size_t e = d->n - 1;
    size_t i = d->hash[e] & mask;
    while (d->slots[i] != e + 1) {
      i = (i + 1) & mask;
    }
    slot_delete(d->slots, mask, i, d, false);
    d->n--;
  }
}
