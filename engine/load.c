/* Loading RDF into the store: in one store transaction, so that an error
 * changes nothing, or in chunks of N statements, each committed in a
 * transaction of its own.
 *
 * N-Triples and N-Quads stream: the input is read a block of whole lines
 * at a time, each block parsed and its statements interned and added (the
 * store sorts them into its indexes in batches), so memory stays flat
 * whatever the size of the file. A syntax error is reported at its line
 * in the whole input. The other syntaxes are parsed whole first.
 *
 * A chunked load keeps a checkpoint in the store (where the store can
 * keep one) in the transaction of every chunk: how far the committed
 * chunks go and the prefix given to the input's blank-node labels, so
 * that a resumed load gives them the same nodes. */
#include "db.h"
#include "io/io.h"
#include "store/dict.h"
#include "store/key_index.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Read the rest of a stream. */
static kg_status
read_stream(kg_db *db, FILE *f, const char *source, kg__buf *out)
{
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    kg__buf_append(out, chunk, n);
    if (out->failed) {
      return kg__db_fail(db, KG_ERR_NOMEM, source, 0, 0,
                         "out of memory reading the input");
    }
  }
  if (ferror(f)) {
    return kg__db_fail(db, KG_ERR_IO, source, 0, 0, "cannot read: %s",
                       strerror(errno));
  }
  return KG_OK;
}

/* Open a file to read; a directory is refused. */
static kg_status open_input(kg_db *db, const char *path, FILE **out)
{
  *out = fopen(path, "rb");
  if (!*out) {
    return kg__db_fail(db, KG_ERR_IO, path, 0, 0, "cannot open: %s",
                       strerror(errno));
  }
  struct stat sb;
  if (fstat(fileno(*out), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fclose(*out);
    *out = NULL;
    return kg__db_fail(db, KG_ERR_IO, path, 0, 0,
                       "cannot read: is a directory");
  }
  return KG_OK;
}

/* file:// IRI of a path, percent-encoding what an IRI cannot hold. */
static char *file_iri(const char *path)
{
  char *abs = realpath(path, NULL);
  const char *p = abs ? abs : path;
  kg__buf b = {0};
  kg__buf_puts(&b, "file://");
  for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
    if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
        (*c >= '0' && *c <= '9') || strchr("/-._~!$&'()*+,;=:@", *c) ||
        *c >= 0x80) {
      kg__buf_putc(&b, (char)*c);
    } else {
      kg__buf_printf(&b, "%%%02X", *c);
    }
  }
  free(abs);
  return kg__buf_take(&b);
}

/* Bytes of input per block of a streaming load. */
#define BLOCK_SIZE ((size_t)1 << 20)

/* Adding parsed statements to the store, inside an open transaction. */
typedef struct loader {
  kg_db *db;
  kg__store *s;
  const char *source;
  uint32_t *ids; /* the IDs of every quad added, to count distinct ones */
  size_t n;
  size_t cap;
  char *blank_prefix; /* the label prefix of the input's blank nodes */
  size_t blank_prefix_len;
  kg__buf scratch;
  uint64_t every;    /* statements per chunk; 0: one transaction */
  uint64_t skip;     /* statements of the input to pass over */
  uint64_t seen;     /* statements of the input passed or added */
  uint64_t added;    /* statements added by this load */
  uint64_t in_chunk; /* statements added since the last commit */
  char *key;         /* name of the checkpoint record, NULL: none kept */
  bool resumed;      /* the store had a checkpoint of this input */
  kg_load_report rep;
  const kg__prefixes *prefixes; /* bound by the input, saved on commit */
} loader;

/* The reader gives every call its own blank-node labels, "<prefix>_label"
 * with a prefix that ends at the first '_'. The calls of one load read
 * one document: give their labels the load's prefix. */
static kg_status blank_term(loader *l, const kg_term *t, kg_term *out)
{
  *out = *t;
  if (t->kind != KG_TERM_BLANK) {
    return KG_OK;
  }
  const char *us = memchr(t->value, '_', t->value_len);
  if (!us) {
    return KG_OK;
  }
  size_t plen = (size_t)(us - t->value) + 1;
  l->scratch.len = 0;
  kg__buf_append(&l->scratch, l->blank_prefix, l->blank_prefix_len);
  kg__buf_append(&l->scratch, t->value + plen, t->value_len - plen);
  if (l->scratch.failed) {
    return KG_ERR_NOMEM;
  }
  out->value = l->scratch.data;
  out->value_len = l->scratch.len;
  return KG_OK;
}

