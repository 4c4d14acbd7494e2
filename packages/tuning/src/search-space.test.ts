import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSearchSpaceError } from './errors';
import { parseSearchSpace, readSearchSpace } from './search-space';

const KNOWN = new Set(['train.temperature', 'train.learningRate', 'model.dim', 'model.historyLength']);
/** A stand-in for the trainer's config check: known paths, positive numbers. */
function checkSetting(path: string, value: unknown): void {
  if (!KNOWN.has(path)) throw new Error(`config.${path}: unknown field`);
  if (typeof value !== 'number' || value < 0)
    throw new Error(`config.${path}: must be a number >= 0, got ${value}`);
}

function parse(text: string) {
  return parseSearchSpace({ text, file: 'space.yaml', checkSetting });
}

function errorOf(text: string): InvalidSearchSpaceError {
  try {
    parse(text);
  } catch (error) {
    expect(InvalidSearchSpaceError.isInstance(error)).toBe(true);
    return error as InvalidSearchSpaceError;
  }
  throw new Error('expected an error');
}

describe('parseSearchSpace', () => {
  it('reads lists, ranges, the budget and the sampler seed in file order', () => {
    const space = parse(
      [
        'budget: { trials: 12, minutes: 30.5 }',
        'seed: 3',
        'space:',
        '  train.temperature: [0.1, 0.2]',
        '  train.learningRate: { min: 0.0005, max: 0.005, log: true }',
        '  model.historyLength: { min: 0, max: 50, integer: true }',
      ].join('\n'),
    );
    expect(space).toEqual({
      file: 'space.yaml',
      trials: 12,
      minutes: 30.5,
      seed: 3,
      dimensions: [
        { type: 'choice', path: 'train.temperature', values: [0.1, 0.2] },
        { type: 'range', path: 'train.learningRate', min: 0.0005, max: 0.005, log: true, integer: false },
        { type: 'range', path: 'model.historyLength', min: 0, max: 50, log: false, integer: true },
      ],
    });
  });

  it.each([
    ['space:\n  train.temprature: [0.1]\n', 2, 'space.train.temprature.0', 'unknown field'],
    ['space:\n  model.dim: []\n', 2, 'space.model.dim', 'empty list'],
    ['space:\n  model.dim: [32, -1]\n', 2, 'space.model.dim.1', 'must be a number >= 0'],
    [
      'space:\n  train.learningRate:\n    min: 0.01\n    max: 0.001\n',
      3,
      'space.train.learningRate.min',
      'min (0.01) > max (0.001)',
    ],
    [
      'space:\n  train.learningRate:\n    min: fast\n    max: 0.001\n',
      3,
      'space.train.learningRate.min',
      'must be a number, got "fast"',
    ],
    ['space:\n  train.learningRate: { max: 0.001 }\n', 2, 'space.train.learningRate.min', 'is required'],
    [
      'space:\n  train.learningRate: { min: 0, max: 0.1, log: true }\n',
      2,
      'space.train.learningRate.min',
      'must be > 0 with log: true',
    ],
    [
      'space:\n  model.historyLength: { min: 0, max: 2.5, integer: true }\n',
      2,
      'space.model.historyLength.max',
      'must be an integer',
    ],
    [
      'space:\n  model.dim: { min: 1, max: 2, step: 1 }\n',
      2,
      'space.model.dim.step',
      'unknown field of a range',
    ],
    ['space:\n  model.dim: 64\n', 2, 'space.model.dim', 'must be a list of values or a range'],
    ['space: {}\n', 1, 'space', 'non-empty mapping'],
    ['budget: { trials: 4 }\n', undefined, 'space', 'is required'],
    [
      'budget:\n  trials: 0\nspace:\n  model.dim: [32]\n',
      2,
      'budget.trials',
      'must be an integer >= 1, got 0',
    ],
    [
      'budget:\n  trials: 2.5\nspace:\n  model.dim: [32]\n',
      2,
      'budget.trials',
      'must be an integer >= 1, got 2.5',
    ],
    [
      'budget:\n  minutes: -1\nspace:\n  model.dim: [32]\n',
      2,
      'budget.minutes',
      'must be a number > 0, got -1',
    ],
    ['budget:\n  hours: 1\nspace:\n  model.dim: [32]\n', 2, 'budget.hours', 'unknown field'],
    ['spaces:\n  model.dim: [32]\n', 1, 'spaces', 'unknown field'],
    ['space:\n  model.dim: [32\n', undefined, '(file)', 'not valid YAML'],
  ])('%j: one line naming line %s and field %s', (text, line, field, message) => {
    const error = errorOf(text);
    expect(error.file).toBe('space.yaml');
    expect(error.field).toBe(field);
    if (line !== undefined) expect(error.line).toBe(line);
    expect(error.message).toContain(message);
    expect(error.message).toMatch(
      new RegExp(
        `^space\\.yaml(:\\d+)?: ${field.replaceAll('.', '\\.').replace('(', '\\(').replace(')', '\\)')}: `,
      ),
    );
    expect(error.message).not.toContain('\n');
  });

  it('checks both ends of a range against the config', () => {
    const error = errorOf('space:\n  model.dim: { min: -4, max: 8, integer: true }\n');
    expect(error.field).toBe('space.model.dim.min');
    expect(error.message).toContain('config.model.dim: must be a number >= 0, got -4');
  });

  it('reads a file and names it when it is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-space-'));
    try {
      const path = join(dir, 'space.yaml');
      await writeFile(path, 'space:\n  model.dim: [32, 64]\n');
      const space = await readSearchSpace({ path, checkSetting });
      expect(space.dimensions).toEqual([{ type: 'choice', path: 'model.dim', values: [32, 64] }]);
      await expect(readSearchSpace({ path: join(dir, 'nope.yaml') })).rejects.toThrow(
        /nope\.yaml: \(file\): cannot read/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
