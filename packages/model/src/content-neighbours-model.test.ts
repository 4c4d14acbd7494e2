import { ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { validateModelConfig } from './config';
import { buildContentNeighbours } from './content-neighbours';
import { createItemFeatureStore } from './feature-store';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';
import type { RecallModel } from './types';

function withNeighbours(weight: number) {
  const fixture = tinyFixture('gated-additive');
  fixture.config.id.neighbours = { k: 3, weight, vectors: ['image', 'text'] };
  return fixture;
}

function itemTable(model: RecallModel) {
  return model.tables.find((table) => table.name === 'item_id/item_id')!;
}

describe('gated model with content neighbours', () => {
  it('the store holds the warm-only content graph; a cold item reads unknown row + weight x mean of its neighbours', async () => {
    const fixture = withNeighbours(0.5);
    const store = createItemFeatureStore({ ...fixture });
    const expected = buildContentNeighbours({
      vectors: fixture.content.vectors,
      names: ['image', 'text'],
      candidates: fixture.warm,
      k: 3,
    });
    expect(Array.from(store.neighbours!.offsets)).toEqual(Array.from(expected.offsets));
    expect(Array.from(store.neighbours!.values)).toEqual(Array.from(expected.values));
    expect(Math.max(...store.neighbours!.values)).toBeLessThan(30);

    const model = createRecallModel({ config: fixture.config });
    // Same seed without neighbours: its unknown row set to what the first model pools for item 35.
    const { neighbours: _off, ...plainId } = fixture.config.id;
    const plain = createRecallModel({ config: { ...fixture.config, id: plainId } });
    try {
      const table = itemTable(model);
      const batch = store.batch(Int32Array.from([35, 3]));
      const around = Array.from(batch.neighbours!.values.subarray(0, 3));
      const pooled = table.getRow(fixture.numItems).map((v, d) => {
        let mean = 0;
        for (const j of around) mean += table.getRow(j)[d]! / 3;
        return v + 0.5 * mean;
      });
      itemTable(plain).setRows({ indices: Int32Array.from([fixture.numItems]), values: pooled });
      const views = model.itemViews(batch);
      const { neighbours: _unused, ...plainBatch } = batch;
      const reference = plain.itemViews(plainBatch);
      // Cold item 35: identical behaviour views. Warm item 3 differs: it adds its neighbours.
      const dim = fixture.config.dim;
      const got = views.id!.dataSync();
      const want = reference.id!.dataSync();
      expectTensorsClose(got.subarray(0, dim), want.subarray(0, dim), 1e-5);
      let warmGap = 0;
      for (let d = dim; d < 2 * dim; d++) warmGap = Math.max(warmGap, Math.abs(got[d]! - want[d]!));
      expect(warmGap).toBeGreaterThan(1e-3);
      tf.dispose([...Object.values(views), ...Object.values(reference)]);
      expect(() => model.itemViews(plainBatch)).toThrow(ShapeMismatchError);
      await expectNoTensorLeak(() => {
        tf.dispose(Object.values(model.itemViews(batch, { training: true, step: 4 })));
      }, 'itemViews with neighbours');
    } finally {
      model.dispose();
      plain.dispose();
    }
  });

  it('names a bad neighbour setting', () => {
    const fixture = withNeighbours(0);
    expect(() => validateModelConfig(fixture.config)).toThrow(/config\.id\.neighbours\.weight/);
    fixture.config.id.neighbours = { k: 3, weight: 1, vectors: ['audio'] };
    expect(() => validateModelConfig(fixture.config)).toThrow(
      /config\.id\.neighbours\.vectors: names unknown vector "audio"/,
    );
    const contentOnly = tinyFixture('content-only');
    contentOnly.config.id.neighbours = { k: 3, weight: 1, vectors: ['image'] };
    expect(() => validateModelConfig(contentOnly.config)).toThrow(
      /config\.id\.neighbours: kind content-only/,
    );
  });
});
