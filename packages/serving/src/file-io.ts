import { type open, stat } from 'node:fs/promises';

import { MissingArtifactError } from '@mmrecall/errors';

const CHUNK_BYTES = 64 * 1024 * 1024;

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
