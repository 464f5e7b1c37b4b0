/* The native store on disk, in one LMDB environment kept in a single file
 * (MDB_NOSUBDIR: the store is PATH, LMDB's reader table PATH-lock).
 *
 * Tables (named LMDB databases):
 *   meta      "format" -> the format name, checked on open
 *   prefixes  prefix -> namespace IRI
 *   t2i       64-bit term hash -> term IDs (duplicates: hash collisions)
 *   i2t       term ID -> term record (dict.c's byte form)
 *   spo pos osp                   the default graph, as in memory
 *   spog posg ospg gspo gpos gosp the named graphs
 * Term IDs are 32-bit on disk; numbers are big-endian so that LMDB's byte
 * order is numeric order. An index keeps its first number as the key and
 * the others as fixed-size sorted duplicates (MDB_DUPSORT|MDB_DUPFIXED),
 * so a prefix is a key, or a range of one key's duplicates.
 *
 * Concurrency: LMDB gives every reader a snapshot and serialises writers
 * with a mutex that blocks. kgraph wants a second writer to fail at once,
 * so a writer first takes flock(LOCK_EX|LOCK_NB) on the data file (and a
 * flag for writers of the same process), and fails with "store is locked"
 * when it cannot. LMDB's own locks stay in force for readers. One
 * environment is opened per file and process (LMDB forbids more) and
 * shared by every handle on that file. */
#include "native_store.h"

#include "dict.h"
#include "key_index.h"
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
  DB_META,
  DB_PREFIX,
  DB_T2I,
  DB_I2T,
  DB_D0,
  DB_N0 = DB_D0 + KG__ND,
  NDB = DB_N0 + KG__NN
};

static const char *const db_names[NDB] = {
    "meta", "prefixes", "t2i",  "i2t",  "spo",  "pos", "osp",
    "spog", "posg",     "ospg", "gspo", "gpos", "gosp"};

static const char format_key[] = "format";
/* 2: language tags are recorded in lower case and hashed without case
 * (format 1 kept them as written, so its keys would not be found). */
static const char format_value[] = "kgraph quads 2";
static const char format_v1[] = "kgraph quads 1";

/* Terms cached for interning before the cache starts over. */
#define ICACHE_MAX ((size_t)1 << 20)
/* Added quads buffered before they are written, sorted. */
#define PENDING_MAX ((size_t)1 << 21)
/* Map sizes tried, largest first (address space, not memory or disk). */
#define MAP_MAX ((size_t)1 << 40)
#define MAP_MIN ((size_t)1 << 28)

/* ---- environments, one per file and process ---- */

typedef struct env_entry {
  struct env_entry *next;
  dev_t dev;
  ino_t ino;
  MDB_env *env;
  int lock_fd; /* the data file, for flock */
  int refs;
  bool writer; /* a handle of this process is writing */
  bool readonly;
  MDB_dbi dbi[NDB];
} env_entry;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static env_entry *registry;

/* ---- the store ---- */

typedef struct pending {
  uint32_t *keys;
  size_t n;
  size_t cap;
} pending;

typedef struct new_term {
  uint64_t hash;
  uint32_t id;
} new_term;

typedef struct lm_store {
  kg__store base;
  env_entry *e;
  bool readonly;
  MDB_txn *txn;
  bool write;
  bool failed; /* the write transaction met an error: only rollback */
  uint32_t next_id;
  uint32_t first_new_id;
  bool had_terms;
  kg__dict *icache; /* term -> ID for interning and lookups */
  kg__dict *views;  /* ID -> term, the views handed out */
  uint32_t views_max;
  kg__dict **retired; /* views of a rolled-back transaction, kept alive */
  size_t nretired;
  pending pd;
  pending pn;
  new_term *nt; /* terms added to i2t, not yet to t2i */
  size_t nnt;
  size_t capnt;
  /* Reads outside a transaction share one read snapshot while cursors
   * are open on it (so that the cursors of one query read one state of
   * the store); with none open it is reset, and renewed by the next read. */
  MDB_txn *snap;
  bool snap_live;
  size_t snap_users; /* open cursors reading it */
} lm_store;

struct lpart {
  kg__plan_part plan;
  MDB_cursor *c;
  bool started;
  bool done;
  unsigned char kb[4]; /* the range's first key, which LMDB may point to */
  unsigned char db[12];
};

struct kg__cursor {
  lm_store *s;
  bool shared; /* reads the shared snapshot (opened outside a txn) */
  kg__plan plan;
  int nparts;
  struct lpart part[2];
  bool have[2];
  kg__id head[2][4];
  bool error;
};

/* ---- numbers ---- */

static void put_be32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static void put_be64(unsigned char *p, uint64_t v)
{
  put_be32(p, (uint32_t)(v >> 32));
  put_be32(p + 4, (uint32_t)v);
}

/* ---- errors ---- */

static kg_status fail(lm_store *s, kg_status st, const char *msg)
{
  kg__err_clear(&s->base.err);
  kg__err_set(&s->base.err, st, 0, 0, "%s", msg);
  return st;
}

static kg_status fail_mdb(lm_store *s, const char *what, int rc)
{
  kg__err_clear(&s->base.err);
  if (rc == MDB_MAP_FULL) {
    MDB_envinfo info = {0};
    mdb_env_info(s->e->env, &info);
    kg__err_set(&s->base.err, KG_ERR_STORE, 0, 0,
                "store is full (it reached its LMDB map size, %zu MiB); "
                "nothing of this transaction was kept",
                info.me_mapsize >> 20);
  } else {
    kg__err_set(&s->base.err, rc == ENOMEM ? KG_ERR_NOMEM : KG_ERR_STORE, 0, 0,
                "%s: %s", what, mdb_strerror(rc));
  }
  return s->base.err.status;
}

/* A write failed: the LMDB transaction can only be aborted now. */
static kg_status fail_write(lm_store *s, const char *what, int rc)
{
  s->failed = true;
  return fail_mdb(s, what, rc);
}

static kg_status need_write(lm_store *s)
{
  if (!s->txn || !s->write) {
    return fail(s, KG_ERR_ARG, "no write transaction is open");
  }
  if (s->failed) {
    return fail(s, KG_ERR_STORE,
                "the transaction failed earlier; roll it back");
  }
  return KG_OK;
}

/* ---- reading transactions ---- */

/* The transaction a read goes through: the open one, else the shared
 * snapshot (give it back with done_read). */
static int read_txn(lm_store *s, MDB_txn **t)
{
  if (s->txn) {
    *t = s->txn;
    return 0;
  }
  int rc = 0;
  if (!s->snap_live) {
    rc = s->snap ? mdb_txn_renew(s->snap)
                 : mdb_txn_begin(s->e->env, NULL, MDB_RDONLY, &s->snap);
    if (rc == MDB_MAP_RESIZED) {
      mdb_env_set_mapsize(s->e->env, 0);
      rc = s->snap ? mdb_txn_renew(s->snap)
                   : mdb_txn_begin(s->e->env, NULL, MDB_RDONLY, &s->snap);
    }
    s->snap_live = rc == 0;
  }
  *t = rc == 0 ? s->snap : NULL;
  return rc;
}

