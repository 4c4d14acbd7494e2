import { InvalidArgumentError } from '@mmrecall/errors';
import { createRandom, type RandomSource, shuffleInPlace } from '@mmrecall/random';
import { checkIndexRange, inferNumItems, interactionCount, partitionRows } from './interactions';
import type { DatasetSplit, Interactions } from './types';

/** Options of {@link splitByTime}. */
export interface SplitByTimeOptions {
  /** Interactions with `timestamps`. */
  interactions: Interactions;
  /** Share of rows (by time) for validation, in [0, 1). */
  validFraction: number;
  /** Share of the latest rows for test, in [0, 1). */
  testFraction: number;
  /** Number of items, for `coldItems`. Default: largest item index + 1. */
  numItems?: number;
}

/** Options of {@link splitRandomHoldout}. */
export interface SplitRandomHoldoutOptions {
  /** Interactions to split. */
  interactions: Interactions;
  /** Share of rows for validation, in [0, 1). */
  validFraction: number;
  /** Share of rows for test, in [0, 1). */
  testFraction: number;
  /** PRNG seed; the same seed gives the same split. */
  seed: number;
  /**
   * Hold out the fractions of each user's rows (rounded, keeping at least one train row per user)
   * instead of the fractions of all rows. Default: false.
   */
  perUser?: boolean;
  /** Number of items, for `coldItems`. Default: largest item index + 1. */
  numItems?: number;
}

/** Options of {@link splitColdItems}. */
export interface SplitColdItemsOptions {
  /** Interactions to split. */
  interactions: Interactions;
  /** Number of items (length of `coldItems`); every item index must be below it. */
  numItems: number;
  /**
   * Share of the items that have interactions to hold out entirely (rounded). Held-out items are
   * divided between valid and test in the ratio validFraction : testFraction, so valid and test cold
   * items are disjoint; all rows of a held-out item go to its part.
   */
  coldItemFraction: number;
  /** PRNG seed; the same seed gives the same split. */
  seed: number;
  /** Share of the remaining (warm-item) rows for validation, in [0, 1). */
  validFraction: number;
  /** Share of the remaining (warm-item) rows for test, in [0, 1). */
  testFraction: number;
}

function checkFractions(validFraction: number, testFraction: number): void {
  for (const [argument, value] of [
    ['validFraction', validFraction],
    ['testFraction', testFraction],
  ] as const) {
    if (!(value >= 0 && value < 1))
      throw new InvalidArgumentError({ argument, message: `must be in [0, 1), got ${value}` });
  }
  if (validFraction + testFraction >= 1) {
    throw new InvalidArgumentError({
      argument: 'validFraction',
      message: `validFraction + testFraction must be < 1 (nothing left to train on), got ${validFraction + testFraction}`,
    });
  }
}

function checkSeed(seed: number): void {
  if (!Number.isFinite(seed))
    throw new InvalidArgumentError({ argument: 'seed', message: `must be a finite number, got ${seed}` });
}

function resolveNumItems(interactions: Interactions, numItems: number | undefined): number {
  if (numItems === undefined) return inferNumItems([interactions]);
  if (!Number.isInteger(numItems) || numItems < 0) {
    throw new InvalidArgumentError({
      argument: 'numItems',
      message: `must be an integer >= 0, got ${numItems}`,
    });
  }
  checkIndexRange(interactions.items, numItems, 'interactions.items');
  return numItems;
}

/** 1 for every item without a positive (click) row in `train`. */
export function coldItemsOf(train: Interactions, numItems: number): Uint8Array {
  const cold = new Uint8Array(numItems).fill(1);
  const { items, clicks } = train;
  for (let r = 0; r < items.length; r++)
    if (clicks === undefined || clicks[r] === 1) cold[items[r] as number] = 0;
  return cold;
}

function toSplit(interactions: Interactions, part: Uint8Array, numItems: number): DatasetSplit {
  const [train, valid, test] = partitionRows(interactions, part);
  return { train, valid, test, coldItems: coldItemsOf(train, numItems) };
}

