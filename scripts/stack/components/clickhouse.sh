#!/usr/bin/env bash
# ClickHouse for the local stack: Debian's clickhouse-server (18.16), a private server whose config, data and logs live
# under $STACK_DIR/clickhouse, listening on 127.0.0.1 only (HTTP $CH_HTTP_PORT, native TCP $CH_TCP_PORT).
#   clickhouse.sh install|start|stop|status
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/../env.sh
. "$here/env.sh"

CH_DIR=$STACK_DIR/clickhouse
CH_USER=clickhouse   # the Debian package's system user; the server runs as it when we are root
CH_URL=http://127.0.0.1:$CH_HTTP_PORT

# shellcheck source=SCRIPTDIR/../apt.sh
. "$here/apt.sh"

# run_as_service CMD...: ClickHouse data files belong to $CH_USER when we are root, so the server runs as that user.
# It execs, so a background `run_as_service ... &` has the server's own pid in $!.
run_as_service() {
  if [ "$(id -u)" = 0 ]; then exec setpriv --reuid="$CH_USER" --regid="$CH_USER" --init-groups -- "$@"; else exec "$@"; fi
}

healthy() {
  [ "$(curl -fsS --max-time 2 "$CH_URL/ping" 2>/dev/null)" = "Ok." ] &&
    [ "$(curl -fsS --max-time 2 "$CH_URL/" --data-binary 'SELECT 1' 2>/dev/null)" = "1" ]
}

install() {
  if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
    echo "clickhouse: installing Debian clickhouse-server + clickhouse-client"
    apt_install clickhouse-server clickhouse-client
  fi
  # The package's system server (ports 8123/9000, /var/lib/clickhouse) must not hold our ports. Found by its config
  # path: its init script's status/stop match any clickhouse-server of user clickhouse, ours included.
  local pid
  for pid in $(pgrep -f -- '--config=/etc/clickhouse-server/config.xml' || true); do
    echo "clickhouse: stopping the system clickhouse-server (pid $pid)"; kill "$pid" 2>/dev/null || true
  done
  install_chdb
}

# Current ClickHouse as a library (chdb-core wheel from PyPI, ~180 MB) in a venv of its own;
# only its engine is used (`python -m chdb SQL`), so pandas and pyarrow are left out.
install_chdb() {
  if [ -x "$CHDB_PYTHON" ] && "$CHDB_PYTHON" -m chdb "SELECT 1" >/dev/null 2>&1; then return 0; fi
  echo "clickhouse: installing chdb-core $CHDB_VERSION (current ClickHouse engine) into $(dirname "$(dirname "$CHDB_PYTHON")")"
  python3 -m venv "$(dirname "$(dirname "$CHDB_PYTHON")")"
  "$CHDB_PYTHON" -m pip install -q --disable-pip-version-check --no-deps "chdb-core==$CHDB_VERSION"
  "$CHDB_PYTHON" -m chdb "SELECT 1" >/dev/null
}

# Writes config.xml and users.xml from the templates (on every start, so template edits take effect).
write_config() {
  mkdir -p "$CH_DIR"/{etc,data,tmp,log,user_files,format_schemas}
  sed -e "s|@CH_DIR@|$CH_DIR|g" -e "s|@CH_HTTP_PORT@|$CH_HTTP_PORT|g" -e "s|@CH_TCP_PORT@|$CH_TCP_PORT|g" \
    "$here/clickhouse/config.xml" > "$CH_DIR/etc/config.xml"
  cp "$here/clickhouse/users.xml" "$CH_DIR/etc/users.xml"
  if [ "$(id -u)" = 0 ]; then chown -R "$CH_USER:$CH_USER" "$CH_DIR"; fi
}

start() {
  if pid_alive clickhouse && healthy; then return 0; fi
  stop_pid clickhouse
  if healthy; then echo "clickhouse: something else already answers on $CH_URL" >&2; return 1; fi
  write_config
  local bin; bin=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
  # Foreground server in its own session (setsid) so it outlives the calling shell; stdout/stderr to the stack log.
  (cd "$CH_DIR" && run_as_service setsid "$bin" --config-file="$CH_DIR/etc/config.xml" \
      >>"$STACK_LOGS/clickhouse.out" 2>&1 </dev/null & echo $! > "$STACK_PIDS/clickhouse.pid")
  if ! wait_for "ClickHouse on $CH_URL" 90 healthy; then
    tail -n 20 "$STACK_LOGS/clickhouse.out" "$CH_DIR/log/clickhouse-server.err.log" >&2 2>/dev/null || true
    return 1
  fi
}

stop() { stop_pid clickhouse; }
status() { server_status clickhouse "http 127.0.0.1:$CH_HTTP_PORT, tcp 127.0.0.1:$CH_TCP_PORT"; }

component_verb "${1:-}"
