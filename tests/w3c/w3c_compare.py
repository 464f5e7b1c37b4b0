"""Terms, result parsers and blank-node-aware comparison for the W3C runner.

A term is a tuple:
  ('I', iri)                      an IRI
  ('B', label)                    a blank node (labels matter only within one
                                  result set or dataset)
  ('L', lexical, datatype, lang)  a literal; datatype is None for a simple
                                  literal (xsd:string), lang is lower case and
                                  then datatype is None
  ('S', text)                     an uninterpreted cell of a CSV/TSV table

Every parser below builds terms through lit(), so both sides of a comparison
get the same normalisations (and no others): a literal typed xsd:string equals
the simple literal, language tags compare case-insensitively. Lexical forms
are never changed: "01"^^xsd:integer differs from "1"^^xsd:integer.
"""

import collections
import csv
import decimal
import io
import json
import re
import xml.etree.ElementTree as ET

import rdflib
from rdflib.compare import isomorphic

# Keep the lexical forms rdflib reads: comparisons are by term equality.
rdflib.NORMALIZE_LITERALS = False

XSD = 'http://www.w3.org/2001/XMLSchema#'
XSD_STRING = XSD + 'string'
RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
RDF_LANGSTRING = RDF + 'langString'
RS = 'http://www.w3.org/2001/sw/DataAccess/tests/result-set#'


class FormatError(Exception):
    """A result or data document could not be read."""


def iri(value):
    return ('I', value)


def bnode(label):
    return ('B', label)


def lit(lexical, datatype=None, lang=None):
    if lang:
        return ('L', lexical, None, lang.lower())
    if datatype in (None, '', XSD_STRING):
        return ('L', lexical, None, None)
    return ('L', lexical, datatype, None)


def is_bnode(t):
    return t is not None and t[0] == 'B'


def term_str(t):
    """N-Triples-like text of a term, for messages."""
    if t is None:
        return 'UNDEF'
    kind = t[0]
    if kind == 'I':
        return '<%s>' % t[1]
    if kind == 'B':
        return '_:%s' % t[1] if len(t) > 1 else '[]'
    if kind == 'S':
        return t[1]
    text = '"%s"' % t[1].replace('\\', '\\\\').replace('"', '\\"') \
        .replace('\n', '\\n').replace('\r', '\\r')
    if t[3]:
        return text + '@' + t[3]
    if t[2]:
        return text + '^^<%s>' % t[2]
    return text


class ResultSet:
    """SELECT results (variables and rows of var -> term) or an ASK boolean.

    ordered is True when the document fixes the order of its rows (every
    format does, except an RDF result set without rs:index).
    """

    def __init__(self, variables=None, rows=None, boolean=None, ordered=True):
        self.variables = list(variables or [])
        self.rows = list(rows or [])
        self.boolean = boolean
        self.ordered = ordered


# ---------------------------------------------------------------------------
# SPARQL result documents

def parse_srx(data):
    """SPARQL Query Results XML Format."""
    ns = '{http://www.w3.org/2005/sparql-results#}'
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise FormatError('XML results: %s' % e)
    if root.tag != ns + 'sparql':
        raise FormatError('XML results: root element is not sparql')
    head = root.find(ns + 'head')
    variables = []
    if head is not None:
        variables = [v.get('name') for v in head.findall(ns + 'variable')]
    b = root.find(ns + 'boolean')
    if b is not None:
        text = (b.text or '').strip()
        if text not in ('true', 'false'):
            raise FormatError('XML results: boolean is %r' % text)
        return ResultSet(variables, boolean=(text == 'true'))
    results = root.find(ns + 'results')
    if results is None:
        raise FormatError('XML results: no results and no boolean')
    rows = []
    for r in results.findall(ns + 'result'):
        row = {}
        for binding in r.findall(ns + 'binding'):
            name = binding.get('name')
            children = list(binding)
            if len(children) != 1:
                raise FormatError('XML results: binding of %s has %d values'
                                  % (name, len(children)))
            v = children[0]
            text = v.text or ''
            if v.tag == ns + 'uri':
                row[name] = iri(text)
            elif v.tag == ns + 'bnode':
                row[name] = bnode(text)
            elif v.tag == ns + 'literal':
                row[name] = lit(
                    text, v.get('datatype'),
                    v.get('{http://www.w3.org/XML/1998/namespace}lang'))
            else:
                raise FormatError('XML results: unknown value element %s'
                                  % v.tag)
        rows.append(row)
    return ResultSet(variables, rows)


