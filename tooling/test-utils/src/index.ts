import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Runs `fn` (sync or async) and fails if it leaves more live tensors than it found. */
export async function expectNoTensorLeak<T>(fn: () => T | Promise<T>, label = 'block'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  expect(after - before, `${label} leaked ${after - before} tensor(s)`).toBe(0);
  return result;
}

/** Asserts two tensors (or a tensor and nested numbers) are element-wise within `tolerance`. */
export function expectTensorsClose(
  actual: tf.Tensor | ArrayLike<number>,
  expected: tf.Tensor | ArrayLike<number> | number[][],
  tolerance = 1e-5,
): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : Array.from(actual);
  const e =
    expected instanceof tf.Tensor
      ? Array.from(expected.dataSync())
      : (Array.from(expected as ArrayLike<number>) as unknown[]).flat(Number.POSITIVE_INFINITY).map(Number);
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape).toEqual(expected.shape);
  }
  expect(a.length, 'element count').toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs((a[i] as number) - (e[i] as number));
    if (!(diff <= tolerance)) {
      expect.fail(`element ${i}: ${a[i]} vs ${e[i]} differ by ${diff} > ${tolerance}`);
    }
  }
}

/** Deterministic pseudo-random numbers for tests: `createRandom` of `@mmrecall/random` (mulberry32). */
export { createRandom as seededRandom } from '@mmrecall/random';
