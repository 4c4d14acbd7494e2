#!/usr/bin/env bash
# README example of @mmrecall/data on the public data sets, type-checked with tsc --strict; run only where ../shared/data is present.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d ../shared/data/tiktok ] || [ ! -d ../shared/data/ml-100k ]; then
  echo "../shared/data not found beside the repository: type-check only"
  exec bash examples/lib/run-ts.sh examples/data-public-sets/main.ts --no-run
fi
bash examples/lib/run-ts.sh examples/data-public-sets/main.ts
