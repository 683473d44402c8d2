#!/usr/bin/env bash
# Runs the whole system locally: the real stack (Kafka, registry, PostgreSQL, ClickHouse, anvil
# with MockPyth, Prometheus), the market simulator as every upstream API, and every app.
# Ctrl-C (or SIGTERM) stops the apps; the stack keeps running (scripts/stack/stack.sh down stops it).
#   npm start                 everything
#   APPS="market-sim api" npm start   a subset
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/stack/env.sh

bash scripts/stack/stack.sh up
eval "$(bash scripts/stack/stack.sh env | sed 's/^/export /')"
export LOG_LEVEL=${LOG_LEVEL:-info} HEALTH_HOST=127.0.0.1

# Every app of the system, in start order (upstream first), with its local settings.
ALL_APPS="market-sim ingest-hermes ingest-market processor-peg processor-liquidity processor-ray processor-syi auditor keeper sink-timescale sink-clickhouse api ws-gateway"
SIM=http://127.0.0.1:7100
app_env() {
  case "$1" in
    market-sim) echo "MARKET_SIM_PORT=7100 MARKET_SIM_HEALTH_PORT=9212" ;;
    ingest-hermes) echo "HEALTH_PORT=9201 HERMES_URL=$SIM/hermes" ;;
    ingest-market) echo "HEALTH_PORT=9202 CRYPTOCOMPARE_URL=$SIM/cryptocompare BINANCE_URL=$SIM/binance DEFILLAMA_YIELDS_URL=$SIM/defillama/yields DEFILLAMA_STABLECOINS_URL=$SIM/defillama/stablecoins FRED_URL=$SIM/fred FRED_API_KEY=local-simulator" ;;
    processor-peg) echo "HEALTH_PORT=9203 NODE_OPTIONS=--max-semi-space-size=32" ;;
    processor-liquidity) echo "HEALTH_PORT=9204 NODE_OPTIONS=--max-semi-space-size=32" ;;
    processor-ray) echo "HEALTH_PORT=9205 NODE_OPTIONS=--max-semi-space-size=32" ;;
    processor-syi) echo "HEALTH_PORT=9206 NODE_OPTIONS=--max-semi-space-size=32" ;;
    auditor) echo "HEALTH_PORT=9213" ;;
    # anvil's first well-known development account: a local test chain only, never a real key.
    keeper) echo "METRICS_PORT=9207 PRIVATE_KEY_FILE=$STACK_DIR/anvil/dev-key KEEPER_STATE_FILE=$STACK_DIR/keeper/in-flight.json" ;;
    sink-timescale) echo "HEALTH_PORT=9208" ;;
    sink-clickhouse) echo "HEALTH_PORT=9209" ;;
    api) echo "PORT=8080 HEALTH_PORT=9210 AUDITOR_URL=http://127.0.0.1:9213" ;;
    ws-gateway) echo "PORT=8090 HEALTH_PORT=9211" ;;
  esac
}
health_url() {
  local port; port=$(app_env "$1" | tr ' ' '\n' | sed -n 's/^\([A-Z_]*HEALTH_PORT\|METRICS_PORT\)=//p')
  echo "http://127.0.0.1:$port"
}

apps=${APPS:-$ALL_APPS}
started=()
stop_apps() {
  trap - INT TERM EXIT
  echo "stopping apps…"
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop_pid "app-${started[i]}"; done
}
trap stop_apps INT TERM EXIT

mkdir -p "$STACK_DIR/prometheus/targets"
for app in $apps; do
  if [ ! -f "apps/$app/src/main.ts" ]; then echo "skip $app (not built yet)"; continue; fi
  if pid_alive "app-$app"; then echo "$app already running"; started+=("$app"); continue; fi
  # shellcheck disable=SC2046
  env $(app_env "$app") node_modules/.bin/tsx "apps/$app/src/main.ts" >"$STACK_LOGS/app-$app.log" 2>&1 &
  echo $! >"$STACK_PIDS/app-$app.pid"
  started+=("$app")
  url=$(health_url "$app")
  printf '[{"targets":["%s"],"labels":{"app":"%s"}}]\n' "${url#http://}" "$app" >"$STACK_DIR/prometheus/targets/$app.json"
  if wait_for "$app to be ready" 90 curl -fsS "$url/ready"; then
    echo "$app ready ($url)"
  else
    echo "$app did not become ready: see $STACK_LOGS/app-$app.log" >&2
  fi
done

cat <<INFO

StableYield is running.
  ticker page      http://127.0.0.1:8080/
  REST API         http://127.0.0.1:8080/api/index/latest   (docs: /api/docs)
  live stream      ws://127.0.0.1:8090/stream/syi/live
  Prometheus       http://127.0.0.1:$PROMETHEUS_PORT
  logs             $STACK_LOGS/app-*.log
Ctrl-C stops the apps.
INFO
while true; do sleep 3600 & wait $!; done
