// Benchmark: stream a 10,000,000-row interactions CSV with readInteractionsCsv.
//
//   cd packages/data && npx tsup && node bench/load-10m.mjs [--rows 10000000] [--runs 3]
//
// The CSV (user_id,item_id,timestamp; ids drawn from [0, 1M) and [0, 200k) by an LCG, which gives
// 500k distinct users and 100k distinct items, in random order) is generated once into os.tmpdir() and
// reused. Every measurement runs in a fresh child process so peak RSS belongs to that load alone:
// "io" streams the file through the same chunked line reader without parsing (the I/O + decode
// floor), "load" is the full readInteractionsCsv. Runs alternate io/load; medians are reported.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option, writeInteractionsFile } from './interactions-file.mjs';

const mode = option('mode', 'main');
const rows = Number(option('rows', '10000000'));
const path = option('path', join(tmpdir(), `mmrecall-bench-${rows}.csv`));
const dist = new URL('../dist/index.js', import.meta.url);

const generate = () => writeInteractionsFile({ path, rows });

/** Child: one measured run; prints a JSON line. */
async function child(kind) {
  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const library = kind === 'load' ? await import(dist) : undefined;
  const start = performance.now();
  let count = 0;
  if (kind === 'io') {
    // Same chunked reader, no parsing: count newlines only.
    const { open } = await import('node:fs/promises');
    const { StringDecoder } = await import('node:string_decoder');
    const handle = await open(path, 'r');
    const chunk = Buffer.allocUnsafe(1 << 20);
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const text = decoder.write(chunk.subarray(0, bytesRead));
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    }
    await handle.close();
    count -= 1; // header
  } else {
    const { interactions, users, items, report } = await library.readInteractionsCsv({
      path,
      columns: { user: 'user_id', item: 'item_id', timestamp: 'timestamp' },
    });
    count = report.rows;
    if (interactions.users.length !== rows || interactions.timestamps.length !== rows)
      throw new Error('row count mismatch');
    globalThis.keep = [interactions, users.size, items.size];
  }
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ kind, rows: count, seconds, baseRss, peakRss, maxRss }));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

if (mode === 'main') {
  const runs = Number(option('runs', '3'));
  await generate();
  const fileBytes = statSync(path).size;
  console.log(`file: ${path}, ${rows.toLocaleString('en')} rows, ${mb(fileBytes)}`);
  const results = { io: [], load: [] };
  for (let run = 0; run < runs; run++) {
    for (const kind of ['io', 'load']) {
      const result = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--mode', kind, '--rows', String(rows), '--path', path],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      if (result.status !== 0) throw new Error(result.stderr);
      const measured = JSON.parse(result.stdout.trim().split('\n').at(-1));
      results[kind].push(measured);
      console.log(
        `run ${run + 1} ${kind.padEnd(4)} ${measured.seconds.toFixed(2)} s  ${(measured.rows / measured.seconds / 1e6).toFixed(2)} M rows/s  peak RSS ${mb(measured.peakRss)} (maxRSS ${mb(measured.maxRss)}, start ${mb(measured.baseRss)})`,
      );
    }
  }
  const load = results.load;
  const io = results.io;
  const loadSeconds = median(load.map((r) => r.seconds));
  const ioSeconds = median(io.map((r) => r.seconds));
  const maxRss = median(load.map((r) => r.maxRss));
  console.log('\nmedians over', runs, 'runs:');
  console.log(
    `  readInteractionsCsv: ${loadSeconds.toFixed(2)} s, ${(rows / loadSeconds / 1e6).toFixed(2)} M rows/s, ${(fileBytes / 2 ** 20 / loadSeconds).toFixed(0)} MiB/s`,
  );
  console.log(
    `  io floor (read + decode + count lines): ${ioSeconds.toFixed(2)} s; load/io time ratio ${(loadSeconds / ioSeconds).toFixed(2)}`,
  );
  console.log(
    `  peak RSS of the load: ${mb(maxRss)} = ${(maxRss / fileBytes).toFixed(2)} x file size (io floor ${mb(median(io.map((r) => r.maxRss)))})`,
  );
  console.log(`  columns kept: ${mb(rows * (4 + 4 + 8))} (users Int32, items Int32, timestamps Float64)`);
} else {
  await child(mode);
}