def _json_term(v):
    if not isinstance(v, dict) or 'type' not in v or 'value' not in v:
        raise FormatError('JSON results: malformed term %r' % (v,))
    kind, value = v['type'], v['value']
    if not isinstance(value, str):
        raise FormatError('JSON results: value is not a string: %r' % (v,))
    if kind == 'uri':
        return iri(value)
    if kind == 'bnode':
        return bnode(value)
    if kind in ('literal', 'typed-literal'):
        return lit(value, v.get('datatype'), v.get('xml:lang'))
    raise FormatError('JSON results: unknown term type %r' % kind)


def parse_srj(data):
    """SPARQL 1.1 Query Results JSON Format."""
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise FormatError('JSON results: %s' % e)
    if not isinstance(doc, dict) or 'head' not in doc:
        raise FormatError('JSON results: no head')
    variables = doc['head'].get('vars', [])
    if 'boolean' in doc:
        if not isinstance(doc['boolean'], bool):
            raise FormatError('JSON results: boolean is not true or false')
        return ResultSet(variables, boolean=doc['boolean'])
    try:
        bindings = doc['results']['bindings']
    except (KeyError, TypeError):
        raise FormatError('JSON results: no results.bindings')
    rows = []
    for b in bindings:
        if not isinstance(b, dict):
            raise FormatError('JSON results: a solution is not an object')
        rows.append({name: _json_term(v) for name, v in b.items()})
    return ResultSet(variables, rows)


def rdflib_term(t):
    if isinstance(t, rdflib.URIRef):
        return iri(str(t))
    if isinstance(t, rdflib.BNode):
        return bnode(str(t))
    if isinstance(t, rdflib.Literal):
        return lit(str(t), str(t.datatype) if t.datatype else None,
                   t.language)
    raise FormatError('unexpected RDF term %r' % (t,))


def parse_rdf_file(path, fmt):
    """Triples of an RDF file read by rdflib, as term tuples (graph None)."""
    g = rdflib.Graph()
    try:
        g.parse(path, format=fmt)
    except Exception as e:  # rdflib raises many kinds
        raise FormatError('%s: %s' % (path, e))
    return g


def graph_quads(g):
    return [(rdflib_term(s), rdflib_term(p), rdflib_term(o), None)
            for s, p, o in g]


def result_set_from_graph(g):
    """An rs:ResultSet described in RDF, or None if g holds none."""
    rs = rdflib.Namespace(RS)
    sets = list(g.subjects(rdflib.RDF.type, rs.ResultSet))
    if not sets:
        return None
    if len(sets) > 1:
        raise FormatError('more than one rs:ResultSet')
    top = sets[0]
    variables = [str(v) for v in g.objects(top, rs.resultVariable)]
    b = g.value(top, rs.boolean)
    if b is not None:
        return ResultSet(variables, boolean=(str(b).lower() == 'true'))
    indexed = []
    ordered = True
    for sol in g.objects(top, rs.solution):
        row = {}
        for binding in g.objects(sol, rs.binding):
            name = g.value(binding, rs.variable)
            value = g.value(binding, rs.value)
            if name is None or value is None:
                raise FormatError('rs:binding without variable or value')
            row[str(name)] = rdflib_term(value)
        index = g.value(sol, rs.index)
        if index is None:
            ordered = False
        indexed.append((int(index) if index is not None else 0, row))
    if ordered:
        indexed.sort(key=lambda x: x[0])
    return ResultSet(variables, [row for _, row in indexed], ordered=ordered)