static kg_status intern(loader *l, const kg_term *t, kg__id *id)
{
  kg_term v;
  kg_status st = blank_term(l, t, &v);
  if (st == KG_OK) {
    st = l->s->ops->intern(l->s, &v, id);
  }
  return st;
}

/* Intern and add quads `from` to `from + n` of `q`. */
static kg_status
loader_add(loader *l, const kg__quads *q, size_t from, size_t n)
{
  kg__store *s = l->s;
  const char *refuses = kg__librdf_store_refuses_nul(s);
  for (size_t i = from; refuses && i < from + n; i++) {
    if (memchr(q->v[i].o.value, '\0', q->v[i].o.value_len)) {
      return kg__db_fail(l->db, KG_ERR_STORE, l->source, 0, 0,
                         "a literal holds a NUL character, which the %s "
                         "store cannot keep",
                         refuses);
    }
  }
  bool count = l->every == 0; /* chunked loads count what they read */
  if (count && l->n + n > l->cap) {
    size_t cap = l->cap ? l->cap : 1024;
    while (cap < l->n + n) {
      cap *= 2;
    }
    uint32_t *v = realloc(l->ids, cap * 4 * sizeof *v);
    if (!v) {
      return kg__db_fail(l->db, KG_ERR_NOMEM, l->source, 0, 0, "out of memory");
    }
    l->ids = v;
    l->cap = cap;
  }
  kg_status st = KG_OK;
  for (size_t i = from; i < from + n && st == KG_OK; i++) {
    const kg__quad *qd = &q->v[i];
    kg__id quad[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
    st = intern(l, &qd->s, &quad[0]);
    if (st == KG_OK) {
      st = intern(l, &qd->p, &quad[1]);
    }
    if (st == KG_OK) {
      st = intern(l, &qd->o, &quad[2]);
    }
    if (st == KG_OK && qd->g.kind) {
      st = intern(l, &qd->g, &quad[3]);
    }
    if (st == KG_OK) {
      st = s->ops->add(s, quad, NULL);
    }
    if (count) {
      /* IDs of one load fit 32 bits in every store kgraph has; should
       * one not, the count is only an upper bound */
      uint32_t *d = l->ids + l->n * 4;
      for (int k = 0; k < 4; k++) {
        d[k] = (uint32_t)quad[k];
      }
      l->n++;
    }
  }
  if (st == KG_OK) {
    l->seen += n;
    l->added += n;
    l->in_chunk += n;
    if (l->db->progress) {
      l->db->progress(l->added, l->db->progress_ctx);
    }
  }
  if (st == KG_ERR_NOMEM && s->err.status == KG_OK) {
    return kg__db_fail(l->db, st, l->source, 0, 0, "out of memory");
  }
  if (st != KG_OK) {
    return kg__db_store_fail(l->db, l->source, "cannot store");
  }
  return KG_OK;
}

/* ---- checkpoints ----
 * The record "load <input>" (or "load #<hash>" for a long name) holds
 * "<blank prefix> <committed> <line> <offset>". */

static char *checkpoint_key(const char *input)
{
  kg__buf b = {0};
  if (strlen(input) <= 256) {
    kg__buf_printf(&b, "load %s", input);
  } else {
    kg_term t = {KG_TERM_IRI, input, strlen(input), NULL, NULL};
    kg__buf_printf(&b, "load #%016llx", (unsigned long long)kg__term_hash(&t));
  }
  return kg__buf_take(&b);
}

static bool parse_checkpoint(const char *v, loader *l)
{
  const char *sp = strchr(v, ' ');
  if (!sp || sp == v) {
    return false;
  }
  char *end = NULL;
  unsigned long long n[3];
  const char *p = sp;
  for (int i = 0; i < 3; i++) {
    if (*p != ' ') {
      return false;
    }
    errno = 0;
    n[i] = strtoull(p + 1, &end, 10);
    if (errno || end == p + 1) {
      return false;
    }
    p = end;
  }
  if (*p) {
    return false;
  }
  l->blank_prefix = kg__strndup(v, (size_t)(sp - v));
  l->blank_prefix_len = (size_t)(sp - v);
  l->rep.committed = n[0];
  l->rep.line = n[1];
  l->rep.offset = n[2];
  return true;
}

/* Read the input's checkpoint, if any; else give the load a prefix of
 * its own for blank-node labels. */
static kg_status read_checkpoint(loader *l, const char *input)
{
  kg__store *s = l->s;
  if (input && s->ops->get_meta) {
    l->key = checkpoint_key(input);
    if (!l->key) {
      return kg__db_fail(l->db, KG_ERR_NOMEM, l->source, 0, 0, "out of memory");
    }
    char *v = NULL;
    if (s->ops->get_meta(s, l->key, &v) != KG_OK) {
      return kg__db_store_fail(l->db, l->source, NULL);
    }
    bool ok = !v || parse_checkpoint(v, l);
    free(v);
    if (!ok) {
      return kg__db_fail(l->db, KG_ERR_STORE, l->source, 0, 0,
                         "the store's checkpoint of this input is damaged");
    }
    l->resumed = l->blank_prefix != NULL;
  }
  if (l->skip == KG_LOAD_RESUME) {
    if (!l->resumed) {
      return kg__db_fail(l->db, KG_ERR_ARG, l->source, 0, 0,
                         "the store holds no checkpoint of an unfinished "
                         "load of this input to resume");
    }
    l->skip = l->rep.committed;
  }
  if (l->resumed) {
    if (l->skip > l->rep.committed) {
      return kg__db_fail(
          l->db, KG_ERR_ARG, l->source, 0, 0,
          "the store holds only the first %llu statements of this input: "
          "skip at most %llu",
          (unsigned long long)l->rep.committed,
          (unsigned long long)l->rep.committed);
    }
    return KG_OK;
  }
  kg__buf b = {0};
  if (kg__blank_prefix(&b) != KG_OK) {
    kg__buf_free(&b);
    return kg__db_fail(l->db, KG_ERR_NOMEM, l->source, 0, 0, "out of memory");
  }
  l->blank_prefix_len = b.len;
  l->blank_prefix = kg__buf_take(&b);
  return KG_OK;
}

/* Keep in the store the prefixes `pfx` binds differently from the
 * database. The native stores do it inside the load's last transaction;
 * librdf stores keep prefixes apart (sqlite: on another connection, which
 * can write only once the load has committed), so theirs come after. */
static kg_status store_prefixes(kg_db *db, const kg__prefixes *pfx)
{
  kg_status st = KG_OK;
  for (size_t i = 0; pfx && i < pfx->n && st == KG_OK; i++) {
    const char *old = kg__prefixes_get(&db->prefixes, pfx->v[i].prefix);
    if (!old || strcmp(old, pfx->v[i].iri) != 0) {
      st = db->store->ops->save_prefix(db->store, pfx->v[i].prefix,
                                       pfx->v[i].iri);
    }
  }
  return st;
}

/* Commit the statements added so far, up to `line` and `offset` of the
 * input; `last` ends the load (and its checkpoint), else the next
 * transaction opens. */
static kg_status
chunk_commit(loader *l, uint64_t line, uint64_t offset, bool last)
{
  kg__store *s = l->s;
  kg_status st = KG_OK;
  if (l->key) {
    kg__buf v = {0};
    if (!last) {
      kg__buf_append(&v, l->blank_prefix, l->blank_prefix_len);
      kg__buf_printf(&v, " %llu %llu %llu", (unsigned long long)l->seen,
                     (unsigned long long)line, (unsigned long long)offset);
      kg__buf_putc(&v, '\0');
    }
    st = v.failed ? KG_ERR_NOMEM
                  : s->ops->put_meta(s, l->key, last ? NULL : v.data);
    kg__buf_free(&v);
  }
  if (st == KG_OK) {
    st = kg__inference_refresh(l->db);
  }
  if (st == KG_OK && last && l->db->kind != KG__STORE_LIBRDF) {
    st = store_prefixes(l->db, l->prefixes);
  }
  if (st == KG_OK) {
    st = last || !s->ops->commit_begin ? s->ops->commit(s)
                                       : s->ops->commit_begin(s);
  } else {
    s->ops->rollback(s);
  }
  if (st != KG_OK) {
    return kg__db_store_fail(l->db, l->source, "cannot store");
  }
  l->rep.committed = l->seen;
  l->rep.line = line;
  l->rep.offset = offset;
  if (l->in_chunk) {
    l->rep.chunks++;
  }
  l->in_chunk = 0;
  if (!last && !s->ops->commit_begin && s->ops->begin(s, true) != KG_OK) {
    return kg__db_store_fail(l->db, l->db->path, NULL);
  }
  return KG_OK;
}

/* Start a load: open the write transaction, find the checkpoint of
 * `input` (NULL: keep none). Unless l->db is NULL (no transaction), end
 * it with loader_end, whatever the status. */
static kg_status loader_begin(loader *l,
                              kg_db *db,
                              const char *source,
                              const char *input,
                              const kg_load_options *o)
{
  memset(l, 0, sizeof *l);
  l->db = db;
  l->s = db->store;
  l->source = source;
  l->every = o->commit_every;
  l->skip = o->skip;
  if (l->s->ops->begin(l->s, true) != KG_OK) {
    l->db = NULL;
    return kg__db_store_fail(db, db->path, NULL);
  }
  return read_checkpoint(l, input);
}

/* Finish a load begun with loader_begin (st: how it went so far): commit
 * the rest, up to `line` and `offset`, or roll it back; fill `report`. */
static kg_status loader_end(loader *l,
                            kg_status st,
                            uint64_t line,
                            uint64_t offset,
                            kg_load_report *report)
{
  if (st == KG_OK && l->seen < l->skip) {
    st = kg__db_fail(l->db, KG_ERR_ARG, l->source, 0, 0,
                     "the input holds %llu statements, fewer than the %llu "
                     "to skip",
                     (unsigned long long)l->seen, (unsigned long long)l->skip);
  }
  /* room to count the distinct statements, before anything is final */
  uint32_t *tmp = NULL;
  if (st == KG_OK && l->every == 0) {
    tmp = malloc((l->n ? l->n : 1) * 4 * sizeof *tmp);
    if (!tmp) {
      st = kg__db_fail(l->db, KG_ERR_NOMEM, l->source, 0, 0, "out of memory");
    }
  }
  if (st == KG_OK) {
    st = chunk_commit(l, line, offset, true);
  } else {
    l->s->ops->rollback(l->s);
  }
  l->rep.statements = l->added;
  if (st == KG_OK && l->every == 0) {
    l->rep.statements = kg__keys_sort_unique(l->ids, tmp, l->n, 4);
  }
  free(tmp);
  if (report) {
    *report = l->rep;
  }
  free(l->ids);
  free(l->blank_prefix);
  free(l->key);
  kg__buf_free(&l->scratch);
  memset(l, 0, sizeof *l);
  return st;
}

/* ---- where statements end in a block of lines ---- */

typedef struct block_map {
  uint64_t off0;   /* offset of the block in the input */
  uint64_t line0;  /* lines of the input before it */
  size_t len;      /* its bytes */
  size_t n;        /* its statements */
  uint64_t nlines; /* its lines (the last one even without its newline) */
  size_t *end;     /* end[i]: offset in the block after statement i's line */
  uint64_t *line;  /* line[i]: that line of the input */
  bool split;      /* end and line hold every statement */
} block_map;

/* Does a line of N-Triples or N-Quads hold a statement (not only spaces
 * and a comment)? */
static bool statement_line(const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') {
      return p[i] != '#';
    }
  }
  return false;
}

