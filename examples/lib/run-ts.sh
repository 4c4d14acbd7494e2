#!/usr/bin/env bash
# Type-checks one TypeScript example with `tsc --strict` against the built packages (their
# published .d.ts files, as a user sees them), then runs the emitted JavaScript with node
# (not with --no-run).
#   bash examples/lib/run-ts.sh examples/<name>/main.ts [--no-run]
set -euo pipefail
file="$1"
dir="$(dirname "$file")"
out="$dir/.out"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$out"
"$root/examples/node_modules/.bin/tsc" --strict --noEmitOnError \
  --target es2022 --module esnext --moduleResolution bundler --types node --skipLibCheck \
  --outDir "$out" "$file"
if [ "${2:-}" != "--no-run" ]; then
  node "$out/$(basename "${file%.ts}").js"
fi
