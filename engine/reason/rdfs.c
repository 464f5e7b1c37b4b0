/* RDFS materialisation: terms are numbered locally, triples kept in a hash
 * set, the schema (subClassOf, subPropertyOf, domain, range) closed
 * transitively, then instance triples are processed semi-naively: each
 * round looks only at the triples the previous round added, until none
 * are new. A round that adds schema triples recomputes the schema and
 * rescans everything. */
#include "rdfs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RDF_NS  "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDFS_NS "http://www.w3.org/2000/01/rdf-schema#"

typedef uint32_t tid;

/* ---- term numbering ---- */

typedef struct terms {
  const kg_term **v; /* id -> term (borrowed from the input or `own`) */
  size_t n, cap;
  tid *slots; /* open addressing: id + 1, 0 = empty */
  size_t nslots;
  kg_term own[4]; /* the vocabulary terms */
} terms;

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ c[i]) * 0x100000001b3ULL;
  }
  return h;
}

static uint64_t term_hash(const kg_term *t)
{
  uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)t->kind;
  h = hash_bytes(t->value, t->value_len, h);
  if (t->datatype) {
    h = hash_bytes(t->datatype, strlen(t->datatype), h ^ 1);
  }
  if (t->lang) {
    h = hash_bytes(t->lang, strlen(t->lang), h ^ 2);
  }
  return h;
}

static bool terms_grow(terms *T)
{
  size_t ns = T->nslots ? T->nslots * 2 : 1024;
  tid *slots = calloc(ns, sizeof *slots);
  if (!slots) {
    return false;
  }
  for (size_t i = 0; i < T->n; i++) {
    size_t k = term_hash(T->v[i]) & (ns - 1);
    while (slots[k]) {
      k = (k + 1) & (ns - 1);
    }
    slots[k] = (tid)(i + 1);
  }
  free(T->slots);
  T->slots = slots;
  T->nslots = ns;
  return true;
}

/* Number of term `t` (kept by pointer), adding it if new; UINT32_MAX on
 * allocation failure. */
static tid term_id(terms *T, const kg_term *t)
{
  if ((T->n + 1) * 2 > T->nslots && !terms_grow(T)) {
    return UINT32_MAX;
  }
  size_t k = term_hash(t) & (T->nslots - 1);
  while (T->slots[k]) {
    tid id = T->slots[k] - 1;
    if (kg__term_eq(T->v[id], t)) {
      return id;
    }
    k = (k + 1) & (T->nslots - 1);
  }
  if (T->n == T->cap) {
    size_t cap = T->cap ? T->cap * 2 : 1024;
    const kg_term **v = realloc(T->v, cap * sizeof *v);
    if (!v) {
      return UINT32_MAX;
    }
    T->v = v;
    T->cap = cap;
  }
  T->v[T->n] = t;
  T->slots[k] = (tid)(T->n + 1);
  return (tid)T->n++;
}

/* ---- triple set ---- */

typedef struct triple {
  tid s, p, o;
} triple;

typedef struct tset {
  triple *v; /* insertion order */
  size_t n, cap;
  size_t *slots; /* index + 1 */
  size_t nslots;
} tset;

static uint64_t triple_hash(triple t)
{
  uint64_t h = ((uint64_t)t.s * 0x9E3779B97F4A7C15ULL) ^
               ((uint64_t)t.p * 0xC2B2AE3D27D4EB4FULL) ^
               ((uint64_t)t.o * 0x165667B19E3779F9ULL);
  return h ^ (h >> 29);
}

static bool tset_grow(tset *S)
{
  size_t ns = S->nslots ? S->nslots * 2 : 4096;
  size_t *slots = calloc(ns, sizeof *slots);
  if (!slots) {
    return false;
  }
  for (size_t i = 0; i < S->n; i++) {
    size_t k = triple_hash(S->v[i]) & (ns - 1);
    while (slots[k]) {
      k = (k + 1) & (ns - 1);
    }
    slots[k] = i + 1;
  }
  free(S->slots);
  S->slots = slots;
  S->nslots = ns;
  return true;
}

/* 1 added, 0 present, -1 out of memory */
static int tset_add(tset *S, triple t)
{
  if ((S->n + 1) * 2 > S->nslots && !tset_grow(S)) {
    return -1;
  }
  size_t k = triple_hash(t) & (S->nslots - 1);
  while (S->slots[k]) {
    triple u = S->v[S->slots[k] - 1];
    if (u.s == t.s && u.p == t.p && u.o == t.o) {
      return 0;
    }
    k = (k + 1) & (S->nslots - 1);
  }
  if (S->n == S->cap) {
    size_t cap = S->cap ? S->cap * 2 : 4096;
    triple *v = realloc(S->v, cap * sizeof *v);
    if (!v) {
      return -1;
    }
    S->v = v;
    S->cap = cap;
  }
  S->v[S->n] = t;
  S->slots[k] = ++S->n;
  return 1;
}

