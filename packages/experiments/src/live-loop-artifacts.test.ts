import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeItemStatistics, itemStatisticsFromCounts } from '@mmrecall/data';
import { posteriorFeatures } from '@mmrecall/gating';
import { readArtifacts } from '@mmrecall/model';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadTrainingData } from './data-source';
import { testConfig } from './test-config';
import { trainFromConfig } from './train-from-config';

describe('artifacts of a gated run carry what the live loop needs', () => {
  it('stored views, counts and first-seen times reproduce the trained embeddings of warm items', async () => {
    const output = await mkdtemp(join(tmpdir(), 'mmrecall-live-'));
    const config = testConfig({
      data: { preset: 'tiny' },
      model: { kind: 'gated-additive', dim: 8 },
      train: { epochs: 1, batchSize: 64, maxStepsPerEpoch: 4, earlyStoppingPatience: 0 },
      output,
    });
    const result = await trainFromConfig({ config, backend: tf.getBackend() });
    const artifacts = await readArtifacts({ dir: result.artifactsDir });
    try {
      const { itemViews, itemStatistics, itemMeta, config: modelConfig } = artifacts;
      expect(itemViews).toBeDefined();
      expect(itemStatistics).toBeDefined();
      const numItems = modelConfig.numItems;
      const statistics = itemStatisticsFromCounts({
        exposures: itemMeta.exposures!,
        clicks: itemMeta.clicks!,
        firstSeen: itemStatistics!.firstSeen,
        now: itemStatistics!.referenceTime,
        ctrPrior: itemStatistics!.ctrPrior,
      });
      // The same statistics as the trainer's, recomputed from the split independently.
      const data = await loadTrainingData({ data: config.data });
      const reference = computeItemStatistics({ interactions: data.split.train, numItems });
      expect(statistics).toEqual(reference);
      const warm = Array.from({ length: numItems }, (_, i) => i).filter((i) => itemMeta.warm[i] === 1);
      const indices = Int32Array.from(warm);
      const posterior = posteriorFeatures({ ...statistics, indices, scale: modelConfig.posteriorScale! });
      const dim = modelConfig.dim;
      const gather = (table: Float32Array) => {
        const out = new Float32Array(indices.length * dim);
        indices.forEach((item, n) => {
          out.set(table.subarray(item * dim, (item + 1) * dim), n * dim);
        });
        return tf.tensor2d(out, [indices.length, dim]);
      };
      const id = gather(itemViews!.id);
      const content = gather(itemViews!.content);
      const fused = artifacts.model.fuseItemViews({ id, content, posterior });
      const item = await fused.item.array();
      const gate = await fused.gate.data();
      tf.dispose([id, content, fused.item, fused.gate]);
      indices.forEach((i, n) => {
        expect(gate[n]).toBeCloseTo(itemMeta.gate![i]!, 5);
        const stored = artifacts.itemEmbeddings.subarray(i * dim, (i + 1) * dim);
        for (let d = 0; d < dim; d++) expect(item[n]![d]).toBeCloseTo(stored[d]!, 6);
      });
    } finally {
      artifacts.dispose();
    }
  });
});
