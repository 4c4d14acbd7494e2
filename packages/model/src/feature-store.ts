import type { ItemContent, ItemStatistics, MultiHot } from '@mmrecall/data';
import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { posteriorFeatures } from '@mmrecall/gating';
import { buildContentNeighbours } from './content-neighbours';
import { POSTERIOR_FEATURES } from './recall-model';
import type { CsrRows, ItemBatch, RecallModelConfig, UserBatch } from './types';

/** Slices item features (tags, vectors, node ids, gate features, warm flags) into model batches. */
export interface ItemFeatureStore {
  /** Number of items. */
  readonly numItems: number;
  /** Warm flags of all items (1 = has behaviour history). */
  readonly warm: Uint8Array;
  /** Gate features of all items, numItems x 4. */
  readonly posterior: Float32Array;
  /** Content neighbours of every item among the warm items (configs with `id.neighbours`). */
  readonly neighbours?: CsrRows;
  /** Features of the given items. */
  batch(items: Int32Array): ItemBatch;
}

/** Options of `createItemFeatureStore`. */
export interface CreateItemFeatureStoreOptions {
  /** The model configuration: decides which features are sliced. */
  config: RecallModelConfig;
  /** Item content of the data set. */
  content: ItemContent;
  /** Posterior statistics from the training period; omit for all-zero statistics. */
  statistics?: ItemStatistics;
  /** Cluster-tree path of every item, numItems x levels (needed when the config uses node ids). */
  nodePaths?: Int32Array;
  /** 1 = warm item; cold items use the unknown-item row and zero statistics. */
  warm: Uint8Array;
}

/** Gathers CSR rows for the given row indices. */
export function sliceRows(
  rows: CsrRows,
  indices: Int32Array,
  skip?: Int32Array,
  maxLength?: number,
): CsrRows {
  const offsets = new Int32Array(indices.length + 1);
  let total = 0;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    const length = rows.offsets[r + 1]! - rows.offsets[r]!;
    total += maxLength === undefined ? length : Math.min(length, maxLength);
  }
  const values = new Int32Array(total);
  let cursor = 0;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    const start = rows.offsets[r]!;
    const end = rows.offsets[r + 1]!;
    const from = maxLength === undefined ? start : Math.max(start, end - maxLength);
    const excluded = skip?.[i];
    for (let j = from; j < end; j++) {
      const value = rows.values[j]!;
      if (value !== excluded) values[cursor++] = value;
    }
    offsets[i + 1] = cursor;
  }
  return { offsets, values: cursor === total ? values : values.slice(0, cursor) };
}

function checkRows(name: string, rows: CsrRows, count: number): void {
  if (rows.offsets.length !== count + 1) {
    throw new ShapeMismatchError({
      message: `${name} must have one row per entity`,
      expected: [count + 1],
      actual: [rows.offsets.length],
    });
  }
}

