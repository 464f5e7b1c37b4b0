#!/usr/bin/env bash
# Run the kgraph command over hostile inputs, each under strace, with a
# loopback canary server listening, and check that every run
#   - ends with the exit status and the one-line error listed for it in
#     expected.tsv (never a signal);
#   - opens no file but the inputs its command line names, the store it
#     names and what the process itself needs (check_trace.py lists them);
#   - makes no network call (connect, socket, bind, sendto) and runs no
#     program;
# and that, after all runs, the canary server saw no connection, the canary
# file is unchanged and its secret appeared in no output.
#
# Usage: run.sh KGRAPH_BINARY [CASE...]
# Exits 0 when every case passes, 1 otherwise, 77 (skipped) when strace is
# missing or cannot trace here. A case marked "pending" in expected.tsv
# (a known fault handed to its owner) is run and reported but does not
# fail the run.
#
# expected.tsv: one case per line, tab-separated: name, status (ok or
# pending), exit status, the expected standard error ("-" for none, "*"
# for any one line starting "kgraph: ", the lines of a longer one joined
# with " | "), then the arguments (split at spaces). In the arguments and the message, @IN@ is the directory of the
# inputs, @STORE@ a fresh store path for the case and @CANARY@ the
# directory of the canary file; inputs/ holds the small inputs (with @IN@,
# @CANARY@ and @PORT@ filled in when copied) and make_inputs.py writes the
# large ones.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
only=("$@")

if ! command -v strace > /dev/null; then
  echo "strace is not installed: skipped"
  exit 77
fi
if ! strace -f -qq -o /dev/null true 2> /dev/null; then
  echo "strace cannot trace here: skipped"
  exit 77
fi

S=$(mktemp -d)
canary_pid=
cleanup() {
  if [ -n "$canary_pid" ]; then
    kill "$canary_pid" 2> /dev/null
    wait "$canary_pid" 2> /dev/null
  fi
  rm -rf "$S"
}
trap cleanup EXIT
mkdir -p "$S/in" "$S/canary" "$S/store"
token="CANARY-$$-$RANDOM$RANDOM"
printf '<http://canary.invalid/s> <http://canary.invalid/p> "%s" .\n' \
  "$token" > "$S/canary/secret.nt"
# A second canary beside the inputs, for relative references.
cp "$S/canary/secret.nt" "$S/in/secret.nt"
canary_sum=$(cat "$S/canary/secret.nt" "$S/in/secret.nt" | sha256sum)

# The canary server stops by itself after ten minutes at most.
timeout 600 python3 "$here/canary.py" "$S/port" "$S/hits" 590 &
canary_pid=$!
for _ in $(seq 50); do
  [ -s "$S/port" ] && break
  sleep 0.1
done
if [ ! -s "$S/port" ]; then
  echo "the canary server did not start"
  exit 1
fi
port=$(cat "$S/port")

export LC_ALL=C
# LeakSanitizer cannot work under strace: in a sanitizer build, leaks are
# the other tests' business.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
for f in "$here"/inputs/*; do
  sed -e "s#@CANARY@#$S/canary#g" -e "s#@IN@#$S/in#g" -e "s#@PORT@#$port#g" \
    "$f" > "$S/in/$(basename "$f")"
done
python3 "$here/make_inputs.py" "$S/in"
ln -s "$S/canary/secret.nt" "$S/in/store-link"

fill() {
  local s=${1//@IN@/$S/in}
  s=${s//@CANARY@/$S/canary}
  s=${s//@STORE@/$S/store/$name}
  s=${s//@PORT@/$port}
  printf '%s' "$s"
}

pass=0
fail=0
pending=0
fixed=0
while IFS=$'\t' read -r name status want_exit want_err args; do
  case $name in '' | '#'*) continue ;; esac
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then
    continue
  fi
  read -ra argv <<< "$(fill "$args")"
  # What the command line names: inputs, and the store.
  store=$S/store/none
  named=()
  prev=
  for a in "${argv[@]}"; do
    if [ "$prev" = --store ]; then
      store=${a#sqlite:}
      store=${store#lmdb:}
    elif [[ $a == "$S"/* ]]; then
      named+=("$a")
    elif [[ $a == *=$S/* ]]; then
      named+=("${a#*=}")
    fi
    prev=$a
  done
  # A hang is a failure: 20 s for a case (5 s for a pending one).
  limit=20
  [ "$status" = pending ] && limit=5
  start=$(date +%s%N)
  (cd "$S/in" && timeout "$limit" strace -f -qq -o "$S/trace" \
    -e trace=open,openat,openat2,creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,link,linkat,symlink,symlinkat,truncate,connect,socket,bind,sendto,sendmsg,execve \
    "$bin" "${argv[@]}" < /dev/null > "$S/out" 2> "$S/err")
  rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  problems=()
  if [ "$rc" -ge 124 ]; then
    problems+=("ended by a signal or the time limit (status $rc)")
  elif [ "$rc" != "$want_exit" ]; then
    problems+=("exit status $rc, want $want_exit")
  fi
  got_err=$(sed ':a;N;$!ba;s/\n/ | /g' "$S/err")
  want=$(fill "$want_err")
  [ "$want" = - ] && want=
  if [ "$want" = '*' ]; then
    if [[ $got_err != "kgraph: "* || $got_err == *" | "* ]]; then
      problems+=("stderr: $got_err")
    fi
  elif [ "$got_err" != "$want" ]; then
    problems+=("stderr: $got_err")
  fi
  if ! python3 "$here/check_trace.py" "$S/trace" "$S/in" "$store" \
    "${named[@]}" > "$S/violations"; then
    while IFS= read -r v; do
      problems+=("touched: $v")
    done < "$S/violations"
  fi
  if grep -q "$token" "$S/out" "$S/err"; then
    problems+=("the canary's secret is in the output")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    if [ "$status" = pending ]; then
      printf 'PENDING-NOW-PASSES %-24s (mark it ok)\n' "$name"
      fixed=$((fixed + 1))
    else
      printf 'ok   %-24s exit %s  %6d ms\n' "$name" "$rc" "$ms"
      pass=$((pass + 1))
    fi
  else
    if [ "$status" = pending ]; then
      printf 'PENDING %-24s %s\n' "$name" "${problems[0]}"
      pending=$((pending + 1))
    else
      printf 'FAIL %-24s\n' "$name"
      printf '       %s\n' "${problems[@]}"
      fail=$((fail + 1))
    fi
  fi
done < "$here/expected.tsv"

if [ -s "$S/hits" ]; then
  echo "FAIL the canary server was reached:"
  cat "$S/hits"
  fail=$((fail + 1))
fi
if [ "$(cat "$S/canary/secret.nt" "$S/in/secret.nt" | sha256sum)" != \
  "$canary_sum" ]; then
  echo "FAIL a canary file was changed"
  fail=$((fail + 1))
fi
echo "$pass passed, $fail failed, $pending pending, $fixed pending now pass"
[ "$fail" -eq 0 ]
