import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { averageRanks, gini, spearman } from './statistics';

describe('gini', () => {
  it('is 0 for a uniform distribution and (n-1)/n when one item holds everything', () => {
    expect(gini({ values: [3, 3, 3, 3] })).toBe(0);
    expect(gini({ values: Float32Array.of(0, 0, 0, 0, 7) })).toBeCloseTo(4 / 5, 12);
  });

  it('matches a hand-computed value and ignores order', () => {
    // sorted [1, 2, 3]: (-2*1 + 0*2 + 2*3) / (3 * 6) = 4 / 18
    expect(gini({ values: [3, 1, 2] })).toBeCloseTo(4 / 18, 12);
  });

  it('is 0 for empty or all-zero input and rejects negatives', () => {
    expect(gini({ values: [] })).toBe(0);
    expect(gini({ values: [0, 0] })).toBe(0);
    expect(() => gini({ values: [1, -1] })).toThrow(InvalidArgumentError);
  });
});

describe('spearman', () => {
  it('is 1 for any increasing relation and -1 for a decreasing one', () => {
    const x = [1, 2, 3, 4, 5];
    expect(spearman({ x, y: x.map((v) => v ** 3) })).toBeCloseTo(1, 12);
    expect(spearman({ x, y: x.map((v) => Math.exp(-v)) })).toBeCloseTo(-1, 12);
  });

  it('uses average ranks for ties (hand-computed)', () => {
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    // ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3, 4]; mean 2.5:
    // sxy = 2.25 + 0 + 0 + 2.25 = 4.5, sxx = 4.5, syy = 5 -> 4.5 / sqrt(22.5)
    expect(spearman({ x: [10, 20, 20, 30], y: [1, 2, 3, 4] })).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
  });

  it('is NaN for a constant variable and checks lengths', () => {
    expect(spearman({ x: [1, 1, 1], y: [1, 2, 3] })).toBeNaN();
    expect(() => spearman({ x: [1, 2], y: [1] })).toThrow(ShapeMismatchError);
    expect(() => spearman({ x: [1], y: [1] })).toThrow(InvalidArgumentError);
  });
});
