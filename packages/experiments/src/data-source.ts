import {
  coldItemsOf,
  type Dataset,
  type DatasetSplit,
  type LoadDataFolderOptions,
  type LoadDataFolderResult,
  loadDataFolder,
  loadMovieLens100k,
  loadTiktok,
  type ParquetReaders,
  repeatByWeight,
  type SplitMethod,
  splitInteractions,
} from '@mmrecall/data';
import { InvalidArgumentError, MmrecallError } from '@mmrecall/errors';
import { generateSyntheticDataset } from '@mmrecall/synthetic';
import { prepareTrainingData, type TrainingData } from '@mmrecall/training';
import { appendEventFiles } from './event-files';
import { defaultExperimentConfig, type ExperimentConfig } from './experiment-config';

/** A data set ready for training (see `@mmrecall/training`), with what the loader noted. */
export interface LoadedTrainingData extends TrainingData {
  /** How the split was made: `files`, `generator`, `time`, `random` or `cold-item`. */
  splitMethod?: string;
  /** What each file contributed (rows, fields used and ignored, skipped rows) and warnings; print them. */
  notes: string[];
}

/** Options of {@link loadTrainingData}. */
export interface LoadTrainingDataOptions {
  /** The `data` section of the training config. */
  data: ExperimentConfig['data'];
  /** Called while each file of a folder is read. */
  onProgress?: LoadDataFolderOptions['onProgress'];
  /** Progress lines for the long steps (read/generate, split, statistics). */
  log?: (line: string) => void;
}

/** Parquet readers loaded on first use, so DuckDB's native module is only opened for Parquet files. */
export const lazyParquet: ParquetReaders = {
  describe: async (path) => (await import('@mmrecall/data/parquet')).describeParquet(path),
  interactions: async (options) => (await import('@mmrecall/data/parquet')).readInteractionsParquet(options),
  items: async (options) => (await import('@mmrecall/data/parquet')).readItemsParquet(options),
  users: async (options) => (await import('@mmrecall/data/parquet')).readUserFeaturesParquet(options),
};

const DEFAULT_SPLIT = defaultExperimentConfig().data.split as NonNullable<ExperimentConfig['data']['split']>;

/** The folder settings of the config as `loadDataFolder` options. */
function folderOptions(data: ExperimentConfig['data'], dir: string): LoadDataFolderOptions {
  return {
    dir,
    parquet: lazyParquet,
    ...(data.files ? { files: data.files } : {}),
    ...(data.columns ? { columns: data.columns } : {}),
    ...(data.delimiter ? { delimiter: data.delimiter === 'tab' ? '\t' : data.delimiter } : {}),
    ...(data.items ? { items: data.items } : {}),
    ...(data.vectors ? { vectors: data.vectors } : {}),
    ...(data.users ? { users: data.users } : {}),
    ...(data.timestampUnit ? { timestampUnit: data.timestampUnit } : {}),
    ...(data.skipInvalid ? { skipInvalid: data.skipInvalid } : {}),
    ...(data.maxLineLength ? { maxLineLength: data.maxLineLength } : {}),
  };
}

/** One line per file: rows, columns used and ignored, and what `skipInvalid` skipped. */
export function describeFolderFiles(folder: LoadDataFolderResult): string[] {
  const notes = folder.files.map(({ role, path, rows, used, ignored, report }) => {
    const skipped =
      report.skipped > 0
        ? `; skipped ${report.skipped} (${Object.entries(report.skippedByKind)
            .map(([kind, count]) => `${kind} ${count}`)
            .join(
              ', ',
            )}; first: ${report.examples.map((example) => `line ${example.line}${example.field ? ` "${example.field}"` : ''}: ${example.message}`).join(' | ')})`
        : '';
    return `${role} ${path}: ${rows} rows; used ${used.join(', ') || '-'}${ignored.length > 0 ? `; ignored ${ignored.join(', ')}` : ''}${skipped}`;
  });
  for (const vector of folder.vectors) {
    if (vector.missing > 0)
      notes.push(`vectors ${vector.name}: ${vector.missing} items without one, filled with zeros`);
  }
  if (folder.itemsWithoutContent > 0)
    notes.push(
      `${folder.itemsWithoutContent} items appear in interactions but have no record in the items file`,
    );
  if (folder.unusedFiles.length > 0) notes.push(`files not read: ${folder.unusedFiles.join(', ')}`);
  return [...notes, ...folder.warnings.map((warning) => `warning: ${warning}`)];
}

function wrapLoadError(source: string, path: string, error: unknown): never {
  if (MmrecallError.isInstance(error)) throw error;
  throw new InvalidArgumentError({
    argument: 'config.data.path',
    message: `cannot load the ${source} data set from ${path}: ${(error as Error).message}`,
    cause: error,
  });
}

