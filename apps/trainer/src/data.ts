import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  computeItemStatistics,
  createIdMapBuilder,
  type Dataset,
  type DatasetSplit,
  type Interactions,
  type ItemStatistics,
  itemPopularity,
  loadMovieLens100k,
  loadTiktok,
  readInteractionsCsv,
  readItemsJsonl,
  splitByTime,
  splitRandomHoldout,
} from '@mmrecall/data';
import { InvalidArgumentError, MmrecallError } from '@mmrecall/errors';
import { generateSyntheticDataset } from '@mmrecall/synthetic';
import type { TrainerConfig } from './config';

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
  /** One line describing sizes, for logs and the report. */
  summary: string;
}

/** Options of {@link loadTrainingData}. */
export interface LoadTrainingDataOptions {
  /** The `data` section of the training config. */
  data: TrainerConfig['data'];
}

function countPositives(interactions: Interactions): number {
  const { clicks } = interactions;
  if (clicks === undefined) return interactions.items.length;
  let n = 0;
  for (let r = 0; r < clicks.length; r++) n += clicks[r] === 1 ? 1 : 0;
  return n;
}

async function readHeader(path: string): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const first = buffer.toString('utf8', 0, bytesRead).split('\n')[0] ?? '';
    return first
      .replace(/\r$/, '')
      .split(first.includes('\t') ? '\t' : ',')
      .map((field) => field.trim());
  } catch (error) {
    throw new InvalidArgumentError({
      argument: 'config.data.path',
      message: `cannot read ${path} (${(error as Error).message})`,
      cause: error,
    });
  } finally {
    await handle?.close();
  }
}

/**
 * Folder format: `interactions.csv` with a header `user_id,item_id[,timestamp][,click]` and an optional
 * `items.jsonl` (`{"id": ..., "tags": [...], "<vector>": [...]}`, vector fields listed in
 * `vectors.json` as `["image", ...]` or found in the first record). Split by time when there are
 * timestamps (80/10/10), else a seeded per-user random holdout.
 */
async function loadFolder(dir: string, seed: number): Promise<{ dataset: Dataset; split: DatasetSplit }> {
  const csv = join(dir, 'interactions.csv');
  const header = await readHeader(csv);
  const users = createIdMapBuilder();
  const items = createIdMapBuilder();
  const jsonl = join(dir, 'items.jsonl');
  let content: Dataset['content'] = { vectors: {} };
  let hasItems = true;
  try {
    await (await open(jsonl, 'r')).close();
  } catch {
    hasItems = false;
  }
  let vectorFields: string[] = [];
  if (hasItems) {
    const firstRecord = JSON.parse((await readHeaderLine(jsonl)) || '{}') as Record<string, unknown>;
    vectorFields = Object.keys(firstRecord).filter(
      (key) => key !== 'id' && key !== 'tags' && Array.isArray(firstRecord[key]),
    );
    const read = await readItemsJsonl({ path: jsonl, items, vectorFields });
    content = { ...(read.tags.values.length > 0 ? { tags: read.tags } : {}), vectors: read.vectors };
  }
  const { interactions } = await readInteractionsCsv({
    path: csv,
    columns: {
      user: 'user_id',
      item: 'item_id',
      ...(header.includes('timestamp') ? { timestamp: 'timestamp' } : {}),
      ...(header.includes('click') ? { click: 'click' } : {}),
    },
    users,
    items,
  });
  if (hasItems) {
    // Items first seen in the interactions have no content record: pad tag rows and vectors with zeros.
    const numItems = items.size;
    if (content.tags && content.tags.offsets.length < numItems + 1) {
      const offsets = new Int32Array(numItems + 1);
      offsets.set(content.tags.offsets);
      offsets.fill(
        content.tags.offsets[content.tags.offsets.length - 1] as number,
        content.tags.offsets.length,
      );
      content.tags = { ...content.tags, offsets };
    }
    for (const [name, table] of Object.entries(content.vectors)) {
      if (table.data.length < numItems * table.dim) {
        const data = new Float32Array(numItems * table.dim);
        data.set(table.data);
        content.vectors[name] = { dim: table.dim, data };
      }
    }
  }
  const dataset: Dataset = { name: `folder:${dir}`, users, items, interactions, content };
  const split = interactions.timestamps
    ? splitByTime({ interactions, validFraction: 0.1, testFraction: 0.1, numItems: items.size })
    : splitRandomHoldout({
        interactions,
        validFraction: 0.1,
        testFraction: 0.1,
        seed,
        perUser: true,
        numItems: items.size,
      });
  return { dataset, split };
}

async function readHeaderLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.toString('utf8', 0, bytesRead).split('\n')[0] ?? '';
  } finally {
    await handle.close();
  }
}

function wrapLoadError(source: string, path: string, error: unknown): never {
  if (MmrecallError.isInstance(error)) throw error;
  throw new InvalidArgumentError({
    argument: 'config.data.path',
    message: `cannot load the ${source} data set from ${path}: ${(error as Error).message}`,
    cause: error,
  });
}

/**
 * Loads the configured data set. Synthetic: generated from `preset` and `seed` (time split of the
 * generator). TikTok: the published train/valid/test files (test is the evaluation set, valid drives
 * early stopping). MovieLens 100K: every rating is a positive, 80/10/10 global time split, genres as tags.
 */
export async function loadTrainingData(options: LoadTrainingDataOptions): Promise<TrainingData> {
  const { data } = options;
  let dataset: Dataset;
  let split: DatasetSplit;
  let name: string;
  if (data.source === 'synthetic') {
    const generated = generateSyntheticDataset({ preset: data.preset, seed: data.seed });
    dataset = generated.dataset;
    split = generated.split;
    name = `synthetic-${data.preset}`;
  } else {
    const path = data.path as string;
    try {
      if (data.source === 'tiktok') {
        ({ dataset, split } = await loadTiktok({ dir: path }));
        name = 'tiktok';
      } else if (data.source === 'movielens') {
        ({ dataset } = await loadMovieLens100k({ dir: path }));
        split = splitByTime({
          interactions: dataset.interactions,
          validFraction: 0.1,
          testFraction: 0.1,
          numItems: dataset.items.size,
        });
        name = 'ml-100k';
      } else {
        ({ dataset, split } = await loadFolder(path, data.seed));
        name = dataset.name;
      }
    } catch (error) {
      wrapLoadError(data.source, path, error);
    }
  }
  const numUsers = dataset.users.size;
  const numItems = dataset.items.size;
  const statistics = computeItemStatistics({ interactions: split.train, numItems });
  const popularity = itemPopularity({ interactions: split.train, numItems });
  let cold = 0;
  for (let i = 0; i < numItems; i++) cold += split.coldItems[i] as number;
  const vectors = Object.entries(dataset.content.vectors)
    .map(([vector, table]) => `${vector}:${table.dim}`)
    .join(',');
  const summary =
    `${name}: ${numUsers} users, ${numItems} items (${cold} cold), ` +
    `${countPositives(split.train)} train / ${countPositives(split.valid)} valid / ${countPositives(split.test)} test positives; ` +
    `content: ${dataset.content.tags ? `${dataset.content.tags.vocabulary.size} tags` : 'no tags'}${vectors ? `, vectors ${vectors}` : ''}`;
  return { name, dataset, split, numUsers, numItems, statistics, popularity, summary };
}
