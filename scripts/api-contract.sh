#!/usr/bin/env bash
# The REST API against its own OpenAPI document: schemathesis 4 with every check (`--checks all`),
# a fixed seed and a bounded number of examples per operation, so a run takes well under a minute.
#
#   bash scripts/api-contract.sh BASE_URL            # as an anonymous client
#   API_KEY=syk_… bash scripts/api-contract.sh BASE_URL   # with a key (from `npm run api-keys -- create NAME`)
#   bash scripts/api-contract.sh --install           # only install schemathesis
#
# The key is read from the environment and handed to schemathesis in a private config file, never
# on a command line (visible to `ps`); schemathesis prints it as [Filtered].
# Reports: CONTRACT_REPORT_DIR (default artifacts/api-contract), JSON and JUnit.
# Installs the pinned schemathesis from PyPI into ~/.cache/stableyield/schemathesis-<version> on first use.
set -euo pipefail
VERSION=4.32.5
venv=${SCHEMATHESIS_VENV:-$HOME/.cache/stableyield/schemathesis-$VERSION}
st=$venv/bin/schemathesis

install() {
  if "$st" --version 2>/dev/null | grep -q " $VERSION\$"; then return 0; fi
  echo "api-contract: installing schemathesis $VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION"
}

[ "${1:-}" = "--install" ] && { install; exit 0; }
base=${1:?usage: scripts/api-contract.sh BASE_URL (API_KEY in the environment for an authenticated run)}
install

root=$(cd "$(dirname "$0")/.." && pwd)
label=${API_KEY:+with-key}
label=${label:-anonymous}
reports=${CONTRACT_REPORT_DIR:-$root/artifacts/api-contract}
mkdir -p "$reports"
config=$(mktemp)
trap 'rm -f "$config"' EXIT
chmod 600 "$config"
if [ -n "${API_KEY:-}" ]; then
  # schemathesis.toml reads ${VAR} from the environment.
  printf '[headers]\n"x-api-key" = "${API_KEY}"\n' >"$config"
fi

cd "$reports"
exec "$st" --no-color --config-file "$config" run "$base/api/openapi.json" \
  --url "$base" \
  --checks all \
  --seed "${CONTRACT_SEED:-20261206}" \
  --max-examples "${CONTRACT_MAX_EXAMPLES:-50}" \
  --generation-database none \
  --request-timeout 10 \
  --report json,junit \
  --report-json-path "$reports/$label.json" \
  --report-junit-path "$reports/$label.junit.xml"