/** Train/valid/test by the configured method; `auto` keeps the source's own split. */
function makeSplit(
  data: ExperimentConfig['data'],
  dataset: Dataset,
  own: DatasetSplit | undefined,
  hasOwnFiles: boolean,
): { split: DatasetSplit; method: string } {
  const { method, validFraction, testFraction, coldItemFraction } = data.split ?? DEFAULT_SPLIT;
  const numItems = dataset.items.size;
  if (method === 'files') {
    if (own === undefined || !hasOwnFiles)
      throw new InvalidArgumentError({
        argument: 'config.data.split.method',
        message: `"files" needs a source with its own split files (a folder with train/valid/test files, or tiktok), got ${data.source}`,
      });
    return { split: own, method: 'files' };
  }
  if (method === 'auto' && own !== undefined)
    return { split: own, method: hasOwnFiles ? 'files' : 'generator' };
  const resolved: SplitMethod =
    method === 'auto' ? (dataset.interactions.timestamps ? 'time' : 'random') : method;
  try {
    const split = splitInteractions({
      interactions: dataset.interactions,
      numItems,
      method: resolved,
      validFraction,
      testFraction,
      coldItemFraction,
      seed: data.seed,
    });
    return { split, method: resolved };
  } catch (error) {
    if (InvalidArgumentError.isInstance(error))
      throw new InvalidArgumentError({
        argument: 'config.data.split',
        message: `${resolved} split: ${error.message}`,
        cause: error,
      });
    throw error;
  }
}

/**
 * Loads the configured data set and splits it. Synthetic: generated from `preset` and `seed` (the
 * generator's time split). TikTok: the published train/valid/test files. MovieLens 100K: every
 * rating is a positive, genres as tags, time split. Folder: see `loadDataFolder`; a pre-split folder
 * keeps its own files. `data.split.method` other than `auto` applies one method to any source.
 */
export async function loadTrainingData(options: LoadTrainingDataOptions): Promise<LoadedTrainingData> {
  const { data } = options;
  const log = options.log;
  let stepStart = performance.now();
  const step = (label: string) => {
    const now = performance.now();
    log?.(`[mmrecall]   ${label} in ${((now - stepStart) / 1000).toFixed(1)} s`);
    stepStart = now;
  };
  let lastShare = -1;
  const onProgress =
    options.onProgress ??
    (log
      ? (progress: { file: string; bytesRead: number; totalBytes: number; rows: number }) => {
          const share = Math.floor((10 * progress.bytesRead) / Math.max(1, progress.totalBytes));
          if (share !== lastShare) {
            lastShare = share;
            log(`[mmrecall]   reading ${progress.file}: ${share * 10}%, ${progress.rows} rows`);
          }
        }
      : undefined);
  let dataset: Dataset;
  let own: DatasetSplit | undefined;
  let hasOwnFiles = false;
  let name: string;
  const notes: string[] = [];
  if (data.source === 'synthetic') {
    const generated = generateSyntheticDataset({ preset: data.preset, seed: data.seed });
    dataset = generated.dataset;
    own = generated.split;
    name = `synthetic-${data.preset}`;
  } else {
    const path = data.path as string;
    try {
      if (data.source === 'tiktok') {
        ({ dataset, split: own } = await loadTiktok({ dir: path }));
        hasOwnFiles = true;
        name = 'tiktok';
      } else if (data.source === 'movielens') {
        ({ dataset } = await loadMovieLens100k({ dir: path }));
        name = 'ml-100k';
      } else {
        const folder = await loadDataFolder({
          ...folderOptions(data, path),
          ...(onProgress ? { onProgress } : {}),
        });
        dataset = folder.dataset;
        if (folder.given) {
          const { train, valid, test } = folder.given;
          own = { train, valid, test, coldItems: coldItemsOf(train, dataset.items.size) };
          hasOwnFiles = true;
        }
        notes.push(...describeFolderFiles(folder));
        name = dataset.name;
      }
    } catch (error) {
      wrapLoadError(data.source, path, error);
    }
  }
  step(data.source === 'synthetic' ? 'generated' : 'read');
  if (data.events !== undefined && data.events.length > 0) {
    const method = (data.split ?? DEFAULT_SPLIT).method;
    if (method === 'files' || (method === 'auto' && own !== undefined)) {
      throw new InvalidArgumentError({
        argument: 'config.data.events',
        message: `are merged into the interactions before the split: set config.data.split.method to time, random or cold-item (the ${data.source} source's own split is ${method === 'files' ? 'requested' : 'in use'})`,
      });
    }
    const appended = await appendEventFiles({
      dataset,
      files: data.events,
      ...(data.skipInvalid ? { skipInvalid: true } : {}),
    });
    dataset = appended.dataset;
    notes.push(...appended.notes);
    step('events');
  }
  const { split: raw, method: splitMethod } = makeSplit(data, dataset, own, hasOwnFiles);
  // Whole-count weights repeat training rows; valid and test keep one row per interaction.
  const split: DatasetSplit = raw.train.weights ? { ...raw, train: repeatByWeight(raw.train) } : raw;
  if (raw.train.weights)
    notes.push(`weights: ${raw.train.users.length} training rows repeated to ${split.train.users.length}`);
  step('split');
  const prepared = prepareTrainingData({ name, dataset, split });
  step('statistics');
  return { ...prepared, splitMethod, notes };
}
