// Trains and evaluates the CLI's default model (gated additive on the synthetic default) with the
// published packages, and checks the test metrics equal the CLI's for the same seed.
import { ok } from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { selectBackend } from '@mmrecall/runtime';
import { generateSyntheticDataset, type SyntheticPreset } from '@mmrecall/synthetic';
import { createTrainableModel, evaluate, fit, prepareTrainingData } from '@mmrecall/training';

const preset = (process.env.PRESET ?? 'default') as SyntheticPreset;
await selectBackend({ backend: 'auto', log: console.error }); // wasm SIMD here, as the CLI picks
const { dataset, split } = generateSyntheticDataset({ preset, seed: 42 });
const data = prepareTrainingData({ name: `synthetic-${preset}`, dataset, split });
const model = createTrainableModel({ data, kind: 'gated-additive' });
try {
  const training = await fit({ model, data, options: { epochs: 5, seed: 7 } });
  const test = await evaluate({ model, data, split: 'test', k: 20, cutoffs: [10, 20] });
  console.log(
    `best epoch ${training.bestEpoch}, test Recall@20 ${test.metrics.cutoffs[20]?.all.recall.toFixed(4)}`,
  );
  const cliMetricsPath = process.env.CLI_METRICS;
  if (cliMetricsPath) {
    // The CLI run inside the repository and this consumer agree on the overall figures only to
    // float rounding (see README): compare Recall@K and NDCG@K over all items at K = 10 and 20.
    const cli = JSON.parse(readFileSync(cliMetricsPath, 'utf8')).test.cutoffs;
    for (const k of [10, 20]) {
      const ours = test.metrics.cutoffs[k]?.all;
      const theirs = cli[k]?.all;
      if (!ours || !theirs) throw new Error(`no Recall@${k} in both runs`);
      console.log(`Recall@${k}: ours ${ours.recall.toFixed(4)}, CLI ${theirs.recall.toFixed(4)}`);
      ok(
        Math.abs(ours.recall - theirs.recall) <= 0.002,
        `Recall@${k} differs from the CLI's by more than 0.002`,
      );
      ok(Math.abs(ours.ndcg - theirs.ndcg) <= 0.002, `NDCG@${k} differs from the CLI's by more than 0.002`);
    }
    console.log(`test Recall and NDCG at 10 and 20 within 0.002 of the CLI's (${cliMetricsPath})`);
  }
} finally {
  model.dispose();
}