static void done_read(lm_store *s, MDB_txn *t)
{
  if (t && t == s->snap && !s->snap_users && s->snap_live) {
    mdb_txn_reset(t);
    s->snap_live = false;
  }
}

/* ---- terms ---- */

static bool term_ok(const kg_term *t)
{
  return t &&
         (t->kind == KG_TERM_IRI || t->kind == KG_TERM_BLANK ||
          t->kind == KG_TERM_LITERAL) &&
         (t->value || t->value_len == 0);
}

/* Find a term in t2i/i2t: 0 and *id, MDB_NOTFOUND, or another error. */
static int find_term(
    lm_store *s, MDB_txn *t, const kg_term *term, uint64_t hash, uint32_t *id)
{
  unsigned char hk[8];
  put_be64(hk, hash);
  MDB_val k = {8, hk};
  MDB_val d;
  MDB_cursor *c = NULL;
  int rc = mdb_cursor_open(t, s->e->dbi[DB_T2I], &c);
  if (rc) {
    return rc;
  }
  rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY);
  while (rc == 0) {
    if (d.mv_size == 4) {
      unsigned char ik[4];
      memcpy(ik, d.mv_data, 4);
      MDB_val key = {4, ik};
      MDB_val rec;
      if (mdb_get(t, s->e->dbi[DB_I2T], &key, &rec) == 0 &&
          kg__rec_valid(rec.mv_data, rec.mv_size) &&
          kg__rec_equals(rec.mv_data, term)) {
        *id = get_be32(ik);
        break;
      }
    }
    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP);
  }
  mdb_cursor_close(c);
  return rc;
}

static kg_status
cache_term(lm_store *s, const kg_term *t, uint64_t h, uint32_t id)
{
  kg__id v = id;
  kg_status st = kg__dict_add(s->icache, t, h, &v);
  return st == KG_OK ? KG_OK : fail(s, st, "out of memory");
}

static kg_status lm_lookup(kg__store *base, const kg_term *t, kg__id *out)
{
  lm_store *s = (lm_store *)base;
  *out = KG__NO_ID;
  if (!term_ok(t)) {
    return KG_OK;
  }
  uint64_t h = kg__term_hash(t);
  *out = kg__dict_find(s->icache, t, h);
  if (*out != KG__NO_ID) {
    return KG_OK;
  }
  MDB_txn *txn = NULL;
  int rc = read_txn(s, &txn);
  uint32_t id = 0;
  if (rc == 0) {
    rc = find_term(s, txn, t, h, &id);
  }
  done_read(s, txn);
  if (rc == MDB_NOTFOUND) {
    return KG_OK;
  }
  if (rc) {
    return fail_mdb(s, "cannot read the store", rc);
  }
  *out = id;
  return cache_term(s, t, h, id);
}

/* Write the terms waiting for t2i, sorted by hash. */
static int cmp_new_term(const void *a, const void *b)
{
  const new_term *x = a;
  const new_term *y = b;
  if (x->hash != y->hash) {
    return x->hash < y->hash ? -1 : 1;
  }
  return x->id < y->id ? -1 : x->id > y->id;
}

static kg_status flush_terms(lm_store *s)
{
  if (!s->nnt) {
    return KG_OK;
  }
  qsort(s->nt, s->nnt, sizeof *s->nt, cmp_new_term);
  MDB_cursor *c = NULL;
  int rc = mdb_cursor_open(s->txn, s->e->dbi[DB_T2I], &c);
  for (size_t i = 0; i < s->nnt && rc == 0; i++) {
    unsigned char hk[8];
    unsigned char ik[4];
    put_be64(hk, s->nt[i].hash);
    put_be32(ik, s->nt[i].id);
    MDB_val k = {8, hk};
    MDB_val d = {4, ik};
    rc = mdb_cursor_put(c, &k, &d, 0);
  }
  if (c) {
    mdb_cursor_close(c);
  }
  s->nnt = 0;
  if (rc) {
    return fail_write(s, "cannot write the store", rc);
  }
  return KG_OK;
}

static kg_status new_icache(lm_store *s)
{
  kg__dict_free(s->icache);
  s->icache = NULL;
  if (kg__dict_new(true, &s->icache) != KG_OK) {
    return fail(s, KG_ERR_NOMEM, "out of memory");
  }
  return KG_OK;
}

static kg_status lm_intern(kg__store *base, const kg_term *t, kg__id *out)
{
  lm_store *s = (lm_store *)base;
  *out = KG__NO_ID;
  kg_status st = need_write(s);
  if (st != KG_OK) {
    return st;
  }
  if (!term_ok(t)) {
    return fail(s, KG_ERR_ARG, "not an RDF term");
  }
  uint64_t h = kg__term_hash(t);
  *out = kg__dict_find(s->icache, t, h);
  if (*out != KG__NO_ID) {
    return KG_OK;
  }
  uint32_t id = 0;
  if (s->had_terms) {
    int rc = find_term(s, s->txn, t, h, &id);
    if (rc == 0) {
      *out = id;
      return cache_term(s, t, h, id);
    }
    if (rc != MDB_NOTFOUND) {
      return fail_write(s, "cannot read the store", rc);
    }
  }
  size_t size = kg__rec_size(t);
  if (!size || size > UINT32_MAX) {
    return fail(s, KG_ERR_STORE, "term too large");
  }
  if (s->next_id == UINT32_MAX) {
    return fail(s, KG_ERR_STORE, "store is full (too many terms)");
  }
  if (s->nnt == s->capnt) {
    size_t cap = s->capnt ? s->capnt * 2 : 1024;
    new_term *v = realloc(s->nt, cap * sizeof *v);
    if (!v) {
      return fail(s, KG_ERR_NOMEM, "out of memory");
    }
    s->nt = v;
    s->capnt = cap;
  }
  id = s->next_id;
  unsigned char ik[4];
  put_be32(ik, id);
  MDB_val k = {4, ik};
  MDB_val d = {size, NULL};
  int rc = mdb_put(s->txn, s->e->dbi[DB_I2T], &k, &d, MDB_APPEND | MDB_RESERVE);
  if (rc) {
    return fail_write(s, "cannot write the store", rc);
  }
  kg__rec_write(t, d.mv_data);
  s->next_id++;
  s->nt[s->nnt].hash = h;
  s->nt[s->nnt].id = id;
  s->nnt++;
  *out = id;
  if (kg__dict_size(s->icache) >= ICACHE_MAX) {
    /* Every term waiting for t2i is in the cache: write them first. */
    st = flush_terms(s);
    if (st == KG_OK) {
      st = new_icache(s);
    }
    s->had_terms = true; /* from now on look terms up in t2i too */
    return st;
  }
  return cache_term(s, t, h, id);
}