/* Map the lines of a block holding `nstmt` statements: with `want`,
 * where each ends, which a chunk can end after when every line holds at
 * most one (serd reads several on a line too). */
static bool
map_block(block_map *m, const char *data, size_t len, size_t nstmt, bool want)
{
  m->len = len;
  m->n = nstmt;
  m->split = false;
  m->end = want ? malloc((nstmt ? nstmt : 1) * sizeof *m->end) : NULL;
  m->line = want ? malloc((nstmt ? nstmt : 1) * sizeof *m->line) : NULL;
  if (want && (!m->end || !m->line)) {
    return false;
  }
  uint64_t ln = m->line0;
  size_t k = 0;
  for (size_t p = 0; p < len;) {
    const char *nl = memchr(data + p, '\n', len - p);
    size_t e = nl ? (size_t)(nl - data) + 1 : len;
    ln++;
    if (want && statement_line(data + p, e - p)) {
      if (k < nstmt) {
        m->end[k] = e;
        m->line[k] = ln;
      }
      k++;
    }
    p = e;
  }
  m->nlines = ln - m->line0;
  m->split = want && k == nstmt;
  return true;
}

/* Where the input stands after the first `k` statements of the block
 * (0, 0 when unknown: without a map, or inside a block with several
 * statements on a line). */
