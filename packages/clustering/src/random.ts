import { createRandom as createUniform, saltSeed } from '@mmrecall/random';

/** A seeded pseudo-random source (mulberry32); same seed, same sequence, on every platform. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
}

/** Creates a seeded generator. Any finite number is accepted; it is folded to 32 bits. */
export function createRandom(seed: number): Random {
  const next = createUniform(saltSeed(seed, 0x9e3779b9));
  return { next, nextInt: (n) => Math.floor(next() * n) };
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
