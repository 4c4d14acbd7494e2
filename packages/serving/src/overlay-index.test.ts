import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createRandom } from '@mmrecall/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IndexStateError } from './errors';
import { createExactIndex } from './exact-index';
import { createHnswIndex, loadHnswIndex } from './hnsw-index';
import { createOverlayIndex } from './overlay-index';
import { clusteredVectors, randomVectors } from './test-vectors';

const DIM = 6;
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mmrecall-overlay-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('createOverlayIndex', () => {
  it('answers exactly like one exact index that saw the same upserts and removals', () => {
    const rows = 200;
    const data = randomVectors({ rows, dim: DIM, seed: 5 });
    const keys = Int32Array.from({ length: rows }, (_, i) => i);
    const base = createExactIndex({ dim: DIM, metric: 'ip' });
    base.upsert({ keys, vectors: data });
    const overlay = createOverlayIndex({ base, overlay: createExactIndex({ dim: DIM, metric: 'ip' }) });
    const reference = createExactIndex({ dim: DIM, metric: 'ip' });
    reference.upsert({ keys, vectors: data });
    const random = createRandom(9);
    for (let op = 0; op < 600; op++) {
      // Keys 0..299: base keys, replaced base keys and keys only the overlay knows.
      const key = Math.floor(random() * 300);
      const roll = random();
      if (roll < 0.45) {
        const vector = randomVectors({ rows: 1, dim: DIM, seed: 1000 + op });
        overlay.upsert({ keys: [key], vectors: vector });
        reference.upsert({ keys: [key], vectors: vector });
      } else if (roll < 0.9) {
        expect(overlay.remove({ keys: [key, key] }), `op ${op}`).toBe(reference.remove({ keys: [key] }));
      } else {
        const query = randomVectors({ rows: 1, dim: DIM, seed: 5000 + op });
        const exclude = new Set([key, (key + 1) % 300]);
        const got = overlay.search({ query, k: 15, exclude });
        const want = reference.search({ query, k: 15, exclude });
        expect(Array.from(got.keys), `op ${op}`).toEqual(Array.from(want.keys));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
      }
      expect(overlay.size).toBe(reference.size);
      expect(overlay.has(key)).toBe(reference.has(key));
    }
    const queries = randomVectors({ rows: 4, dim: DIM, seed: 77 });
    const excludes = [undefined, new Set([1, 2, 3]), undefined, new Set<number>()];
    const got = overlay.searchBatch({ queries, count: 4, k: 400, exclude: excludes });
    const want = reference.searchBatch({ queries, count: 4, k: 400, exclude: excludes });
    expect(Array.from(got.keys)).toEqual(Array.from(want.keys));
    expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
  });

  it('takes writes over a read-only memory-mapped HNSW view without touching it', async () => {
    const rows = 500;
    // Unit rows: each row is its own best inner-product match.
    const data = clusteredVectors({ rows, dim: DIM, clusters: 20, spread: 1, seed: 8 });
    const built = createHnswIndex({ dim: DIM, metric: 'ip', threads: 1 });
    built.upsert({ keys: Int32Array.from({ length: rows }, (_, i) => i), vectors: data });
    const file = join(folder, 'base.usearch');
    await built.save({ path: file });
    built.dispose();
    const view = await loadHnswIndex({ path: file, view: true, expansionSearch: 512 });
    expect(() => view.remove({ keys: [1] })).toThrow(IndexStateError);
    const index = createOverlayIndex({
      base: view,
      overlay: createHnswIndex({ dim: DIM, metric: 'ip', expansionSearch: 512, threads: 1 }),
    });
    const query = data.slice(7 * DIM, 8 * DIM);
    expect(index.search({ query, k: 1 }).keys[0]).toBe(7);
    // Replace row 7 by the opposite vector and add key 900 where row 7 was.
    index.upsert({ keys: [7, 900], vectors: new Float32Array([...query.map((v) => -v), ...query]) });
    expect(index.size).toBe(rows + 1);
    const top = index.search({ query, k: 3 });
    expect(top.keys[0]).toBe(900);
    expect(Array.from(top.keys)).not.toContain(7);
    expect(index.remove({ keys: [900, 12, 12, 4000] })).toBe(2);
    expect(index.has(12)).toBe(false);
    expect(index.has(7)).toBe(true);
    expect(index.size).toBe(rows - 1);
    expect(Array.from(index.search({ query, k: rows }).keys)).not.toContain(12);
    await expect(index.save({ path: join(folder, 'x') })).rejects.toThrow(IndexStateError);
    // The view itself is unchanged.
    expect(view.size).toBe(rows);
    expect(view.has(12)).toBe(true);
    index.dispose();
    expect(() => index.size).toThrow(IndexStateError);
  });

  it('refuses an overlay of another dimension or metric', () => {
    const base = createExactIndex({ dim: DIM, metric: 'ip' });
    expect(() =>
      createOverlayIndex({ base, overlay: createExactIndex({ dim: DIM + 1, metric: 'ip' }) }),
    ).toThrow(/must have the base's dim 6 and metric ip/);
    expect(() =>
      createOverlayIndex({ base, overlay: createExactIndex({ dim: DIM, metric: 'cosine' }) }),
    ).toThrow(/overlay/);
  });
});
