// Benchmark: time to ready of mmrecall-serve --index hnsw over 1M x 64 artifacts that carry a
// prebuilt index (memory-mapped), start after start. Builds the artifacts once (the load test's
// `buildArtifacts`) and attaches an index file built beforehand by bench/hnsw-defaults.mjs --keep.
//
//   pnpm turbo run build --filter=@mmrecall/recall-server...
//   node apps/recall-server/bench/hnsw-defaults.mjs --items 1000000 --keep /tmp/items.usearch
//   node apps/recall-server/bench/prebuilt-ready.mjs --index-file /tmp/items.usearch --dir /tmp/artifacts-1m --starts 3
//
// `--cli a.js,b.js` alternates starts between several builds of the CLI (an A/B in one run, on the
// same load); the top-50 lists are compared across every start of every build.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
const clis = String(
  args.cli ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js'),
).split(',');
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

/** CPU time (user + system, every thread) a process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return Number(((Number(fields[11]) + Number(fields[12])) / 100).toFixed(2));
}

const results = [];
let previous;
for (let run = 0; run < starts * clis.length; run++) {
  const cli = clis[run % clis.length];
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
  let cpuSeconds;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (response?.status === 200) {
      readySeconds = (performance.now() - began) / 1000;
      cpuSeconds = cpuSecondsOf(child.pid);
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
  previous ??= answers;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  results.push({
    run,
    cli,
    readySeconds: Number(readySeconds.toFixed(2)),
    cpuSeconds,
    sameTop50AsFirstStart: same,
    loadAverage: loadavg()[0],
  });
  log(JSON.stringify(results[results.length - 1]));
}
const summary = clis.map((cli) => {
  const mine = results.filter((result) => result.cli === cli);
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    cli,
    medianReadySeconds: median(mine.map((result) => result.readySeconds)),
    medianCpuSeconds: median(mine.map((result) => result.cpuSeconds)),
  };
});
console.log(JSON.stringify({ items, dim, dir, results, summary }));
