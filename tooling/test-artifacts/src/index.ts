/**
 * Test helper: writes a real artifacts folder (untrained but complete model, embeddings of every
 * item and user) for a tiny synthetic data set, exactly as the trainer would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { computeItemStatistics, countItemInteractions, groupByUser } from '@mmrecall/data';
import {
  createItemFeatureStore,
  createRecallModel,
  createUserFeatureStore,
  defaultModelConfig,
  embedItems,
  embedUsers,
  type ModelKind,
  type RecallModel,
  writeArtifacts,
} from '@mmrecall/model';
import { generateSyntheticDataset, type SyntheticDataset } from '@mmrecall/synthetic';

/** What {@link writeTestArtifacts} made. */
export interface TestArtifacts {
  /** The artifacts folder. */
  dir: string;
  /** The data set behind it. */
  data: SyntheticDataset;
  /** Item embeddings written (numItems x dim). */
  itemEmbeddings: Float32Array;
  /** User embeddings written (numUsers x dim). */
  userEmbeddings: Float32Array;
  /** Embedding dimension. */
  dim: number;
  /** 1 = warm item. */
  warm: Uint8Array;
}

/** Options of {@link writeTestArtifacts}. */
export interface WriteTestArtifactsOptions {
  /** Parent folder (a temp folder from {@link createTempDir}). */
  parent: string;
  /** Folder name under `parent`. */
  name: string;
  /** Model kind. Default `gated-additive`. */
  kind?: ModelKind;
  /** Model seed (different seeds give different embeddings). Default 1. */
  seed?: number;
  /** Output dimension. Default 16. */
  dim?: number;
  /** Also write the training counts, views and first-seen times the live loop reads (gated kinds). Default false. */
  liveLoop?: boolean;
  /** Changes the untrained model before anything is embedded (e.g. sets known gate weights). */
  prepareModel?: (model: RecallModel) => void;
}

/** Writes an artifacts folder for the `tiny` synthetic preset. */
export async function writeTestArtifacts(options: WriteTestArtifactsOptions): Promise<TestArtifacts> {
  const data = generateSyntheticDataset({ preset: 'tiny', seed: 7 });
  const { dataset, split } = data;
  const numItems = dataset.items.size;
  const numUsers = dataset.users.size;
  const vectors: Record<string, { dim: number }> = {};
  for (const [name, table] of Object.entries(dataset.content.vectors)) vectors[name] = { dim: table.dim };
  const config = defaultModelConfig({
    kind: options.kind ?? 'gated-additive',
    numUsers,
    numItems,
    dim: options.dim ?? 16,
    seed: options.seed ?? 1,
    vectors,
    historyLength: 10,
    ...(dataset.content.tags ? { tags: { vocabularySize: dataset.content.tags.vocabulary.size } } : {}),
    ...(dataset.userFeatures ? { profile: { vocabularySize: dataset.userFeatures.vocabulary.size } } : {}),
  });
  config.posteriorScale = { logExposures: Math.log1p(100), logClicks: Math.log1p(20), age: Math.log1p(60) };
  const warm = Uint8Array.from(split.coldItems, (cold) => (cold === 1 ? 0 : 1));
  const statistics = computeItemStatistics({ interactions: split.train, numItems });
  const model = createRecallModel({ config });
  try {
    options.prepareModel?.(model);
    const itemStore = createItemFeatureStore({ config, content: dataset.content, statistics, warm });
    const userStore = createUserFeatureStore({
      config,
      numUsers,
      ...(dataset.userFeatures ? { profile: dataset.userFeatures } : {}),
      history: groupByUser({ interactions: split.train, numUsers }),
    });
    const liveLoop = options.liveLoop === true;
    const items = await embedItems({ model, store: itemStore, views: liveLoop });
    const counts = countItemInteractions({ interactions: split.train, numItems });
    const userEmbeddings = await embedUsers({ model, store: userStore });
    const dir = path.join(options.parent, options.name);
    await writeArtifacts({
      dir,
      model,
      idMaps: {
        users: [...dataset.users.ids],
        items: [...dataset.items.ids],
        ...(dataset.content.tags ? { tags: [...dataset.content.tags.vocabulary.ids] } : {}),
        ...(dataset.userFeatures ? { profile: [...dataset.userFeatures.vocabulary.ids] } : {}),
      },
      itemEmbeddings: items.embeddings,
      userEmbeddings,
      itemMeta: {
        warm,
        ...(items.gates ? { gate: items.gates } : {}),
        ...(liveLoop ? { exposures: statistics.exposures, clicks: statistics.clicks } : {}),
      },
      ...(liveLoop && items.views
        ? {
            itemViews: items.views,
            itemStatistics: {
              firstSeen: counts.firstSeen.map((t) => (Number.isFinite(t) ? t : Number.NaN)),
              referenceTime: counts.latest,
              ctrPrior: { alpha: 1, beta: 1 },
            },
          }
        : {}),
    });
    return { dir, data, itemEmbeddings: items.embeddings, userEmbeddings, dim: model.itemDim, warm };
  } finally {
    model.dispose();
  }
}

/** Creates a temporary folder; remove it with {@link removeTempDir}. */
export function createTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'mmrecall-server-'));
}

/** Removes a folder made by {@link createTempDir}. */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Brute-force top-k by inner product over the rows of `items`, skipping the rows in `skip`. */
export function bruteForce(
  query: Float32Array,
  items: Float32Array,
  dim: number,
  k: number,
  skip: Set<number> = new Set(),
): { row: number; score: number }[] {
  const scores: { row: number; score: number }[] = [];
  for (let row = 0; row < items.length / dim; row++) {
    if (skip.has(row)) continue;
    let s = 0;
    for (let j = 0; j < dim; j++) s += (query[j] as number) * (items[row * dim + j] as number);
    scores.push({ row, score: s });
  }
  return scores.sort((a, b) => b.score - a.score).slice(0, k);
}

/** The content (tag names and vectors) of item `row` of the data set, as a client would send it. */
export function itemContent(
  artifacts: TestArtifacts,
  row: number,
): { tags: string[]; vectors: Record<string, number[]> } {
  const { content } = artifacts.data.dataset;
  const tags: string[] = [];
  if (content.tags) {
    for (let j = content.tags.offsets[row] as number; j < (content.tags.offsets[row + 1] as number); j++) {
      tags.push(content.tags.vocabulary.ids[content.tags.values[j] as number] as string);
    }
  }
  const vectors: Record<string, number[]> = {};
  for (const [name, table] of Object.entries(content.vectors)) {
    vectors[name] = Array.from(table.data.subarray(row * table.dim, (row + 1) * table.dim));
  }
  return { tags, vectors };
}

/**
 * Sets the gate of an untrained gated model to one that falls as clicks grow:
 * g = sigmoid(2 - 16 x 0.1 x the log-clicks feature), so tests can tell which way the gate moves.
 */
export function setClickShyGate(model: RecallModel): void {
  const weights = model.toNamedWeights();
  for (const [name, weight] of Object.entries(weights)) {
    if (!name.startsWith('posterior_gate/')) continue;
    const data = new Float32Array(weight.data.length);
    if (name === 'posterior_gate/dense_0/kernel') {
      const units = weight.shape[1] as number;
      for (let u = 0; u < units; u++) data[units + u] = 0.1; // row 1 = the log-clicks feature
    } else if (name === 'posterior_gate/output/kernel') data.fill(-1);
    else if (name === 'posterior_gate/output/bias') data.fill(2);
    weights[name] = { shape: weight.shape, data };
  }
  model.loadNamedWeights(weights);
}
