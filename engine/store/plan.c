/* Choosing index orderings for quad patterns. */
#include "plan.h"

#include <string.h>

const int kg__d_cols[KG__ND][4] = {{0, 1, 2, -1}, {1, 2, 0, -1}, {2, 0, 1, -1}};
const int kg__n_cols[KG__NN][4] = {{0, 1, 2, 3}, {1, 2, 0, 3}, {2, 0, 1, 3},
                                   {3, 0, 1, 2}, {3, 1, 2, 0}, {3, 2, 0, 1}};

/* Can ordering `cols` (width w) serve a pattern whose bound positions are
 * `bound` (nbound of them), with `konst` the positions constant in the
 * part, in the requested `order` (may be NULL)? */
static bool serves(const int *cols,
                   unsigned w,
                   unsigned bound,
                   unsigned nbound,
                   unsigned konst,
                   const int *order,
                   int norder)
{
  for (unsigned i = 0; i < nbound; i++) {
    if (!(bound & (1u << cols[i]))) {
      return false;
    }
  }
  unsigned j = 0;
  for (int i = 0; i < norder; i++) {
    if (konst & (1u << order[i])) {
      continue;
    }
    while (j < w && (konst & (1u << cols[j]))) {
      j++;
    }
    if (j == w || cols[j] != order[i]) {
      return false;
    }
    j++;
  }
  return true;
}

static unsigned popcount4(unsigned m)
{
  return (m & 1) + ((m >> 1) & 1) + ((m >> 2) & 1) + ((m >> 3) & 1);
}

static bool plan_part(kg__plan_part *p,
                      bool named,
                      const uint32_t *q,
                      unsigned bound,
                      unsigned konst,
                      const int *order,
                      int norder)
{
  unsigned nbound = popcount4(bound);
  int n = named ? KG__NN : KG__ND;
  unsigned w = named ? 4 : 3;
  for (int i = 0; i < n; i++) {
    const int *cols = named ? kg__n_cols[i] : kg__d_cols[i];
    if (serves(cols, w, bound, nbound, konst, order, norder)) {
      memset(p, 0, sizeof *p);
      p->named = named;
      p->ordering = i;
      p->width = w;
      p->k = nbound;
      for (unsigned j = 0; j < nbound; j++) {
        p->prefix[j] = q[cols[j]];
      }
      return true;
    }
  }
  return false;
}

kg_status kg__plan_make(const kg__id pattern[4],
                        const int *order,
                        kg__id top,
                        kg__plan *out)
{
  memset(out, 0, sizeof *out);
  if (order) {
    unsigned seen = 0;
    for (int i = 0; order[i] >= 0; i++) {
      if (i >= 4 || order[i] > 3 || (seen & (1u << order[i]))) {
        return KG_ERR_ARG;
      }
      seen |= 1u << order[i];
      out->order[out->norder++] = order[i];
    }
  }
  uint32_t q[4] = {0, 0, 0, 0};
  unsigned bound = 0;
  for (int i = 0; i < 3; i++) {
    if (pattern[i]) {
      if (pattern[i] < KG__FIRST_ID || pattern[i] >= top) {
        out->empty = true;
      }
      q[i] = (uint32_t)pattern[i];
      bound |= 1u << i;
    }
  }
  kg__id g = pattern[3];
  if (g != 0 && g != KG__DEFAULT_GRAPH && g != KG__NAMED_GRAPHS &&
      (g < KG__FIRST_ID || g >= top)) {
    out->empty = true;
  }
  if (g == 0 || g == KG__DEFAULT_GRAPH) {
    /* in the default table the graph is the constant 1 */
    if (!plan_part(&out->part[out->nparts], false, q, bound, bound | (1u << 3),
                   out->order, out->norder)) {
      return KG_ERR_ARG;
    }
    out->nparts++;
  }
  if (g != KG__DEFAULT_GRAPH) {
    unsigned nb = bound;
    if (g >= KG__FIRST_ID) {
      q[3] = (uint32_t)g;
      nb |= 1u << 3;
    }
    if (!plan_part(&out->part[out->nparts], true, q, nb, nb, out->order,
                   out->norder)) {
      return KG_ERR_ARG;
    }
    out->nparts++;
  }
  return KG_OK;
}

int kg__plan_cmp(const kg__plan *p, const kg__id *a, const kg__id *b)
{
  for (int i = 0; i < p->norder; i++) {
    int pos = p->order[i];
    if (a[pos] != b[pos]) {
      return a[pos] < b[pos] ? -1 : 1;
    }
  }
  return 0;
}

void kg__plan_quad(const kg__plan_part *part,
                   const uint32_t *key,
                   kg__id quad[4])
{
  const int *cols =
      part->named ? kg__n_cols[part->ordering] : kg__d_cols[part->ordering];
  quad[3] = KG__DEFAULT_GRAPH;
  for (unsigned i = 0; i < part->width; i++) {
    quad[cols[i]] = key[i];
  }
}

void kg__plan_key(const int *cols,
                  unsigned width,
                  const uint32_t *quad,
                  uint32_t *key)
{
  for (unsigned i = 0; i < width; i++) {
    key[i] = quad[cols[i]];
  }
}
