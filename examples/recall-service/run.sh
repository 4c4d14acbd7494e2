#!/usr/bin/env bash
# README example of @mmrecall/recall-service: recall in process over a small trained artifacts folder.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
artifacts="$(bash examples/lib/tiny-artifacts.sh)"
node examples/recall-service/main.mjs "$artifacts"
