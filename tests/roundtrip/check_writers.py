#!/usr/bin/python3
"""Read the writers' golden files back with independent parsers and check
that each one holds exactly the statements tests/unit/test_writers.c meant
to write.

Parsers: rdflib (always), and Raptor's rapper and serd's serdi when they are
installed (their output is read as N-Quads by rdflib). The expected
statements below are written out by hand from test_writers.c; they are the
reference, not anything a writer produced.

Usage: check_writers.py [GOLDEN_DIR]   (default: ../golden/writers)
Exit status 0 when every check passes, 1 when one fails, 77 when rdflib is
missing.
"""
import logging
import os
import shutil
import subprocess
import sys

from urllib.parse import quote

try:
    import rdflib
    from rdflib import BNode, Literal, URIRef
    from rdflib.compare import isomorphic
except ImportError:
    print("rdflib is not installed: skipped")
    sys.exit(77)  # ctest: SKIP_RETURN_CODE 77

# Keep lexical forms as written ("042" stays "042"); quiet rdflib's
# warnings about IRIs it would not write itself.
logging.getLogger("rdflib").setLevel(logging.ERROR)
rdflib.NORMALIZE_LITERALS = False

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FOAF = "http://xmlns.com/foaf/0.1/"
BLANK_GRAPH = "urn:check:blank-graph"  # stands for the one blank graph name


def I(v):
    return URIRef(v)


def L(v, lang=None, dt=None):
    return Literal(v, lang=lang, datatype=URIRef(dt) if dt else None)


def main_quads():
    """(s, p, o, g) with g None for the default graph."""
    b = {k: BNode(k) for k in ("anon", "other", "inner")}
    alice, bob = I(EX + "alice"), I(EX + "bob")
    name, typ, p = I(FOAF + "name"), I(RDF + "type"), I(EX + "p")
    q = [
        (alice, typ, I(FOAF + "Person"), None),
        (alice, name, L("Alice", lang="en"), None),
        (alice, name, L("Алиса", lang="sr-Cyrl"), None),
        (alice, I(FOAF + "knows"), bob, None),
        (alice, I(FOAF + "knows"), b["anon"], None),
        (bob, typ, I(FOAF + "Person"), None),
        (bob, typ, I(EX + "Agent"), None),
        (bob, name, L("Vučić"), None),
        (bob, I(EX + "nick"), L("bobby"), None),
        (b["anon"], name, L("Anon"), None),
        (b["anon"], I(EX + "next"), b["other"], None),
    ]
    esc = I(EX + "escapes")
    for pred, val in [("quote", 'say "hi"'), ("lines", "one\ntwo\r\nthree"),
                      ("tab", "a\tb"), ("backslash", "C:\\dir\\"),
                      ("nul", "a\x00b"), ("controls", "\x01\b\f\x1f\x7f"),
                      ("utf8", "Ćevapi € 𝄞"), ("empty", "")]:
        q.append((esc, I(EX + pred), L(val), None))
    num, v = I(EX + "numbers"), I(EX + "v")
    for val, dt in [("42", "integer"), ("-5", "integer"), ("+7", "integer"),
                    ("042", "integer"), (" 42", "integer"),
                    ("4x", "integer"), ("1.5", "decimal"),
                    ("-.5", "decimal"), ("1.", "decimal"), ("7", "decimal"),
                    ("1e3", "double"), ("-1.E-2", "double"),
                    (".5e+1", "double"), ("1.5", "double"),
                    ("INF", "double"), ("true", "boolean"),
                    ("false", "boolean"), ("TRUE", "boolean"),
                    ("1", "boolean"), ("2024-02-29", "date")]:
        q.append((num, v, L(val, dt=XSD + dt), None))
    q.append((num, v, L("x", dt="http://other.org/dt#t"), None))
    names = I(EX + "names")
    for o in [EX + "123", EX + "a%20b", EX + "a.b", EX + "end.",
              EX + "path/x", EX + "q?x=1", EX, EX + "bad/x",
              "http://other.org/x", "urn:isbn:0451450523"]:
        q.append((names, p, I(o), None))
    g1, g2 = I(EX + "g1"), I("http://other.org/g2")
    q += [
        (alice, p, L("in g1"), g1),
        (b["inner"], p, bob, g1),
        (alice, typ, I(FOAF + "Person"), g1),
        (I(EX + "s"), p, I(EX + "o"), g2),
        (I(EX + "s"), p, L("in a blank graph"), BLANK_GRAPH),
        (bob, name, L("Vučić"), g2),
    ]
    return q


