/* Loading RDF into the store, all of it in one store transaction, so that
 * an error changes nothing.
 *
 * N-Triples and N-Quads stream: the input is read a block of whole lines
 * at a time, each block parsed and its statements interned and added (the
 * store sorts them into its indexes in batches), so memory stays flat
 * whatever the size of the file. The other syntaxes are parsed whole
 * first. Should a block fail to parse, the load is rolled back and the
 * whole input parsed at once, which reports the error exactly as a whole
 * parse does (or, should the whole parse succeed, loads it that way). */
#include "db.h"
#include "io/io.h"
#include "store/key_index.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Read a whole regular file. */
static kg_status read_file(kg_db *db, const char *path, kg__buf *out)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    return kg__db_fail(db, KG_ERR_IO, path, 0, 0, "cannot open: %s",
                       strerror(errno));
  }
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fclose(f);
    return kg__db_fail(db, KG_ERR_IO, path, 0, 0,
                       "cannot read: is a directory");
  }
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    kg__buf_append(out, chunk, n);
    if (out->failed) {
      fclose(f);
      return kg__db_fail(db, KG_ERR_NOMEM, path, 0, 0,
                         "out of memory reading the file");
    }
  }
  int failed = ferror(f);
  int saved = errno;
  fclose(f);
  if (failed) {
    return kg__db_fail(db, KG_ERR_IO, path, 0, 0, "cannot read: %s",
                       strerror(saved));
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
  bool relabel;       /* blocks of one load: one blank-node label space */
  char *blank_prefix; /* the reader's label prefix in the first block */
  size_t blank_prefix_len;
  kg__buf scratch;
} loader;

/* The reader gives every call its own blank-node labels, "<prefix>_label"
 * with a prefix that ends at the first '_'. The blocks of one streaming
 * load are one document: give their labels the first block's prefix. */
