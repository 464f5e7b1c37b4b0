#!/usr/bin/env bash
# kill -9 of a chunked loader (--commit-every) at random points, RUNS
# times: the store opens without repair and holds exactly the first
# statements of the file, a whole number of chunks; --resume then gives
# the store one unbroken load gives, blank nodes included.
#
# Usage: kill_chunked_loader.sh KGRAPH [RUNS]
set -u
. "$(dirname "$0")/kill_at_random.sh"
KGRAPH=$1
RUNS=${2:-20}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 2
TOTAL=20000 # statements in the file
CHUNK=1000  # statements per chunk

fail() { echo "kill_chunked_loader: $*" >&2; exit 1; }

# one statement a line; blank nodes recur all through the file
awk -v n="$TOTAL" 'BEGIN { for (j = 0; j < n; j++)
  if (j % 4 == 0) printf "_:b%d <http://e/p> \"%d\" .\n", j % 97, j
  else printf "<http://e/s%d> <http://e/q> _:b%d .\n", j, j % 89 }' > f.nt
export_of() { "$KGRAPH" export --store "$1" --format nquads; }
start=$(date +%s%N)
"$KGRAPH" load --store ref.db f.nt > /dev/null || fail "the reference load failed"
span=$(((($(date +%s%N) - start) / 1000000) * 2 + 1))
export_of ref.db > ref.nq || fail "cannot export the reference store"
killed=0
for ((i = 1; i <= RUNS; i++)); do
  rm -f s.db s.db-lock
  kill_at_random "$span" "$KGRAPH" load --store s.db --commit-every "$CHUNK" f.nt
  if [ "$status" = 137 ]; then
    killed=$((killed + 1))
  elif [ "$status" != 0 ]; then
    cat err.txt >&2
    fail "run $i: loader failed with status $status"
  fi
  n=0
  if [ -s s.db ]; then
    n=$("$KGRAPH" stats --store s.db | awk '{ print $2; exit }') ||
      fail "run $i: the store does not open"
  fi
  [ $((n % CHUNK)) = 0 ] || [ "$n" = "$TOTAL" ] ||
    fail "run $i: $n statements, not a whole number of chunks"
  # exactly the first n statements of the file
  rm -f p.db p.db-lock
  head -n "$n" f.nt > p.nt
  "$KGRAPH" load --store p.db p.nt > /dev/null || fail "run $i: cannot load the prefix"
  if [ "$n" -gt 0 ] && ! export_of s.db | cmp -s - <(export_of p.db); then
    fail "run $i: the store is not the first $n statements of the file"
  fi
  # resume (or load, when no chunk was committed) and compare
  if [ "$n" = 0 ]; then
    "$KGRAPH" load --store s.db --commit-every "$CHUNK" f.nt > /dev/null 2> err.txt
  elif [ "$n" != "$TOTAL" ]; then
    "$KGRAPH" load --store s.db --commit-every "$CHUNK" --resume f.nt > /dev/null 2> err.txt
  fi || { cat err.txt >&2; fail "run $i: resuming after $n statements failed"; }
  export_of s.db | cmp -s - ref.nq ||
    fail "run $i: resumed after $n statements, the store differs from one load's"
done
echo "kill_chunked_loader: $RUNS runs, $killed killed part way, each a prefix of whole chunks that resumed to the store of one load"
