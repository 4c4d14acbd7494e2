#!/usr/bin/env bash
# Installs @mmrecall/training, model, data and synthetic (with their workspace dependencies and
# @mmrecall/runtime) from packed tarballs into a fresh consumer project, type-checks train.ts
# strictly, runs it, and checks its test metrics equal the CLI's for the same seed.
# Run from the repo root after `pnpm build`: examples/train-from-tarballs/run.sh
# PRESET=tiny for a quick run (default: the synthetic default, a few minutes on 2 cores).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
preset="${PRESET:-default}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mmrecall-train-from-tarballs.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The packages and every workspace package they depend on.
mapfile -t dirs < <(node --input-type=module -e '
  import { readdirSync, readFileSync } from "node:fs";
  const root = process.argv[1];
  const byName = new Map();
  for (const dir of readdirSync(`${root}/packages`)) {
    try { byName.set(JSON.parse(readFileSync(`${root}/packages/${dir}/package.json`, "utf8")).name, dir); } catch {}
  }
  const wanted = ["training", "model", "data", "synthetic", "runtime"].map((n) => `@mmrecall/${n}`);
  const seen = new Set();
  while (wanted.length > 0) {
    const name = wanted.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(`${root}/packages/${byName.get(name)}/package.json`, "utf8"));
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (byName.has(dep)) wanted.push(dep);
  }
  for (const name of seen) console.log(byName.get(name));
' "$root")
mkdir -p "$work/tarballs" "$work/consumer"
for dir in "${dirs[@]}"; do
  (cd "$root/packages/$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
echo "packed: ${dirs[*]}"

cd "$work/consumer"
cat > package.json <<'JSON'
{ "name": "train-from-tarballs", "private": true, "type": "module" }
JSON
cp "$here/train.ts" .
# strict checking of train.ts; skipLibCheck because tfjs-core's own .d.ts names `Long` without a types package
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
    "strict": true, "noUncheckedIndexedAccess": true, "skipLibCheck": true,
    "types": ["node"], "outDir": "out"
  },
  "files": ["train.ts"]
}
JSON
# tfjs-node is optional (its install downloads libtensorflow): leave it out, the backend is wasm.
npm install --no-audit --no-fund --omit=optional --loglevel=error \
  "$work"/tarballs/*.tgz @tensorflow/tfjs-core@4.22.0 typescript@~5.9.3 @types/node@^20.19.0 >/dev/null
echo "installed: $(du -sh node_modules | cut -f1) of node_modules"
npx tsc -p tsconfig.json

node "$root/apps/trainer/dist/cli.js" train -q --preset "$preset" -o "$work/cli" >/dev/null
CLI_METRICS="$work/cli/artifacts/metrics.json" PRESET="$preset" node out/train.js
