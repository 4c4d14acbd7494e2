#!/usr/bin/env bash
# README example of @mmrecall/serving: the call watchdog.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
node examples/serving-watchdog/main.mjs