static kg_status lm_term(kg__store *base, kg__id id, kg_term *out)
{
  lm_store *s = (lm_store *)base;
  if (kg__dict_term(s->views, id, out)) {
    return KG_OK;
  }
  memset(out, 0, sizeof *out);
  if (id < KG__FIRST_ID || id >= UINT32_MAX) {
    return fail(s, KG_ERR_ARG, "unknown term ID");
  }
  MDB_txn *txn = NULL;
  int rc = read_txn(s, &txn);
  MDB_val rec = {0, NULL};
  if (rc == 0) {
    unsigned char ik[4];
    put_be32(ik, (uint32_t)id);
    MDB_val k = {4, ik};
    rc = mdb_get(txn, s->e->dbi[DB_I2T], &k, &rec);
  }
  kg_status st = KG_OK;
  if (rc == MDB_NOTFOUND) {
    st = fail(s, KG_ERR_ARG, "unknown term ID");
  } else if (rc) {
    st = fail_mdb(s, "cannot read the store", rc);
  } else if (!kg__rec_valid(rec.mv_data, rec.mv_size)) {
    st = fail(s, KG_ERR_STORE, "the store is damaged (a bad term record)");
  } else {
    kg_term t;
    kg__rec_view(rec.mv_data, &t);
    kg__id v = id;
    st = kg__dict_add(s->views, &t, kg__term_hash(&t), &v);
    if (st != KG_OK) {
      st = fail(s, st, "out of memory");
    }
  }
  done_read(s, txn);
  if (st != KG_OK) {
    return st;
  }
  if (id > s->views_max) {
    s->views_max = (uint32_t)id;
  }
  kg__dict_term(s->views, id, out);
  return KG_OK;
}

/* ---- writing quads ---- */

static MDB_dbi table_dbi(const lm_store *s, bool named, int ordering)
{
  return s->e->dbi[(named ? DB_N0 : DB_D0) + ordering];
}

/* Key and data of an index entry from a key of the ordering. */
static void encode(const uint32_t *key,
                   unsigned w,
                   unsigned char *kb,
                   unsigned char *db,
                   MDB_val *k,
                   MDB_val *d)
{
  put_be32(kb, key[0]);
  for (unsigned i = 1; i < w; i++) {
    put_be32(db + 4 * (i - 1), key[i]);
  }
  k->mv_size = 4;
  k->mv_data = kb;
  d->mv_size = 4 * (w - 1);
  d->mv_data = db;
}

/* Write one table's pending quads. */
static kg_status flush_table(lm_store *s, bool named, pending *p)
{
  if (!p->n) {
    return KG_OK;
  }
  unsigned w = named ? 4 : 3;
  int nix = named ? KG__NN : KG__ND;
  const int(*cols)[4] = named ? kg__n_cols : kg__d_cols;
  size_t n = p->n;
  p->n = 0;
  uint32_t *tmp = malloc(n * w * sizeof *tmp);
  uint32_t *keys = malloc(n * w * sizeof *keys);
  if (!tmp || !keys) {
    free(tmp);
    free(keys);
    return fail(s, KG_ERR_NOMEM, "out of memory");
  }
  /* pending quads are in the first ordering (identity) */
  n = kg__keys_sort_unique(p->keys, tmp, n, w);
  MDB_cursor *c = NULL;
  int rc = mdb_cursor_open(s->txn, table_dbi(s, named, 0), &c);
  size_t nnew = 0;
  unsigned char kb[4], db[12];
  MDB_val k, d;
  for (size_t j = 0; j < n && rc == 0; j++) {
    encode(p->keys + j * w, w, kb, db, &k, &d);
    rc = mdb_cursor_put(c, &k, &d, MDB_NODUPDATA);
    if (rc == MDB_KEYEXIST) {
      rc = 0;
    } else if (rc == 0) {
      memmove(p->keys + nnew * w, p->keys + j * w, w * sizeof *keys);
      nnew++;
    }
  }
  if (c) {
    mdb_cursor_close(c);
    c = NULL;
  }
  for (int i = 1; i < nix && rc == 0; i++) {
    for (size_t j = 0; j < nnew; j++) {
      kg__plan_key(cols[i], w, p->keys + j * w, keys + j * w);
    }
    size_t m = kg__keys_sort_unique(keys, tmp, nnew, w);
    rc = mdb_cursor_open(s->txn, table_dbi(s, named, i), &c);
    for (size_t j = 0; j < m && rc == 0; j++) {
      encode(keys + j * w, w, kb, db, &k, &d);
      rc = mdb_cursor_put(c, &k, &d, 0);
    }
    if (c) {
      mdb_cursor_close(c);
      c = NULL;
    }
  }
  free(tmp);
  free(keys);
  if (p->cap > PENDING_MAX / 8) {
    free(p->keys);
    p->keys = NULL;
    p->cap = 0;
  }
  if (rc) {
    return fail_write(s, "cannot write the store", rc);
  }
  return KG_OK;
}

static kg_status flush(lm_store *s)
{
  if (!s->txn || !s->write || s->failed) {
    return KG_OK;
  }
  kg_status st = flush_table(s, false, &s->pd);
  if (st == KG_OK) {
    st = flush_table(s, true, &s->pn);
  }
  return st;
}

static bool quad_ok(const lm_store *s, const kg__id q[4])
{
  for (int i = 0; i < 3; i++) {
    if (q[i] < KG__FIRST_ID || q[i] >= s->next_id) {
      return false;
    }
  }
  return q[3] == KG__DEFAULT_GRAPH ||
         (q[3] >= KG__FIRST_ID && q[3] < s->next_id);
}

/* Put or delete one quad in every index of its table now. */
static kg_status
change_now(lm_store *s, const uint32_t *q, bool add, bool *changed)
{
  bool named = q[3] != KG__DEFAULT_GRAPH;
  unsigned w = named ? 4 : 3;
  int nix = named ? KG__NN : KG__ND;
  const int(*cols)[4] = named ? kg__n_cols : kg__d_cols;
  uint32_t key[4];
  unsigned char kb[4], db[12];
  MDB_val k, d;
  *changed = false;
  for (int i = 0; i < nix; i++) {
    kg__plan_key(cols[i], w, q, key);
    encode(key, w, kb, db, &k, &d);
    int rc =
        add ? mdb_put(s->txn, table_dbi(s, named, i), &k, &d, MDB_NODUPDATA)
            : mdb_del(s->txn, table_dbi(s, named, i), &k, &d);
    if (i == 0 && (rc == MDB_KEYEXIST || rc == MDB_NOTFOUND)) {
      return KG_OK;
    }
    if (rc) {
      return fail_write(s, "cannot write the store", rc);
    }
  }
  *changed = true;
  return KG_OK;
}