static void
block_pos(const block_map *m, size_t k, uint64_t *line, uint64_t *offset)
{
  *line = 0;
  *offset = 0;
  if (!m) {
    return;
  }
  if (m->split && k > 0) {
    *line = m->line[k - 1];
    *offset = m->off0 + m->end[k - 1];
  } else if (k == 0) {
    *line = m->line0;
    *offset = m->off0;
  } else if (k == m->n) {
    *line = m->line0 + m->nlines;
    *offset = m->off0 + m->len;
  }
}

static bool has_blank(const kg__quad *q)
{
  return q->s.kind == KG_TERM_BLANK || q->o.kind == KG_TERM_BLANK ||
         q->g.kind == KG_TERM_BLANK;
}

/* Pass over the statements of `q` that the load skips; *from receives
 * the first one to add. */
static kg_status
skip_quads(loader *l, const kg__quads *q, const block_map *m, size_t *from)
{
  *from = 0;
  if (l->seen >= l->skip) {
    return KG_OK;
  }
  size_t d = q->n;
  if (l->skip - l->seen < d) {
    d = (size_t)(l->skip - l->seen);
  }
  for (size_t i = 0; i < d && !l->resumed; i++) {
    if (has_blank(&q->v[i])) {
      return kg__db_fail(
          l->db, KG_ERR_ARG, l->source, 0, 0,
          "the statements to skip hold blank nodes, and the store has no "
          "checkpoint of an unfinished load of this input to give them "
          "the same nodes");
    }
  }
  l->seen += d;
  *from = d;
  if (l->seen == l->skip && l->rep.committed < l->skip) {
    /* the caller says the store holds them */
    l->rep.committed = l->skip;
    block_pos(m, d, &l->rep.line, &l->rep.offset);
  }
  return KG_OK;
}

