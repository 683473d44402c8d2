#!/usr/bin/env bash
# Runs the unit tests from a copy of the repository in an empty temporary folder, so a test that
# reads anything beside the repository (a sibling folder, a file a build machine happens to have)
# fails here the day it is introduced. The copy holds the files git tracks plus the untracked
# ones it does not ignore, as they are in the working tree (uncommitted changes are tested too);
# its dependencies come from a fresh `npm ci` in the copy.
#   scripts/unit-from-copy.sh [nx run-many arguments…]   (default: -t test)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# No tracked file may name a path outside the repository. (The pattern is split so that this
# line does not match itself.)
outside='/wo''rk/|\.\./sha''red/'
if git grep -nIE "$outside" -- . ':!*.jsonl'; then
  echo "unit-from-copy: the files above name paths outside the repository" >&2
  exit 1
fi

parent=$(mktemp -d)
trap 'rm -rf "$parent"' EXIT
copy="$parent/stableyield"
mkdir "$copy"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  [ -e "$file" ] && printf '%s\0' "$file"
done | tar --null -T - -cf - | tar -xf - -C "$copy"
echo "unit-from-copy: $(git ls-files --cached --others --exclude-standard | wc -l) files in $copy (nothing beside it)"

cd "$copy"
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
if [ "$#" -eq 0 ]; then set -- -t test; fi
npx nx run-many "$@" --outputStyle=static
