#!/bin/sh
# Read every golden SPARQL result file back with rdflib (an independent
# implementation of the four formats) and check that it yields exactly the
# values the writers were given; check that the XML and JSON documents use
# only the structures found in the W3C test suite's .srx / .srj files.
#
# usage: tests/roundtrip/results.sh [golden-dir [w3c-sparql-dir]]
# Needs /usr/bin/python3 with rdflib (Debian: python3-rdflib); exits 77
# (skipped) without it.
here=$(cd "$(dirname "$0")" && pwd)
golden=${1:-$here/../golden/results}
w3c=${2:-$here/../../../shared/w3c/sparql}
py=/usr/bin/python3
if ! "$py" -c 'import rdflib' 2>/dev/null; then
  echo "results_roundtrip: rdflib not available, skipped"
  exit 77
fi
exec "$py" - "$golden" "$w3c" <<'PYEOF'
import glob
import json
import os
import sys
import warnings
import xml.etree.ElementTree as ET

from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

warnings.simplefilter("ignore")
golden, w3c = sys.argv[1], sys.argv[2]
XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"


class Lit(tuple):
    """A literal as given to the writers: (lexical, datatype, lang)."""


def lit(v, dt=None, lang=None):
    return Lit((v, dt, lang))


def rdflib_term(t):
    if isinstance(t, Lit):
        v, dt, lang = t
        return Literal(v, datatype=URIRef(dt) if dt else None, lang=lang)
    return t


# What the unit test gives the writers (tests/unit/test_results.c).
SELECT_VARS = ["s", "label", "n", "note"]
SELECT_ROWS = [
    {"s": URIRef(EX + "alice"), "label": lit("Alice", lang="en"),
     "n": lit("42", XSD + "integer")},
    {"s": BNode("b0"), "label": lit("Vu\u010di\u0107", lang="sr-Latn"),
     "n": lit("3.14", XSD + "decimal"),
     "note": lit('say "hi", then\nleave\tnow \\ ok')},
    {"s": URIRef(EX + "q?a=1&b=2"), "n": lit("1.0E6", XSD + "double"),
     "note": lit("x<y & z>", EX + "dt")},
    {},
    {"s": URIRef(EX + "s5"), "label": lit(" padded "),
     "n": lit("forty", XSD + "integer"), "note": lit("true", XSD + "boolean")},
    {"s": URIRef(EX + "s5"), "label": lit("1"), "note": lit("a\r\nb")},
]
CONTROLS_VARS = ["v", "i"]
CONTROLS_ROWS = [{"v": lit("a\x00b\x01c\x7f"), "i": URIRef(EX + "\x1f")}]

CASES = {
    "select": (SELECT_VARS, SELECT_ROWS),
    "empty": (["s", "o"], []),
    "single": (["x"], [{"x": lit("Vu\u010di\u0107", lang="sr-Latn")}]),
    "novars": ([], []),
    "unit": ([], [{}]),
    "controls": (CONTROLS_VARS, CONTROLS_ROWS),
    "ask_true": (True, None),
    "ask_false": (False, None),
}
FORMATS = [("json", "srj"), ("xml", "srx"), ("csv", "csv"), ("tsv", "tsv")]
# Spec-conformant output that rdflib 6 cannot read: TSV with no variables
# (an empty header line) and TSV's \u escapes (Turtle UCHAR), which its
# TSV grammar lacks.
RDFLIB_CANNOT = {("novars", "tsv"), ("unit", "tsv"), ("controls", "tsv")}


def csv_view(term):
    """CSV keeps only the text: IRIs bare, _:label, lexical forms."""
    if isinstance(term, BNode):
        return ("bnode", str(term))
    if isinstance(term, URIRef):
        return ("uri", str(term))
    return ("text", term[0])


def csv_got(term):
    if isinstance(term, BNode):
        s = str(term)
        return ("bnode", s[2:] if s.startswith("_:") else s)
    if isinstance(term, URIRef):
        return ("uri", str(term))
    return ("text", str(term))


def full_view(term):
    if isinstance(term, Literal):
        return ("literal", term, term.language,
                str(term.datatype) if term.datatype else None)
    return (type(term).__name__, str(term))


passed = failed = skipped = 0


