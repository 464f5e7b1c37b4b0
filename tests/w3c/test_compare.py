#!/usr/bin/python3
"""Checks of the W3C runner's own comparison code (no kgraph needed).

A runner that compares wrongly reports wrong numbers, so its matcher, its
parsers and its reading of queries are tested here on small cases whose
answer is known.
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import w3c_compare as C  # noqa: E402
from run import Outcome, analyze_query, crash_reason  # noqa: E402

XSD = 'http://www.w3.org/2001/XMLSchema#'
I, B, L = C.iri, C.bnode, C.lit


class Terms(unittest.TestCase):
    def test_literal_normalisation(self):
        self.assertEqual(L('a', XSD + 'string'), L('a'))
        self.assertEqual(L('a', None, 'EN-gb'), L('a', None, 'en-GB'))
        self.assertNotEqual(L('01', XSD + 'integer'), L('1', XSD + 'integer'))
        self.assertNotEqual(L('a', None, 'en'), L('a'))


class Rows(unittest.TestCase):
    def test_plain_multiset(self):
        a = [(I('x'), L('1')), (I('y'), None)]
        self.assertTrue(C.match_bag(a, list(reversed(a))))
        self.assertFalse(C.match_bag(a, a + a[:1]))
        self.assertFalse(C.match_bag(a + a[:1], a + a[1:]))

    def test_bnode_bijection(self):
        exp = [(B('a'), I('p'), B('b')), (B('b'), I('p'), B('a'))]
        act = [(B('y'), I('p'), B('x')), (B('x'), I('p'), B('y'))]
        self.assertTrue(C.match_bag(exp, act))
        # one blank node where two are expected: not a bijection
        act1 = [(B('x'), I('p'), B('x')), (B('x'), I('p'), B('x'))]
        self.assertFalse(C.match_bag(exp, act1))
        # the same blank node in every row vs distinct ones (BNODE() per row)
        e = [(L('a'), B('b0')), (L('b'), B('b1'))]
        a = [(L('a'), B('z')), (L('b'), B('z'))]
        self.assertFalse(C.match_bag(e, a))
        ok, reason, _ = C.compare_rows(e, a)
        self.assertFalse(ok)
        self.assertTrue(reason.startswith('wrong result: blank nodes'))

    def test_bnode_needs_backtracking(self):
        # two rows look alike until the second column is considered
        exp = [(B('a'), L('1')), (B('b'), L('1')), (B('a'), L('2'))]
        act = [(B('q'), L('1')), (B('p'), L('2')), (B('p'), L('1'))]
        self.assertTrue(C.match_bag(exp, act))
        act2 = [(B('q'), L('1')), (B('p'), L('2')), (B('r'), L('1'))]
        self.assertFalse(C.match_bag(exp, act2))

    def test_regular_structures(self):
        # a 6-cycle and two 3-cycles look alike to local colouring: only the
        # search tells them apart
        p = I('p')
        cycle6 = [(B(a), p, B(b)) for a, b in zip('abcdef', 'bcdefa')]
        relabelled = [(B(a), p, B(b)) for a, b in zip('uvwxyz', 'vwxyzu')]
        triangles = [(B(a), p, B(b)) for a, b in zip('uvwxyz', 'vwuyzx')]
        self.assertTrue(C.match_bag(cycle6, list(reversed(relabelled))))
        self.assertFalse(C.match_bag(cycle6, triangles))
        self.assertFalse(C.compare_datasets(
            [r + (None,) for r in cycle6], [r + (None,) for r in triangles])[0])
        self.assertTrue(C.compare_datasets(
            [r + (None,) for r in cycle6], [r + (None,) for r in relabelled])[0])

    def test_reasons(self):
        e = [(L('1'),), (L('2'),)]
        self.assertEqual(C.compare_rows(e, e[:1])[1],
                         'missing rows (expected 2, got 1)')
        self.assertEqual(C.compare_rows(e[:1], e)[1],
                         'extra rows (expected 1, got 2)')
        self.assertEqual(C.compare_rows(e, [(L('1'),), (L('3'),)])[1],
                         'wrong result (expected 2, got 2)')

    def test_numeric_lexical_form(self):
        e = [(L('3.0E4', XSD + 'double'),), (L('2', XSD + 'integer'),)]
        a = [(L('30000.0', XSD + 'double'),), (L('02', XSD + 'integer'),)]
        ok, reason, _ = C.compare_rows(e, a)
        self.assertFalse(ok)
        self.assertTrue(reason.startswith('wrong lexical form of a number'))
        a = [(L('3.0E4', XSD + 'float'),), (L('2', XSD + 'integer'),)]
        self.assertEqual(C.compare_rows(e, a)[1],
                         'wrong result (expected 2, got 2)')

    def test_order(self):
        e = [(L('1'), L('a')), (L('2'), L('b'))]
        a = list(reversed(e))
        self.assertTrue(C.compare_rows(e, a)[0])
        ok, reason, _ = C.compare_rows(e, a, ordered=True)
        self.assertFalse(ok)
        self.assertEqual(reason, 'order (right rows, wrong sequence)')
        # ties on the ORDER BY key may come in any order
        e = [(L('1'), L('a')), (L('1'), L('b')), (L('2'), L('c'))]
        a = [(L('1'), L('b')), (L('1'), L('a')), (L('2'), L('c'))]
        self.assertTrue(C.compare_rows(e, a, ordered=True, order_keys=[0])[0])
        self.assertFalse(C.compare_rows(e, a, ordered=True)[0])
        # blank nodes in an ordered sequence: one mapping for all rows
        e = [(B('a'),), (B('b'),), (B('a'),)]
        self.assertTrue(C.match_sequence(e, [(B('x'),), (B('y'),), (B('x'),)]))
        self.assertFalse(C.match_sequence(e, [(B('x'),), (B('x'),), (B('y'),)]))

    def test_lax_cardinality(self):
        e = [(L('1'),), (L('1'),), (L('2'),)]
        self.assertTrue(C.compare_rows(e, [(L('1'),), (L('2'),)], lax=True)[0])
        self.assertTrue(C.compare_rows(e, e, lax=True)[0])
        self.assertFalse(C.compare_rows(e, e + e[:1], lax=True)[0])
        self.assertFalse(C.compare_rows(e, [(L('1'),)], lax=True)[0])


class ResultDocs(unittest.TestCase):
    SRX = b'''<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head><variable name="x"/><variable name="y"/></head>
  <results>
    <result><binding name="x"><bnode>r1</bnode></binding>
            <binding name="y"><literal xml:lang="EN"> a b </literal></binding></result>
    <result><binding name="x"><uri>http://e/x</uri></binding>
            <binding name="y"><literal datatype="http://www.w3.org/2001/XMLSchema#string">s</literal></binding></result>
  </results>
</sparql>'''
    SRJ = '''{"head": {"vars": ["y", "x"]}, "results": {"bindings": [
      {"x": {"type": "uri", "value": "http://e/x"}, "y": {"type": "literal", "value": "s"}},
      {"x": {"type": "bnode", "value": "b0"},
       "y": {"type": "literal", "value": " a b ", "xml:lang": "en"}}]}}'''

    def test_srx_equals_srj(self):
        e = C.parse_srx(self.SRX)
        a = C.parse_srj(self.SRJ)
        self.assertEqual(e.rows[0]['y'], L(' a b ', None, 'en'))
        self.assertTrue(C.compare_result_sets(e, a)[0])
        ok, reason, _ = C.compare_result_sets(e, a, ordered=True)
        self.assertFalse(ok)
        self.assertTrue(reason.startswith('order'))

    def test_boolean(self):
        t = C.parse_srx(b'<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                        b'<head/><boolean>true</boolean></sparql>')
        f = C.parse_srj('{"head": {}, "boolean": false}')
        self.assertEqual(C.compare_result_sets(t, f)[1],
                         'wrong result: false instead of true')

    def test_variables(self):
        e = C.parse_srj('{"head": {"vars": ["x"]}, "results": {"bindings": []}}')
        a = C.parse_srj('{"head": {"vars": ["x", "y"]}, "results": {"bindings": []}}')
        self.assertEqual(C.compare_result_sets(e, a)[1], 'wrong variables')

    def test_malformed(self):
        with self.assertRaises(C.FormatError):
            C.parse_srj('{"head": {"vars": []}, "results": {"bindings": [{"x": 1}]}}')
        with self.assertRaises(C.FormatError):
            C.parse_srx(b'<sparql')

    def test_tables(self):
        csv_e = C.parse_csv_table('x,y\n_:a,"1,2"\nhttp://e/,\n')
        csv_a = C.parse_csv_table('x,y\r\nhttp://e/,\r\n_:zz,"1,2"\r\n')
        self.assertTrue(C.compare_tables(csv_e, csv_a, ordered=False)[0])
        self.assertFalse(C.compare_tables(csv_e, csv_a, ordered=True)[0])
        self.assertFalse(C.compare_tables(C.parse_tsv_table('?x\n'),
                                          C.parse_tsv_table('?y\n'), False)[0])

    def test_tsv_terms(self):
        rows = C.parse_tsv_table(
            '?a\t?b\n'
            '<http://e/\\u0073>\t_:x\n'
            '"a\\tb\\"c"@EN-gb\t\'d\'^^<http://e/dt>\n'
            '-7\t+.5\n'
            '2.e0\tfalse\n'
            '"4"^^<%sinteger>\t\n' % XSD)[1]
        self.assertEqual(rows, [
            (I('http://e/s'), B('x')),
            (L('a\tb"c', None, 'en-gb'), L('d', 'http://e/dt')),
            (L('-7', XSD + 'integer'), L('+.5', XSD + 'decimal')),
            (L('2.e0', XSD + 'double'), L('false', XSD + 'boolean')),
            (L('4', XSD + 'integer'), None)])
        for bad in ('foo', '"x', '<a b>', '1.', 'e1', '"x"@', 'TRUE',
                    '"x"^^xsd:string', '"\\q"'):
            with self.assertRaises(C.FormatError, msg=bad):
                C.parse_tsv_table('?x\n%s\n' % bad)

    def test_tsv_exponent_case(self):
        def same(expected, actual):
            return C.compare_tables(C.parse_tsv_table('?x\n' + expected),
                                    C.parse_tsv_table('?x\n' + actual),
                                    ordered=False, tsv=True)[0]
        # The expected file lowers the marker of the data's "1.0E6".
        self.assertTrue(same('1.0e6\n', '1.0E6\n'))
        self.assertTrue(same('1.0e6\n', '"1.0E6"^^<%sdouble>\n' % XSD))
        self.assertTrue(same('1.0e6\n', '1.0e6\n'))
        self.assertTrue(same('1.0e6\n1.0E6\n', '1.0E6\n1.0e6\n'))
        # Nothing else passes: the other direction, another form of the
        # value, another datatype, a plain string.
        self.assertFalse(same('1.0E6\n', '1.0e6\n'))
        self.assertFalse(same('1.0e6\n', '1000000.0E0\n'))
        self.assertFalse(same('1.0e6\n', '1.0E+6\n'))
        self.assertFalse(same('1.0e6\n', '"1.0E6"^^<%sfloat>\n' % XSD))
        self.assertFalse(same('1.0e6\n', '"1.0E6"\n'))
        self.assertFalse(same('1.0e6\n1.0E6\n', '1.0E6\n1.0E6\n'))
        # Without tsv=True (and for CSV) the lexical forms must be equal.
        self.assertFalse(C.compare_tables(C.parse_tsv_table('?x\n1.0e6\n'),
                                          C.parse_tsv_table('?x\n1.0E6\n'),
                                          ordered=False)[0])


class NQuads(unittest.TestCase):
    def test_terms(self):
        q = C.parse_nquads(
            '# comment\n'
            '<http://e/s> <http://e/p> "a\\"\\n\\u00E9\\U0001F600"@EN-us <http://e/g> .\n'
            '_:b.1 <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\r\n'
            '\n'
            '<http://e/\\u0073> <http://e/p> _:g _:g.\n')
        self.assertEqual(q[0], (I('http://e/s'), I('http://e/p'),
                                L('a"\n\u00e9\U0001F600', None, 'en-us'),
                                I('http://e/g')))
        self.assertEqual(q[1], (B('b.1'), I('http://e/p'),
                                L('1', XSD + 'integer'), None))
        self.assertEqual(q[2], (I('http://e/s'), I('http://e/p'), B('g'), B('g')))

    def test_errors(self):
        for bad in ('<http://e/s> <http://e/p> "x"', '"x" <http://e/p> <http://e/o> .',
                    '<http://e/s> _:p <http://e/o> .', '<a b> <http://e/p> <http://e/o> .',
                    '<http://e/s> <http://e/p> "\\q" .',
                    '<http://e/s> <http://e/p> <http://e/o> <http://e/g> <http://e/h> .'):
            with self.assertRaises(C.FormatError, msg=bad):
                C.parse_nquads(bad)


class Datasets(unittest.TestCase):
    def test_isomorphism(self):
        e = C.parse_nquads('_:a <http://e/p> _:b _:g .\n_:b <http://e/p> "x" .\n')
        a = C.parse_nquads('_:y <http://e/p> "x" .\n_:x <http://e/p> _:y _:h .\n')
        self.assertTrue(C.compare_datasets(e, a)[0])
        # the graph-name blank node must not be merged with another node
        a2 = C.parse_nquads('_:y <http://e/p> "x" .\n_:x <http://e/p> _:y _:y .\n')
        self.assertFalse(C.compare_datasets(e, a2)[0])
        # a triple in the default graph is not the same triple in a named one
        a3 = C.parse_nquads('_:y <http://e/p> "x" _:h .\n_:x <http://e/p> _:y _:h .\n')
        self.assertFalse(C.compare_datasets(e, a3)[0])

    def test_literals_by_term(self):
        e = C.parse_nquads('<http://e/s> <http://e/p> "01"^^<%sinteger> .' % XSD)
        a = C.parse_nquads('<http://e/s> <http://e/p> "1"^^<%sinteger> .' % XSD)
        ok, reason, _ = C.compare_datasets(e, a)
        self.assertFalse(ok)
        self.assertEqual(reason, 'wrong result (expected 1, got 1)')
        ok, reason, _ = C.compare_datasets(e, [])
        self.assertEqual(reason, 'missing triples (expected 1, got 0)')


class Queries(unittest.TestCase):
    BASE = 'file:///t/q.rq'

    def test_order_by(self):
        self.assertEqual(analyze_query('SELECT * { ?s ?p ?o } ORDER BY ?s DESC(?o)',
                                       self.BASE)[:2], (True, ['s', 'o']))
        self.assertEqual(analyze_query('SELECT * { ?s ?p ?o } ORDER BY str(?o) LIMIT 2',
                                       self.BASE)[:2], (True, None))
        self.assertEqual(analyze_query(
            'SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }',
            self.BASE)[:2], (False, None))
        # braces and keywords inside strings, IRIs and comments do not count
        self.assertEqual(analyze_query(
            'SELECT * { ?s ?p "}" . ?s <http://e/#x> ?o } # ORDER BY ?z\n',
            self.BASE)[:2], (False, None))
        self.assertEqual(analyze_query(
            "PREFIX : <http://e/#> SELECT * { ?s :p '''}\n''' } order by asc(?s)",
            self.BASE)[:2], (True, ['s']))

    def test_from(self):
        q = ('BASE <http://other/> PREFIX : <http://e/> SELECT * FROM <d.ttl> '
             'FROM NAMED :g { ?s ?p ?o }')
        self.assertEqual(analyze_query(q, self.BASE)[2],
                         ['http://other/d.ttl', 'http://e/g'])
        self.assertEqual(analyze_query('SELECT * FROM <d.ttl> {}', self.BASE)[2],
                         ['file:///t/d.ttl'])


class Crashes(unittest.TestCase):
    def test_reasons(self):
        self.assertEqual(crash_reason(Outcome([], rc=-11)),
                         'crash (signal 11, SIGSEGV)')
        self.assertEqual(crash_reason(Outcome([], timeout=True, rc=-9)),
                         'timeout')
        self.assertIsNone(crash_reason(Outcome([], rc=3, err='kgraph: x')))
        self.assertEqual(crash_reason(Outcome([], rc=1, err=(
            '==7==ERROR: AddressSanitizer: heap-use-after-free on address '
            '0x6020 at pc'))), 'crash (AddressSanitizer: heap-use-after-free)')
        self.assertEqual(crash_reason(Outcome([], rc=0, err=(
            'engine/x.c:3:5: runtime error: signed integer overflow'))),
            'crash (UBSan: signed integer overflow)')
        leak = (
            '==1==ERROR: LeakSanitizer: detected memory leaks\n\n'
            'Direct leak of 9 byte(s) in 1 object(s) allocated from:\n'
            '    #0 0x55 in malloc (/b/kgraph+0xe7)\n'
            '    #1 0x7f in rasqal_new_thing (/lib/librasqal.so.3+0x25)\n')
        self.assertEqual(crash_reason(Outcome([], rc=23, err=leak)),
                         'leak (LeakSanitizer: rasqal_new_thing)')
        leak = leak.replace('in rasqal_new_thing (', ' (')
        self.assertEqual(crash_reason(Outcome([], rc=23, err=leak)),
                         'leak (LeakSanitizer: librasqal.so.3+0x25)')


if __name__ == '__main__':
    unittest.main()
