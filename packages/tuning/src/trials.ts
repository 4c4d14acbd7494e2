import { createRandom, type RandomSource, shuffleInPlace } from '@mmrecall/random';
import type { SearchDimension, SearchSpace } from './search-space';

/** One trial's settings: config path -> value, in the space's dimension order. */
export type TrialSettings = Record<string, unknown>;

/** The trials a search will run, in order. */
export interface TrialPlan {
  /**
   * `grid`: every combination of the lists (first dimension slowest); `grid-sample`: a seeded sample
   * of the grid without repeats (the budget is smaller than the grid); `random`: seeded draws (the
   * space has a range).
   */
  mode: 'grid' | 'grid-sample' | 'random';
  /** Size of the full grid (choice dimensions only), or Infinity when the space has a range. */
  gridSize: number;
  settings: TrialSettings[];
}

/** Options of {@link planTrials}. */
export interface PlanTrialsOptions {
  space: SearchSpace;
  /** Trial budget; required when the space has a range. Default (grid only): the whole grid. */
  trials?: number;
}

/** The `index`-th combination of the grid (mixed radix, last dimension fastest). */
function gridPoint(dimensions: SearchDimension[], index: number): TrialSettings {
  const settings: TrialSettings = {};
  let rest = index;
  const values: unknown[] = new Array(dimensions.length);
  for (let d = dimensions.length - 1; d >= 0; d--) {
    const choices = (dimensions[d] as { values: unknown[] }).values;
    values[d] = choices[rest % choices.length];
    rest = Math.floor(rest / choices.length);
  }
  dimensions.forEach((dimension, d) => {
    settings[dimension.path] = values[d];
  });
  return settings;
}

/** One draw of a dimension; ranges keep 4 significant digits so settings read (and reproduce) cleanly. */
function draw(dimension: SearchDimension, random: RandomSource): unknown {
  if (dimension.type === 'choice') return dimension.values[Math.floor(random() * dimension.values.length)];
  const { min, max } = dimension;
  const u = random();
  if (dimension.integer) {
    // Each integer in [min, max] equally likely (log: each by its share of the log interval).
    const value = dimension.log
      ? Math.floor(Math.exp(Math.log(min) + u * (Math.log(max + 1) - Math.log(min))))
      : min + Math.floor(u * (max - min + 1));
    return Math.min(max, Math.max(min, value));
  }
  const value = dimension.log
    ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)))
    : min + u * (max - min);
  return Math.min(max, Math.max(min, Number(value.toPrecision(4))));
}

/**
 * The trials of a search, deterministic for a given space, seed and budget: the whole grid in
 * order, a seeded sample of it when the budget is smaller, or `trials` seeded random draws when
 * the space has a range (`space.seed` seeds the sampler).
 */
export function planTrials(options: PlanTrialsOptions): TrialPlan {
  const { space, trials } = options;
  const { dimensions } = space;
  const hasRange = dimensions.some((dimension) => dimension.type === 'range');
  const random = createRandom(space.seed);
  if (hasRange) {
    if (trials === undefined) throw new Error('a trial budget is required when the space has a range');
    const settings: TrialSettings[] = [];
    for (let t = 0; t < trials; t++) {
      const one: TrialSettings = {};
      for (const dimension of dimensions) one[dimension.path] = draw(dimension, random);
      settings.push(one);
    }
    return { mode: 'random', gridSize: Number.POSITIVE_INFINITY, settings };
  }
  const gridSize = dimensions.reduce(
    (size, dimension) => size * (dimension as { values: unknown[] }).values.length,
    1,
  );
  if (trials === undefined || trials >= gridSize) {
    return {
      mode: 'grid',
      gridSize,
      settings: Array.from({ length: gridSize }, (_, i) => gridPoint(dimensions, i)),
    };
  }
  let indices: number[];
  if (gridSize <= 1 << 20) {
    indices = Array.from(
      shuffleInPlace(
        Int32Array.from({ length: gridSize }, (_, i) => i),
        random,
      ).subarray(0, trials),
    );
  } else {
    const seen = new Set<number>();
    indices = [];
    while (indices.length < trials) {
      const index = Math.floor(random() * gridSize);
      if (seen.has(index)) continue;
      seen.add(index);
      indices.push(index);
    }
  }
  return { mode: 'grid-sample', gridSize, settings: indices.map((index) => gridPoint(dimensions, index)) };
}
