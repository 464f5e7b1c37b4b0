#!/usr/bin/env bash
# The postgresql: store against a PostgreSQL server of the test's own: a
# throwaway cluster on 127.0.0.1 (tests/server/pg_cluster.sh), stopped and
# removed at the end whatever happens. Fails, not skips, when the server
# binaries are missing: CI installs them (.ci/packages-test).
#
# Usage: postgresql.sh KGRAPH_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
DATA=$src/tests/data
here=$(dirname "$0")
# shellcheck source=pg_cluster.sh
. "$here/pg_cluster.sh"
KG_TEST_LAUNCHER="${KG_TEST_LAUNCHER:-}"
kgraph() { $KG_TEST_LAUNCHER "$bin" "$@"; }

pg_start
SPEC="postgresql:host=127.0.0.1 port=$PG_PORT dbname=kg user=$PG_USER password=$PG_PASSWORD"
# The same server through its unix socket, with the password from the
# environment as libpq would take it.
SOCKET_SPEC="postgresql:host=$PG_DIR/run port=$PG_PORT dbname=kg user=$PG_USER"

passed=0
failed=0
# check NAME WANT_EXIT WANT_OUTPUT -- COMMAND...: stdout and stderr
# together, with the port and the cluster directory shown as PORT and DIR,
# must equal WANT_OUTPUT; the password must never appear.
check()
{
  local name=$1 want_exit=$2 want=$3
  shift 4
  local got status
  got=$("$@" 2>&1)
  status=$?
  got=${got//$PG_DIR/DIR}
  got=${got//$PG_PORT/PORT}
  local ok=1
  if [ "$status" != "$want_exit" ]; then
    echo "FAIL $name: exit status $status, want $want_exit"
    ok=0
  fi
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: output differs (- want, + got):"
    diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got") | tail -n +3
    ok=0
  fi
  if [[ $got == *"$PG_PASSWORD"* ]]; then
    echo "FAIL $name: the password appears in the output"
    ok=0
  fi
  if [ $ok = 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
}

Q_ALL='SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } FILTER(!isBlank(?s) && !isBlank(?o)) } ORDER BY ?g ?s ?p ?o'

check "no store yet" 1 \
  "kgraph: postgresql://kgtest@127.0.0.1:PORT/kg: no such store (create it with kgraph load)" \
  -- kgraph query --store "$SPEC" 'ASK {}'

check "load triples and quads" 0 "" \
  -- bash -c 'kgraph() { $KG_TEST_LAUNCHER "$0" "$@"; }
    kgraph load --store "$1" "$2/people.ttl" "$2/graphs.trig" > /dev/null' \
  "$bin" "$SPEC" "$DATA"

check "query the default and named graphs" 0 "$(
  cat << 'EOF'
?g	?s	?p	?o
	<http://example.org/acme>	<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>	<http://xmlns.com/foaf/0.1/Organization>
	<http://example.org/acme>	<http://xmlns.com/foaf/0.1/member>	<http://example.org/alice>
	<http://example.org/acme>	<http://xmlns.com/foaf/0.1/name>	"ACME"^^<http://www.w3.org/2001/XMLSchema#token>
	<http://example.org/alice>	<http://example.org/says>	"hello"
	<http://example.org/alice>	<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>	<http://xmlns.com/foaf/0.1/Person>
	<http://example.org/alice>	<http://xmlns.com/foaf/0.1/age>	42
	<http://example.org/alice>	<http://xmlns.com/foaf/0.1/knows>	<http://example.org/bob>
	<http://example.org/alice>	<http://xmlns.com/foaf/0.1/knows>	<http://example.org/carol>
	<http://example.org/alice>	<http://xmlns.com/foaf/0.1/name>	"Alice"
	<http://example.org/bob>	<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>	<http://xmlns.com/foaf/0.1/Person>
	<http://example.org/bob>	<http://xmlns.com/foaf/0.1/name>	"Bob"@en
	<http://example.org/bob>	<http://xmlns.com/foaf/0.1/nick>	"B, \"the\" builder"
	<http://example.org/bob>	<http://xmlns.com/foaf/0.1/nick>	"bobby"
	<http://example.org/carol>	<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>	<http://xmlns.com/foaf/0.1/Person>
	<http://example.org/carol>	<http://xmlns.com/foaf/0.1/name>	"Carol Vučić"
<http://example.org/g1>	<http://example.org/alice>	<http://example.org/likes>	<http://example.org/tea>
<http://example.org/g2>	<http://example.org/alice>	<http://example.org/likes>	<http://example.org/tea>
<http://example.org/g2>	<http://example.org/bob>	<http://example.org/likes>	<http://example.org/coffee>
EOF
)" -- kgraph query --store "$SPEC" "$Q_ALL"

UPDATE='PREFIX ex: <http://example.org/>
DELETE DATA { GRAPH ex:g2 { ex:bob ex:likes ex:coffee } } ;
INSERT DATA { GRAPH ex:g3 { ex:carol ex:likes "mate"@ES } ex:dave ex:says "hi" }'
check "update" 0 "" -- kgraph update --store "$SPEC" -e "$UPDATE"

check "the update's named graph" 0 "$(printf '?o\n"mate"@es')" \
  -- kgraph query --store "$SPEC" \
  'SELECT ?o WHERE { GRAPH <http://example.org/g3> { ?s ?p ?o } }'

check "export equals the same data in memory" 0 "" \
  -- bash -c 'kgraph() { $KG_TEST_LAUNCHER "$0" "$@"; }
    diff <(kgraph export --store "$1" --format nquads) \
      <(kgraph update --data "$2/people.ttl" --data "$2/graphs.trig" -e "$3" --dump nquads)' \
  "$bin" "$SPEC" "$DATA" "$UPDATE"

COUNT='SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }'
check "a syntax error changes nothing" 3 \
  "kgraph: $src/tests/data/broken.ttl:3:26: line end in short string" \
  -- kgraph load --store "$SPEC" "$DATA/broken.ttl"
check "a failed update is rolled back" 1 \
  "kgraph: <update>: DROP: no graph <http://example.org/none>" \
  -- kgraph update --store "$SPEC" \
  -e 'INSERT DATA { <http://example.org/x> <http://example.org/y> 1 } ; DROP GRAPH <http://example.org/none>'
check "count after the failures" 0 "$(printf '?n\n21')" \
  -- kgraph query --store "$SPEC" --results tsv "$COUNT"

check "prefixes are kept with the store" 0 "$(
  cat << 'EOF'
ex: <http://example.org/>
foaf: <http://xmlns.com/foaf/0.1/>
xsd: <http://www.w3.org/2001/XMLSchema#>
EOF
)" -- kgraph prefix --store "$SPEC"

check "unix socket, password from PGPASSWORD" 0 "$(printf '?n\n21')" \
  -- env PGPASSWORD="$PG_PASSWORD" "$bin" query --store "$SOCKET_SPEC" \
  --results tsv "$COUNT"

check "a second store in the same database" 0 "$(printf '?n\n2')" \
  -- bash -c 'kgraph() { $KG_TEST_LAUNCHER "$0" "$@"; }
    kgraph load --store "$1 store=second" "$2/quads.nq" > /dev/null &&
    kgraph query --store "$1 store=second" --results tsv "$3"' \
  "$bin" "$SPEC" "$DATA" "$COUNT"

check "the same stores named by URI" 0 "$(printf '?n\n21\n?n\n2')" \
  -- bash -c 'kgraph() { $KG_TEST_LAUNCHER "$0" "$@"; }
    kgraph query --store "$1" --results tsv "$3" &&
    PGPASSWORD=$2 kgraph query --store "$4" --results tsv "$3"' \
  "$bin" "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/kg" "$PG_PASSWORD" \
  "$COUNT" "postgresql://$PG_USER@127.0.0.1:$PG_PORT/kg?store=second"

check "wrong password" 1 \
  "kgraph: postgresql://kgtest@127.0.0.1:PORT/kg: authentication failed for user \"kgtest\" on the PostgreSQL server at 127.0.0.1:PORT" \
  -- kgraph query --store "${SPEC/password=$PG_PASSWORD/password=wrong}" 'ASK {}'

closed=$(pg_free_port)
check "nothing listens on the port" 1 \
  "kgraph: postgresql://kgtest@127.0.0.1:CLOSED/kg: cannot reach the PostgreSQL server at 127.0.0.1:CLOSED: Connection refused" \
  -- bash -c '"$@" 2>&1 | sed "s/:'"$closed"'/:CLOSED/g"; exit ${PIPESTATUS[0]}' \
  _ "$bin" query --store "${SPEC/port=$PG_PORT/port=$closed}" 'ASK {}'

check "database missing" 1 \
  "kgraph: postgresql://kgtest@127.0.0.1:PORT/nodb: database \"nodb\" does not exist on the PostgreSQL server at 127.0.0.1:PORT (create it with createdb)" \
  -- kgraph load --store "${SPEC/dbname=kg/dbname=nodb}" "$DATA/people.ttl"

check "storage module missing" 1 \
  "kgraph: postgresql://kgtest@127.0.0.1:PORT/kg: librdf has no storage \"postgresql\" (install the package librdf-storage-postgresql)" \
  -- env REDLAND_MODULE_PATH="$PG_DIR/no-modules" "$bin" query --store "$SPEC" 'ASK {}'

check "a value librdf would pass wrongly" 1 \
  "kgraph: postgresql: the value of password cannot hold spaces, quotes or backslashes (librdf's storage passes it to libpq unquoted)" \
  -- kgraph query --store "postgresql:user=$PG_USER password='a b'" 'ASK {}'

check "an unknown setting" 1 \
  "kgraph: postgresql: expected key=value with a key among host, port, dbname, user, password, store; got 'sslmode'" \
  -- kgraph query --store "postgresql:sslmode=require" 'ASK {}'

check "a stray word is not echoed" 1 \
  "kgraph: postgresql: expected key=value with a key among host, port, dbname, user, password, store; got a word without '='" \
  -- kgraph query --store "postgresql:user=$PG_USER password= $PG_PASSWORD" 'ASK {}'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
