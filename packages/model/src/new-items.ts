import { combineVectors } from '@mmrecall/clustering';
import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { disposeViews } from './embed';
import { modelKindDefinition } from './kinds/registry';
import type { LoadedArtifacts } from './read-artifacts';
import { POSTERIOR_FEATURES } from './recall-model';
import type { ItemBatch } from './types';

/** Content of a new item, as an API client sends it. */
export interface NewItemContent {
  /** Tag names; tags unknown to the model are ignored and reported. */
  tags?: string[];
  /** Named vectors; every vector the model's content tower reads is required. */
  vectors: Record<string, ArrayLike<number>>;
}

/** Options of `embedNewItems`. */
export interface EmbedNewItemsOptions {
  /** Loaded artifacts (model, tag vocabulary, cluster tree). */
  artifacts: LoadedArtifacts;
  /** The new items. */
  items: NewItemContent[];
}

/** Result of `embedNewItems`. */
export interface NewItemEmbeddings {
  /** items x itemDim. */
  embeddings: Float32Array;
  /** Gate value per item (gated kinds). */
  gates?: Float32Array;
  /** Per item, the tags the model does not know. */
  unknownTags: string[][];
}

/**
 * Embeds items the model has never seen from their content alone: the content tower reads their
 * tags, vectors and cluster node ids (assigned by descending the stored tree), the gate sees zero
 * statistics, and the behaviour view uses the shared unknown-item row. No retraining.
 */
export async function embedNewItems(options: EmbedNewItemsOptions): Promise<NewItemEmbeddings> {
  const { artifacts, items } = options;
  const { config, model } = artifacts;
  if (!modelKindDefinition(config.kind).towers.content) {
    throw new InvalidArgumentError({
      argument: 'kind',
      message: 'an id-only model cannot embed new items: it has no content tower',
    });
  }
  if (config.id.neighbours) {
    // The graph needs the warm items' content vectors, which the artifacts do not store.
    throw new InvalidArgumentError({
      argument: 'artifacts',
      message:
        'this model reads content neighbours (model.neighbourK > 0); embed new items by retraining or updating the model',
    });
  }
  const size = items.length;
  const tagIndex = new Map<string, number>((artifacts.idMaps.tags ?? []).map((tag, i) => [tag, i]));
  const unknownTags: string[][] = [];
  const tagOffsets = new Int32Array(size + 1);
  const tagValues: number[] = [];
  const vectorSpecs = config.content.vectors;
  const needed = new Set<string>([
    ...(config.content.useRawVectors ? Object.keys(vectorSpecs) : []),
    ...(config.content.nodeIds?.vectors ?? []),
  ]);
  const vectors: Record<string, Float32Array> = {};
  for (const name of needed) vectors[name] = new Float32Array(size * vectorSpecs[name]!.dim);
  items.forEach((item, i) => {
    const unknown: string[] = [];
    for (const tag of item.tags ?? []) {
      const index = tagIndex.get(tag);
      if (index === undefined) unknown.push(tag);
      else tagValues.push(index);
    }
    unknownTags.push(unknown);
    tagOffsets[i + 1] = tagValues.length;
    for (const name of needed) {
      const value = item.vectors[name];
      const dim = vectorSpecs[name]!.dim;
      if (value === undefined) {
        throw new InvalidArgumentError({
          argument: `items[${i}].vectors.${name}`,
          message: `is required (dimension ${dim})`,
        });
      }
      if (value.length !== dim) {
        throw new ShapeMismatchError({
          message: `items[${i}].vectors.${name} has the wrong dimension`,
          expected: [dim],
          actual: [value.length],
        });
      }
      for (let d = 0; d < dim; d++) {
        const x = value[d];
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          throw new InvalidArgumentError({
            argument: `items[${i}].vectors.${name}[${d}]`,
            message: `must be a finite number, got ${x}`,
          });
        }
      }
      vectors[name]!.set(Array.from(value), i * dim);
    }
  });
  for (const name of Object.keys(item0Vectors(items))) {
    if (!vectorSpecs[name]) {
      throw new InvalidArgumentError({
        argument: `vectors.${name}`,
        message: `unknown vector name; the model reads ${Object.keys(vectorSpecs).join(', ') || 'no vectors'}`,
      });
    }
  }
  const batch: ItemBatch = {
    items: new Int32Array(size).fill(config.numItems),
    vectors: {},
    posterior: new Float32Array(size * POSTERIOR_FEATURES),
    warm: new Uint8Array(size),
  };
  if (config.content.useRawVectors) {
    for (const name of Object.keys(vectorSpecs)) batch.vectors[name] = vectors[name]!;
  }
  if (config.content.tags) batch.tags = { offsets: tagOffsets, values: Int32Array.from(tagValues) };
  const nodeIds = config.content.nodeIds;
  if (nodeIds) {
    const tree = artifacts.clusterTree;
    if (!tree) {
      throw new InvalidArgumentError({
        argument: 'artifacts.clusterTree',
        message: 'the model uses node ids but the artifacts have no cluster tree',
      });
    }
    const combined = combineVectors({
      tables: nodeIds.vectors.map((name) => ({ name, dim: vectorSpecs[name]!.dim, data: vectors[name]! })),
      normalizeEach: nodeIds.normalizeEach,
    });
    const paths = tree.assignMany({ data: combined.data, source: 'new items' });
    const levels = nodeIds.nodesPerLevel.length;
    batch.nodeIds = [];
    for (let level = 0; level < levels; level++) {
      const ids = new Int32Array(size);
      for (let i = 0; i < size; i++) ids[i] = paths[i * levels + level]!;
      batch.nodeIds.push(ids);
    }
  }
  const views = model.itemViews(batch);
  try {
    const embeddings = (await views.item.data()) as Float32Array;
    const gates = views.gate ? ((await views.gate.data()) as Float32Array) : undefined;
    return gates
      ? { embeddings: Float32Array.from(embeddings), gates: Float32Array.from(gates), unknownTags }
      : { embeddings: Float32Array.from(embeddings), unknownTags };
  } finally {
    disposeViews(views);
  }
}

function item0Vectors(items: NewItemContent[]): Record<string, true> {
  const names: Record<string, true> = {};
  for (const item of items) for (const name of Object.keys(item.vectors)) names[name] = true;
  return names;
}