def xml_triples():
    alice, x = I(EX + "alice"), BNode("x")
    text = I(EX + "text")
    return [
        (alice, I(RDF + "type"), I(FOAF + "Person")),
        (alice, I(FOAF + "name"), L("Alice", lang="en")),
        (alice, I(FOAF + "name"), L("Vučić")),
        (alice, I(EX + "age"), L("42", dt=XSD + "integer")),
        (alice, I(FOAF + "knows"), x),
        (alice, I(EX + "home"), I(EX + 'q?a=1&b=<2>"3"')),
        (alice, I("http://other.org/vocab#prop"), L("o")),
        (alice, I(EX + "deep/prop"), L("d")),
        (alice, I("http://other.org/vocab#second"), L("s")),
        (alice, I(EX + "v2/9lives"), L("cat")),
        (text, I(EX + "markup"), L("a < b & c > d \"q\" 'a'")),
        (text, I(EX + "lines"), L("one\ntwo\r\nthree\tfour")),
        (text, I(EX + "empty"), L("")),
        (text, I(EX + "emptyTyped"), L("")),
        (x, I(FOAF + "name"), L("Anon")),
        (x, I(EX + "date"), L("2024-02-29", dt=XSD + "date")),
    ]


def graph_of(triples):
    g = rdflib.Graph()
    for t in triples:
        g.add(t)
    return g


def tagged(quads):
    """A dataset as one graph: the graph name is folded into the predicate,
    so isomorphism also compares graph membership. Blank graph names become
    BLANK_GRAPH (the data has one)."""
    g = rdflib.Graph()
    for s, p, o, c in quads:
        if c is None:
            tag = "default"
        elif isinstance(c, BNode) or c == BLANK_GRAPH:
            tag = BLANK_GRAPH
        else:
            tag = str(c)
        g.add((s, URIRef(str(p) + "@graph=" + quote(tag, safe="")), o))
    return g


def parse_triples(path, fmt, data=None):
    g = rdflib.Graph()
    if data is None:
        g.parse(path, format=fmt)
    else:
        g.parse(data=data, format=fmt)
    return g


def parse_quads(path, fmt, data=None):
    """(s, p, o, g) with g None for the default graph. rdflib puts the
    default graph's triples into the context that parse() returns."""
    d = rdflib.ConjunctiveGraph()
    if data is None:
        default = d.parse(path, format=fmt)
    else:
        default = d.parse(data=data, format=fmt)
    out = []
    for s, p, o, ctx in d.quads((None, None, None, None)):
        name = ctx.identifier
        out.append((s, p, o, None if name == default.identifier else name))
    return out


NUMERIC = {URIRef(XSD + t) for t in ("integer", "decimal", "double",
                                       "boolean")}


def drop_numeric(g):
    """rdflib 6 turns Turtle's bare numbers into canonical lexical forms
    (042 is read as "42"), unlike the Turtle spec, serd and Raptor: its
    view leaves typed numbers and booleans out on both sides."""
    out = rdflib.Graph()
    for t in g:
        if not (isinstance(t[2], Literal) and t[2].datatype in NUMERIC):
            out.add(t)
    return out


