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

install() {
  if ! command -v prometheus-alertmanager >/dev/null 2>&1 || ! command -v amtool >/dev/null 2>&1; then
    echo "alertmanager: installing Debian prometheus-alertmanager"
    apt_install prometheus-alertmanager
  fi
  # Debian's own service listens on :9093, the Kafka controller's port: make sure it is not running.
  if [ -x /etc/init.d/prometheus-alertmanager ] && /etc/init.d/prometheus-alertmanager status >/dev/null 2>&1; then
    echo "alertmanager: stopping the system prometheus-alertmanager service (it holds :9093)"
    /etc/init.d/prometheus-alertmanager stop >/dev/null 2>&1 || true
  fi
}

write_config() {
  mkdir -p "$AM_DIR/data"
  cp "$STACK_ROOT/monitoring/alertmanager.yml" "$AM_DIR/alertmanager.yml"
  amtool check-config "$AM_DIR/alertmanager.yml" >/dev/null
}

start() {
  if pid_alive alertmanager && healthy; then return 0; fi
  stop_pid alertmanager
  if healthy; then echo "alertmanager: something else already answers on $AM_URL" >&2; return 1; fi
  write_config
  # No gossip cluster (--cluster.listen-address=): one local instance; own session so it outlives the shell.
  (cd "$AM_DIR" && exec setsid prometheus-alertmanager \
      --config.file="$AM_DIR/alertmanager.yml" \
      --storage.path="$AM_DIR/data" \
      --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
      --cluster.listen-address= \
      >>"$STACK_LOGS/alertmanager.log" 2>&1 </dev/null &
   echo $! > "$STACK_PIDS/alertmanager.pid")
  if ! wait_for "Alertmanager on $AM_URL/-/ready" 60 healthy; then tail -n 20 "$STACK_LOGS/alertmanager.log" >&2; return 1; fi
}

stop() { stop_pid alertmanager; }

status() {
  if pid_alive alertmanager && healthy; then
    echo "up (pid $(cat "$STACK_PIDS/alertmanager.pid"), 127.0.0.1:$ALERTMANAGER_PORT)"
  else
    echo down; return 1
  fi
}

case "${1:-}" in
  install|start|stop|status) "$1" ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
