import { InvalidArgumentError } from '@mmrecall/errors';
import { checkIndexRange, interactionCount } from './interactions';
import type { Interactions, ItemStatistics } from './types';

/** Beta prior of the smoothed CTR: ctr = (clicks + alpha) / (exposures + alpha + beta). */
export interface CtrPrior {
  /** Pseudo-clicks. */
  alpha: number;
  /** Pseudo-non-clicks. */
  beta: number;
}

/** Options of {@link computeItemStatistics}. */
export interface ComputeItemStatisticsOptions {
  /** The training interactions ONLY: statistics must not see valid/test data. */
  interactions: Interactions;
  /** Number of items (output length); every item index must be below it. */
  numItems: number;
  /** End of the training period, unix seconds. Default: the latest timestamp in `interactions`. */
  now?: number;
  /** CTR smoothing prior. Default: `{ alpha: 1, beta: 1 }` (Laplace). */
  ctrPrior?: CtrPrior;
}

const SECONDS_PER_DAY = 86_400;

/**
 * Posterior statistics per item from the given interactions: exposures (rows), clicks (rows with a
 * click; all rows when there is no click column), smoothed CTR, and age in days from the item's first
 * interaction to `now` (0 when never seen, when there are no timestamps, or when first seen after `now`).
 */
export function computeItemStatistics(options: ComputeItemStatisticsOptions): ItemStatistics {
  const { interactions, numItems } = options;
  if (!Number.isInteger(numItems) || numItems < 0) {
    throw new InvalidArgumentError({
      argument: 'numItems',
      message: `must be an integer >= 0, got ${numItems}`,
    });
  }
  const prior = options.ctrPrior ?? { alpha: 1, beta: 1 };
  if (!(prior.alpha >= 0) || !(prior.beta >= 0) || !(prior.alpha + prior.beta > 0)) {
    throw new InvalidArgumentError({
      argument: 'ctrPrior',
      message: `alpha and beta must be >= 0 with a positive sum, got ${prior.alpha}, ${prior.beta}`,
    });
  }
  if (options.now !== undefined && !Number.isFinite(options.now)) {
    throw new InvalidArgumentError({
      argument: 'now',
      message: `must be a finite unix time in seconds, got ${options.now}`,
    });
  }
  const counts = countItemInteractions({ interactions, numItems });
  return itemStatisticsFromCounts({
    exposures: counts.exposures,
    clicks: counts.clicks,
    ...(interactions.timestamps ? { firstSeen: counts.firstSeen } : {}),
    now: options.now ?? counts.latest,
    ctrPrior: prior,
  });
}

/** Raw per-item counts of {@link countItemInteractions}. */
export interface ItemCounts {
  /** Rows per item. */
  exposures: Float32Array;
  /** Rows with a click per item (every row when there is no click column). */
  clicks: Float32Array;
  /** Earliest timestamp per item, unix seconds; `+Infinity` when never seen or without timestamps. */
  firstSeen: Float64Array;
  /** The latest timestamp of all rows (`-Infinity` without timestamps or rows). */
  latest: number;
}

/** Options of {@link countItemInteractions}. */
export interface CountItemInteractionsOptions {
  /** The interactions to count. */
  interactions: Interactions;
  /** Number of items (output length); every item index must be below it. */
  numItems: number;
}

/**
 * Exposures, clicks and first-seen time per item: the counts behind {@link computeItemStatistics},
 * kept so that later rows (e.g. events at serving time) can be added before smoothing.
 */
export function countItemInteractions(options: CountItemInteractionsOptions): ItemCounts {
  const { interactions, numItems } = options;
  const n = interactionCount(interactions);
  checkIndexRange(interactions.items, numItems, 'interactions.items');
  const { items, clicks: clickColumn, timestamps } = interactions;
  const exposures = new Float32Array(numItems);
  const clicks = new Float32Array(numItems);
  const firstSeen = new Float64Array(numItems).fill(Number.POSITIVE_INFINITY);
  let latest = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < n; r++) {
    const item = items[r] as number;
    exposures[item] = (exposures[item] as number) + 1;
    if (clickColumn === undefined || clickColumn[r] === 1) clicks[item] = (clicks[item] as number) + 1;
    if (timestamps) {
      const time = timestamps[r] as number;
      if (time < (firstSeen[item] as number)) firstSeen[item] = time;
      if (time > latest) latest = time;
    }
  }
  return { exposures, clicks, firstSeen, latest };
}

/** Options of {@link itemStatisticsFromCounts}. */
export interface ItemStatisticsFromCountsOptions {
  /** Exposures per item (may be fractional, e.g. decayed). */
  exposures: Float32Array;
  /** Clicks per item, same length. */
  clicks: Float32Array;
  /** First-seen time per item in unix seconds (non-finite = never seen); omitted = every age is 0. */
  firstSeen?: Float64Array;
  /** Reference time of the ages, unix seconds; a non-finite value makes every age 0. */
  now: number;
  /** CTR smoothing prior. Default: `{ alpha: 1, beta: 1 }` (Laplace). */
  ctrPrior?: CtrPrior;
}

/**
 * The smoothing and age rules of {@link computeItemStatistics} applied to counts: the smoothed CTR
 * `(clicks + alpha) / (exposures + alpha + beta)` and the age in days from first seen to `now`
 * (0 when never seen or first seen after `now`).
 */
export function itemStatisticsFromCounts(options: ItemStatisticsFromCountsOptions): ItemStatistics {
  const { exposures, clicks, firstSeen, now } = options;
  const prior = options.ctrPrior ?? { alpha: 1, beta: 1 };
  const numItems = exposures.length;
  if (clicks.length !== numItems || (firstSeen && firstSeen.length !== numItems)) {
    throw new InvalidArgumentError({
      argument: 'clicks',
      message: `exposures, clicks and firstSeen must have one value per item (${numItems})`,
    });
  }
  const ctr = new Float32Array(numItems);
  const age = new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    ctr[i] = ((clicks[i] as number) + prior.alpha) / ((exposures[i] as number) + prior.alpha + prior.beta);
    const first = firstSeen ? (firstSeen[i] as number) : Number.NaN;
    if (Number.isFinite(first) && Number.isFinite(now)) age[i] = Math.max(0, (now - first) / SECONDS_PER_DAY);
  }
  return { exposures, clicks, ctr, age };
}
