import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { InvalidSearchSpaceError } from './errors';

/** A dimension searched over a list of values, in file order (grid search). */
export interface ChoiceDimension {
  type: 'choice';
  /** Config path, the same as `--set` takes (`train.temperature`). */
  path: string;
  values: unknown[];
}

/** A dimension drawn from [min, max] (random search): uniform, or log-uniform with `log`. */
export interface RangeDimension {
  type: 'range';
  path: string;
  min: number;
  max: number;
  /** Draw log-uniformly (min must be > 0). */
  log: boolean;
  /** Round to the nearest integer (min and max must be integers). */
  integer: boolean;
}

export type SearchDimension = ChoiceDimension | RangeDimension;

/** A parsed search-space file. */
export interface SearchSpace {
  /** The file it was read from (quoted in errors). */
  file: string;
  /** Dimensions in file order. */
  dimensions: SearchDimension[];
  /** `budget.trials` of the file, when set. */
  trials?: number;
  /** `budget.minutes` of the file: no new trial starts after this much wall time. */
  minutes?: number;
  /** `seed` of the file: seed of the random sampler. Default 1. */
  seed: number;
}

/** Options of {@link parseSearchSpace}. */
export interface ParseSearchSpaceOptions {
  /** The YAML (or JSON) text. */
  text: string;
  /** File name quoted in errors. */
  file: string;
  /**
   * Checks one setting against the config it will be applied to; throws (any error, its message
   * is quoted) for an unknown path or a value the config refuses. Called for every choice value
   * and for both ends of every range.
   */
  checkSetting?: (path: string, value: unknown) => void;
}

const TOP_LEVEL = ['space', 'budget', 'seed'];
const RANGE_KEYS = ['min', 'max', 'log', 'integer'];
const BUDGET_KEYS = ['trials', 'minutes'];

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Parses a search space:
 *
 * ```yaml
 * budget: { trials: 12, minutes: 60 }   # optional; --trials overrides budget.trials
 * seed: 1                               # optional seed of the random sampler
 * space:
 *   train.temperature: [0.1, 0.2, 0.3]  # a list: grid values
 *   train.learningRate: { min: 0.0005, max: 0.005, log: true }   # a range: random search
 *   model.historyLength: { min: 0, max: 50, integer: true }
 * ```
 *
 * Every error is an {@link InvalidSearchSpaceError} naming the file, the line and the field.
 */
