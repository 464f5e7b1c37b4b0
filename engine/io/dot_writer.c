/* Graphviz DOT writer: a digraph with one node per IRI or blank node (n0,
 * n1, ... in order of first appearance), one box-shaped node per literal
 * occurrence and one edge per triple, labelled with the predicate. IRIs
 * are labelled with a prefixed name where the prefixes give one, else with
 * the full IRI; literals with their Turtle-like form ("text"@lang,
 * "text"^^datatype). Graphs are merged. */
#include "writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dnode {
  const kg_term *t;
  size_t id; /* SIZE_MAX until declared */
} dnode;

typedef struct dw {
  kg__writer *w;
  dnode *nodes;
  size_t nnodes;
  size_t next;
} dw;

static int dnode_cmp(const void *va, const void *vb)
{
  const dnode *a = va;
  const dnode *b = vb;
  return kg__term_cmp(a->t, b->t);
}

/* Text inside a DOT string: \" and \\ escaped, LF as \n (a line break in
 * the label); other control characters are shown as a visible \uXXXX. */
static void dot_escaped(kg__writer *w, const char *s, size_t len)
{
  size_t i = 0;
  while (i < len) {
    uint32_t c = kg__w_next(s, len, &i);
    if (c == '"' || c == '\\') {
      kg__w_putc(w, '\\');
      kg__w_putc(w, (char)c);
    } else if (c == '\n') {
      kg__w_puts(w, "\\n");
    } else if (c < 0x20 || c == 0x7F) {
      kg__w_putc(w, '\\');
      kg__w_uchar(w, c);
    } else {
      kg__w_utf8(w, c);
    }
  }
}

static void dot_iri(kg__writer *w, const char *iri, size_t len)
{
  size_t k = kg__w_prefix_for(w->prefixes, iri, len);
  if (k != SIZE_MAX && w->prefixes) {
    const kg__prefix *p = &w->prefixes->v[k];
    size_t n = strlen(p->iri);
    dot_escaped(w, p->prefix, strlen(p->prefix));
    kg__w_putc(w, ':');
    dot_escaped(w, iri + n, len - n);
  } else {
    dot_escaped(w, iri, len);
  }
}

static void dot_id(kg__writer *w, size_t id)
{
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "n%zu", id);
  kg__w_write(w, tmp, (size_t)n);
}

/* The node id of an IRI or blank node, declaring the node on first use. */
static size_t dot_node(dw *d, const kg_term *t, size_t bnode)
{
  kg__writer *w = d->w;
  dnode key = {t, 0};
  dnode *e = bsearch(&key, d->nodes, d->nnodes, sizeof key, dnode_cmp);
  if (!e) {
    return SIZE_MAX; /* not reached: every node is in the table */
  }
  if (e->id != SIZE_MAX) {
    return e->id;
  }
  e->id = d->next++;
  kg__w_puts(w, "  ");
  dot_id(w, e->id);
  kg__w_puts(w, " [label=\"");
  if (t->kind == KG_TERM_BLANK) {
    kg__w_puts(w, "_:");
    kg__w_bnode(w, bnode);
  } else {
    dot_iri(w, kg__w_value(t), t->value_len);
  }
  kg__w_puts(w, "\"];\n");
  return e->id;
}

static size_t dot_literal(dw *d, const kg_term *t)
{
  kg__writer *w = d->w;
  size_t id = d->next++;
  kg__w_puts(w, "  ");
  dot_id(w, id);
  kg__w_puts(w, " [label=\"\\\"");
  dot_escaped(w, kg__w_value(t), t->value_len);
  kg__w_puts(w, "\\\"");
  if (t->lang && t->lang[0]) {
    kg__w_putc(w, '@');
    dot_escaped(w, t->lang, strlen(t->lang));
  } else if (t->datatype) {
    kg__w_puts(w, "^^");
    dot_iri(w, t->datatype, strlen(t->datatype));
  }
  kg__w_puts(w, "\", shape=box];\n");
  return id;
}

kg_status kg__write_dot(kg__writer *w)
{
  const kg__quads *q = w->q;
  dw d = {w, malloc((q->n ? q->n : 1) * 2 * sizeof(dnode)), 0, 0};
  if (!d.nodes) {
    return KG_ERR_NOMEM;
  }
  for (size_t i = 0; i < q->n; i++) {
    d.nodes[d.nnodes].t = &q->v[i].s;
    d.nodes[d.nnodes++].id = SIZE_MAX;
    if (q->v[i].o.kind != KG_TERM_LITERAL) {
      d.nodes[d.nnodes].t = &q->v[i].o;
      d.nodes[d.nnodes++].id = SIZE_MAX;
    }
  }
  if (d.nnodes > 1) {
    qsort(d.nodes, d.nnodes, sizeof *d.nodes, dnode_cmp);
    size_t u = 1;
    for (size_t r = 1; r < d.nnodes; r++) {
      if (dnode_cmp(&d.nodes[u - 1], &d.nodes[r]) != 0) {
        d.nodes[u++] = d.nodes[r];
      }
    }
    d.nnodes = u;
  }
  kg__w_puts(w, "digraph kgraph {\n  rankdir=LR;\n");
  for (size_t i = 0; i < q->n; i++) {
    const kg__quad *t = &q->v[i];
    size_t s = dot_node(&d, &t->s, w->bnode[3 * i]);
    size_t o = t->o.kind == KG_TERM_LITERAL
                   ? dot_literal(&d, &t->o)
                   : dot_node(&d, &t->o, w->bnode[3 * i + 1]);
    kg__w_puts(w, "  ");
    dot_id(w, s);
    kg__w_puts(w, " -> ");
    dot_id(w, o);
    kg__w_puts(w, " [label=\"");
    dot_iri(w, kg__w_value(&t->p), t->p.value_len);
    kg__w_puts(w, "\"];\n");
  }
  kg__w_puts(w, "}\n");
  free(d.nodes);
  return KG_OK;
}
