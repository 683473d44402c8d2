#!/usr/bin/env bash
# npm run chaos [-- --short]: the fault run against the local stack (started here if needed,
# with the 3-broker cluster it kills a broker of). Report: artifacts/chaos-report.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/stack/stack.sh up >&2
KAFKA_MODE=cluster bash scripts/stack/stack.sh up kafka >&2
eval "$(bash scripts/stack/stack.sh env | sed 's/^/export /')"
KAFKA_CLUSTER_BROKERS=$(KAFKA_MODE=cluster bash -c '. scripts/stack/env.sh; kafka_bootstrap')
export KAFKA_CLUSTER_BROKERS NX_DAEMON=false KAFKAJS_NO_PARTITIONER_WARNING=1
exec node_modules/.bin/tsx scripts/chaos.ts "$@"
