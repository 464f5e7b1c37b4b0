/* Sorted key sets in memory: a directory over leaves of sorted keys. */
#include "key_index.h"

#include <stdlib.h>
#include <string.h>

static size_t leaf_bytes(unsigned width)
{
  return sizeof(kg__leaf) + (size_t)KG__LEAF_CAP * width * sizeof(uint32_t);
}

static kg__leaf *leaf_new(unsigned width)
{
  kg__leaf *l = malloc(leaf_bytes(width));
  if (l) {
    l->n = 0;
  }
  return l;
}

int kg__key_cmp(const uint32_t *a, const uint32_t *b, unsigned k)
{
  for (unsigned i = 0; i < k; i++) {
    if (a[i] != b[i]) {
      return a[i] < b[i] ? -1 : 1;
    }
  }
  return 0;
}

void kg__kix_init(kg__kix *x, unsigned width, const int *cols)
{
  memset(x, 0, sizeof *x);
  x->width = width;
  for (unsigned i = 0; i < width; i++) {
    x->cols[i] = cols[i];
  }
  x->valid = 1;
}

void kg__kix_free(kg__kix *x)
{
  for (size_t i = 0; i < x->nleaves; i++) {
    free(x->leaves[i]);
  }
  free(x->leaves);
  free(x->first);
  free(x->before);
  x->leaves = NULL;
  x->first = NULL;
  x->before = NULL;
  x->nleaves = 0;
  x->cap = 0;
  x->total = 0;
  x->valid = 1;
  x->version++;
}

void kg__kix_clear(kg__kix *x)
{
  kg__kix_free(x);
}

size_t kg__kix_bytes(const kg__kix *x)
{
  return x->nleaves * leaf_bytes(x->width) +
         x->cap * (sizeof(void *) + x->width * 4 + 8);
}

static bool dir_reserve(kg__kix *x, size_t need)
{
  if (need <= x->cap) {
    return true;
  }
  size_t cap = x->cap ? x->cap : 16;
  while (cap < need) {
    cap *= 2;
  }
  kg__leaf **leaves = realloc(x->leaves, cap * sizeof *leaves);
  if (!leaves) {
    return false;
  }
  x->leaves = leaves;
  uint32_t *first = realloc(x->first, cap * x->width * sizeof *first);
  if (!first) {
    return false;
  }
  x->first = first;
  uint64_t *before = realloc(x->before, (cap + 1) * sizeof *before);
  if (!before) {
    return false;
  }
  x->before = before;
  x->cap = cap;
  return true;
}

static void touch(kg__kix *x, size_t leaf)
{
  if (x->valid > leaf + 1) {
    x->valid = leaf + 1;
  }
  x->version++;
}

static void set_first(kg__kix *x, size_t i)
{
  memcpy(x->first + i * x->width, x->leaves[i]->k, x->width * 4);
}

/* Last leaf whose first key compares below `key` on k numbers (or <= it
 * when `or_equal`), else leaf 0. */
