import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import type * as tf from '@tensorflow/tfjs-core';

/** Throws a ShapeMismatchError unless `tensor` has exactly `expected` shape (-1 = any size). */
export function expectShape(tensor: tf.Tensor, expected: readonly number[], what: string): void {
  const actual = tensor.shape;
  const ok =
    actual.length === expected.length && expected.every((size, axis) => size === -1 || size === actual[axis]);
  if (!ok) {
    throw new ShapeMismatchError({ message: `${what} has the wrong shape`, expected, actual });
  }
}

/** Throws an InvalidArgumentError unless `value` is a finite number > 0. */
export function expectPositive(value: number, argument: string): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError({ argument, message: `must be a finite number > 0, got ${value}` });
  }
}

/** Per-example loss reduction. */
export type LossReduction = 'mean' | 'none';

/** Throws unless `reduction` is a known reduction. */
export function expectReduction(reduction: string): asserts reduction is LossReduction {
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new InvalidArgumentError({
      argument: 'reduction',
      message: `must be 'mean' or 'none', got '${reduction}'`,
    });
  }
}