# ---------------------------------------------------------------------------
# N-Triples / N-Quads (kgraph's output and the RDF suites' expected files)

_NQ_TOKEN = re.compile(r'''
    [ \t]+
  | (?P<iri><[^\x00-\x20<>"{}|^`\\]*(?:\\[uU][0-9A-Fa-f]+[^\x00-\x20<>"{}|^`\\]*)*>)
  | (?P<bnode>_:[A-Za-z0-9_:\u00C0-\U000EFFFF](?:[A-Za-z0-9_:\-.\u00B7\u00C0-\U000EFFFF]*[A-Za-z0-9_:\-\u00B7\u00C0-\U000EFFFF])?)
  | (?P<string>"(?:[^"\\\n\r]|\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*")
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dt>\^\^)
  | (?P<dot>\.)
  | (?P<comment>\#.*)
''', re.X)

_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))')
_ECHAR = {'t': '\t', 'b': '\b', 'n': '\n', 'r': '\r', 'f': '\f',
          '"': '"', "'": "'", '\\': '\\'}


def _unescape(s, where, iri_mode=False):
    def repl(m):
        if m.group(1) or m.group(2):
            cp = int(m.group(1) or m.group(2), 16)
            if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                raise FormatError('%s: bad code point escape' % where)
            return chr(cp)
        if iri_mode or m.group(3) not in _ECHAR:
            raise FormatError('%s: bad escape \\%s' % (where, m.group(3)))
        return _ECHAR[m.group(3)]
    return _ESCAPE.sub(repl, s)


def parse_nquads(text, source='output'):
    """Quads (s, p, o, g) of an N-Quads/N-Triples document; g None = default.

    Strict: anything that is not N-Quads raises FormatError with the line.
    """
    quads = []
    for n, line in enumerate(text.split('\n'), 1):
        where = '%s:%d' % (source, n)
        pos, toks = 0, []
        line = line.rstrip('\r')
        while pos < len(line):
            m = _NQ_TOKEN.match(line, pos)
            if not m:
                raise FormatError('%s: cannot read %r' % (where, line[pos:pos + 20]))
            pos = m.end()
            kind = m.lastgroup
            if kind is None or kind == 'comment':
                continue
            toks.append((kind, m.group(kind)))
        if not toks:
            continue
        terms = []
        i = 0
        while i < len(toks) and toks[i][0] != 'dot':
            kind, val = toks[i]
            if kind == 'iri':
                terms.append(iri(_unescape(val[1:-1], where, True)))
            elif kind == 'bnode':
                terms.append(bnode(val[2:]))
            elif kind == 'string':
                lexical = _unescape(val[1:-1], where)
                if i + 1 < len(toks) and toks[i + 1][0] == 'lang':
                    terms.append(lit(lexical, None, toks[i + 1][1][1:]))
                    i += 1
                elif i + 1 < len(toks) and toks[i + 1][0] == 'dt':
                    if i + 2 >= len(toks) or toks[i + 2][0] != 'iri':
                        raise FormatError('%s: ^^ without datatype IRI' % where)
                    terms.append(lit(lexical, _unescape(toks[i + 2][1][1:-1],
                                                         where, True)))
                    i += 2
                else:
                    terms.append(lit(lexical))
            else:
                raise FormatError('%s: unexpected %s' % (where, val))
            i += 1
        if i != len(toks) - 1:
            raise FormatError('%s: statement does not end with a dot' % where)
        if len(terms) not in (3, 4):
            raise FormatError('%s: %d terms in a statement' % (where, len(terms)))
        s, p, o = terms[0], terms[1], terms[2]
        g = terms[3] if len(terms) == 4 else None
        if s[0] == 'L' or p[0] != 'I' or (g is not None and g[0] == 'L'):
            raise FormatError('%s: term in the wrong position' % where)
        quads.append((s, p, o, g))
    return quads


