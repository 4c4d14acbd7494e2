import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidArgumentError, MissingArtifactError } from '@mmrecall/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IndexStateError } from './errors';
import { createExactIndex, loadExactIndex } from './exact-index';
import { createHnswIndex, loadHnswIndex } from './hnsw-index';
import { clusteredVectors, recallAtK } from './test-vectors';
import type { RecallIndex } from './types';

const DIM = 32;
const ROWS = 5000;
const QUERIES = 200;
const data = clusteredVectors({ rows: ROWS, dim: DIM, clusters: 50, spread: 1, seed: 21 });
const queries = clusteredVectors({ rows: QUERIES, dim: DIM, clusters: 50, spread: 1, seed: 21 + 1 });
const keys = Int32Array.from({ length: ROWS }, (_, i) => 10 * i);

const built = new Map<'ip' | 'cosine', RecallIndex>();
/** The 5k-row index for `metric`, built once (2 threads) and shared by the read-only tests below. */
function sharedIndex(metric: 'ip' | 'cosine'): RecallIndex {
  let index = built.get(metric);
  if (index === undefined) {
    index = createHnswIndex({ dim: DIM, metric, threads: 2 });
    index.upsert({ keys, vectors: data });
    built.set(metric, index);
  }
  return index;
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mmrecall-hnsw-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('createHnswIndex', () => {
  for (const metric of ['ip', 'cosine'] as const) {
    it(`reaches recall@10 >= 0.95 against the exact index on 5k clustered vectors (${metric})`, () => {
      const exact = createExactIndex({ dim: DIM, metric });
      exact.upsert({ keys, vectors: data });
      const hnsw = sharedIndex(metric);
      expect(hnsw.size).toBe(ROWS);
      const truth = exact.searchBatch({ queries, count: QUERIES, k: 10 });
      const approx = hnsw.searchBatch({ queries, count: QUERIES, k: 10 });
      const recall = recallAtK({ approx: approx.keys, exact: truth.keys, count: QUERIES, k: 10 });
      expect(recall).toBeGreaterThanOrEqual(0.95);
      // Scores are the same similarity as the exact index's, for the keys both found.
      const exactScore = new Map<number, number>();
      for (let i = 0; i < 10; i++) exactScore.set(truth.keys[i] as number, truth.scores[i] as number);
      for (let i = 0; i < 10; i++) {
        const expected = exactScore.get(approx.keys[i] as number);
        if (expected !== undefined) expect(approx.scores[i]).toBeCloseTo(expected, 5);
      }
    });
  }

  it('batched search equals repeated single search', () => {
    const hnsw = sharedIndex('cosine');
    const count = 40;
    const batch = hnsw.searchBatch({ queries: queries.subarray(0, count * DIM), count, k: 10 });
    for (let q = 0; q < count; q++) {
      const single = hnsw.search({ query: queries.subarray(q * DIM, (q + 1) * DIM), k: 10 });
      expect(batch.keys.subarray(q * 10, (q + 1) * 10)).toEqual(single.keys);
      expect(batch.scores.subarray(q * 10, (q + 1) * 10)).toEqual(single.scores);
    }
  });

  it('a single-threaded build leaves every node reachable: k = size returns every key', () => {
    const hnsw = createHnswIndex({ dim: DIM, metric: 'ip', threads: 1 });
    hnsw.upsert({ keys, vectors: data });
    const all = hnsw.search({ query: queries.subarray(0, DIM), k: ROWS });
    expect(new Set(all.keys).size).toBe(ROWS);
  });

  it('a memory-mapped view searches like the loaded index and refuses writes', async () => {
    const rows = 1000;
    const hnsw = createHnswIndex({ dim: DIM, metric: 'cosine', threads: 2 });
    hnsw.upsert({ keys: keys.subarray(0, rows), vectors: data.subarray(0, rows * DIM) });
    hnsw.remove({ keys: [0, 10, 20] });
    const path = join(folder, 'items.usearch');
    await hnsw.save({ path });
    const loaded = await loadHnswIndex({ path });
    const viewed = await loadHnswIndex({ path, view: true });
    expect(viewed.dim).toBe(DIM);
    expect(viewed.metric).toBe('cosine');
    expect(viewed.size).toBe(rows - 3);
    const probe = queries.subarray(0, 8 * DIM);
    const expected = hnsw.searchBatch({ queries: probe, count: 8, k: 20 });
    expect(loaded.searchBatch({ queries: probe, count: 8, k: 20 })).toEqual(expected);
    expect(viewed.searchBatch({ queries: probe, count: 8, k: 20 })).toEqual(expected);
    expect(() => viewed.upsert({ keys: [1], vectors: data.subarray(0, DIM) })).toThrow(IndexStateError);
    expect(() => viewed.remove({ keys: [10] })).toThrow(/memory-mapped view/);
    expect(viewed.has(30)).toBe(true);
  });

  it('each loader rejects the other index format', async () => {
    const hnswPath = join(folder, 'h.usearch');
    const exactPath = join(folder, 'e.exact');
    const hnsw = createHnswIndex({ dim: 4, metric: 'ip' });
    hnsw.upsert({ keys: [1], vectors: new Float32Array([1, 0, 0, 0]) });
    await hnsw.save({ path: hnswPath });
    const exact = createExactIndex({ dim: 4, metric: 'ip' });
    exact.upsert({ keys: [1], vectors: new Float32Array([1, 0, 0, 0]) });
    await exact.save({ path: exactPath });
    await expect(loadExactIndex({ path: hnswPath })).rejects.toThrow(MissingArtifactError);
    await expect(loadHnswIndex({ path: exactPath })).rejects.toThrow(MissingArtifactError);
  });

  it('validates its options', () => {
    expect(() => createHnswIndex({ dim: 8, metric: 'ip', connectivity: 1 })).toThrow(
      /connectivity: must be at least 2/,
    );
    expect(() => createHnswIndex({ dim: 8, metric: 'ip', expansionSearch: 0 })).toThrow(InvalidArgumentError);
    expect(() => createHnswIndex({ dim: 8, metric: 'ip', threads: -1 })).toThrow(/threads/);
  });
});
