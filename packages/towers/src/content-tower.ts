import { checkInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { labelSeed } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { type EmbeddingTable, tableSlot } from './embedding-table';
import { createDenseLayer, type DenseLayer } from './mlp';
import { readSlots, type WeightSlot, writeSlots } from './named-weights';
import {
  type Bags,
  checkBags,
  checkPresence,
  createTowerHead,
  resolveCommon,
  type Tower,
  type TowerCommonOptions,
  tableMaker,
} from './tower-parts';

/** A pretrained dense vector feature (image, text, audio ...). */
export interface VectorFeature {
  /** Width of the raw vector. */
  dim: number;
  /** Width of its linear projection. Default min(dim, 64). */
  projectionDim?: number;
}

/** Options of `createContentTower`. */
export interface ContentTowerOptions extends TowerCommonOptions {
  /** Content tags (multi-hot), mean-pooled. Omit for none. */
  tags?: {
    /** Number of distinct tags. */
    vocabularySize: number;
    /** Embedding width. */
    dim: number;
  };
  /** Named pretrained vectors, each projected by its own dense layer (`${name}/vector_${key}`). */
  vectors?: Record<string, VectorFeature>;
  /** Hierarchical cluster node ids, one table per tree level (`${name}/node_level_${l}`). */
  nodeIds?: {
    /** Number of nodes at each level (level 0 first). */
    nodesPerLevel: number[];
    /** Embedding width of every level. */
    dim: number;
  };
  /**
   * Use the raw `vectors` as features. Default true. With false the vectors are neither created
   * nor read (the node-ids-instead-of-raw-vectors experiment).
   */
  useRawVectors?: boolean;
}

/** Input of the content tower's `apply`; all features describe the same B items. */
export interface ContentTowerInput {
  /** Tags per item (B bags; an empty bag pools to zeros); required when the tower has `tags`. */
  tags?: Bags;
  /** Per configured vector name, B x dim row-major; required when vectors are used. */
  vectors?: Record<string, Float32Array>;
  /** One Int32Array of length B per tree level; required when the tower has `nodeIds`. */
  nodeIds?: Int32Array[];
}

/** The content (meta) tower. */
export interface ContentTower extends Tower<ContentTowerInput> {
  /** Tag table, when configured. */
  readonly tagTable: EmbeddingTable | undefined;
  /** One table per node-id level (empty when not configured). */
  readonly nodeTables: EmbeddingTable[];
  /** Names of the vectors read by `apply`, sorted (empty when `useRawVectors` is false). */
  readonly vectorNames: string[];
}

/** Content tower: mean(tags) ++ projected vectors ++ node-id embeddings per level -> MLP. No item id. */
export function createContentTower(options: ContentTowerOptions): ContentTower {
  const common = resolveCommon(options);
  const { name } = common;
  const useRawVectors = options.useRawVectors ?? true;
  const vectorNames = useRawVectors ? Object.keys(options.vectors ?? {}).sort() : [];
  if (options.tags === undefined && vectorNames.length === 0 && options.nodeIds === undefined) {
    throw new InvalidArgumentError({
      argument: 'tags/vectors/nodeIds',
      message: 'the content tower needs at least one feature',
    });
  }
  const owned: EmbeddingTable[] = [];
  const projections = new Map<string, { layer: DenseLayer; dim: number }>();
  const makeTable = tableMaker(common, owned);
  const disposeProjections = (): void => {
    for (const { layer } of projections.values()) {
      layer.kernel.dispose();
      layer.bias.dispose();
    }
  };
  try {
    const tagTable =
      options.tags === undefined
        ? undefined
        : makeTable('tags', options.tags.vocabularySize, options.tags.dim);
    for (const key of vectorNames) {
      const feature = (options.vectors as Record<string, VectorFeature>)[key] as VectorFeature;
      checkInteger({ argument: `vectors.${key}.dim`, value: feature.dim, min: 1 });
      const projectionDim = feature.projectionDim ?? Math.min(feature.dim, 64);
      checkInteger({ argument: `vectors.${key}.projectionDim`, value: projectionDim, min: 1 });
      const layerName = `${name}/vector_${key}`;
      projections.set(key, {
        dim: feature.dim,
        layer: createDenseLayer({
          name: layerName,
          inputDim: feature.dim,
          outputDim: projectionDim,
          seed: labelSeed(common.seed, `vector_${key}`),
        }),
      });
    }
    const nodeTables = (options.nodeIds?.nodesPerLevel ?? []).map((count, level) =>
      makeTable(`node_level_${level}`, count, (options.nodeIds as { dim: number }).dim),
    );
    if (options.nodeIds !== undefined && nodeTables.length === 0) {
      throw new InvalidArgumentError({
        argument: 'nodeIds.nodesPerLevel',
        message: 'needs at least one level',
      });
    }
    const tables = [...(tagTable === undefined ? [] : [tagTable]), ...nodeTables];
    const projectionList = [...projections.values()];
    const featureDim =
      tables.reduce((sum, t) => sum + t.dim, 0) +
      projectionList.reduce((sum, p) => sum + (p.layer.kernel.shape[1] as number), 0);
    const head = createTowerHead(common, featureDim);
    const slots: WeightSlot[] = [
      ...owned.map(tableSlot),
      ...projectionList.flatMap((p) => p.layer.slots),
      ...head.slots,
    ];
    const variables = [
      ...projectionList.flatMap((p) => [p.layer.kernel, p.layer.bias]),
      ...head.mlp.variables,
    ];

    const batchOf = (input: ContentTowerInput): number => {
      const sizes: [string, number][] = [];
      if (input.tags !== undefined) sizes.push(['tags', input.tags.offsets.length - 1]);
      for (const key of vectorNames) {
        const data = input.vectors?.[key];
        if (data !== undefined)
          sizes.push([`vectors.${key}`, data.length / (projections.get(key) as { dim: number }).dim]);
      }
      for (const [level, ids] of (input.nodeIds ?? []).entries())
        sizes.push([`nodeIds[${level}]`, ids.length]);
      const first = sizes[0];
      if (first === undefined)
        throw new InvalidArgumentError({ argument: 'input', message: 'no features given' });
      for (const [argument, size] of sizes) {
        if (size !== first[1] || !Number.isInteger(size)) {
          throw new ShapeMismatchError({
            message: `${argument}: every feature must describe the same items (as ${first[0]})`,
            expected: [first[1]],
            actual: [size],
          });
        }
      }
      return first[1];
    };

    return {
      name,
      outputDim: common.outputDim,
      featureDim,
      variables,
      tables,
      tagTable,
      nodeTables,
      vectorNames,
      apply: (input, applyOptions) => {
        checkPresence(tagTable !== undefined, input.tags !== undefined, 'tags');
        checkPresence(nodeTables.length > 0, input.nodeIds !== undefined, 'nodeIds');
        for (const key of vectorNames) {
          if (input.vectors?.[key] === undefined)
            throw new InvalidArgumentError({
              argument: `vectors.${key}`,
              message: 'the tower was built with this vector; provide it',
            });
        }
        if (input.nodeIds !== undefined && input.nodeIds.length !== nodeTables.length) {
          throw new ShapeMismatchError({
            message: 'nodeIds: one array per tree level',
            expected: [nodeTables.length],
            actual: [input.nodeIds.length],
          });
        }
        const batch = batchOf(input);
        if (input.tags !== undefined) checkBags(input.tags, batch, 'tags');
        return tf.tidy(() => {
          const features: tf.Tensor2D[] = [];
          if (tagTable !== undefined && input.tags !== undefined)
            features.push(tagTable.lookupBag({ ...input.tags, combiner: 'mean' }));
          for (const key of vectorNames) {
            const { layer, dim } = projections.get(key) as { layer: DenseLayer; dim: number };
            features.push(
              layer.apply(
                tf.tensor2d((input.vectors as Record<string, Float32Array>)[key] as Float32Array, [
                  batch,
                  dim,
                ]),
                { fused: common.fusedKernels, inputGradient: false },
              ),
            );
          }
          nodeTables.forEach((table, level) => {
            features.push(table.lookup((input.nodeIds as Int32Array[])[level] as Int32Array));
          });
          return head.finish(features, applyOptions);
        });
      },
      toNamedWeights: () => readSlots(slots),
      loadNamedWeights: (weights) => writeSlots(slots, weights),
      dispose: () => {
        head.mlp.dispose();
        disposeProjections();
        for (const table of owned) table.dispose();
      },
    };
  } catch (error) {
    disposeProjections();
    for (const table of owned) table.dispose();
    throw error;
  }
}
