/** A seeded uniform generator in [0, 1) (mulberry32): same seed, same sequence. */
export type RandomSource = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for shuffles and splits, not for cryptography. */
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

/** In-place Fisher-Yates shuffle of `values`. */
export function shuffleInPlace(values: Int32Array, random: RandomSource): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const swap = values[i] as number;
    values[i] = values[j] as number;
    values[j] = swap;
  }
  return values;
}
