import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

// A single write call above 2 GiB fails in Node; larger buffers go down in slices of this size.
const CHUNK_BYTES = 64 * 1024 * 1024;

/** `<target>.tmp-<pid>-<random>`: a sibling (same filesystem, so rename is atomic), unique per call. */
function temporarySibling(target: string, tag: string): string {
  return `${target}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Destination file; its folder must exist unless `createFolder` is set. */
  path: string;
  /** Contents: UTF-8 text, bytes, or several byte views written one after the other. */
  data: string | ArrayBufferView | readonly ArrayBufferView[];
  /**
   * Flush the temporary file to disk before the rename and the folder after it (default `true`),
   * so a crash leaves either the old or the new contents, never a torn file, and the rename itself
   * survives a power loss.
   */
  sync?: boolean;
  /** Create the destination folder (recursively) when it is missing (default `false`). */
  createFolder?: boolean;
}

/**
 * Writes a file atomically: the data goes to a uniquely named temporary sibling, is flushed, and
 * the sibling is renamed over `path`. Readers see the old file or the new one, never half of one;
 * on failure the temporary file is removed and the old file is untouched.
 */
export async function writeFileAtomic(options: WriteFileAtomicOptions): Promise<void> {
  const sync = options.sync ?? true;
  const parts =
    typeof options.data === 'string'
      ? [Buffer.from(options.data, 'utf8')]
      : ArrayBuffer.isView(options.data)
        ? [options.data]
        : options.data;
  await replaceFileAtomic({
    path: options.path,
    createFolder: options.createFolder,
    write: async (temporaryPath) => {
      const handle = await open(temporaryPath, 'w');
      try {
        for (const part of parts) {
          const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
          for (let offset = 0; offset < bytes.length; ) {
            const length = Math.min(bytes.length - offset, CHUNK_BYTES);
            const { bytesWritten } = await handle.write(bytes, offset, length);
            offset += bytesWritten;
          }
        }
        if (sync) await handle.sync();
      } finally {
        await handle.close();
      }
    },
  });
  if (sync) await syncFolder(path.dirname(options.path));
}

/**
 * fsync of a folder, which makes a rename inside it durable. Windows cannot open a folder for
 * this (EISDIR / EPERM); there the rename is as durable as the platform makes it.
 */
export async function syncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(folder, 'r');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EISDIR' || code === 'EPERM') return;
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Options of {@link replaceFileAtomic}. */
export interface ReplaceFileAtomicOptions {
  /** Destination file. */
  path: string;
  /** Writes the complete new file at `temporaryPath` (for writers that only take a path, e.g. native libraries). */
  write: (temporaryPath: string) => void | Promise<void>;
  /** Create the destination folder (recursively) when it is missing (default `false`). */
  createFolder?: boolean | undefined;
}

/** Runs `write` against a temporary sibling of `path`, then renames it over `path`; removes it on failure. */
export async function replaceFileAtomic(options: ReplaceFileAtomicOptions): Promise<void> {
  if (options.createFolder) await mkdir(path.dirname(options.path), { recursive: true });
  const temporary = temporarySibling(options.path, 'tmp');
  try {
    await options.write(temporary);
    await rename(temporary, options.path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Options of {@link replaceFolderAtomic}. */
export interface ReplaceFolderAtomicOptions {
  /** Destination folder; its parent is created when missing. */
  dir: string;
  /** Fills the new, empty folder at `temporaryDir`. */
  write: (temporaryDir: string) => Promise<void>;
}

/**
 * Builds a folder atomically: `write` fills a temporary sibling which then replaces `dir` (an
 * existing `dir` is renamed aside first and removed after the swap). A killed process never leaves
 * a half-written folder at `dir`; on failure the temporary folder is removed and `dir` is untouched.
 */
export async function replaceFolderAtomic(options: ReplaceFolderAtomicOptions): Promise<void> {
  const dir = path.resolve(options.dir);
  const temporary = temporarySibling(dir, 'tmp');
  await mkdir(temporary, { recursive: true });
  try {
    await options.write(temporary);
    if (await exists(dir)) {
      const old = temporarySibling(dir, 'old');
      await rename(dir, old);
      await rename(temporary, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temporary, dir);
    }
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

async function exists(target: string): Promise<boolean> {
  try {
    await stat(target);
    return true;
  } catch {
    return false;
  }
}
