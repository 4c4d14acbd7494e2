import path from 'node:path';

import { checkPositiveInteger, InvalidArgumentError, InvalidArtifactError } from '@mmrecall/errors';

import { createHnswIndex, loadHnswIndex } from './hnsw-index';
import { createOverlayIndex } from './overlay-index';
import type { RecallIndex, RecallMetric } from './types';
import { checkMatrix } from './validate';

/**
 * What an artifacts manifest records about a prebuilt index file (`manifest.index`), so a server
 * can map it without rebuilding: keys `0..rows-1` are the rows of the item embedding matrix.
 */
export interface PrebuiltIndexInfo {
  /** `hnsw`: a usearch HNSW file. */
  kind: 'hnsw';
  /** The library and its file format: `usearch`. */
  library: 'usearch';
  metric: RecallMetric;
  /** Number of rows (keys `0..rows-1`). */
  rows: number;
  dim: number;
  /** Graph settings it was built with, and the search setting to serve it with. */
  settings: { connectivity: number; expansionAdd: number; expansionSearch: number };
}

/** Options of {@link buildPrebuiltHnswIndex}. */
export interface BuildPrebuiltHnswIndexOptions {
  /** Row-major `rows x dim` item embeddings; row `i` gets key `i`. */
  vectors: Float32Array;
  dim: number;
  /** Default `ip`. */
  metric?: RecallMetric;
  /** Graph degree. Default 16. */
  connectivity?: number;
  /** Build candidate list. Default 128. */
  expansionAdd?: number;
  /** Search candidate list recorded for the server. Default {@link PREBUILT_EXPANSION_SEARCH}. */
  expansionSearch?: number;
  /** Build threads, 0 = one per core. Default 0. */
  threads?: number;
  /** Called after each chunk of rows with the rows inserted so far. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** A built index ready to be written into an artifacts folder. */
export interface PrebuiltHnswIndex {
  info: PrebuiltIndexInfo;
  /** Writes the index file (atomically: temporary file + rename). */
  write(path: string): Promise<void>;
  /** Frees the in-memory graph. */
  dispose(): void;
}

/**
 * expansionSearch that a prebuilt index records by default: recall@20 >= 0.95 against brute force
 * on the load test's 1M x 64 matrix at M 16 / efAdd 128 (see the README's figures).
 */
export const PREBUILT_EXPANSION_SEARCH = 128;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Builds the HNSW graph over every row once (the trainer after training, or an `index` command),
 * for a server to memory-map with {@link openPrebuiltHnswIndex}: same graph, same answers after
 * every restart, and no build at start.
 */
export async function buildPrebuiltHnswIndex(
  options: BuildPrebuiltHnswIndexOptions,
): Promise<PrebuiltHnswIndex> {
  const dim = checkPositiveInteger({ argument: 'dim', value: options.dim });
  const metric = options.metric ?? 'ip';
  const rows = options.vectors.length / dim;
  if (!Number.isInteger(rows) || rows === 0) {
    throw new InvalidArgumentError({
      argument: 'vectors',
      message: `must hold a positive whole number of ${dim}-dimensional rows, got ${options.vectors.length} values`,
    });
  }
  checkMatrix({ values: options.vectors, rows, dim, metric, argument: 'vectors' });
  const settings = {
    connectivity: options.connectivity ?? 16,
    expansionAdd: options.expansionAdd ?? 128,
    expansionSearch: options.expansionSearch ?? PREBUILT_EXPANSION_SEARCH,
  };
  const index = createHnswIndex({ dim, metric, ...settings, threads: options.threads ?? 0 });
  const step = 20_000;
  try {
    for (let start = 0; start < rows; start += step) {
      const end = Math.min(rows, start + step);
      const keys = new Int32Array(end - start);
      for (let i = 0; i < keys.length; i++) keys[i] = start + i;
      index.upsert({ keys, vectors: options.vectors.subarray(start * dim, end * dim) });
      options.onProgress?.({ done: end, total: rows });
      if (end < rows) await yieldToEventLoop();
    }
  } catch (error) {
    index.dispose();
    throw error;
  }
  return {
    info: { kind: 'hnsw', library: 'usearch', metric, rows, dim, settings },
    write: (file) => index.save({ path: file }),
    dispose: () => index.dispose(),
  };
}

/** `manifest.index` as the artifacts reader returns it (checked here before use). */
export interface PrebuiltIndexEntry {
  kind: string;
  library: string;
  metric: string;
  rows: number;
  dim: number;
  settings: Readonly<Record<string, number | undefined>>;
}

/** Options of {@link openPrebuiltHnswIndex}. */
export interface OpenPrebuiltHnswIndexOptions {
  /** The index file (already checked against the manifest's size and sha256 by the artifacts reader). */
  path: string;
  /** `manifest.index` of the artifacts. */
  info: PrebuiltIndexEntry;
  /** Overrides the recorded search candidate list. */
  expansionSearch?: number;
}

/**
 * Memory-maps a prebuilt HNSW file (read-only, pages shared with the page cache) and puts a small
 * mutable HNSW overlay on top for run-time upserts and removals (see `createOverlayIndex`). Checks
 * that the file holds what `info` says; a mismatch is an `InvalidArtifactError`.
 */
export async function openPrebuiltHnswIndex(options: OpenPrebuiltHnswIndexOptions): Promise<RecallIndex> {
  const { info } = options;
  const file = path.basename(options.path);
  const fail = (kind: 'format' | 'count' | 'type', message: string): never => {
    throw new InvalidArtifactError({ path: options.path, file, kind, message });
  };
  if (info.kind !== 'hnsw' || info.library !== 'usearch') {
    fail(
      'format',
      `index kind ${JSON.stringify(info.kind)} / library ${JSON.stringify(info.library)} is not a usearch HNSW file`,
    );
  }
  if (info.metric !== 'ip' && info.metric !== 'cosine') {
    fail('type', `metric ${JSON.stringify(info.metric)} is neither ip nor cosine`);
  }
  const setting = (name: 'connectivity' | 'expansionAdd' | 'expansionSearch'): number => {
    const value = info.settings[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      return fail(
        'type',
        `manifest index.settings.${name} must be a positive integer, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  const settings = { connectivity: setting('connectivity'), expansionAdd: setting('expansionAdd') };
  const expansionSearch = options.expansionSearch ?? setting('expansionSearch');
  const base = await loadHnswIndex({ path: options.path, view: true, expansionSearch });
  try {
    if (base.dim !== info.dim || base.metric !== info.metric) {
      fail(
        'format',
        `holds ${base.dim}-dimensional ${base.metric} vectors, the manifest says ${info.dim}-dimensional ${info.metric}`,
      );
    }
    if (base.size !== info.rows) fail('count', `holds ${base.size} rows, the manifest says ${info.rows}`);
  } catch (error) {
    base.dispose();
    throw error;
  }
  const overlay = createHnswIndex({
    dim: info.dim,
    metric: info.metric as RecallMetric,
    ...settings,
    expansionSearch,
    threads: 1,
  });
  return createOverlayIndex({ base, overlay });
}
