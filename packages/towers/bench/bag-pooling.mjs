// Why lookupBag pools in JS instead of lookup(values) + a dense pooling matMul (no
// unsortedSegmentSum on wasm): one SGD training step over B bags of ~20 items (dim 64) both ways,
// plus a check that both give the same updated table.
// Usage: npx tsup && node bench/bag-pooling.mjs [--steps 10] [--backends cpu,wasm] [--bags 512]
import { createEmbeddingTable } from '../dist/index.js';
import { createSparseOptimizer, trainStep } from '../dist/training.js';
import { median, random, tf, useBackend } from './tf-setup.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}
const steps = Number(option('steps', '10'));
const backends = option('backends', 'cpu,wasm').split(',');
const bags = Number(option('bags', '512'));
const rows = 100_000;
const dim = 64;

const next = random(5);
const offsets = new Int32Array(bags + 1);
for (let b = 0; b < bags; b++) offsets[b + 1] = offsets[b] + Math.floor(next() * 41); // 0..40, mean 20
const values = Int32Array.from({ length: offsets[bags] }, () => Math.floor(next() * rows));
const pooling = new Float32Array(bags * values.length);
for (let b = 0; b < bags; b++) {
  const count = offsets[b + 1] - offsets[b];
  for (let j = offsets[b]; j < offsets[b + 1]; j++) pooling[b * values.length + j] = 1 / count;
}

function run(kind) {
  const table = createEmbeddingTable({
    name: `bench/${kind}`,
    rows,
    dim,
    seed: 1,
  });
  const sparse = createSparseOptimizer({ table, kind: 'sgd', learningRate: 0.1 });
  const target = tf.randomUniform([bags, dim], -1, 1, 'float32', 3);
  const optimizer = tf.train.sgd(0.1);
  const times = [];
  for (let step = 0; step < steps + 2; step++) {
    const start = performance.now();
    trainStep({
      loss: () => {
        const pooled =
          kind === 'fused'
            ? table.lookupBag({ offsets, values, combiner: 'mean' })
            : tf.matMul(tf.tensor2d(pooling, [bags, values.length]), table.lookup(values));
        return tf.mean(tf.square(tf.sub(pooled, target)));
      },
      variables: [],
      sparseOptimizers: [sparse],
      optimizer,
    });
    if (step >= 2) times.push(performance.now() - start);
  }
  const weights = table.weights.slice();
  table.dispose();
  target.dispose();
  optimizer.dispose();
  return { ms: median(times), weights };
}

console.log(
  `node ${process.version}, ${bags} bags, ${values.length} values (mean bag ${(values.length / bags).toFixed(1)}), dim ${dim}, median of ${steps} steps`,
);
for (const backend of backends) {
  await useBackend(backend);
  const fused = run('fused');
  const dense = run('matmul');
  let maxDiff = 0;
  for (let i = 0; i < fused.weights.length; i++)
    maxDiff = Math.max(maxDiff, Math.abs(fused.weights[i] - dense.weights[i]));
  console.log(
    `${backend.padEnd(4)} lookupBag (JS pooling): ${fused.ms.toFixed(1)} ms/step; lookup + pooling matMul [${bags} x ${values.length}]: ${dense.ms.toFixed(1)} ms/step; max weight difference after ${steps + 2} steps ${maxDiff.toExponential(1)}`,
  );
}