/** Assigns `rows` (already shuffled) to test first, then valid, by rounded fractions. */
function assignHoldout(
  rows: Int32Array,
  part: Uint8Array,
  validFraction: number,
  testFraction: number,
  keepOneTrain: boolean,
): void {
  const n = rows.length;
  let test = Math.round(n * testFraction);
  let valid = Math.round(n * validFraction);
  if (keepOneTrain && n > 0) {
    while (test + valid > n - 1) {
      if (valid > 0) valid--;
      else test--;
    }
  }
  for (let k = 0; k < n; k++) part[rows[k] as number] = k < test ? 2 : k < test + valid ? 1 : 0;
}

/**
 * Global time split: the earliest rows go to train, then valid, the latest `testFraction` to test.
 * Cut points are timestamps, so rows sharing a timestamp stay together (fractions are approximate
 * with ties). Rows keep their input order within each part.
 */
export function splitByTime(options: SplitByTimeOptions): DatasetSplit {
  const { interactions, validFraction, testFraction } = options;
  const n = interactionCount(interactions);
  checkFractions(validFraction, testFraction);
  const numItems = resolveNumItems(interactions, options.numItems);
  const timestamps = interactions.timestamps;
  if (timestamps === undefined) {
    throw new InvalidArgumentError({
      argument: 'interactions.timestamps',
      message: 'a time split needs timestamps',
    });
  }
  const sorted = timestamps.slice().sort();
  const trainCount = Math.round(n * (1 - validFraction - testFraction));
  const trainValidCount = Math.round(n * (1 - testFraction));
  const validStart = trainCount < n ? (sorted[trainCount] as number) : Number.POSITIVE_INFINITY;
  const testStart = trainValidCount < n ? (sorted[trainValidCount] as number) : Number.POSITIVE_INFINITY;
  const part = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const time = timestamps[r] as number;
    part[r] = time < validStart ? 0 : time < testStart ? 1 : 2;
  }
  return toSplit(interactions, part, numItems);
}

/** Random holdout of rows (or of each user's rows), deterministic from `seed`. */
export function splitRandomHoldout(options: SplitRandomHoldoutOptions): DatasetSplit {
  const { interactions, validFraction, testFraction, seed } = options;
  const n = interactionCount(interactions);
  checkFractions(validFraction, testFraction);
  checkSeed(seed);
  const numItems = resolveNumItems(interactions, options.numItems);
  const random = createRandom(seed);
  const part = new Uint8Array(n);
  if (options.perUser ?? false) {
    for (const rows of rowsByKey(interactions.users)) {
      assignHoldout(shuffleInPlace(rows, random), part, validFraction, testFraction, true);
    }
  } else {
    assignHoldout(shuffledRange(n, random), part, validFraction, testFraction, false);
  }
  return toSplit(interactions, part, numItems);
}

/**
 * Cold-item split: a share of the items is held out entirely (all their rows go to valid or test),
 * the rows of the other items are split at random. Deterministic from `seed`.
 */
export function splitColdItems(options: SplitColdItemsOptions): DatasetSplit {
  const { interactions, numItems, coldItemFraction, seed, validFraction, testFraction } = options;
  const n = interactionCount(interactions);
  checkFractions(validFraction, testFraction);
  checkSeed(seed);
  if (!(coldItemFraction >= 0 && coldItemFraction < 1)) {
    throw new InvalidArgumentError({
      argument: 'coldItemFraction',
      message: `must be in [0, 1), got ${coldItemFraction}`,
    });
  }
  if (coldItemFraction > 0 && validFraction + testFraction === 0) {
    throw new InvalidArgumentError({
      argument: 'coldItemFraction',
      message: 'held-out items need validFraction or testFraction > 0',
    });
  }
  resolveNumItems(interactions, numItems);
  const random = createRandom(seed);
  const seen = new Uint8Array(numItems);
  for (let r = 0; r < n; r++) seen[interactions.items[r] as number] = 1;
  const seenItems = Int32Array.from({ length: numItems }, (_, i) => i).filter((i) => seen[i] === 1);
  shuffleInPlace(seenItems, random);
  const coldCount = Math.round(seenItems.length * coldItemFraction);
  const validColdCount =
    validFraction + testFraction > 0
      ? Math.round((coldCount * validFraction) / (validFraction + testFraction))
      : 0;
  const heldOut = new Uint8Array(numItems); // 0 = warm, 2 = valid cold, 3 = test cold
  for (let k = 0; k < coldCount; k++) heldOut[seenItems[k] as number] = k < validColdCount ? 2 : 3;
  const part = new Uint8Array(n);
  let warmCount = 0;
  for (let r = 0; r < n; r++) {
    const held = heldOut[interactions.items[r] as number] as number;
    if (held === 0) warmCount++;
    else part[r] = held === 2 ? 1 : 2;
  }
  const warmRows = new Int32Array(warmCount);
  for (let r = 0, k = 0; r < n; r++) if (heldOut[interactions.items[r] as number] === 0) warmRows[k++] = r;
  assignHoldout(shuffleInPlace(warmRows, random), part, validFraction, testFraction, false);
  return toSplit(interactions, part, numItems);
}