/* Add the statements of `q` (a block mapped by `m`, or the whole input),
 * committing a chunk every `every` statements. */
static kg_status load_quads(loader *l, const kg__quads *q, const block_map *m)
{
  bool anywhere = !m || m->split; /* a chunk may end after any statement */
  size_t i = 0;
  kg_status st = skip_quads(l, q, m, &i);
  while (st == KG_OK && i < q->n) {
    size_t take = q->n - i;
    if (l->every && anywhere && take > l->every - l->in_chunk) {
      take = (size_t)(l->every - l->in_chunk);
    }
    st = loader_add(l, q, i, take);
    i += take;
    if (st == KG_OK && l->every && l->in_chunk >= l->every &&
        (anywhere || i == q->n)) {
      uint64_t line, offset;
      block_pos(m, i, &line, &offset);
      st = chunk_commit(l, line, offset, false);
    }
    if (st == KG_OK && atomic_load(&l->db->interrupt)) {
      st =
          kg__db_fail(l->db, KG_ERR_LIMIT, l->source, 0, 0, "load interrupted");
    }
  }
  return st;
}

/* ---- streaming N-Triples and N-Quads ---- */

/* Whole lines of input, a block at a time, from a buffer or a file. */
typedef struct blocks {
  const char *text; /* the input in memory, or NULL */
  size_t len;
  size_t off;
  FILE *f; /* else the file */
  kg__buf buf;
  size_t keep; /* bytes at the start of buf carried to the next block */
  bool eof;
  bool failed; /* reading or memory failed */
  int err;
} blocks;

/* The next block of whole lines (the last one may lack its newline);
 * false at the end or on failure. */