def fail(what, msg):
    global failed
    failed += 1
    print("FAIL %s: %s" % (what, msg))


for name, (vars_, rows) in CASES.items():
    for fmt, ext in FORMATS:
        path = os.path.join(golden, "%s.%s" % (name, ext))
        what = "%s.%s" % (name, ext)
        if not os.path.exists(path):
            if not (name == "controls" and fmt == "xml"):
                fail(what, "missing")
            continue
        if (name, fmt) in RDFLIB_CANNOT:
            skipped += 1
            continue
        try:
            with open(path, "rb") as f:
                r = Result.parse(f, format=fmt)
        except Exception as e:  # noqa: BLE001
            fail(what, "rdflib cannot read it: %s" % e)
            continue
        if isinstance(vars_, bool):
            if fmt in ("json", "xml"):
                ok = r.type == "ASK" and r.askAnswer is vars_
            else:
                want = "true" if vars_ else "false"
                got = [{str(k): v for k, v in b.items()} for b in r.bindings]
                ok = ([str(v) for v in r.vars] == ["_askResult"] and
                      len(got) == 1 and str(got[0]["_askResult"]) == want)
                if fmt == "tsv":
                    ok = ok and got[0]["_askResult"] == Literal(
                        want, datatype=URIRef(XSD + "boolean"))
            if not ok:
                fail(what, "wrong boolean")
            else:
                passed += 1
            continue
        if [str(v) for v in r.vars] != vars_:
            fail(what, "variables %s" % r.vars)
            continue
        got = [{str(k): v for k, v in b.items() if v is not None}
               for b in r.bindings]
        if fmt == "csv":
            want = [{k: csv_view(v) for k, v in row.items()} for row in rows]
            got = [{k: csv_got(v) for k, v in row.items()} for row in got]
        else:
            want = [{k: full_view(rdflib_term(v)) for k, v in row.items()}
                    for row in rows]
            got = [{k: full_view(v) for k, v in row.items()} for row in got]
        if got != want:
            fail(what, "values differ:\n  got  %s\n  want %s" % (got, want))
        else:
            passed += 1


# ---- structure against the W3C test suite ----
XML_NS = "{http://www.w3.org/XML/1998/namespace}"


def xml_shapes(path):
    shapes = set()

    def walk(el, prefix):
        tag = el.tag.split("}")[-1]
        attrs = tuple(sorted(a.replace(XML_NS, "xml:") for a in el.attrib))
        p = prefix + "/" + tag
        shapes.add((p, attrs))
        for c in el:
            walk(c, p)

    walk(ET.parse(path).getroot(), "")
    return shapes


def json_shapes(doc):
    shapes = set()
    shapes.add(("top", tuple(sorted(doc))))
    shapes.add(("head", tuple(sorted(doc["head"]))))
    if "results" in doc:
        shapes.add(("results", tuple(sorted(doc["results"]))))
        for b in doc["results"]["bindings"]:
            for term in b.values():
                shapes.add(("term", term["type"], tuple(sorted(term))))
    return shapes


srx = glob.glob(os.path.join(w3c, "**", "*.srx"), recursive=True)
srj = glob.glob(os.path.join(w3c, "**", "*.srj"), recursive=True)
if not srx or not srj:
    print("W3C samples not found under %s: structure check skipped" % w3c)
    skipped += 1
else:
    known = set()
    for p in srx:
        try:
            known |= xml_shapes(p)
        except ET.ParseError:
            pass
    for p in sorted(glob.glob(os.path.join(golden, "*.srx"))):
        extra = xml_shapes(p) - known
        if extra:
            fail(os.path.basename(p), "shapes not in the W3C .srx: %s" % extra)
        else:
            passed += 1
    known = set()
    for p in srj:
        with open(p, encoding="utf-8") as f:
            known |= json_shapes(json.load(f))
    # The spec's form for a language-tagged literal; no W3C .srj has one.
    known.add(("term", "literal", ("type", "value", "xml:lang")))
    for p in sorted(glob.glob(os.path.join(golden, "*.srj"))):
        with open(p, encoding="utf-8") as f:
            extra = json_shapes(json.load(f)) - known
        if extra:
            fail(os.path.basename(p), "shapes not in the W3C .srj: %s" % extra)
        else:
            passed += 1

print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
PYEOF
