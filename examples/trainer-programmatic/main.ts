// The trainer as a library: the `train` command without the CLI (synthetic `tiny` preset, 2 epochs;
// drop the data and train overrides for the default run of the README, test Recall@20 0.3077).
import { selectBackend } from '@mmrecall/runtime';
import { resolveTrainerConfig, trainFromConfig } from '@mmrecall/trainer';

const backend = await selectBackend({ backend: 'auto' });
const config = resolveTrainerConfig({
  overrides: {
    data: { source: 'synthetic', preset: 'tiny' },
    model: { kind: 'gated-additive' },
    train: { epochs: 2 },
    output: 'runs/examples/programmatic',
  },
});
const result = await trainFromConfig({ config, backend: backend.name });
console.log(result.metrics.test.cutoffs[20]?.all.recall, result.artifactsDir);