function shuffledRange(n: number, random: RandomSource): Int32Array {
  const rows = new Int32Array(n);
  for (let r = 0; r < n; r++) rows[r] = r;
  return shuffleInPlace(rows, random);
}

/** Row indices grouped by key (e.g. user), each group in input order. */
function rowsByKey(keys: Int32Array): Int32Array[] {
  let max = -1;
  for (let r = 0; r < keys.length; r++) {
    const key = keys[r] as number;
    if (key < 0)
      throw new InvalidArgumentError({
        argument: 'interactions.users',
        message: `row ${r} has index ${key} < 0`,
      });
    if (key > max) max = key;
  }
  const counts = new Int32Array(max + 2);
  for (let r = 0; r < keys.length; r++) {
    const slot = (keys[r] as number) + 1;
    counts[slot] = (counts[slot] as number) + 1;
  }
  for (let k = 0; k <= max; k++) counts[k + 1] = (counts[k + 1] as number) + (counts[k] as number);
  const order = new Int32Array(keys.length);
  const cursor = counts.slice(0, max + 1);
  for (let r = 0; r < keys.length; r++) {
    const key = keys[r] as number;
    const at = cursor[key] as number;
    cursor[key] = at + 1;
    order[at] = r;
  }
  const groups: Int32Array[] = [];
  for (let k = 0; k <= max; k++) groups.push(order.subarray(counts[k] as number, counts[k + 1] as number));
  return groups;
}

/** How {@link splitInteractions} divides rows: global time, per-user random, or whole items held out. */
export type SplitMethod = 'time' | 'random' | 'cold-item';

/** Options of {@link splitInteractions}. */
export interface SplitInteractionsOptions {
  /** Interactions to split. */
  interactions: Interactions;
  /** Number of items (length of `coldItems`). */
  numItems: number;
  /** `time` (needs timestamps), `random` (per user, at least one train row each) or `cold-item`. */
  method: SplitMethod;
  /** Share for validation, in [0, 1). */
  validFraction: number;
  /** Share for test, in [0, 1). */
  testFraction: number;
  /** `cold-item` only: share of the items held out whole. */
  coldItemFraction?: number;
  /** PRNG seed of the random methods. */
  seed: number;
}

/** One entry point over the three split functions, for configs that name the method. */
export function splitInteractions(options: SplitInteractionsOptions): DatasetSplit {
  const { interactions, numItems, validFraction, testFraction, seed } = options;
  switch (options.method) {
    case 'time':
      return splitByTime({ interactions, validFraction, testFraction, numItems });
    case 'random':
      return splitRandomHoldout({ interactions, validFraction, testFraction, seed, perUser: true, numItems });
    case 'cold-item':
      if (options.coldItemFraction === undefined) {
        throw new InvalidArgumentError({
          argument: 'coldItemFraction',
          message: 'is required by the cold-item split',
        });
      }
      return splitColdItems({
        interactions,
        numItems,
        coldItemFraction: options.coldItemFraction,
        seed,
        validFraction,
        testFraction,
      });
    default:
      throw new InvalidArgumentError({
        argument: 'method',
        message: `must be time, random or cold-item, got ${JSON.stringify(options.method)}`,
      });
  }
}
