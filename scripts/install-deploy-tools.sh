#!/usr/bin/env bash
# Installs the tools the deployment tests (libs/deploy-tests) run, from package registries
# only, into $DEPLOY_TOOLS_DIR (default ~/.cache/stableyield/deploy-tools). Idempotent: a
# second run finds everything in place and takes about a second.
#
#   bin/helm, bin/kubeconform                  Go module proxy (go install, pinned versions)
#   bin/kustomize                              kubectl's embedded kustomize, else go install
#   bin/promtool                               Debian's prometheus package, unpacked with
#                                              dpkg-deb (not installed: no system service on 9090)
#   schemas/<version>-local-strict/*.json      Kubernetes JSON schemas for kubeconform, from the
#                                              kubernetes-validate wheel on PyPI (kubeconform's
#                                              default schema location on GitHub is not reachable)
#   crds/postgresql.cnpg.io_clusters.yaml      CloudNativePG's Cluster CRD, from its Go module
#                                              (Strimzi publishes no CRD to a registry we reach:
#                                              the tests skip its kinds and say why)
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
KUSTOMIZE_VERSION=v5.8.2           # v5.8.3 needs Go 1.27
KUBERNETES_VALIDATE_VERSION=1.37.0 # PyPI wheel with schemas of Kubernetes 1.25 … 1.37
SCHEMA_KUBERNETES_VERSION=v1.32.0  # the version the manifests are validated against
CNPG_VERSION=v1.27.1               # CloudNativePG: its Go module carries the CRDs (config/crd/bases)

DIR=${DEPLOY_TOOLS_DIR:-$HOME/.cache/stableyield/deploy-tools}
BIN=$DIR/bin
mkdir -p "$BIN" "$DIR/schemas" "$DIR/tmp"
start=$SECONDS

# go install into $BIN, once per version (a stamp file records the version installed).
go_tool() {
  local name=$1 module=$2 version=$3
  if [ -x "$BIN/$name" ] && [ "$(cat "$BIN/.$name.version" 2>/dev/null)" = "$version" ]; then return 0; fi
  echo "installing $name $version (go install $module)"
  GOBIN=$BIN GOTOOLCHAIN=local CGO_ENABLED=0 go install -ldflags='-s -w' "$module@$version"
  echo "$version" > "$BIN/.$name.version"
}

go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" &
# kustomize: kubectl embeds it (`kubectl kustomize`); build it only where kubectl is missing.
kustomize_job() {
  if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
    if [ ! -x "$BIN/kustomize" ] || ! grep -q 'kubectl kustomize' "$BIN/kustomize"; then
      printf '#!/bin/sh\n# kustomize build DIR, served by kubectl kustomize DIR.\n[ "$1" = build ] && shift\nexec kubectl kustomize "$@"\n' > "$BIN/kustomize"
      chmod +x "$BIN/kustomize"
      echo "kustomize: using kubectl kustomize"
    fi
    return 0
  fi
  [ -x "$BIN/kustomize" ] && grep -q 'kubectl kustomize' "$BIN/kustomize" && rm -f "$BIN/kustomize"
  go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
}
kustomize_job &
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" &

promtool_job() {
  if [ -x "$BIN/promtool" ]; then return 0; fi
  echo "installing promtool (apt-get download prometheus)"
  local tmp; tmp=$(mktemp -d "$DIR/tmp/prometheus.XXXX")
  (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1) || {
    apt-get update >/dev/null && (cd "$tmp" && apt-get download prometheus >/dev/null)
  }
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
  install -m 0755 "$tmp/root/usr/bin/promtool" "$BIN/promtool"
  rm -rf "$tmp"
}
promtool_job &

schemas_job() {
  local target=$DIR/schemas/$SCHEMA_KUBERNETES_VERSION-local-strict
  if [ -f "$target/deployment-apps-v1.json" ] && grep -q "file://$target/" "$target/deployment-apps-v1.json"; then return 0; fi
  echo "installing Kubernetes $SCHEMA_KUBERNETES_VERSION JSON schemas (pip download kubernetes-validate==$KUBERNETES_VALIDATE_VERSION)"
  local tmp; tmp=$(mktemp -d "$DIR/tmp/schemas.XXXX")
  python3 -m pip download --quiet --no-deps --dest "$tmp" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  python3 -m zipfile -e "$tmp"/kubernetes_validate-*.whl "$tmp/wheel"
  local src=$tmp/wheel/kubernetes_validate/kubernetes-json-schema/$SCHEMA_KUBERNETES_VERSION-local-strict
  # The schemas point at "/api/_definitions.json", a path of kubernetes-validate's own
  # resolver; kubeconform follows file URLs, so point them at the installed file.
  find "$src" -name '*.json' -exec sed -i "s#\"/api/_definitions.json\##\"file://$target/_definitions.json\##g" {} +
  rm -rf "$target"
  mv "$src" "$target"
  rm -rf "$tmp"
}
schemas_job &

crds_job() {
  local target=$DIR/crds/postgresql.cnpg.io_clusters.yaml
  if [ -f "$target" ] && [ "$(cat "$DIR/crds/.cnpg.version" 2>/dev/null)" = "$CNPG_VERSION" ]; then return 0; fi
  echo "installing CloudNativePG $CNPG_VERSION CRDs (go mod download)"
  mkdir -p "$DIR/crds"
  local moddir
  moddir=$(GOFLAGS=-mod=mod go mod download -json "github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  cp "$moddir/config/crd/bases/postgresql.cnpg.io_clusters.yaml" "$target"
  echo "$CNPG_VERSION" > "$DIR/crds/.cnpg.version"
}
crds_job &

failed=0
for job in $(jobs -p); do wait "$job" || failed=1; done
[ "$failed" = 0 ] || { echo "install-deploy-tools: a tool failed to install (see above)" >&2; exit 1; }
echo "deploy tools ready in $DIR ($((SECONDS - start))s)"
