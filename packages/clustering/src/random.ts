/** A seeded pseudo-random source (mulberry32); same seed, same sequence, on every platform. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
}

/** Creates a seeded generator. Any finite number is accepted; it is folded to 32 bits. */
export function createRandom(seed: number): Random {
  let state = mixSeed(seed, 0x9e3779b9);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, nextInt: (n) => Math.floor(next() * n) };
}

/** Derives an independent 32-bit seed from `seed` and `salt` (splitmix-style finaliser). */
export function mixSeed(seed: number, salt: number): number {
  let h = (Math.floor(seed) ^ Math.imul(salt | 0, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Picks `count` distinct values from `pool` (or from 0..poolSize-1 when `pool` is undefined) with a
 * partial Fisher-Yates shuffle. Returns a new Int32Array in random order.
 */
export function sampleWithoutReplacement(options: {
  poolSize: number;
  count: number;
  random: Random;
  pool?: Int32Array;
}): Int32Array {
  const { poolSize, count, random, pool } = options;
  const scratch = new Int32Array(poolSize);
  if (pool) scratch.set(pool.subarray(0, poolSize));
  else for (let i = 0; i < poolSize; i++) scratch[i] = i;
  const take = Math.min(count, poolSize);
  for (let i = 0; i < take; i++) {
    const j = i + random.nextInt(poolSize - i);
    const tmp = scratch[i]!;
    scratch[i] = scratch[j]!;
    scratch[j] = tmp;
  }
  return scratch.slice(0, take);
}
