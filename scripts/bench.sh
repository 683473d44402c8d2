#!/usr/bin/env bash
# Runs a benchmark by name; each prints one JSON object on stdout.
#   npm run --silent bench -- NAME [ARGS...]        e.g. npm run --silent bench -- kafka --records 200000
# Names: every `bench/*.ts` of a project, as PROJECT or PROJECT/FILE (without .ts).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
list() { for f in libs/*/bench/*.ts apps/*/bench/*.ts; do [ -f "$f" ] && echo "$f"; done; }
name=${1:-}
if [ -z "$name" ]; then echo "usage: npm run --silent bench -- NAME [ARGS...]; available:" >&2; list >&2; exit 2; fi
shift
project=${name%%/*}; file=${name#*/}; [ "$file" = "$name" ] && file=""
matches=()
for f in $(list); do
  p=$(basename "$(dirname "$(dirname "$f")")"); b=$(basename "$f" .ts)
  if [ "$p" = "$project" ] && { [ -z "$file" ] || [ "$b" = "$file" ]; }; then matches+=("$f"); fi
done
[ ${#matches[@]} -gt 0 ] || { echo "no benchmark named $name; available:" >&2; list >&2; exit 2; }
for f in "${matches[@]}"; do npx tsx "$f" "$@"; done
