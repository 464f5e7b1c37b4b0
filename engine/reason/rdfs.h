/* RDFS materialisation. */
#ifndef KG_RDFS_H
#define KG_RDFS_H

#include "../term.h"

/* Append to `out`, in graph `graph`, every triple entailed from the
 * triples of `in` (graph names ignored) by the RDFS rules rdfs2 (domain),
 * rdfs3 (range; not for literal objects), rdfs5 (subPropertyOf is
 * transitive), rdfs7 (subproperty inheritance), rdfs9 (type through
 * subClassOf) and rdfs11 (subClassOf is transitive), to a fixpoint, that is
 * not itself in `in`. Output is sorted and free of duplicates. */
kg_status
kg__rdfs_closure(const kg__quads *in, const kg_term *graph, kg__quads *out);

#endif
