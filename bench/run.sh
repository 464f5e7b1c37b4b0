#!/usr/bin/env bash
# kgraph's benchmark: load rate, peak memory and warm query latency on LUBM
# at each size, against the peers in the same run; writes bench/RESULTS.md,
# bench/raw-results.txt and bench/chart.png.
#
# Usage: bench/run.sh [SIZES]   SIZES: any of s m l xl (default "s m l",
#                               or $KG_BENCH_SCALES)
#   s, m, l   LUBM from UBA 1.7 in ../shared/bench: 8.5k, 100k, 1M triples
#   xl        10M triples from bench/lubmgen.c (80 universities, seed 0)
#
# Environment:
#   KG_BENCH_SCALES  the sizes when none are given (default "s m l"; the
#                    full run is "s m l xl", about 40 minutes here)
#   KG_BENCH_BUILD   a build directory to use (default build-bench/, made
#                    here as a Release build when missing)
#   KG_BENCH_DATA    the LUBM files (default ../shared/bench)
#   KG_BENCH_DEPS    where npm put `oxigraph` (default ../bench-deps)
#   KG_BENCH_REPEAT  warm runs per query (default 5)
#   KG_BENCH_PEERS   peers to run (default "serdi redland oxigraph jena")
#   KG_BENCH_ROQET_SIZES  sizes at which roqet runs the queries (default
#                    "s m": at 1M triples its parse alone takes most of the
#                    30 s of every query)
#   KG_BENCH_JAVA_HEAP  Jena's maximum heap (default 12g)
#
# Peers: serdi (raw parse rate), Redland (rdfproc load into `hashes` in
# memory; roqet for queries, which loads the data on every run: its query
# time is its run minus its run of an empty query), Oxigraph (npm package
# `oxigraph` on node) and Jena (Debian libapache-jena-java, in-memory
# dataset) when installed. Each query gets 30 s. A peer whose expected
# memory (measured per million triples at 1M) exceeds what the machine has
# available is skipped at that size, with the reason in the report.
#
# Debian packages: build-essential cmake pkg-config and .ci/packages for
# kgraph; serdi raptor2-utils rasqal-utils redland-utils (peers);
# openjdk-17-jdk-headless libapache-jena-java libslf4j-java (Jena); nodejs
# and npm (`npm install --prefix ../bench-deps oxigraph`); gnuplot-nox
# (the chart); bc, time, python3.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${1:-${KG_BENCH_SCALES:-s m l}}
BUILD=${KG_BENCH_BUILD:-$SRC/build-bench}
DATA=${KG_BENCH_DATA:-$SRC/../shared/bench}
DEPS=${KG_BENCH_DEPS:-$SRC/../bench-deps}
REPEAT=${KG_BENCH_REPEAT:-5}
PEERS=${KG_BENCH_PEERS:-serdi redland oxigraph jena}
ROQET_SIZES=${KG_BENCH_ROQET_SIZES:-s m}
JAVA_HEAP=${KG_BENCH_JAVA_HEAP:-12g}
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
cc -O2 -std=c11 "$SRC/bench/lubmgen.c" -o "$WORK/lubmgen" || exit 1

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
  done | grep '^/usr/share/java/' | grep -v -- '-[0-9][0-9.]*\.jar$' | sort -u | tr '\n' ':')
  JENA_CP="$JENA_CP/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar"
  mkdir -p "$WORK/jena"
  javac -nowarn -d "$WORK/jena" -cp "$JENA_CP" "$SRC/bench/JenaBench.java" 2> /dev/null ||
    JENA_CP=""
  # Debian's jena-core.jar moved Jena's copy of Xerces from
  # org.apache.jena.ext.xerces to the package xerces but left its message
  # bundles under the old name: the regular-expression parser then fails
  # ("Can't find bundle for base name xerces.impl.xpath.regex.message"),
  # the built-in XSD types cannot be made, and Jena stops at start with
  # "RuntimeException: internal error" in XSSimpleTypeDecl.applyFacets1.
  # The bundles, copied from the same jar under the name the classes use,
  # go on the classpath.
  mkdir -p "$WORK/jena-res"
  (cd "$WORK/jena-res" && jar xf /usr/share/java/jena-core.jar org/apache/jena/ext/xerces &&
    mv org/apache/jena/ext/xerces xerces && rm -rf org) 2> /dev/null
  JENA_CP="$JENA_CP:$WORK/jena-res"
  echo '<http://example.org/s> <http://example.org/p> "o" .' > "$WORK/start.nt"
  if [ -n "$JENA_CP" ] && ! timeout 60 java -cp "$JENA_CP:$WORK/jena" JenaBench \
      "$WORK/start.nt" 0 > "$WORK/jena-start" 2>&1; then
    log "jena: does not start here; skipped: $(grep -m1 Exception "$WORK/jena-start")"
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

