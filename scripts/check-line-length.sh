#!/usr/bin/env bash
# No TypeScript line over 120 columns (Prettier wraps code, not long strings and comments).
# Generated files are exempt: they say so in their first line.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=120
long=$(git ls-files '*.ts' | while read -r file; do
  head -1 "$file" | grep -q '^// GENERATED' && continue
  awk -v limit="$limit" 'length > limit { print FILENAME ":" FNR ": " length " columns" }' "$file"
done)
if [ -n "$long" ]; then
  printf 'lines over %s columns:\n%s\n' "$limit" "$long"
  exit 1
fi
echo "no TypeScript line over $limit columns"
