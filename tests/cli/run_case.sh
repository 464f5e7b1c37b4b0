#!/usr/bin/env bash
# Run one CLI test case and compare exit status, stdout and stderr exactly.
#
# Usage: run_case.sh CASE KGRAPH_BINARY SOURCE_DIR
#
# A case file holds sections, each opened by a line "--- NAME":
#   --- setup    shell lines run first; each must succeed (optional)
#   --- stdin    text fed to the command's standard input (optional)
#   --- cmd      one shell command line (required)
#   --- exit     the expected exit status (required)
#   --- stdout   the expected standard output (absent = must be empty)
#   --- stderr   the expected standard error (absent = must be empty)
# Lines before the first section are comments. In setup and cmd, `kgraph`
# runs the binary under test, $DATA is tests/data, $SRC the source tree and
# $TMP a fresh scratch directory (also the working directory).
set -u
case_file=$1
bin=$2
src=$3

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export DATA="$src/tests/data" SRC="$src" TMP
export KGRAPH_BIN="$bin"
# KG_TEST_LAUNCHER (e.g. valgrind with its options) wraps every run.
export KG_TEST_LAUNCHER="${KG_TEST_LAUNCHER:-}"
kgraph() { $KG_TEST_LAUNCHER "$KGRAPH_BIN" "$@"; }
export -f kgraph

section=""
declare -A body
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ ^---\ ([a-z]+)$ ]]; then
    section=${BASH_REMATCH[1]}
    body[$section]=""
    continue
  fi
  [ -z "$section" ] && continue
  body[$section]+="$line"$'\n'
done < "$case_file"

for s in cmd exit; do
  if [ -z "${body[$s]+x}" ]; then
    echo "$case_file: no '--- $s' section" >&2
    exit 2
  fi
done

cd "$TMP" || exit 2
if [ -n "${body[setup]+x}" ]; then
  if ! bash -e -c "${body[setup]}" > "$TMP/.setup.log" 2>&1; then
    echo "setup failed:" >&2
    cat "$TMP/.setup.log" >&2
    exit 1
  fi
fi

printf '%s' "${body[stdin]-}" > "$TMP/.stdin"
bash -o pipefail -c "${body[cmd]}" < "$TMP/.stdin" > "$TMP/.out" 2> "$TMP/.err"
status=$?

fail=0
want_exit=$(printf '%s' "${body[exit]}" | tr -d '[:space:]')
if [ "$status" != "$want_exit" ]; then
  echo "exit status: got $status, want $want_exit" >&2
  fail=1
fi
printf '%s' "${body[stdout]-}" > "$TMP/.want_out"
printf '%s' "${body[stderr]-}" > "$TMP/.want_err"
# Paths of the scratch directory vary: show them as $TMP.
sed -i "s#$TMP#\$TMP#g; s#$src#\$SRC#g" "$TMP/.out" "$TMP/.err"
if ! cmp -s "$TMP/.out" "$TMP/.want_out"; then
  echo "stdout differs (- want, + got):" >&2
  diff -u "$TMP/.want_out" "$TMP/.out" | tail -n +3 >&2
  fail=1
fi
if ! cmp -s "$TMP/.err" "$TMP/.want_err"; then
  echo "stderr differs (- want, + got):" >&2
  diff -u "$TMP/.want_err" "$TMP/.err" | tail -n +3 >&2
  fail=1
fi
exit $fail
