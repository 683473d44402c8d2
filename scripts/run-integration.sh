#!/usr/bin/env bash
# Runs every project's integration target one after another (they share one stack), each under
# a timeout, streaming its output live, then prints how long each took.
#   INTEGRATION_TIMEOUT_S   per-project limit (default 1200)
#   INTEGRATION_PROJECTS    space-separated subset (default: every project with the target)
set -uo pipefail
cd "$(dirname "$0")/.."
limit=${INTEGRATION_TIMEOUT_S:-1200}
projects=${INTEGRATION_PROJECTS:-$(npx nx show projects --withTarget integration | sort)}

failed=()
table=""
for project in $projects; do
  printf '\n--- %s:integration ---\n' "$project"
  start=$SECONDS
  timeout --kill-after=30 "$limit" npx nx run "$project:integration" --outputStyle=stream --skipNxCache
  rc=$?
  took=$((SECONDS - start))
  status=ok
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then status="TIMED OUT after ${limit}s"; fi
  if [ "$rc" -ne 0 ] && [ "$status" = ok ]; then status="failed (exit $rc)"; fi
  [ "$status" = ok ] || failed+=("$project")
  table+=$(printf '%-22s %5ss  %s' "$project" "$took" "$status")$'\n'
done

printf '\n=== integration wall time per project ===\n%s' "$table"
if [ "${#failed[@]}" -gt 0 ]; then
  printf -- '- %s:integration\n' "${failed[@]}"
  exit 1
fi
