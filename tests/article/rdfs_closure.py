"""RDFS materialisation for the article tests.

Computes the triples entailed by the RDFS rules rdfs2 (domain), rdfs3
(range), rdfs5 (subPropertyOf transitivity), rdfs7 (subproperty
inheritance), rdfs9 (type via subClassOf) and rdfs11 (subClassOf
transitivity) to a fixpoint. The input is any iterable of (s, p, o) rdflib
terms (ontology and data together); the result holds only the triples that
are not already in the input. Literals never become subjects (rule rdfs3 is
skipped for literal objects).

Usage as a script:
    /usr/bin/python3 rdfs_closure.py ONTOLOGY.ttl DATA.trig > inferred.nt
"""

import sys

from rdflib import RDF, RDFS, Literal


def rdfs_closure(triples):
    """Return the set of triples entailed by the six rules, minus the input."""
    base = set(triples)
    known = set(base)
    while True:
        sub_class = {}
        sub_prop = {}
        domain = {}
        range_ = {}
        for s, p, o in known:
            if p == RDFS.subClassOf:
                sub_class.setdefault(s, set()).add(o)
            elif p == RDFS.subPropertyOf:
                sub_prop.setdefault(s, set()).add(o)
            elif p == RDFS.domain:
                domain.setdefault(s, set()).add(o)
            elif p == RDFS.range:
                range_.setdefault(s, set()).add(o)
        new = set()
        # rdfs11 and rdfs5: one step of transitivity per round
        for c, supers in sub_class.items():
            for d in supers:
                for e in sub_class.get(d, ()):
                    new.add((c, RDFS.subClassOf, e))
        for p, supers in sub_prop.items():
            for q in supers:
                for r in sub_prop.get(q, ()):
                    new.add((p, RDFS.subPropertyOf, r))
        for s, p, o in known:
            # rdfs7
            for q in sub_prop.get(p, ()):
                new.add((s, q, o))
            # rdfs2
            for c in domain.get(p, ()):
                new.add((s, RDF.type, c))
            # rdfs3
            if not isinstance(o, Literal):
                for c in range_.get(p, ()):
                    new.add((o, RDF.type, c))
            # rdfs9
            if p == RDF.type:
                for c in sub_class.get(o, ()):
                    new.add((s, RDF.type, c))
        new -= known
        if not new:
            break
        known |= new
    return known - base


def load_union(ontology_path, data_path):
    """Load the ontology and the TriG data into one rdflib Dataset."""
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    ds.parse(ontology_path, format="turtle", publicID="urn:x-kgraph:ontology")
    ds.parse(data_path, format="trig")
    return ds


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: rdfs_closure.py ONTOLOGY.ttl DATA.trig\n")
        return 2
    ds = load_union(argv[1], argv[2])
    triples = {(s, p, o) for s, p, o, _g in ds.quads((None, None, None, None))}
    for s, p, o in sorted(rdfs_closure(triples)):
        sys.stdout.write("%s %s %s .\n" % (s.n3(), p.n3(), o.n3()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