static bool next_block(blocks *b, const char **data, size_t *len)
{
  if (b->text) {
    if (b->off >= b->len) {
      return false;
    }
    size_t end = b->off + BLOCK_SIZE;
    if (end >= b->len) {
      end = b->len;
    } else {
      const char *nl = memchr(b->text + end, '\n', b->len - end);
      end = nl ? (size_t)(nl - b->text) + 1 : b->len;
    }
    *data = b->text + b->off;
    *len = end - b->off;
    b->off = end;
    return true;
  }
  /* drop the block handed out last time, keep what followed it */
  if (b->keep < b->buf.len) {
    memmove(b->buf.data, b->buf.data + b->keep, b->buf.len - b->keep);
  }
  b->buf.len -= b->keep;
  b->keep = 0;
  for (;;) {
    const char *nl = NULL;
    if (b->buf.len) {
      /* the last newline of what is buffered */
      for (size_t i = b->buf.len; i-- > 0;) {
        if (b->buf.data[i] == '\n') {
          nl = b->buf.data + i;
          break;
        }
      }
    }
    if ((nl && b->buf.len >= BLOCK_SIZE) || b->eof) {
      if (!b->buf.len) {
        return false;
      }
      size_t n = nl && !b->eof ? (size_t)(nl - b->buf.data) + 1 : b->buf.len;
      *data = b->buf.data;
      *len = n;
      b->keep = n;
      return true;
    }
    size_t old = b->buf.len;
    if (b->buf.cap - old < BLOCK_SIZE + 1) {
      char *d = realloc(b->buf.data, old + BLOCK_SIZE + 1);
      if (!d) {
        b->failed = true;
        b->err = ENOMEM;
        return false;
      }
      b->buf.data = d;
      b->buf.cap = old + BLOCK_SIZE + 1;
    }
    size_t got = fread(b->buf.data + old, 1, BLOCK_SIZE, b->f);
    b->buf.len = old + got;
    b->buf.data[b->buf.len] = 0;
    if (got < BLOCK_SIZE) {
      if (ferror(b->f)) {
        b->failed = true;
        b->err = errno;
        return false;
      }
      b->eof = true;
    }
  }
}

/* Offset of line `line` (1-based) of a block. */
static size_t line_start(const char *data, size_t len, unsigned line)
{
  size_t at = 0;
  for (unsigned i = 1; i < line && at < len; i++) {
    const char *nl = memchr(data + at, '\n', len - at);
    at = nl ? (size_t)(nl - data) + 1 : len;
  }
  return at;
}

/* Parse and load one block of lines. A syntax error is left in `e` (its
 * line a line of the block) with KG_ERR_PARSE; other errors are the
 * handle's. m->nlines receives the block's lines. */
static kg_status load_block(loader *l,
                            block_map *m,
                            const char *data,
                            size_t len,
                            kg_format format,
                            const char *base,
                            const kg_term *graph,
                            kg__err *e)
{
  kg__quads q = {0};
  kg_status st = kg__read_rdf(format, data, len, base, graph, &q, NULL, e);
  bool mapped = map_block(m, data, len, q.n,
                          st == KG_OK && (l->every || l->seen < l->skip));
  if (st == KG_OK && !mapped) {
    st = kg__db_fail(l->db, KG_ERR_NOMEM, l->source, 0, 0, "out of memory");
  } else if (st == KG_OK) {
    st = load_quads(l, &q, m);
  } else if (st != KG_ERR_PARSE) {
    st = kg__db_take_error(l->db, e, l->source);
  }
  kg__quads_free(&q);
  free(m->end);
  free(m->line);
  m->end = NULL;
  m->line = NULL;
  return st;
}

/* Load line-based input block by block; *line and *offset receive where
 * the input ends. */
static kg_status stream_lines(loader *l,
                              blocks *b,
                              kg_format format,
                              const char *base,
                              const kg_term *graph,
                              uint64_t *line,
                              uint64_t *offset)
{
  const char *data = NULL;
  size_t len = 0;
  block_map m = {0};
  kg_status st = KG_OK;
  while (st == KG_OK && next_block(b, &data, &len)) {
    kg__err e = {0};
    st = load_block(l, &m, data, len, format, base, graph, &e);
    if (st == KG_ERR_PARSE && l->every && e.line > 1) {
      /* a chunked load commits the chunks that end before the error */
      kg__err e2 = {0};
      size_t head = line_start(data, len, e.line);
      block_map m2 = m;
      kg_status st2 = load_block(l, &m2, data, head, format, base, graph, &e2);
      if (st2 != KG_OK) {
        kg__err_clear(&e);
        e = e2;
        st = st2;
      }
    }
    if (st == KG_ERR_PARSE) {
      if (e.status == KG_OK) {
        kg__err_set(&e, st, 0, 0, "%s", kg_strstatus(st));
      }
      if (e.line) {
        e.line += (unsigned)m.line0; /* a line of the block */
      }
      st = kg__db_take_error(l->db, &e, l->source);
    }
    kg__err_clear(&e);
    m.off0 += len;
    m.line0 += m.nlines;
  }
  if (st == KG_OK && b->failed) {
    st = b->err == ENOMEM ? kg__db_fail(l->db, KG_ERR_NOMEM, l->source, 0, 0,
                                        "out of memory reading the input")
                          : kg__db_fail(l->db, KG_ERR_IO, l->source, 0, 0,
                                        "cannot read: %s", strerror(b->err));
  }
  *line = m.line0;
  *offset = m.off0;
  return st;
}

