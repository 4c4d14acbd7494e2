import { open } from 'node:fs/promises';

import { writeFileAtomic } from '@mmrecall/atomic-write';
import { MissingArtifactError, MmrecallError } from '@mmrecall/errors';

import { existingFileSize, readExactly } from './file-io';
import type { RecallMetric } from './types';

/** Rows of an index as plain arrays: the content of a snapshot file. */
export interface IndexSnapshot {
  /** Vector dimension. */
  dim: number;
  /** Similarity of the index the rows came from. */
  metric: RecallMetric;
  /** One key per row, distinct, non-negative. */
  keys: Int32Array;
  /** Row-major `keys.length x dim`, finite values (L2-normalised rows for `cosine`). */
  vectors: Float32Array;
}

/** Options of {@link writeIndexSnapshot}. */
export interface WriteIndexSnapshotOptions extends IndexSnapshot {
  /** File to write (through a temporary sibling and a rename). */
  path: string;
}

/** Options of {@link readIndexSnapshot}. */
export interface ReadIndexSnapshotOptions {
  /** File written by {@link writeIndexSnapshot} (or by `save` of an exact index). */
  path: string;
}

const MAGIC = 'MMRXACT1';
const FORMAT_VERSION = 1;
const HEADER_BYTES = 32;
const METRIC_CODES: Record<RecallMetric, number> = { ip: 0, cosine: 1 };

/**
 * Writes rows in the exact index's file format (32-byte header, keys, row-major vectors), so any
 * index that can list its rows saves a file that `loadExactIndex` opens. Atomic: temporary file + rename.
 */
export async function writeIndexSnapshot(options: WriteIndexSnapshotOptions): Promise<void> {
  const { dim, metric, keys, vectors } = options;
  const header = new Uint8Array(HEADER_BYTES);
  header.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(header.buffer);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, dim, true);
  view.setUint32(16, METRIC_CODES[metric], true);
  view.setUint32(20, keys.length, true);
  // Typed arrays are written in platform byte order; every platform Node supports here is little-endian.
  await writeFileAtomic({
    path: options.path,
    data: [header, keys, vectors.subarray(0, keys.length * dim)],
  });
}

/**
 * Reads a snapshot file. Throws `MissingArtifactError` when the file is missing, truncated, not a
 * snapshot, or holds a negative or repeated key or a non-finite value.
 */
export async function readIndexSnapshot(options: ReadIndexSnapshotOptions): Promise<IndexSnapshot> {
  const { path } = options;
  const fileSize = await existingFileSize(path);
  const corrupt = (message: string, cause?: unknown): MissingArtifactError =>
    new MissingArtifactError({ path, message: `not a valid exact index file: ${message}`, cause });
  if (fileSize < HEADER_BYTES) throw corrupt(`${fileSize} bytes is shorter than the header`);
  const handle = await open(path, 'r');
  try {
    const header = new Uint8Array(HEADER_BYTES);
    await readExactly({ handle, target: header, position: 0 });
    const magic = new TextDecoder().decode(header.subarray(0, 8));
    if (magic !== MAGIC) throw corrupt(`bad magic ${JSON.stringify(magic)}`);
    const view = new DataView(header.buffer);
    const version = view.getUint32(8, true);
    if (version !== FORMAT_VERSION) throw corrupt(`unsupported version ${version}`);
    const dim = view.getUint32(12, true);
    const metricCode = view.getUint32(16, true);
    const size = view.getUint32(20, true);
    const metric = metricCode === 0 ? 'ip' : metricCode === 1 ? 'cosine' : undefined;
    if (metric === undefined) throw corrupt(`unknown metric code ${metricCode}`);
    if (dim === 0) throw corrupt('dimension 0');
    const expected = HEADER_BYTES + size * 4 + size * dim * 4;
    if (fileSize !== expected)
      throw corrupt(`expected ${expected} bytes for ${size} rows of dimension ${dim}, found ${fileSize}`);
    const keys = new Int32Array(size);
    const vectors = new Float32Array(size * dim);
    await readExactly({ handle, target: keys, position: HEADER_BYTES });
    await readExactly({ handle, target: vectors, position: HEADER_BYTES + size * 4 });
    const seen = new Set<number>();
    for (let row = 0; row < size; row++) {
      const key = keys[row] as number;
      if (key < 0 || seen.has(key)) throw corrupt(`invalid or duplicate key ${key} at row ${row}`);
      seen.add(key);
    }
    for (let i = 0; i < size * dim; i++) {
      if (!Number.isFinite(vectors[i])) throw corrupt(`non-finite value at row ${Math.floor(i / dim)}`);
    }
    return { dim, metric, keys, vectors };
  } catch (error) {
    if (MmrecallError.isInstance(error)) throw error;
    throw corrupt('read failed', error);
  } finally {
    await handle.close();
  }
}
