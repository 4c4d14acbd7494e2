// Behaviour every RecallIndex must have, as one suite that any implementation (in-process or a
// database) runs against itself. Calls are awaited, so a synchronous `RecallIndex` and an
// `AsyncRecallIndex` go through the same expectations.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidArgumentError, MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { toAsyncRecallIndex } from './async-recall-index';
import { IndexStateError } from './errors';
import { bruteForceTopK, randomVectors } from './test-vectors';
import type { AsyncRecallIndex, RecallIndex, RecallMetric } from './types';

/** Options of {@link describeRecallIndexContract}. */
export interface RecallIndexContractOptions {
  /** Name shown in the test report. */
  name: string;
  /** Dimension the suite uses; `create` must build indexes of this dimension. Default 8. */
  dim?: number;
  /**
   * A new, empty index of `dim` dimensions with this metric. Searches over the suite's 300 rows must
   * be exact (an approximate index is configured to visit every row).
   */
  create: (metric: RecallMetric) => RecallIndex | AsyncRecallIndex | Promise<RecallIndex | AsyncRecallIndex>;
  /** Loads what `save` wrote to `path`; rejects with `MissingArtifactError` for a missing or foreign file. */
  load: (path: string) => Promise<RecallIndex | AsyncRecallIndex>;
  /** Called after every test with the indexes that test created (e.g. to drop their tables). */
  cleanup?: () => Promise<void>;
}

function asAsync(index: RecallIndex | AsyncRecallIndex): AsyncRecallIndex {
  return typeof index.size === 'function'
    ? (index as AsyncRecallIndex)
    : toAsyncRecallIndex(index as RecallIndex);
}

function unit(dim: number, axis: number, scale = 1): Float32Array {
  const v = new Float32Array(dim);
  v[axis] = scale;
  return v;
}

