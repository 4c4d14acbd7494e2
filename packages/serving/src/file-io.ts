import { open, rename, rm, stat } from 'node:fs/promises';

import { MissingArtifactError } from '@mmrecall/errors';

const CHUNK_BYTES = 64 * 1024 * 1024;

/** Writes `parts` one after the other to `<path>.tmp`, flushes it, then renames it over `path`. */
export async function writeFileAtomic(options: {
  path: string;
  parts: readonly ArrayBufferView[];
}): Promise<void> {
  const tmpPath = `${options.path}.tmp`;
  const handle = await open(tmpPath, 'w');
  try {
    for (const part of options.parts) {
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      for (let offset = 0; offset < bytes.length; ) {
        const end = Math.min(bytes.length, offset + CHUNK_BYTES);
        const { bytesWritten } = await handle.write(bytes, offset, end - offset);
        offset += bytesWritten;
      }
    }
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tmpPath, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmpPath, options.path);
}

/** Runs a synchronous writer against `<path>.tmp`, then renames it over `path` (removing the temporary file on failure). */
export async function replaceFileAtomic(options: {
  path: string;
  write: (tmpPath: string) => void;
}): Promise<void> {
  const tmpPath = `${options.path}.tmp`;
  try {
    options.write(tmpPath);
    await rename(tmpPath, options.path);
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw error;
  }
}

/** Size of an existing regular file, or `MissingArtifactError` when it is absent or not a file. */
export async function existingFileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    return info.size;
  } catch (error) {
    throw new MissingArtifactError({ path, message: 'index file is missing or not a file', cause: error });
  }
}

/** Reads exactly `target.byteLength` bytes at `position` into `target`. */
export async function readExactly(options: {
  handle: Awaited<ReturnType<typeof open>>;
  target: ArrayBufferView;
  position: number;
}): Promise<void> {
  const bytes = new Uint8Array(options.target.buffer, options.target.byteOffset, options.target.byteLength);
  let done = 0;
  while (done < bytes.length) {
    const length = Math.min(bytes.length - done, CHUNK_BYTES);
    const { bytesRead } = await options.handle.read(bytes, done, length, options.position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file after ${options.position + done} bytes`);
    done += bytesRead;
  }
}
