import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@mmrecall/atomic-write';
import { InvalidArgumentError, MissingArtifactError } from '@mmrecall/errors';

/** A named numeric array stored in a checkpoint. */
export interface CheckpointArray {
  /** Shape (product = data length). */
  shape: number[];
  /** Values. */
  data: Float32Array | Int32Array;
}

/** What a checkpoint holds: JSON-serialisable metadata plus named arrays. */
export interface CheckpointContents<Meta> {
  /** Training position, history, early-stopping state ... */
  meta: Meta;
  /** Weights and optimizer state. */
  arrays: Record<string, CheckpointArray>;
}

// Version 2 ends with the sha256 of every byte before it: a flipped bit anywhere (header, meta,
// weights, optimizer state) is refused instead of resumed. Version 1 files have no checksum.
const MAGIC = 'MMRCKPT2';
const DIGEST_BYTES = 32;

interface ArrayEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  length: number;
}

/** Options of {@link writeCheckpoint}. */
export interface WriteCheckpointOptions<Meta> {
  /** Destination file; written to a temporary sibling, flushed, then renamed into place (atomic). */
  path: string;
  /** Contents. */
  contents: CheckpointContents<Meta>;
}

/** Writes a checkpoint atomically: a killed process leaves either the old or the new file, never half of one. */
export async function writeCheckpoint<Meta>(options: WriteCheckpointOptions<Meta>): Promise<void> {
  const { path, contents } = options;
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, array] of Object.entries(contents.arrays)) {
    const size = array.shape.reduce((a, b) => a * b, 1);
    if (size !== array.data.length) {
      throw new InvalidArgumentError({
        argument: `checkpoint.arrays.${name}`,
        message: `shape [${array.shape.join(', ')}] does not match ${array.data.length} values`,
      });
    }
    entries.push({
      name,
      dtype: array.data instanceof Int32Array ? 'int32' : 'float32',
      shape: [...array.shape],
      offset,
      length: array.data.length,
    });
    offset += array.data.length * 4;
  }
  const header = Buffer.from(JSON.stringify({ meta: contents.meta, arrays: entries }), 'utf8');
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, MAGIC.length);
  const padding = Buffer.alloc((4 - ((prefix.length + header.length) % 4)) % 4);
  const arrays = entries.map((entry) => (contents.arrays[entry.name] as CheckpointArray).data);
  const hash = createHash('sha256');
  for (const part of [prefix, header, padding, ...arrays])
    hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  const digest = hash.digest();
  await writeFileAtomic({ path, data: [prefix, header, padding, ...arrays, digest], createFolder: true });
}

/** Options of {@link readCheckpoint}. */
export interface ReadCheckpointOptions {
  /** Checkpoint file written by {@link writeCheckpoint}. */
  path: string;
}

/** Reads a checkpoint; returns undefined when the file does not exist, throws MissingArtifactError when it is corrupt. */
export async function readCheckpoint<Meta>(
  options: ReadCheckpointOptions,
): Promise<CheckpointContents<Meta> | undefined> {
  const { path } = options;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MissingArtifactError({
      path,
      message: `cannot read checkpoint (${(error as Error).message})`,
      cause: error,
    });
  }
  const corrupt = (message: string): MissingArtifactError =>
    new MissingArtifactError({ path, message: `corrupt checkpoint: ${message}` });
  if (bytes.length >= MAGIC.length && bytes.toString('latin1', 0, MAGIC.length) === 'MMRCKPT1')
    throw corrupt('format MMRCKPT1 has no checksum and cannot be verified; delete it to start over');
  if (bytes.length < MAGIC.length + 4 + DIGEST_BYTES || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC)
    throw corrupt('bad magic');
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  const actual = createHash('sha256').update(body).digest();
  if (!actual.equals(bytes.subarray(bytes.length - DIGEST_BYTES)))
    throw corrupt(
      'sha256 does not match its contents (the file changed after it was written); it is not resumed',
    );
  bytes = body;
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  if (headerStart + headerLength > bytes.length) throw corrupt('truncated header');
  let header: { meta: Meta; arrays: ArrayEntry[] };
  try {
    header = JSON.parse(bytes.toString('utf8', headerStart, headerStart + headerLength));
  } catch (error) {
    throw new MissingArtifactError({ path, message: 'corrupt checkpoint: header is not JSON', cause: error });
  }
  const dataStart = headerStart + headerLength + ((4 - ((headerStart + headerLength) % 4)) % 4);
  const arrays: Record<string, CheckpointArray> = {};
  for (const entry of header.arrays) {
    const start = dataStart + entry.offset;
    const end = start + entry.length * 4;
    if (end > bytes.length) throw corrupt(`array ${entry.name} is truncated`);
    const copy = new Uint8Array(bytes.subarray(start, end));
    arrays[entry.name] = {
      shape: entry.shape,
      data: entry.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer),
    };
  }
  return { meta: header.meta, arrays };
}
