// Times generation and reports peak RSS, one child process per case so peaks do not mix.
// Usage: npx tsup && node bench/generate.mjs [case ...]   (cases: tiny small default large xl matrix)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateEmbeddingMatrix, generateSyntheticDataset } from '../dist/index.js';

const child = process.env.SYNTHETIC_BENCH_CASE;
if (child) {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let summary;
  if (child === 'matrix') {
    const data = generateEmbeddingMatrix({ seed: 1, rows: 1_000_000, dim: 64, clusters: 256 });
    summary = `1,000,000 x 64 float32 (${(data.byteLength / 2 ** 20).toFixed(0)} MiB)`;
  } else {
    const { dataset, split } = generateSyntheticDataset({ preset: child, seed: 1 });
    let clicks = 0;
    for (const c of dataset.interactions.clicks) clicks += c;
    let cold = 0;
    for (const c of split.coldItems) cold += c;
    summary =
      `${dataset.users.size.toLocaleString('en')} users, ${dataset.items.size.toLocaleString('en')} items, ` +
      `${dataset.interactions.users.length.toLocaleString('en')} rows, ${clicks.toLocaleString('en')} clicks, ` +
      `${cold.toLocaleString('en')} cold items`;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `| ${child} | ${summary} | ${seconds.toFixed(2)} s | ${cpuSeconds.toFixed(2)} s | ${peakMiB.toFixed(0)} MiB (baseline ${(rssBefore / 2 ** 20).toFixed(0)} MiB) |`,
  );
} else {
  const cases = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['default', 'xl', 'matrix'];
  console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  console.log('| case | output | wall time | CPU time | peak RSS |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const name of cases) {
    execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, SYNTHETIC_BENCH_CASE: name },
      stdio: 'inherit',
    });
  }
}
