import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { createRandom } from '@mmrecall/random';
import { describe, expect, it } from 'vitest';
import { innerProducts } from './inner-products';

function matrix(rows: number, dim: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: rows * dim }, () => random() * 2 - 1);
}

/** The reference: one float64 sum per pair, d = 0 .. dim - 1, no blocking. */
function naiveDot(left: Float32Array, l: number, right: Float32Array, r: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) sum += left[l * dim + d]! * right[r * dim + d]!;
  return sum;
}

describe('innerProducts', () => {
  it('equals the naive sum bit for bit for every block shape and offset (all remainder paths)', () => {
    const dim = 13;
    const left = matrix(12, dim, 1);
    const right = matrix(12, dim, 2);
    for (let height = 0; height <= 9; height++) {
      for (let width = 0; width <= 9; width++) {
        const leftStart = height % 3;
        const rightStart = width % 2;
        const out = new Float64Array(height * width).fill(Number.NaN);
        innerProducts({
          left,
          leftStart,
          leftEnd: leftStart + height,
          right,
          rightStart,
          rightEnd: rightStart + width,
          dim,
          out,
        });
        for (let l = 0; l < height; l++) {
          for (let r = 0; r < width; r++) {
            expect(out[l * width + r]).toBe(naiveDot(left, leftStart + l, right, rightStart + r, dim));
          }
        }
      }
    }
  });

  it('takes left rows through leftRows without copying them', () => {
    const dim = 8;
    const left = matrix(10, dim, 3);
    const right = matrix(7, dim, 4);
    const leftRows = Int32Array.from([9, 0, 4, 4, 7, 2]);
    const out = new Float64Array(4 * 7);
    // Rows leftRows[1 .. 4]: points 0, 4, 4, 7 (a repeated point is allowed).
    innerProducts({ left, leftRows, leftStart: 1, leftEnd: 5, right, rightStart: 0, rightEnd: 7, dim, out });
    [0, 4, 4, 7].forEach((point, l) => {
      for (let r = 0; r < 7; r++) expect(out[l * 7 + r]).toBe(naiveDot(left, point, right, r, dim));
    });
  });

  it('sums in float64: products of float32 values that would round in float32 stay exact', () => {
    // 2^24 + 1 is not a float32, but the float64 sum of these products is exact.
    const left = Float32Array.from([16777216, 1]);
    const right = Float32Array.from([1, 1]);
    const out = new Float64Array(1);
    innerProducts({ left, leftStart: 0, leftEnd: 1, right, rightStart: 0, rightEnd: 1, dim: 2, out });
    expect(out[0]).toBe(16777217);
  });

  it('gives 0 for dim 0 and leaves out untouched past the block', () => {
    const out = new Float64Array(5).fill(7);
    innerProducts({
      left: new Float32Array(0),
      leftStart: 0,
      leftEnd: 2,
      right: new Float32Array(0),
      rightStart: 0,
      rightEnd: 2,
      dim: 0,
      out,
    });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 7]);
  });

  it('rejects ranges outside the inputs and a short out', () => {
    const left = matrix(3, 4, 5);
    const right = matrix(3, 4, 6);
    const base = { left, leftStart: 0, leftEnd: 3, right, rightStart: 0, rightEnd: 3, dim: 4 };
    expect(() => innerProducts({ ...base, out: new Float64Array(8) })).toThrow(ShapeMismatchError);
    expect(() => innerProducts({ ...base, rightEnd: 4, out: new Float64Array(12) })).toThrow(
      /rightStart\/rightEnd: must satisfy 0 <= start <= end <= 3/,
    );
    expect(() => innerProducts({ ...base, leftStart: 2, leftEnd: 1, out: new Float64Array(9) })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      innerProducts({ ...base, leftRows: Int32Array.from([0]), out: new Float64Array(9) }),
    ).toThrow(/leftStart\/leftEnd/);
    expect(() => innerProducts({ ...base, dim: 1.5, out: new Float64Array(9) })).toThrow(/dim: must be/);
  });
});