/* ---- schema: adjacency lists per term, closed transitively ---- */

typedef struct adj {
  tid *v;
  size_t n, cap;
} adj;

typedef struct schema {
  size_t nterms;
  adj *sc;     /* c -> superclasses (closed) */
  adj *sp;     /* p -> superproperties (closed) */
  adj *domain; /* p -> classes */
  adj *range;  /* p -> classes */
} schema;

static bool adj_add(adj *a, tid x)
{
  for (size_t i = 0; i < a->n; i++) {
    if (a->v[i] == x) {
      return true;
    }
  }
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 4;
    tid *v = realloc(a->v, cap * sizeof *v);
    if (!v) {
      return false;
    }
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = x;
  return true;
}

static void schema_free(schema *S)
{
  adj *lists[] = {S->sc, S->sp, S->domain, S->range};
  for (size_t k = 0; k < 4; k++) {
    for (size_t i = 0; lists[k] && i < S->nterms; i++) {
      free(lists[k][i].v);
    }
    free(lists[k]);
  }
  memset(S, 0, sizeof *S);
}

/* Transitive closure of `rel` in place: for every x, add the successors
 * of its successors until nothing changes (schemas are small). */
static bool close_relation(adj *rel, size_t n)
{
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t x = 0; x < n; x++) {
      for (size_t i = 0; i < rel[x].n; i++) {
        tid y = rel[x].v[i];
        for (size_t j = 0; j < rel[y].n; j++) {
          size_t before = rel[x].n;
          if (!adj_add(&rel[x], rel[y].v[j])) {
            return false;
          }
          changed |= rel[x].n != before;
        }
      }
    }
  }
  return true;
}

enum { V_TYPE, V_SUBCLASS, V_SUBPROP, V_DOMAIN, V_RANGE, V_COUNT };

static bool
build_schema(schema *S, const tset *all, size_t nterms, const tid *voc)
{
  schema_free(S);
  S->nterms = nterms;
  S->sc = calloc(nterms, sizeof *S->sc);
  S->sp = calloc(nterms, sizeof *S->sp);
  S->domain = calloc(nterms, sizeof *S->domain);
  S->range = calloc(nterms, sizeof *S->range);
  if (!S->sc || !S->sp || !S->domain || !S->range) {
    return false;
  }
  for (size_t i = 0; i < all->n; i++) {
    triple t = all->v[i];
    adj *rel = t.p == voc[V_SUBCLASS]  ? S->sc
               : t.p == voc[V_SUBPROP] ? S->sp
               : t.p == voc[V_DOMAIN]  ? S->domain
               : t.p == voc[V_RANGE]   ? S->range
                                       : NULL;
    if (rel && !adj_add(&rel[t.s], t.o)) {
      return false;
    }
  }
  return close_relation(S->sc, nterms) && close_relation(S->sp, nterms);
}

static bool is_schema_predicate(tid p, const tid *voc)
{
  return p == voc[V_SUBCLASS] || p == voc[V_SUBPROP] || p == voc[V_DOMAIN] ||
         p == voc[V_RANGE];
}

/* Every triple one rule step derives from `t`; returns -1 on NOMEM, else
 * 1 if a schema triple was added. */
static int
derive(tset *all, const schema *S, const terms *T, const tid *voc, triple t)
{
  int schema_added = 0;
#define ADD(a, b, c)                                                           \
  do {                                                                         \
    triple n_ = {(a), (b), (c)};                                               \
    int r_ = tset_add(all, n_);                                                \
    if (r_ < 0) {                                                              \
      return -1;                                                               \
    }                                                                          \
    if (r_ > 0 && is_schema_predicate(n_.p, voc)) {                            \
      schema_added = 1;                                                        \
    }                                                                          \
  } while (0)
  bool literal_o = T->v[t.o]->kind == KG_TERM_LITERAL;
  bool literal_s = T->v[t.s]->kind == KG_TERM_LITERAL;
  if (literal_s) {
    return 0;
  }
  /* rdfs7: t holds for every superproperty too */
  for (size_t i = 0; i < S->sp[t.p].n; i++) {
    ADD(t.s, S->sp[t.p].v[i], t.o);
  }
  /* rdfs2, rdfs3 */
  for (size_t i = 0; i < S->domain[t.p].n; i++) {
    ADD(t.s, voc[V_TYPE], S->domain[t.p].v[i]);
  }
  if (!literal_o) {
    for (size_t i = 0; i < S->range[t.p].n; i++) {
      ADD(t.o, voc[V_TYPE], S->range[t.p].v[i]);
    }
  }
  /* rdfs9 */
  if (t.p == voc[V_TYPE] && !literal_o) {
    for (size_t i = 0; i < S->sc[t.o].n; i++) {
      ADD(t.s, voc[V_TYPE], S->sc[t.o].v[i]);
    }
  }
  /* rdfs11, rdfs5: the closed relations, as triples */
  if (t.p == voc[V_SUBCLASS] && !literal_o) {
    for (size_t i = 0; i < S->sc[t.o].n; i++) {
      ADD(t.s, voc[V_SUBCLASS], S->sc[t.o].v[i]);
    }
  }
  if (t.p == voc[V_SUBPROP] && !literal_o) {
    for (size_t i = 0; i < S->sp[t.o].n; i++) {
      ADD(t.s, voc[V_SUBPROP], S->sp[t.o].v[i]);
    }
  }
#undef ADD
  return schema_added;
}

