import {
  checkFiniteNumber,
  checkInteger,
  checkNonNegativeInteger,
  checkPositiveInteger,
  InvalidArgumentError,
} from '@mmrecall/errors';
import { createRandom, deriveSeed } from './random';

const STREAM_LABELS = 30;
const STREAM_CENTERS = 31;
const STREAM_NOISE = 32;

/** Options of {@link generateEmbeddingMatrixLabels}. */
export interface EmbeddingMatrixLabelOptions {
  /** Seed; same seed gives the same labels (and, in `generateEmbeddingMatrix`, the same matrix). Default 42. */
  seed?: number;
  /** Number of rows. */
  rows: number;
  /** Number of clusters; each row belongs to one, drawn uniformly. Default 64. */
  clusters?: number;
}

/** Options of {@link generateEmbeddingMatrix}. */
export interface EmbeddingMatrixOptions extends EmbeddingMatrixLabelOptions {
  /** Row dimension. */
  dim: number;
  /** Standard deviation of the per-component Gaussian noise around the cluster centre (centre components are N(0, 1)). Default 0.75. */
  noise?: number;
  /** L2-normalise every row (for cosine / inner-product search). Default true. */
  normalize?: boolean;
}

function checkLabelOptions(options: EmbeddingMatrixLabelOptions): {
  seed: number;
  rows: number;
  clusters: number;
} {
  const seed = options.seed ?? 42;
  const clusters = options.clusters ?? 64;
  checkInteger({ argument: 'seed', value: seed, min: 0, max: Number.MAX_SAFE_INTEGER });
  checkNonNegativeInteger({ argument: 'rows', value: options.rows });
  checkPositiveInteger({ argument: 'clusters', value: clusters });
  return { seed, rows: options.rows, clusters };
}

/** The cluster of every row of the matrix `generateEmbeddingMatrix` builds with the same seed, rows and clusters. */
export function generateEmbeddingMatrixLabels(options: EmbeddingMatrixLabelOptions): Int32Array {
  const { seed, rows, clusters } = checkLabelOptions(options);
  const random = createRandom(deriveSeed(seed, STREAM_LABELS));
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) labels[r] = random.int(clusters);
  return labels;
}

/**
 * A deterministic rows x dim float32 matrix (row-major) of vectors clustered around `clusters`
 * random centres, e.g. 1M x 64 item embeddings for serving and clustering benchmarks.
 */
export function generateEmbeddingMatrix(options: EmbeddingMatrixOptions): Float32Array {
  const { seed, rows, clusters } = checkLabelOptions(options);
  const { dim } = options;
  const noise = options.noise ?? 0.75;
  const normalize = options.normalize ?? true;
  checkPositiveInteger({ argument: 'dim', value: dim });
  checkFiniteNumber({ argument: 'noise', value: noise, min: 0 });
  if (rows * dim > 2 ** 32) {
    throw new InvalidArgumentError({
      argument: 'rows',
      message: `rows x dim = ${rows * dim} is too large for one Float32Array`,
    });
  }
  const labels = generateEmbeddingMatrixLabels({ seed, rows, clusters });
  const centerRandom = createRandom(deriveSeed(seed, STREAM_CENTERS));
  const centers = new Float32Array(clusters * dim);
  for (let j = 0; j < centers.length; j++) centers[j] = centerRandom.normal();
  const noiseRandom = createRandom(deriveSeed(seed, STREAM_NOISE));
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const base = (labels[r] as number) * dim;
    const out = r * dim;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = (centers[base + j] as number) + noise * noiseRandom.normal();
      data[out + j] = v;
      norm += v * v;
    }
    if (normalize && norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let j = 0; j < dim; j++) data[out + j] = (data[out + j] as number) * scale;
    }
  }
  return data;
}
