import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { additiveFusion } from './fusion';
import { posteriorFeatures } from './posterior-features';
import { createPosteriorGate } from './posterior-gate';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Spearman rank correlation with average ranks (kept local: gating does not depend on metrics). */
function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const ranks = (v: ArrayLike<number>) => {
    const order = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a]! - v[b]!);
    const r = new Array<number>(v.length);
    for (let s = 0; s < order.length; ) {
      let e = s + 1;
      while (e < order.length && v[order[e]!] === v[order[s]!]) e++;
      for (let i = s; i < e; i++) r[order[i]!] = (s + e + 1) / 2;
      s = e;
    }
    return r;
  };
  const [rx, ry] = [ranks(x), ranks(y)];
  const mean = (x.length + 1) / 2;
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    sxy += (rx[i]! - mean) * (ry[i]! - mean);
    sxx += (rx[i]! - mean) ** 2;
    syy += (ry[i]! - mean) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('createPosteriorGate', () => {
  it('outputs values in (0, 1) of shape [B, 1]', () => {
    const gate = createPosteriorGate({ seed: 3 });
    const features = tf.tensor2d(
      Array.from({ length: 40 }, (_, i) => (i % 7) - 3),
      [10, 4],
    );
    const g = gate.apply(features);
    expect(g.shape).toEqual([10, 1]);
    expect(Array.from(g.dataSync()).every((v) => v > 0 && v < 1)).toBe(true);
    expect(gate.variables).toHaveLength(4);
    tf.dispose([features, g]);
    gate.dispose();
  });

  it('matches a hand-computed MLP forward pass', () => {
    const gate = createPosteriorGate({ inputDim: 2, hiddenUnits: [2] });
    const weights = {
      'posterior_gate/dense_0/kernel': tf.tensor2d([
        [1, -1],
        [0, 1],
      ]),
      'posterior_gate/dense_0/bias': tf.tensor1d([0, 0.5]),
      'posterior_gate/output/kernel': tf.tensor2d([[2], [1]]),
      'posterior_gate/output/bias': tf.tensor1d([-1]),
    };
    gate.loadNamedWeights(weights);
    const features = tf.tensor2d([
      [1, 2],
      [-1, 0],
    ]);
    // [1, 2] -> hidden relu([1, 1.5]) -> 2 + 1.5 - 1 = 2.5; [-1, 0] -> relu([-1, 1.5]) = [0, 1.5] -> 0.5
    const g = gate.apply(features);
    expectTensorsClose(g, [sigmoid(2.5), sigmoid(0.5)]);
    tf.dispose([weights, features, g]);
    gate.dispose();
  });

  it('starts at sigmoid(initialBias) for all-zero (cold) features', () => {
    const gate = createPosteriorGate({ initialBias: 2 });
    const cold = tf.zeros([3, 4]) as tf.Tensor2D;
    const g = gate.apply(cold);
    expectTensorsClose(g, [sigmoid(2), sigmoid(2), sigmoid(2)]);
    tf.dispose([cold, g]);
    gate.dispose();
  });

  it('round-trips weights through tf.io encode/decode into a differently seeded gate', async () => {
    const source = createPosteriorGate({ seed: 1, hiddenUnits: [8, 4] });
    const target = createPosteriorGate({ seed: 2, hiddenUnits: [8, 4] });
    const features = tf.tensor2d(
      Array.from({ length: 20 }, (_, i) => i / 10),
      [5, 4],
    );
    const before = target.apply(features);
    const expected = source.apply(features);
    expect(Array.from(before.dataSync())).not.toEqual(Array.from(expected.dataSync()));
    const names = Object.keys(source.toNamedWeights());
    expect(names).toEqual([
      'posterior_gate/dense_0/kernel',
      'posterior_gate/dense_0/bias',
      'posterior_gate/dense_1/kernel',
      'posterior_gate/dense_1/bias',
      'posterior_gate/output/kernel',
      'posterior_gate/output/bias',
    ]);
    const encoded = await tf.io.encodeWeights(source.toNamedWeights());
    const decoded = tf.io.decodeWeights(encoded.data, encoded.specs);
    target.loadNamedWeights(decoded);
    const after = target.apply(features);
    expectTensorsClose(after, expected, 0);
    expect(Object.values(decoded).every((t) => !t.isDisposed)).toBe(true);
    tf.dispose([features, before, expected, after, decoded]);
    source.dispose();
    target.dispose();
  });

  it('rejects missing or mis-shaped weights and bad options', () => {
    const gate = createPosteriorGate({ inputDim: 2, hiddenUnits: [] });
    const kernel = tf.zeros([2, 1]);
    const bias = tf.zeros([1]);
    const wrong = tf.zeros([3, 1]);
    expect(() => gate.loadNamedWeights({ 'posterior_gate/output/kernel': kernel })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      gate.loadNamedWeights({ 'posterior_gate/output/kernel': wrong, 'posterior_gate/output/bias': bias }),
    ).toThrow(ShapeMismatchError);
    const features = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => gate.apply(features)).toThrow(ShapeMismatchError);
    expect(() => createPosteriorGate({ hiddenUnits: [0] })).toThrow(InvalidArgumentError);
    tf.dispose([kernel, bias, wrong, features]);
    gate.dispose();
  });

  it('does not leak in apply, load and dispose', async () => {
    const features = tf.ones([4, 4]) as tf.Tensor2D;
    await expectNoTensorLeak(() => {
      const gate = createPosteriorGate({});
      const other = createPosteriorGate({ seed: 9 });
      gate.apply(features).dispose();
      gate.loadNamedWeights(other.toNamedWeights());
      gate.dispose();
      other.dispose();
    }, 'gate lifecycle');
    expect(features.isDisposed).toBe(false);
    features.dispose();
  });

  it('learns g decreasing with exposures when rare items need content and popular items need ids', () => {
    const random = seededRandom(21);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const numItems = 96;
    const dim = 16;
    const exposures = Float32Array.from({ length: numItems }, () => Math.round(Math.exp(random() * 7)));
    const clicks = exposures.map((e) => Math.round(e * 0.1));
    const ctr = exposures.map((e, i) => (clicks[i]! + 1) / (e + 10));
    const age = Float32Array.from({ length: numItems }, () => random() * 100); // unrelated to the task
    const features = posteriorFeatures({ exposures, clicks, ctr, age });
    // ID embeddings are reliable only with many exposures; content embeddings are equally noisy for all
    const target: number[] = [];
    const id: number[] = [];
    const meta: number[] = [];
    for (let i = 0; i < numItems; i++) {
      const idNoise = 3 / Math.sqrt(1 + exposures[i]!);
      for (let t = 0; t < dim; t++) {
        const y = gaussian();
        target.push(y);
        id.push(y + idNoise * gaussian());
        meta.push(y + 0.4 * gaussian());
      }
    }
    const inputs = tf.tensor2d(features, [numItems, 4]);
    const targetT = tf.tensor2d(target, [numItems, dim]);
    const idT = tf.tensor2d(id, [numItems, dim]);
    const metaT = tf.tensor2d(meta, [numItems, dim]);
    const gate = createPosteriorGate({ seed: 5 });
    const optimizer = tf.train.adam(0.05);
    for (let step = 0; step < 150; step++) {
      const { value, grads } = tf.variableGrads(() => {
        const fused = additiveFusion({ idEmbedding: idT, metaEmbedding: metaT, gate: gate.apply(inputs) });
        return tf.mean(tf.square(tf.sub(fused, targetT)));
      }, gate.variables as tf.Variable[]);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose([value, grads]);
    }
    const g = gate.apply(inputs);
    const values = g.dataSync();
    const rho = spearman(exposures, values);
    expect(rho).toBeLessThan(-0.5);
    // rare items lean on content, popular ones on ids
    const rare = Array.from(values).filter((_, i) => exposures[i]! < 5);
    const popular = Array.from(values).filter((_, i) => exposures[i]! > 300);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(rare)).toBeGreaterThan(0.6);
    expect(mean(popular)).toBeLessThan(0.4);
    tf.dispose([inputs, targetT, idT, metaT, g]);
    optimizer.dispose();
    gate.dispose();
  });
});
