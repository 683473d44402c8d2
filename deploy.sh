#!/usr/bin/env bash
# Deploys StableYield (docs/operations.md):
#   ./deploy.sh local            the local stack and every app on this machine (npm start)
#   ./deploy.sh docker           docker compose up -d (writes .env with generated secrets first)
#   ./deploy.sh k8s [dev|prod]   kubectl apply -k k8s/overlays/<env> (default dev)
#   ./deploy.sh helm [release]   helm upgrade --install of helm/stableyield into namespace stableyield
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "deploy.sh: $1 is required for '$target' but not installed" >&2; exit 1; }
}

# .env for docker compose: generated once, never committed (.gitignore has it).
write_env_file() {
  [ -f .env ] && return 0
  local rand; rand() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
  umask 077
  {
    echo "POSTGRES_PASSWORD=$(rand)"
    echo "CLICKHOUSE_PASSWORD=$(rand)"
    echo "GRAFANA_ADMIN_PASSWORD=$(rand)"
    echo "# The keeper's RPC endpoint, a funded key of that chain and the MockPyth address deployed on it:"
    echo "KEEPER_RPC_URL=http://anvil:8545"
    echo "KEEPER_PRIVATE_KEY="
    echo "PYTH_CONTRACT_ADDRESS="
  } > .env
  echo "wrote .env with generated passwords; set KEEPER_PRIVATE_KEY and PYTH_CONTRACT_ADDRESS before starting the keeper" >&2
}

target=${1:-}
case "$target" in
  local)
    need npm
    exec npm start
    ;;
  docker)
    need docker
    write_env_file
    docker compose up -d --build
    docker compose ps
    ;;
  k8s)
    need kubectl
    env=${2:-dev}
    [ -d "k8s/overlays/$env" ] || { echo "deploy.sh: no overlay k8s/overlays/$env" >&2; exit 2; }
    # Server-side apply: the dashboards ConfigMap is larger than client-side apply's annotation limit.
    kubectl apply --server-side --force-conflicts -k "k8s/overlays/$env"
    kubectl -n stableyield rollout status deployment -l app.kubernetes.io/part-of=stableyield --timeout=10m
    ;;
  helm)
    need helm
    release=${2:-stableyield}
    helm upgrade --install "$release" helm/stableyield --namespace stableyield --create-namespace --atomic --timeout 10m
    ;;
  *)
    usage
    ;;
esac
