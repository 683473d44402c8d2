#!/usr/bin/env bash
# Runs every test: lint, typecheck, unit tests, then the integration tests against the real
# local stack (started here if it is not running; KAFKA_MODE=cluster is started too for the
# 3-broker fault test). Usage: npm test   (after npm ci)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-${CI:+true}}

step() { printf '\n=== %s ===\n' "$*"; }

step "install tools the tests need"
bash scripts/stack/stack.sh install
bash scripts/install-deploy-tools.sh
# Headless Chromium for the ticker page test (Debian's package; playwright-core drives it).
if ! command -v chromium >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

step "start the local stack"
bash scripts/stack/stack.sh up
KAFKA_MODE=cluster bash scripts/stack/stack.sh up kafka
eval "$(bash scripts/stack/stack.sh env | sed 's/^/export /')"
export KAFKA_CLUSTER_BROKERS
KAFKA_CLUSTER_BROKERS=$(KAFKA_MODE=cluster bash -c '. scripts/stack/env.sh; kafka_bootstrap')

step "lint and typecheck"
npx nx run-many -t lint typecheck --outputStyle=static

step "unit tests"
npx nx run-many -t test --outputStyle=static

step "integration tests (real Kafka, registry, PostgreSQL, ClickHouse, anvil)"
npx nx run-many -t integration --parallel=1 --outputStyle=static

step "all tests passed"