/** Registers the shared `RecallIndex` behaviour tests (vitest) for one implementation. */
export function describeRecallIndexContract(options: RecallIndexContractOptions): void {
  const { name } = options;
  const DIM = options.dim ?? 8;
  const create = async (metric: RecallMetric): Promise<AsyncRecallIndex> =>
    asAsync(await options.create(metric));
  const load = async (path: string): Promise<AsyncRecallIndex> => asAsync(await options.load(path));

  describe(`${name} index contract`, () => {
    const rows = 300;
    const data = randomVectors({ rows, dim: DIM, seed: 11 });
    const keys = Int32Array.from({ length: rows }, (_, i) => 1000 + 3 * i);
    const query = randomVectors({ rows: 1, dim: DIM, seed: 12 });
    let folder: string;

    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'mmrecall-serving-'));
    });
    afterAll(async () => {
      await options.cleanup?.();
      await rm(folder, { recursive: true, force: true });
    });

    async function filled(metric: RecallMetric = 'ip'): Promise<AsyncRecallIndex> {
      const index = await create(metric);
      await index.upsert({ keys, vectors: data });
      return index;
    }

    it('reports dim, metric, size and membership', async () => {
      const index = await filled('cosine');
      expect(index.dim).toBe(DIM);
      expect(index.metric).toBe('cosine');
      expect(await index.size()).toBe(rows);
      expect(await index.has(1003)).toBe(true);
      expect(await index.has(1004)).toBe(false);
    });

    it('returns the exact top-k with inner-product and cosine scores on a small index', async () => {
      for (const metric of ['ip', 'cosine'] as const) {
        const index = await filled(metric);
        const result = await index.search({ query, k: 10 });
        const expected = bruteForceTopK({ data, keys, query, dim: DIM, k: 10, metric });
        expect(Array.from(result.keys)).toEqual(expected.keys);
        result.scores.forEach((score, i) => {
          expect(score).toBeCloseTo(expected.scores[i] as number, 5);
        });
      }
    });

    it('upsert of a present key replaces its vector without growing the index', async () => {
      const index = await filled();
      const before = await index.search({ query: unit(DIM, 3), k: 1 });
      await index.upsert({ keys: [1003], vectors: unit(DIM, 3, 50) });
      expect(await index.size()).toBe(rows);
      const after = await index.search({ query: unit(DIM, 3), k: 1 });
      expect(Array.from(after.keys)).toEqual([1003]);
      expect(after.scores[0]).toBeCloseTo(50, 4);
      // Moving it far away: the key must not come back with its old score.
      await index.upsert({ keys: [1003], vectors: unit(DIM, 3, -50) });
      const all = await index.search({ query: unit(DIM, 3), k: rows });
      expect(all.keys.length).toBe(rows);
      expect(all.keys[rows - 1]).toBe(1003);
      expect(all.scores[rows - 1]).toBeCloseTo(-50, 4);
      expect(before.keys[0]).not.toBe(1003);
    });

    it('keeps the last occurrence when one upsert repeats a key', async () => {
      const index = await create('ip');
      const vectors = new Float32Array(3 * DIM);
      vectors.set(unit(DIM, 0, 1), 0);
      vectors.set(unit(DIM, 1, 1), DIM);
      vectors.set(unit(DIM, 0, 7), 2 * DIM);
      await index.upsert({ keys: [5, 6, 5], vectors });
      expect(await index.size()).toBe(2);
      const result = await index.search({ query: unit(DIM, 0), k: 2 });
      expect(Array.from(result.keys)).toEqual([5, 6]);
      expect(Array.from(result.scores)).toEqual([7, 0]);
    });

    it('remove deletes keys, ignores absent ones and reports the count', async () => {
      const index = await filled();
      const top = await index.search({ query, k: 5 });
      const victims = [top.keys[0] as number, top.keys[2] as number, 7];
      expect(await index.remove({ keys: victims })).toBe(2);
      expect(await index.size()).toBe(rows - 2);
      expect(await index.has(victims[0] as number)).toBe(false);
      const remaining = await index.search({ query, k: rows });
      expect(remaining.keys.length).toBe(rows - 2);
      expect(Array.from(remaining.keys)).not.toContain(victims[0]);
      expect(Array.from(remaining.keys)).not.toContain(victims[1]);
      expect(Array.from((await index.search({ query, k: 3 })).keys)).toEqual([
        top.keys[1],
        top.keys[3],
        top.keys[4],
      ]);
      expect(await index.remove({ keys: victims })).toBe(0);
    });

    it('exclude still returns k keys, none excluded, equal to the top-k of the rest', async () => {
      const index = await filled();
      const top = await index.search({ query, k: 60 });
      const exclude = new Set(Array.from(top.keys.subarray(0, 50)));
      const result = await index.search({ query, k: 10, exclude });
      expect(result.keys.length).toBe(10);
      for (const key of result.keys) expect(exclude.has(key)).toBe(false);
      expect(Array.from(result.keys)).toEqual(Array.from(top.keys.subarray(50, 60)));
      // Any iterable works.
      expect(Array.from((await index.search({ query, k: 10, exclude: [...exclude] })).keys)).toEqual(
        Array.from(result.keys),
      );
    });

    it('exclude returns everything left when fewer than k keys remain', async () => {
      const index = await filled();
      const exclude = new Set(Array.from(keys.subarray(0, rows - 4)));
      const result = await index.search({ query, k: 10, exclude });
      expect(Array.from(result.keys).sort((a, b) => a - b)).toEqual(Array.from(keys.subarray(rows - 4)));
    });

    it('searchBatch equals repeated search and pads with -1 / -Infinity', async () => {
      const index = await filled();
      const count = 7;
      const queries = randomVectors({ rows: count, dim: DIM, seed: 13 });
      const k = 6;
      const exclude: (Set<number> | undefined)[] = [];
      for (let q = 0; q < count; q++) {
        exclude.push(
          q % 2 === 0
            ? undefined
            : new Set((await index.search({ query: queries.subarray(q * DIM, (q + 1) * DIM), k: 3 })).keys),
        );
      }
      const batch = await index.searchBatch({ queries, count, k, exclude });
      expect(batch.keys.length).toBe(count * k);
      for (let q = 0; q < count; q++) {
        const single = await index.search({
          query: queries.subarray(q * DIM, (q + 1) * DIM),
          k,
          exclude: exclude[q],
        });
        expect(Array.from(batch.keys.subarray(q * k, (q + 1) * k))).toEqual(Array.from(single.keys));
        expect(Array.from(batch.scores.subarray(q * k, (q + 1) * k))).toEqual(Array.from(single.scores));
      }
      const small = await create('ip');
      await small.upsert({ keys: [1, 2], vectors: new Float32Array([...unit(DIM, 0, 2), ...unit(DIM, 1)]) });
      const padded = await small.searchBatch({
        queries: new Float32Array([...unit(DIM, 0), ...unit(DIM, 1)]),
        count: 2,
        k: 3,
      });
      expect(Array.from(padded.keys)).toEqual([1, 2, -1, 2, 1, -1]);
      expect(Array.from(padded.scores)).toEqual([2, 0, -Infinity, 1, 0, -Infinity]);
    });

    it('rejects bad input with typed errors and leaves the index unchanged', async () => {
      const index = await filled();
      const rejects = (call: () => Promise<unknown>) => expect(Promise.resolve().then(call)).rejects;
      const bad = new Float32Array(2 * DIM).fill(0.5);
      bad[DIM + 3] = Number.NaN;
      await rejects(() => index.upsert({ keys: [1, 2], vectors: bad })).toThrow(InvalidArgumentError);
      await rejects(() => index.upsert({ keys: [1, 2], vectors: bad })).toThrow(
        /vectors\[row 1, column 3\]: values must be finite/,
      );
      bad[DIM + 3] = Number.POSITIVE_INFINITY;
      await rejects(() => index.upsert({ keys: [1, 2], vectors: bad })).toThrow(InvalidArgumentError);
      expect(await index.has(1)).toBe(false);
      expect(await index.size()).toBe(rows);
      await rejects(() => index.upsert({ keys: [1, 2], vectors: new Float32Array(2 * DIM + 1) })).toThrow(
        ShapeMismatchError,
      );
      await rejects(() => index.upsert({ keys: [1], vectors: new Float32Array(2 * DIM) })).toThrow(
        ShapeMismatchError,
      );
      await rejects(() => index.upsert({ keys: [-1], vectors: new Float32Array(DIM) })).toThrow(/keys\[0\]/);
      await rejects(() => index.upsert({ keys: [1.5], vectors: new Float32Array(DIM) })).toThrow(
        InvalidArgumentError,
      );
      await rejects(() => index.upsert({ keys: Int32Array.of(-4), vectors: new Float32Array(DIM) })).toThrow(
        InvalidArgumentError,
      );
      await rejects(() => index.upsert({ keys: [1], vectors: [1, 2] as unknown as Float32Array })).toThrow(
        InvalidArgumentError,
      );
      await rejects(() => index.search({ query: new Float32Array(DIM - 1), k: 3 })).toThrow(
        ShapeMismatchError,
      );
      await rejects(() => index.search({ query: unit(DIM, 0, Number.NaN), k: 3 })).toThrow(
        InvalidArgumentError,
      );
      await rejects(() => index.search({ query: unit(DIM, 0), k: 0 })).toThrow(
        /k: must be a positive integer/,
      );
      await rejects(() => index.searchBatch({ queries: new Float32Array(2 * DIM), count: 3, k: 1 })).toThrow(
        ShapeMismatchError,
      );
      await rejects(() =>
        index.searchBatch({ queries: new Float32Array(2 * DIM), count: 2, k: 1, exclude: [undefined] }),
      ).toThrow(InvalidArgumentError);
      await rejects(() => index.has(-2)).toThrow(InvalidArgumentError);
      expect(await index.size()).toBe(rows);
      const cosine = await create('cosine');
      await rejects(() => cosine.upsert({ keys: [1], vectors: new Float32Array(DIM) })).toThrow(
        /all-zero vector/,
      );
      await rejects(() => cosine.search({ query: new Float32Array(DIM), k: 1 })).toThrow(/all-zero vector/);
      expect(await cosine.size()).toBe(0);
    });

    it('searches an empty index without error', async () => {
      const index = await create('ip');
      expect((await index.search({ query: unit(DIM, 0), k: 3 })).keys.length).toBe(0);
      expect(Array.from((await index.searchBatch({ queries: unit(DIM, 0), count: 1, k: 2 })).keys)).toEqual([
        -1, -1,
      ]);
    });

    it('throws IndexStateError after dispose', async () => {
      const index = await filled();
      await index.dispose();
      await expect(index.size()).rejects.toThrow(IndexStateError);
      await expect(index.search({ query, k: 1 })).rejects.toThrow(/disposed/);
    });

    it('round-trips through save and load, including removals and cosine', async () => {
      for (const metric of ['ip', 'cosine'] as const) {
        const index = await filled(metric);
        await index.remove({ keys: [keys[0] as number, keys[10] as number] });
        const path = join(folder, `${name}-${metric}.idx`);
        await index.save({ path });
        await index.save({ path }); // overwriting an existing file works too
        expect(readdirSync(folder).filter((file) => file.includes('.tmp-'))).toEqual([]);
        const loaded = await load(path);
        expect(loaded.dim).toBe(DIM);
        expect(loaded.metric).toBe(metric);
        expect(await loaded.size()).toBe(rows - 2);
        expect(await loaded.has(keys[0] as number)).toBe(false);
        expect(await loaded.has(keys[1] as number)).toBe(true);
        const queries = randomVectors({ rows: 5, dim: DIM, seed: 14 });
        expect(await loaded.searchBatch({ queries, count: 5, k: 20 })).toEqual(
          await index.searchBatch({ queries, count: 5, k: 20 }),
        );
        // The loaded index stays writable.
        await loaded.upsert({ keys: [1], vectors: unit(DIM, 2, 9) });
        expect((await loaded.search({ query: unit(DIM, 2), k: 1 })).keys[0]).toBe(1);
      }
    });

    it('load throws MissingArtifactError for a missing or foreign file', async () => {
      await expect(load(join(folder, 'nope.idx'))).rejects.toThrow(MissingArtifactError);
      const garbage = join(folder, `${name}-garbage.idx`);
      await writeFile(garbage, new Uint8Array(200).fill(7));
      await expect(load(garbage)).rejects.toThrow(MissingArtifactError);
    });
  });
}
