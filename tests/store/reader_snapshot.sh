#!/usr/bin/env bash
# A reader process sees consistent snapshots while a writer commits loads:
# every count it reads is a whole number of loads.
#
# Usage: reader_snapshot.sh KGRAPH [LOADS]
set -u
KGRAPH=$1
LOADS=${2:-20}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 2
PER=20000

fail() { echo "reader_snapshot: $*" >&2; exit 1; }

"$KGRAPH" load --store s.db --format ntriples - < /dev/null > /dev/null || fail "cannot create the store"
(
  for ((i = 1; i <= LOADS; i++)); do
    awk -v i="$i" -v n="$PER" 'BEGIN { for (j = 0; j < n; j++)
      printf "<http://e/b%d/s%d> <http://e/p> <http://e/o%d> .\n", i, j, j }' |
      "$KGRAPH" load --store s.db --format ntriples - > /dev/null || exit 1
  done
  touch writer.done
) &
writer=$!
reads=0
seen=0
while [ ! -e writer.done ]; do
  n=$("$KGRAPH" query --store s.db --results tsv \
    'SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e/p> ?o }' | tail -1) ||
    fail "a read failed"
  [ $((n % PER)) = 0 ] || fail "read $n statements: not a whole number of loads"
  [ "$n" -ge "$seen" ] || fail "read $n statements after $seen"
  seen=$n
  reads=$((reads + 1))
done
wait "$writer" || fail "the writer failed"
n=$("$KGRAPH" query --store s.db --results tsv \
  'SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e/p> ?o }' | tail -1)
[ "$n" = $((LOADS * PER)) ] || fail "$n statements at the end, want $((LOADS * PER))"
echo "reader_snapshot: $reads consistent reads during $LOADS loads"
