#!/usr/bin/env bash
# README example of @mmrecall/serving-pgvector: against PG_URL when set, else PGlite (PostgreSQL
# in WASM with pgvector) on a free local port.
# Run from anywhere after `pnpm build`; paths below are relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
node examples/serving-pgvector/main.mjs