# ---------------------------------------------------------------------------
# CSV and TSV, compared as text cells

def parse_csv_table(text):
    """Header and rows of a SPARQL CSV document, fields unquoted.

    CRLF (what the format specifies) and LF (what the suite's expected files
    use) both end a record. Blank-node cells become ('B', label) so that
    labels may differ; every other cell is compared as text.
    """
    try:
        records = list(csv.reader(io.StringIO(text, newline='')))
    except csv.Error as e:
        raise FormatError('CSV: %s' % e)
    if not records:
        raise FormatError('CSV: empty document')
    header = records[0]
    rows = [tuple(bnode(c[2:]) if c.startswith('_:') else ('S', c) for c in r)
            for r in records[1:]]
    return header, rows


_DOUBLE = r'[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+'
_UCHAR = r'\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}'
_TSV_IRI = r'<((?:[^\x00-\x20<>"{}|^`\\]|%s)*)>' % _UCHAR
_TSV_TERM = re.compile(r'''(?:
    %s
  | _:(?P<bnode>[^\s]+)
  | (?:"(?P<dq>(?:[^"\\\n\r]|\\.)*)"|'(?P<sq>(?:[^'\\\n\r]|\\.)*)')
    (?:@(?P<lang>[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|\^\^%s)?
  | (?P<double>%s)
  | (?P<decimal>[+-]?[0-9]*\.[0-9]+)
  | (?P<integer>[+-]?[0-9]+)
  | (?P<boolean>true|false)
)\Z''' % (_TSV_IRI.replace('(', '(?P<iri>', 1),
           _TSV_IRI.replace('(', '(?P<dt>', 1), _DOUBLE), re.X)


def parse_tsv_term(cell, where='TSV'):
    """The RDF term of one TSV cell (Turtle syntax); None for an empty cell.

    Numbers and booleans written bare are the Turtle short forms: the token
    is the lexical form, its shape gives the datatype.
    """
    if cell == '':
        return None
    m = _TSV_TERM.match(cell)
    if not m:
        raise FormatError('%s: not an RDF term: %r' % (where, cell[:40]))
    g = m.groupdict()
    if g['iri'] is not None:
        return iri(_unescape(g['iri'], where, True))
    if g['bnode'] is not None:
        return bnode(g['bnode'])
    for kind in ('double', 'decimal', 'integer', 'boolean'):
        if g[kind] is not None:
            return lit(g[kind], XSD + kind)
    text = g['dq'] if g['dq'] is not None else g['sq']
    dt = _unescape(g['dt'], where, True) if g['dt'] is not None else None
    return lit(_unescape(text, where), dt, g['lang'])


def parse_tsv_table(text):
    """Header and rows of a SPARQL TSV document, cells read as RDF terms."""
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if not lines:
        raise FormatError('TSV: empty document')
    header = lines[0].split('\t')
    rows = [tuple(parse_tsv_term(c, 'TSV line %d' % n)
                  for c in line.split('\t'))
            for n, line in enumerate(lines[1:], 2)]
    return header, rows


_DOUBLE_NUMERAL = re.compile(_DOUBLE + r'\Z')


def exponent_case_as_expected(expected, actual):
    """actual rows, each xsd:double that an expected double matches but for
    a lower-case exponent marker where the actual has the upper-case one
    ("1.0E6" against "1.0e6") replaced by the expected literal.

    Only for TSV, whose expected files write doubles as Turtle short forms
    with the exponent marker lowered (csv-tsv-res tsv03 gives the double
    "1.0E6" of its data as 1.0e6). Nothing else is forgiven: another
    lexical form of the same value, or a lowered marker in the actual
    output against an upper-case one expected, still fails.
    """
    def dbl(t):
        return (t is not None and t[0] == 'L' and t[2] == XSD + 'double'
                and _DOUBLE_NUMERAL.match(t[1]))
    lowered = {}
    for r in expected:
        for t in r:
            if dbl(t) and 'e' in t[1]:
                lowered[t[1].replace('e', 'E')] = t
    as_is = {t for r in expected for t in r}

    def fix(t):
        if dbl(t) and t not in as_is and t[1] in lowered:
            return lowered[t[1]]
        return t
    return [tuple(map(fix, r)) for r in actual]