static kg_status lm_add(kg__store *base, const kg__id quad[4], bool *changed)
{
  lm_store *s = (lm_store *)base;
  if (changed) {
    *changed = false;
  }
  kg_status st = need_write(s);
  if (st != KG_OK) {
    return st;
  }
  if (!quad_ok(s, quad)) {
    return fail(s, KG_ERR_ARG, "a quad holds an unknown term ID");
  }
  uint32_t q[4] = {(uint32_t)quad[0], (uint32_t)quad[1], (uint32_t)quad[2],
                   (uint32_t)quad[3]};
  if (changed) {
    st = flush(s);
    bool ch = false;
    if (st == KG_OK) {
      st = change_now(s, q, true, &ch);
    }
    *changed = ch;
    return st;
  }
  bool named = q[3] != KG__DEFAULT_GRAPH;
  pending *p = named ? &s->pn : &s->pd;
  unsigned w = named ? 4 : 3;
  if (p->n == p->cap) {
    if (p->n >= PENDING_MAX) {
      st = flush(s);
      if (st != KG_OK) {
        return st;
      }
    }
    if (p->n == p->cap) {
      size_t cap = p->cap ? p->cap * 2 : 1024;
      uint32_t *k = realloc(p->keys, cap * w * sizeof *k);
      if (!k) {
        return fail(s, KG_ERR_NOMEM, "out of memory");
      }
      p->keys = k;
      p->cap = cap;
    }
  }
  memcpy(p->keys + p->n * w, q, w * sizeof *q);
  p->n++;
  return KG_OK;
}

static kg_status lm_remove(kg__store *base, const kg__id quad[4], bool *changed)
{
  lm_store *s = (lm_store *)base;
  if (changed) {
    *changed = false;
  }
  kg_status st = need_write(s);
  if (st != KG_OK) {
    return st;
  }
  if (!quad_ok(s, quad)) {
    return KG_OK;
  }
  st = flush(s);
  if (st != KG_OK) {
    return st;
  }
  uint32_t q[4] = {(uint32_t)quad[0], (uint32_t)quad[1], (uint32_t)quad[2],
                   (uint32_t)quad[3]};
  bool ch = false;
  st = change_now(s, q, false, &ch);
  if (changed) {
    *changed = ch;
  }
  return st;
}

/* ---- transactions ---- */

static void release_writer(lm_store *s)
{
  flock(s->e->lock_fd, LOCK_UN);
  pthread_mutex_lock(&registry_lock);
  s->e->writer = false;
  pthread_mutex_unlock(&registry_lock);
}

/* The first ID not assigned yet, from the last key of i2t. */
static int read_next_id(lm_store *s, MDB_txn *t, uint32_t *out)
{
  MDB_cursor *c = NULL;
  int rc = mdb_cursor_open(t, s->e->dbi[DB_I2T], &c);
  if (rc) {
    return rc;
  }
  MDB_val k, d;
  rc = mdb_cursor_get(c, &k, &d, MDB_LAST);
  mdb_cursor_close(c);
  if (rc == MDB_NOTFOUND) {
    *out = KG__FIRST_ID;
    return 0;
  }
  if (rc) {
    return rc;
  }
  if (k.mv_size != 4) {
    return MDB_CORRUPTED;
  }
  *out = get_be32(k.mv_data) + 1;
  return 0;
}

static int begin_txn(lm_store *s, unsigned flags, MDB_txn **t)
{
  int rc = mdb_txn_begin(s->e->env, NULL, flags, t);
  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize(s->e->env, 0);
    rc = mdb_txn_begin(s->e->env, NULL, flags, t);
  }
  return rc;
}

/* Open the LMDB write transaction (the writer's lock held). */
static int begin_write(lm_store *s)
{
  int rc = begin_txn(s, 0, &s->txn);
  if (rc == 0) {
    rc = read_next_id(s, s->txn, &s->next_id);
    if (rc) {
      mdb_txn_abort(s->txn);
    }
  }
  if (rc) {
    s->txn = NULL;
    return rc;
  }
  s->write = true;
  s->failed = false;
  s->first_new_id = s->next_id;
  s->had_terms = s->next_id > KG__FIRST_ID;
  return 0;
}

