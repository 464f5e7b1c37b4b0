#!/usr/bin/env bash
# kill -9 of a loader at random points, RUNS times: every load that
# finished is in the store, a killed one is there whole or not at all, and
# the store opens every time without repair.
#
# Usage: kill_loader.sh KGRAPH [RUNS]
set -u
. "$(dirname "$0")/kill_at_random.sh"
KGRAPH=$1
RUNS=${2:-100}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 2
PER=3000 # statements per load

fail() { echo "kill_loader: $*" >&2; exit 1; }

"$KGRAPH" load --store s.db --format ntriples - < /dev/null > /dev/null ||
  fail "cannot create the store"
# How long one load takes here: the kills fall anywhere in 1.5 times that.
awk -v n="$PER" 'BEGIN { for (j = 0; j < n; j++)
  printf "<http://e/t/s%d> <http://e/p> \"t\" .\n", j }' > t.nt
start=$(date +%s%N)
"$KGRAPH" load --store t.db t.nt > /dev/null || fail "a trial load failed"
span=$(((($(date +%s%N) - start) / 1000000) * 3 / 2 + 1))
declare -A finished=()
for ((i = 1; i <= RUNS; i++)); do
  awk -v i="$i" -v n="$PER" 'BEGIN { for (j = 0; j < n; j++)
    printf "<http://e/b%d/s%d> <http://e/p> \"%d\" .\n", i, j, i }' > b.nt
  # somewhere between before the start and after the end of the load
  kill_at_random "$span" "$KGRAPH" load --store s.db b.nt
  if [ "$status" = 0 ]; then
    finished[$i]=1
  elif [ "$status" != 137 ]; then
    cat err.txt >&2
    fail "run $i: loader failed with status $status"
  fi
  # the store opens and every batch is whole or absent
  if ! "$KGRAPH" query --store s.db --results tsv \
      'SELECT ?o (COUNT(*) AS ?n) WHERE { ?s <http://e/p> ?o } GROUP BY ?o' \
      > counts.txt 2> err.txt; then
    cat err.txt >&2
    fail "run $i: the store does not open"
  fi
  while read -r o n; do
    [ "$o" = "?o" ] && continue
    [ "$n" = "$PER" ] || fail "run $i: batch $o holds $n of $PER statements"
  done < counts.txt
  for b in "${!finished[@]}"; do
    grep -q "^\"$b\"	$PER\$" counts.txt || fail "run $i: finished batch $b is missing"
  done
done
echo "kill_loader: $RUNS runs, ${#finished[@]} loads finished, the others whole or absent"
