import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed, searchCumulative } from './random';

describe('createRandom', () => {
  it('draws uniforms in [0, 1) and standard normals with the right moments', () => {
    const random = createRandom(deriveSeed(1, 2));
    let sum = 0;
    let sumSquares = 0;
    let uniformSum = 0;
    const n = 100_000;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const u = random.next();
      if (!(u >= 0 && u < 1)) outOfRange++;
      uniformSum += u;
      const z = random.normal();
      sum += z;
      sumSquares += z * z;
    }
    expect(outOfRange).toBe(0);
    expect(uniformSum / n).toBeCloseTo(0.5, 2);
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSquares / n).toBeGreaterThan(0.98);
    expect(sumSquares / n).toBeLessThan(1.02);
  });

  it('derives distinct, reproducible streams', () => {
    expect(deriveSeed(1, 2, 3)).toBe(deriveSeed(1, 2, 3));
    expect(deriveSeed(1, 2, 3)).not.toBe(deriveSeed(1, 2, 4));
    expect(deriveSeed(2 ** 40, 1)).not.toBe(deriveSeed(0, 1));
    const a = createRandom(deriveSeed(9, 1));
    const b = createRandom(deriveSeed(9, 1));
    const c = createRandom(deriveSeed(9, 2));
    const drawsA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(drawsA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(drawsA);
  });

  it('finds the first cumulative entry above x', () => {
    const cumulative = new Float64Array([1, 3, 3, 6]);
    expect(searchCumulative(cumulative, 0, 0, 4)).toBe(0);
    expect(searchCumulative(cumulative, 1, 0, 4)).toBe(1);
    expect(searchCumulative(cumulative, 3, 0, 4)).toBe(3);
    expect(searchCumulative(cumulative, 5.9, 2, 4)).toBe(3);
  });
});