static size_t
find_leaf(const kg__kix *x, const uint32_t *key, unsigned k, bool or_equal)
{
  size_t lo = 0;
  size_t hi = x->nleaves; /* answer in [lo, hi) among candidates */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    int c = kg__key_cmp(x->first + mid * x->width, key, k);
    if (c < 0 || (or_equal && c == 0)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/* First offset in leaf whose key is >= key (or > key when `upper`). */
static uint32_t leaf_search(const kg__leaf *l,
                            unsigned width,
                            const uint32_t *key,
                            unsigned k,
                            bool upper)
{
  uint32_t lo = 0;
  uint32_t hi = l->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    int c = kg__key_cmp(l->k + (size_t)mid * width, key, k);
    if (c < 0 || (upper && c == 0)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

kg__kpos
kg__kix_seek(const kg__kix *x, const uint32_t *prefix, unsigned k, bool upper)
{
  kg__kpos p = {0, 0};
  if (!x->nleaves) {
    return p;
  }
  p.leaf = find_leaf(x, prefix, k, upper);
  p.off = leaf_search(x->leaves[p.leaf], x->width, prefix, k, upper);
  if (p.off == x->leaves[p.leaf]->n) {
    p.leaf++;
    p.off = 0;
  }
  return p;
}

const uint32_t *kg__kix_at(const kg__kix *x, kg__kpos p)
{
  if (p.leaf >= x->nleaves || p.off >= x->leaves[p.leaf]->n) {
    return NULL;
  }
  return x->leaves[p.leaf]->k + (size_t)p.off * x->width;
}

void kg__kix_next(const kg__kix *x, kg__kpos *p)
{
  if (p->leaf >= x->nleaves) {
    return;
  }
  if (++p->off >= x->leaves[p->leaf]->n) {
    p->leaf++;
    p->off = 0;
  }
}

uint64_t kg__kix_rank(kg__kix *x, kg__kpos p)
{
  if (x->valid <= x->nleaves) {
    if (x->valid < 1) {
      x->valid = 1;
    }
    x->before[0] = 0;
    for (size_t i = x->valid; i <= x->nleaves; i++) {
      x->before[i] = x->before[i - 1] + x->leaves[i - 1]->n;
    }
    x->valid = x->nleaves + 1;
  }
  if (!x->nleaves) {
    return 0;
  }
  return x->before[p.leaf] + p.off;
}

uint64_t kg__kix_count(kg__kix *x, const uint32_t *prefix, unsigned k)
{
  if (k == 0) {
    return x->total;
  }
  kg__kpos a = kg__kix_seek(x, prefix, k, false);
  const uint32_t *key = kg__kix_at(x, a);
  if (!key || kg__key_cmp(key, prefix, k) != 0) {
    return 0;
  }
  kg__kpos b = kg__kix_seek(x, prefix, k, true);
  if (b.leaf == a.leaf) {
    return b.off - a.off;
  }
  return kg__kix_rank(x, b) - kg__kix_rank(x, a);
}

bool kg__kix_contains(const kg__kix *x, const uint32_t *key)
{
  const uint32_t *at = kg__kix_at(x, kg__kix_seek(x, key, x->width, false));
  return at && kg__key_cmp(at, key, x->width) == 0;
}

/* Put a new leaf into the directory at position i. */
static bool dir_insert(kg__kix *x, size_t i, kg__leaf *l)
{
  if (!dir_reserve(x, x->nleaves + 1)) {
    return false;
  }
  size_t w = x->width;
  memmove(x->leaves + i + 1, x->leaves + i,
          (x->nleaves - i) * sizeof *x->leaves);
  memmove(x->first + (i + 1) * w, x->first + i * w,
          (x->nleaves - i) * w * sizeof *x->first);
  x->leaves[i] = l;
  x->nleaves++;
  set_first(x, i);
  return true;
}

static void dir_delete(kg__kix *x, size_t i)
{
  size_t w = x->width;
  free(x->leaves[i]);
  memmove(x->leaves + i, x->leaves + i + 1,
          (x->nleaves - i - 1) * sizeof *x->leaves);
  memmove(x->first + i * w, x->first + (i + 1) * w,
          (x->nleaves - i - 1) * w * sizeof *x->first);
  x->nleaves--;
}

static void leaf_put(kg__leaf *l, unsigned w, uint32_t off, const uint32_t *key)
{
  memmove(l->k + (size_t)(off + 1) * w, l->k + (size_t)off * w,
          (size_t)(l->n - off) * w * sizeof *l->k);
  memcpy(l->k + (size_t)off * w, key, w * sizeof *l->k);
  l->n++;
}

int kg__kix_insert(kg__kix *x, const uint32_t *key)
{
  unsigned w = x->width;
  if (!x->nleaves) {
    kg__leaf *l = leaf_new(w);
    if (!l || !dir_insert(x, 0, l)) {
      free(l);
      return -1;
    }
    memcpy(l->k, key, w * sizeof *l->k);
    l->n = 1;
    set_first(x, 0);
    x->total = 1;
    touch(x, 0);
    return 1;
  }
  size_t i = find_leaf(x, key, w, true);
  kg__leaf *l = x->leaves[i];
  uint32_t off = leaf_search(l, w, key, w, false);
  if (off < l->n && kg__key_cmp(l->k + (size_t)off * w, key, w) == 0) {
    return 0;
  }
  if (l->n < KG__LEAF_CAP) {
    leaf_put(l, w, off, key);
  } else if (off == l->n && i + 1 == x->nleaves) {
    /* Appending past the last full leaf: start a new one, so that keys
     * arriving in order fill their leaves completely. */
    kg__leaf *nl = leaf_new(w);
    if (!nl) {
      return -1;
    }
    memcpy(nl->k, key, w * sizeof *nl->k);
    nl->n = 1;
    if (!dir_insert(x, i + 1, nl)) {
      free(nl);
      return -1;
    }
  } else {
    kg__leaf *nl = leaf_new(w);
    if (!nl) {
      return -1;
    }
    uint32_t half = l->n / 2;
    nl->n = l->n - half;
    memcpy(nl->k, l->k + (size_t)half * w, (size_t)nl->n * w * sizeof *l->k);
    l->n = half;
    if (!dir_insert(x, i + 1, nl)) {
      memcpy(l->k + (size_t)half * w, nl->k, (size_t)nl->n * w * sizeof *l->k);
      l->n += nl->n;
      free(nl);
      return -1;
    }
    if (off <= half) {
      leaf_put(l, w, off, key);
    } else {
      leaf_put(nl, w, off - half, key);
      set_first(x, i + 1);
    }
  }
  if (off == 0) {
    set_first(x, i);
  }
  x->total++;
  touch(x, i);
  return 1;
}

bool kg__kix_remove(kg__kix *x, const uint32_t *key)
{
  unsigned w = x->width;
  if (!x->nleaves) {
    return false;
  }
  size_t i = find_leaf(x, key, w, true);
  kg__leaf *l = x->leaves[i];
  uint32_t off = leaf_search(l, w, key, w, false);
  if (off >= l->n || kg__key_cmp(l->k + (size_t)off * w, key, w) != 0) {
    return false;
  }
  memmove(l->k + (size_t)off * w, l->k + (size_t)(off + 1) * w,
          (size_t)(l->n - off - 1) * w * sizeof *l->k);
  l->n--;
  if (!l->n) {
    dir_delete(x, i);
  } else if (off == 0) {
    set_first(x, i);
  }
  x->total--;
  touch(x, i);
  return true;
}

/* ---- merging a sorted batch ---- */

typedef struct emitter {
  unsigned w;
  kg__leaf **leaves;
  bool *fresh; /* made here (not an old leaf moved over) */
  size_t n;
  size_t cap;
  kg__leaf *cur;
  bool failed;
} emitter;

static void emit_leaf(emitter *e, kg__leaf *l, bool fresh)
{
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 16;
    kg__leaf **v = realloc(e->leaves, cap * sizeof *v);
    if (v) {
      e->leaves = v;
    }
    bool *f = v ? realloc(e->fresh, cap * sizeof *f) : NULL;
    if (!f) {
      e->failed = true;
      if (fresh) {
        free(l);
      }
      return;
    }
    e->fresh = f;
    e->cap = cap;
  }
  e->leaves[e->n] = l;
  e->fresh[e->n] = fresh;
  e->n++;
}

static void emit_key(emitter *e, const uint32_t *key)
{
  if (e->failed) {
    return;
  }
  if (!e->cur || e->cur->n == KG__LEAF_CAP) {
    e->cur = leaf_new(e->w);
    if (!e->cur) {
      e->failed = true;
      return;
    }
    emit_leaf(e, e->cur, true);
    if (e->failed) {
      e->cur = NULL;
      return;
    }
  }
  memcpy(e->cur->k + (size_t)e->cur->n * e->w, key, e->w * sizeof *key);
  e->cur->n++;
}

static void
note_added(uint32_t *added, size_t *nnew, const uint32_t *key, unsigned w)
{
  if (added) { /* may be the batch itself: `added` never passes `key` */
    memmove(added + *nnew * w, key, w * sizeof *key);
  }
  (*nnew)++;
}

kg_status kg__kix_insert_sorted(
    kg__kix *x, const uint32_t *keys, size_t n, uint32_t *added, size_t *nadded)
{
  unsigned w = x->width;
  size_t nnew = 0;
  if (nadded) {
    *nadded = 0;
  }
  if (n == 0) {
    return KG_OK;
  }
  if (n < 64 && x->nleaves) {
    for (size_t b = 0; b < n; b++) {
      int r = kg__kix_insert(x, keys + b * w);
      if (r < 0) {
        if (nadded) {
          *nadded = nnew; /* those went in */
        }
        return KG_ERR_NOMEM;
      }
      if (r > 0) {
        note_added(added, &nnew, keys + b * w, w);
      }
    }
    if (nadded) {
      *nadded = nnew;
    }
    return KG_OK;
  }
  /* Build the new row of leaves beside the old one: leaves no key goes
   * into are moved over, the others are merged into fresh leaves. The old
   * ones are freed only when everything is built, so that running out of
   * memory leaves the index as it was. */
  bool *merged = calloc(x->nleaves ? x->nleaves : 1, sizeof *merged);
  if (!merged) {
    return KG_ERR_NOMEM;
  }
  emitter e = {w, NULL, NULL, 0, 0, NULL, false};
  size_t b = 0;
  for (size_t li = 0; li < x->nleaves && !e.failed; li++) {
    kg__leaf *l = x->leaves[li];
    const uint32_t *bound =
        li + 1 < x->nleaves ? x->first + (li + 1) * w : NULL;
    size_t end = b;
    while (end < n && (!bound || kg__key_cmp(keys + end * w, bound, w) < 0)) {
      end++;
    }
    if (end == b) {
      e.cur = NULL;
      emit_leaf(&e, l, false);
      continue;
    }
    merged[li] = true;
    uint32_t a = 0;
    while ((a < l->n || b < end) && !e.failed) {
      int c = a == l->n  ? 1
              : b == end ? -1
                         : kg__key_cmp(l->k + (size_t)a * w, keys + b * w, w);
      if (c < 0) {
        emit_key(&e, l->k + (size_t)a * w);
        a++;
      } else if (c > 0) {
        emit_key(&e, keys + b * w);
        note_added(added, &nnew, keys + b * w, w);
        b++;
      } else {
        emit_key(&e, l->k + (size_t)a * w);
        a++;
        b++;
      }
    }
    /* The next leaf starts a fresh output leaf, so that untouched leaves
     * are moved over whole. */
    e.cur = NULL;
  }
  if (!x->nleaves) {
    for (; b < n && !e.failed; b++) {
      emit_key(&e, keys + b * w);
      note_added(added, &nnew, keys + b * w, w);
    }
  }
  if (e.failed || !dir_reserve(x, e.n)) {
    for (size_t i = 0; i < e.n; i++) {
      if (e.fresh[i]) {
        free(e.leaves[i]);
      }
    }
    free(e.leaves);
    free(e.fresh);
    free(merged);
    return KG_ERR_NOMEM;
  }
  for (size_t j = 0; j < x->nleaves; j++) {
    if (merged[j]) {
      free(x->leaves[j]);
    }
  }
  free(merged);
  memcpy(x->leaves, e.leaves, e.n * sizeof *e.leaves);
  x->nleaves = e.n;
  for (size_t i = 0; i < e.n; i++) {
    set_first(x, i);
  }
  free(e.leaves);
  free(e.fresh);
  x->total += nnew;
  x->valid = 1;
  x->version++;
  if (nadded) {
    *nadded = nnew;
  }
  return KG_OK;
}

/* ---- sorting ---- */

static void insertion_sort(uint32_t *keys, size_t n, unsigned width)
{
  uint32_t t[4];
  for (size_t i = 1; i < n; i++) {
    memcpy(t, keys + i * width, width * 4);
    size_t j = i;
    while (j > 0 && kg__key_cmp(keys + (j - 1) * width, t, width) > 0) {
      memcpy(keys + j * width, keys + (j - 1) * width, width * 4);
      j--;
    }
    memcpy(keys + j * width, t, width * 4);
  }
}

size_t
kg__keys_sort_unique(uint32_t *keys, uint32_t *tmp, size_t n, unsigned width)
{
  if (n < 2) {
    return n;
  }
  if (n < 32) {
    insertion_sort(keys, n, width);
  } else {
    size_t count[256];
    uint32_t *src = keys;
    uint32_t *dst = tmp;
    /* LSD radix sort, one byte at a time, least significant number first;
     * a byte that is the same in every key costs one counting pass. */
    for (int col = (int)width - 1; col >= 0; col--) {
      for (unsigned shift = 0; shift < 32; shift += 8) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) {
          count[(src[i * width + (unsigned)col] >> shift) & 0xff]++;
        }
        if (count[(src[(unsigned)col] >> shift) & 0xff] == n) {
          continue;
        }
        size_t sum = 0;
        for (size_t d = 0; d < 256; d++) {
          size_t c = count[d];
          count[d] = sum;
          sum += c;
        }
        for (size_t i = 0; i < n; i++) {
          size_t d = (src[i * width + (unsigned)col] >> shift) & 0xff;
          memcpy(dst + count[d]++ * width, src + i * width, width * 4);
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
      }
    }
    if (src != keys) {
      memcpy(keys, src, n * width * 4);
    }
  }
  size_t m = 1;
  for (size_t i = 1; i < n; i++) {
    if (kg__key_cmp(keys + i * width, keys + (m - 1) * width, width) != 0) {
      if (m != i) {
        memcpy(keys + m * width, keys + i * width, width * 4);
      }
      m++;
    }
  }
  return m;
}
