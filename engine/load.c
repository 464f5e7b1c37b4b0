/* Loading RDF into the store: read the whole input into kgraph terms
 * first, then add it in one step, so that a syntax error changes nothing. */
#include "db.h"
#include "io/io.h"

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

/* Add quads to the store in one transaction: all or nothing. */
static kg_status add_quads(kg_db *db, const kg__quads *q, const char *source)
{
  kg__store *s = db->store;
  if (db->kind == KG__STORE_SQLITE) {
    for (size_t i = 0; i < q->n; i++) {
      if (memchr(q->v[i].o.value, '\0', q->v[i].o.value_len)) {
        return kg__db_fail(db, KG_ERR_STORE, source, 0, 0,
                           "a literal holds a NUL character, which the "
                           "sqlite store cannot keep");
      }
    }
  }
  if (s->ops->begin(s, true) != KG_OK) {
    return kg__db_store_fail(db, db->path, NULL);
  }
  kg_status st = KG_OK;
  for (size_t i = 0; i < q->n && st == KG_OK; i++) {
    const kg__quad *qd = &q->v[i];
    kg__id ids[4] = {0, 0, 0, KG__DEFAULT_GRAPH};
    st = s->ops->intern(s, &qd->s, &ids[0]);
    if (st == KG_OK) {
      st = s->ops->intern(s, &qd->p, &ids[1]);
    }
    if (st == KG_OK) {
      st = s->ops->intern(s, &qd->o, &ids[2]);
    }
    if (st == KG_OK && qd->g.kind) {
      st = s->ops->intern(s, &qd->g, &ids[3]);
    }
    if (st == KG_OK) {
      st = s->ops->add(s, ids, NULL);
    }
  }
  if (st == KG_OK) {
    st = kg__inference_refresh(db);
  }
  if (st == KG_OK) {
    st = s->ops->commit(s);
  } else {
    s->ops->rollback(s);
  }
  if (st != KG_OK) {
    return kg__db_store_fail(db, source, "cannot store");
  }
  return KG_OK;
}

static kg_status load_buffer(kg_db *db,
                             const char *text,
                             size_t len,
                             kg_format format,
                             const char *source,
                             const char *base,
                             const char *graph,
                             uint64_t *count)
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
  kg_term g = {0};
  if (graph && graph[0]) {
    g.kind = KG_TERM_IRI;
    g.value = graph;
    g.value_len = strlen(graph);
  }
  kg__quads q = {0};
  kg__prefixes pfx = {0};
  kg__err e = {0};
  kg_status st =
      kg__read_rdf(format, text, len, base, g.kind ? &g : NULL, &q, &pfx, &e);
  if (st != KG_OK) {
    kg__quads_free(&q);
    kg__prefixes_free(&pfx);
    if (e.status == KG_OK) {
      kg__err_set(&e, st, 0, 0, "%s", kg_strstatus(st));
    }
    return kg__db_take_error(db, &e, source);
  }
  kg__quads_sort_unique(&q);
  st = add_quads(db, &q, source);
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
    *count = q.n;
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
                     source ? source : "<string>", base, graph, count);
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
  kg__buf text = {0};
  kg_status st = read_file(db, path, &text);
  if (st == KG_OK) {
    char *iri = base ? NULL : file_iri(path);
    if (!base && !iri) {
      st = kg__db_fail(db, KG_ERR_NOMEM, path, 0, 0, "out of memory");
    } else {
      st = load_buffer(db, text.data ? text.data : "", text.len, format, path,
                       base ? base : iri, graph, count);
    }
    free(iri);
  }
  kg__buf_free(&text);
  return st;
}
