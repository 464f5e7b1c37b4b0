/* Which index orderings serve a quad pattern, shared by the native stores.
 *
 * Both keep two tables: the default graph as triples in the orderings
 * SPO, POS, OSP, and the named graphs as quads in SPOG, POSG, OSPG, GSPO,
 * GPOS, GOSP. A pattern becomes one or two parts, each a prefix range of
 * one ordering of one table. */
#ifndef KG_STORE_PLAN_H
#define KG_STORE_PLAN_H

#include "store.h"

enum { KG__ND = 3, KG__NN = 6 };

/* Quad positions (0 s, 1 p, 2 o, 3 g) of each ordering's key numbers. */
extern const int kg__d_cols[KG__ND][4];
extern const int kg__n_cols[KG__NN][4];

typedef struct kg__plan_part {
  bool named;         /* the named-graph table, else the default graph */
  int ordering;       /* index into kg__d_cols or kg__n_cols */
  unsigned width;     /* 3 or 4 */
  unsigned k;         /* bound key numbers: the prefix */
  uint32_t prefix[4]; /* their values, in the ordering's order */
} kg__plan_part;

typedef struct kg__plan {
  int nparts;
  kg__plan_part part[2];
  bool empty; /* a bound ID cannot occur: no quad matches */
  int order[4];
  int norder;
} kg__plan;

/* Plan `pattern` (`top`: the first ID not assigned yet) so that the parts
 * come out sorted by `order` (may be NULL; positions ending with -1).
 * KG_ERR_ARG when the order is malformed or no ordering delivers it. */
kg_status kg__plan_make(const kg__id pattern[4],
                        const int *order,
                        kg__id top,
                        kg__plan *out);

/* Compare two quads on the plan's order positions. */
int kg__plan_cmp(const kg__plan *p, const kg__id *a, const kg__id *b);

/* The quad of a key of a part's ordering (graph 1 for the default table). */
void kg__plan_quad(const kg__plan_part *part,
                   const uint32_t *key,
                   kg__id quad[4]);

/* The key of a quad in ordering `cols` (width numbers). */
void kg__plan_key(const int *cols,
                  unsigned width,
                  const uint32_t *quad,
                  uint32_t *key);

#endif
