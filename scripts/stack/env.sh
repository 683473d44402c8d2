# Ports, folders and versions of the local stack. Sourced by stack.sh and every component script.
# Override any of them from the environment.
STACK_ROOT=${STACK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
STACK_DIR=${STACK_DIR:-$STACK_ROOT/.stack}          # data, logs, pids (git-ignored)
STACK_CACHE=${STACK_CACHE:-$HOME/.cache/stableyield} # downloaded jars and archives, shared across clones
STACK_LOGS=$STACK_DIR/logs
STACK_PIDS=$STACK_DIR/pids

# Kafka: single node, or three combined KRaft nodes ("cluster" mode) for fault tests.
KAFKA_MODE=${KAFKA_MODE:-single}
KAFKA_PORT=${KAFKA_PORT:-9092}                 # single mode broker
KAFKA_CLUSTER_PORTS=${KAFKA_CLUSTER_PORTS:-"19092 19094 19096"} # cluster mode brokers (controllers on port+1)
REGISTRY_PORT=${REGISTRY_PORT:-8081}           # Apicurio, Confluent API under /apis/ccompat/v7
PG_PORT=${PG_PORT:-55432}
CH_HTTP_PORT=${CH_HTTP_PORT:-8123}
CH_TCP_PORT=${CH_TCP_PORT:-9000}
# Current ClickHouse, embedded (chdb from PyPI), for the test that the sink's DDL and RowBinary
# inserts work beyond Debian's 18.16; no server: each query is one process.
CHDB_VERSION=26.9.0
CHDB_PYTHON=${CHDB_PYTHON:-$STACK_CACHE/chdb-$CHDB_VERSION/bin/python}
ANVIL_PORT=${ANVIL_PORT:-8545}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9091}
ALERTMANAGER_PORT=${ALERTMANAGER_PORT:-9095}   # not Debian's 9093: that is the Kafka controller's

kafka_bootstrap() {
  if [ "$KAFKA_MODE" = cluster ]; then
    local out="" p; for p in $KAFKA_CLUSTER_PORTS; do out="${out:+$out,}127.0.0.1:$p"; done; echo "$out"
  else
    echo "127.0.0.1:$KAFKA_PORT"
  fi
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls a real health check until it passes.
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "timed out after ${secs}s waiting for $what" >&2; return 1; fi
    sleep 0.5
  done
}

# pid helpers: components record the pid of each process they start.
# A killed process can linger as a zombie for a moment here; kill -0 would still call it alive.
proc_alive() { [ -r "/proc/$1/stat" ] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null; }
pid_alive() { [ -f "$STACK_PIDS/$1.pid" ] && proc_alive "$(cat "$STACK_PIDS/$1.pid")"; }
stop_pid() {
  local name=$1 pid
  [ -f "$STACK_PIDS/$name.pid" ] || return 0
  pid=$(cat "$STACK_PIDS/$name.pid")
  if proc_alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do proc_alive "$pid" || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$STACK_PIDS/$name.pid"
}
mkdir -p "$STACK_LOGS" "$STACK_PIDS" "$STACK_CACHE"

# Verbs shared by the component scripts that define healthy() (and write_config() for start_server).
# start_server NAME URL SECONDS DIR COMMAND...: nothing to do when NAME's recorded process is up and healthy; fails
# when something else answers on URL; else write_config, then COMMAND from DIR in its own session (setsid, so it
# outlives the calling shell) with its output appended to $STACK_LOGS/NAME.log, and waits SECONDS for healthy.
start_server() {
  local name=$1 url=$2 secs=$3 dir=$4; shift 4
  if pid_alive "$name" && healthy; then return 0; fi
  stop_pid "$name"
  if healthy; then echo "$name: something else already answers on $url" >&2; return 1; fi
  write_config
  (cd "$dir" && exec setsid "$@" >>"$STACK_LOGS/$name.log" 2>&1 </dev/null & echo $! > "$STACK_PIDS/$name.pid")
  if ! wait_for "$name on $url" "$secs" healthy; then tail -n 20 "$STACK_LOGS/$name.log" >&2; return 1; fi
}
# server_status NAME DETAIL: "up (pid N, DETAIL)" when NAME's recorded process is alive and healthy, else "down".
server_status() {
  if pid_alive "$1" && healthy; then echo "up (pid $(cat "$STACK_PIDS/$1.pid"), $2)"; else echo down; return 1; fi
}
# component_verb VERB: runs the component's install, start, stop or status function.
component_verb() {
  case "${1:-}" in
    install|start|stop|status) "$1" ;;
    *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
  esac
}
