/** A deterministic pseudo-random stream (sfc32 seeded through splitmix32). Internal. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** Exponential with rate 1. */
  exponential(): number;
}

const TWO_POW_32 = 4294967296;

function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Mixes a seed and any number of stream ids into one 32-bit seed, so every component (items,
 * users, user u's exposures, ...) draws from its own independent stream.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = splitmix32((seed >>> 0) ^ 0x5bd1e995);
  h = splitmix32(h ^ (Math.floor(seed / TWO_POW_32) >>> 0));
  for (const part of parts) {
    h = splitmix32(h ^ (part >>> 0));
    h = splitmix32(h ^ (Math.floor(part / TWO_POW_32) >>> 0));
  }
  return h;
}

/** Creates a stream from a 32-bit seed (use `deriveSeed` to build one). */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  s = splitmix32(s);
  let a = s;
  s = splitmix32(s);
  let b = s;
  s = splitmix32(s);
  let c = s;
  let d = 1;
  const nextUint = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint();
  let spare = 0;
  let hasSpare = false;
  const next = (): number => nextUint() / TWO_POW_32;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      let u = 0;
      let v = 0;
      let q = 0;
      do {
        u = 2 * next() - 1;
        v = 2 * next() - 1;
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const f = Math.sqrt((-2 * Math.log(q)) / q);
      spare = v * f;
      hasSpare = true;
      return u * f;
    },
    exponential: () => -Math.log(1 - next()),
  };
}

/** Index of the first element in `cumulative[from..to)` that is greater than `x` (clamped to to - 1). */
export function searchCumulative(cumulative: Float64Array, x: number, from: number, to: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
