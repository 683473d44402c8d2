#!/usr/bin/env bash
# The local stack without Docker: real Kafka (KRaft), Apicurio registry, PostgreSQL, ClickHouse,
# anvil with MockPyth, Prometheus, Alertmanager. Idempotent; data and logs under .stack/ (git-ignored).
#
#   scripts/stack/stack.sh install [COMPONENT...]   fetch/install what the machine lacks
#   scripts/stack/stack.sh up      [COMPONENT...]   start (installs first), waits on health checks
#   scripts/stack/stack.sh down    [COMPONENT...]   stop
#   scripts/stack/stack.sh status  [COMPONENT...]   one line per component
#   scripts/stack/stack.sh env                      print the connection variables apps and tests use
#
# KAFKA_MODE=cluster starts three brokers (replication factor 3, min.insync.replicas=2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"

ALL_COMPONENTS="kafka registry postgres clickhouse anvil alertmanager prometheus"
cmd=${1:-status}; shift || true
components=${*:-$ALL_COMPONENTS}

run() { bash "$here/components/$1.sh" "$2"; }

case "$cmd" in
  install) for c in $components; do run "$c" install; done ;;
  up)
    for c in $components; do run "$c" install; done
    for c in $components; do
      start=$SECONDS; run "$c" start; echo "stack: $c up in $((SECONDS - start))s"
    done ;;
  down) for c in $(echo "$components" | tr ' ' '\n' | tac); do run "$c" stop; done ;;
  status) for c in $components; do printf '%-11s %s\n' "$c" "$(run "$c" status 2>&1 || true)"; done ;;
  env)
    cat <<VARS
KAFKA_BROKERS=$(kafka_bootstrap)
SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7
DATABASE_URL=postgres://stableyield@127.0.0.1:$PG_PORT/stableyield
CLICKHOUSE_URL=http://127.0.0.1:$CH_HTTP_PORT
RPC_URL=http://127.0.0.1:$ANVIL_PORT
PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
ALERTMANAGER_URL=http://127.0.0.1:$ALERTMANAGER_PORT
CHDB_PYTHON=$CHDB_PYTHON
VARS
    [ -f "$STACK_DIR/anvil/contract.env" ] && cat "$STACK_DIR/anvil/contract.env"
    ;;
  *) echo "usage: $0 install|up|down|status|env [COMPONENT...]  (components: $ALL_COMPONENTS)" >&2; exit 2 ;;
esac
