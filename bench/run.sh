#!/usr/bin/env bash
# kgraph's benchmark: load rate, peak memory and warm query latency on LUBM
# at each size, against the peers in the same run; writes bench/RESULTS.md.
#
# Usage: bench/run.sh [SIZES]        SIZES: any of s m l (default "s m l")
#
# Environment:
#   KG_BENCH_BUILD   a build directory to use (default build-bench/, made
#                    here as a Release build when missing)
#   KG_BENCH_DATA    the LUBM files (default ../shared/bench)
#   KG_BENCH_DEPS    where npm put `oxigraph` (default ../bench-deps)
#   KG_BENCH_REPEAT  warm runs per query (default 5)
#   KG_BENCH_PEERS   peers to run (default "serdi redland oxigraph jena")
#   KG_BENCH_ROQET_SIZES  sizes at which roqet runs the queries (default
#                    "s m": at 1M triples its parse alone takes most of the
#                    30 s of every query)
#
# Peers: serdi (raw parse rate), Redland (rdfproc load into `hashes` in
# memory; roqet for queries, which loads the data on every run: its query
# time is its run minus its run of an empty query), Oxigraph (npm package
# `oxigraph` on node) and Jena (Debian libapache-jena-java, in-memory
# dataset) when installed. Each query gets 30 s.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${1:-s m l}
BUILD=${KG_BENCH_BUILD:-$SRC/build-bench}
DATA=${KG_BENCH_DATA:-$SRC/../shared/bench}
DEPS=${KG_BENCH_DEPS:-$SRC/../bench-deps}
REPEAT=${KG_BENCH_REPEAT:-5}
PEERS=${KG_BENCH_PEERS:-serdi redland oxigraph jena}
ROQET_SIZES=${KG_BENCH_ROQET_SIZES:-s m}
QUERIES=$(ls "$SRC"/bench/queries/*.rq)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RAW="$WORK/raw.txt" # every measurement: "SIZE SYSTEM key=value..."
TIMEOUT=30

log() { printf '%s\n' "$*" >&2; }
has() { case " $PEERS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- build kgraph and the driver ----
if [ ! -x "$BUILD/kgraph" ] || [ ! -f "$BUILD/libkgraph.a" ]; then
  log "building kgraph (Release) in $BUILD"
  cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    > "$WORK/cmake.log" && make -C "$BUILD" -j"$(nproc)" > "$WORK/make.log" ||
    { cat "$WORK/cmake.log" "$WORK/make.log" >&2; exit 1; }
fi
KGRAPH=$BUILD/kgraph
LIBS=$(pkg-config --libs redland raptor2 rasqal serd-0 lmdb libpcre2-8 sqlite3)
cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -I"$SRC/include" -I"$SRC/engine" \
  $(pkg-config --cflags redland) "$SRC/bench/kgbench.c" "$BUILD/libkgraph.a" \
  $LIBS -lpthread -lm -o "$WORK/kgbench" || exit 1

JENA_CP=""
if has jena && command -v javac > /dev/null && ls /usr/share/java/jena-arq.jar > /dev/null 2>&1; then
  JENA_CP=$(for p in libapache-jena-java libcommons-cli-java libcommons-codec-java \
      libcommons-compress-java libcommons-csv-java libcommons-io-java \
      libcommons-lang3-java libdexx-java libgoogle-gson-java libguava-java \
      libhttpclient-java libhttpcore-java libjackson2-core-java \
      libjackson2-databind-java libjackson2-annotations-java libjsonld-java \
      libjsonp2-java libprotobuf-java libthrift-java libtitanium-json-ld-java \
      libcaffeine-java libcommons-logging-java; do
    dpkg -L "$p" 2> /dev/null | grep '\.jar$'
  done | grep -v -- '-[0-9][0-9.]*\.jar$' | sort -u | tr '\n' ':')
  JENA_CP="$JENA_CP/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar"
  mkdir -p "$WORK/jena"
  javac -nowarn -d "$WORK/jena" -cp "$JENA_CP" "$SRC/bench/JenaBench.java" 2> /dev/null ||
    JENA_CP=""
  # Debian's Jena 4.5 may fail to start (its relocated Xerces); then skip it.
  if [ -n "$JENA_CP" ] && ! timeout 60 java -cp "$JENA_CP:$WORK/jena" JenaBench \
      /dev/null 0 > /dev/null 2>&1; then
    log "jena: does not start here; skipped"
    JENA_CP=""
  fi
fi
OXI=""
if has oxigraph && command -v node > /dev/null && [ -d "$DEPS/node_modules/oxigraph" ]; then
  OXI=$DEPS/node_modules
fi

# Time a command: prints "status wall_s cpu_s maxrss_kb"; its output goes
# to $WORK/out and $WORK/err.
timed() {
  local t0 t1 rc
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$WORK/time" "$@" > "$WORK/out" 2> "$WORK/err"
  rc=$?
  t1=$(date +%s.%N)
  read -r user sys rss < <(tail -1 "$WORK/time")
  echo "$rc $(echo "$t1 - $t0" | bc) $(echo "$user + $sys" | bc) $rss"
}

# Parse kgbench-style output into RAW with a size and system label.
record() { sed -n "s/^\(load\|query\|lookup\|end\|open\) /$1 $2 \1 /p" "$3" >> "$RAW"; }

for size in $SIZES; do
  gz=$DATA/lubm-$size.nt.gz
  [ -f "$gz" ] || { log "no $gz"; continue; }
  nt=$WORK/lubm-$size.nt
  gunzip -c "$gz" > "$nt"
  triples=$(grep -c . "$nt")
  bytes=$(stat -c %s "$nt")
  echo "$size data info triples=$triples bytes=$bytes" >> "$RAW"
  log "== lubm-$size: $triples triples"

  if has serdi; then
    best=""
    for _ in 1 2 3; do
      read -r rc wall cpu rss < <(timed serdi -i ntriples -o ntriples "$nt")
      if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" = 1 ]; then best=$wall; bcpu=$cpu; fi
    done
    echo "$size serdi load seconds=$best cpu=$bcpu rate=$(echo "$triples / $best" | bc)" >> "$RAW"
  fi

  # kgraph in memory: load and queries in one process
  log "kgraph memory"
  read -r rc wall cpu rss < <(timed "$WORK/kgbench" run :memory: "$nt" --repeat "$REPEAT" $QUERIES)
  record "$size" kgraph-memory "$WORK/out"
  echo "$size kgraph-memory process wall=$wall cpu=$cpu rss_kb=$rss" >> "$RAW"
  "$WORK/kgbench" lookup "$nt" 100000 > "$WORK/out" 2> /dev/null && record "$size" kgraph-memory "$WORK/out"

  # kgraph on LMDB: load with the CLI, then queries in another process
  log "kgraph lmdb"
  db=$WORK/lubm-$size.kgdb
  read -r rc wall cpu rss < <(timed "$KGRAPH" load --store "lmdb:$db" "$nt")
  echo "$size kgraph-lmdb load seconds=$wall cpu=$cpu rate=$(echo "$triples / $wall" | bc) rss_kb=$rss file_bytes=$(stat -c %s "$db")" >> "$RAW"
  read -r rc wall cpu rss < <(timed "$WORK/kgbench" run "lmdb:$db" - --repeat "$REPEAT" $QUERIES)
  record "$size" kgraph-lmdb "$WORK/out"
  rm -f "$db" "$db-lock"

  if has redland; then
    log "redland"
    read -r rc wall cpu rss < <(timed timeout 600 rdfproc -n -s hashes \
      -t "hash-type='memory',contexts='no'" bench parse "file://$nt" ntriples)
    if [ "$rc" = 0 ]; then
      echo "$size redland load seconds=$wall cpu=$cpu rate=$(echo "$triples / $wall" | bc) rss_kb=$rss" >> "$RAW"
    else
      echo "$size redland load status=failed" >> "$RAW"
    fi
    case " $ROQET_SIZES " in *" $size "*) roqet=1 ;; *) roqet=0 ;; esac
    # roqet reads the data on every run: subtract a run of an empty query
    echo 'ASK { }' > "$WORK/empty.rq"
    QUERIES_R=""
    if [ $roqet = 1 ]; then
      QUERIES_R=$QUERIES
      read -r rc base cpu rss < <(timed timeout $TIMEOUT roqet -q -D "$nt" "$WORK/empty.rq")
    fi
    for q in $QUERIES_R; do
      name=$(basename "$q")
      read -r rc wall cpu rss < <(timed timeout $TIMEOUT roqet -q -r csv -D "$nt" "$q")
      # roqet exits 2 after warnings, with its results written
      if [ "$rc" = 124 ]; then
        echo "$size redland query name=$name status=timeout" >> "$RAW"
      elif [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
        echo "$size redland query name=$name status=error" >> "$RAW"
      else
        rows=$(($(grep -c . "$WORK/out") - 1))
        ms=$(echo "($wall - $base) * 1000" | bc)
        case $ms in -*) ms=0 ;; esac
        echo "$size redland query name=$name status=ok rows=$rows median_ms=$ms" >> "$RAW"
      fi
    done
  fi

  if [ -n "$OXI" ]; then
    log "oxigraph"
    read -r rc wall cpu rss < <(NODE_PATH=$OXI timed timeout 1800 node "$SRC/bench/oxigraph.js" "$nt" "$REPEAT" $QUERIES)
    record "$size" oxigraph "$WORK/out"
    echo "$size oxigraph process wall=$wall cpu=$cpu rss_kb=$rss" >> "$RAW"
  fi

  if [ -n "$JENA_CP" ]; then
    log "jena"
    read -r rc wall cpu rss < <(timed timeout 1800 java -Xmx8g -cp "$JENA_CP:$WORK/jena" JenaBench "$nt" "$REPEAT" $QUERIES)
    record "$size" jena "$WORK/out"
    echo "$size jena process wall=$wall cpu=$cpu rss_kb=$rss" >> "$RAW"
  fi
  rm -f "$nt"
done

# Start-up: the CLI answering one query over the article graph (its
# default store: the TriG and the ontology parsed, RDFS inference on).
median_of() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
q='SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
for ((i = 0; i < 21; i++)); do
  read -r rc wall cpu rss < <(timed "$KGRAPH" query "$q")
  echo "$wall"
done | median_of | sed 's/^/startup kgraph-cli query seconds=/' >> "$RAW"
if has redland; then
  for ((i = 0; i < 21; i++)); do
    read -r rc wall cpu rss < <(timed roqet -q -i sparql -D "$SRC/data/article.trig" -e "$q")
    echo "$wall"
  done | median_of | sed 's/^/startup roqet query seconds=/' >> "$RAW"
fi

KG_BENCH_DEPS=$DEPS python3 "$SRC/bench/report.py" "$RAW" "$SRC/bench/RESULTS.md"
cp "$RAW" "$SRC/bench/raw-results.txt"
log "wrote bench/RESULTS.md"
