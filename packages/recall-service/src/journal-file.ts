import { type FileHandle, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder, writeFileAtomic } from '@mmrecall/atomic-write';

import { ItemJournalError } from './errors';

/** What {@link readJournalLines} found in a journal file. */
export interface JournalLines {
  /** Complete lines, in order: `lines[i]` is line `i + 1` of the file (empty lines included). */
  lines: string[];
  /** Bytes up to and including the last newline. */
  completeBytes: number;
  /**
   * Bytes after the last newline: a write that was under way when the process died, never
   * acknowledged (an acknowledged record always ends with a newline).
   */
  truncatedBytes: number;
}

/**
 * Reads a journal's complete lines. A missing file is an empty journal; an incomplete last line is
 * left out (and counted in `truncatedBytes`) for {@link openJournalFile} to cut off.
 */
export async function readJournalLines(file: string): Promise<JournalLines> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') {
      throw new ItemJournalError({ file, reason: 'cannot be read', cause: error });
    }
    bytes = Buffer.alloc(0);
  }
  const completeBytes = bytes.lastIndexOf(0x0a) + 1;
  const text = bytes.subarray(0, completeBytes).toString('utf8');
  // The text ends with a newline (or is empty): the split's last element is not a line.
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  return { lines, completeBytes, truncatedBytes: bytes.length - completeBytes };
}

/** An open journal file: appends reach the disk before they resolve; rewrites are atomic. */
export interface JournalFile {
  /** The journal file (absolute). */
  readonly file: string;
  /** Appends `text` (whole lines) and waits for it to reach the disk (`fdatasync`). */
  append(text: string): Promise<void>;
  /** Replaces the file with `text` (write beside, fsync, rename, fsync folder); appends go to the new file. */
  rewrite(text: string): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Opens (or creates) a journal file for appending and cuts it to `completeBytes` (from
 * {@link readJournalLines}) when an incomplete last line follows.
 */
export async function openJournalFile(options: {
  /** The journal file (absolute). */
  file: string;
  /** What {@link readJournalLines} read from it. */
  read: Pick<JournalLines, 'completeBytes' | 'truncatedBytes'>;
}): Promise<JournalFile> {
  const { file, read } = options;
  let handle: FileHandle;
  try {
    handle = await open(file, 'a');
    if (read.truncatedBytes > 0) {
      await handle.truncate(read.completeBytes);
      await handle.sync();
    }
    await syncFolder(path.dirname(file));
  } catch (error) {
    throw new ItemJournalError({ file, reason: 'cannot be opened for appending', cause: error });
  }
  return {
    file,
    append: async (text) => {
      try {
        await handle.write(text);
        await handle.datasync();
      } catch (error) {
        throw new ItemJournalError({ file, reason: 'cannot be written', cause: error });
      }
    },
    rewrite: async (text) => {
      try {
        await writeFileAtomic({ path: file, data: text });
      } catch (error) {
        throw new ItemJournalError({ file, reason: 'cannot be rewritten', cause: error });
      }
      const previous = handle;
      handle = await open(file, 'a');
      await previous.close();
    },
    close: () => handle.close(),
  };
}
