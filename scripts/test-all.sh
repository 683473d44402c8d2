#!/usr/bin/env bash
# Runs every test: lint, typecheck, unit tests, then the integration tests against the real
# local stack (started here if it is not running; KAFKA_MODE=cluster is started too for the
# 3-broker fault test). Usage: npm test   (after npm ci)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-${CI:+true}}

step() { printf '\n=== %s (at %ss) ===\n' "$*" "$SECONDS"; }

# Each test phase is also logged to .ci-logs/; when one fails, its failing tests are summarised
# last, so the end of the output (often all a CI viewer keeps) names them.
logs="$root/.ci-logs"
mkdir -p "$logs"
run_logged() {
  local name=$1; shift
  set +e
  "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    printf '\n=== FAILED: %s (exit %s); failing tests ===\n' "$name" "$rc"
    # nx prefixes every line with "project: ", so the jest markers are matched anywhere in a line.
    sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log" | grep -E '✕| ● |^- .*:(test|integration|lint|typecheck)$' | grep -v '● Console' | head -60
    printf '\n=== first lines of each failure ===\n'
    sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log" | awk '/ ● / && !/● Console/ {n=30} n>0 && !/^[^ ]*: *\{"level"/ {print; n--}' | head -200
    exit "$rc"
  fi
}

step "install tools the tests need"
bash scripts/stack/stack.sh install
bash scripts/install-deploy-tools.sh
# Debian packages the tests drive: headless Chromium for the ticker page test (playwright-core
# drives it), faketime for the keeper's fault run under a skewed host clock, and jq for the
# runbooks' log filters (libs/deployment/test/runbooks.test.ts runs each one).
missing=""
command -v chromium >/dev/null || missing="$missing chromium"
command -v faketime >/dev/null || missing="$missing faketime"
command -v jq >/dev/null || missing="$missing jq"
if [ -n "$missing" ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  # shellcheck disable=SC2086
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

step "start the local stack"
bash scripts/stack/stack.sh up
KAFKA_MODE=cluster bash scripts/stack/stack.sh up kafka
eval "$(bash scripts/stack/stack.sh env | sed 's/^/export /')"
export KAFKA_CLUSTER_BROKERS
KAFKA_CLUSTER_BROKERS=$(KAFKA_MODE=cluster bash -c '. scripts/stack/env.sh; kafka_bootstrap')

step "format, lint and typecheck"
run_logged format npx prettier --check .
run_logged line-length bash scripts/check-line-length.sh
run_logged lint-typecheck npx nx run-many -t lint typecheck --outputStyle=static

step "unit tests (from a copy of the repository in an empty folder)"
run_logged unit bash scripts/unit-from-copy.sh -t test

step "integration tests (real Kafka, registry, PostgreSQL, ClickHouse, anvil)"
# One project at a time, each bounded by a timeout so that a hung suite fails the run with its
# name instead of eating the CI budget, with its wall time in a table at the end.
run_logged integration bash scripts/run-integration.sh

step "all tests passed"
