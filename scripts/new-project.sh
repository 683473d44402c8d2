#!/usr/bin/env bash
# Creates the skeleton of a workspace project: scripts/new-project.sh lib|app NAME SCOPE [LAYER]
#   e.g. scripts/new-project.sh lib fees chain infrastructure; scripts/new-project.sh app pusher chain
# Each project gets the same targets: lint, typecheck, test (unit), integration; apps add build.
# SCOPE and LAYER are its Nx tags (docs/architecture.md, "Layers"); an app's layer is app.
set -euo pipefail
kind=${1:?lib|app}; name=${2:?name}; scope=${3:?scope, e.g. serving (docs/architecture.md, Layers)}
layer=${4:-}
[ "$kind" = app ] && layer=app
[ -n "$layer" ] || { echo "a library needs its LAYER: domain, infrastructure or features" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/${kind}s/$name"
[ -e "$dir" ] && { echo "$dir exists" >&2; exit 1; }
mkdir -p "$dir/src"
pkg="@stableyield/$name"; tag="type:lib"; entry="src/index.ts"
[ "$kind" = app ] && { pkg="@stableyield/app-$name"; tag="type:app"; entry="src/main.ts"; }
build=""
[ "$kind" = app ] && build='"build": "node ../../scripts/build-app.mjs",'
cat > "$dir/package.json" <<JSON
{
  "name": "$pkg",
  "version": "0.1.0",
  "private": true,
  "main": "$entry",
  "types": "$entry",
  "scripts": {
    $build
    "lint": "eslint .",
    "typecheck": "tsc -p tsconfig.json",
    "test": "jest -c ../../jest.unit.config.js --rootDir .",
    "integration": "jest -c ../../jest.integration.config.js --rootDir . --runInBand --passWithNoTests"
  },
  "nx": { "name": "$name", "tags": ["$tag", "layer:$layer", "scope:$scope"] }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "include": ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts"]
}
JSON
[ "$kind" = lib ] && echo "export {};" > "$dir/src/index.ts"
[ "$kind" = app ] && echo "export {};" > "$dir/src/main.ts"
echo "created $dir"
