import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MmrecallError } from '@mmrecall/errors';
import type { CallWatchdog } from '@mmrecall/serving';

import { abortable } from './abortable';
import { findNonFinite } from './check-embeddings';
import { ArtifactsRejectedError } from './errors';
import type { LoadServingModel, ServingModel } from './serving-model';
import {
  buildServingState,
  type ExternalIndex,
  type HnswSettings,
  type IndexKind,
  type ServingState,
} from './serving-state';

/** Options of {@link loadState}. */
export interface LoadStateOptions {
  /** Artifacts folder (absolute). */
  dir: string;
  /** Reads the folder. */
  loadModel: LoadServingModel;
  /** Index kind, or an index outside the process. */
  index: IndexKind | ExternalIndex;
  /** HNSW settings. */
  hnsw?: HnswSettings;
  /** Most time reading may take (the index build is not counted). */
  readTimeoutMs: number;
  /** Aborts reading and building. */
  signal: AbortSignal;
  /** Called after each index build step. */
  onProgress?: (options: { done: number; total: number }) => void;
  /** Time budget of every index call. */
  watchdog?: CallWatchdog;
}

/**
 * Reads an artifacts folder (within the read timeout), refuses non-finite embeddings and builds the
 * index. Everything wrong with the folder is an {@link ArtifactsRejectedError} naming file and reason;
 * nothing is left allocated when it throws.
 */
export async function loadState(options: LoadStateOptions): Promise<ServingState> {
  const { dir, signal } = options;
  const timeout = AbortSignal.timeout(options.readTimeoutMs);
  const readSignal = AbortSignal.any([signal, timeout]);
  await checkRegularFiles(dir);
  let model: ServingModel;
  try {
    model = await abortable({
      promise: Promise.resolve().then(() => options.loadModel({ dir, signal: readSignal })),
      signal: readSignal,
      discard: (late) => late.dispose(),
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) {
      throw new ArtifactsRejectedError({
        dir,
        reason: `reading did not finish within ${options.readTimeoutMs} ms (a file that never ends, such as a FIFO, or a stalled disk); nothing was changed`,
      });
    }
    throw rejection(dir, error);
  }
  try {
    await checkFinite(model, signal);
    return await buildServingState({
      model,
      index: options.index,
      ...(options.hnsw ? { hnsw: options.hnsw } : {}),
      signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.watchdog ? { watchdog: options.watchdog } : {}),
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Refuses a folder holding anything but regular files and folders. A FIFO or device in place of a
 * file would block a libuv thread in `open` or `read` for good (Node cannot exit while one does);
 * `stat` never blocks on them.
 */
async function checkRegularFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    // A missing or unreadable folder is reported by the reader, naming manifest.json.
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    let kind: string;
    try {
      const info = await stat(file);
      if (info.isFile() || info.isDirectory()) continue;
      kind = info.isFIFO() ? 'a FIFO' : info.isSocket() ? 'a socket' : 'a device';
    } catch (error) {
      // A dangling link names a file that cannot be read.
      throw new ArtifactsRejectedError({ dir, file, reason: 'cannot be read', cause: error });
    }
    throw new ArtifactsRejectedError({
      dir,
      file,
      reason: `is ${kind}, not a regular file: an artifacts folder holds regular files only`,
    });
  }
}

async function checkFinite(model: ServingModel, signal: AbortSignal): Promise<void> {
  if (model.embeddingsChecked === true) return;
  const matrices: [string | undefined, Float32Array | undefined][] = [
    [model.embeddingFiles.items, model.itemEmbeddings],
    [model.embeddingFiles.users, model.userEmbeddings],
  ];
  for (const [file, values] of matrices) {
    if (values === undefined) continue;
    const bad = await findNonFinite({ values, dim: model.dim });
    signal.throwIfAborted();
    if (bad !== undefined) {
      throw new ArtifactsRejectedError({
        dir: model.dir,
        file: path.join(model.dir, file ?? 'embeddings'),
        reason: `row ${bad.row} column ${bad.column} is ${bad.value}: embeddings must be finite`,
      });
    }
  }
}

/** Turns whatever reading a folder threw into an {@link ArtifactsRejectedError} naming the file when known. */
function rejection(dir: string, error: unknown): ArtifactsRejectedError {
  if (ArtifactsRejectedError.isInstance(error)) return error;
  // MissingArtifactError and the reader's other file errors carry the file's full `path` and put it
  // first in their message.
  const filePath = MmrecallError.isInstance(error) ? (error as { path?: unknown }).path : undefined;
  if (typeof filePath === 'string' && MmrecallError.isInstance(error)) {
    const reason = error.message.startsWith(filePath)
      ? error.message.slice(filePath.length).replace(/^:?\s*/, '')
      : error.message;
    return new ArtifactsRejectedError({ dir, file: filePath, reason, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const reason = MmrecallError.isInstance(error) ? message : `the folder could not be read: ${message}`;
  return new ArtifactsRejectedError({ dir, reason, cause: error });
}