static kg_status lm_begin(kg__store *base, bool write)
{
  lm_store *s = (lm_store *)base;
  if (s->txn) {
    return fail(s, KG_ERR_ARG, "a transaction is already open");
  }
  if (!write) {
    int rc = begin_txn(s, MDB_RDONLY, &s->txn);
    if (rc) {
      s->txn = NULL;
      return fail_mdb(s, "cannot read the store", rc);
    }
    s->write = false;
    return KG_OK;
  }
  if (s->readonly) {
    return fail(s, KG_ERR_DENIED, "the store is open read-only");
  }
  pthread_mutex_lock(&registry_lock);
  bool busy = s->e->writer;
  s->e->writer = true;
  pthread_mutex_unlock(&registry_lock);
  if (busy) {
    return fail(s, KG_ERR_STORE, "store is locked");
  }
  if (flock(s->e->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    pthread_mutex_lock(&registry_lock);
    s->e->writer = false;
    pthread_mutex_unlock(&registry_lock);
    if (err == EWOULDBLOCK) {
      return fail(s, KG_ERR_STORE, "store is locked");
    }
    return fail(s, KG_ERR_IO, strerror(err));
  }
  int rc = begin_write(s);
  if (rc) {
    release_writer(s);
    return fail_mdb(s, "cannot write the store", rc);
  }
  return KG_OK;
}

static void end_txn(lm_store *s, bool keep_writer)
{
  bool write = s->write;
  s->txn = NULL;
  s->write = false;
  s->failed = false;
  s->pd.n = 0;
  s->pn.n = 0;
  s->nnt = 0;
  if (write && !keep_writer) {
    release_writer(s);
  }
}

static void lm_rollback(kg__store *base)
{
  lm_store *s = (lm_store *)base;
  if (!s->txn) {
    return;
  }
  mdb_txn_abort(s->txn);
  bool write = s->write;
  end_txn(s, false);
  if (write) {
    /* The IDs this transaction made will be made again for other terms:
     * forget them, keeping views already handed out alive. */
    new_icache(s);
    if (s->views_max >= s->first_new_id) {
      kg__dict **r =
          realloc(s->retired, (s->nretired + 1) * sizeof *s->retired);
      kg__dict *fresh = NULL;
      if (r && kg__dict_new(true, &fresh) == KG_OK) {
        s->retired = r;
        s->retired[s->nretired++] = s->views;
        s->views = fresh;
        s->views_max = 0;
      } else if (r) {
        s->retired = r;
      }
    }
  }
}

/* Commit; with `next`, open the next write transaction at once, keeping
 * the writer's lock in between. */
static kg_status commit(lm_store *s, bool next)
{
  if (!s->txn) {
    return fail(s, KG_ERR_ARG, "no transaction is open");
  }
  if (!s->write) {
    mdb_txn_abort(s->txn);
    end_txn(s, false);
    return next ? fail(s, KG_ERR_ARG, "no write transaction is open") : KG_OK;
  }
  kg_status st = flush(s);
  if (st == KG_OK) {
    st = flush_terms(s);
  }
  if (st == KG_OK && s->failed) {
    st = fail(s, KG_ERR_STORE, "the transaction failed earlier");
  }
  if (st != KG_OK) {
    lm_rollback(&s->base); /* keeps the error */
    return st;
  }
  int rc = mdb_txn_commit(s->txn);
  end_txn(s, next && rc == 0);
  if (rc) {
    /* LMDB freed the transaction: nothing of it was written. */
    new_icache(s);
    return fail_mdb(s, "cannot commit", rc);
  }
  bool had_terms = s->had_terms;
  if (next && (rc = begin_write(s)) != 0) {
    release_writer(s);
    return fail_mdb(s, "cannot write the store", rc);
  }
  if (next) {
    /* no other writer came between: every term is still in the cache
     * when it was before */
    s->had_terms = had_terms;
  }
  return KG_OK;
}

static kg_status lm_commit(kg__store *base)
{
  return commit((lm_store *)base, false);
}

static kg_status lm_commit_begin(kg__store *base)
{
  return commit((lm_store *)base, true);
}

/* ---- reading quads ---- */

static int part_key(struct lpart *p, MDB_val *k, MDB_val *d, uint32_t *key)
{
  unsigned w = p->plan.width;
  if (k->mv_size != 4 || d->mv_size != 4 * (w - 1)) {
    return MDB_CORRUPTED;
  }
  key[0] = get_be32(k->mv_data);
  for (unsigned i = 1; i < w; i++) {
    key[i] = get_be32((const unsigned char *)d->mv_data + 4 * (i - 1));
  }
  return 0;
}

/* Position on the first entry of the part's range: 0, MDB_NOTFOUND, or
 * an error. */
static int part_first(struct lpart *p, MDB_val *k, MDB_val *d)
{
  if (p->plan.k == 0) {
    return mdb_cursor_get(p->c, k, d, MDB_FIRST);
  }
  unsigned char *kb = p->kb;
  unsigned char *db = p->db;
  memset(db, 0, sizeof p->db);
  put_be32(kb, p->plan.prefix[0]);
  k->mv_size = 4;
  k->mv_data = kb;
  if (p->plan.k == 1) {
    return mdb_cursor_get(p->c, k, d, MDB_SET_KEY);
  }
  for (unsigned i = 1; i < p->plan.k; i++) {
    put_be32(db + 4 * (i - 1), p->plan.prefix[i]);
  }
  d->mv_size = 4 * (p->plan.width - 1);
  d->mv_data = db;
  return mdb_cursor_get(p->c, k, d, MDB_GET_BOTH_RANGE);
}

static bool part_next(kg__cursor *c, struct lpart *p, kg__id quad[4])
{
  if (p->done) {
    return false;
  }
  MDB_val k, d;
  int rc;
  if (!p->started) {
    p->started = true;
    rc = part_first(p, &k, &d);
  } else {
    rc = mdb_cursor_get(p->c, &k, &d, p->plan.k ? MDB_NEXT_DUP : MDB_NEXT);
  }
  uint32_t key[4];
  if (rc == 0) {
    rc = part_key(p, &k, &d, key);
  }
  if (rc) {
    if (rc != MDB_NOTFOUND) {
      c->error = true;
      fail_mdb(c->s, "cannot read the store", rc);
    }
    p->done = true;
    return false;
  }
  if (kg__key_cmp(key, p->plan.prefix, p->plan.k) != 0) {
    p->done = true;
    return false;
  }
  kg__plan_quad(&p->plan, key, quad);
  return true;
}

static void lm_cursor_free(kg__cursor *c)
{
  if (!c) {
    return;
  }
  for (int i = 0; i < 2; i++) {
    if (c->part[i].c) {
      mdb_cursor_close(c->part[i].c);
    }
  }
  if (c->shared) {
    c->s->snap_users--;
    done_read(c->s, c->s->snap);
  }
  free(c);
}

static kg_status lm_match(kg__store *base,
                          const kg__id pattern[4],
                          const int *order,
                          kg__cursor **out)
{
  lm_store *s = (lm_store *)base;
  *out = NULL;
  kg_status st = flush(s);
  if (st != KG_OK) {
    return st;
  }
  kg__cursor *c = calloc(1, sizeof *c);
  if (!c) {
    return fail(s, KG_ERR_NOMEM, "out of memory");
  }
  c->s = s;
  MDB_txn *t = NULL;
  int rc = read_txn(s, &t);
  if (rc == 0 && !s->txn) {
    c->shared = true;
    s->snap_users++;
  }
  uint32_t top = UINT32_MAX;
  if (rc == 0 && s->txn && s->write) {
    top = s->next_id;
  }
  if (rc == 0 && kg__plan_make(pattern, order, top, &c->plan) != KG_OK) {
    lm_cursor_free(c);
    return fail(s, KG_ERR_ARG, "the store cannot deliver that order");
  }
  c->nparts = c->plan.empty ? 0 : c->plan.nparts;
  for (int i = 0; i < c->nparts && rc == 0; i++) {
    c->part[i].plan = c->plan.part[i];
    rc = mdb_cursor_open(
        t, table_dbi(s, c->part[i].plan.named, c->part[i].plan.ordering),
        &c->part[i].c);
  }
  if (rc) {
    lm_cursor_free(c);
    return fail_mdb(s, "cannot read the store", rc);
  }
  *out = c;
  return KG_OK;
}

static kg_status lm_next(kg__cursor *c, kg__id quad[4])
{
  if (c->nparts == 2 && c->plan.norder) {
    for (int i = 0; i < 2; i++) {
      if (!c->have[i]) {
        c->have[i] = part_next(c, &c->part[i], c->head[i]);
      }
    }
    int pick =
        !c->have[0] ? 1
        : !c->have[1]
            ? 0
            : (kg__plan_cmp(&c->plan, c->head[1], c->head[0]) < 0 ? 1 : 0);
    if (!c->have[pick]) {
      return c->error ? KG_ERR_STORE : KG_DONE;
    }
    memcpy(quad, c->head[pick], 4 * sizeof *quad);
    c->have[pick] = false;
    return KG_ROW;
  }
  for (int i = 0; i < c->nparts; i++) {
    if (part_next(c, &c->part[i], quad)) {
      return KG_ROW;
    }
  }
  return c->error ? KG_ERR_STORE : KG_DONE;
}

/* Entries of one part's range. */
/* Items of a page of fixed-size duplicates whose first `plen` bytes
 * compare below `want` (or not above it, when `upper`). */
static size_t page_bound(const unsigned char *items,
                         size_t nitems,
                         size_t size,
                         const unsigned char *want,
                         size_t plen,
                         bool upper)
{
  size_t lo = 0, hi = nitems;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(items + mid * size, want, plen);
    if (c < 0 || (upper && c == 0)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/* Count the duplicates of the current key that start with the part's
 * bound numbers after the first, a page of duplicates at a time
 * (MDB_GET_MULTIPLE hands out whole pages; binary search finds the range
 * in the first and last). The cursor is on the first of them. */
static int count_dup_range(struct lpart *p, uint64_t *n)
{
  size_t size = 4 * (p->plan.width - 1);
  size_t plen = 4 * (p->plan.k - 1);
  unsigned char want[12];
  for (unsigned i = 1; i < p->plan.k; i++) {
    put_be32(want + 4 * (i - 1), p->plan.prefix[i]);
  }
  MDB_val k, d;
  size_t dups = 0;
  int rc = mdb_cursor_count(p->c, &dups);
  if (rc == 0 && dups < 64) {
    /* few: walk them (a single one is not kept as a page of duplicates) */
    uint32_t key[4];
    rc = mdb_cursor_get(p->c, &k, &d, MDB_GET_CURRENT);
    while (rc == 0 && (rc = part_key(p, &k, &d, key)) == 0 &&
           kg__key_cmp(key, p->plan.prefix, p->plan.k) == 0) {
      (*n)++;
      rc = mdb_cursor_get(p->c, &k, &d, MDB_NEXT_DUP);
    }
    return rc;
  }
  if (rc == 0) {
    rc = mdb_cursor_get(p->c, &k, &d, MDB_GET_MULTIPLE);
  }
  bool first = true;
  while (rc == 0) {
    if (d.mv_size % size) {
      return MDB_CORRUPTED;
    }
    size_t items = d.mv_size / size;
    const unsigned char *data = d.mv_data;
    size_t a = first ? page_bound(data, items, size, want, plen, false) : 0;
    size_t b = page_bound(data, items, size, want, plen, true);
    *n += b > a ? b - a : 0;
    if (b < items) {
      return 0; /* the range ends in this page */
    }
    first = false;
    rc = mdb_cursor_get(p->c, &k, &d, MDB_NEXT_MULTIPLE);
  }
  return rc;
}

static int part_count(lm_store *s, MDB_txn *t, struct lpart *p, uint64_t *n)
{
  *n = 0;
  MDB_dbi dbi = table_dbi(s, p->plan.named, p->plan.ordering);
  if (p->plan.k == 0) {
    MDB_stat st;
    int rc = mdb_stat(t, dbi, &st);
    if (rc == 0) {
      *n = st.ms_entries;
    }
    return rc;
  }
  int rc = mdb_cursor_open(t, dbi, &p->c);
  MDB_val k, d;
  if (rc == 0) {
    rc = part_first(p, &k, &d);
  }
  if (rc == 0 && p->plan.k == 1) {
    size_t dups = 0;
    rc = mdb_cursor_count(p->c, &dups);
    *n = dups;
  } else if (rc == 0) {
    rc = count_dup_range(p, n);
  }
  if (p->c) {
    mdb_cursor_close(p->c);
    p->c = NULL;
  }
  return rc == MDB_NOTFOUND ? 0 : rc;
}

static kg_status
lm_count(kg__store *base, const kg__id pattern[4], uint64_t *out, bool *exact)
{
  lm_store *s = (lm_store *)base;
  *out = 0;
  if (exact) {
    *exact = true;
  }
  kg_status st = flush(s);
  if (st != KG_OK) {
    return st;
  }
  kg__plan plan;
  uint32_t top = s->txn && s->write ? s->next_id : UINT32_MAX;
  if (kg__plan_make(pattern, NULL, top, &plan) != KG_OK) {
    return fail(s, KG_ERR_INTERNAL, "no ordering serves the pattern");
  }
  if (plan.empty) {
    return KG_OK;
  }
  MDB_txn *t = NULL;
  int rc = read_txn(s, &t);
  for (int i = 0; i < plan.nparts && rc == 0; i++) {
    struct lpart p;
    memset(&p, 0, sizeof p);
    p.plan = plan.part[i];
    uint64_t n = 0;
    rc = part_count(s, t, &p, &n);
    *out += n;
  }
  done_read(s, t);
  if (rc) {
    *out = 0;
    return fail_mdb(s, "cannot read the store", rc);
  }
  return KG_OK;
}

/* ---- prefixes ---- */

static kg_status lm_load_prefixes(kg__store *base, kg__prefixes *out)
{
  lm_store *s = (lm_store *)base;
  MDB_txn *t = NULL;
  int rc = read_txn(s, &t);
  MDB_cursor *c = NULL;
  if (rc == 0) {
    rc = mdb_cursor_open(t, s->e->dbi[DB_PREFIX], &c);
  }
  MDB_val k, d;
  kg_status st = KG_OK;
  if (rc == 0) {
    rc = mdb_cursor_get(c, &k, &d, MDB_FIRST);
  }
  while (rc == 0 && st == KG_OK) {
    /* the empty prefix is stored as ":" (LMDB keys cannot be empty) */
    bool empty = k.mv_size == 1 && *(const char *)k.mv_data == ':';
    char *p = kg__strndup(k.mv_data, empty ? 0 : k.mv_size);
    char *i = kg__strndup(d.mv_data, d.mv_size);
    st = p && i ? kg__prefixes_set(out, p, i) : KG_ERR_NOMEM;
    free(p);
    free(i);
    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT);
  }
  if (c) {
    mdb_cursor_close(c);
  }
  done_read(s, t);
  if (st != KG_OK) {
    return fail(s, st, "out of memory");
  }
  if (rc && rc != MDB_NOTFOUND) {
    return fail_mdb(s, "cannot read the store", rc);
  }
  return KG_OK;
}

static kg_status
lm_save_prefix(kg__store *base, const char *prefix, const char *iri)
{
  lm_store *s = (lm_store *)base;
  bool own = !s->txn;
  if (own) {
    kg_status st = lm_begin(base, true);
    if (st != KG_OK) {
      return st;
    }
  } else {
    kg_status st = need_write(s);
    if (st != KG_OK) {
      return st;
    }
  }
  MDB_val k = {strlen(prefix), (void *)(uintptr_t)prefix};
  MDB_val d = {strlen(iri), (void *)(uintptr_t)iri};
  kg_status st = KG_OK;
  if (k.mv_size == 0) {
    /* LMDB keys cannot be empty: the empty prefix is stored as ":" */
    k.mv_size = 1;
    k.mv_data = (void *)(uintptr_t) ":";
  }
  if (k.mv_size > 400) {
    st = fail(s, KG_ERR_ARG, "prefix too long");
  } else {
    int rc = mdb_put(s->txn, s->e->dbi[DB_PREFIX], &k, &d, 0);
    if (rc) {
      st = fail_write(s, "cannot write the store", rc);
    }
  }
  if (own) {
    if (st == KG_OK) {
      st = lm_commit(base);
    } else {
      lm_rollback(base);
    }
  }
  return st;
}

/* ---- records in the meta table ---- */

/* Meta keys beside "format" (LMDB keys hold at most 511 bytes). */
static bool meta_key_ok(const char *key)
{
  size_t n = strlen(key);
  return n > 0 && n <= 400 && strcmp(key, format_key) != 0;
}

static kg_status lm_get_meta(kg__store *base, const char *key, char **value)
{
  lm_store *s = (lm_store *)base;
  *value = NULL;
  if (!meta_key_ok(key)) {
    return fail(s, KG_ERR_ARG, "bad record name");
  }
  MDB_txn *t = NULL;
  int rc = read_txn(s, &t);
  MDB_val k = {strlen(key), (void *)(uintptr_t)key};
  MDB_val d;
  if (rc == 0) {
    rc = mdb_get(t, s->e->dbi[DB_META], &k, &d);
  }
  kg_status st = KG_OK;
  if (rc == 0) {
    *value = kg__strndup(d.mv_data, d.mv_size);
    st = *value ? KG_OK : fail(s, KG_ERR_NOMEM, "out of memory");
  } else if (rc != MDB_NOTFOUND) {
    st = fail_mdb(s, "cannot read the store", rc);
  }
  done_read(s, t);
  return st;
}

static kg_status
lm_put_meta(kg__store *base, const char *key, const char *value)
{
  lm_store *s = (lm_store *)base;
  kg_status st = need_write(s);
  if (st != KG_OK) {
    return st;
  }
  if (!meta_key_ok(key)) {
    return fail(s, KG_ERR_ARG, "bad record name");
  }
  MDB_val k = {strlen(key), (void *)(uintptr_t)key};
  int rc;
  if (value) {
    MDB_val d = {strlen(value), (void *)(uintptr_t)value};
    rc = mdb_put(s->txn, s->e->dbi[DB_META], &k, &d, 0);
  } else {
    rc = mdb_del(s->txn, s->e->dbi[DB_META], &k, NULL);
    rc = rc == MDB_NOTFOUND ? 0 : rc;
  }
  return rc ? fail_write(s, "cannot write the store", rc) : KG_OK;
}

/* ---- opening ---- */

int kg__lmdb_store_probe(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    return -1;
  }
  unsigned char head[24];
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  if (n < sizeof head) {
    return 0;
  }
  /* LMDB's first meta page: a 16-byte page header, then its magic in the
   * byte order of the machine that wrote it. */
  uint32_t le = (uint32_t)head[16] | (uint32_t)head[17] << 8 |
                (uint32_t)head[18] << 16 | (uint32_t)head[19] << 24;
  uint32_t be = get_be32(head + 16);
  return le == 0xBEEFC0DEu || be == 0xBEEFC0DEu;
}

static unsigned db_flags(int i)
{
  return i == DB_META || i == DB_PREFIX || i == DB_I2T
             ? 0
             : MDB_DUPSORT | MDB_DUPFIXED;
}

/* Open the tables of a store, creating them in a new one. */
static kg_status init_tables(env_entry *e, kg__err *err)
{
  MDB_txn *t = NULL;
  int rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &t);
  if (rc) {
    kg__err_set(err, KG_ERR_STORE, 0, 0, "cannot open store: %s",
                mdb_strerror(rc));
    return KG_ERR_STORE;
  }
  rc = mdb_dbi_open(t, db_names[DB_META], 0, &e->dbi[DB_META]);
  if (rc == MDB_NOTFOUND) {
    MDB_dbi main_dbi;
    MDB_stat st = {0};
    bool fresh = mdb_dbi_open(t, NULL, 0, &main_dbi) == 0 &&
                 mdb_stat(t, main_dbi, &st) == 0 && st.ms_entries == 0;
    mdb_txn_abort(t);
    if (!fresh) {
      kg__err_set(err, KG_ERR_STORE, 0, 0,
                  "not a kgraph store (an LMDB file of another kind)");
      return KG_ERR_STORE;
    }
    if (e->readonly) {
      kg__err_set(err, KG_ERR_STORE, 0, 0, "not a kgraph store (empty)");
      return KG_ERR_STORE;
    }
    if (flock(e->lock_fd, LOCK_EX | LOCK_NB) != 0) {
      kg__err_set(err, KG_ERR_STORE, 0, 0, "store is locked");
      return KG_ERR_STORE;
    }
    rc = mdb_txn_begin(e->env, NULL, 0, &t);
    for (int i = 0; i < NDB && rc == 0; i++) {
      rc = mdb_dbi_open(t, db_names[i], db_flags(i) | MDB_CREATE, &e->dbi[i]);
    }
    if (rc == 0) {
      MDB_val k = {sizeof format_key - 1, (void *)(uintptr_t)format_key};
      MDB_val d = {sizeof format_value - 1, (void *)(uintptr_t)format_value};
      rc = mdb_put(t, e->dbi[DB_META], &k, &d, 0);
    }
    if (rc == 0) {
      rc = mdb_txn_commit(t);
    } else if (t) {
      mdb_txn_abort(t);
    }
    flock(e->lock_fd, LOCK_UN);
    if (rc) {
      kg__err_set(err, KG_ERR_STORE, 0, 0, "cannot create store: %s",
                  mdb_strerror(rc));
      return KG_ERR_STORE;
    }
    return KG_OK;
  }
  bool older = false;
  if (rc == 0) {
    MDB_val k = {sizeof format_key - 1, (void *)(uintptr_t)format_key};
    MDB_val d;
    rc = mdb_get(t, e->dbi[DB_META], &k, &d);
    if (rc == 0 && (d.mv_size != sizeof format_value - 1 ||
                    memcmp(d.mv_data, format_value, d.mv_size) != 0)) {
      older = d.mv_size == sizeof format_v1 - 1 &&
              memcmp(d.mv_data, format_v1, d.mv_size) == 0;
      rc = MDB_INCOMPATIBLE;
    }
  }
  for (int i = 1; i < NDB && rc == 0; i++) {
    rc = mdb_dbi_open(t, db_names[i], db_flags(i), &e->dbi[i]);
  }
  if (rc) {
    mdb_txn_abort(t);
    kg__err_set(err, KG_ERR_STORE, 0, 0, "%s",
                older ? "a store of an older kgraph format (kgraph quads 1): "
                        "export it with the kgraph that wrote it and load "
                        "the export into a new store"
                      : "not a kgraph store (unknown format or damaged)");
    return KG_ERR_STORE;
  }
  /* committing a read transaction keeps its table handles open */
  rc = mdb_txn_commit(t);
  if (rc) {
    kg__err_set(err, KG_ERR_STORE, 0, 0, "cannot open store: %s",
                mdb_strerror(rc));
    return KG_ERR_STORE;
  }
  return KG_OK;
}

