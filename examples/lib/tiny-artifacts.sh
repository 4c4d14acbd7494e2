#!/usr/bin/env bash
# Prints the path of a small trained artifacts folder (synthetic `tiny` preset, gated-additive,
# 2 epochs), training it with mmrecall-train first when it is missing. Run from the repository root.
set -euo pipefail
out="runs/examples/tiny"
if [ ! -f "$out/artifacts/manifest.json" ]; then
  node apps/trainer/dist/cli.js train -q --set data.preset=tiny --set train.epochs=2 -o "$out" >&2
fi
echo "$out/artifacts"
