import { expectNoTensorLeak } from '@mmrecall/test-utils';
import { describe, expect, it } from 'vitest';
import { embedItems } from './embed';
import { createItemFeatureStore } from './feature-store';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';

describe('embedItems', () => {
  it('reports progress after each batch and gives the same embeddings whatever the batch size', async () => {
    const fixture = tinyFixture('gated-additive');
    const model = createRecallModel({ config: fixture.config });
    try {
      const store = createItemFeatureStore({ ...fixture });
      const whole = await embedItems({ model, store });
      const reports: [number, number][] = [];
      const batched = await expectNoTensorLeak(() =>
        embedItems({ model, store, batchSize: 3, onProgress: (done, total) => reports.push([done, total]) }),
      );
      const n = store.numItems;
      const expected: [number, number][] = [];
      for (let done = 3; done < n + 3; done += 3) expected.push([Math.min(done, n), n]);
      expect(reports).toEqual(expected);
      expect(batched.embeddings).toEqual(whole.embeddings);
      expect(batched.gates).toEqual(whole.gates);
    } finally {
      model.dispose();
    }
  });
});
