import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { InvalidDatasetError } from '@mmrecall/errors';

/** Progress of a streaming reader, reported once per chunk. */
export interface ReadProgress {
  /** Bytes read so far. */
  bytesRead: number;
  /** File size in bytes. */
  totalBytes: number;
  /** Data rows accepted so far. */
  rows: number;
}

/** Text encoding of an input file. */
export type TextEncoding = 'utf8' | 'latin1';

export interface LineBlockOptions {
  path: string;
  encoding: TextEncoding;
  chunkBytes?: number;
  /**
   * Called with text whose `[0, end)` range holds complete lines, each ending in `\n` (a missing final
   * newline is added). The text is only valid during the call.
   */
  onBlock: (text: string, end: number) => void;
  /** Called after every chunk with bytes read so far and the file size. */
  onChunk?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Streams a text file in fixed-size chunks and hands out blocks of whole lines. At most one chunk of
 * text (plus the partial line carried over) is alive at a time, so a file's text is never held whole.
 */
export async function readLineBlocks(options: LineBlockOptions): Promise<{ totalBytes: number }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(options.path, 'r');
  } catch (cause) {
    throw new InvalidDatasetError({
      file: options.path,
      kind: 'unreadable',
      message: `cannot open file (${(cause as Error).message})`,
      cause,
    });
  }
  try {
    const totalBytes = (await handle.stat()).size;
    const chunk = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 20);
    const decoder = new StringDecoder(options.encoding);
    let carry = '';
    let bytesRead = 0;
    let first = true;
    for (;;) {
      const { bytesRead: count } = await handle.read(chunk, 0, chunk.length, null);
      if (count === 0) break;
      bytesRead += count;
      let text = decoder.write(count === chunk.length ? chunk : chunk.subarray(0, count));
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (carry.length > 0) text = carry + text;
      const last = text.lastIndexOf('\n');
      if (last < 0) {
        carry = text;
      } else {
        carry = last + 1 < text.length ? text.slice(last + 1) : '';
        options.onBlock(text, last + 1);
      }
      options.onChunk?.(bytesRead, totalBytes);
    }
    const rest = carry + decoder.end();
    if (rest.length > 0) options.onBlock(`${rest}\n`, rest.length + 1);
    return { totalBytes };
  } finally {
    await handle.close();
  }
}