# A peer's process that ended badly (SYSTEM STATUS [TIME LIMIT]): its exit
# and error line in RAW.
failed() {
  local why
  [ "$2" = 0 ] && return 0
  case $2 in
    124) why="stopped after ${3:-$PROC_TIMEOUT} s" ;;
    *) why="exit $2: $({ grep -m1 -E 'Error|Exception' "$WORK/err" ||
      grep -v -e '^ *at ' -e '^Node\.js v' "$WORK/err" | grep . | tail -1; } | cut -c1-200)" ;;
  esac
  echo "$size $1 failed reason=$why" >> "$RAW"
  log "$1: $why"
}

# Statements per predicate and per class of an N-Triples file, as
# "SIZE data stats source=SOURCE key=KEY n=N" lines.
stats() {
  awk -v pre="$1 data stats source=$2" '
    { p = $2; sub(/.*[#\/]/, "", p); sub(/>$/, "", p); n[p]++
      if ($2 ~ /22-rdf-syntax-ns#type>$/) {
        c = $3; sub(/.*[#\/]/, "", c); sub(/>$/, "", c); n["a:" c]++ } }
    END { for (k in n) print pre, "key=" k, "n=" n[k] }' "$3" >> "$RAW"
}

# Does SYSTEM, at MB_PER_MILLION triples, fit in the memory available now?
# If not, say so in RAW.
fits() {
  local need avail
  need=$(echo "$triples * $2 / 1000000" | bc)
  avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
  [ "$need" -le "$avail" ] && return 0
  echo "$size $1 skipped need_mb=$need avail_mb=$avail reason=it would need about $need MB ($2 MB per million triples, measured at 1M); $avail MB available" >> "$RAW"
  log "$1: skipped at $size (needs ~$need MB, $avail MB available)"
  return 1
}

# The generator against UBA at 1M: lubmgen's 8 universities beside UBA's
# universities 0-7, statement counts and query answers.
if [ -f "$DATA/lubm-l.nt.gz" ]; then
  log "== lubmgen -u 8 against UBA's lubm-l"
  gunzip -c "$DATA/lubm-l.nt.gz" > "$WORK/uba.nt"
  stats l uba "$WORK/uba.nt"
  rm -f "$WORK/uba.nt"
  "$WORK/lubmgen" -u 8 -s 0 -o "$WORK/gen.nt"
  stats l gen "$WORK/gen.nt"
  "$WORK/kgbench" run :memory: "$WORK/gen.nt" --repeat 1 $QUERIES > "$WORK/out" 2> /dev/null &&
    record gen8 kgraph-memory "$WORK/out"
  rm -f "$WORK/gen.nt"
fi

for size in $SIZES; do
  nt=$WORK/lubm-$size.nt
  case $size in
    xl)
      log "== generating lubm-xl (lubmgen -u 80 -s 0)"
      "$WORK/lubmgen" -u 80 -s 0 -o "$nt" || exit 1
      source=lubmgen
      ;;
    *)
      gz=$DATA/lubm-$size.nt.gz
      [ -f "$gz" ] || { log "no $gz"; continue; }
      gunzip -c "$gz" > "$nt"
      source=uba
      ;;
  esac
  triples=$(grep -c . "$nt")
  bytes=$(stat -c %s "$nt")
  echo "$size data info triples=$triples bytes=$bytes source=$source" >> "$RAW"
  echo "$size machine loadavg before=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" >> "$RAW"
  log "== lubm-$size: $triples triples"
  # the slow peers get more time at 10M
  PROC_TIMEOUT=1800
  [ "$triples" -gt 5000000 ] && PROC_TIMEOUT=3600

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

  if has redland && fits redland 800; then
    log "redland"
    read -r rc wall cpu rss < <(timed timeout 600 rdfproc -n -s hashes \
      -t "hash-type='memory',contexts='no'" bench parse "file://$nt" ntriples)
    if [ "$rc" = 0 ]; then
      echo "$size redland load seconds=$wall cpu=$cpu rate=$(echo "$triples / $wall" | bc) rss_kb=$rss" >> "$RAW"
    else
      echo "$size redland load status=failed seconds=$wall rss_kb=$rss" >> "$RAW"
      failed redland "$rc" 600
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

  if [ -n "$OXI" ] && fits oxigraph 1500; then
    log "oxigraph"
    read -r rc wall cpu rss < <(NODE_PATH=$OXI timed timeout $PROC_TIMEOUT node "$SRC/bench/oxigraph.js" "$nt" "$REPEAT" $QUERIES)
    record "$size" oxigraph "$WORK/out"
    echo "$size oxigraph process wall=$wall cpu=$cpu rss_kb=$rss status=$rc" >> "$RAW"
    failed oxigraph "$rc"
  fi

  if [ -n "$JENA_CP" ] && fits jena 1000; then
    log "jena"
    read -r rc wall cpu rss < <(timed timeout $PROC_TIMEOUT java -Xmx"$JAVA_HEAP" -cp "$JENA_CP:$WORK/jena" JenaBench "$nt" "$REPEAT" $QUERIES)
    record "$size" jena "$WORK/out"
    echo "$size jena process wall=$wall cpu=$cpu rss_kb=$rss status=$rc" >> "$RAW"
    failed jena "$rc"
  fi
  echo "$size machine loadavg after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" >> "$RAW"
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
# CPU time of 21 runs in a row (time(1) counts in 10 ms steps: one sum
# over the runs is finer than a median of single runs). Exit statuses are
# not checked, as above: roqet exits 2 after a successful query.
cpu_of_21() {
  read -r rc wall cpu rss < <(timed bash -c \
    'for ((i = 0; i < 21; i++)); do "$@" > /dev/null; done' -- "$@")
  echo "scale=6; $cpu / 21" | bc
}
echo "startup kgraph-cli query-cpu seconds=$(cpu_of_21 "$KGRAPH" query "$q")" >> "$RAW"
if has redland; then
  for ((i = 0; i < 21; i++)); do
    read -r rc wall cpu rss < <(timed roqet -q -i sparql -D "$SRC/data/article.trig" -e "$q")
    echo "$wall"
  done | median_of | sed 's/^/startup roqet query seconds=/' >> "$RAW"
  echo "startup roqet query-cpu seconds=$(cpu_of_21 roqet -q -i sparql \
    -D "$SRC/data/article.trig" -e "$q")" >> "$RAW"
fi

echo "run machine end loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,) written=$(date -u +%Y-%m-%dT%H:%MZ)" >> "$RAW"
KG_BENCH_DEPS=$DEPS python3 "$SRC/bench/report.py" "$RAW" "$SRC/bench/RESULTS.md" "$WORK/chart"
cp "$RAW" "$SRC/bench/raw-results.txt"
if command -v gnuplot > /dev/null; then
  gnuplot -e "dir='$WORK/chart'; out='$SRC/bench/chart.png'" "$SRC/bench/chart.gp" ||
    log "gnuplot failed"
else
  log "no gnuplot: bench/chart.png not redrawn"
fi
log "wrote bench/RESULTS.md, bench/raw-results.txt and bench/chart.png"
