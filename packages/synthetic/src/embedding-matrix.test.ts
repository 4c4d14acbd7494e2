import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { generateEmbeddingMatrix, generateEmbeddingMatrixLabels } from './embedding-matrix';

describe('generateEmbeddingMatrix', () => {
  const rows = 2_000;
  const dim = 16;
  const clusters = 10;
  const data = generateEmbeddingMatrix({ seed: 5, rows, dim, clusters, noise: 0.5 });
  const labels = generateEmbeddingMatrixLabels({ seed: 5, rows, clusters });

  it('is deterministic per seed and unit-norm by default', () => {
    expect(data.length).toBe(rows * dim);
    const again = generateEmbeddingMatrix({ seed: 5, rows, dim, clusters, noise: 0.5 });
    expect(Buffer.from(again.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    const other = generateEmbeddingMatrix({ seed: 6, rows, dim, clusters, noise: 0.5 });
    expect(Buffer.from(other.buffer).equals(Buffer.from(data.buffer))).toBe(false);
    for (let r = 0; r < rows; r++) {
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += (data[r * dim + j] as number) ** 2;
      expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
    }
  });

  it('clusters rows around the labelled centres (nearest centroid recovers the label)', () => {
    const counts = new Float64Array(clusters);
    for (const label of labels) counts[label] = (counts[label] as number) + 1;
    for (const count of counts) expect(count).toBeGreaterThan(0.05 * rows); // uniform: 0.1 each
    const centroids = new Float64Array(clusters * dim);
    for (let r = 0; r < rows; r += 2) {
      const k = labels[r] as number;
      for (let j = 0; j < dim; j++)
        centroids[k * dim + j] = (centroids[k * dim + j] as number) + (data[r * dim + j] as number);
    }
    let correct = 0;
    let tested = 0;
    for (let r = 1; r < rows; r += 2) {
      let best = -1;
      let bestDot = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < clusters; k++) {
        let dot = 0;
        for (let j = 0; j < dim; j++)
          dot += (data[r * dim + j] as number) * (centroids[k * dim + j] as number);
        if (dot > bestDot) {
          bestDot = dot;
          best = k;
        }
      }
      tested++;
      if (best === labels[r]) correct++;
    }
    expect(correct / tested).toBeGreaterThan(0.95);
  });

  it('keeps the raw scale without normalisation: squared norm about dim x (1 + noise^2)', () => {
    const raw = generateEmbeddingMatrix({
      seed: 5,
      rows: 500,
      dim: 64,
      clusters: 4,
      noise: 1,
      normalize: false,
    });
    let total = 0;
    for (const v of raw) total += v * v;
    const meanSquaredNorm = total / 500;
    // Only 4 centres, so the centre part varies; expected 128.
    expect(meanSquaredNorm).toBeGreaterThan(100);
    expect(meanSquaredNorm).toBeLessThan(156);
  });

  it('rejects bad options with InvalidArgumentError', () => {
    expect(() => generateEmbeddingMatrix({ rows: 10, dim: 0 })).toThrow(InvalidArgumentError);
    expect(() => generateEmbeddingMatrix({ rows: -1, dim: 4 })).toThrow(InvalidArgumentError);
    expect(() => generateEmbeddingMatrix({ rows: 10, dim: 4, clusters: 0 })).toThrow(InvalidArgumentError);
    expect(() => generateEmbeddingMatrix({ rows: 10, dim: 4, noise: -1 })).toThrow(InvalidArgumentError);
    expect(() => generateEmbeddingMatrixLabels({ rows: 10, seed: 0.5 })).toThrow(InvalidArgumentError);
    // The messages of @mmrecall/errors' checks: argument, bound and the value given.
    expect(() => generateEmbeddingMatrix({ rows: 10, dim: 0 })).toThrow(
      'dim: must be a positive integer, got 0',
    );
    expect(() => generateEmbeddingMatrix({ rows: 10, dim: 4, noise: -1 })).toThrow(
      'noise: must be a finite number >= 0, got -1',
    );
    expect(() => generateEmbeddingMatrixLabels({ rows: 10, seed: 2 ** 60 })).toThrow(
      `seed: must be an integer in [0, ${Number.MAX_SAFE_INTEGER}], got ${2 ** 60}`,
    );
  });
});
