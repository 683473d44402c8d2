#!/usr/bin/env bash
# Prometheus for the local stack: Debian's prometheus (also gives promtool), a private server on
# 127.0.0.1:$PROMETHEUS_PORT with config, targets, rules and TSDB under $STACK_DIR/prometheus.
# Apps are added by writing $STACK_DIR/prometheus/targets/<app>.json (file-based service discovery).
#   prometheus.sh install|start|stop|status
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/../env.sh
. "$here/env.sh"

PROM_DIR=$STACK_DIR/prometheus
PROM_URL=http://127.0.0.1:$PROMETHEUS_PORT

# shellcheck source=SCRIPTDIR/../apt.sh
. "$here/apt.sh"

healthy() { curl -fsS --max-time 2 "$PROM_URL/-/ready" >/dev/null 2>&1; }

# Debian's own service listens on :9090, a port the apps use. (apt_install's --no-install-recommends also keeps out
# prometheus-node-exporter, which would start on :9100.)
install() { apt_install_server prometheus prometheus 9090 prometheus promtool; }

write_config() {
  mkdir -p "$PROM_DIR"/{data,targets,rules}
  # The repository's alert rules (their names start with stableyield; other files there are left alone).
  cp "$STACK_ROOT"/monitoring/rules/*.yml "$PROM_DIR/rules/"
  sed -e "s|@PROM_DIR@|$PROM_DIR|g" -e "s|@PROMETHEUS_PORT@|$PROMETHEUS_PORT|g" -e "s|@ALERTMANAGER_PORT@|$ALERTMANAGER_PORT|g" \
    "$here/prometheus/prometheus.local.yml" > "$PROM_DIR/prometheus.yml"
  promtool check config "$PROM_DIR/prometheus.yml" >/dev/null
}

# Runs as the invoking user (root is fine for Prometheus).
# --web.enable-lifecycle allows POST /-/reload after rule changes.
start() {
  start_server prometheus "$PROM_URL" 60 "$PROM_DIR" prometheus \
    --config.file="$PROM_DIR/prometheus.yml" \
    --storage.tsdb.path="$PROM_DIR/data" \
    --storage.tsdb.retention.time=7d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle
}
stop() { stop_pid prometheus; }
status() { server_status prometheus "127.0.0.1:$PROMETHEUS_PORT"; }

component_verb "${1:-}"
