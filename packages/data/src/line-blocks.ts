import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';

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

/** Default longest line a reader accepts, in characters (64 Mi). */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;

export interface LineBlockOptions {
  path: string;
  encoding: TextEncoding;
  chunkBytes?: number;
  /**
   * Longest line accepted, in characters; a longer one throws `InvalidDatasetError` (kind
   * `line-too-long`) before more of it is read. Default {@link DEFAULT_MAX_LINE_LENGTH}.
   */
  maxLineLength?: number;
  /** Lines the caller has consumed so far (names the line in a `line-too-long` error). */
  linesSoFar?: () => number;
  /**
   * Called with text whose `[0, end)` range holds complete lines, each ending in `\n` (a missing final
   * newline is added). The text is only valid during the call.
   */
  onBlock: (text: string, end: number) => void;
  /** Called after every chunk with bytes read so far and the file size. */
  onChunk?: (bytesRead: number, totalBytes: number) => void;
}

/** Checks a `maxLineLength` option. */
export function checkMaxLineLength(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_LINE_LENGTH;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError({
      argument: 'maxLineLength',
      message: `must be an integer >= 1, got ${value}`,
    });
  }
  return value;
}

/**
 * Streams a text file in fixed-size chunks and hands out blocks of whole lines. At most one chunk of
 * text plus the partial line carried over is alive at a time, so a file's text is never held whole.
 * A partial line is kept as a list of chunk strings and joined once when its end arrives, so a long
 * line costs its own size (not a copy per chunk), and is refused once it exceeds `maxLineLength`.
 */
export async function readLineBlocks(options: LineBlockOptions): Promise<{ totalBytes: number }> {
  const maxLineLength = checkMaxLineLength(options.maxLineLength);
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
  const tooLong = (length: number): never => {
    throw new InvalidDatasetError({
      file: options.path,
      line: (options.linesSoFar?.() ?? 0) + 1,
      kind: 'line-too-long',
      message: `the line is longer than ${maxLineLength} characters (read ${length} so far); raise maxLineLength if such lines are intended`,
    });
  };
  try {
    const totalBytes = (await handle.stat()).size;
    const chunk = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 20);
    const decoder = new StringDecoder(options.encoding);
    // The current partial line, as pieces (joined once its newline arrives).
    let pieces: string[] = [];
    let pending = 0;
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
      const last = text.lastIndexOf('\n');
      if (last < 0) {
        pieces.push(text);
        pending += text.length;
        if (pending > maxLineLength) tooLong(pending);
      } else {
        const firstBreak = pending > 0 ? text.indexOf('\n') : 0;
        if (pending + firstBreak > maxLineLength) tooLong(pending + firstBreak);
        if (pending > 0) {
          pieces.push(text);
          text = pieces.join('');
          pieces = [];
        }
        const end = pending + last + 1;
        pending = text.length - end;
        if (pending > 0) pieces.push(text.slice(end));
        options.onBlock(text, end);
      }
      options.onChunk?.(bytesRead, totalBytes);
    }
    const tail = decoder.end();
    if (tail.length > 0) {
      pieces.push(tail);
      pending += tail.length;
    }
    if (pending > maxLineLength) tooLong(pending);
    const rest = pieces.join('');
    if (rest.length > 0) options.onBlock(`${rest}\n`, rest.length + 1);
    return { totalBytes };
  } finally {
    await handle.close();
  }
}
