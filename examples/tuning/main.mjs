// examples/tuning/main.mjs
// Validation-only selection with a stand-in trainer: its valid metric peaks at temperature 0.2 and
// dim 64; test is evaluated once, for the winner, after the search.
import { parseSearchSpace, runTuning, tuningMarkdown } from '@mmrecall/tuning';

const space = parseSearchSpace({
  file: 'space.yaml',
  text: ['space:', '  train.temperature: [0.1, 0.2, 0.3]', '  model.dim: [32, 64]'].join('\n'),
});
const result = await runTuning({
  space,
  seeds: 2,
  baseSeed: 7,
  runTrial: async ({ settings, seed }) => ({
    value:
      0.1 -
      (settings['train.temperature'] - 0.2) ** 2 -
      ((settings['model.dim'] - 64) / 1000) ** 2 +
      0.001 * seed,
  }),
  testWinner: async ({ trial }) => `test run for trial ${trial.trial}`,
});
console.log(tuningMarkdown({ trials: result.trials, chosen: result.best.trial, metric: 'valid Recall@20' }));
console.log(result.best.settings, result.test); // { 'train.temperature': 0.2, 'model.dim': 64 } test run for trial 4
