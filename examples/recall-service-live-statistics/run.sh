#!/usr/bin/env bash
# README example of @mmrecall/recall-service live statistics over a small trained gated model,
# type-checked with tsc --strict, then run.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
artifacts="$(bash examples/lib/tiny-artifacts.sh)"
MMRECALL_EXAMPLE_ARTIFACTS="$artifacts" bash examples/lib/run-ts.sh examples/recall-service-live-statistics/main.ts
