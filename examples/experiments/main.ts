// A comparison without the CLI: two recall models and two baselines on the synthetic `tiny` preset,
// trained on one split, the baselines' settings chosen on valid, every row tested once.
import { defaultExperimentConfig, type ExperimentConfig, runComparison } from '@mmrecall/experiments';
import { selectBackend } from '@mmrecall/runtime';

const backend = await selectBackend({ backend: 'auto' });
const defaults = defaultExperimentConfig();
const config: ExperimentConfig = {
  ...defaults,
  data: { ...defaults.data, preset: 'tiny' },
  train: { ...defaults.train, epochs: 2 },
  output: 'runs/examples/experiments',
};
const result = await runComparison({
  config,
  kinds: ['id-only', 'gated-additive', 'most-popular', 'item-knn'],
  backend: backend.name,
});
console.log(result.markdown);
console.log('written:', result.files.markdown, result.files.json);
