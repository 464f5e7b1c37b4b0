# Sourced by the kill -9 tests: kill_at_random SPAN COMMAND... runs
# COMMAND in the background (output to out.txt and err.txt), kills it
# with SIGKILL after a random time below SPAN milliseconds, and sets
# $status to its exit status (137 when the kill came first).
kill_at_random() {
  local span=$1
  shift
  "$@" > out.txt 2> err.txt &
  local pid=$!
  local ms=$((RANDOM % span))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -9 "$pid" 2> /dev/null
  { wait "$pid"; } 2> /dev/null
  status=$?
}