/* The first map size to try: MAP_MAX, or for tests the number of bytes
 * in KGRAPH_LMDB_MAP_SIZE (LMDB keeps at least what the file holds). */
static size_t map_first(void)
{
  const char *v = getenv("KGRAPH_LMDB_MAP_SIZE");
  char *end = NULL;
  unsigned long long n = v && *v ? strtoull(v, &end, 10) : 0;
  return n && end && !*end && n < MAP_MAX ? (size_t)n : MAP_MAX;
}

static void env_free(env_entry *e)
{
  if (e->env) {
    mdb_env_close(e->env);
  }
  if (e->lock_fd >= 0) {
    close(e->lock_fd);
  }
  free(e);
}

/* Open the environment of `path` (registry locked). */
static kg_status env_open(const char *path, kg__err *err, env_entry **out)
{
  *out = NULL;
  env_entry *e = calloc(1, sizeof *e);
  if (!e) {
    return KG_ERR_NOMEM;
  }
  e->lock_fd = -1;
  e->readonly = access(path, F_OK) == 0 && access(path, W_OK) != 0;
  unsigned flags = MDB_NOSUBDIR | MDB_NOTLS | (e->readonly ? MDB_RDONLY : 0);
  int rc = 0;
  for (size_t map = map_first();; map /= 2) {
    rc = mdb_env_create(&e->env);
    if (rc == 0) {
      mdb_env_set_maxdbs(e->env, NDB + 2);
      mdb_env_set_mapsize(e->env, map);
      rc = mdb_env_open(e->env, path, flags, 0644);
    }
    if (rc == 0) {
      break;
    }
    if (e->env) {
      mdb_env_close(e->env);
      e->env = NULL;
    }
    if ((rc != EINVAL && rc != ENOMEM) || map / 2 < MAP_MIN) {
      break;
    }
  }
  if (rc) {
    bool format = rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH;
    kg__err_set(err, format ? KG_ERR_STORE : KG_ERR_IO, 0, 0,
                format ? "not a kgraph store (%s)" : "cannot open store: %s",
                mdb_strerror(rc));
    env_free(e);
    return err->status;
  }
  e->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (e->lock_fd < 0 || fstat(e->lock_fd, &sb) != 0) {
    kg__err_set(err, KG_ERR_IO, 0, 0, "cannot open store: %s", strerror(errno));
    env_free(e);
    return KG_ERR_IO;
  }
  e->dev = sb.st_dev;
  e->ino = sb.st_ino;
  kg_status st = init_tables(e, err);
  if (st != KG_OK) {
    env_free(e);
    return st;
  }
  *out = e;
  return KG_OK;
}

