"""Consistency checks for the article graph (ontology/kgraph.ttl, data/article.trig).

Run with a Python that has rdflib (on Debian: /usr/bin/python3):

    /usr/bin/python3 tests/article/check_graph.py [--data FILE] [--ontology FILE] [ARTICLE.txt]

ARTICLE.txt is the plain text of the article; when given, the text stored in
the data (nif:isString) must equal it. Offsets are always checked against
nif:isString. Prints one line per problem and exits 1 if there is any,
otherwise prints a summary line and exits 0.

Fact nodes: every resource that is an instance (directly or through
rdfs:subClassOf in the ontology) of one of FACT_CLASSES. Each must carry
kg:factStatus; each must carry kg:evidence pointing to nif:Sentence nodes,
except nodes with kg:factStatus kg:External, which must carry
prov:hadPrimarySource instead. Every sem:Event must state kg:modality.
"""

import os
import re
import sys

from rdflib import RDF, RDFS, OWL, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
ONTOLOGY = os.path.join(ROOT, "ontology", "kgraph.ttl")
DATA = os.path.join(ROOT, "data", "article.trig")

KG = Namespace("https://w3id.org/kgraph/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("http://schema.org/")

FACT_CLASSES = [
    SEM.Event,
    KG.QuantityObservation,
    KG.TemporalLink,
    KG.Generalisation,
    ORG.Membership,
    SEM.Role,
    SCHEMA.SocialMediaPosting,
]

BUILTIN = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
)

DECLARING_TYPES = {
    OWL.Class,
    RDFS.Class,
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
}

# Wikidata items verified for this article; no other may be stated.
VERIFIED_WIKIDATA = {
    WD[q]
    for q in (
        "Q7184",
        "Q458",
        "Q1246",
        "Q403",
        "Q25270",
        "Q3711",
        "Q239",
        "Q57792",
        "Q509156",
    )
}

GRAPH_BASE = "https://w3id.org/kgraph/graph/"
DOC_GRAPH_RE = re.compile(re.escape(GRAPH_BASE) + r"([a-z0-9-]+)/(s[0-9]+|entities|doc)$")
EXTERNAL_GRAPH_RE = re.compile(re.escape(GRAPH_BASE) + r"external/[a-z0-9-]+$")
CHAR_RE = re.compile(r"#char=([0-9]+),([0-9]+)$")


class Checker:
    def __init__(self):
        self.problems = []

    def fail(self, msg):
        self.problems.append(msg)


def subclasses_of(onto, cls):
    """All classes C with C rdfs:subClassOf* cls in the ontology."""
    result = {cls}
    todo = [cls]
    while todo:
        c = todo.pop()
        for sub in onto.subjects(RDFS.subClassOf, c):
            if sub not in result:
                result.add(sub)
                todo.append(sub)
    return result


def short(term):
    return term.n3() if hasattr(term, "n3") else str(term)


def check_declarations(chk, onto, union):
    declared = set()
    for s, _p, o in onto.triples((None, RDF.type, None)):
        if o in DECLARING_TYPES:
            declared.add(s)
    used_props = set(union.predicates())
    used_classes = set(union.objects(None, RDF.type))
    for term, kind in [(p, "property") for p in used_props] + [
        (c, "class") for c in used_classes
    ]:
        if str(term).startswith(BUILTIN):
            continue
        if term not in declared:
            chk.fail("%s %s used in data but not declared in the ontology" % (kind, short(term)))
        elif (term, RDFS.label, None) not in onto:
            chk.fail("%s %s has no rdfs:label in the ontology" % (kind, short(term)))
    # own terms need a label and a comment
    for s in set(onto.subjects()):
        if isinstance(s, URIRef) and str(s).startswith(str(KG)):
            types = set(onto.objects(s, RDF.type))
            if types & DECLARING_TYPES:
                if (s, RDFS.label, None) not in onto:
                    chk.fail("own term %s has no rdfs:label" % short(s))
                if (s, RDFS.comment, None) not in onto:
                    chk.fail("own term %s has no rdfs:comment" % short(s))


