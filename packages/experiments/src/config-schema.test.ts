import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { parseSetFlag, resolveExperimentConfig, setConfigValue } from './config-schema';
import { defaultExperimentConfig } from './experiment-config';

describe('resolveExperimentConfig', () => {
  it('merges defaults < file < overrides and sorts the cutoffs', () => {
    const config = resolveExperimentConfig({
      file: { train: { epochs: 3, batchSize: 128 }, eval: { k: 50, cutoffs: [50, 10, 10] } },
      fileName: 'run.yaml',
      overrides: { train: { epochs: 9 } },
    });
    expect(config.train.epochs).toBe(9);
    expect(config.train.batchSize).toBe(128);
    expect(config.train.learningRate).toBe(defaultExperimentConfig().train.learningRate);
    expect(config.eval.cutoffs).toEqual([10, 50]);
  });

  it('names the field and the file in every error', () => {
    expect(() => resolveExperimentConfig({ file: { train: { epoch: 3 } }, fileName: 'run.yaml' })).toThrow(
      /config\.train\.epoch: unknown field .*\(in run\.yaml\)/,
    );
    expect(() =>
      resolveExperimentConfig({ file: { train: { batchSize: 0 } }, fileName: 'run.yaml' }),
    ).toThrow(/config\.train\.batchSize: .*got 0.*\(in run\.yaml\)/);
    expect(() => resolveExperimentConfig({ file: [1, 2], fileName: 'run.yaml' })).toThrow(
      /must be a mapping of sections \(data, model, train, eval, baselines, output\)/,
    );
    expect(() => resolveExperimentConfig({ overrides: { eval: { k: 5, cutoffs: [10] } } })).toThrow(
      /config\.eval\.cutoffs\[0\]: must be <= config\.eval\.k \(5\), got 10/,
    );
  });

  it('an application section is refused unless the application declares it', () => {
    expect(() => resolveExperimentConfig({ file: { backend: 'wasm' } })).toThrow(InvalidArgumentError);
    const config = resolveExperimentConfig({
      file: { backend: 'wasm' },
      extraFields: { backend: { type: 'enum', values: ['auto', 'wasm'] } },
      defaults: () => ({ ...defaultExperimentConfig(), backend: 'auto' }),
    });
    expect(config.backend).toBe('wasm');
    expect(() =>
      resolveExperimentConfig({
        file: { backend: 'gpu' },
        extraFields: { backend: { type: 'enum', values: ['auto', 'wasm'] } },
        defaults: () => ({ ...defaultExperimentConfig(), backend: 'auto' }),
      }),
    ).toThrow(/config\.backend: .*'auto', 'wasm'.*"gpu"/);
  });
});

describe('--set helpers', () => {
  it('parses YAML values and writes them at a dotted path', () => {
    const target: Record<string, unknown> = {};
    const { path, value } = parseSetFlag('config.baselines.easeLambdas=[10, 50]');
    setConfigValue({ target, path, value });
    setConfigValue({ target, path: 'train.epochs', value: parseSetFlag('train.epochs=4').value });
    expect(target).toEqual({ baselines: { easeLambdas: [10, 50] }, train: { epochs: 4 } });
    expect(() => parseSetFlag('train.epochs')).toThrow(/expected path=value/);
  });
});
