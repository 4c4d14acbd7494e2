// Three seed mixers, each kept bit-for-bit because saved checkpoints, resume tests and published
// figures depend on the streams they derive. They are not interchangeable.

function finalise(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Mixes a seed with up to two counters (epoch, step, a stream number ...) into a new 32-bit seed,
 * so every (seed, a, b) draws from its own stream.
 */
export function mixSeed(seed: number, a: number, b = 0): number {
  return finalise((seed ^ Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 7, 0x85ebca6b)) >>> 0);
}

/** Derives a 32-bit seed from `seed` and one integer `salt` (the seed's fraction is dropped). */
export function saltSeed(seed: number, salt: number): number {
  return finalise((Math.floor(seed) ^ Math.imul(salt | 0, 0x85ebca6b)) >>> 0);
}

/** Derives an independent 32-bit seed for a named part (FNV-1a over the label, mixed with the seed). */
export function labelSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // final avalanche so nearby labels give unrelated seeds
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  return hash >>> 0;
}