export function parseSearchSpace(options: ParseSearchSpaceOptions): SearchSpace {
  const { file } = options;
  const lineCounter = new LineCounter();
  const document = parseDocument(options.text, { lineCounter });
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as Node | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  if (document.errors.length > 0) {
    const first = document.errors[0];
    throw new InvalidSearchSpaceError({
      file,
      ...(first?.linePos?.[0] ? { line: first.linePos[0].line } : {}),
      field: '(file)',
      message: `not valid YAML: ${first?.message.split('\n')[0] ?? 'parse error'}`,
      cause: first,
    });
  }
  /** Line of the key (or value) at `path` in the document. */
  const lineAt = (path: string[]): number | undefined => {
    let node: unknown = document.contents;
    let line: number | undefined = lineOf(node);
    for (const key of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (!pair) break;
      line = lineOf(pair.key) ?? line;
      node = pair.value;
    }
    return line;
  };
  const fail = (path: string[], message: string, cause?: unknown): never => {
    const line = lineAt(path);
    throw new InvalidSearchSpaceError({
      file,
      ...(line === undefined ? {} : { line }),
      field: path.join('.') || '(file)',
      message,
      ...(cause === undefined ? {} : { cause }),
    });
  };
  const root: unknown = document.toJS();
  if (!isRecord(root)) return fail([], `must be a mapping with a "space" section, got ${describe(root)}`);
  for (const key of Object.keys(root))
    if (!TOP_LEVEL.includes(key)) fail([key], `unknown field (known: ${TOP_LEVEL.join(', ')})`);

  const space: SearchSpace = { file, dimensions: [], seed: 1 };
  if (root.seed !== undefined) {
    if (typeof root.seed !== 'number' || !Number.isInteger(root.seed) || root.seed < 0)
      fail(['seed'], `must be an integer >= 0, got ${describe(root.seed)}`);
    space.seed = root.seed as number;
  }
  if (root.budget !== undefined) {
    const budget = root.budget;
    if (!isRecord(budget))
      return fail(['budget'], `must be a mapping (trials, minutes), got ${describe(budget)}`);
    for (const key of Object.keys(budget))
      if (!BUDGET_KEYS.includes(key))
        fail(['budget', key], `unknown field (known: ${BUDGET_KEYS.join(', ')})`);
    if (budget.trials !== undefined)
      space.trials = checkTrials(budget.trials, (message) => fail(['budget', 'trials'], message));
    if (budget.minutes !== undefined) {
      const minutes = budget.minutes;
      if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0)
        fail(['budget', 'minutes'], `must be a number > 0, got ${describe(minutes)}`);
      space.minutes = minutes as number;
    }
  }
  const dimensions = root.space;
  if (dimensions === undefined) return fail(['space'], 'is required: a mapping of config paths to values');
  if (!isRecord(dimensions) || Object.keys(dimensions).length === 0)
    return fail(
      ['space'],
      `must be a non-empty mapping of config paths to a list or {min, max}, got ${describe(dimensions)}`,
    );

  for (const [path, spec] of Object.entries(dimensions)) {
    const at = ['space', path];
    const check = (value: unknown, field: string[]): void => {
      try {
        options.checkSetting?.(path, value);
      } catch (error) {
        fail(field, (error as Error).message, error);
      }
    };
    if (Array.isArray(spec)) {
      if (spec.length === 0) fail(at, 'empty list: give at least one value');
      for (const [i, value] of spec.entries()) check(value, [...at, String(i)]);
      space.dimensions.push({ type: 'choice', path, values: spec });
      continue;
    }
    if (!isRecord(spec))
      fail(at, `must be a list of values or a range { min, max, log?, integer? }, got ${describe(spec)}`);
    const range = spec as Record<string, unknown>;
    for (const key of Object.keys(range))
      if (!RANGE_KEYS.includes(key))
        fail([...at, key], `unknown field of a range (known: ${RANGE_KEYS.join(', ')})`);
    for (const key of ['min', 'max'] as const) {
      const value = range[key];
      if (value === undefined) fail([...at, key], 'is required in a range');
      if (typeof value !== 'number' || !Number.isFinite(value))
        fail([...at, key], `must be a number, got ${describe(value)}`);
    }
    for (const key of ['log', 'integer'] as const)
      if (range[key] !== undefined && typeof range[key] !== 'boolean')
        fail([...at, key], `must be true or false, got ${describe(range[key])}`);
    const min = range.min as number;
    const max = range.max as number;
    const log = range.log === true;
    const integer = range.integer === true;
    if (min > max) fail([...at, 'min'], `min (${min}) > max (${max})`);
    if (log && min <= 0) fail([...at, 'min'], `must be > 0 with log: true, got ${min}`);
    if (integer && (!Number.isInteger(min) || !Number.isInteger(max)))
      fail(
        [...at, Number.isInteger(min) ? 'max' : 'min'],
        `must be an integer with integer: true, got ${Number.isInteger(min) ? max : min}`,
      );
    check(min, [...at, 'min']);
    check(max, [...at, 'max']);
    space.dimensions.push({ type: 'range', path, min, max, log, integer });
  }
  return space;
}

/** Checks a trial budget (`budget.trials`, `--trials`): an integer >= 1. */
export function checkTrials(value: unknown, fail: (message: string) => never): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    fail(`must be an integer >= 1, got ${describe(value)}`);
  return value as number;
}

/** Options of {@link readSearchSpace}. */
export interface ReadSearchSpaceOptions {
  /** Path of the YAML file. */
  path: string;
  /** See {@link ParseSearchSpaceOptions.checkSetting}. */
  checkSetting?: (path: string, value: unknown) => void;
}

/** Reads and parses a search-space file ({@link parseSearchSpace}). */
export async function readSearchSpace(options: ReadSearchSpaceOptions): Promise<SearchSpace> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    throw new InvalidSearchSpaceError({
      file: options.path,
      field: '(file)',
      message: `cannot read the search space (${(error as Error).message})`,
      cause: error,
    });
  }
  return parseSearchSpace({
    text,
    file: options.path,
    ...(options.checkSetting ? { checkSetting: options.checkSetting } : {}),
  });
}