# ---------------------------------------------------------------------------
# Blank-node-aware matching of rows (tuples of terms or None)

class Undecided(Exception):
    """Matching needed more search than allowed."""


def _colours(rows, rounds=4):
    """Colour each blank node by its neighbourhood (an isomorphism invariant).

    Returns the rows with every blank node replaced by ('B', colour), where
    colours are canonical tuples comparable across documents.
    """
    colour = {}
    for r in rows:
        for t in r:
            if is_bnode(t):
                colour[t] = ()
    for _ in range(rounds):
        occ = collections.defaultdict(list)
        for r in rows:
            shape = tuple(('B', colour[t]) if is_bnode(t) else t for t in r)
            for pos, t in enumerate(r):
                if is_bnode(t):
                    occ[t].append((pos, shape))
        new = {b: hash(tuple(sorted(map(repr, occ[b])))) for b in colour}
        if len(set(new.values())) == len(set(colour.values())):
            colour = new
            break
        colour = new
    return [tuple(('B', colour[t]) if is_bnode(t) else t for t in r)
            for r in rows], colour


def _blank(row):
    return tuple(('B',) if is_bnode(t) else t for t in row)


def match_bag(expected, actual, limit=200000):
    """True if the row multisets are equal under one blank-node bijection."""
    if len(expected) != len(actual):
        return False
    if collections.Counter(map(_blank, expected)) != \
            collections.Counter(map(_blank, actual)):
        return False
    exp_b = [r for r in expected if any(map(is_bnode, r))]
    act_b = [r for r in actual if any(map(is_bnode, r))]
    if not exp_b:
        return True
    exp_c, _ = _colours(exp_b)
    act_c, _ = _colours(act_b)
    if collections.Counter(exp_c) != collections.Counter(act_c):
        return False
    groups = collections.defaultdict(list)
    for i, c in enumerate(act_c):
        groups[c].append(i)
    order = sorted(range(len(exp_b)), key=lambda i: len(groups[exp_c[i]]))
    used = [False] * len(act_b)
    fwd, back = {}, {}
    steps = [0]

    def extend(er, ar):
        added = []
        for e, a in zip(er, ar):
            if not is_bnode(e):
                continue
            if e in fwd:
                if fwd[e] != a:
                    break
            elif a in back:
                break
            else:
                fwd[e] = a
                back[a] = e
                added.append(e)
        else:
            return added
        for e in added:
            del back[fwd.pop(e)]
        return None

    def search(k):
        if k == len(order):
            return True
        steps[0] += 1
        if steps[0] > limit:
            raise Undecided()
        i = order[k]
        for j in groups[exp_c[i]]:
            if used[j]:
                continue
            added = extend(exp_b[i], act_b[j])
            if added is None:
                continue
            used[j] = True
            if search(k + 1):
                return True
            used[j] = False
            for e in added:
                del back[fwd.pop(e)]
        return False

    return search(0)


def match_sequence(expected, actual):
    """True if the row sequences are equal under one blank-node bijection."""
    if len(expected) != len(actual):
        return False
    fwd, back = {}, {}
    for er, ar in zip(expected, actual):
        if len(er) != len(ar):
            return False
        for e, a in zip(er, ar):
            if is_bnode(e) and is_bnode(a):
                if fwd.setdefault(e, a) != a or back.setdefault(a, e) != e:
                    return False
            elif e != a:
                return False
    return True


def _dedupe(rows):
    seen, out = set(), []
    for r in rows:
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out


