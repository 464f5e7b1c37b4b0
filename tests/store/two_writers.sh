#!/usr/bin/env bash
# Two writers at once: one wins, the other fails at once with "store is
# locked" and changes nothing; the counts add up exactly.
#
# Usage: two_writers.sh KGRAPH
set -u
KGRAPH=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 2

fail() { echo "two_writers: $*" >&2; exit 1; }

# Wait until a writer holds its flock on the store FILE (seen in
# /proc/locks, without touching the lock).
wait_for_lock() {
  local ino
  ino=$(stat -c %i "$1")
  for _ in $(seq 500); do
    grep -q "FLOCK.*WRITE.*:$ino " /proc/locks && return
    sleep 0.01
  done
  fail "the first writer never held the lock on $1"
}

awk 'BEGIN { for (j = 0; j < 400000; j++)
  printf "<http://e/a/s%d> <http://e/p> \"a\" .\n", j }' > a.nt
awk 'BEGIN { for (j = 0; j < 1000; j++)
  printf "<http://e/b/s%d> <http://e/p> \"b\" .\n", j }' > b.nt
"$KGRAPH" load --store s.db --format ntriples - < /dev/null > /dev/null || fail "cannot create the store"

# The first writer takes its lock before it reads its file; the second
# starts while the first is busy.
"$KGRAPH" load --store s.db a.nt > a.out 2> a.err &
first=$!
wait_for_lock s.db
start=$(date +%s%N)
"$KGRAPH" load --store s.db b.nt > b.out 2> b.err
second=$?
took=$((($(date +%s%N) - start) / 1000000))
wait "$first" || { cat a.err >&2; fail "the first writer failed"; }
[ "$second" = 1 ] || fail "the second writer exited $second, want 1"
grep -qx 'kgraph: s.db: store is locked' b.err || { cat b.err >&2; fail "unexpected message"; }
[ "$took" -lt 1000 ] || fail "the second writer took $took ms to fail"
n=$("$KGRAPH" query --store s.db --results tsv \
  'SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e/p> ?o }' | tail -1)
[ "$n" = 400000 ] || fail "$n statements after the first load, want 400000"
# now the second one goes through, and the counts add up
"$KGRAPH" load --store s.db b.nt > /dev/null || fail "the retry failed"
n=$("$KGRAPH" query --store s.db --results tsv \
  'SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e/p> ?o }' | tail -1)
[ "$n" = 401000 ] || fail "$n statements at the end, want 401000"

# A chunked load keeps the lock between its chunks: writers that try while
# it runs fail with "store is locked", and it never meets one of them.
"$KGRAPH" load --store c.db --format ntriples - < /dev/null > /dev/null || fail "cannot create c.db"
"$KGRAPH" load --store c.db --commit-every 1000 a.nt > c.out 2> c.err &
first=$!
wait_for_lock c.db
tries=0
while kill -0 "$first" 2> /dev/null; do
  if "$KGRAPH" load --store c.db b.nt > /dev/null 2> b.err; then
    break # the chunked load has ended (or a writer got in: it then fails)
  fi
  grep -qx 'kgraph: c.db: store is locked' b.err || { cat b.err >&2; fail "unexpected message"; }
  tries=$((tries + 1))
  sleep 0.01
done
wait "$first" || { cat c.err >&2; fail "the chunked load failed beside $tries other writers"; }
grep -q '^a.nt: all 400000 statements committed (400 chunks)' c.out || { cat c.out >&2; fail "the chunked load did not commit 400 chunks"; }
echo "two_writers: the second writer failed in $took ms with \"store is locked\"; counts add up; $tries writers failed beside a chunked load"
