#!/usr/bin/env bash
# Redland is loaded only when a command needs it: a query over the article
# graph, Turtle and N-Triples loads and an LMDB store never open librdf;
# reading RDF/XML does, and works. Usage: redland_on_demand.sh KGRAPH
set -euo pipefail
kgraph=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Libraries of Redland (and its dependencies) COMMAND opened.
opened() {
  strace -f -e trace=openat -o "$tmp/trace" "$@" > "$tmp/out"
  grep -v ENOENT "$tmp/trace" |
    grep -oE '/lib[^"]*/lib(rdf|raptor2|rasqal|curl-gnutls|icuuc)\.so[^"]*' |
    sed 's|.*/||' | sort -u | tr '\n' ' ' || true
}
expect_none() {
  local got
  got=$(opened "$@")
  if [ -n "$got" ]; then
    echo "FAIL: '$*' opened $got"
    exit 1
  fi
}

expect_none "$kgraph" query --results csv \
  'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
[ "$(tr -d '\r' < "$tmp/out" | head -n 1)" = n ] # the query ran
expect_none "$kgraph" query --data "$src/tests/data/people.ttl" 'ASK {}'
expect_none "$kgraph" load --store "$tmp/db" "$src/tests/data/people.ttl"
expect_none "$kgraph" query --store "$tmp/db" 'ASK { ?s ?p ?o }'

printf '%s\n' '<?xml version="1.0"?>' \
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"' \
  '         xmlns:ex="http://example.org/">' \
  '  <rdf:Description rdf:about="http://example.org/a"><ex:p>x</ex:p></rdf:Description>' \
  '</rdf:RDF>' > "$tmp/a.rdf"
got=$(opened "$kgraph" export --data "$tmp/a.rdf" --format ntriples)
case "$got" in
  *librdf.so.0*) ;;
  *) echo "FAIL: reading RDF/XML did not load librdf (opened: $got)"; exit 1 ;;
esac
want='<http://example.org/a> <http://example.org/p> "x" .'
if [ "$(cat "$tmp/out")" != "$want" ]; then
  echo "FAIL: RDF/XML export printed:"; cat "$tmp/out"; exit 1
fi
echo "ok"