/** Creates the item feature store for a model configuration and a data set. */
export function createItemFeatureStore(options: CreateItemFeatureStoreOptions): ItemFeatureStore {
  const { config, content, warm } = options;
  const numItems = config.numItems;
  if (warm.length !== numItems) {
    throw new ShapeMismatchError({
      message: 'warm flags must cover every item',
      expected: [numItems],
      actual: [warm.length],
    });
  }
  const vectorNames = config.content.useRawVectors ? Object.keys(config.content.vectors) : [];
  for (const name of vectorNames) {
    const table = content.vectors[name];
    const dim = config.content.vectors[name]!.dim;
    if (!table)
      throw new InvalidArgumentError({
        argument: `content.vectors.${name}`,
        message: 'missing from the data set',
      });
    if (table.dim !== dim || table.data.length !== numItems * dim) {
      throw new ShapeMismatchError({
        message: `vector table "${name}" does not match the model`,
        expected: [numItems, dim],
        actual: [table.data.length / table.dim, table.dim],
      });
    }
  }
  const tags = config.content.tags ? content.tags : undefined;
  if (config.content.tags && !tags)
    throw new InvalidArgumentError({ argument: 'content.tags', message: 'missing from the data set' });
  if (tags) checkRows('content.tags', tags, numItems);
  const levels = config.content.nodeIds?.nodesPerLevel.length ?? 0;
  const nodePaths = options.nodePaths;
  if (levels > 0 && (!nodePaths || nodePaths.length !== numItems * levels)) {
    throw new ShapeMismatchError({
      message: 'nodePaths must be numItems x levels',
      expected: [numItems, levels],
      actual: [nodePaths ? nodePaths.length / levels : 0, levels],
    });
  }
  const all = new Int32Array(numItems);
  for (let i = 0; i < numItems; i++) all[i] = i;
  // Built from content and warm flags only, so training, evaluation and updates rebuild the same graph.
  const neighbours = config.id.neighbours
    ? buildContentNeighbours({
        vectors: content.vectors,
        names: config.id.neighbours.vectors,
        candidates: warm,
        k: config.id.neighbours.k,
      })
    : undefined;
  const statistics = options.statistics;
  const posterior = statistics
    ? posteriorFeatures({
        exposures: statistics.exposures,
        clicks: statistics.clicks,
        ctr: statistics.ctr,
        age: statistics.age,
        indices: all,
        ...(config.posteriorScale ? { scale: config.posteriorScale } : {}),
      })
    : new Float32Array(numItems * POSTERIOR_FEATURES);

  return {
    numItems,
    warm,
    posterior,
    ...(neighbours ? { neighbours } : {}),
    batch(items: Int32Array): ItemBatch {
      const size = items.length;
      for (let i = 0; i < size; i++) {
        const item = items[i]!;
        if (!(item >= 0 && item < numItems)) {
          throw new InvalidArgumentError({
            argument: `items[${i}]`,
            message: `${item} is outside [0, ${numItems})`,
          });
        }
      }
      const vectors: Record<string, Float32Array> = {};
      for (const name of vectorNames) {
        const table = content.vectors[name]!;
        const dim = table.dim;
        const out = new Float32Array(size * dim);
        for (let i = 0; i < size; i++)
          out.set(table.data.subarray(items[i]! * dim, (items[i]! + 1) * dim), i * dim);
        vectors[name] = out;
      }
      const batchPosterior = new Float32Array(size * POSTERIOR_FEATURES);
      const batchWarm = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        const item = items[i]!;
        batchPosterior.set(
          posterior.subarray(item * POSTERIOR_FEATURES, (item + 1) * POSTERIOR_FEATURES),
          i * POSTERIOR_FEATURES,
        );
        batchWarm[i] = warm[item]!;
      }
      const batch: ItemBatch = {
        items: Int32Array.from(items),
        vectors,
        posterior: batchPosterior,
        warm: batchWarm,
      };
      if (tags) batch.tags = sliceRows(tags, items);
      if (neighbours) batch.neighbours = sliceRows(neighbours, items);
      if (levels > 0) {
        batch.nodeIds = [];
        for (let level = 0; level < levels; level++) {
          const ids = new Int32Array(size);
          for (let i = 0; i < size; i++) ids[i] = nodePaths![items[i]! * levels + level]!;
          batch.nodeIds.push(ids);
        }
      }
      return batch;
    },
  };
}

/** Slices user features (profile, recent history) into model batches. */
export interface UserFeatureStore {
  /** Number of users. */
  readonly numUsers: number;
  /**
   * Features of the given users. `exclude[i]` (e.g. the training target) is left out of user i's
   * history so the tower cannot read the answer.
   */
  batch(users: Int32Array, options?: { exclude?: Int32Array }): UserBatch;
}

/** Options of `createUserFeatureStore`. */
export interface CreateUserFeatureStoreOptions {
  /** The model configuration: decides which features are sliced. */
  config: RecallModelConfig;
  /** Number of users. */
  numUsers: number;
  /** Profile features per user. */
  profile?: MultiHot;
  /** Training positives per user in time order (see @mmrecall/data groupByUser). */
  history?: CsrRows;
}

/** Creates the user feature store. */
export function createUserFeatureStore(options: CreateUserFeatureStoreOptions): UserFeatureStore {
  const { config, numUsers } = options;
  const profile = config.user.profile ? options.profile : undefined;
  if (config.user.profile && !profile) {
    throw new InvalidArgumentError({
      argument: 'profile',
      message: 'the model uses profile features but none were given',
    });
  }
  if (profile) checkRows('profile', profile, numUsers);
  const maxLength = config.user.history?.maxLength;
  const empty: CsrRows = { offsets: new Int32Array(numUsers + 1), values: new Int32Array(0) };
  const history = config.user.history ? (options.history ?? empty) : undefined;
  if (history) checkRows('history', history, numUsers);
  return {
    numUsers,
    batch(users: Int32Array, batchOptions: { exclude?: Int32Array } = {}): UserBatch {
      for (let i = 0; i < users.length; i++) {
        const user = users[i]!;
        if (!(user >= 0 && user < numUsers)) {
          throw new InvalidArgumentError({
            argument: `users[${i}]`,
            message: `${user} is outside [0, ${numUsers})`,
          });
        }
      }
      const batch: UserBatch = { users: Int32Array.from(users) };
      if (profile) batch.profile = sliceRows(profile, users);
      if (history) batch.history = sliceRows(history, users, batchOptions.exclude, maxLength);
      return batch;
    },
  };
}
