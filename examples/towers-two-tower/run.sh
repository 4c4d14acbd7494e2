#!/usr/bin/env bash
# README example of @mmrecall/towers: a two-tower model learns a planted preference.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
node examples/towers-two-tower/main.mjs