def check_facts(chk, onto, union, external_graphs, ds):
    fact_types = set()
    for c in FACT_CLASSES:
        fact_types |= subclasses_of(onto, c)
    event_types = subclasses_of(onto, SEM.Event)
    facts = set()
    for t in fact_types:
        facts |= set(union.subjects(RDF.type, t))
    sentences = set(union.subjects(RDF.type, NIF.Sentence))
    for f in sorted(facts):
        status = set(union.objects(f, KG.factStatus))
        if len(status) != 1:
            chk.fail("fact node %s has %d kg:factStatus values, expected 1" % (short(f), len(status)))
        evidence = set(union.objects(f, KG.evidence))
        if KG.External in status:
            if not set(union.objects(f, PROV.hadPrimarySource)):
                chk.fail("external fact node %s has no prov:hadPrimarySource" % short(f))
            for g in ds.graphs():
                if (f, RDF.type, None) in g and g.identifier not in external_graphs:
                    chk.fail("external fact node %s is typed outside an external graph" % short(f))
        elif not evidence:
            chk.fail("fact node %s has no kg:evidence" % short(f))
        for e in evidence:
            if e not in sentences:
                chk.fail("kg:evidence of %s is not a nif:Sentence: %s" % (short(f), short(e)))
        types = set(union.objects(f, RDF.type))
        if types & event_types and not set(union.objects(f, KG.modality)):
            chk.fail("event %s has no kg:modality" % short(f))
    supported = set(union.objects(None, KG.evidence))
    for s in sorted(sentences):
        if s not in supported:
            chk.fail("sentence %s supports no fact node" % short(s))
    return facts


def check_text(chk, union, article_text):
    contexts = list(union.subjects(RDF.type, NIF.Context))
    if len(contexts) != 1:
        chk.fail("expected one nif:Context, found %d" % len(contexts))
        return
    ctx = contexts[0]
    texts = list(union.objects(ctx, NIF.isString))
    if len(texts) != 1:
        chk.fail("nif:Context %s needs exactly one nif:isString" % short(ctx))
        return
    text = str(texts[0])
    if article_text is not None and text != article_text:
        chk.fail("nif:isString differs from the article file")
    spans = set(union.subjects(NIF.beginIndex, None)) | set(union.subjects(NIF.anchorOf, None))
    for node in sorted(spans):
        b = list(union.objects(node, NIF.beginIndex))
        e = list(union.objects(node, NIF.endIndex))
        if len(b) != 1 or len(e) != 1:
            chk.fail("%s needs exactly one nif:beginIndex and nif:endIndex" % short(node))
            continue
        for lit in (b[0], e[0]):
            if not isinstance(lit, Literal) or lit.datatype != XSD.nonNegativeInteger:
                chk.fail("offset of %s is not xsd:nonNegativeInteger: %s" % (short(node), short(lit)))
        bi, ei = int(b[0]), int(e[0])
        if not 0 <= bi <= ei <= len(text):
            chk.fail("offsets of %s out of range: %d,%d" % (short(node), bi, ei))
            continue
        if node == ctx:
            if (bi, ei) != (0, len(text)):
                chk.fail("context offsets %d,%d do not cover the text (%d code points)" % (bi, ei, len(text)))
            continue
        anchors = list(union.objects(node, NIF.anchorOf))
        if len(anchors) != 1:
            chk.fail("%s needs exactly one nif:anchorOf" % short(node))
        elif str(anchors[0]) != text[bi:ei]:
            chk.fail("nif:anchorOf of %s does not match code points %d-%d" % (short(node), bi, ei))
        m = CHAR_RE.search(str(node))
        if not m or (int(m.group(1)), int(m.group(2))) != (bi, ei):
            chk.fail("IRI of %s does not name its offsets %d,%d" % (short(node), bi, ei))
        if (node, NIF.referenceContext, ctx) not in union:
            chk.fail("%s has no nif:referenceContext to the context" % short(node))
        for s in union.objects(node, NIF.sentence):
            sb = int(union.value(s, NIF.beginIndex))
            se = int(union.value(s, NIF.endIndex))
            if not sb <= bi <= ei <= se:
                chk.fail("mention %s lies outside its nif:sentence %s" % (short(node), short(s)))
    sentences = sorted(union.subjects(RDF.type, NIF.Sentence), key=lambda s: int(union.value(s, NIF.beginIndex)))
    for s in sentences:
        if union.value(s, KG.sentenceNo) is None:
            chk.fail("sentence %s has no kg:sentenceNo" % short(s))
    for a, b in zip(sentences, sentences[1:]):
        if int(union.value(a, NIF.endIndex)) > int(union.value(b, NIF.beginIndex)):
            chk.fail("sentences %s and %s overlap" % (short(a), short(b)))
        if (a, NIF.nextSentence, b) not in union:
            chk.fail("sentence %s lacks nif:nextSentence %s" % (short(a), short(b)))


