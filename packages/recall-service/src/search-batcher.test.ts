import { createExactIndex, toAsyncRecallIndex } from '@mmrecall/serving';
import { describe, expect, test } from 'vitest';

import { SearchCancelledError } from './errors';
import { createSearchBatcher } from './search-batcher';

describe('createSearchBatcher', () => {
  const dim = 4;
  const rows = 50;
  const vectors = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.3));
  const index = createExactIndex({ dim, metric: 'ip' });
  index.upsert({ keys: Int32Array.from({ length: rows }, (_, i) => i), vectors });

  test('concurrent searches with different k and exclude get the same answers as lone searches', async () => {
    let batches = 0;
    const counted = {
      ...index,
      dim,
      search: index.search,
      searchBatch: (options: Parameters<typeof index.searchBatch>[0]) => {
        batches++;
        return index.searchBatch(options);
      },
    };
    const batcher = createSearchBatcher({ index: toAsyncRecallIndex(counted as typeof index), maxBatch: 8 });
    const requests = Array.from({ length: 20 }, (_, i) => ({
      query: vectors.slice(i * dim, (i + 1) * dim),
      k: 1 + (i % 7),
      ...(i % 3 === 0 ? { exclude: new Set([i, i + 1]) } : {}),
    }));
    const results = await Promise.all(requests.map((request) => batcher.search(request)));
    // 20 requests in one turn, at most 8 per batch -> 3 batches.
    expect(batches).toBe(3);
    results.forEach((result, i) => {
      const request = requests[i]!;
      const alone = index.search(request);
      expect(Array.from(result.keys)).toEqual(Array.from(alone.keys));
      expect(Array.from(result.scores)).toEqual(Array.from(alone.scores));
      expect(result.keys.length).toBe(request.k);
    });
  });

  test('cancelled searches are skipped when their batch runs', async () => {
    let searched = 0;
    const counted = {
      ...index,
      dim,
      search: (options: Parameters<typeof index.search>[0]) => {
        searched++;
        return index.search(options);
      },
      searchBatch: (options: Parameters<typeof index.searchBatch>[0]) => {
        searched += options.count;
        return index.searchBatch(options);
      },
    };
    const batcher = createSearchBatcher({ index: toAsyncRecallIndex(counted as typeof index) });
    let hungUp = false;
    const kept = batcher.search({ query: vectors.slice(0, dim), k: 2 });
    const dropped = batcher.search({ query: vectors.slice(dim, 2 * dim), k: 2, cancelled: () => hungUp });
    hungUp = true;
    await expect(dropped).rejects.toThrow(SearchCancelledError);
    expect((await kept).keys.length).toBe(2);
    expect(searched).toBe(1);
  });

  test('a bad query fails alone, its neighbours in the batch still succeed', async () => {
    const batcher = createSearchBatcher({ index: toAsyncRecallIndex(index) });
    const good = batcher.search({ query: vectors.slice(0, dim), k: 3 });
    const short = batcher.search({ query: Float32Array.of(1, 2), k: 3 });
    const infinite = batcher.search({ query: Float32Array.of(1, Number.POSITIVE_INFINITY, 0, 0), k: 3 });
    const alsoGood = batcher.search({ query: vectors.slice(dim, 2 * dim), k: 2 });
    await expect(short).rejects.toThrow(/dimension 4/);
    await expect(infinite).rejects.toThrow();
    expect((await alsoGood).keys.length).toBe(2);
    expect((await good).keys.length).toBe(3);
  });
});
