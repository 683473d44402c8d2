#!/usr/bin/env bash
# PostgreSQL for the local stack: Debian's packages, a private cluster in $STACK_DIR/postgres/data on 127.0.0.1:$PG_PORT
# (TCP only, trust on loopback), databases `stableyield` and `stableyield_test` owned by superuser role `stableyield`.
# TimescaleDB is installed and preloaded when Debian has a package for the installed major version (bookworm has none).
#   postgres.sh install|start|stop|status
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/../env.sh
. "$here/env.sh"

PG_DIR=$STACK_DIR/postgres
PG_DATA=$PG_DIR/data
PG_LOG=$STACK_LOGS/postgres.log
PG_OS_USER=postgres   # the server refuses to run as root; when we are root it runs as Debian's postgres user
DATABASES="stableyield stableyield_test"

# shellcheck source=SCRIPTDIR/../apt.sh
. "$here/apt.sh"

# Newest installed server version (Debian installs each major under /usr/lib/postgresql/<major>).
pg_major() { find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sed 's|.*/postgresql/\([0-9]*\)/.*|\1|' | sort -n | tail -n 1; }
pg_bin() { echo "/usr/lib/postgresql/$(pg_major)/bin/$1"; }
has_timescaledb() { [ -f "/usr/share/postgresql/$(pg_major)/extension/timescaledb.control" ]; }

as_pg_user() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- "$@"; else "$@"; fi
}
psql_as() {  # psql_as ROLE DB ARGS...: TCP to our cluster only, never a system socket
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$1" -d "$2" "${@:3}"
}
healthy() {
  "$(pg_bin pg_isready)" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2 &&
    [ "$(psql_as stableyield stableyield -tAc 'SELECT 1' 2>/dev/null)" = 1 ]
}
# Is the postmaster named in postmaster.pid alive? Not `pg_ctl status`: it counts a killed postmaster that init has
# not reaped yet (a zombie, for ~2 s here) as running, and a reused pid as well.
running() {
  local pid; pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] &&
    [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

install() {
  if [ -z "$(pg_major)" ]; then
    echo "postgres: installing Debian postgresql"
    apt_install postgresql
  fi
  if ! has_timescaledb; then
    # Asking apt costs ~1 s, so a negative answer is remembered until the package lists change.
    local major pkg marker; major=$(pg_major); marker=$STACK_CACHE/no-timescaledb-pg$major
    if [ -f "$marker" ] && [ "$marker" -nt /var/lib/apt/lists ]; then return 0; fi
    # Package names used by Debian/Ubuntu and by Timescale's own repository; bookworm's main has neither.
    pkg=$(apt-cache policy "postgresql-$major-timescaledb" "timescaledb-2-postgresql-$major" 2>/dev/null |
      awk '/^[^ ]/ { name = $1 } /Candidate: [0-9]/ { sub(":$", "", name); print name; exit }')
    if [ -n "$pkg" ]; then echo "postgres: installing $pkg"; apt_install "$pkg"; else touch "$marker"; fi
  fi
}

init_cluster() {
  mkdir -p "$PG_DIR"
  [ "$(id -u)" != 0 ] || chown "$PG_OS_USER:" "$PG_DIR"
  if ! as_pg_user test -w "$PG_DIR"; then
    echo "postgres: user $PG_OS_USER cannot write $PG_DIR; put STACK_DIR where every user can traverse the path" >&2
    return 1
  fi
  echo "postgres: initdb $PG_DATA (PostgreSQL $(pg_major))"
  (cd "$PG_DIR" && as_pg_user "$(pg_bin initdb)" -D "$PG_DATA" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1) ||
    { cat "$PG_DIR/initdb.log" >&2; return 1; }
  echo "include = 'stack.conf'" >> "$PG_DATA/postgresql.conf"
}

# Our settings and pg_hba.conf are rewritten from the templates on every start, so template edits take effect.
write_config() {
  local preload=""; if has_timescaledb; then preload=timescaledb; fi
  sed -e "s|@PG_PORT@|$PG_PORT|g" -e "s|@PRELOAD@|$preload|g" "$here/postgres/postgresql.local.conf" > "$PG_DATA/stack.conf"
  cp "$here/postgres/pg_hba.conf" "$PG_DATA/pg_hba.conf"
  touch "$PG_LOG"
  [ "$(id -u)" != 0 ] || chown "$PG_OS_USER:" "$PG_DATA/stack.conf" "$PG_DATA/pg_hba.conf" "$PG_LOG"
}

bootstrap() {
  psql_as postgres postgres -f "$here/postgres/bootstrap.sql"
  if has_timescaledb; then
    local db; for db in $DATABASES; do psql_as postgres "$db" -c 'CREATE EXTENSION IF NOT EXISTS timescaledb'; done
  fi
}

start() {
  if running && healthy; then return 0; fi
  [ -f "$PG_DATA/PG_VERSION" ] || init_cluster
  write_config
  local try
  for try in 1 2 3; do
    running && break
    # pg_ctl detaches the postmaster into its own session and waits until it accepts connections. After a kill -9
    # the old server's backends may hold its shared memory for a moment, so a failed start is retried.
    (cd "$PG_DIR" && as_pg_user "$(pg_bin pg_ctl)" start -D "$PG_DATA" -l "$PG_LOG" -w -t 120 -s) && break
    [ "$try" -lt 3 ] || { tail -n 20 "$PG_LOG" >&2; return 1; }
    sleep 2
  done
  head -n 1 "$PG_DATA/postmaster.pid" > "$STACK_PIDS/postgres.pid"
  wait_for "PostgreSQL on 127.0.0.1:$PG_PORT" 60 "$(pg_bin pg_isready)" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres
  bootstrap
  wait_for "SELECT 1 as stableyield" 30 healthy
}

stop() {
  # Fast shutdown: rolls back open transactions, checkpoints, exits; committed data is on disk.
  if running; then (cd "$PG_DIR" && as_pg_user "$(pg_bin pg_ctl)" stop -D "$PG_DATA" -m fast -w -t 60 -s); fi
  rm -f "$STACK_PIDS/postgres.pid"
}

status() {
  if ! { running && healthy; }; then echo down; return 1; fi
  echo "up (pid $(head -n 1 "$PG_DATA/postmaster.pid"), 127.0.0.1:$PG_PORT, PostgreSQL $(pg_major)$(has_timescaledb && echo ' + TimescaleDB'))"
}

component_verb "${1:-}"
