/** A seeded uniform generator in [0, 1): same seed, same sequence, on every platform. */
export type RandomSource = () => number;

/**
 * mulberry32: a tiny, fast 32-bit PRNG; good enough for initialisers, shuffles, splits and negative
 * sampling, not for cryptography. The seed is folded to 32 bits (`seed >>> 0`).
 */
export function createRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(random: RandomSource, n: number): number {
  return Math.floor(random() * n);
}

/** In-place Fisher-Yates shuffle of `values` (from the last index down); returns `values`. */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(
  values: T,
  random: RandomSource,
): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const swap = values[i] as number;
    values[i] = values[j] as number;
    values[j] = swap;
  }
  return values;
}

/** A new Float32Array of `length` values uniform in [-limit, limit], drawn from `createRandom(seed)`. */
export function uniformArray(length: number, limit: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}
