// Seeded test data for this package's tests and for other RecallIndex implementations (exported from `@mmrecall/serving/testing`).
import { createRandom } from '@mmrecall/random';

/** Standard normal sampler (Box-Muller) over a seeded uniform generator. */
export function gaussian(seed: number): () => number {
  const uniform = createRandom(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** `rows x dim` standard normal values. */
export function randomVectors(options: { rows: number; dim: number; seed: number }): Float32Array {
  const next = gaussian(options.seed);
  const out = new Float32Array(options.rows * options.dim);
  for (let i = 0; i < out.length; i++) out[i] = next();
  return out;
}

/** `rows x dim` L2-normalised points around `clusters` random unit centres, noise `spread` per unit norm. */
export function clusteredVectors(options: {
  rows: number;
  dim: number;
  clusters: number;
  spread: number;
  seed: number;
}): Float32Array {
  const { rows, dim, clusters, spread } = options;
  const next = gaussian(options.seed);
  const centres = new Float32Array(clusters * dim);
  for (let c = 0; c < clusters; c++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = next();
      centres[c * dim + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dim; d++) centres[c * dim + d] = (centres[c * dim + d] as number) / Math.sqrt(norm);
  }
  const out = new Float32Array(rows * dim);
  const noise = spread / Math.sqrt(dim);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(Math.abs(next() * 1e6)) % clusters;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = (centres[c * dim + d] as number) + noise * next();
      out[r * dim + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dim; d++) out[r * dim + d] = (out[r * dim + d] as number) / Math.sqrt(norm);
  }
  return out;
}

/** Brute-force top-k by the plain definition (float64 sums in order d = 0..dim-1). */
export function bruteForceTopK(options: {
  data: Float32Array;
  keys: ArrayLike<number>;
  query: Float32Array;
  dim: number;
  k: number;
  metric: 'ip' | 'cosine';
  exclude?: Set<number>;
}): { keys: number[]; scores: number[] } {
  const { data, keys, query, dim, k, metric, exclude } = options;
  const norm = (values: Float32Array, offset: number): number => {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += (values[offset + d] as number) ** 2;
    return Math.sqrt(sum);
  };
  const queryNorm = metric === 'cosine' ? norm(query, 0) : 1;
  const scored: { key: number; score: number }[] = [];
  for (let r = 0; r < keys.length; r++) {
    const key = keys[r] as number;
    if (exclude?.has(key)) continue;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += (data[r * dim + d] as number) * (query[d] as number);
    scored.push({ key, score: metric === 'cosine' ? dot / (norm(data, r * dim) * queryNorm) : dot });
  }
  scored.sort((a, b) => b.score - a.score || a.key - b.key);
  const top = scored.slice(0, k);
  return { keys: top.map((entry) => entry.key), scores: top.map((entry) => entry.score) };
}

/** Mean over queries of |approx ∩ exact| / |exact| (rows of `k`, -1 = padding). */
export function recallAtK(options: {
  approx: Int32Array;
  exact: Int32Array;
  count: number;
  k: number;
}): number {
  const { approx, exact, count, k } = options;
  let total = 0;
  for (let q = 0; q < count; q++) {
    const truth = new Set<number>();
    for (let j = 0; j < k; j++) {
      const key = exact[q * k + j] as number;
      if (key >= 0) truth.add(key);
    }
    let hits = 0;
    for (let j = 0; j < k; j++) if (truth.has(approx[q * k + j] as number)) hits++;
    total += truth.size === 0 ? 1 : hits / truth.size;
  }
  return total / count;
}