_DECIMAL_TYPES = {XSD + t for t in (
    'decimal', 'integer', 'nonPositiveInteger', 'negativeInteger', 'long',
    'int', 'short', 'byte', 'nonNegativeInteger', 'unsignedLong',
    'unsignedInt', 'unsignedShort', 'unsignedByte', 'positiveInteger')}
_FLOAT_TYPES = {XSD + 'double', XSD + 'float'}


def _by_value(t):
    """A numeric literal as (datatype, value); other terms unchanged."""
    if t is None or t[0] != 'L' or t[2] not in _DECIMAL_TYPES | _FLOAT_TYPES:
        return t
    try:
        if t[2] in _DECIMAL_TYPES:
            return ('V', t[2], decimal.Decimal(t[1].strip()))
        v = float(t[1].strip())
        return ('V', t[2], 'NaN' if v != v else v)
    except (ValueError, decimal.InvalidOperation):
        return t


def describe_difference(expected, actual, what='rows'):
    """Short reason for two row multisets that do not match."""
    ce = collections.Counter(map(_blank, expected))
    ca = collections.Counter(map(_blank, actual))
    missing, extra = ce - ca, ca - ce
    counts = '(expected %d, got %d)' % (len(expected), len(actual))
    if missing and not extra:
        return 'missing %s %s' % (what, counts)
    if extra and not missing:
        return 'extra %s %s' % (what, counts)
    if not missing and not extra:
        return 'wrong result: blank nodes connected differently %s' % counts
    return 'wrong result %s' % counts


def first_difference(expected, actual, variables=None):
    """One example row missing and one extra, as text (for details)."""
    ce = collections.Counter(map(_blank, expected))
    ca = collections.Counter(map(_blank, actual))
    out = []

    def show(row):
        if all(t is None for t in row):
            return '(empty solution)'
        if variables:
            return ' '.join('%s=%s' % (v, term_str(t))
                            for v, t in zip(variables, row) if t is not None)
        return ' '.join(term_str(t) for t in row if t is not None)
    for r in ce - ca:
        out.append('missing: ' + show(r))
        break
    for r in ca - ce:
        out.append('extra: ' + show(r))
        break
    return '; '.join(out)


def compare_rows(expected, actual, ordered=False, order_keys=None, lax=False,
                 variables=None):
    """Compare row lists; returns (ok, reason, detail).

    ordered: the expected sequence is significant (ORDER BY). Then the rows
    must first match as multisets; if order_keys (positions of the ORDER BY
    key columns) is given only the sequence of key values must agree, else
    the whole sequence must (one bijection for all rows). A multiset match
    with a wrong sequence is reason 'order'.
    lax: LaxCardinality (REDUCED) - the distinct rows must match and actual
    may not have more rows than expected.
    """
    try:
        if lax:
            if len(actual) > len(expected):
                return (False, 'extra rows (expected at most %d, got %d)'
                        % (len(expected), len(actual)),
                        first_difference(expected, actual, variables))
            if match_bag(_dedupe(expected), _dedupe(actual)):
                return True, '', ''
            return (False, describe_difference(_dedupe(expected), _dedupe(actual)),
                    first_difference(expected, actual, variables))
        if not match_bag(expected, actual):
            reason = describe_difference(expected, actual)
            if match_bag([tuple(map(_by_value, r)) for r in expected],
                         [tuple(map(_by_value, r)) for r in actual]):
                reason = ('wrong lexical form of a number (the values are '
                          'equal) (expected %d, got %d)'
                          % (len(expected), len(actual)))
            return (False, reason,
                    first_difference(expected, actual, variables))
        if not ordered:
            return True, '', ''
        if order_keys is not None:
            ke = [tuple(_blank(r)[k] for k in order_keys) for r in expected]
            ka = [tuple(_blank(r)[k] for k in order_keys) for r in actual]
            ok = ke == ka
        else:
            ok = match_sequence(expected, actual)
        if ok:
            return True, '', ''
        return False, 'order (right rows, wrong sequence)', ''
    except Undecided:
        return False, 'undecided: blank-node matching too large', ''


