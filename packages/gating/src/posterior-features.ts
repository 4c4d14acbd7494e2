import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';

/** Per-item posterior statistics from the training period (structurally `ItemStatistics` of `@mmrecall/data`). */
export interface PosteriorStatistics {
  /** Exposures per item (rows in train, click or not). */
  exposures: Float32Array;
  /** Clicks per item in train. */
  clicks: Float32Array;
  /** Smoothed click-through rate per item. */
  ctr: Float32Array;
  /** Item age (any fixed unit, e.g. days) at the end of the training period. */
  age: Float32Array;
}

/** Divisors that bring each log feature to about [0, 1]; fit once on training statistics, reuse at serving. */
export interface PosteriorScale {
  /** Divisor of `log1p(exposures)` (the training maximum). */
  logExposures: number;
  /** Divisor of `log1p(clicks)` (the training maximum). */
  logClicks: number;
  /** Divisor of `log1p(age)` (the training maximum). */
  age: number;
}

/** Number of features per item produced by {@link posteriorFeatures}. */
export const POSTERIOR_FEATURE_COUNT = 4;

/** Options of {@link fitPosteriorScale}. */
export interface FitPosteriorScaleOptions {
  /** Training-period statistics of every item. */
  statistics: PosteriorStatistics;
}

/**
 * The scales of {@link posteriorFeatures}: the maximum of `log1p(exposures)`, `log1p(clicks)` and
 * `log1p(age)` over all items (1 where the maximum is 0, e.g. a data set without exposures). Store them
 * with the model so serving scales new items exactly as training did.
 */
export function fitPosteriorScale(options: FitPosteriorScaleOptions): PosteriorScale {
  const { statistics } = options;
  const size = validateStatistics(statistics);
  let exposures = 0;
  let clicks = 0;
  let age = 0;
  for (let i = 0; i < size; i++) {
    exposures = Math.max(exposures, Math.log1p(statistics.exposures[i]!));
    clicks = Math.max(clicks, Math.log1p(statistics.clicks[i]!));
    age = Math.max(age, Math.log1p(Math.max(0, statistics.age[i]!)));
  }
  return { logExposures: exposures || 1, logClicks: clicks || 1, age: age || 1 };
}

/** Options of {@link posteriorFeatures}. */
export interface PosteriorFeaturesOptions {
  /** Exposures per item. */
  exposures: Float32Array;
  /** Clicks per item. */
  clicks: Float32Array;
  /** Smoothed CTR per item (used as is; zeroed for items with neither exposures nor clicks). */
  ctr: Float32Array;
  /** Age per item; negative ages (published after the reference time) count as 0. */
  age: Float32Array;
  /** Items to featurise, in output row order. Default: every item. */
  indices?: Int32Array;
  /** Scales from {@link fitPosteriorScale}. Default: fitted on the given arrays (all items, not only `indices`). */
  scale?: PosteriorScale;
}

/**
 * Gate inputs, row-major `[indices.length x 4]`: `log1p(exposures) / scale.logExposures`,
 * `log1p(clicks) / scale.logClicks`, smoothed CTR, `log1p(age) / scale.age`. An item with no exposures
 * and no clicks gets CTR feature 0 (not the smoothing prior), so a cold item with zero statistics maps to
 * all-zero features, the input the gate sees for new items at serving time.
 */
export function posteriorFeatures(options: PosteriorFeaturesOptions): Float32Array {
  const { exposures, clicks, ctr, age } = options;
  const size = validateStatistics({ exposures, clicks, ctr, age });
  const scale = options.scale ?? fitPosteriorScale({ statistics: { exposures, clicks, ctr, age } });
  for (const key of ['logExposures', 'logClicks', 'age'] as const) {
    if (!(scale[key] > 0) || !Number.isFinite(scale[key])) {
      throw new InvalidArgumentError({
        argument: `scale.${key}`,
        message: `must be a finite number > 0, got ${scale[key]}`,
      });
    }
  }
  const indices = options.indices ?? Int32Array.from({ length: size }, (_, i) => i);
  const out = new Float32Array(indices.length * POSTERIOR_FEATURE_COUNT);
  for (let n = 0; n < indices.length; n++) {
    const item = indices[n]!;
    if (item < 0 || item >= size) {
      throw new InvalidArgumentError({
        argument: 'indices',
        message: `item ${item} at ${n} is outside [0, ${size})`,
      });
    }
    const e = exposures[item]!;
    const c = clicks[item]!;
    const row = n * POSTERIOR_FEATURE_COUNT;
    out[row] = Math.log1p(e) / scale.logExposures;
    out[row + 1] = Math.log1p(c) / scale.logClicks;
    out[row + 2] = e > 0 || c > 0 ? ctr[item]! : 0;
    out[row + 3] = Math.log1p(Math.max(0, age[item]!)) / scale.age;
  }
  return out;
}

/** Checks equal lengths and finite, non-negative counts; returns the number of items. */
function validateStatistics(statistics: PosteriorStatistics): number {
  const size = statistics.exposures.length;
  for (const key of ['exposures', 'clicks', 'ctr', 'age'] as const) {
    const values = statistics[key];
    if (values.length !== size) {
      throw new ShapeMismatchError({
        message: `${key} must have one value per item`,
        expected: [size],
        actual: [values.length],
      });
    }
    for (let i = 0; i < size; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v) || (key !== 'age' && v < 0)) {
        throw new InvalidArgumentError({
          argument: key,
          message: `must be finite${key === 'age' ? '' : ' and >= 0'}, got ${v} at item ${i}`,
        });
      }
    }
  }
  return size;
}