static void lm_close(kg__store *base)
{
  lm_store *s = (lm_store *)base;
  if (!s) {
    return;
  }
  if (s->txn) {
    lm_rollback(base);
  }
  if (s->snap) {
    mdb_txn_abort(s->snap);
  }
  if (s->e) {
    pthread_mutex_lock(&registry_lock);
    if (--s->e->refs == 0) {
      env_entry **pp = &registry;
      while (*pp && *pp != s->e) {
        pp = &(*pp)->next;
      }
      if (*pp) {
        *pp = s->e->next;
      }
      env_free(s->e);
    }
    pthread_mutex_unlock(&registry_lock);
  }
  kg__dict_free(s->icache);
  kg__dict_free(s->views);
  for (size_t i = 0; i < s->nretired; i++) {
    kg__dict_free(s->retired[i]);
  }
  free(s->retired);
  free(s->pd.keys);
  free(s->pn.keys);
  free(s->nt);
  kg__err_clear(&s->base.err);
  free(s);
}

static const kg__store_ops lm_ops = {
    "native-lmdb", lm_lookup,        lm_intern,       lm_term,
    lm_match,      lm_next,          lm_cursor_free,  lm_count,
    lm_add,        lm_remove,        lm_begin,        lm_commit,
    lm_rollback,   lm_load_prefixes, lm_save_prefix,  lm_close,
    lm_get_meta,   lm_put_meta,      lm_commit_begin,
};