static bool line_based(kg_format format)
{
  return format == KG_FORMAT_NTRIPLES || format == KG_FORMAT_NQUADS;
}

/* The checks every load makes before it reads anything. */
static kg_status load_checks(kg_db *db, kg_format format, const char *source)
{
  if (format == KG_FORMAT_DOT) {
    return kg__db_fail(db, KG_ERR_ARG, source, 0, 0,
                       "DOT is an export format; it cannot be loaded");
  }
  if (format == KG_FORMAT_AUTO || format > KG_FORMAT_DOT) {
    return kg__db_fail(db, KG_ERR_ARG, source, 0, 0,
                       "unknown RDF format (name one: turtle, ntriples, "
                       "nquads, trig, rdfxml)");
  }
  if (db->flags & KG_OPEN_READONLY) {
    return kg__db_fail(db, KG_ERR_DENIED, db->path, 0, 0,
                       "the store is open read-only");
  }
  return KG_OK;
}

static kg_term graph_term(const char *graph)
{
  kg_term g = {0};
  if (graph && graph[0]) {
    g.kind = KG_TERM_IRI;
    g.value = graph;
    g.value_len = strlen(graph);
  }
  return g;
}

/* What one load reads, and how. */
typedef struct input {
  const char *source; /* names the input in messages */
  const char *name;   /* names it in checkpoints; NULL: keep none */
  blocks *b;          /* line-based formats: the input, block by block */
  const char *text;   /* else the whole input */
  size_t len;
  const char *base;
  const kg_load_options *o;
} input;

static kg_status run_load(kg_db *db, const input *in, kg_load_report *rep)
{
  const kg_load_options *o = in->o;
  kg_term g = graph_term(o->graph);
  const kg_term *gp = g.kind ? &g : NULL;
  loader l;
  uint64_t line = 0;
  uint64_t offset = 0;
  if (in->b) {
    kg_status st = loader_begin(&l, db, in->source, in->name, o);
    if (st == KG_OK) {
      st = stream_lines(&l, in->b, o->format, in->base, gp, &line, &offset);
    }
    return l.db ? loader_end(&l, st, line, offset, rep) : st;
  }
  kg__quads q = {0};
  kg__prefixes pfx = {0};
  kg__err e = {0};
  kg_status st =
      kg__read_rdf(o->format, in->text, in->len, in->base, gp, &q, &pfx, &e);
  if (st != KG_OK) {
    if (e.status == KG_OK) {
      kg__err_set(&e, st, 0, 0, "%s", kg_strstatus(st));
    }
    st = kg__db_take_error(db, &e, in->source);
  }
  /* The database's prefixes with the document's, made before the
   * statements go in, so that running out of memory changes nothing. */
  kg__prefixes merged = {0};
  for (size_t i = 0; i < db->prefixes.n && st == KG_OK; i++) {
    st = kg__prefixes_set(&merged, db->prefixes.v[i].prefix,
                          db->prefixes.v[i].iri);
  }
  for (size_t i = 0; i < pfx.n && st == KG_OK; i++) {
    st = kg__prefixes_set(&merged, pfx.v[i].prefix, pfx.v[i].iri);
  }
  if (st == KG_ERR_NOMEM) {
    kg__db_fail(db, st, in->source, 0, 0, "out of memory");
  }
  if (st == KG_OK) {
    st = loader_begin(&l, db, in->source, in->name, o);
    l.prefixes = &pfx;
    if (st == KG_OK) {
      st = load_quads(&l, &q, NULL);
    }
    if (l.db) {
      st = loader_end(&l, st, 0, 0, rep);
    }
  }
  if (st == KG_OK && db->kind == KG__STORE_LIBRDF &&
      store_prefixes(db, &pfx) != KG_OK) {
    st = kg__db_store_fail(db, db->path, NULL);
  }
  if (st == KG_OK) {
    kg__prefixes swap = db->prefixes;
    db->prefixes = merged;
    merged = swap;
  }
  kg__prefixes_free(&merged);
  kg__quads_free(&q);
  kg__prefixes_free(&pfx);
  return st;
}

