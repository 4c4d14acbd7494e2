// Cost of one training step (batch 512, dim 64, lookup -> dense 64x64 -> MSE, trainStep with lazy
// Adam on the table and tf.train.adam on the kernel) for tables of 10k and 1M rows, on the cpu and
// wasm backends. Goal: ms/step independent of the row count. For contrast, one step of the stock
// tf.gather + tf.Variable path in a child process with a 60 s timeout.
//
// Usage: npx tsup && node bench/table-rows.mjs [--steps 20] [--rows 10000,1000000] [--backends cpu,wasm]
//                                              [--stock-rows 200,2000,20000] [--stock-timeout 60]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createEmbeddingTable } from '../dist/index.js';
import { createSparseOptimizer, trainStep } from '../dist/training.js';
import { median, random, tf, useBackend } from './tf-setup.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}
const steps = Number(option('steps', '20'));
const rowCounts = option('rows', '10000,1000000').split(',').map(Number);
const backends = option('backends', 'cpu,wasm').split(',');
const stockRows = option('stock-rows', '200,2000,20000').split(',').filter(Boolean).map(Number);
const stockTimeout = Number(option('stock-timeout', '60'));
const batch = 512;
const dim = 64;
const warmup = 3;

function sparseRun(rows) {
  const createStart = performance.now();
  const table = createEmbeddingTable({
    name: 'bench/table',
    rows,
    dim,
    seed: 1,
  });
  const sparse = createSparseOptimizer({ table, kind: 'adam', learningRate: 1e-3 });
  const createMs = performance.now() - createStart;
  const kernel = tf.variable(tf.randomUniform([dim, dim], -0.2, 0.2, 'float32', 2));
  const target = tf.randomUniform([batch, dim], -1, 1, 'float32', 3);
  const optimizer = tf.train.adam(1e-3);
  const next = random(7);
  const times = [];
  const losses = [];
  const tensorsBefore = [];
  for (let step = 0; step < warmup + steps; step++) {
    const indices = Int32Array.from({ length: batch }, () => Math.floor(next() * rows));
    tensorsBefore.push(tf.memory().numTensors);
    const start = performance.now();
    const loss = trainStep({
      loss: () => tf.mean(tf.square(tf.sub(tf.matMul(table.lookup(indices), kernel), target))),
      variables: [kernel],
      sparseOptimizers: [sparse],
      optimizer,
    });
    const elapsed = performance.now() - start;
    if (step >= warmup) times.push(elapsed);
    losses.push(loss);
  }
  const leaked = tf.memory().numTensors - tensorsBefore[warmup];
  tf.dispose([kernel, target]);
  optimizer.dispose();
  table.dispose();
  return {
    createMs,
    msPerStep: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
    leaked,
    firstLoss: losses[0],
    lastLoss: losses.at(-1),
  };
}

/** Runs one stock step in a child process; the timeout starts once the child has set up. */
function stockRun(backend, rows) {
  const script = fileURLToPath(new URL('./stock-gather-step.mjs', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, backend, String(rows)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer;
    let timedOut = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (timer === undefined && stdout.includes('"ready"')) {
        timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, stockTimeout * 1000);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return resolve(`did not finish in ${stockTimeout} s`);
      const line = stdout
        .trim()
        .split('\n')
        .filter((l) => l.includes('"ok"'))
        .at(-1);
      if (line === undefined) return resolve(`failed (exit ${code}): ${stderr.trim().split('\n').at(-1)}`);
      const result = JSON.parse(line);
      resolve(result.ok ? `${result.ms.toFixed(0)} ms` : `error: ${result.error}`);
    });
  });
}

console.log(
  `node ${process.version}, batch ${batch}, dim ${dim}, median of ${steps} steps after ${warmup} warm-up steps`,
);
for (const backend of backends) {
  await useBackend(backend);
  const results = rowCounts.map((rows) => ({ rows, ...sparseRun(rows) }));
  for (const r of results) {
    console.log(
      `${backend.padEnd(4)} sparse table ${String(r.rows).padStart(8)} rows: ${r.msPerStep.toFixed(1)} ms/step (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)}), create ${r.createMs.toFixed(0)} ms, loss ${r.firstLoss.toFixed(4)} -> ${r.lastLoss.toFixed(4)}, tensors leaked/step ${r.leaked}`,
    );
  }
  if (results.length >= 2) {
    const first = results[0];
    const last = results.at(-1);
    console.log(
      `${backend.padEnd(4)} ratio ${last.rows}/${first.rows} rows: ${(last.msPerStep / first.msPerStep).toFixed(2)}`,
    );
  }
  for (const rows of stockRows)
    console.log(
      `${backend.padEnd(4)} stock tf.gather + tf.Variable, ${rows} rows, one step: ${await stockRun(backend, rows)}`,
    );
}
