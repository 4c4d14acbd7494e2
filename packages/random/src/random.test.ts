import { describe, expect, it } from 'vitest';
import { createRandom, labelSeed, mixSeed, randomInt, saltSeed, shuffleInPlace, uniformArray } from './index';

const take = (random: () => number, n: number): number[] => Array.from({ length: n }, random);

/** mulberry32 written again in BigInt arithmetic, independent of Math.imul and 32-bit tricks. */
function referenceMulberry32(seed: number): () => number {
  const M = 1n << 32n;
  const mul = (a: bigint, b: bigint): bigint => (a * b) % M;
  let state = BigInt(seed >>> 0);
  return () => {
    state = (state + 0x6d2b79f5n) % M;
    let t = state;
    t = mul(t ^ (t >> 15n), t | 1n);
    t = t ^ ((t + mul(t ^ (t >> 7n), t | 61n)) % M);
    return Number(t ^ (t >> 14n)) / 4294967296;
  };
}

// Golden values captured from the generators that packages model, towers, data, clustering, losses,
// gating and the trainer each carried before they shared this package. Resume tests, artifacts and
// README figures depend on these exact streams: a change here is a breaking change.
describe('createRandom (mulberry32)', () => {
  it('reproduces the golden streams', () => {
    expect(take(createRandom(1), 5)).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741, 0.9683778982143849,
    ]);
    expect(take(createRandom(0), 3)).toEqual([
      0.26642920868471265, 0.0003297457005828619, 0.2232720274478197,
    ]);
    expect(take(createRandom(42), 3)).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(take(createRandom(123456789), 2)).toEqual([0.2577907438389957, 0.9707721115555614]);
  });

  it('folds seeds to 32 bits: 2^32 - 1 and -1 are the same stream, -7 its own', () => {
    expect(take(createRandom(2 ** 32 - 1), 2)).toEqual([0.8964226141106337, 0.189478256739676]);
    expect(take(createRandom(-1), 2)).toEqual([0.8964226141106337, 0.189478256739676]);
    expect(take(createRandom(-7), 2)).toEqual([0.43306733411736786, 0.32539576734416187]);
  });

  it('matches an independent BigInt implementation over 10,000 draws for several seeds', () => {
    for (const seed of [0, 1, 7, 99, 2024, 0xdeadbeef, -3]) {
      const fast = createRandom(seed);
      const reference = referenceMulberry32(seed);
      for (let i = 0; i < 10_000; i++) {
        const a = fast();
        const b = reference();
        if (a !== b) expect.fail(`seed ${seed} draw ${i}: ${a} vs ${b}`);
      }
    }
  });

  it('stays in [0, 1) with a mean near 1/2', () => {
    const values = take(createRandom(5), 100_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    // standard error of the mean is sqrt(1/12 / 1e5) ~ 0.0009
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
  });
});

describe('seed mixers', () => {
  it('mixSeed reproduces the golden counter seeds, b defaulting to 0', () => {
    expect(mixSeed(1, 0)).toBe(1904815646);
    expect(mixSeed(1, 0, 0)).toBe(1904815646);
    expect(mixSeed(1, 0, 1)).toBe(3543512872);
    expect(mixSeed(42, 3, 2)).toBe(601436173);
    expect(mixSeed(7, 999)).toBe(3711947107);
    expect(mixSeed(2 ** 32 - 1, 5, 5)).toBe(1914963716);
    expect(mixSeed(0, 0, 0)).toBe(2458856573);
  });

  it('saltSeed reproduces the golden salted seeds and drops the fraction', () => {
    expect(saltSeed(1, 0x9e3779b9)).toBe(677952471);
    expect(saltSeed(0, 1)).toBe(520022130);
    expect(saltSeed(42.7, 3)).toBe(1629161323);
    expect(saltSeed(42, 3)).toBe(1629161323);
    expect(saltSeed(-5, 2)).toBe(2023124210);
  });

  it('labelSeed reproduces the golden label seeds', () => {
    expect(labelSeed(1, 'mlp')).toBe(1161139471);
    expect(labelSeed(1, 'dense_0')).toBe(201118864);
    expect(labelSeed(42, 'vector_image')).toBe(587643215);
    expect(labelSeed(0, '')).toBe(1572119809);
    expect(labelSeed(2 ** 32 - 1, 'dropout/3')).toBe(3907273190);
  });

  it('every mixer returns an unsigned 32-bit integer', () => {
    for (let i = 0; i < 200; i++) {
      for (const value of [mixSeed(i * 7919, i, i * 3), saltSeed(-i * 31, i), labelSeed(i, `part_${i}`)]) {
        expect(Number.isInteger(value) && value >= 0 && value < 2 ** 32).toBe(true);
      }
    }
  });
});

describe('helpers', () => {
  it('shuffleInPlace gives the golden permutation and keeps every value', () => {
    const values = Int32Array.from({ length: 10 }, (_, i) => i);
    expect(Array.from(shuffleInPlace(values, createRandom(3)))).toEqual([9, 5, 6, 1, 2, 4, 8, 3, 0, 7]);
    const plain = shuffleInPlace(
      Array.from({ length: 50 }, (_, i) => i),
      createRandom(8),
    );
    expect([...plain].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('randomInt is floor(random() * n)', () => {
    const a = createRandom(11);
    const b = createRandom(11);
    for (let i = 0; i < 100; i++) expect(randomInt(a, 17)).toBe(Math.floor(b() * 17));
  });

  it('uniformArray draws (2u - 1) * limit as float32 from createRandom(seed)', () => {
    expect(Array.from(uniformArray(4, 0.5, 9))).toEqual([
      -0.30127108097076416, 0.3512108027935028, -0.35823389887809753, 0.321671724319458,
    ]);
    const draws = take(createRandom(9), 3);
    expect(Array.from(uniformArray(3, 2, 9))).toEqual(draws.map((u) => Math.fround((u * 2 - 1) * 2)));
  });
});