static int triple_term_cmp(const void *a, const void *b, const terms *T)
{
  const triple *x = a;
  const triple *y = b;
  int c = kg__term_cmp(T->v[x->s], T->v[y->s]);
  if (!c) {
    c = kg__term_cmp(T->v[x->p], T->v[y->p]);
  }
  if (!c) {
    c = kg__term_cmp(T->v[x->o], T->v[y->o]);
  }
  return c;
}

kg_status
kg__rdfs_closure(const kg__quads *in, const kg_term *graph, kg__quads *out)
{
  static const char *const vocab[V_COUNT] = {
      RDF_NS "type", RDFS_NS "subClassOf", RDFS_NS "subPropertyOf",
      RDFS_NS "domain", RDFS_NS "range"};
  terms T = {0};
  tset all = {0};
  schema S = {0};
  kg_term vterms[V_COUNT];
  tid voc[V_COUNT];
  kg_status st = KG_ERR_NOMEM;

  for (size_t i = 0; i < V_COUNT; i++) {
    memset(&vterms[i], 0, sizeof vterms[i]);
    vterms[i].kind = KG_TERM_IRI;
    vterms[i].value = vocab[i];
    vterms[i].value_len = strlen(vocab[i]);
    if ((voc[i] = term_id(&T, &vterms[i])) == UINT32_MAX) {
      goto done;
    }
  }
  for (size_t i = 0; i < in->n; i++) {
    const kg__quad *q = &in->v[i];
    triple t = {term_id(&T, &q->s), term_id(&T, &q->p), term_id(&T, &q->o)};
    if (t.s == UINT32_MAX || t.p == UINT32_MAX || t.o == UINT32_MAX ||
        tset_add(&all, t) < 0) {
      goto done;
    }
  }
  size_t base = all.n; /* triples [0, base) are the input */
  size_t from = 0;     /* process triples [from, all.n) this round */
  bool rebuild = true;
  while (rebuild || from < all.n) {
    if (rebuild) {
      if (!build_schema(&S, &all, T.n, voc)) {
        goto done;
      }
      from = 0;
      rebuild = false;
    }
    size_t to = all.n;
    for (size_t i = from; i < to; i++) {
      int r = derive(&all, &S, &T, voc, all.v[i]);
      if (r < 0) {
        goto done;
      }
      if (r > 0) {
        rebuild = true;
      }
    }
    from = to;
  }
  /* output: the new triples, sorted */
  size_t nnew = all.n - base;
  if (nnew == 0) {
    st = KG_OK;
    goto done;
  }
  triple *nv = all.v + base;
  /* insertion sort is too slow for large outputs: sort with qsort over an
   * index array and a comparison through the term table */
  size_t *idx = malloc((nnew ? nnew : 1) * sizeof *idx);
  if (!idx) {
    goto done;
  }
  for (size_t i = 0; i < nnew; i++) {
    idx[i] = i;
  }
  /* simple merge sort on idx (qsort has no context argument in C11) */
  size_t *tmp = malloc((nnew ? nnew : 1) * sizeof *tmp);
  if (!tmp) {
    free(idx);
    goto done;
  }
  for (size_t width = 1; width < nnew; width *= 2) {
    for (size_t lo = 0; lo < nnew; lo += 2 * width) {
      size_t mid = lo + width < nnew ? lo + width : nnew;
      size_t hi = lo + 2 * width < nnew ? lo + 2 * width : nnew;
      size_t a = lo, b = mid, k = lo;
      while (a < mid && b < hi) {
        tmp[k++] = triple_term_cmp(&nv[idx[a]], &nv[idx[b]], &T) <= 0
                       ? idx[a++]
                       : idx[b++];
      }
      while (a < mid) {
        tmp[k++] = idx[a++];
      }
      while (b < hi) {
        tmp[k++] = idx[b++];
      }
    }
    size_t *swap = idx;
    idx = tmp;
    tmp = swap;
  }
  free(tmp);
  st = KG_OK;
  for (size_t i = 0; i < nnew && st == KG_OK; i++) {
    triple t = nv[idx[i]];
    st = kg__quads_push(out, T.v[t.s], T.v[t.p], T.v[t.o], graph);
  }
  free(idx);
done:
  schema_free(&S);
  free(all.v);
  free(all.slots);
  free(T.v);
  free(T.slots);
  return st;
}
