"""Run every competency query through the kgraph CLI and compare with the
reviewed expected results in expected/.

    /usr/bin/python3 tests/article/run_kgraph.py BUILD/kgraph

Queries marked `rdfs` in manifest.tsv run over the article graph with its
RDFS entailments; the others with inference switched off (--inference none),
because some count asserted facts only. kgraph writes TSV with bare numbers
where the spec allows; the expected files always use the full typed form,
so numbers are normalised before comparing. Rows are compared in order when
the query has ORDER BY, else as sorted lists.

known-failures.tsv lists queries that kgraph does not answer correctly yet,
each with the reason. A listed query that now passes is reported too, so
that the list stays true. Prints "N passed, M failed"; exits 1 on any
unexpected result.
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
XSD = "http://www.w3.org/2001/XMLSchema#"

BARE = [
    (re.compile(r"^[+-]?[0-9]+$"), "integer"),
    (re.compile(r"^[+-]?[0-9]*\.[0-9]+$"), "decimal"),
    (re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$"), "double"),
    (re.compile(r"^(true|false)$"), "boolean"),
]


def normalise(cell):
    for pattern, dtype in BARE:
        if pattern.match(cell):
            return '"%s"^^<%s%s>' % (cell, XSD, dtype)
    return cell


def read_lines(text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def normalise_rows(lines):
    if not lines:
        return lines
    out = [lines[0]]
    for line in lines[1:]:
        out.append("\t".join(normalise(c) for c in line.split("\t")))
    return out


def has_order_by(query):
    body = "\n".join(l for l in query.split("\n") if not l.lstrip().startswith("#"))
    return re.search(r"\bORDER\s+BY\b", body, re.I) is not None


def main():
    if len(sys.argv) != 2:
        print("usage: run_kgraph.py KGRAPH", file=sys.stderr)
        return 2
    kgraph = sys.argv[1]
    known = {}
    with open(os.path.join(HERE, "known-failures.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, reason = line.rstrip("\n").split("\t", 1)
            known[name] = reason
    passed = failed = 0
    with open(os.path.join(HERE, "manifest.tsv"), encoding="utf-8") as f:
        entries = [l.rstrip("\n").split("\t") for l in f
                   if l.strip() and not l.startswith("#")]
    for name, _tags, inference in entries:
        qpath = os.path.join(ROOT, "queries", name + ".rq")
        with open(qpath, encoding="utf-8") as f:
            query = f.read()
        with open(os.path.join(HERE, "expected", name + ".tsv"), encoding="utf-8") as f:
            want = read_lines(f.read())
        args = [kgraph, "query", "--results", "tsv", "-q", qpath]
        if inference == "no":
            args[2:2] = ["--inference", "none"]
        proc = subprocess.run(args, capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        got = normalise_rows(read_lines(proc.stdout.decode("utf-8", "replace")))
        want = normalise_rows(want)
        if not has_order_by(query):
            got = got[:1] + sorted(got[1:])
            want = want[:1] + sorted(want[1:])
        ok = proc.returncode == 0 and got == want
        if ok and name not in known:
            passed += 1
        elif not ok and name in known:
            passed += 1
            print("known failure %s: %s" % (name, known[name]))
        elif ok:
            failed += 1
            print("FIXED %s: remove it from known-failures.tsv" % name)
        else:
            failed += 1
            print("FAIL %s (exit %d)" % (name, proc.returncode))
            err = proc.stderr.decode("utf-8", "replace").strip()
            if err:
                print("  stderr: " + err.split("\n")[0])
            for line in want[:8]:
                print("  want: " + line)
            for line in got[:8]:
                print("  got:  " + line)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
