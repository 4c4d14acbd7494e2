import { describe, expect, it } from 'vitest';
import { fitEase } from './ease';
import { ItemCountLimitError } from './errors';
import { createInteractionMatrix } from './interaction-matrix';
import { invertSymmetricPositiveDefinite } from './symmetric-inverse';

/** Reference inverse: Gauss-Jordan elimination with partial pivoting on a full copy. */
function directInverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const d = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

function randomSpd(n: number, seed: number): number[][] {
  let s = seed;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  const x = Array.from({ length: n }, () => Array.from({ length: 5 }, random));
  return x.map((xi, i) => x.map((xj, j) => xi.reduce((t, v, k) => t + v * xj[k]!, 0) + (i === j ? 0.5 : 0)));
}

describe('invertSymmetricPositiveDefinite', () => {
  it.each([
    [1, 4],
    [7, 64],
    [37, 8], // several blocks and a ragged last one
  ])('matches a direct inverse (size %i, block %i)', (n, blockSize) => {
    const a = randomSpd(n, n + 3);
    const packed = Float64Array.from(a.flat());
    invertSymmetricPositiveDefinite({ matrix: packed, size: n, blockSize });
    const expected = directInverse(a);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) expect(packed[i * n + j]).toBeCloseTo(expected[i]![j]!, 9);
  });

  it('rejects a matrix that is not positive definite, naming the row', () => {
    expect(() => invertSymmetricPositiveDefinite({ matrix: Float64Array.of(1, 0, 2, 1), size: 2 })).toThrow(
      /pivot -3 at row 1/,
    );
  });
});

// users: 0 -> {0, 1}, 1 -> {1, 2}, 2 -> {0, 1, 2}; item 3 is never clicked (cold).
const matrix = createInteractionMatrix({
  users: Int32Array.of(0, 0, 1, 1, 2, 2, 2),
  items: Int32Array.of(0, 1, 1, 2, 0, 1, 2),
  numUsers: 3,
  numItems: 4,
});

describe('fitEase', () => {
  it('equals -P_ij / P_jj with P the direct inverse of XᵀX + λI', () => {
    const lambda = 0.5;
    // XᵀX over items 0..2: diag (2, 3, 2), off-diagonal c01 = 2, c02 = 1, c12 = 2
    const gram = [
      [2 + lambda, 2, 1],
      [2, 3 + lambda, 2],
      [1, 2, 2 + lambda],
    ];
    const p = directInverse(gram);
    const model = fitEase({ matrix, lambda });
    expect(Array.from(model.solvedItems)).toEqual([0, 1, 2]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        expect(model.weights[i * 3 + j]).toBeCloseTo(i === j ? 0 : -p[i]![j]! / p[j]![j]!, 6);
    const out = new Float32Array(8);
    model.scoreUsers({ users: Int32Array.of(0, 1), out });
    // user 0 clicked {0, 1}: score_j = B_0j + B_1j; the cold item scores 0
    for (let j = 0; j < 3; j++) expect(out[j]).toBeCloseTo(model.weights[j]! + model.weights[3 + j]!, 6);
    expect(out[3]).toBe(0);
    expect(out[4 + 0]).toBeCloseTo(model.weights[3]! + model.weights[6]!, 6);
  });

  it('fails with a clear error above maxItems, before allocating', () => {
    let caught: unknown;
    try {
      fitEase({ matrix, lambda: 1, maxItems: 2 });
    } catch (error) {
      caught = error;
    }
    expect(ItemCountLimitError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/3 items with training positives exceed maxItems 2/);
    expect(() => fitEase({ matrix, lambda: 0 })).toThrow(/lambda/);
  });
});
