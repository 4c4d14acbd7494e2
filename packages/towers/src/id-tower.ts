import { checkFiniteNumber, checkInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';
import { type EmbeddingTable, tableSlot } from './embedding-table';
import { readSlots, type WeightSlot, writeSlots } from './named-weights';
import {
  createTowerHead,
  resolveCommon,
  type Tower,
  type TowerCommonOptions,
  tableMaker,
} from './tower-parts';
import { assertIndicesInRange } from './validate';

/** An extra id-like item feature (author id, channel id, ...). */
export interface ExtraIdFeature {
  /** Feature name; its table is `${towerName}/${name}`. */
  name: string;
  /** Number of distinct ids. */
  vocabularySize: number;
  /** Embedding width. */
  dim: number;
}

/** Options of `createIdTower`. */
export interface IdTowerOptions extends TowerCommonOptions {
  /** Number of items (rows of the item id table). */
  numItems: number;
  /** Width of the item id embedding. */
  idDim: number;
  /** Extra id-like features, one table each, in this order. Default none. */
  extraIds?: ExtraIdFeature[];
  /**
   * Weight of the neighbour mean in the item id view: row(item) + neighbourWeight x mean of the rows
   * of `IdTowerInput.neighbours` (an item-item graph, e.g. content kNN among warm items, FREEDOM
   * style). Gradients reach every row of the bag through the table's sparse path. Default 0 (off).
   */
  neighbourWeight?: number;
}

/** Input of the ID tower's `apply`. */
export interface IdTowerInput {
  /** Item indices, length B. */
  items: Int32Array;
  /** One Int32Array of length B per configured extra id feature, same order as `extraIds`. */
  extraIds?: Int32Array[];
  /** Neighbour rows of each item (CSR, B rows); required when `neighbourWeight > 0`. An empty row adds nothing. */
  neighbours?: { offsets: Int32Array; values: Int32Array };
}

/** The behaviour (ID) tower. */
export interface IdTower extends Tower<IdTowerInput> {
  /** The item id table, `${name}/item_id`; pass it to `createUserTower({ history: { table } })` to share it. */
  readonly itemTable: EmbeddingTable;
}

/** Behaviour tower: item id embedding ++ extra id embeddings -> MLP. No content. */
export function createIdTower(options: IdTowerOptions): IdTower {
  const common = resolveCommon(options);
  const { name } = common;
  checkInteger({ argument: 'numItems', value: options.numItems, min: 1 });
  checkInteger({ argument: 'idDim', value: options.idDim, min: 1 });
  const extraIds = options.extraIds ?? [];
  const neighbourWeight = checkFiniteNumber({
    argument: 'neighbourWeight',
    value: options.neighbourWeight ?? 0,
    min: 0,
  });
  const seen = new Set<string>();
  for (const feature of extraIds) {
    if (feature.name === 'item_id' || seen.has(feature.name)) {
      throw new InvalidArgumentError({
        argument: 'extraIds',
        message: `duplicate or reserved feature name ${feature.name}`,
      });
    }
    seen.add(feature.name);
  }
  const owned: EmbeddingTable[] = [];
  const makeTable = tableMaker(common, owned);
  try {
    const itemTable = makeTable('item_id', options.numItems, options.idDim);
    const extraTables = extraIds.map((feature) =>
      makeTable(feature.name, feature.vocabularySize, feature.dim),
    );
    const tables = [itemTable, ...extraTables];
    const featureDim = tables.reduce((sum, t) => sum + t.dim, 0);
    const head = createTowerHead(common, featureDim);
    const slots: WeightSlot[] = [...owned.map(tableSlot), ...head.slots];
    return {
      name,
      outputDim: common.outputDim,
      featureDim,
      variables: [...head.mlp.variables],
      tables,
      itemTable,
      apply: (input, applyOptions) => {
        const batch = input.items.length;
        assertIndicesInRange(input.items, options.numItems, 'items');
        const extra = input.extraIds ?? [];
        if (extra.length !== extraTables.length) {
          throw new ShapeMismatchError({
            message: 'extraIds: one array per configured extra id feature',
            expected: [extraTables.length],
            actual: [extra.length],
          });
        }
        extra.forEach((ids, k) => {
          if (ids.length !== batch) {
            throw new ShapeMismatchError({
              message: `extraIds[${k}]: one id per item`,
              expected: [batch],
              actual: [ids.length],
            });
          }
        });
        return tf.tidy(() => {
          const features: tf.Tensor2D[] = [
            neighbourWeight > 0
              ? itemTable.lookupBag(neighbourBags(input.items, input.neighbours, neighbourWeight))
              : itemTable.lookup(input.items),
          ];
          extraTables.forEach((table, k) => {
            features.push(table.lookup(extra[k] as Int32Array));
          });
          return head.finish(features, applyOptions);
        });
      },
      toNamedWeights: () => readSlots(slots),
      loadNamedWeights: (weights) => writeSlots(slots, weights),
      dispose: () => {
        head.mlp.dispose();
        for (const table of owned) table.dispose();
      },
    };
  } catch (error) {
    for (const table of owned) table.dispose();
    throw error;
  }
}

/** One bag per item: its own row (weight 1) and its neighbours' rows (weight w / count each), summed. */
function neighbourBags(
  items: Int32Array,
  neighbours: IdTowerInput['neighbours'],
  weight: number,
): { offsets: Int32Array; values: Int32Array; weights: Float32Array; combiner: 'sum' } {
  if (!neighbours || neighbours.offsets.length !== items.length + 1) {
    throw new ShapeMismatchError({
      message: 'neighbours: one CSR row per item is required when neighbourWeight > 0',
      expected: [items.length + 1],
      actual: [neighbours ? neighbours.offsets.length : 0],
    });
  }
  const { offsets, values } = neighbours;
  const bagOffsets = new Int32Array(items.length + 1);
  const bagValues = new Int32Array(items.length + values.length);
  const bagWeights = new Float32Array(items.length + values.length);
  let cursor = 0;
  for (let b = 0; b < items.length; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    if (!(start >= 0 && end >= start && end <= values.length)) {
      throw new ShapeMismatchError({
        message: `neighbours.offsets[${b}..${b + 1}] = ${start}..${end} is not a valid range of values`,
        expected: [values.length],
        actual: [end],
      });
    }
    bagValues[cursor] = items[b] as number;
    bagWeights[cursor++] = 1;
    for (let j = start; j < end; j++) {
      bagValues[cursor] = values[j] as number;
      bagWeights[cursor++] = weight / (end - start);
    }
    bagOffsets[b + 1] = cursor;
  }
  return {
    offsets: bagOffsets,
    values: bagValues.subarray(0, cursor),
    weights: bagWeights.subarray(0, cursor),
    combiner: 'sum',
  };
}
