import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InvalidArtifactError, MissingArtifactError } from '@mmrecall/errors';

/** Byte size and sha256 (lowercase hex) of one artifact file, as recorded in a version 2 manifest. */
export interface ArtifactFileIntegrity {
  bytes: number;
  sha256: string;
}

/** sha256 of `bytes` as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Size and sha256 of bytes about to be written. */
export function integrityOf(bytes: Uint8Array): ArtifactFileIntegrity {
  return { bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
}

/**
 * Whether `name` is a plain file name inside a folder: not empty, no path separator or NUL, not
 * `.`/`..` and no leading dot (so neither traversal nor hidden temporaries).
 */
export function isPlainFileName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= 255 &&
    !name.startsWith('.') &&
    !/[/\\\0]/.test(name) &&
    path.basename(name) === name
  );
}

/** Options of {@link openArtifactFile} and {@link readArtifactFile}. */
export interface ArtifactFileOptions {
  /** The artifacts folder (absolute). */
  dir: string;
  /** Plain name of the file inside `dir`. */
  name: string;
  /** The file and field that named it, for the error when the name is not plain (e.g. `manifest.json`, `files.items`). */
  namedBy: { file: string; field: string };
  /** Size and sha256 the file must have (version 2 manifests); unchecked when absent. */
  expected?: ArtifactFileIntegrity;
}

/**
 * Opens an artifact file for reading, refusing what is not a regular file inside the folder: a name
 * with a separator or `..`, a symbolic link (`O_NOFOLLOW`), a FIFO or device (opened non-blocking
 * so a FIFO cannot stall the read, then `fstat`). Checks the size against `expected`.
 */
async function openArtifactFile(options: ArtifactFileOptions): Promise<{ handle: FileHandle; size: number }> {
  const { dir, name, namedBy, expected } = options;
  if (!isPlainFileName(name)) {
    throw new InvalidArtifactError({
      path: path.join(dir, namedBy.file),
      file: namedBy.file,
      field: namedBy.field,
      kind: 'unsafe-name',
      message: `${JSON.stringify(name)} is not a plain file name inside the artifacts folder`,
    });
  }
  const file = path.join(dir, name);
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new InvalidArtifactError({
        path: file,
        file: name,
        kind: 'not-a-file',
        message: 'is a symbolic link; artifact files must be regular files inside the folder',
        cause: error,
      });
    }
    throw new MissingArtifactError({ path: file, message: 'cannot be read', cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new InvalidArtifactError({
        path: file,
        file: name,
        kind: 'not-a-file',
        message: 'is not a regular file',
      });
    }
    if (expected !== undefined && info.size !== expected.bytes) {
      throw new InvalidArtifactError({
        path: file,
        file: name,
        kind: 'size',
        message: `has ${info.size} bytes, the manifest says ${expected.bytes}`,
      });
    }
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function checkDigest(options: ArtifactFileOptions, actual: string): void {
  const { expected } = options;
  if (expected !== undefined && actual !== expected.sha256) {
    throw new InvalidArtifactError({
      path: path.join(options.dir, options.name),
      file: options.name,
      kind: 'checksum',
      message: `sha256 is ${actual}, the manifest says ${expected.sha256}`,
    });
  }
}

/** Reads a whole artifact file (see {@link openArtifactFile} for what is refused) and checks its sha256. */
export async function readArtifactFile(options: ArtifactFileOptions): Promise<Buffer> {
  const { handle, size } = await openArtifactFile(options);
  let bytes: Buffer;
  try {
    bytes = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, Math.min(size - done, 64 * 1024 * 1024), done);
      if (bytesRead === 0) {
        throw new InvalidArtifactError({
          path: path.join(options.dir, options.name),
          file: options.name,
          kind: 'size',
          message: `ended after ${done} of ${size} bytes while being read`,
        });
      }
      done += bytesRead;
    }
  } catch (error) {
    if (InvalidArtifactError.isInstance(error)) throw error;
    throw new MissingArtifactError({
      path: path.join(options.dir, options.name),
      message: 'cannot be read',
      cause: error,
    });
  } finally {
    await handle.close();
  }
  checkDigest(options, sha256Hex(bytes));
  return bytes;
}

/**
 * Checks an artifact file against its manifest entry without keeping it in memory, e.g. a prebuilt
 * index that is then memory-mapped. Same refusals as `readArtifactFile`. The sha256 runs on a worker
 * thread (4 MiB reads of the open file), so the reader's other work goes on meanwhile: at 1M items
 * the index is ~400 MB, about 0.5 s of hashing on one core.
 */
export async function verifyArtifactFile(options: ArtifactFileOptions): Promise<void> {
  const { handle } = await openArtifactFile(options);
  let digest: string;
  try {
    digest = await sha256OfOpenFile(handle.fd);
  } catch (error) {
    throw new MissingArtifactError({
      path: path.join(options.dir, options.name),
      message: 'cannot be read',
      cause: error,
    });
  } finally {
    await handle.close();
  }
  checkDigest(options, digest);
}

// Plain JavaScript run with `eval`: no build step, no imports from this package.
const HASH_WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
for (let position = 0; ; ) {
  const read = readSync(workerData.fd, chunk, 0, chunk.length, position);
  if (read === 0) break;
  hash.update(read === chunk.length ? chunk : chunk.subarray(0, read));
  position += read;
}
parentPort.postMessage(hash.digest('hex'));
`;

/** sha256 (hex) of an open file from offset 0 to its end, computed on a worker thread. */
function sha256OfOpenFile(fd: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HASH_WORKER_SOURCE, { eval: true, workerData: { fd } });
    worker.once('message', (digest: string) => resolve(digest));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the hashing thread exited with code ${code}`)));
  });
}

/** Size and sha256 of a file on disk (streamed), for files written by someone else (a prebuilt index). */
export async function integrityOfFile(file: string): Promise<ArtifactFileIntegrity> {
  const handle = await open(file, 'r');
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: 4 * 1024 * 1024 })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).byteLength;
    }
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` to `file` and fsyncs it before returning. */
export async function writeFileDurably(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync of an existing file (one written by a callback, e.g. a prebuilt index). */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
