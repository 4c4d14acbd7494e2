#!/usr/bin/env bash
# README example of @mmrecall/tuning.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
node examples/tuning/main.mjs
