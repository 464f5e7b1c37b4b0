"""Evaluate the competency queries with rdflib and write or check their results.

    /usr/bin/python3 tests/article/run_queries.py          # check expected/*.tsv
    /usr/bin/python3 tests/article/run_queries.py --write  # (re)write them

Queries are queries/<name>.rq; manifest.tsv lists them with their tags and
whether they need RDFS inference. The dataset is ontology/kgraph.ttl plus
data/article.trig with the union of all graphs as the default graph; for
inference queries the triples entailed by rdfs_closure.py are added in the
named graph https://w3id.org/kgraph/graph/inferred.

Results are written in SPARQL 1.1 TSV with every typed literal in full form
("lexical"^^<datatype>). Without ORDER BY the rows are sorted lexically.
"""

import os
import re
import sys

from rdflib import Dataset, Literal, URIRef, BNode
from rdflib.namespace import XSD

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from rdfs_closure import rdfs_closure  # noqa: E402

INFERRED = URIRef("https://w3id.org/kgraph/graph/inferred")
ONTOLOGY_GRAPH = URIRef("https://w3id.org/kgraph/ontology")


def read_manifest():
    rows = []
    with open(os.path.join(HERE, "manifest.tsv"), encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            name, tags, inference = line.rstrip("\n").split("\t")
            rows.append((name, tags.split(","), inference == "rdfs"))
    return rows


def load(inference):
    ds = Dataset(default_union=True)
    ds.parse(os.path.join(ROOT, "ontology", "kgraph.ttl"), format="turtle", publicID=ONTOLOGY_GRAPH)
    ds.parse(os.path.join(ROOT, "data", "article.trig"), format="trig")
    if inference:
        triples = {(s, p, o) for s, p, o, _g in ds.quads((None, None, None, None))}
        g = ds.graph(INFERRED)
        for t in rdfs_closure(triples):
            g.add(t)
    return ds


def escape(s):
    return (
        s.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace('"', '\\"')
    )


def term(t):
    if t is None:
        return ""
    if isinstance(t, URIRef):
        return "<%s>" % t
    if isinstance(t, BNode):
        return "_:%s" % t
    if isinstance(t, Literal):
        lex = escape(str(t))
        if t.language:
            return '"%s"@%s' % (lex, t.language)
        if t.datatype is not None and t.datatype != XSD.string:
            return '"%s"^^<%s>' % (lex, t.datatype)
        return '"%s"' % lex
    raise TypeError(t)


def has_order_by(text):
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    return re.search(r"\bORDER\s+BY\b", body, re.I) is not None


def evaluate(ds, text):
    res = ds.query(text)
    if res.type == "ASK":
        return "?_askResult\n%s\n" % ("true" if res.askAnswer else "false")
    names = [str(v) for v in res.vars]
    rows = ["\t".join(term(row[v]) for v in res.vars) for row in res]
    if not has_order_by(text):
        rows.sort()
    return "".join(l + "\n" for l in ["\t".join("?" + n for n in names)] + rows)


def main(argv):
    write = "--write" in argv[1:]
    datasets = {}
    failed = 0
    manifest = read_manifest()
    for name, _tags, inference in manifest:
        if inference not in datasets:
            datasets[inference] = load(inference)
        with open(os.path.join(ROOT, "queries", name + ".rq"), encoding="utf-8") as fh:
            text = fh.read()
        got = evaluate(datasets[inference], text)
        path = os.path.join(HERE, "expected", name + ".tsv")
        if write:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(got)
            continue
        with open(path, encoding="utf-8") as fh:
            want = fh.read()
        if got != want:
            print("FAIL %s" % name)
            failed += 1
    if not write:
        print("%d passed, %d failed" % (len(manifest) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
