// Times one two-tower training step (batch 512, inputs 128 -> MLP 256 -> 64 per tower, in-batch
// softmax, Adam) on each backend that initialises here, and a 1024^3 matMul for the backend's peak.
// Run: pnpm --filter @mmrecall/runtime build && node packages/runtime/bench/backends.mjs
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../dist/index.js';

const BATCH = 512;
const IN = 128;
const HIDDEN = 256;
const OUT = 64;
const STEPS = Number(process.env.STEPS ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function makeTower(seed) {
  return [
    tf.variable(tf.randomNormal([IN, HIDDEN], 0, 0.05, 'float32', seed)),
    tf.variable(tf.zeros([HIDDEN])),
    tf.variable(tf.randomNormal([HIDDEN, OUT], 0, 0.05, 'float32', seed + 1)),
    tf.variable(tf.zeros([OUT])),
  ];
}

function tower([w1, b1, w2, b2], x) {
  const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
  const out = tf.add(tf.matMul(h, w2), b2);
  return tf.div(out, tf.add(tf.norm(out, 'euclidean', 1, true), 1e-6));
}

async function timeBackend(name, fastGradient) {
  if (fastGradient) {
    await selectBackend({ backend: name });
  } else {
    // The same set-up as selectBackend, minus the matMul gradient override.
    await import('@tensorflow/tfjs');
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend(name);
    await tf.ready();
  }
  const user = makeTower(1);
  const item = makeTower(3);
  const optimizer = tf.train.adam(0.001);
  const xs = tf.randomNormal([BATCH, IN], 0, 1, 'float32', 5);
  const ys = tf.randomNormal([BATCH, IN], 0, 1, 'float32', 6);
  const labels = tf.oneHot(tf.range(0, BATCH, 1, 'int32'), BATCH);
  const step = async () => {
    const cost = optimizer.minimize(
      () => {
        const logits = tf.div(tf.matMul(tower(user, xs), tower(item, ys), false, true), 0.05);
        return tf.losses.softmaxCrossEntropy(labels, logits);
      },
      true,
      [...user, ...item],
    );
    await cost.data();
    cost.dispose();
  };
  for (let i = 0; i < 3; i++) await step();
  const times = [];
  for (let i = 0; i < STEPS; i++) {
    const start = performance.now();
    await step();
    times.push(performance.now() - start);
  }
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  const mm = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    mm.push(performance.now() - start);
  }
  // FLOPs of one step: forward 2 towers x 2 matmuls, backward ~2x forward, plus the B x B logits.
  const forward = 2 * (2 * BATCH * IN * HIDDEN + 2 * BATCH * HIDDEN * OUT) + 2 * BATCH * BATCH * OUT;
  const stepMs = median(times);
  const peak = (2 * 1024 ** 3) / (median(mm) / 1000) / 1e9;
  const achieved = (3 * forward) / (stepMs / 1000) / 1e9;
  tf.dispose([...user, ...item, xs, ys, labels, a, b]);
  optimizer.dispose();
  return {
    backend: `${name}${fastGradient ? '' : ' (stock matMul gradient)'}`,
    stepMs,
    examplesPerSecond: (BATCH / stepMs) * 1000,
    peakGflops: peak,
    achievedGflops: achieved,
  };
}

const results = [];
// Stock gradients first: installFastMatMulGradient (inside selectBackend) cannot be undone.
for (const [name, fast] of [
  ['wasm', false],
  ['cpu', false],
  ['wasm', true],
  ['cpu', true],
]) {
  try {
    results.push(await timeBackend(name, fast));
  } catch (error) {
    results.push({ backend: name, error: String(error).split('\n')[0] });
  }
}
console.log('| backend | step ms (median) | examples/s | matMul peak GFLOP/s | step GFLOP/s |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  if (r.error) console.log(`| ${r.backend} | failed: ${r.error} | | | |`);
  else
    console.log(
      `| ${r.backend} | ${r.stepMs.toFixed(1)} | ${r.examplesPerSecond.toFixed(0)} | ${r.peakGflops.toFixed(2)} | ${r.achievedGflops.toFixed(2)} |`,
    );
}
const find = (label) => results.find((r) => r.backend === label && !r.error);
const wasm = find('wasm');
const cpu = find('cpu');
const stockWasm = find('wasm (stock matMul gradient)');
if (wasm && cpu) console.log(`wasm/cpu step speed ratio: ${(cpu.stepMs / wasm.stepMs).toFixed(1)}x`);
if (wasm && stockWasm)
  console.log(
    `wasm fast/stock matMul gradient step speed ratio: ${(stockWasm.stepMs / wasm.stepMs).toFixed(1)}x`,
  );
