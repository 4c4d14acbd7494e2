// Load times of the real data sets (median of N runs in one process, after one warm-up).
//
//   cd packages/data && npx tsup && node bench/load-real.mjs [--runs 5]
//
// Reads ../shared/data relative to the repository root (tiktok/ and ml-100k/).
import { fileURLToPath } from 'node:url';
import { loadMovieLens100k, loadTiktok } from '../dist/index.js';

const at = process.argv.indexOf('--runs');
const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
const data = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

async function time(label, load) {
  await load();
  const seconds = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await load();
    seconds.push((performance.now() - start) / 1000);
  }
  seconds.sort((a, b) => a - b);
  console.log(
    `${label}: median ${(seconds[runs >> 1] * 1000).toFixed(0)} ms over ${runs} runs (min ${(seconds[0] * 1000).toFixed(0)} ms)`,
  );
}

await time('loadTiktok (68,722 rows + 2 x (6710, 128) float16)', () => loadTiktok({ dir: `${data}tiktok` }));
await time('loadMovieLens100k (100,000 ratings)', () => loadMovieLens100k({ dir: `${data}ml-100k` }));
