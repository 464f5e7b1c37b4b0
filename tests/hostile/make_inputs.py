#!/usr/bin/env python3
"""Write the large hostile inputs (too big to keep in git) into a directory.

Usage: make_inputs.py DIR
"""
import os
import sys

RDF = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
       'xmlns:ex="http://example.org/">')


def write(d, name, text):
    mode = 'wb' if isinstance(text, bytes) else 'w'
    with open(os.path.join(d, name), mode) as f:
        f.write(text)


def main(d):
    n = 100000
    # XML entity expansion: nine levels of ten (10^9 copies), and one
    # 100 KB entity used 20,000 times (2 GB).
    ents = '<!ENTITY lol0 "lol">\n' + ''.join(
        '<!ENTITY lol%d "%s">\n' % (i, ('&lol%d;' % (i - 1)) * 10)
        for i in range(1, 10))
    write(d, 'billion-laughs.rdf',
          '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + ents + ']>\n' +
          RDF + '<rdf:Description rdf:about="http://example.org/a">'
          '<ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>\n')
    write(d, 'quadratic.rdf',
          '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY a "' +
          'A' * 100000 + '"> ]>\n' + RDF +
          '<rdf:Description rdf:about="http://example.org/a"><ex:p>' +
          '&a;' * 20000 + '</ex:p></rdf:Description></rdf:RDF>\n')
    # Deep nesting, in every syntax.
    write(d, 'deep.rdf', '<?xml version="1.0"?>\n' + RDF +
          '<rdf:Description><ex:p>' * n +
          '</ex:p></rdf:Description>' * n + '</rdf:RDF>\n')
    write(d, 'deep-literal.rdf', '<?xml version="1.0"?>\n' + RDF +
          '<rdf:Description><ex:p rdf:parseType="Literal">' + '<a>' * n +
          '</a>' * n + '</ex:p></rdf:Description></rdf:RDF>\n')
    pfx = '@prefix ex: <http://example.org/> .\n'
    write(d, 'deep.ttl', pfx + 'ex:a ex:p ' + '[ ex:p ' * n + ']' * n +
          ' .\n')
    write(d, 'deep-list.ttl', pfx + 'ex:a ex:p ' + '( ' * n + ')' * n +
          ' .\n')
    write(d, 'deep.trig', pfx + 'ex:g { ex:a ex:p ' + '[ ex:p ' * n +
          ']' * n + ' . }\n')
    write(d, 'deep-group.rq', 'SELECT * WHERE ' + '{ ' * n + '}' * n + '\n')
    write(d, 'deep-expr.rq', 'SELECT (' + '(' * n + '1' + ')' * n +
          ' AS ?x) WHERE {}\n')
    write(d, 'deep-path.rq', 'SELECT * WHERE { ?s ' + '(' * n +
          '<http://example.org/next>' + ')' * n + ' ?o }\n')
    # Size: huge terms, many prefixes, a query on one long line.
    write(d, 'huge-literal.nt', '<http://e/a> <http://e/p> "' +
          'x' * (16 << 20) + '" .\n')
    write(d, 'huge-iri.ttl', '<http://e/' + 'x' * (4 << 20) +
          '> <http://e/p> 1 .\n')
    write(d, 'many-prefixes.ttl', ''.join(
        '@prefix p%d: <http://example.org/%d/> .\n' % (i, i)
        for i in range(n)) + 'p1:a p2:b p3:c .\n')
    write(d, 'huge-literal.rq', 'SELECT ("' + 'x' * (8 << 20) +
          '" AS ?x) WHERE {}\n')
    write(d, 'long-line.rq', 'SELECT ?x WHERE { VALUES ?x { ' +
          '1 ' * 200000 + '} }\n')
    # 100 statements: a product of four patterns has 10^8 rows.
    write(d, 'product.ttl', ''.join(
        '<http://example.org/s%d> <http://example.org/p> %d .\n' % (i, i)
        for i in range(100)))


if __name__ == '__main__':
    main(sys.argv[1])
