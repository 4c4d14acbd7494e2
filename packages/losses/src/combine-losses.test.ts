import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { combineLosses, readLossParts } from './combine-losses';

describe('combineLosses', () => {
  it('returns the weighted sum and the weighted parts by name', () => {
    const a = tf.scalar(2);
    const b = tf.scalar(3);
    const combined = combineLosses({
      terms: [
        { name: 'retrieval/id', loss: a, weight: 0.5 },
        { name: 'triplet', loss: b, weight: 2 },
      ],
    });
    expectTensorsClose(combined.total, [7]);
    expect(readLossParts({ parts: combined.parts })).toEqual({ 'retrieval/id': 1, triplet: 6 });
    tf.dispose([a, b, combined]);
  });

  it('passes gradients with the weights and works inside tf.variableGrads', () => {
    const x = tf.variable(tf.scalar(3));
    let parts: Record<string, number> = {};
    const { value, grads } = tf.variableGrads(() => {
      const combined = combineLosses({
        terms: [
          { name: 'square', loss: tf.square(x), weight: 2 }, // d/dx 2x^2 = 4x = 12
          { name: 'linear', loss: tf.mul(x, 1) as tf.Scalar, weight: -1 }, // -1
        ],
      });
      parts = readLossParts({ parts: combined.parts });
      return combined.total;
    });
    expectTensorsClose(value, [15]);
    expectTensorsClose(grads[x.name]!, [11]);
    expect(parts).toEqual({ square: 18, linear: -3 });
    tf.dispose([x, value, grads]);
  });

  it('leaks nothing once the result is disposed and keeps its inputs', async () => {
    const a = tf.scalar(1);
    await expectNoTensorLeak(() => tf.dispose(combineLosses({ terms: [{ name: 'a', loss: a, weight: 3 }] })));
    await expectNoTensorLeak(() =>
      tf.dispose(
        combineLosses({
          terms: [
            { name: 'a', loss: a, weight: 3 },
            { name: 'b', loss: a, weight: 0 },
          ],
        }),
      ),
    );
    expect(a.isDisposed).toBe(false);
    a.dispose();
  });

  it('rejects empty, duplicate, non-finite and non-scalar terms', () => {
    const a = tf.scalar(1);
    const vector = tf.zeros([2]) as unknown as tf.Scalar;
    expect(() => combineLosses({ terms: [] })).toThrow(InvalidArgumentError);
    expect(() =>
      combineLosses({
        terms: [
          { name: 'a', loss: a, weight: 1 },
          { name: 'a', loss: a, weight: 1 },
        ],
      }),
    ).toThrow(InvalidArgumentError);
    expect(() => combineLosses({ terms: [{ name: 'a', loss: a, weight: Number.NaN }] })).toThrow(
      InvalidArgumentError,
    );
    expect(() => combineLosses({ terms: [{ name: 'a', loss: vector, weight: 1 }] })).toThrow(
      ShapeMismatchError,
    );
    tf.dispose([a, vector]);
  });
});
