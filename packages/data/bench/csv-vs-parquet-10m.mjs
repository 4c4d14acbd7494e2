// Benchmark: the same 10,000,000 interactions read from CSV (readInteractionsCsv, streaming) and from
// Parquet (readInteractionsParquet, DuckDB batches), side by side.
//
//   cd packages/data && npx tsup && node bench/csv-vs-parquet-10m.mjs [--rows 10000000] [--runs 3]
//
// The CSV is the one of load-10m.mjs (os.tmpdir(), generated once); DuckDB converts it to Parquet
// once (user_id and item_id as BIGINT, as a Parquet export of integer ids would have them). Each
// measurement runs in a fresh child process, so peak RSS (maxRSS) belongs to that read alone; runs
// alternate csv/parquet and medians are reported, with the load average before and after.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option, writeInteractionsFile } from './interactions-file.mjs';

const mode = option('mode', 'main');
const rows = Number(option('rows', '10000000'));
const csv = join(tmpdir(), `mmrecall-bench-${rows}.csv`);
const parquet = join(tmpdir(), `mmrecall-bench-${rows}.parquet`);
const columns = { user: 'user_id', item: 'item_id', timestamp: 'timestamp' };

async function child(kind) {
  const start = performance.now();
  let read;
  if (kind === 'csv') {
    const { readInteractionsCsv } = await import(new URL('../dist/index.js', import.meta.url));
    read = await readInteractionsCsv({ path: csv, columns });
  } else {
    const { readInteractionsParquet } = await import(new URL('../dist/parquet.js', import.meta.url));
    read = await readInteractionsParquet({ path: parquet, columns });
  }
  const seconds = (performance.now() - start) / 1000;
  if (read.interactions.users.length !== rows) throw new Error('row count mismatch');
  const check = read.interactions.items.reduce((sum, item) => (sum + item) % 1_000_003, 0);
  console.log(
    JSON.stringify({
      kind,
      seconds,
      maxRss: process.resourceUsage().maxRSS * 1024,
      users: read.users.size,
      items: read.items.size,
      check,
    }),
  );
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

if (mode === 'main') {
  const runs = Number(option('runs', '3'));
  await writeInteractionsFile({ path: csv, rows });
  if (!existsSync(parquet)) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${parquet}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
  }
  console.log(
    `rows ${rows.toLocaleString('en')}; csv ${mib(statSync(csv).size)}, parquet ${mib(statSync(parquet).size)}; load average ${load()}`,
  );
  const results = { csv: [], parquet: [] };
  for (let run = 0; run < runs; run++) {
    for (const kind of ['csv', 'parquet']) {
      const result = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--mode', kind, '--rows', String(rows)],
        {
          encoding: 'utf8',
        },
      );
      if (result.status !== 0) throw new Error(result.stderr);
      const measured = JSON.parse(result.stdout.trim().split('\n').at(-1));
      results[kind].push(measured);
      console.log(
        `run ${run + 1} ${kind.padEnd(7)} ${measured.seconds.toFixed(2)} s  ${(rows / measured.seconds / 1e6).toFixed(2)} M rows/s  maxRSS ${mib(measured.maxRss)}  (${measured.users} users, ${measured.items} items, check ${measured.check})`,
      );
    }
  }
  for (const kind of ['csv', 'parquet']) {
    const seconds = median(results[kind].map((r) => r.seconds));
    console.log(
      `median ${kind.padEnd(7)} ${seconds.toFixed(2)} s  ${(rows / seconds / 1e6).toFixed(2)} M rows/s  maxRSS ${mib(median(results[kind].map((r) => r.maxRss)))}`,
    );
  }
  console.log(`load average after: ${load()}`);
} else {
  await child(mode);
}
