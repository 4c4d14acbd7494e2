import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidArgumentError, InvalidArtifactError } from '@mmrecall/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createExactIndex } from './exact-index';
import { buildPrebuiltHnswIndex, openPrebuiltHnswIndex, PREBUILT_EXPANSION_SEARCH } from './prebuilt-index';
import { clusteredVectors, recallAtK } from './test-vectors';

const DIM = 16;
const ROWS = 3000;
const data = clusteredVectors({ rows: ROWS, dim: DIM, clusters: 30, spread: 1, seed: 3 });
const queries = clusteredVectors({ rows: 100, dim: DIM, clusters: 30, spread: 1, seed: 4 });
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mmrecall-prebuilt-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('buildPrebuiltHnswIndex / openPrebuiltHnswIndex', () => {
  it('gives the same answers after every open, with recall against the exact index', async () => {
    const built = await buildPrebuiltHnswIndex({ vectors: data, dim: DIM, threads: 2 });
    expect(built.info).toEqual({
      kind: 'hnsw',
      library: 'usearch',
      metric: 'ip',
      rows: ROWS,
      dim: DIM,
      settings: { connectivity: 16, expansionAdd: 128, expansionSearch: PREBUILT_EXPANSION_SEARCH },
    });
    const file = join(folder, 'items.hnsw');
    await built.write(file);
    built.dispose();
    const exact = createExactIndex({ dim: DIM, metric: 'ip' });
    exact.upsert({ keys: Int32Array.from({ length: ROWS }, (_, i) => i), vectors: data });
    const truth = exact.searchBatch({ queries, count: 100, k: 20 });
    const answers: number[][] = [];
    for (let start = 0; start < 3; start++) {
      const index = await openPrebuiltHnswIndex({ path: file, info: built.info });
      expect(index.size).toBe(ROWS);
      const found = index.searchBatch({ queries, count: 100, k: 20 });
      expect(recallAtK({ approx: found.keys, exact: truth.keys, count: 100, k: 20 })).toBeGreaterThanOrEqual(
        0.95,
      );
      answers.push(Array.from(found.keys));
      index.dispose();
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('refuses a file that does not hold what the manifest says, and bad input', async () => {
    const built = await buildPrebuiltHnswIndex({ vectors: data.subarray(0, 50 * DIM), dim: DIM, threads: 1 });
    const file = join(folder, 'small.hnsw');
    await built.write(file);
    built.dispose();
    const wrongRows = await openPrebuiltHnswIndex({ path: file, info: { ...built.info, rows: 51 } }).catch(
      (e: unknown) => e,
    );
    expect(InvalidArtifactError.isInstance(wrongRows) && wrongRows.kind).toBe('count');
    expect(String(wrongRows)).toMatch(/small\.hnsw: holds 50 rows, the manifest says 51/);
    await expect(openPrebuiltHnswIndex({ path: file, info: { ...built.info, dim: 8 } })).rejects.toThrow(
      /holds 16-dimensional ip vectors, the manifest says 8-dimensional ip/,
    );
    await writeFile(join(folder, 'junk.hnsw'), 'not an index');
    await expect(
      openPrebuiltHnswIndex({ path: join(folder, 'junk.hnsw'), info: built.info }),
    ).rejects.toThrow(/not a usearch index file/);
    await expect(buildPrebuiltHnswIndex({ vectors: new Float32Array(10), dim: DIM })).rejects.toThrow(
      InvalidArgumentError,
    );
  });
});