def compare_result_sets(expected, actual, ordered=False, order_vars=None,
                        lax=False):
    """Compare two ResultSets; returns (ok, reason, detail)."""
    if expected.boolean is not None or actual.boolean is not None:
        if actual.boolean is None:
            return False, 'wrong result: solutions instead of a boolean', ''
        if expected.boolean is None:
            return False, 'wrong result: a boolean instead of solutions', ''
        if expected.boolean != actual.boolean:
            return (False, 'wrong result: %s instead of %s' % (
                str(actual.boolean).lower(), str(expected.boolean).lower()), '')
        return True, '', ''
    names = sorted(set(expected.variables) | set(actual.variables)
                   | {v for r in expected.rows for v in r}
                   | {v for r in actual.rows for v in r})
    exp_rows = [tuple(r.get(v) for v in names) for r in expected.rows]
    act_rows = [tuple(r.get(v) for v in names) for r in actual.rows]
    keys = None
    if order_vars is not None and all(v in names for v in order_vars):
        keys = [names.index(v) for v in order_vars]
    ok, reason, detail = compare_rows(exp_rows, act_rows,
                                      ordered=ordered and expected.ordered,
                                      order_keys=keys, lax=lax,
                                      variables=names)
    if ok and set(expected.variables) != set(actual.variables):
        return (False, 'wrong variables',
                'expected %s, got %s' % (' '.join(sorted(expected.variables)),
                                         ' '.join(sorted(actual.variables))))
    return ok, reason, detail


def compare_tables(expected, actual, ordered, tsv=False):
    """Compare (header, rows) of two CSV/TSV documents.

    tsv: the rows are TSV terms; an actual double may differ from the
    expected one in the case of its exponent marker only
    (exponent_case_as_expected)."""
    eh, er = expected
    ah, ar = actual
    if tsv:
        ar = exponent_case_as_expected(er, ar)
    if eh != ah:
        return False, 'wrong header', 'expected %r, got %r' % (eh, ah)
    if any(len(r) != len(eh) for r in ar):
        return False, 'wrong result: a row has the wrong number of cells', ''
    return compare_rows(er, ar, ordered=ordered)


# ---------------------------------------------------------------------------
# Graphs and datasets

_Q = 'urn:x-kgraph-w3c:quad#'


def _rdflib(t):
    if t[0] == 'I':
        return rdflib.URIRef(t[1])
    if t[0] == 'B':
        return rdflib.BNode(t[1])
    if t[3]:
        return rdflib.Literal(t[1], lang=t[3])
    return rdflib.Literal(t[1], datatype=t[2])


def _to_graph(quads):
    """One rdflib graph holding a dataset: default-graph triples as they are,
    each named-graph quad as a node with s/p/o/g arcs, so that blank nodes
    shared between graphs (and blank graph names) stay one node."""
    g = rdflib.Graph()
    for n, (s, p, o, gr) in enumerate(quads):
        if gr is None:
            g.add((_rdflib(s), _rdflib(p), _rdflib(o)))
        else:
            q = rdflib.BNode('q%d' % n)
            g.add((q, rdflib.URIRef(_Q + 's'), _rdflib(s)))
            g.add((q, rdflib.URIRef(_Q + 'p'), _rdflib(p)))
            g.add((q, rdflib.URIRef(_Q + 'o'), _rdflib(o)))
            g.add((q, rdflib.URIRef(_Q + 'g'), _rdflib(gr)))
    return g


def compare_datasets(expected, actual):
    """Compare quad lists as sets under blank-node isomorphism."""
    exp = _dedupe(expected)
    act = _dedupe(actual)
    if len(exp) == len(act):
        has_b = any(is_bnode(t) for q in exp + act for t in q)
        if not has_b:
            if set(exp) == set(act):
                return True, '', ''
        elif isomorphic(_to_graph(exp), _to_graph(act)):
            return True, '', ''
    return (False, describe_difference(exp, act, 'triples'),
            first_difference(exp, act))
