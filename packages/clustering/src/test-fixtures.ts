// Synthetic data for the tests (not exported from the package).
import { createRandom, type Random } from './random';

/** Standard normal sample (Box-Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** `sizes[c]` points around each of `sizes.length` random centres (scale 10) with noise `spread`. */
export function plantedClusters(options: { sizes: number[]; dim: number; spread: number; seed: number }): {
  data: Float32Array;
  labels: Int32Array;
  centers: Float32Array;
} {
  const { sizes, dim, spread } = options;
  const random = createRandom(options.seed);
  const k = sizes.length;
  const centers = new Float32Array(k * dim);
  for (let i = 0; i < centers.length; i++) centers[i] = 10 * gaussian(random);
  const n = sizes.reduce((a, b) => a + b, 0);
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  let row = 0;
  sizes.forEach((size, c) => {
    for (let t = 0; t < size; t++, row++) {
      labels[row] = c;
      for (let d = 0; d < dim; d++) data[row * dim + d] = centers[c * dim + d]! + spread * gaussian(random);
    }
  });
  return { data, labels, centers };
}

/** Share of points whose predicted cluster's majority true label equals their own. */
export function purity(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < predicted.length; i++) {
    const inner = counts.get(predicted[i]!) ?? new Map<number, number>();
    inner.set(truth[i]!, (inner.get(truth[i]!) ?? 0) + 1);
    counts.set(predicted[i]!, inner);
  }
  let majority = 0;
  for (const inner of counts.values()) majority += Math.max(...inner.values());
  return majority / predicted.length;
}
