// In its own file so that it runs in a fresh process: the wasm module is loaded once per process.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './index';

function matrix(rows: number, columns: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: rows * columns }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296 - 0.5;
  });
}

describe('selectBackend({ threads })', () => {
  it('rejects a thread count below 1', async () => {
    await expect(selectBackend({ backend: 'wasm', threads: 0 })).rejects.toThrow(
      /threads: must be an integer >= 1/,
    );
  });

  it('starts the threaded SIMD build under Node with 2 threads; products match a JS reference', async () => {
    const lines: string[] = [];
    const selected = await selectBackend({ backend: 'wasm', threads: 2, log: (line) => lines.push(line) });
    expect(selected.name).toBe('wasm');
    expect(selected.threads).toBe(2);
    expect(lines[0]).toMatch(/2 threads/);
    const [m, k, n] = [67, 129, 45];
    const a = matrix(m, k, 1);
    const b = matrix(k, n, 2);
    const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let l = 0; l < k; l++) sum += (a[i * k + l] as number) * (b[l * n + j] as number);
        worst = Math.max(worst, Math.abs(sum - (product[i * n + j] as number)));
      }
    }
    expect(worst).toBeLessThan(1e-4);
    // Repeated runs give the same bits (each output element is reduced by one thread, in one order).
    const again = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
    expect(Array.from(again)).toEqual(Array.from(product));
  });
});
