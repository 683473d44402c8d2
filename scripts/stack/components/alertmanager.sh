#!/usr/bin/env bash
# Alertmanager for the local stack: Debian's prometheus-alertmanager (0.25; the server's command is
# prometheus-alertmanager, with amtool beside it), a
# private server on 127.0.0.1:$ALERTMANAGER_PORT with monitoring/alertmanager.yml (the routing of
# k8s: critical, warning, default; no PagerDuty or Slack locally) and its data under
# $STACK_DIR/alertmanager. The stack's Prometheus sends to it (scripts/stack/prometheus/prometheus.local.yml).
#   alertmanager.sh install|start|stop|status
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/../env.sh
. "$here/env.sh"

AM_DIR=$STACK_DIR/alertmanager
AM_URL=http://127.0.0.1:$ALERTMANAGER_PORT

# shellcheck source=SCRIPTDIR/../apt.sh
. "$here/apt.sh"

healthy() { curl -fsS --max-time 2 "$AM_URL/-/ready" >/dev/null 2>&1; }

# Debian's own service listens on :9093, the Kafka controller's port.
install() { apt_install_server alertmanager prometheus-alertmanager 9093 prometheus-alertmanager amtool; }

write_config() {
  mkdir -p "$AM_DIR/data"
  cp "$STACK_ROOT/monitoring/alertmanager.yml" "$AM_DIR/alertmanager.yml"
  amtool check-config "$AM_DIR/alertmanager.yml" >/dev/null
}

# No gossip cluster (--cluster.listen-address=): one local instance.
start() {
  start_server alertmanager "$AM_URL" 60 "$AM_DIR" prometheus-alertmanager \
    --config.file="$AM_DIR/alertmanager.yml" \
    --storage.path="$AM_DIR/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --cluster.listen-address=
}
stop() { stop_pid alertmanager; }
status() { server_status alertmanager "127.0.0.1:$ALERTMANAGER_PORT"; }

component_verb "${1:-}"
