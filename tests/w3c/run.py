#!/usr/bin/python3
"""W3C conformance runner for kgraph.

Reads the W3C test manifests (SPARQL 1.0, SPARQL 1.1 query, update and result
formats, RDF 1.1 Turtle, TriG, N-Triples, N-Quads and RDF/XML), runs the
kgraph command-line tool once per test and compares what it prints with the
expected results. See docs/conformance.md for the rules and the latest
numbers, and --help for the options.

Exit status: 0 when no test of the baseline fails, 1 when one does (each is
named), 2 on a usage or setup error, 77 when the test suites are not there.
"""

import argparse
import concurrent.futures
import datetime
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import w3c_compare as C  # noqa: E402
import w3c_manifest as M  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# rdflib is not documented as thread-safe: every use of it (parsing expected
# files, graph isomorphism) holds this lock. kgraph processes still overlap.
RDFLIB_LOCK = threading.Lock()


# ---------------------------------------------------------------------------
# Query text: ORDER BY keys and FROM graphs

_QTOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.]*(?::[A-Za-z0-9_\-.:%]*)?|:[A-Za-z0-9_\-.:%]*)
  | (?P<punct>.)
''', re.X | re.S)


def analyze_query(text, base):
    """What the runner needs to know of a query.

    Returns (ordered, order_vars, from_iris): ordered is True when the
    outermost query has ORDER BY; order_vars lists its keys when every key is
    a plain variable (ASC/DESC allowed), else None; from_iris are the IRIs of
    FROM and FROM NAMED, resolved.
    """
    toks = [(m.lastgroup, m.group(m.lastgroup)) for m in _QTOKEN.finditer(text)
            if m.lastgroup not in ('ws', 'comment')]
    prefixes, froms = {}, []
    depth = 0
    ordered, order_vars = False, None
    i = 0

    def resolve(kind, val):
        if kind == 'iri':
            return urllib.parse.urljoin(base, val[1:-1])
        if kind == 'word' and ':' in val:
            p, local = val.split(':', 1)
            if p in prefixes:
                return prefixes[p] + local
        return None

    while i < len(toks):
        kind, val = toks[i]
        up = val.upper() if kind == 'word' else None
        if kind == 'punct' and val == '{':
            depth += 1
        elif kind == 'punct' and val == '}':
            depth -= 1
        elif depth == 0 and up == 'BASE' and i + 1 < len(toks) \
                and toks[i + 1][0] == 'iri':
            base = resolve(*toks[i + 1])
            i += 1
        elif depth == 0 and up == 'PREFIX' and i + 2 < len(toks) \
                and toks[i + 2][0] == 'iri':
            prefixes[toks[i + 1][1].rstrip(':')] = resolve(*toks[i + 2])
            i += 2
        elif depth == 0 and up == 'FROM' and i + 1 < len(toks):
            j = i + 1
            if toks[j][0] == 'word' and toks[j][1].upper() == 'NAMED':
                j += 1
            if j < len(toks):
                r = resolve(*toks[j])
                if r:
                    froms.append(r)
            i = j
        elif depth == 0 and up == 'ORDER' and i + 1 < len(toks) \
                and toks[i + 1][1].upper() == 'BY':
            ordered = True
            keys, simple, paren = [], True, 0
            j = i + 2
            while j < len(toks):
                k, v = toks[j]
                if paren == 0 and k == 'word' and v.upper() in (
                        'LIMIT', 'OFFSET', 'VALUES'):
                    break
                if k == 'punct' and v in '{}':
                    break
                if paren == 0 and k == 'var':
                    keys.append(v[1:])
                elif (paren == 0 and k == 'word' and v.upper() in ('ASC', 'DESC')
                      and j + 3 < len(toks) and toks[j + 1][1] == '('
                      and toks[j + 2][0] == 'var' and toks[j + 3][1] == ')'):
                    keys.append(toks[j + 2][1][1:])
                    j += 3
                else:
                    simple = False
                    if v == '(':
                        paren += 1
                    elif v == ')':
                        paren -= 1
                j += 1
            order_vars = keys if simple and keys else None
            i = j - 1
        i += 1
    return ordered, order_vars, froms


# ---------------------------------------------------------------------------
# Running kgraph

class Outcome:
    def __init__(self, args, rc=None, out=b'', err='', timeout=False, secs=0.0):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.timeout, self.secs = timeout, secs


def run_kgraph(args, timeout):
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        timed_out = True
    return Outcome(args, p.returncode, out, err.decode('utf-8', 'replace'),
                   timed_out, time.monotonic() - start)


_SANITIZER = re.compile(
    r'ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer|ThreadSanitizer)'
    r'(?::\s*(\S+))?|(runtime error): (.*)')


# The first frame of a leak report that is not the allocator itself.
_LEAK_FRAME = re.compile(
    r'(?:Direct|Indirect) leak of .*\n(?:\s+#\d+ 0x[0-9a-f]+ in '
    r'(?:malloc|calloc|realloc|strdup|strndup|__interceptor_\w+)\b.*\n)*'
    r'\s+#\d+ 0x[0-9a-f]+\s+(?:in (\S+)|\(([^)\s]+)\))')


def crash_reason(o):
    """'timeout', 'crash (...)' or 'leak (...)' if the process misbehaved."""
    if o.timeout:
        return 'timeout'
    if o.rc is not None and o.rc < 0:
        try:
            name = signal.Signals(-o.rc).name
        except ValueError:
            name = '?'
        return 'crash (signal %d, %s)' % (-o.rc, name)
    m = _SANITIZER.search(o.err)
    if m:
        if m.group(1) == 'LeakSanitizer':
            f = _LEAK_FRAME.search(o.err)
            where = (f.group(1) or os.path.basename(f.group(2))) if f else '?'
            return 'leak (LeakSanitizer: %s)' % where
        if m.group(1):
            return 'crash (%s: %s)' % (m.group(1), m.group(2) or '?')
        return 'crash (UBSan: %s)' % m.group(4)[:80]
    return None


class Runner:
    def __init__(self, kgraph, root, timeout):
        self.kgraph = kgraph
        self.root = root
        self.timeout = timeout
        self.expected = {}

    def short(self, text):
        """Message text without the local checkout path."""
        for prefix in (M.file_iri(self.root) + '/', self.root + '/'):
            text = text.replace(prefix, '')
        return text

    def first_line(self, err):
        for line in err.splitlines():
            line = line.strip()
            if line:
                line = self.short(line)
                if line.startswith('kgraph: '):
                    line = line[len('kgraph: '):]
                return line if len(line) <= 140 else line[:137] + '...'
        return '(no message)'

    def error_reason(self, o, update=False):
        """Reason for a nonzero exit that is not a crash."""
        if update and o.rc == 2 and 'unknown command' in o.err:
            return 'update not available'
        return 'error exit %d: %s' % (o.rc, self.first_line(o.err))

    # -- expected results --------------------------------------------------

    def load_expected(self, path):
        """(kind, value) for an expected result file, cached.

        kind is 'rs' (ResultSet), 'graph' (quads), 'csv'/'tsv' (tables).
        """
        if path in self.expected:
            return self.expected[path]
        ext = os.path.splitext(path)[1].lower()
        with open(path, 'rb') as f:
            data = f.read()
        with RDFLIB_LOCK:
            if ext == '.srx':
                v = ('rs', C.parse_srx(data))
            elif ext == '.srj':
                v = ('rs', C.parse_srj(data.decode('utf-8')))
            elif ext == '.tsv':
                v = ('tsv', C.parse_tsv_table(data.decode('utf-8')))
            elif ext == '.csv':
                v = ('csv', C.parse_csv_table(data.decode('utf-8')))
            elif ext in ('.nt', '.nq'):
                v = ('graph', C.parse_nquads(data.decode('utf-8'), path))
            else:
                fmt = {'.ttl': 'turtle', '.rdf': 'xml', '.trig': 'trig'}.get(ext)
                if fmt is None:
                    raise C.FormatError('unknown result file type %s' % ext)
                g = C.parse_rdf_file(path, fmt)
                rs = C.result_set_from_graph(g)
                v = ('rs', rs) if rs is not None else ('graph', C.graph_quads(g))
            self.expected[path] = v
        return v

    def dataset_files(self, data, graphs, update=False):
        """Options giving the dataset; an empty store when there is none
        (without, a query would run over the built-in article graph; an
        update starts from an empty store)."""
        if not data and not graphs and not update:
            return ['--store', ':memory:']
        q = []
        for (name, path) in graphs:
            q.extend(['--named', '%s=%s' % (name, path)])
        return [a for d in data for a in ('--data', d)] + q

    def expected_dataset(self, data, graphs):
        quads = []
        for d in data:
            quads.extend(self.load_expected_graph(d))
        for name, path in graphs:
            quads.extend((s, p, o, C.iri(name))
                         for s, p, o, _ in self.load_expected_graph(path))
        return quads

    def mentions(self, path, text):
        with open(path, encoding='utf-8', errors='replace') as f:
            return text in f.read()

    def load_expected_graph(self, path):
        kind, v = self.load_expected(path)
        if kind != 'graph':
            raise C.FormatError('%s is not an RDF graph' % path)
        return v

    # -- the tests ------------------------------------------------------------

    def run(self, t):
        """Run one test; returns (ok, reason, detail, outcome)."""
        try:
            fn = {'query-eval': self.query_eval, 'update-eval': self.update_eval,
                  'syntax+': self.syntax, 'syntax-': self.syntax,
                  'rdf-syntax+': self.rdf_syntax, 'rdf-syntax-': self.rdf_syntax,
                  'rdf-eval': self.rdf_eval, 'rdf-eval-': self.rdf_eval}[t.kind]
            return fn(t)
        except (C.FormatError, OSError, ValueError) as e:
            return False, 'runner error: %s' % self.short(str(e)), '', None

    def syntax(self, t):
        # --store :memory: spares loading the built-in article graph (an
        # update starts from an empty store anyway)
        if t.update:
            args = [self.kgraph, 'update', '--parse-only', t.action]
        else:
            args = [self.kgraph, 'query', '--store', ':memory:',
                    '--parse-only', '-q', t.action]
        o = run_kgraph(args, self.timeout)
        bad = crash_reason(o)
        if bad:
            return False, bad, '', o
        positive = t.kind == 'syntax+'
        if positive and o.rc == 0 or not positive and o.rc == 3:
            return True, '', '', o
        if o.rc == 0:
            return False, 'accepted invalid input', '', o
        if o.rc == 3:
            return (False, 'parse error on valid input: %s'
                    % self.first_line(o.err), '', o)
        return False, self.error_reason(o, t.update), '', o

    def query_eval(self, t):
        if t.result is None:
            return False, 'runner error: no expected result in the manifest', '', None
        kind, expected = self.load_expected(t.result)
        with open(t.action, encoding='utf-8', errors='replace') as f:
            text = f.read()
        ordered, order_vars, froms = analyze_query(text, M.file_iri(t.action))
        graphs = list(t.graphs)
        # FROM / FROM NAMED: the files the query names are passed on the
        # command line as named graphs, so that the query can select them
        # without kgraph ever opening a file the query text names.
        for g in froms:
            if g.startswith('file:') and all(g != n for n, _ in graphs):
                path = M.file_path(g)
                if os.path.isfile(path):
                    graphs.append((g, path))
        args = [self.kgraph, 'query'] + self.dataset_files(t.data, graphs)
        if kind == 'graph':
            args += ['--format', 'ntriples']
        else:
            args += ['--results', {'rs': 'json', 'csv': 'csv',
                                   'tsv': 'tsv'}[kind]]
        args += ['-q', t.action]
        o = run_kgraph(args, self.timeout)
        bad = crash_reason(o)
        if bad:
            return False, bad, '', o
        if o.rc == 3:
            return (False, 'parse error on valid input: %s'
                    % self.first_line(o.err), '', o)
        if o.rc != 0:
            return False, self.error_reason(o), '', o
        try:
            text = o.out.decode('utf-8')
        except UnicodeDecodeError as e:
            return False, 'unreadable output: not UTF-8 (%s)' % e, '', o
        try:
            if kind == 'graph':
                actual = C.parse_nquads(text)
                with RDFLIB_LOCK:
                    ok, reason, detail = C.compare_datasets(expected, actual)
            elif kind == 'rs':
                actual = C.parse_srj(text)
                ok, reason, detail = C.compare_result_sets(
                    expected, actual, ordered=ordered, order_vars=order_vars,
                    lax=t.lax)
            elif kind == 'tsv':
                ok, reason, detail = C.compare_tables(
                    expected, C.parse_tsv_table(text), ordered, tsv=True)
            else:
                ok, reason, detail = C.compare_tables(
                    expected, C.parse_csv_table(text), ordered)
        except C.FormatError as e:
            return False, 'unreadable output: %s' % e, '', o
        return ok, reason, detail, o

    def update_eval(self, t):
        expected = self.expected_dataset(t.result_data, t.result_graphs)
        args = [self.kgraph, 'update'] + self.dataset_files(t.data, t.graphs,
                                                            update=True)
        args += ['--dump', 'nquads', t.action]
        o = run_kgraph(args, self.timeout)
        bad = crash_reason(o)
        if bad:
            return False, bad, '', o
        if o.rc == 3:
            return (False, 'parse error on valid input: %s'
                    % self.first_line(o.err), '', o)
        if o.rc != 0:
            return False, self.error_reason(o, update=True), '', o
        try:
            actual = C.parse_nquads(o.out.decode('utf-8'))
        except (C.FormatError, UnicodeDecodeError) as e:
            return False, 'unreadable output: %s' % e, '', o
        with RDFLIB_LOCK:
            ok, reason, detail = C.compare_datasets(expected, actual)
        return ok, reason, detail, o

    def rdf_syntax(self, t):
        o = run_kgraph([self.kgraph, 'export', '--data', t.action,
                        '--format', 'nquads'], self.timeout)
        bad = crash_reason(o)
        if bad:
            return False, bad, '', o
        positive = t.kind == 'rdf-syntax+'
        if positive and o.rc == 0 or not positive and o.rc == 3:
            return True, '', '', o
        if o.rc == 0:
            return False, 'accepted invalid input', '', o
        if o.rc == 3:
            return (False, 'parse error on valid input: %s'
                    % self.first_line(o.err), '', o)
        return False, self.error_reason(o), '', o

    def rdf_eval(self, t):
        positive = t.kind == 'rdf-eval'
        expected = self.load_expected_graph(t.result) if positive else None
        # The base IRI matters only where the expected triples hold IRIs on
        # the host of the base the suite assumes: those tests are loaded into
        # a store with --base; the others are read with --data (the reader
        # alone, on an in-memory store).
        needs_base = t.base is not None and (
            not positive or self.mentions(t.result,
                                          urllib.parse.urlparse(t.base).netloc))
        with tempfile.TemporaryDirectory(prefix='kg-w3c-') as tmp:
            if not needs_base:
                o = run_kgraph([self.kgraph, 'export', '--data', t.action,
                                '--format', 'nquads'], self.timeout)
            else:
                store = os.path.join(tmp, 'store.db')
                o = run_kgraph([self.kgraph, 'load', '--store', store,
                                '--base', t.base, t.action], self.timeout)
                if not crash_reason(o) and o.rc == 0:
                    o2 = run_kgraph([self.kgraph, 'export', '--store', store,
                                     '--format', 'nquads'], self.timeout)
                    o2.secs += o.secs
                    o = o2
        bad = crash_reason(o)
        if bad:
            return False, bad, '', o
        if not positive:
            if o.rc == 3:
                return True, '', '', o
            if o.rc == 0:
                return False, 'accepted invalid input', '', o
            return False, self.error_reason(o), '', o
        if o.rc == 3:
            return (False, 'parse error on valid input: %s'
                    % self.first_line(o.err), '', o)
        if o.rc != 0:
            return False, self.error_reason(o), '', o
        try:
            actual = C.parse_nquads(o.out.decode('utf-8'))
        except (C.FormatError, UnicodeDecodeError) as e:
            return False, 'unreadable output: %s' % e, '', o
        with RDFLIB_LOCK:
            ok, reason, detail = C.compare_datasets(expected, actual)
        return ok, reason, detail, o


# ---------------------------------------------------------------------------
# Reporting

def command_line(args):
    out = []
    for a in args:
        if re.fullmatch(r'[A-Za-z0-9_@%+=:,./-]+', a):
            out.append(a)
        else:
            out.append("'" + a.replace("'", "'\\''") + "'")
    return ' '.join(out)


def read_baseline(path):
    if not os.path.exists(path):
        return set()
    with open(path, encoding='utf-8') as f:
        return {line.strip() for line in f
                if line.strip() and not line.startswith('#')}


def write_baseline(path, ids):
    with open(path, 'w', encoding='utf-8') as f:
        for i in sorted(ids):
            f.write(i + '\n')


def rate(p, n):
    return '%.1f%%' % (100.0 * p / n) if n else '-'


def md_escape(s):
    return s.replace('|', '\\|').replace('\n', ' ')


def kgraph_version(kgraph):
    try:
        o = subprocess.run([kgraph, '--version'], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=10)
        return o.stdout.decode('utf-8', 'replace').strip() or '(unknown)'
    except (OSError, subprocess.SubprocessError):
        return '(unknown)'


def suite_commit(root):
    try:
        with open(os.path.join(root, 'SOURCE'), encoding='utf-8') as f:
            parts = f.read().split()
        return parts[1][:7] if len(parts) > 1 else None
    except OSError:
        return None


INTRO = """\
kgraph is checked against the W3C test suites by `tests/w3c/run.py`, a
runner of the project's own. It reads the suites' manifests (Turtle, with
rdflib), runs the `kgraph` command-line tool once per test, with a 10 second
timeout and standard input closed, and compares what it prints with the
expected result:

- query evaluation: `kgraph query --data FILE… --named IRI=FILE… --results
  json -q QUERY` (`--format ntriples` for CONSTRUCT and DESCRIBE, `--results
  csv` or `tsv` where the expected file is CSV or TSV). Solutions are
  compared as multisets under one consistent mapping of blank nodes; where
  the outermost query has ORDER BY, the sequence of the ORDER BY keys (or of
  whole solutions, when a key is an expression) must match too. Literals
  compare by lexical form, datatype and language tag (tags ignoring case; a
  literal typed `xsd:string` equals the simple literal). TSV cells are read
  as Turtle terms, so `4` and `"4"^^xsd:integer` are the same; CSV cells
  are compared as text. Graphs are compared by blank-node isomorphism
  (rdflib). The files of FROM and FROM NAMED are passed as `--named`
  graphs, so that kgraph never reads a file only the query names.
- update evaluation: `kgraph update --data FILE… --named IRI=FILE… --dump
  nquads REQUEST`, the dataset it prints compared with the expected one by
  isomorphism.
- syntax tests: `kgraph query --parse-only -q FILE` or `kgraph update
  --parse-only FILE` must exit 0 for a valid query and 3 for an invalid one.
- RDF suites: `kgraph export --data FILE --format nquads` must exit 0 on
  valid input and 3 on invalid input. Evaluation tests compare what it
  prints with the expected N-Triples or N-Quads by isomorphism. Where the
  expected triples hold IRIs resolved against the base IRI the suite
  assumes (`https://w3c.github.io/rdf-tests/…`), the file is instead loaded
  with that base into a store of its own (`kgraph load --store S --base IRI
  FILE`, then `kgraph export --store S --format nquads`).

Where a query test gives no data, the runner passes `--store :memory:` (an
empty dataset; an update starts from an empty store anyway). A test counts when its manifest marks it approved or states no
approval at all; tests marked Proposed, NotClassified, Withdrawn or Rejected
are not counted, and neither are the entailment, federation, protocol and
service-description suites (`--approved-only` also leaves out the tests
with no approval stated). Any exit on a signal is reported as a crash, and a
sanitizer report (in an ASan build) as a crash or a leak; a run past the
timeout is a failure too. A result that differs only in the lexical form of
a number (`"1.0E3"` for `"1000"`, both `xsd:double`) still fails, with its
own reason.

Run it from the top of the source tree after a build:

```sh
/usr/bin/python3 tests/w3c/run.py --kgraph build/kgraph -j 2
/usr/bin/python3 tests/w3c/run.py --kgraph build/kgraph --suite sparql11-query -v
```

It prints the pass rate of each suite and a last line `N passed, M failed`,
and exits 1 if a test listed in `tests/w3c/baseline.txt` (the tests that
passed when it was last written) fails. `--update-baseline` rewrites that
file from the current run; `--write-docs` rewrites this page. The runner's
own comparison code is checked by `tests/w3c/test_compare.py`.

Some expected results need a note:

- `tsv03` gives the double `"1.0E6"` of its data as the Turtle short form
  `1.0e6`, which Turtle reads as another lexical form, `"1.0e6"`. kgraph
  writes `1.0E6`, the data's term, which rdflib and any Turtle reader read
  back as it was. The runner lets an expected TSV double with a lower-case
  exponent marker match an actual one with the upper-case marker and
  otherwise the same lexical form, and nothing else (not the other way
  round, not another form of the same value).
- `divide-numbers-cast` expects the decimal quotient of 3 and 3 as `"1"`,
  while `agg-avg-02` and `agg-err-02` expect the average of integers, which
  SPARQL defines as Sum / Count with the same `op:numeric-divide`, as
  `"2.0"`: the same operation on the same types with an integral result,
  written once without and once with a fraction digit. kgraph writes `1.0`
  and `2.0` (XSD 1.0's canonical decimal form keeps one fraction digit);
  writing `1` (XSD 1.1's canonical form, XPath's cast to a string) would
  fail the two aggregate tests instead. Telling `AVG` from `/` apart would
  have no ground in the specification.
- `agg-sum-distinct` and `agg-avg-distinct` expect the double sum 100 +
  2000 and mean (100 + 2000) / 2 as `"2100"` and `"1050"`, while
  `agg-sum-02` expects the double sum 100 + 2000 + 30000 as `"3.21E4"`.
  XSD's canonical form gives `2.1E3` and `3.21E4`, XPath's cast to a string
  `2100` and `32100`: no rule of either gives what all three expect, only
  a magnitude threshold between 2100 and 32100 that no specification has.
  kgraph writes aggregates of doubles in canonical form (`agg-sum-02`,
  `agg-avg-02` with `2.0E-1` and `agg-err-02` with `2.5E0` pass); writing
  integral ones as plain digits would pass the two `DISTINCT` tests and
  fail `agg-sum-02`.
- The `*_ascii_boundaries` and `LITERAL1_all_controls` tests of the RDF
  suites hold a raw NUL byte inside a literal, which kgraph reads as the
  character U+0000.
"""


def write_docs(path, results, loaded, version, commit, secs, jobs):
    lines = ['# W3C conformance', '', INTRO]
    lines.append('## Results')
    lines.append('')
    lines.append('Generated by `tests/w3c/run.py --write-docs` on %s for %s, '
                 'against the W3C rdf-tests suites%s (%d tests in %.0f s with '
                 '-j %d).' % (datetime.date.today().isoformat(), version,
                              ' at commit ' + commit if commit else '',
                              len(results), secs, jobs))
    lines.append('')
    lines.append('| suite | passed | failed | total | pass rate | counted '
                 'without approval stated | not counted |')
    lines.append('|---|---:|---:|---:|---:|---:|---|')
    tp = tf = 0
    for key, title, _ in M.SUITES:
        if key not in loaded:
            continue
        rs = [r for r in results if r['suite'] == key]
        p = sum(1 for r in rs if r['ok'])
        tp += p
        tf += len(rs) - p
        sk = loaded[key].skipped
        skipped = ', '.join('%d %s' % (n, k) for k, n in sorted(sk.items())) \
            or '-'
        lines.append('| %s (`%s`) | %d | %d | %d | %s | %d | %s |'
                     % (title, key, p, len(rs) - p, len(rs), rate(p, len(rs)),
                        loaded[key].unstated, md_escape(skipped)))
    lines.append('| **all** | %d | %d | %d | %s | | |'
                 % (tp, tf, tp + tf, rate(tp, tp + tf)))
    lines.append('')
    fails = [r for r in results if not r['ok']]
    lines.append('## Failing tests')
    lines.append('')
    if not fails:
        lines.append('None.')
    else:
        lines.append('Every counted test that fails, with the first reason '
                     'found. Test IRIs under `%s` stand for the files of the '
                     'rdf-tests repository.' % M.PUBLIC_BASE)
        lines.append('')
        lines.append('| suite | test | reason |')
        lines.append('|---|---|---|')
        order = {k: n for n, (k, _, _) in enumerate(M.SUITES)}
        for r in sorted(fails, key=lambda r: (order[r['suite']], r['id'])):
            lines.append('| %s | [%s](%s) | %s |' % (
                r['suite'], md_escape(r['name']), r['id'],
                md_escape(r['reason'])))
    lines.append('')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description='Run the W3C SPARQL and RDF test suites against kgraph.')
    ap.add_argument('--kgraph', default='build/kgraph',
                    help='the kgraph executable (default: build/kgraph)')
    ap.add_argument('--w3c', default=os.environ.get(
        'KG_W3C_DIR', os.path.join(os.path.dirname(REPO), 'shared', 'w3c')),
        help='the W3C rdf-tests checkout (default: ../shared/w3c)')
    ap.add_argument('--suite', action='append', metavar='NAME',
                    choices=[s[0] for s in M.SUITES],
                    help='run only this suite (repeatable): '
                    + ', '.join(s[0] for s in M.SUITES))
    ap.add_argument('--test', metavar='TEXT',
                    help='run only tests whose IRI or name contains TEXT')
    ap.add_argument('-j', '--jobs', type=int, default=2,
                    help='tests run in parallel (default 2)')
    ap.add_argument('--timeout', type=float, default=10.0,
                    help='seconds per kgraph run (default 10)')
    ap.add_argument('--approved-only', action='store_true',
                    help='also skip tests whose manifest states no approval')
    ap.add_argument('--baseline', default=os.path.join(HERE, 'baseline.txt'))
    ap.add_argument('--update-baseline', action='store_true',
                    help='rewrite the baseline with the tests passing now')
    ap.add_argument('--write-docs', action='store_true',
                    help='rewrite docs/conformance.md (needs a full run)')
    ap.add_argument('--docs', default=os.path.join(REPO, 'docs',
                                                   'conformance.md'))
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='print every failing test with its command line')
    a = ap.parse_args()

    if a.jobs < 1:
        ap.error('-j must be at least 1')
    if a.write_docs and (a.suite or a.test or a.approved_only):
        ap.error('--write-docs needs a full run (no --suite, --test or '
                 '--approved-only)')
    root = os.path.realpath(a.w3c)  # the CLI names files by real path
    if not os.path.isdir(os.path.join(root, 'sparql')):
        print('w3c-run: no W3C test suites at %s (use --w3c DIR)' % root,
              file=sys.stderr)
        return 77
    kgraph = os.path.abspath(a.kgraph)
    if not os.access(kgraph, os.X_OK):
        print('w3c-run: %s is not an executable (use --kgraph PATH)' % kgraph,
              file=sys.stderr)
        return 2

    started = time.monotonic()
    loaded, tests = {}, []
    seen = {}
    for key, title, manifests in M.SUITES:
        if a.suite and key not in a.suite:
            continue
        lo = M.load_suite(root, key, manifests)
        loaded[key] = lo
        for t in lo.tests:
            if a.approved_only and t.approval is None:
                lo.skipped['no approval stated'] = \
                    lo.skipped.get('no approval stated', 0) + 1
                continue
            if a.test and a.test not in t.id and a.test not in t.name:
                continue
            if t.id in seen:
                print('w3c-run: duplicate test IRI %s (in %s and %s); '
                      'keeping the first' % (t.id, seen[t.id], t.suite),
                      file=sys.stderr)
                continue
            seen[t.id] = t.suite
            tests.append(t)

    runner = Runner(kgraph, root, a.timeout)
    print('running %d tests with %s (-j %d)' % (len(tests), kgraph, a.jobs),
          flush=True)
    results = []
    crashes = []
    lock = threading.Lock()

    def one(t):
        ok, reason, detail, o = runner.run(t)
        r = {'id': t.id, 'suite': t.suite, 'name': t.name, 'kind': t.kind,
             'ok': ok, 'reason': reason, 'detail': detail,
             'cmd': command_line(o.args) if o else '',
             'secs': o.secs if o else 0.0}
        if reason.startswith(('crash', 'leak')):
            with lock:
                crashes.append(r)
                print('!!! %s: %s\n    %s' % (reason.upper(), t.id, r['cmd']),
                      file=sys.stderr, flush=True)
        return r

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for r in ex.map(one, tests):
            results.append(r)
    secs = time.monotonic() - started

    # Per-suite summary
    print()
    print('%-17s %7s %7s %7s %8s  %s' % ('suite', 'passed', 'failed', 'total',
                                         'rate', 'skipped (not approved)'))
    total_p = total_f = 0
    for key, _, _ in M.SUITES:
        if key not in loaded:
            continue
        rs = [r for r in results if r['suite'] == key]
        p = sum(1 for r in rs if r['ok'])
        total_p += p
        total_f += len(rs) - p
        sk = loaded[key].skipped
        skipped = ', '.join('%d %s' % (n, k) for k, n in sorted(sk.items()))
        if loaded[key].unstated and not a.approved_only:
            skipped += ('; ' if skipped else '') + \
                '%d counted without approval stated' % loaded[key].unstated
        if loaded[key].skipped_dirs:
            skipped += '; not run: ' + ', '.join(loaded[key].skipped_dirs)
        print('%-17s %7d %7d %7d %8s  %s' % (key, p, len(rs) - p, len(rs),
                                             rate(p, len(rs)), skipped))

    if a.verbose:
        print()
        for r in results:
            if not r['ok']:
                print('FAIL %s [%s] %s' % (r['id'], r['suite'], r['reason']))
                if r['detail']:
                    print('     %s' % r['detail'])
                if r['cmd']:
                    print('     $ %s' % r['cmd'])

    slow = sorted(results, key=lambda r: -r['secs'])[:3]
    print()
    print('time: %.1f s; slowest: %s' % (secs, ', '.join(
        '%s %.1f s' % (r['id'].split('/')[-1], r['secs']) for r in slow)))

    if crashes:
        print()
        print('!!! %d CRASH%s:' % (len(crashes), 'ES' if len(crashes) > 1 else ''))
        for r in crashes:
            print('!!!   %s: %s' % (r['reason'], r['id']))
            print('!!!     $ %s' % r['cmd'])

    # Baseline
    baseline = read_baseline(a.baseline)
    by_id = {r['id']: r for r in results}
    regressions = sorted(i for i in baseline if i in by_id and not by_id[i]['ok'])
    fresh = sorted(i for i, r in by_id.items() if r['ok'] and i not in baseline)
    full_run = not a.suite and not a.test and not a.approved_only
    if full_run:
        all_ids = {t.id for lo in loaded.values() for t in lo.tests}
        unknown = sorted(baseline - all_ids)
        if unknown:
            print('\nbaseline names %d tests that no manifest holds, e.g. %s'
                  % (len(unknown), unknown[0]))
    if regressions:
        print('\nREGRESSIONS (%d tests of the baseline fail):' % len(regressions))
        for i in regressions:
            print('  %s: %s' % (i, by_id[i]['reason']))
    if fresh and not a.update_baseline:
        print('\n%d passing tests are not in the baseline '
              '(--update-baseline adds them)' % len(fresh))
    if a.update_baseline:
        new = {i for i in baseline if i not in by_id}
        new |= {i for i, r in by_id.items() if r['ok']}
        write_baseline(a.baseline, new)
        print('\nwrote %s (%d tests)' % (a.baseline, len(new)))
    if a.write_docs:
        write_docs(a.docs, results, loaded, kgraph_version(kgraph),
                   suite_commit(root), secs, a.jobs)
        print('wrote %s' % a.docs)

    print()
    print('%d passed, %d failed' % (total_p, total_f))
    return 1 if regressions and not a.update_baseline else 0


if __name__ == '__main__':
    sys.exit(main())
