import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';

import { createExactIndex, loadExactIndex } from './exact-index';
import { bruteForceTopK, randomVectors } from './test-vectors';

const DIM = 24;
const ROWS = 2000;

describe('createExactIndex', () => {
  for (const metric of ['ip', 'cosine'] as const) {
    it(`matches brute force on random data (${metric}), single and batched, with exclusions`, () => {
      const data = randomVectors({ rows: ROWS, dim: DIM, seed: 1 });
      const keys = Int32Array.from({ length: ROWS }, (_, i) => (i * 7919) % 100_003);
      const index = createExactIndex({ dim: DIM, metric, capacity: 1 });
      index.upsert({ keys, vectors: data });
      const count = 9; // two groups of four queries plus one through the single-query kernel
      const k = 15;
      const queries = randomVectors({ rows: count, dim: DIM, seed: 2 });
      const excludes = Array.from({ length: count }, (_, q) =>
        q % 3 === 0 ? new Set(Array.from(keys.subarray(q * 50, q * 50 + 400))) : undefined,
      );
      const batch = index.searchBatch({ queries, count, k, exclude: excludes });
      for (let q = 0; q < count; q++) {
        const query = queries.subarray(q * DIM, (q + 1) * DIM);
        const expected = bruteForceTopK({ data, keys, query, dim: DIM, k, metric, exclude: excludes[q] });
        const single = index.search({ query, k, exclude: excludes[q] });
        expect(Array.from(single.keys)).toEqual(expected.keys);
        single.scores.forEach((score, i) => {
          expect(score).toBeCloseTo(expected.scores[i] as number, 5);
        });
        expect(Array.from(batch.keys.subarray(q * k, (q + 1) * k))).toEqual(expected.keys);
        expect(batch.scores.subarray(q * k, (q + 1) * k)).toEqual(single.scores);
      }
    });
  }

  it('stays exact through interleaved swap-removes and re-inserts', () => {
    const data = randomVectors({ rows: ROWS, dim: DIM, seed: 3 });
    const keys = Int32Array.from({ length: ROWS }, (_, i) => i);
    const index = createExactIndex({ dim: DIM, metric: 'ip' });
    index.upsert({ keys, vectors: data });
    // Remove every third key (including the last row), then put a third of them back with new vectors.
    const removed = keys.filter((key) => key % 3 === 0);
    expect(index.remove({ keys: removed })).toBe(removed.length);
    const back = removed.filter((key) => key % 2 === 0);
    const backVectors = randomVectors({ rows: back.length, dim: DIM, seed: 4 });
    index.upsert({ keys: back, vectors: backVectors });
    expect(index.size).toBe(ROWS - removed.length + back.length);
    // Expected state rebuilt by hand.
    const liveKeys: number[] = [];
    const liveData = new Float32Array(index.size * DIM);
    for (const key of keys) {
      if (key % 3 === 0) continue;
      liveData.set(data.subarray(key * DIM, (key + 1) * DIM), liveKeys.length * DIM);
      liveKeys.push(key);
    }
    back.forEach((key, i) => {
      liveData.set(backVectors.subarray(i * DIM, (i + 1) * DIM), liveKeys.length * DIM);
      liveKeys.push(key);
    });
    const queries = randomVectors({ rows: 5, dim: DIM, seed: 5 });
    for (let q = 0; q < 5; q++) {
      const query = queries.subarray(q * DIM, (q + 1) * DIM);
      const expected = bruteForceTopK({
        data: liveData,
        keys: liveKeys,
        query,
        dim: DIM,
        k: 20,
        metric: 'ip',
      });
      expect(Array.from(index.search({ query, k: 20 }).keys)).toEqual(expected.keys);
    }
  });

  it('saves header + keys + vectors (32 + 4n + 4nd bytes) and loads them back', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmrecall-exact-'));
    try {
      const index = createExactIndex({ dim: 3, metric: 'ip' });
      index.upsert({ keys: [4, 9], vectors: new Float32Array([1, 2, 3, 4, 5, 6]) });
      const path = join(folder, 'items.exact');
      await index.save({ path });
      expect((await stat(path)).size).toBe(32 + 2 * 4 + 2 * 3 * 4);
      const loaded = await loadExactIndex({ path });
      const result = loaded.search({ query: new Float32Array([0, 0, 1]), k: 2 });
      expect(Array.from(result.keys)).toEqual([9, 4]);
      expect(Array.from(result.scores)).toEqual([6, 3]);
      // Loaded storage grows on insert.
      loaded.upsert({ keys: [1], vectors: new Float32Array([0, 0, 10]) });
      expect(loaded.search({ query: new Float32Array([0, 0, 1]), k: 1 }).keys[0]).toBe(1);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('validates its options', () => {
    expect(() => createExactIndex({ dim: 0, metric: 'ip' })).toThrow(/dim: must be a positive integer/);
    expect(() => createExactIndex({ dim: 4, metric: 'l2' as 'ip' })).toThrow(InvalidArgumentError);
    expect(() => createExactIndex({ dim: 4, metric: 'ip', capacity: -1 })).toThrow(/capacity/);
  });
});
