import { describe, expect, it } from 'vitest';
import { aggregateOverSeeds, meanAndStd } from './seed-statistics';

describe('meanAndStd', () => {
  it('gives the mean and the sample standard deviation', () => {
    // 2, 4, 9: mean 5; squared deviations 9 + 1 + 16 = 26; 26 / 2 = 13.
    const stats = meanAndStd([2, 4, 9]);
    expect(stats.mean).toBe(5);
    expect(stats.std).toBeCloseTo(Math.sqrt(13), 12);
    expect(meanAndStd([0.3])).toEqual({ mean: 0.3, std: 0 });
    expect(Number.isNaN(meanAndStd([]).mean)).toBe(true);
  });
});

describe('aggregateOverSeeds', () => {
  it('averages every number field by field and keeps the rest from the first run', () => {
    const runs = [
      { name: 'a', cutoffs: { 20: { recall: 0.1, ndcg: 0.05 } }, list: [1, 3] },
      { name: 'a', cutoffs: { 20: { recall: 0.2, ndcg: 0.07 } }, list: [3, 3] },
    ];
    const { mean, std } = aggregateOverSeeds(runs);
    expect(mean.name).toBe('a');
    expect(mean.cutoffs[20].recall).toBeCloseTo(0.15, 12);
    expect(mean.cutoffs[20].ndcg).toBeCloseTo(0.06, 12);
    // Two values x, y: sample std = |x - y| / sqrt(2).
    expect(std.cutoffs[20].recall).toBeCloseTo(0.1 / Math.SQRT2, 12);
    expect(std.cutoffs[20].ndcg).toBeCloseTo(0.02 / Math.SQRT2, 12);
    expect(mean.list).toEqual([2, 3]);
    expect(std.list[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(std.list[1]).toBe(0);
  });
});
