// Benchmark: time to ready of mmrecall-serve --index hnsw over 1M x 64 artifacts that carry a
// prebuilt index (memory-mapped), start after start. Builds the artifacts once (the load test's
// `buildArtifacts`) and attaches an index file built beforehand by bench/hnsw-defaults.mjs --keep.
//
//   pnpm turbo run build --filter=@mmrecall/recall-server...
//   node apps/recall-server/bench/hnsw-defaults.mjs --items 1000000 --keep /tmp/items.usearch
//   node apps/recall-server/bench/prebuilt-ready.mjs --index-file /tmp/items.usearch --dir /tmp/artifacts-1m --starts 3
import { spawn } from 'node:child_process';
import { copyFile, readFile, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { addArtifactsIndex } from '@mmrecall/model';
import { selectBackend } from '@mmrecall/runtime';
import { PREBUILT_EXPANSION_SEARCH } from '@mmrecall/serving';
import { buildArtifacts } from '../dist-bench/load-helpers.js';

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const items = Number(args.items ?? 1_000_000);
const users = Number(args.users ?? 10_000);
const dim = 64;
const dir = path.resolve(args.dir ?? '/tmp/mmrecall-artifacts-1m');
const starts = Number(args.starts ?? 3);
const port = Number(args.port ?? 18431);
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const log = (...parts) =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] load ${loadavg()[0].toFixed(1)}`, ...parts);

if ((await stat(path.join(dir, 'manifest.json')).catch(() => undefined)) === undefined) {
  await selectBackend({ backend: 'auto' });
  await buildArtifacts({ dir, items, users, dim });
  log('artifacts written');
}
const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
if (manifest.files.index === undefined) {
  await addArtifactsIndex({
    dir,
    index: {
      info: {
        kind: 'hnsw',
        library: 'usearch',
        metric: 'ip',
        rows: items,
        dim,
        settings: { connectivity: 16, expansionAdd: 128, expansionSearch: PREBUILT_EXPANSION_SEARCH },
      },
      write: (file) => copyFile(args['index-file'], file),
    },
  });
  log('index attached');
}

const results = [];
let previous;
for (let run = 0; run < starts; run++) {
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [
      cli,
      '--artifacts',
      dir,
      '--index',
      'hnsw',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let readySeconds;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (response?.status === 200) {
      readySeconds = (performance.now() - began) / 1000;
      break;
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
  }
  const answers = [];
  for (let s = 0; s < 50; s++) {
    const trigger = (s * 104_729 + 17) % items;
    const body = await (
      await fetch(`http://127.0.0.1:${port}/v1/recall/i2i`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ itemId: `i${trigger}`, k: 50 }),
      })
    ).json();
    answers.push(body.items.map((item) => item.id).join(','));
  }
  const same = previous === undefined ? undefined : answers.every((answer, i) => answer === previous[i]);
  previous = answers;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  results.push({
    run,
    readySeconds: Number(readySeconds.toFixed(2)),
    sameTop50AsPreviousStart: same,
    loadAverage: loadavg()[0],
  });
  log(JSON.stringify(results[results.length - 1]));
}
console.log(JSON.stringify({ items, dim, dir, results }));