kg_status kg_db_load_string(kg_db *db,
                            const char *text,
                            size_t len,
                            kg_format format,
                            const char *source,
                            const char *base,
                            const char *graph,
                            uint64_t *count)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  atomic_store(&db->interrupt, 0);
  if (count) {
    *count = 0;
  }
  if (!source) {
    source = "<string>";
  }
  if (!text && len) {
    return kg__db_fail(db, KG_ERR_ARG, source, 0, 0, "no text given");
  }
  kg_status st = load_checks(db, format, source);
  if (st != KG_OK) {
    return st;
  }
  kg_load_options o = {format, base, graph, NULL, 0, 0};
  blocks b = {0};
  b.text = text ? text : "";
  b.len = len;
  input in = {source, NULL, line_based(format) ? &b : NULL, b.text, len,
              base,   &o};
  kg_load_report rep = {0};
  st = run_load(db, &in, &rep);
  if (st == KG_OK && count) {
    *count = rep.statements;
  }
  return st;
}

kg_status kg_db_load(kg_db *db,
                     const char *path,
                     const kg_load_options *opts,
                     kg_load_report *report)
{
  if (report) {
    memset(report, 0, sizeof *report);
  }
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  atomic_store(&db->interrupt, 0);
  if (!path) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "no file given");
  }
  kg_load_options o = {0};
  if (opts) {
    o = *opts;
  }
  if (o.format == KG_FORMAT_AUTO) {
    o.format = kg_format_from_path(path);
    if (o.format == KG_FORMAT_AUTO) {
      return kg__db_fail(db, KG_ERR_ARG, path, 0, 0,
                         "cannot tell the RDF format from the file name "
                         "(name it: turtle, ntriples, nquads, trig, rdfxml)");
    }
  }
  kg_status st = load_checks(db, o.format, path);
  FILE *f = o.stream;
  if (st == KG_OK && !f) {
    st = open_input(db, path, &f);
  }
  char *iri = NULL;
  char *real = NULL;
  if (st == KG_OK && !o.stream) {
    iri = o.base ? NULL : file_iri(path);
    real = realpath(path, NULL);
    if (!o.base && !iri) {
      st = kg__db_fail(db, KG_ERR_NOMEM, path, 0, 0, "out of memory");
    }
  }
  input in = {path, real ? real : path,    NULL, NULL,
              0,    o.base ? o.base : iri, &o};
  blocks b = {0};
  kg__buf text = {0};
  if (st == KG_OK && line_based(o.format)) {
    b.f = f;
    in.b = &b;
  } else if (st == KG_OK) {
    st = read_stream(db, f, path, &text);
    in.text = text.data ? text.data : "";
    in.len = text.len;
  }
  if (st == KG_OK) {
    st = run_load(db, &in, report);
  }
  if (f && !o.stream) {
    fclose(f);
  }
  kg__buf_free(&b.buf);
  kg__buf_free(&text);
  free(iri);
  free(real);
  return st;
}

kg_status kg_db_load_checkpoint(kg_db *db,
                                const char *path,
                                const kg_load_options *opts,
                                kg_load_report *out)
{
  if (out) {
    memset(out, 0, sizeof *out);
  }
  if (!db || !path || !out) {
    return db ? kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "no file given")
              : KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  kg__store *s = db->store;
  if (!s->ops->get_meta) {
    return KG_OK;
  }
  char *real = opts && opts->stream ? NULL : realpath(path, NULL);
  loader l = {0};
  l.db = db;
  l.s = s;
  l.source = path;
  kg_status st = read_checkpoint(&l, real ? real : path);
  if (st == KG_OK && l.resumed) {
    *out = l.rep;
  }
  free(real);
  free(l.key);
  free(l.blank_prefix);
  return st;
}

kg_status kg_db_load_file(kg_db *db,
                          const char *path,
                          kg_format format,
                          const char *base,
                          const char *graph,
                          uint64_t *count)
{
  kg_load_options o = {format, base, graph, NULL, 0, 0};
  kg_load_report rep = {0};
  kg_status st = kg_db_load(db, path, &o, &rep);
  if (count) {
    *count = st == KG_OK ? rep.statements : 0;
  }
  return st;
}
