#!/usr/bin/env bash
# Runs a whole-system script (the fault run, the system benchmark) against the local stack,
# started here if needed together with the 3-broker cluster the system runs on.
#   bash scripts/system-stack.sh SCRIPT.ts [ARGS…]     (npm run chaos, npm run bench:system)
set -euo pipefail
cd "$(dirname "$0")/.."
script=$1; shift
bash scripts/stack/stack.sh up >&2
# BENCH_KAFKA=single runs on the stack's one broker: the idle cluster would only take CPU
[ "${BENCH_KAFKA:-}" = single ] || KAFKA_MODE=cluster bash scripts/stack/stack.sh up kafka >&2
eval "$(bash scripts/stack/stack.sh env | sed 's/^/export /')"
KAFKA_CLUSTER_BROKERS=$(KAFKA_MODE=cluster bash -c '. scripts/stack/env.sh; kafka_bootstrap')
export KAFKA_CLUSTER_BROKERS NX_DAEMON=false KAFKAJS_NO_PARTITIONER_WARNING=1
exec node_modules/.bin/tsx "$script" "$@"
