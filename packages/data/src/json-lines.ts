import { checkMaxLineLength, type ReadProgress, readLineBlocks } from './line-blocks';

/** One line of a JSON Lines file: its 1-based number, the text, and the value or the parse error. */
export interface ParsedJsonLine {
  line: number;
  /** Raw text, when the format has one (used to explain a parse error). */
  text?: string;
  record?: unknown;
  error?: unknown;
}

/** Kind and message for a line that is not valid JSON (bare NaN/Infinity tokens named as such). */
export function jsonParseIssue(text: string, error: unknown): { kind: string; message: string } {
  const bareNaN = /(?<![\w"])-?(NaN|Infinity)(?![\w"])/.test(text);
  return bareNaN
    ? { kind: 'nan', message: 'NaN/Infinity is not valid JSON and not a usable value' }
    : { kind: 'invalid-json', message: `invalid JSON (${(error as Error).message})` };
}

/** Options of {@link readJsonLines}. */
export interface ReadJsonLinesOptions {
  path: string;
  /** Longest line accepted, in characters. Default: 64 Mi. */
  maxLineLength?: number;
  /** Each non-blank line, parsed (or with its parse error), in file order. */
  onLine: (parsed: ParsedJsonLine) => void;
  /** A line longer than `maxLineLength` (throws unless skipping). */
  onTooLong: (line: number, maxLineLength: number) => void;
  onProgress?: (progress: ReadProgress) => void;
  /** Records accepted so far, for progress. */
  rows?: () => number;
}

/**
 * Streams a JSON Lines file (UTF-8, a BOM skipped, blank lines ignored) in 1 MiB chunks and parses
 * one line at a time, so memory is bounded by the longest line.
 */
export async function readJsonLines(options: ReadJsonLinesOptions): Promise<void> {
  const maxLineLength = checkMaxLineLength(options.maxLineLength);
  const { onProgress } = options;
  let lineNumber = 0;
  await readLineBlocks({
    path: options.path,
    encoding: 'utf8',
    maxLineLength,
    linesSoFar: () => lineNumber,
    onBlock: (text, end) => {
      let position = 0;
      while (position < end) {
        const lineEnd = text.indexOf('\n', position);
        lineNumber++;
        if (lineEnd - position > maxLineLength) {
          options.onTooLong(lineNumber, maxLineLength);
        } else {
          const line = text.substring(position, lineEnd);
          if (line.trim().length > 0) {
            let parsed: ParsedJsonLine;
            try {
              parsed = { line: lineNumber, text: line, record: JSON.parse(line) };
            } catch (error) {
              parsed = { line: lineNumber, text: line, error };
            }
            options.onLine(parsed);
          }
        }
        position = lineEnd + 1;
      }
    },
    ...(onProgress
      ? {
          onChunk: (bytesRead: number, totalBytes: number) =>
            onProgress({ bytesRead, totalBytes, rows: options.rows?.() ?? 0 }),
        }
      : {}),
  });
}
