"""Reading the W3C test manifests (Turtle, with rdflib) into Test records."""

import os
import urllib.parse

import rdflib
from rdflib.collection import Collection

import w3c_compare  # noqa: F401  (sets rdflib.NORMALIZE_LITERALS)

MF = rdflib.Namespace('http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#')
QT = rdflib.Namespace('http://www.w3.org/2001/sw/DataAccess/tests/test-query#')
UT = rdflib.Namespace('http://www.w3.org/2009/sparql/tests/test-update#')
DAWGT = rdflib.Namespace('http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#')
RDFT = rdflib.Namespace('http://www.w3.org/ns/rdftest#')
RDFS = rdflib.RDFS
RDF = rdflib.RDF

# Where the rdf-tests repository publishes its files: test IRIs that the
# manifests give relative to their own location are reported under it, so
# that names do not depend on where the suites are checked out.
PUBLIC_BASE = 'https://w3c.github.io/rdf-tests/'

# Suites and the manifests they are read from (relative to the w3c root).
SUITES = [
    ('sparql10', 'SPARQL 1.0 evaluation and syntax',
     ['sparql/sparql10/manifest-evaluation.ttl',
      'sparql/sparql10/manifest-syntax.ttl']),
    ('sparql11-query', 'SPARQL 1.1 Query',
     ['sparql/sparql11/manifest-sparql11-query.ttl']),
    ('sparql11-update', 'SPARQL 1.1 Update',
     ['sparql/sparql11/manifest-sparql11-update.ttl']),
    ('sparql11-results', 'SPARQL 1.1 result formats: CSV, TSV, JSON',
     ['sparql/sparql11/manifest-sparql11-results.ttl']),
    ('rdf-turtle', 'RDF 1.1 Turtle', ['rdf/rdf11/rdf-turtle/manifest.ttl']),
    ('rdf-trig', 'RDF 1.1 TriG', ['rdf/rdf11/rdf-trig/manifest.ttl']),
    ('rdf-n-triples', 'RDF 1.1 N-Triples',
     ['rdf/rdf11/rdf-n-triples/manifest.ttl']),
    ('rdf-n-quads', 'RDF 1.1 N-Quads', ['rdf/rdf11/rdf-n-quads/manifest.ttl']),
    ('rdf-xml', 'RDF 1.1 RDF/XML', ['rdf/rdf11/rdf-xml/manifest.ttl']),
]

# Directories never run, even if a manifest includes them: they need
# entailment, a network service or an HTTP protocol, not the CLI.
SKIPPED_DIRS = {'entailment', 'service', 'protocol', 'graph-store-protocol',
                'service-description', 'http-rdf-update', 'syntax-fed'}

KINDS = {
    MF.QueryEvaluationTest: 'query-eval',
    MF.CSVResultFormatTest: 'query-eval',
    MF.PositiveSyntaxTest: 'syntax+',
    MF.PositiveSyntaxTest11: 'syntax+',
    MF.NegativeSyntaxTest: 'syntax-',
    MF.NegativeSyntaxTest11: 'syntax-',
    MF.PositiveUpdateSyntaxTest11: 'syntax+',
    MF.NegativeUpdateSyntaxTest11: 'syntax-',
    MF.UpdateEvaluationTest: 'update-eval',
}
for _lang in ('Turtle', 'Trig', 'NTriples', 'NQuads', 'XML'):
    KINDS[RDFT['Test%sPositiveSyntax' % _lang]] = 'rdf-syntax+'
    KINDS[RDFT['Test%sNegativeSyntax' % _lang]] = 'rdf-syntax-'
    KINDS[RDFT['Test%sEval' % _lang]] = 'rdf-eval'
    KINDS[RDFT['Test%sNegativeEval' % _lang]] = 'rdf-eval-'


def file_path(term):
    """Local path of a file: IRI."""
    u = urllib.parse.urlparse(str(term))
    if u.scheme != 'file':
        raise ValueError('not a local file: %s' % term)
    return urllib.parse.unquote(u.path)


def file_iri(path):
    return 'file://' + urllib.parse.quote(os.path.abspath(path))


class Test:
    """One test of a manifest, with local paths for everything it reads."""

    def __init__(self, **kw):
        self.id = kw.get('id')            # public test IRI
        self.suite = kw.get('suite')
        self.name = kw.get('name')
        self.kind = kw.get('kind')        # see KINDS
        self.approval = kw.get('approval')  # local name or None
        self.manifest = kw.get('manifest')  # local path
        self.action = kw.get('action')    # query/request/data file (path)
        self.data = kw.get('data', [])    # default-graph files (paths)
        self.graphs = kw.get('graphs', [])  # [(graph IRI, path)]
        self.result = kw.get('result')    # expected result file (path)
        self.result_data = kw.get('result_data', [])      # update: paths
        self.result_graphs = kw.get('result_graphs', [])  # update: [(IRI, path)]
        self.lax = kw.get('lax', False)   # mf:LaxCardinality
        self.base = kw.get('base')        # RDF suites: base IRI of the action
        self.update = kw.get('update', False)  # action is an update request

    def __repr__(self):
        return '<Test %s %s>' % (self.kind, self.id)


