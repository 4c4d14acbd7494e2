#!/usr/bin/env bash
# README example of @mmrecall/data reading a folder of Parquet files (needs the optional peer
# @duckdb/node-api): type-checked with tsc --strict; run only when MMRECALL_EXAMPLE_DATA names a folder.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${MMRECALL_EXAMPLE_DATA:-}" ]; then
  echo "MMRECALL_EXAMPLE_DATA is not set: type-check only"
  exec bash examples/lib/run-ts.sh examples/data-parquet-folder/main.ts --no-run
fi
bash examples/lib/run-ts.sh examples/data-parquet-folder/main.ts