def raptor_view(g):
    """Raptor ends a literal at its first NUL byte, and its N-Triples
    reader lower-cases language tags (which RDF compares case-blind)."""
    out = rdflib.Graph()
    for s, p, o in g:
        if isinstance(o, Literal):
            text = str(o).split("\x00")[0]
            lang = o.language.lower() if o.language else None
            o = Literal(text, lang=lang, datatype=o.datatype)
        out.add((s, p, o))
    return out


def printable(g):
    """rdflib's isomorphism test cannot hash IRIs holding characters such
    as <, > or quotes: percent-encode those on both sides first."""
    def fix(t):
        if isinstance(t, URIRef):
            return URIRef(quote(str(t), safe=":/?#[]@!$&'()*+,;=%-._~"))
        return t
    out = rdflib.Graph()
    for s, p, o in g:
        out.add((fix(s), fix(p), fix(o)))
    return out


FAILED = []


def check(label, ok):
    print(("ok   " if ok else "FAIL ") + label)
    if not ok:
        FAILED.append(label)


def same(label, got, want):
    got, want = printable(got), printable(want)
    check("%s (%d statements)" % (label, len(got)),
          len(got) == len(want) and isomorphic(got, want))


def run(tool_args, path):
    r = subprocess.run(tool_args + [path], capture_output=True)
    if r.returncode != 0 or r.stderr.strip():
        return None, r.stderr.decode("utf-8", "replace").strip()
    return r.stdout.decode("utf-8"), None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    gold = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "golden", "writers")
    quads = main_quads()
    want_triples = graph_of({(s, p, o) for s, p, o, _ in quads})
    want_quads = tagged(quads)
    want_xml = graph_of(xml_triples())

    files = [("main.ttl", "turtle", "triples", want_triples),
             ("main.nt", "nt", "triples", want_triples),
             ("main.trig", "trig", "quads", want_quads),
             ("main.nq", "nquads", "quads", want_quads),
             ("xml.rdf", "xml", "triples", want_xml)]
    rapper_fmt = {"turtle": "turtle", "nt": "ntriples", "trig": "trig",
                  "nquads": "nquads", "xml": "rdfxml"}
    serdi_fmt = {"turtle": "turtle", "nt": "ntriples", "trig": "trig",
                 "nquads": "nquads"}
    for name, fmt, kind, want in files:
        path = os.path.join(gold, name)
        if kind == "triples":
            got = parse_triples(path, fmt)
        else:
            got = tagged(parse_quads(path, fmt))
        if fmt in ("turtle", "trig"):
            same("rdflib %s, without typed numbers" % name,
                 drop_numeric(got), drop_numeric(want))
        else:
            same("rdflib " + name, got, want)
        tools = []
        # Raptor 2.0.15 reads TriG without blank node graph names only
        if shutil.which("rapper") and fmt != "trig":
            tools.append(("rapper", ["rapper", "-q", "-i", rapper_fmt[fmt],
                                     "-o", "nquads"], raptor_view))
        if shutil.which("serdi") and fmt in serdi_fmt:
            tools.append(("serdi", ["serdi", "-i", serdi_fmt[fmt],
                                    "-o", "nquads"], None))
        for tool, args, view in tools:
            out, err = run(args, path)
            if out is None:
                check("%s %s: %s" % (tool, name, err[:200]), False)
                continue
            q = parse_quads(None, "nquads", out)
            if kind == "triples":
                g = graph_of({(s, p, o) for s, p, o, _ in q})
            else:
                g = tagged(q)
            if view:
                same("%s %s, Raptor's view" % (tool, name), view(g),
                     view(want))
            else:
                same("%s %s" % (tool, name), g, want)

    # DOT: every file must render
    if shutil.which("dot"):
        for name in ("main.dot", "dot.dot"):
            r = subprocess.run(["dot", "-Tsvg", os.path.join(gold, name)],
                               capture_output=True)
            check("dot -Tsvg %s" % name,
                  r.returncode == 0 and not r.stderr.strip())
    if FAILED:
        print("%d check(s) failed" % len(FAILED))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
