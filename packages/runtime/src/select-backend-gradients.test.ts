import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './index';

/** The gradient config registered for every tfjs-core kernel name that has one. */
function gradientRegistry(): Map<string, tf.GradConfig> {
  const registry = new Map<string, tf.GradConfig>();
  for (const name of new Set(Object.values(tf).filter((value) => typeof value === 'string'))) {
    const config = tf.getGradient(name as string);
    if (config) registry.set(name as string, config);
  }
  return registry;
}

/**
 * Gradients of a small dense layer with each matMul transpose combination on the active backend,
 * large enough that the wasm kernel's transposed and plain products round differently.
 */
function denseGradients(): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal([96, 48], 0, 1, 'float32', 11);
    const w = tf.randomNormal([48, 80], 0, 1, 'float32', 12);
    const up = tf.randomNormal([96, 80], 0, 1, 'float32', 13);
    const out: number[][] = [];
    for (const [ta, tb] of [
      [false, false],
      [true, true],
    ] as const) {
      const a = ta ? tf.transpose(x) : x;
      const b = tb ? tf.transpose(w) : w;
      const grads = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb), up)),
      )([a, b]);
      for (const g of grads) out.push(Array.from(g.dataSync()));
    }
    return out;
  });
}

describe('selectBackend gradient registry', () => {
  it('is the same, down to the function objects and the gradient bits, whether or not the @tensorflow/tfjs bundle was loaded on the way', async () => {
    await selectBackend({ backend: 'wasm' });
    const before = gradientRegistry();
    const values = denseGradients();
    expect(before.size).toBeGreaterThan(90);

    // What trying the node backend does when @tensorflow/tfjs-node is installed: it loads the
    // full bundle first (also when its native addon then fails to load), which registers the
    // bundle's own copy of every gradient over the ones above.
    await import('@tensorflow/tfjs');
    const replaced = [...before].filter(([name, config]) => tf.getGradient(name) !== config);
    expect(replaced.map(([name]) => name)).toContain('BatchMatMul');
    expect(replaced.length).toBeGreaterThan(90);

    // Choosing a backend again (auto tries tfjs-node where it is installed) registers ours last.
    for (const backend of ['wasm', 'auto'] as const) {
      await selectBackend({ backend });
      const after = gradientRegistry();
      expect([...after.keys()]).toEqual([...before.keys()]);
      for (const [name, config] of before) expect(after.get(name), name).toBe(config);
      if (tf.getBackend() === 'wasm') expect(denseGradients()).toEqual(values);
    }
  });
});