class Loaded:
    def __init__(self):
        self.tests = []
        self.skipped = {}        # reason -> count
        self.skipped_dirs = []   # included manifests not read
        self.unstated = 0        # counted tests with no approval statement


def _public(root, term):
    s = str(term)
    prefix = file_iri(root).rstrip('/') + '/'
    if s.startswith(prefix):
        return PUBLIC_BASE + s[len(prefix):]
    return s


def _items(g, node):
    """Members of an RDF list, or the node itself if it is not a list."""
    if node == RDF.nil or g.value(node, RDF.first) is not None:
        return list(Collection(g, node))
    return [node]


def _graph_data(g, node, pred_graph):
    """(graph IRI, path) of a qt:graphData / ut:graphData object."""
    if isinstance(node, rdflib.URIRef):
        return (str(node), file_path(node))
    f = g.value(node, pred_graph)
    label = g.value(node, RDFS.label)
    if f is None:
        raise ValueError('graphData without a graph file')
    return (str(label) if label is not None else str(f), file_path(f))


def load_suite(root, suite, manifests):
    out = Loaded()
    seen = set()
    for m in manifests:
        _load_manifest(root, suite, os.path.join(root, m), out, seen)
    return out


def _load_manifest(root, suite, path, out, seen):
    path = os.path.abspath(path)
    if path in seen:
        return
    seen.add(path)
    rel = os.path.relpath(path, root).split(os.sep)
    if SKIPPED_DIRS.intersection(rel[:-1]):
        out.skipped_dirs.append(os.path.relpath(path, root))
        return
    g = rdflib.Graph()
    g.parse(path, format='turtle', publicID=file_iri(path))
    for man in g.subjects(RDF.type, MF.Manifest):
        base = g.value(man, MF.assumedTestBase)
        for inc in g.objects(man, MF.include):
            for x in _items(g, inc):
                _load_manifest(root, suite, file_path(x), out, seen)
        for entries in g.objects(man, MF.entries):
            for t in _items(g, entries):
                _add_test(root, suite, g, t, path, base, out)


def _add_test(root, suite, g, t, mpath, base, out):
    types = list(g.objects(t, RDF.type))
    kind = None
    for ty in types:
        kind = KINDS.get(ty, kind)
    tid = _public(root, t)
    approval = g.value(t, DAWGT.approval) or g.value(t, RDFT.approval)
    approval = str(approval).split('#')[-1] if approval is not None else None
    if approval not in (None, 'Approved'):
        out.skipped[approval] = out.skipped.get(approval, 0) + 1
        return
    if kind is None:
        name = ', '.join(sorted(str(x).split('#')[-1] for x in types))
        key = 'unsupported type %s' % name
        out.skipped[key] = out.skipped.get(key, 0) + 1
        return
    if approval is None:
        out.unstated += 1
    name = str(g.value(t, MF.name) or tid.split('#')[-1])
    test = Test(id=tid, suite=suite, name=name, kind=kind, approval=approval,
                manifest=mpath)
    action = g.value(t, MF.action)
    result = g.value(t, MF.result)
    if kind in ('syntax+', 'syntax-'):
        test.action = file_path(action)
        test.update = test.action.endswith('.ru')
    elif kind == 'query-eval':
        test.action = file_path(g.value(action, QT.query))
        test.data = sorted(file_path(d) for d in g.objects(action, QT.data))
        test.graphs = sorted(_graph_data(g, d, QT.graph)
                             for d in g.objects(action, QT.graphData))
        test.result = file_path(result) if result is not None else None
        card = g.value(t, MF.resultCardinality)
        test.lax = card is not None and str(card).endswith('LaxCardinality')
    elif kind == 'update-eval':
        test.update = True
        test.action = file_path(g.value(action, UT.request))
        test.data = sorted(file_path(d) for d in g.objects(action, UT.data))
        test.graphs = sorted(_graph_data(g, d, UT.graph)
                             for d in g.objects(action, UT.graphData))
        if result is not None:
            test.result_data = sorted(file_path(d)
                                      for d in g.objects(result, UT.data))
            test.result_graphs = sorted(
                _graph_data(g, d, UT.graph)
                for d in g.objects(result, UT.graphData))
    else:  # RDF syntax suites
        test.action = file_path(action)
        test.result = file_path(result) if result is not None else None
        if base is not None:
            reldir = os.path.relpath(test.action, os.path.dirname(mpath))
            test.base = str(base) + urllib.parse.quote(reldir.replace(os.sep, '/'))
    out.tests.append(test)
