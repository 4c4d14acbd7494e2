// Trains and evaluates the CLI's default model (gated additive on the synthetic default) with the
// published packages, and checks the test metrics equal the CLI's for the same seed.
import { deepStrictEqual } from 'node:assert/strict';
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
    // metrics.json writes NaN as null: compare through the same JSON. The CLI also reports K = 1
    // and 5; every figure at this script's cutoffs must be equal.
    type ByCutoff = Record<string, Record<string, unknown>>;
    const ours = JSON.parse(
      JSON.stringify(test.metrics, (_k, v) => (Number.isNaN(v) ? null : v)),
    ) as ByCutoff;
    const cli = JSON.parse(readFileSync(cliMetricsPath, 'utf8')).test as ByCutoff;
    for (const [section, byK] of Object.entries(ours)) {
      for (const k of Object.keys(byK)) deepStrictEqual(byK[k], cli[section]?.[k], `test ${section}@${k}`);
    }
    console.log(`test metrics equal the CLI's (${cliMetricsPath})`);
  }
} finally {
  model.dispose();
}
