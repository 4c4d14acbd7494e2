// One Adam step of the stock path: a tf.Variable table, tf.gather, gradients through tfjs's
// GatherV2 gradient (UnsortedSegmentSum). Run by table-rows.mjs in a child process with a timeout.
// Usage: node bench/stock-gather-step.mjs <backend> <rows>
import { random, tf, useBackend } from './tf-setup.mjs';

const [backend = 'cpu', rowsArg = '20000'] = process.argv.slice(2);
const rows = Number(rowsArg);
const batch = 512;
const dim = 64;
await useBackend(backend);
const next = random(1);
const table = tf.variable(tf.randomUniform([rows, dim], -0.05, 0.05, 'float32', 1));
const kernel = tf.variable(tf.randomUniform([dim, dim], -0.2, 0.2, 'float32', 2));
const target = tf.randomUniform([batch, dim], -1, 1, 'float32', 3);
const indices = tf.tensor1d(
  Int32Array.from({ length: batch }, () => Math.floor(next() * rows)),
  'int32',
);
const optimizer = tf.train.adam(1e-3);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const start = performance.now();
try {
  const loss = optimizer.minimize(
    () => tf.mean(tf.square(tf.sub(tf.matMul(tf.gather(table, indices), kernel), target))),
    true,
    [table, kernel],
  );
  loss.dataSync();
  process.stdout.write(`${JSON.stringify({ ok: true, ms: performance.now() - start })}\n`);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, error: String(error instanceof Error ? error.message : error).split('\n')[0] })}\n`,
  );
}
