#!/usr/bin/env bash
# Deploys StableYield (docs/operations.md):
#   ./deploy.sh local            the local stack and every app on this machine (npm start)
#   ./deploy.sh docker           docker compose up -d (writes .env with generated secrets first)
#   ./deploy.sh k8s dev|prod     kubectl apply -k k8s/overlays/<env> (the overlay must be named)
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

# .env for docker compose (git-ignored, mode 600): a copy of .env.example when missing, then every
# empty password filled with a generated one. Values already set are kept.
write_env_file() {
  umask 077
  [ -f .env ] || { cp .env.example .env; echo "deploy.sh: wrote .env from .env.example" >&2; }
  chmod 600 .env
  local name value filled=""
  for name in POSTGRES_PASSWORD CLICKHOUSE_PASSWORD GRAFANA_ADMIN_PASSWORD; do
    grep -q "^$name=\$" .env || continue
    value=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    # awk rather than sed -i: the same on GNU and BSD.
    awk -v name="$name" -v value="$value" '$0 == name "=" { print name "=" value; next } { print }' .env > .env.tmp && mv .env.tmp .env
    filled="$filled $name"
  done
  [ -z "$filled" ] || echo "deploy.sh: generated$filled in .env" >&2
  grep -q '^KEEPER_PRIVATE_KEY=.' .env || echo "deploy.sh: KEEPER_PRIVATE_KEY is empty in .env: the keeper will not start until it is set" >&2
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
    # No default: applying the dev overlay (test double, one broker) to a production cluster by
    # omission must not happen.
    env=${2:-}
    [ -n "$env" ] || { echo "deploy.sh: name the overlay: ./deploy.sh k8s dev|prod" >&2; exit 2; }
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
