import { extname } from 'node:path';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import { FieldSplitter } from './field-splitter';
import { checkMaxLineLength, type ReadProgress, readLineBlocks } from './line-blocks';
import type { Delimiter } from './read-interactions-csv';

/** The delimiter of a file: given, else tab for `.tsv`/`.tab` and RecBole's `.inter`/`.item`/`.user`. */
export function delimiterOf(path: string, delimiter?: Delimiter): Delimiter {
  const value =
    delimiter ??
    (['.tsv', '.tab', '.inter', '.item', '.user'].includes(extname(path).toLowerCase()) ? '\t' : ',');
  if (![',', '\t', ';', '|'].includes(value)) {
    throw new InvalidArgumentError({
      argument: 'delimiter',
      message: `unsupported delimiter ${JSON.stringify(value)}`,
    });
  }
  return value;
}

/** Options of {@link readCsvRecords}. */
export interface ReadCsvRecordsOptions {
  path: string;
  delimiter: Delimiter;
  maxLineLength?: number;
  /** Rejects a malformed line (throws unless skipping). */
  reject: (line: number, field: string | undefined, kind: string, message: string) => void;
  /** Called with the header names, once. */
  onHeader?: (names: string[]) => void;
  /** Called with each data row's cells (the array is reused between calls). */
  onRow: (line: number, cells: string[]) => void;
  onProgress?: (progress: ReadProgress) => void;
  /** Rows accepted so far, for progress. */
  rows?: () => number;
}

/** Streams a delimited file with a header: cells of each row as strings. */
export async function readCsvRecords(options: ReadCsvRecordsOptions): Promise<{ names: string[] }> {
  const { path: file, delimiter, reject } = options;
  const maxLineLength = checkMaxLineLength(options.maxLineLength);
  let names: string[] | undefined;
  let cells: string[] = [];
  let splitter = new FieldSplitter(delimiter.charCodeAt(0), 256);
  let lineNumber = 0;
  await readLineBlocks({
    path: file,
    encoding: 'utf8',
    maxLineLength,
    linesSoFar: () => lineNumber,
    onBlock: (text, end) => {
      const mayHaveQuotes = text.indexOf('"') !== -1;
      splitter.startBlock();
      let position = 0;
      while (position < end) {
        let lineEnd = text.indexOf('\n', position);
        const next = lineEnd + 1;
        lineNumber++;
        if (lineEnd > position && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
        if (lineEnd - position > maxLineLength) {
          reject(
            lineNumber,
            undefined,
            'line-too-long',
            `the line is longer than ${maxLineLength} characters`,
          );
        } else if (lineEnd > position) {
          splitter.split(text, position, lineEnd, mayHaveQuotes);
          if (splitter.count > splitter.starts.length) {
            splitter = new FieldSplitter(delimiter.charCodeAt(0), splitter.count);
            splitter.split(text, position, lineEnd, mayHaveQuotes);
          }
          if (names === undefined) {
            names = Array.from({ length: splitter.count }, (_, k) => splitter.value(text, k).trim());
            cells = new Array<string>(names.length).fill('');
            options.onHeader?.(names);
          } else if (splitter.quoteError) {
            reject(
              lineNumber,
              undefined,
              'invalid-quote',
              'unterminated quote or text after a closing quote',
            );
          } else if (splitter.count !== names.length) {
            reject(
              lineNumber,
              undefined,
              'column-count',
              `expected ${names.length} fields, got ${splitter.count}`,
            );
          } else {
            for (let k = 0; k < names.length; k++) cells[k] = splitter.value(text, k);
            options.onRow(lineNumber, cells);
          }
        }
        position = next;
      }
    },
    ...(options.onProgress
      ? {
          onChunk: (bytesRead: number, totalBytes: number) =>
            options.onProgress?.({ bytesRead, totalBytes, rows: options.rows?.() ?? 0 }),
        }
      : {}),
  });
  if (names === undefined) {
    throw new InvalidDatasetError({
      file,
      line: 1,
      kind: 'no-rows',
      message: 'the file is empty (no header line)',
    });
  }
  return { names };
}
