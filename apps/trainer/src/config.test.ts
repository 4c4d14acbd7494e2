import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTrainerConfig, parseSetFlag, readConfigFile, resolveTrainerConfig } from './config';

describe('resolveTrainerConfig', () => {
  it('fills defaults and lets flags override file values', () => {
    const config = resolveTrainerConfig({
      file: { train: { epochs: 3, batchSize: 64 }, model: { kind: 'multiview' } },
      overrides: { train: { batchSize: 32 } },
    });
    expect(config.train.epochs).toBe(3);
    expect(config.train.batchSize).toBe(32);
    expect(config.model.kind).toBe('multiview');
    expect(config.train.lossWeights).toEqual(defaultTrainerConfig().train.lossWeights);
  });

  it.each([
    [{ train: { batchSize: 0 } }, 'config.train.batchSize: must be an integer >= 2, got 0'],
    [{ train: { batchSize: 2.5 } }, 'config.train.batchSize: must be an integer >= 2, got 2.5'],
    [
      { train: { lossWeights: { id: -1 } } },
      'config.train.lossWeights.id: must be a finite number >= 0, got -1',
    ],
    [
      { model: { kind: 'two-tower' } },
      `config.model.kind: must be one of 'id-only', 'content-only', 'multiview', 'gated-concat', 'gated-additive', got "two-tower"`,
    ],
    [{ train: { learningRate: 0 } }, 'config.train.learningRate: must be a finite number > 0, got 0'],
    [{ eval: { cutoffs: [10, 0] } }, 'config.eval.cutoffs[1]: must be an integer >= 1, got 0'],
    [{ train: { logQ: 'yes' } }, 'config.train.logQ: must be true or false, got "yes"'],
    [{ backend: 'gpu' }, `config.backend: must be one of 'auto', 'node', 'wasm', 'cpu', got "gpu"`],
    [{ train: { epochs: 'five' } }, 'config.train.epochs: must be an integer >= 1, got "five"'],
    [{ model: { dim: 5000 } }, 'config.model.dim: must be an integer in [1, 4096], got 5000'],
    [
      { data: { split: { method: 'time', validFraction: 0.95, testFraction: 0, coldItemFraction: 0 } } },
      'config.data.split.validFraction: must be a finite number >= 0 and <= 0.9, got 0.95',
    ],
    [
      { model: { idDropout: [0.1] } },
      'config.model.idDropout: must be a finite number >= 0 and <= 0.99, got an array',
    ],
  ])('names the field of an invalid value %j', (file, message) => {
    expect(() => resolveTrainerConfig({ file, fileName: 'train.yaml' })).toThrow(
      `${message} (in train.yaml)`,
    );
  });

  it('rejects unknown fields with their path and the known fields', () => {
    expect(() => resolveTrainerConfig({ file: { train: { batchsize: 10 } } })).toThrow(
      /^config\.train\.batchsize: unknown field \(known fields of config\.train: epochs, batchSize,/,
    );
    expect(() => resolveTrainerConfig({ file: { trian: {} } })).toThrow(/^config\.trian: unknown field/);
  });

  it('checks relations between fields', () => {
    expect(() => resolveTrainerConfig({ file: { data: { source: 'tiktok' } } })).toThrow(
      'config.data.path: is required when config.data.source is "tiktok"',
    );
    expect(() => resolveTrainerConfig({ file: { eval: { k: 10, cutoffs: [5, 20] } } })).toThrow(
      'config.eval.cutoffs[1]: must be <= config.eval.k (10), got 20',
    );
    expect(() => resolveTrainerConfig({ file: { model: { useRawVectors: false, useTags: false } } })).toThrow(
      /^config\.model\.useRawVectors:/,
    );
  });

  it('attributes flag errors to the flags', () => {
    expect(() => resolveTrainerConfig({ overrides: { train: { epochs: -1 } } })).toThrow(
      'config.train.epochs: must be an integer >= 1, got -1 (in command-line flags)',
    );
  });
});

describe('readConfigFile', () => {
  it('reads YAML and JSON and reports parse errors with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmrecall-config-'));
    await writeFile(join(dir, 'a.yaml'), 'train:\n  epochs: 2\nmodel:\n  kind: id-only\n');
    await writeFile(join(dir, 'b.json'), '{"eval": {"k": 50}}');
    await writeFile(join(dir, 'c.json'), '{"eval": ');
    expect(await readConfigFile({ path: join(dir, 'a.yaml') })).toEqual({
      train: { epochs: 2 },
      model: { kind: 'id-only' },
    });
    expect(await readConfigFile({ path: join(dir, 'b.json') })).toEqual({ eval: { k: 50 } });
    await expect(readConfigFile({ path: join(dir, 'c.json') })).rejects.toThrow(/c\.json is not valid JSON/);
    await expect(readConfigFile({ path: join(dir, 'missing.yaml') })).rejects.toThrow(
      /cannot read config file .*missing\.yaml/,
    );
  });

  it('parses --set values as YAML scalars', () => {
    expect(parseSetFlag('train.lossWeights.triplet=0.25')).toEqual({
      path: 'train.lossWeights.triplet',
      value: 0.25,
    });
    expect(parseSetFlag('train.logQ=false')).toEqual({ path: 'train.logQ', value: false });
    expect(parseSetFlag('eval.cutoffs=[5, 10]')).toEqual({ path: 'eval.cutoffs', value: [5, 10] });
    expect(() => parseSetFlag('novalue')).toThrow(/--set: expected path=value/);
  });
});

describe('the data section', () => {
  it('validates folder settings by field path', () => {
    const folder = { source: 'folder', path: 'x' };
    expect(() => resolveTrainerConfig({ file: { data: { ...folder, items: { vector: ['a'] } } } })).toThrow(
      /config\.data\.items\.vector: unknown field \(known fields of config\.data\.items: id, tags, categorical, vectors, ignore, missingVectors\)/,
    );
    expect(() =>
      resolveTrainerConfig({ file: { data: { ...folder, vectors: { image: { ids: 'a.txt' } } } } }),
    ).toThrow(/config\.data\.vectors\.image\.file: is required/);
    expect(() => resolveTrainerConfig({ file: { data: { columns: { user: 'u' } } } })).toThrow(
      /config\.data\.columns: applies to config\.data\.source "folder" only, got "synthetic"/,
    );
    expect(() =>
      resolveTrainerConfig({
        file: {
          data: { split: { method: 'random', validFraction: 0.5, testFraction: 0.5, coldItemFraction: 0 } },
        },
      }),
    ).toThrow(/config\.data\.split\.testFraction: validFraction \+ testFraction must be < 1, got 1/);
    const config = resolveTrainerConfig({
      file: { data: { ...folder, delimiter: 'tab', items: { ignore: ['title'] } } },
    });
    expect(config.data.items).toEqual({ ignore: ['title'] });
    expect(config.data.split).toEqual({
      method: 'auto',
      validFraction: 0.1,
      testFraction: 0.1,
      coldItemFraction: 0.1,
    });
  });
});

describe('example configs', () => {
  it.each(['synthetic.yaml', 'tiktok.yaml', 'movielens.yaml', 'folder-npy.yaml'])(
    'configs/%s is valid',
    async (name) => {
      const path = join(import.meta.dirname, '..', 'configs', name);
      const config = resolveTrainerConfig({ file: await readConfigFile({ path }), fileName: path });
      expect(config.eval.k).toBe(20);
    },
  );
});
