# A throwaway PostgreSQL cluster for tests, sourced by tests/server/*.sh.
#
# pg_start makes a cluster in a fresh temporary directory with Debian's
# server binaries, listening only on 127.0.0.1 on a free port (and on a
# unix socket in that directory), with one password-protected superuser,
# and creates the database "kg". pg_stop stops the server and removes the
# directory; pg_start arranges for it to run on exit, whatever the outcome.
# As root, initdb and postgres run as the system user "postgres" (they
# refuse root), which is given the directory.
#
# After pg_start: PG_DIR, PG_PORT, PG_USER, PG_PASSWORD, PG_BIN.

pg_bindir()
{
  if [ -n "${KG_PG_BINDIR:-}" ]; then
    echo "$KG_PG_BINDIR"
    return
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return
    fi
  done
}

# Run a server binary as the cluster's owner.
pg_as_owner()
{
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_free_port()
{
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

pg_stop()
{
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
      pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop \
        > /dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
  fi
  PG_DIR=
}

pg_start()
{
  PG_BIN=$(pg_bindir)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "PostgreSQL server binaries not found (no ${PG_BIN:-/usr/lib/postgresql/*/bin}/initdb):" \
      "install the packages listed in .ci/packages-test" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres > /dev/null 2>&1; then
    echo "running as root, but there is no system user 'postgres' to run the" \
      "server as (it comes with the postgresql package)" >&2
    exit 1
  fi
  local base=${TMPDIR:-/tmp}
  # the server's user must be able to reach the directory
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$base"; then
    base=/tmp
  fi
  PG_DIR=$(mktemp -d "$base/kgraph-pg.XXXXXX")
  trap pg_stop EXIT
  trap 'exit 130' INT TERM HUP
  PG_USER=kgtest
  PG_PASSWORD="s3cret-$$-$RANDOM"
  PG_PORT=$(pg_free_port)
  chmod 755 "$PG_DIR"
  mkdir "$PG_DIR/data" "$PG_DIR/run"
  printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pw"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_DIR/data" "$PG_DIR/run" "$PG_DIR/pw"
  fi
  chmod 700 "$PG_DIR/data"
  if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" \
    --pwfile="$PG_DIR/pw" --auth-host=scram-sha-256 --auth-local=trust \
    --no-locale -E UTF8 --no-sync > "$PG_DIR/initdb.log" 2>&1; then
    cat "$PG_DIR/initdb.log" >&2
    echo "initdb failed" >&2
    exit 1
  fi
  rm -f "$PG_DIR/pw"
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/run/log" -w \
    -t 60 -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR/run -c fsync=off" \
    start > /dev/null 2>&1; then
    cat "$PG_DIR/run/log" >&2
    echo "the PostgreSQL server did not start" >&2
    exit 1
  fi
  if ! pg_as_owner "$PG_BIN/psql" -h "$PG_DIR/run" -p "$PG_PORT" -U "$PG_USER" \
    -d postgres -q -c 'CREATE DATABASE kg' > /dev/null; then
    echo "cannot create the test database" >&2
    exit 1
  fi
}
