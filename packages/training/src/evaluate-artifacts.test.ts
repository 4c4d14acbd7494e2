import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifacts } from '@mmrecall/model';
import { describe, expect, it } from 'vitest';
import { evaluateArtifacts } from './evaluate-artifacts';
import { tinyTrainingData } from './test-data';
import { trainAndSave } from './train-and-save';

describe('evaluateArtifacts', () => {
  it('gives a saved model the test metrics trainAndSave measured on the live one', async () => {
    const data = tinyTrainingData();
    const output = await mkdtemp(join(tmpdir(), 'mmrecall-eval-artifacts-'));
    const test = { k: 20, cutoffs: [5, 20], maxQueries: 80 };
    const run = await trainAndSave({
      data,
      // Node ids through the stored cluster tree, tags and vectors: every input the stores rebuild.
      model: { kind: 'gated-additive', dim: 8, clusterBranching: [3, 3] },
      options: { epochs: 1, batchSize: 64, maxStepsPerEpoch: 4, seed: 3 },
      test,
      output,
    });
    const artifacts = await readArtifacts({ dir: run.artifactsDir });
    try {
      expect(artifacts.clusterTree).toBeDefined();
      const saved = await evaluateArtifacts({ artifacts, data, ...test, seed: 3 });
      expect(saved.numQueries).toBe(run.evaluation.numQueries);
      expect(saved.numQueries).toBe(80);
      for (const cutoff of [5, 20]) {
        const live = run.evaluation.metrics.cutoffs[cutoff]!;
        const stored = saved.metrics.cutoffs[cutoff]!;
        expect(stored.all.recall).toBeCloseTo(live.all.recall, 6);
        expect(stored.all.ndcg).toBeCloseTo(live.all.ndcg, 6);
        expect(stored.cold.recall).toBeCloseTo(live.cold.recall, 6);
      }
    } finally {
      artifacts.dispose();
    }
  });
});