kg_status kg__lmdb_store_open(const char *path,
                              unsigned flags,
                              kg__err *err,
                              kg__store **out)
{
  *out = NULL;
  struct stat sb;
  if (stat(path, &sb) != 0) {
    if (errno != ENOENT) {
      kg__err_set(err, KG_ERR_IO, 0, 0, "cannot open store: %s",
                  strerror(errno));
      return KG_ERR_IO;
    }
    if (!(flags & KG__LMDB_CREATE)) {
      kg__err_set(err, KG_ERR_IO, 0, 0,
                  "no such store (create it with kgraph load)");
      return KG_ERR_IO;
    }
    if (flags & KG__LMDB_READONLY) {
      kg__err_set(err, KG_ERR_IO, 0, 0,
                  "no such store (cannot create it read-only)");
      return KG_ERR_IO;
    }
  } else if (S_ISDIR(sb.st_mode)) {
    kg__err_set(err, KG_ERR_IO, 0, 0, "cannot open store: is a directory");
    return KG_ERR_IO;
  } else if (sb.st_size > 0 && kg__lmdb_store_probe(path) != 1) {
    kg__err_set(err, KG_ERR_STORE, 0, 0, "not a kgraph store (no LMDB header)");
    return KG_ERR_STORE;
  } else if (sb.st_size == 0 && !(flags & KG__LMDB_CREATE)) {
    kg__err_set(err, KG_ERR_IO, 0, 0,
                "no such store (create it with kgraph load)");
    return KG_ERR_IO;
  }
  lm_store *s = calloc(1, sizeof *s);
  if (!s || kg__dict_new(true, &s->icache) != KG_OK ||
      kg__dict_new(true, &s->views) != KG_OK) {
    lm_close(s ? &s->base : NULL);
    return KG_ERR_NOMEM;
  }
  s->base.ops = &lm_ops;
  s->readonly = (flags & KG__LMDB_READONLY) != 0;
  pthread_mutex_lock(&registry_lock);
  env_entry *e = NULL;
  if (stat(path, &sb) == 0) {
    for (e = registry; e && (e->dev != sb.st_dev || e->ino != sb.st_ino);
         e = e->next) {
    }
  }
  kg_status st = KG_OK;
  if (!e) {
    st = env_open(path, err, &e);
    if (st == KG_OK) {
      e->next = registry;
      registry = e;
    }
  }
  if (st == KG_OK) {
    e->refs++;
    s->e = e;
  }
  pthread_mutex_unlock(&registry_lock);
  if (st != KG_OK) {
    lm_close(&s->base);
    return st;
  }
  if (!s->readonly && e->readonly) {
    kg__err_set(err, KG_ERR_IO, 0, 0,
                "cannot open store: Permission denied (open it read-only)");
    lm_close(&s->base);
    return KG_ERR_IO;
  }
  *out = &s->base;
  return KG_OK;
}
