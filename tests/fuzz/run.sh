#!/usr/bin/env bash
# Fuzz one target for a bounded time.
#
# Usage: tests/fuzz/run.sh TARGET SECONDS [BUILD_DIR]
#
# TARGET is turtle, ntriples, nquads, trig, rdfxml, query, update, results,
# export or cli; BUILD_DIR (default: $KG_FUZZ_BUILD, else build-fuzz) is a
# build configured with -DCMAKE_C_COMPILER=clang -DKG_FUZZ=ON. The fuzzer starts
# from the target's seeds (corpus/TARGET) and found inputs
# (regressions/TARGET), with the target's dictionary, one process, at most
# 512 MB and 5 s per input. New inputs go to a scratch corpus
# ($KG_FUZZ_WORK/TARGET if set, kept between runs; else a temporary
# directory), a crashing input to $KG_FUZZ_ARTIFACTS (default: the current
# directory) as crash-*, leak-*, timeout-* or oom-*. Exits non-zero on a
# finding. The last lines printed give the executions run (stat::
# number_of_executed_units).
#
# Leaks are checked with full stacks (so that tests/lsan.supp can name the
# Redland function that loses memory), which makes every allocation slow.
# KG_FUZZ_LEAKS=after fuzzes without leak checks, about ten times faster,
# then runs the whole corpus once more with them.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 TARGET SECONDS [BUILD_DIR]" >&2
  exit 2
fi
target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
build=${3:-${KG_FUZZ_BUILD:-build-fuzz}}
exe=$build/tests/fuzz/fuzz_$target
if [ ! -x "$exe" ]; then
  echo "$0: no $exe (configure with -DCMAKE_C_COMPILER=clang -DKG_FUZZ=ON)" >&2
  exit 2
fi

case $target in
  turtle | ntriples | nquads | trig | export) dict=turtle.dict ;;
  rdfxml) dict=rdfxml.dict ;;
  query | update) dict=sparql.dict ;;
  cli) dict=cli.dict ;;
  *) dict= ;;
esac

if [ -n "${KG_FUZZ_WORK:-}" ]; then
  work=$KG_FUZZ_WORK/$target
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
artifacts=${KG_FUZZ_ARTIFACTS:-.}
mkdir -p "$artifacts"

# Seeds: the found inputs, except those waiting for a fix in their owner's
# code (*.pending), then the corpus.
seeds=()
if [ -d "$here/regressions/$target" ]; then
  found="$work/.regressions"
  mkdir -p "$found"
  find "$here/regressions/$target" -maxdepth 1 -type f ! -name '*.pending' \
    -exec cp {} "$found/" \;
  seeds+=("$found")
fi
[ -d "$here/corpus/$target" ] && seeds+=("$here/corpus/$target")

flags=(-rss_limit_mb=512 -timeout=5 -max_total_time="$seconds"
  -print_final_stats=1 -artifact_prefix="$artifacts/$target-")
[ -n "$dict" ] && flags+=(-dict="$here/$dict")
# The command line prints on both streams; keep the fuzzer's report only.
[ "$target" = cli ] && flags+=(-close_fd_mask=3)

leak_opts=detect_leaks=1:fast_unwind_on_malloc=0:allocator_may_return_null=1
export LSAN_OPTIONS=suppressions=$here/../lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ "${KG_FUZZ_LEAKS:-}" = after ]; then
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    "$exe" "${flags[@]}" "$work" "${seeds[@]}"
  echo "checking the corpus for leaks"
  log=$(mktemp)
  rc=0
  ASAN_OPTIONS=$leak_opts "$exe" -runs=0 -rss_limit_mb=512 -timeout=5 \
    -artifact_prefix="$artifacts/$target-" "$work" "${seeds[@]}" \
    > "$log" 2>&1 || rc=$?
  grep -E "^(==|SUMMARY|INFO: a leak|Test unit|Direct|Indirect|    #)" "$log" || true
  rm -f "$log"
  echo "leak check exit status $rc"
  exit "$rc"
fi
ASAN_OPTIONS=$leak_opts exec "$exe" "${flags[@]}" "$work" "${seeds[@]}"
