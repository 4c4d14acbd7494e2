import {
  computeItemStatistics,
  type Dataset,
  type DatasetSplit,
  type Interactions,
  type ItemStatistics,
  itemPopularity,
} from '@mmrecall/data';

/** A data set ready for training: ids, content, split, and training-period statistics. */
export interface TrainingData {
  /** Short name for reports, e.g. `synthetic-default`, `tiktok`. */
  name: string;
  /** The data set (ids, all interactions, content, profile). */
  dataset: Dataset;
  /** Train (fit), valid (early stopping) and test (reported) interactions; cold items. */
  split: DatasetSplit;
  /** Number of users. */
  numUsers: number;
  /** Number of items. */
  numItems: number;
  /** Posterior statistics from the training period only (gate inputs). */
  statistics: ItemStatistics;
  /** Positive training interactions per item (logQ, long tail, popularity buckets). */
  popularity: Float32Array;
  /** One line describing sizes, for logs and reports. */
  summary: string;
}

/** Options of {@link prepareTrainingData}. */
export interface PrepareTrainingDataOptions {
  /** Short name for reports. Default `dataset.name`. */
  name?: string;
  /** The data set. */
  dataset: Dataset;
  /** Its split (train / valid / test, cold items). */
  split: DatasetSplit;
}

function countPositives(interactions: Interactions): number {
  const { clicks } = interactions;
  if (clicks === undefined) return interactions.items.length;
  let n = 0;
  for (let r = 0; r < clicks.length; r++) n += clicks[r] === 1 ? 1 : 0;
  return n;
}

/**
 * Computes what training needs besides the split: item statistics and popularity from the training
 * period only (so nothing of valid/test leaks into the gate or logQ), and a one-line summary.
 */
export function prepareTrainingData(options: PrepareTrainingDataOptions): TrainingData {
  const { dataset, split } = options;
  const name = options.name ?? dataset.name;
  const numUsers = dataset.users.size;
  const numItems = dataset.items.size;
  const statistics = computeItemStatistics({ interactions: split.train, numItems });
  const popularity = itemPopularity({ interactions: split.train, numItems });
  let cold = 0;
  for (let i = 0; i < numItems; i++) cold += split.coldItems[i] as number;
  const vectors = Object.entries(dataset.content.vectors)
    .map(([vector, table]) => `${vector}:${table.dim}`)
    .join(',');
  const profile = dataset.userFeatures ? `; profile: ${dataset.userFeatures.vocabulary.size} features` : '';
  const summary =
    `${name}: ${numUsers} users, ${numItems} items (${cold} cold), ` +
    `${countPositives(split.train)} train / ${countPositives(split.valid)} valid / ${countPositives(split.test)} test positives; ` +
    `content: ${dataset.content.tags ? `${dataset.content.tags.vocabulary.size} tags` : 'no tags'}${vectors ? `, vectors ${vectors}` : ''}${profile}`;
  return { name, dataset, split, numUsers, numItems, statistics, popularity, summary };
}