def check_graphs(chk, ds, union):
    names = {g.identifier for g in ds.graphs() if len(g)}
    external = set()
    for name in sorted(names):
        n = str(name)
        if EXTERNAL_GRAPH_RE.match(n):
            external.add(name)
            g = ds.graph(name)
            if (name, RDF.type, KG.ExternalGraph) not in g:
                chk.fail("external graph %s does not type itself kg:ExternalGraph" % short(name))
            if not set(g.objects(name, PROV.hadPrimarySource)):
                chk.fail("external graph %s names no prov:hadPrimarySource" % short(name))
        elif not DOC_GRAPH_RE.match(n):
            chk.fail("triples in unexpected graph %s" % short(name))
    for s in union.subjects(RDF.type, NIF.Sentence):
        for g in union.objects(s, KG.factGraph):
            if g not in names:
                chk.fail("kg:factGraph %s of %s holds no triples" % (short(g), short(s)))
    return external


def check_no_overrides(chk, ds, external):
    """An external graph must not give a second value to a property that the
    article's own graphs already fill for the same subject."""
    internal = set()
    for g in ds.graphs():
        if g.identifier not in external:
            for s, p, _o in g:
                internal.add((s, p))
    for name in sorted(external):
        for s, p, _o in ds.graph(name):
            if (s, p) in internal:
                chk.fail("external graph %s adds a value of %s to %s" % (short(name), short(p), short(s)))


def check_linking(chk, union):
    if (None, OWL.sameAs, None) in union:
        chk.fail("owl:sameAs is used; link with kg:wikidata instead")
    for s, o in union.subject_objects(KG.wikidata):
        if o not in VERIFIED_WIKIDATA:
            chk.fail("unverified Wikidata link %s -> %s" % (short(s), short(o)))
    for p in (RDFS.label, SKOS.altLabel):
        for s, o in union.subject_objects(p):
            if not isinstance(o, Literal) or o.language != "en":
                chk.fail("%s of %s is not an @en literal: %s" % (short(p), short(s), short(o)))


def check_round_trip(chk, ds, onto):
    text = ds.serialize(format="trig")
    back = Dataset()
    back.parse(data=text, format="trig")
    for g in ds.graphs():
        if not len(g):
            continue
        if not isomorphic(g, back.graph(g.identifier)):
            chk.fail("TriG round trip changes graph %s" % short(g.identifier))
    onto_back = Graph().parse(data=onto.serialize(format="turtle"), format="turtle")
    if not isomorphic(onto, onto_back):
        chk.fail("Turtle round trip changes the ontology")


def main(argv):
    article_text = None
    data_path, onto_path = DATA, ONTOLOGY
    args = argv[1:]
    while len(args) >= 2 and args[0] in ("--data", "--ontology"):
        if args[0] == "--data":
            data_path = args[1]
        else:
            onto_path = args[1]
        args = args[2:]
    if len(args) > 1 or (args and args[0].startswith("--")):
        sys.stderr.write("usage: check_graph.py [--data FILE] [--ontology FILE] [ARTICLE.txt]\n")
        return 2
    if args:
        with open(args[0], encoding="utf-8") as fh:
            article_text = fh.read()
    chk = Checker()
    onto = Graph()
    onto.parse(onto_path, format="turtle")
    ds = Dataset()
    ds.parse(data_path, format="trig")
    union = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    if len(list(ds.default_context.triples((None, None, None)))):
        chk.fail("data has triples outside named graphs")

    external = check_graphs(chk, ds, union)
    check_declarations(chk, onto, union)
    facts = check_facts(chk, onto, union, external, ds)
    check_text(chk, union, article_text)
    check_no_overrides(chk, ds, external)
    check_linking(chk, union)
    check_round_trip(chk, ds, onto)

    for p in chk.problems:
        print(p)
    if chk.problems:
        return 1
    print(
        "ok: %d quads in %d graphs, %d fact nodes, %d sentences"
        % (
            len(union),
            len([g for g in ds.graphs() if len(g)]),
            len(facts),
            len(set(union.subjects(RDF.type, NIF.Sentence))),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
