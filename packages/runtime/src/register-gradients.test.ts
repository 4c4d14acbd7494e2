import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

type Tf = typeof tf;

/**
 * Lists the kernels with a registered gradient and computes, on the cpu backend, the gradients of
 * the ops mmrecall trains through. Runs here (after `./register-gradients`) and, from its source
 * text, in a child process on the full @tensorflow/tfjs bundle: the results must be equal.
 */
function probeGradients(tfx: Tf): {
  registered: string[];
  chained: string[];
  gradients: Record<string, number[]>;
} {
  const registered = [...new Set(Object.values(tfx).filter((v) => typeof v === 'string'))]
    .filter((name) => tfx.getGradient(name as string) !== undefined)
    .sort() as string[];
  const chained = Object.getOwnPropertyNames(tfx.Tensor.prototype).sort();
  const a = tfx.tensor2d([
    [0.5, -1.2, 2.0],
    [1.5, 0.3, -0.7],
  ]);
  const b = tfx.tensor2d([
    [0.2, 0.4],
    [-0.6, 1.1],
    [0.9, -0.3],
  ]);
  const c = tfx.tensor3d([0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, 0.9, -1, 1.1, 1.2], [2, 2, 3]);
  const unit = (x: tf.Tensor) => tfx.div(x, tfx.sqrt(tfx.add(tfx.sum(tfx.square(x), -1, true), 1e-12)));
  const cases: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    matMul: (x) => tfx.matMul(x as tf.Tensor2D, b),
    matMulTransposed: (x) => tfx.matMul(x as tf.Tensor2D, x as tf.Tensor2D, false, true),
    batchMatMul: (x) =>
      tfx.matMul(
        tfx.reshape(x, [1, 2, 3]),
        tfx.add(tfx.reshape(tfx.concat([x, x], 0), [1, 3, 4]), c.reshape([1, 3, 4])),
      ),
    logSoftmax: (x) => tfx.logSoftmax(tfx.mul(x, 3)),
    softmax: (x) => tfx.mul(tfx.softmax(x), tfx.range(0, 3).reshape([1, 3])),
    logSumExp: (x) => tfx.logSumExp(x, 1),
    sigmoid: (x) => tfx.sigmoid(x),
    relu: (x) => tfx.relu(x),
    tanh: (x) => tfx.tanh(x),
    elu: (x) => tfx.elu(x),
    leakyRelu: (x) => tfx.leakyRelu(x, 0.1),
    exp: (x) => tfx.exp(x),
    log: (x) => tfx.log(tfx.add(tfx.abs(x), 1)),
    sqrt: (x) => tfx.sqrt(tfx.add(tfx.square(x), 0.5)),
    pow: (x) => tfx.pow(tfx.abs(x), 1.5),
    divide: (x) => tfx.div(x, tfx.add(tfx.abs(x), 1)),
    subtract: (x) => tfx.sub(x, tfx.mul(x, x)),
    negative: (x) => tfx.neg(x),
    mean: (x) => tfx.mean(x, 0),
    max: (x) => tfx.max(x, 1),
    min: (x) => tfx.min(x, 0),
    maximum: (x) => tfx.maximum(x, 0.3),
    minimum: (x) => tfx.minimum(x, 0.3),
    clipByValue: (x) => tfx.clipByValue(x, -1, 1),
    l2Normalize: (x) => unit(x),
    concat: (x) => tfx.concat([x, tfx.mul(x, 2)], 1),
    slice: (x) => tfx.slice(x, [0, 1], [2, 2]),
    gather: (x) => tfx.gather(x, tfx.tensor1d([2, 0, 2], 'int32'), 1),
    reshapeTranspose: (x) => tfx.transpose(tfx.reshape(x, [3, 2])),
    tile: (x) => tfx.tile(x, [2, 1]),
    expandDims: (x) => tfx.expandDims(x, 1),
    stack: (x) => tfx.stack([x, tfx.square(x)]),
    where: (x) => tfx.where(tfx.tensor2d([1, 0, 1, 0, 1, 0], [2, 3], 'bool'), x, tfx.mul(x, -3)),
    cast: (x) => tfx.cast(tfx.mul(x, 2), 'float32'),
    squaredDifference: (x) => tfx.squaredDifference(x, tfx.onesLike(x)),
    abs: (x) => tfx.abs(x),
    softplus: (x) => tfx.softplus(x),
    erf: (x) => tfx.erf(x),
  };
  const gradients: Record<string, number[]> = {};
  for (const [name, f] of Object.entries(cases)) {
    const g = tfx.grad((x: tf.Tensor) => tfx.sum(tfx.mul(f(x), tfx.scalar(1.25))))(a);
    gradients[name] = Array.from(g.dataSync());
    g.dispose();
  }
  return { registered, chained, gradients };
}

describe('registerGradients', () => {
  it('registers exactly the gradients of the @tensorflow/tfjs bundle, giving equal values', async () => {
    expect(tf.getGradient('BatchMatMul')).toBeUndefined(); // tfjs-core's Node entry registers none
    await import('./register-gradients');
    await tf.setBackend('cpu');
    const lean = probeGradients(tf);
    // 101 in tfjs 4.22: every kernel the ops above need, among them.
    expect(lean.registered.length).toBeGreaterThan(90);
    for (const name of ['BatchMatMul', 'Softmax', 'Sigmoid', 'GatherV2', 'Concat', 'Max', 'Sum']) {
      expect(lean.registered).toContain(name);
    }
    // The reference: the full bundle in its own process (vitest has already turned the probe into
    // plain JavaScript, so its source text runs there as is).
    const script = `import * as tf from '@tensorflow/tfjs';
await tf.setBackend('cpu');
const probeGradients = ${probeGradients.toString()};
process.stdout.write(JSON.stringify(probeGradients(tf)));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)), // the package folder: @tensorflow/tfjs is a dev dependency
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const full = JSON.parse(output) as ReturnType<typeof probeGradients>;
    expect(lean.registered).toEqual(full.registered);
    expect(lean.chained).toEqual(full.chained); // the chained methods (x.reshape ...) too
    expect(lean.chained).toContain('reshape');
    expect(Object.keys(lean.gradients)).toEqual(Object.keys(full.gradients));
    for (const name of Object.keys(full.gradients)) {
      expect(lean.gradients[name], name).toEqual(full.gradients[name]);
    }
  });
});
