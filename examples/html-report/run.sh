#!/usr/bin/env bash
# README example of @mmrecall/html-report, type-checked with tsc --strict, then run.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash examples/lib/run-ts.sh examples/html-report/main.ts