static kg_status blank_term(loader *l, const kg_term *t, kg_term *out)
{
  *out = *t;
  if (!l->relabel || t->kind != KG_TERM_BLANK) {
    return KG_OK;
  }
  const char *us = memchr(t->value, '_', t->value_len);
  if (!us) {
    return KG_OK;
  }
  size_t plen = (size_t)(us - t->value) + 1;
  if (!l->blank_prefix) {
    l->blank_prefix = kg__strndup(t->value, plen);
    l->blank_prefix_len = plen;
    return l->blank_prefix ? KG_OK : KG_ERR_NOMEM;
  }
  if (plen == l->blank_prefix_len &&
      memcmp(t->value, l->blank_prefix, plen) == 0) {
    return KG_OK;
  }
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

/* Intern and add the quads of `q`. */
static kg_status loader_add(loader *l, const kg__quads *q)
{
  kg__store *s = l->s;
  if (l->db->kind == KG__STORE_SQLITE) {
    for (size_t i = 0; i < q->n; i++) {
      if (memchr(q->v[i].o.value, '\0', q->v[i].o.value_len)) {
        return kg__db_fail(l->db, KG_ERR_STORE, l->source, 0, 0,
                           "a literal holds a NUL character, which the "
                           "sqlite store cannot keep");
      }
    }
  }
  if (l->n + q->n > l->cap) {
    size_t cap = l->cap ? l->cap : 1024;
    while (cap < l->n + q->n) {
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
  for (size_t i = 0; i < q->n && st == KG_OK; i++) {
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
    /* IDs of one load fit 32 bits in every store kgraph has; should one
     * not, the count is only an upper bound */
    uint32_t *d = l->ids + l->n * 4;
    for (int k = 0; k < 4; k++) {
      d[k] = (uint32_t)quad[k];
    }
    l->n++;
  }
  if (st == KG_OK && l->db->progress) {
    l->db->progress(l->n, l->db->progress_ctx);
  }
  if (st == KG_ERR_NOMEM && s->err.status == KG_OK) {
    return kg__db_fail(l->db, st, l->source, 0, 0, "out of memory");
  }
  if (st != KG_OK) {
    return kg__db_store_fail(l->db, l->source, "cannot store");
  }
  return KG_OK;
}

/* Start a load: open the write transaction. */
static kg_status loader_begin(loader *l, kg_db *db, const char *source)
{
  memset(l, 0, sizeof *l);
  l->db = db;
  l->s = db->store;
  l->source = source;
  if (l->s->ops->begin(l->s, true) != KG_OK) {
    return kg__db_store_fail(db, db->path, NULL);
  }
  return KG_OK;
}

/* Finish a load: commit (ok) or roll back; *distinct receives the number
 * of different statements added. */
static kg_status loader_end(loader *l, bool ok, uint64_t *distinct)
{
  kg__store *s = l->s;
  kg_status st = KG_OK;
  if (ok) {
    st = kg__inference_refresh(l->db);
    if (st == KG_OK) {
      st = s->ops->commit(s);
    } else {
      s->ops->rollback(s);
    }
    if (st != KG_OK) {
      st = kg__db_store_fail(l->db, l->source, "cannot store");
    }
  } else {
    s->ops->rollback(s);
  }
  if (st == KG_OK && ok && distinct) {
    uint32_t *tmp = malloc((l->n ? l->n : 1) * 4 * sizeof *tmp);
    *distinct = tmp ? kg__keys_sort_unique(l->ids, tmp, l->n, 4) : l->n;
    free(tmp);
  }
  free(l->ids);
  free(l->blank_prefix);
  kg__buf_free(&l->scratch);
  memset(l, 0, sizeof *l);
  return st;
}

/* Add quads to the store in one transaction: all or nothing. The input
 * may repeat statements: *distinct receives how many different ones it
 * holds. */
static kg_status
add_quads(kg_db *db, const kg__quads *q, const char *source, uint64_t *distinct)
{
  loader l;
  kg_status st = loader_begin(&l, db, source);
  if (st != KG_OK) {
    return st;
  }
  st = loader_add(&l, q);
  kg_status end = loader_end(&l, st == KG_OK, distinct);
  return st == KG_OK ? end : st;
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

/* Load line-based input block by block. KG_OK: loaded; KG_DONE: a block
 * did not parse (or the input could not be read) and nothing changed, so
 * the caller parses the whole input instead. */
static kg_status stream_lines(kg_db *db,
                              blocks *b,
                              kg_format format,
                              const char *source,
                              const char *base,
                              const kg_term *graph,
                              uint64_t *count)
{
  loader l;
  kg_status st = loader_begin(&l, db, source);
  if (st != KG_OK) {
    return st;
  }
  l.relabel = true;
  const char *data = NULL;
  size_t len = 0;
  bool parsed = true;
  while (st == KG_OK && parsed && next_block(b, &data, &len)) {
    kg__quads q = {0};
    kg__err e = {0};
    parsed =
        kg__read_rdf(format, data, len, base, graph, &q, NULL, &e) == KG_OK;
    kg__err_clear(&e);
    if (parsed) {
      st = loader_add(&l, &q);
    }
    kg__quads_free(&q);
  }
  if (b->failed) {
    parsed = false;
  }
  uint64_t distinct = 0;
  kg_status end = loader_end(&l, st == KG_OK && parsed, &distinct);
  if (st != KG_OK) {
    return st;
  }
  if (!parsed) {
    return KG_DONE;
  }
  if (end == KG_OK && count) {
    *count = distinct;
  }
  return end;
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

static kg_status load_buffer(kg_db *db,
                             const char *text,
                             size_t len,
                             kg_format format,
                             const char *source,
                             const char *base,
                             const char *graph,
                             bool stream,
                             uint64_t *count)
{
  kg_status st = load_checks(db, format, source);
  if (st != KG_OK) {
    return st;
  }
  kg_term g = graph_term(graph);
  if (stream && line_based(format)) {
    blocks b = {0};
    b.text = text;
    b.len = len;
    st = stream_lines(db, &b, format, source, base, g.kind ? &g : NULL, count);
    if (st != KG_DONE) {
      return st;
    }
  }
  kg__quads q = {0};
  kg__prefixes pfx = {0};
  kg__err e = {0};
  st = kg__read_rdf(format, text, len, base, g.kind ? &g : NULL, &q, &pfx, &e);
  if (st != KG_OK) {
    kg__quads_free(&q);
    kg__prefixes_free(&pfx);
    if (e.status == KG_OK) {
      kg__err_set(&e, st, 0, 0, "%s", kg_strstatus(st));
    }
    return kg__db_take_error(db, &e, source);
  }
  uint64_t distinct = 0;
  st = add_quads(db, &q, source, &distinct);
  if (st == KG_OK) {
    for (size_t i = 0; i < pfx.n && st == KG_OK; i++) {
      const char *old = kg__prefixes_get(&db->prefixes, pfx.v[i].prefix);
      if (!old || strcmp(old, pfx.v[i].iri) != 0) {
        st = kg__prefixes_set(&db->prefixes, pfx.v[i].prefix, pfx.v[i].iri);
        if (st == KG_OK) {
          st = kg__db_store_prefix(db, pfx.v[i].prefix, pfx.v[i].iri);
        } else {
          kg__db_fail(db, st, source, 0, 0, "%s", kg_strstatus(st));
        }
      }
    }
  }
  if (st == KG_OK && count) {
    *count = distinct;
  }
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
  if (count) {
    *count = 0;
  }
  if (!text && len) {
    return kg__db_fail(db, KG_ERR_ARG, source, 0, 0, "no text given");
  }
  return load_buffer(db, text ? text : "", len, format,
                     source ? source : "<string>", base, graph, true, count);
}

kg_status kg_db_load_file(kg_db *db,
                          const char *path,
                          kg_format format,
                          const char *base,
                          const char *graph,
                          uint64_t *count)
{
  if (!db) {
    return KG_ERR_ARG;
  }
  kg__db_clear_error(db);
  if (count) {
    *count = 0;
  }
  if (!path) {
    return kg__db_fail(db, KG_ERR_ARG, NULL, 0, 0, "no file given");
  }
  if (format == KG_FORMAT_AUTO) {
    format = kg_format_from_path(path);
    if (format == KG_FORMAT_AUTO) {
      return kg__db_fail(db, KG_ERR_ARG, path, 0, 0,
                         "cannot tell the RDF format from the file name "
                         "(name it: turtle, ntriples, nquads, trig, rdfxml)");
    }
  }
  char *iri = base ? NULL : file_iri(path);
  if (!base && !iri) {
    return kg__db_fail(db, KG_ERR_NOMEM, path, 0, 0, "out of memory");
  }
  kg_status st = KG_DONE;
  if (line_based(format)) {
    st = load_checks(db, format, path);
    FILE *f = st == KG_OK ? fopen(path, "rb") : NULL;
    struct stat sb;
    if (f && fstat(fileno(f), &sb) == 0 && !S_ISDIR(sb.st_mode)) {
      blocks b = {0};
      b.f = f;
      kg_term g = graph_term(graph);
      st = stream_lines(db, &b, format, path, base ? base : iri,
                        g.kind ? &g : NULL, count);
      kg__buf_free(&b.buf);
    } else if (st == KG_OK) {
      st = KG_DONE; /* read_file below says what is wrong */
    }
    if (f) {
      fclose(f);
    }
  }
  if (st == KG_DONE) {
    kg__buf text = {0};
    st = read_file(db, path, &text);
    if (st == KG_OK) {
      st = load_buffer(db, text.data ? text.data : "", text.len, format, path,
                       base ? base : iri, graph, false, count);
    }
    kg__buf_free(&text);
  }
  free(iri);
  return st;
}
