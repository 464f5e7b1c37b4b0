/* N-Triples and N-Quads writer: one statement per line, in sorted order,
 * in the canonical style of the N-Triples recommendation (single spaces,
 * " ." at the end, no prefixes, ECHAR for TAB BS LF CR FF " \, \uXXXX for
 * the other control characters, everything else as raw UTF-8). */
#include "writer.h"

#include <string.h>

static void nt_term(kg__writer *w, const kg_term *t, size_t bnode)
{
  const char *v = kg__w_value(t);
  switch (t->kind) {
  case KG_TERM_IRI:
    kg__w_iriref(w, v, t->value_len);
    break;
  case KG_TERM_BLANK:
    kg__w_puts(w, "_:");
    kg__w_bnode(w, bnode);
    break;
  default:
    kg__w_string(w, v, t->value_len, true);
    if (t->lang && t->lang[0]) {
      kg__w_putc(w, '@');
      kg__w_puts(w, t->lang);
    } else if (t->datatype) {
      kg__w_puts(w, "^^");
      kg__w_iriref(w, t->datatype, strlen(t->datatype));
    }
    break;
  }
}

kg_status kg__write_ntriples(kg__writer *w, bool quads)
{
  for (size_t i = 0; i < w->q->n; i++) {
    const kg__quad *d = &w->q->v[i];
    const size_t *b = w->bnode + 3 * i;
    nt_term(w, &d->s, b[0]);
    kg__w_putc(w, ' ');
    nt_term(w, &d->p, KG__NO_BNODE);
    kg__w_putc(w, ' ');
    nt_term(w, &d->o, b[1]);
    if (quads && d->g.kind != 0) {
      kg__w_putc(w, ' ');
      nt_term(w, &d->g, b[2]);
    }
    kg__w_puts(w, " .\n");
  }
  return KG_OK;
}
