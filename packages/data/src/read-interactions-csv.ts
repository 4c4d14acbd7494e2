import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import {
  canonicalIntRange,
  FieldSplitter,
  isDigitsRange,
  parseNumberRange,
  parseNumberString,
} from './field-splitter';
import { createIdMapBuilder, type IdMapBuilder, type NumericIdAccess, numericIdAccess } from './id-map';
import { InteractionColumnsBuilder, type TimestampUnit } from './interaction-columns';
import { checkMaxLineLength, type ReadProgress, readLineBlocks, type TextEncoding } from './line-blocks';
import { IssueCollector, quoteValue, type ReadReport } from './read-report';
import type { Interactions } from './types';

export type { TimestampUnit } from './interaction-columns';

/** A column: its header name, or its 0-based position. */
export type ColumnRef = string | number;

/** Which columns hold what. */
export interface InteractionColumns {
  /** User id column (ids are strings). */
  user: ColumnRef;
  /** Item id column (ids are strings). */
  item: ColumnRef;
  /** Unix time in seconds (numeric), optional. */
  timestamp?: ColumnRef;
  /** Click flag (numeric; > 0 = click, 0 = exposure without click), optional. */
  click?: ColumnRef;
  /** Explicit rating (numeric), optional; stored in `interactions.ratings`. */
  rating?: ColumnRef;
  /** Non-negative integer count per row (e.g. plays), optional; stored in `interactions.weights`. */
  weight?: ColumnRef;
}

/** Field delimiter of a delimited text file. */
export type Delimiter = ',' | '\t' | ';' | '|';

/** Options of {@link readInteractionsCsv}. */
export interface ReadInteractionsCsvOptions {
  /** Path of the CSV/TSV file. */
  path: string;
  /** Field delimiter. Default: tab for `.tsv`/`.tab` files, comma otherwise. */
  delimiter?: Delimiter;
  /** Whether the first line is a header naming the columns. Default: true. Without a header, columns must be numbers. */
  header?: boolean;
  /** Column mapping: header names or 0-based positions. */
  columns: InteractionColumns;
  /** User id map to extend (share one across train/valid/test files). Default: a new one. */
  users?: IdMapBuilder;
  /** Item id map to extend. Default: a new one. */
  items?: IdMapBuilder;
  /** Reject rows whose user is not already in `users` (kind `unknown-user`). Default: false. */
  knownUsersOnly?: boolean;
  /** Reject rows whose item is not already in `items` (kind `unknown-item`). Default: false. */
  knownItemsOnly?: boolean;
  /** Require user and item ids to be non-negative integers written in digits (kind `non-numeric`). Default: false. */
  numericIds?: boolean;
  /** Skip invalid rows and count them in the report instead of throwing on the first one. Default: false. */
  skipInvalid?: boolean;
  /** Text encoding. Default: `utf8`. */
  encoding?: TextEncoding;
  /**
   * Unit of the timestamp column; values are stored in seconds. `auto` (default): values above 1e11
   * (the year 5138 in seconds) are read as milliseconds, with a warning in `warnings`.
   */
  timestampUnit?: TimestampUnit;
  /** Accept a file without data rows (e.g. an empty test file). Default: false (kind `no-rows`). */
  allowEmpty?: boolean;
  /** Longest line accepted, in characters (kind `line-too-long` beyond). Default: 64 Mi. */
  maxLineLength?: number;
  /** Called after each chunk (about 1 MiB) with bytes read and rows accepted. */
  onProgress?: (progress: ReadProgress) => void;
}

/** Result of {@link readInteractionsCsv}. */
export interface ReadInteractionsCsvResult {
  /** The accepted rows, columnar. */
  interactions: Interactions;
  /** The user id map (the one passed in, extended, or a new one). */
  users: IdMapBuilder;
  /** The item id map (the one passed in, extended, or a new one). */
  items: IdMapBuilder;
  /** Rows accepted and skipped. */
  report: ReadReport;
  /** Unit the timestamps were read in (they are stored in seconds), when there is a timestamp column. */
  timestampUnit?: 's' | 'ms';
  /** Things the reader decided on its own (e.g. a detected timestamp unit); print them. */
  warnings: string[];
}

const ROLES = ['user', 'item', 'timestamp', 'click', 'rating', 'weight'] as const;
type Role = (typeof ROLES)[number];

/**
 * Streams a delimited interactions file (CSV/TSV) into columnar typed arrays. The file is read in
 * 1 MiB chunks; only the columns are kept. Strict by default: the first bad row throws an
 * `InvalidDatasetError` naming file, line, field and kind (`column-count`, `missing-column`,
 * `empty-field`, `non-numeric`, `unknown-user`, `unknown-item`, `invalid-quote`, `invalid-id` (a NUL
 * or other control character in an id), `nul-byte`, `invalid-weight`, `timestamp-unit`, `no-rows`,
 * `line-too-long`).
 */
export async function readInteractionsCsv(
  options: ReadInteractionsCsvOptions,
): Promise<ReadInteractionsCsvResult> {
  const file = options.path;
  const hasHeader = options.header ?? true;
  const delimiterText = options.delimiter ?? defaultDelimiter(file);
  if (![',', '\t', ';', '|'].includes(delimiterText)) {
    throw new InvalidArgumentError({
      argument: 'delimiter',
      message: `unsupported delimiter ${JSON.stringify(delimiterText)}`,
    });
  }
  const columns = options.columns;
  if (columns === undefined || columns.user === undefined || columns.item === undefined) {
    throw new InvalidArgumentError({
      argument: 'columns',
      message: 'columns.user and columns.item are required',
    });
  }
  for (const role of ROLES) {
    const ref = columns[role];
    if (ref === undefined) continue;
    if (typeof ref === 'number' && (!Number.isInteger(ref) || ref < 0)) {
      throw new InvalidArgumentError({
        argument: `columns.${role}`,
        message: `column position must be an integer >= 0, got ${ref}`,
      });
    }
    if (!hasHeader && typeof ref !== 'number') {
      throw new InvalidArgumentError({
        argument: `columns.${role}`,
        message: `without a header, columns are 0-based positions; got the name ${JSON.stringify(ref)}`,
      });
    }
  }
  let totalBytes: number;
  try {
    totalBytes = (await stat(file)).size;
  } catch (cause) {
    throw new InvalidDatasetError({
      file,
      kind: 'unreadable',
      message: `cannot read file (${(cause as Error).message})`,
      cause,
    });
  }

  const users = options.users ?? createIdMapBuilder();
  const items = options.items ?? createIdMapBuilder();
  const usersNumeric = (users as IdMapBuilder & { [numericIdAccess]?: NumericIdAccess })[numericIdAccess];
  const itemsNumeric = (items as IdMapBuilder & { [numericIdAccess]?: NumericIdAccess })[numericIdAccess];
  const knownUsersOnly = options.knownUsersOnly ?? false;
  const knownItemsOnly = options.knownItemsOnly ?? false;
  const numericIds = options.numericIds ?? false;
  const issues = new IssueCollector(file, options.skipInvalid ?? false);
  const report = issues.report;

  const output = new InteractionColumnsBuilder({
    timestamp: columns.timestamp !== undefined,
    click: columns.click !== undefined,
    rating: columns.rating !== undefined,
    weight: columns.weight !== undefined,
  });
  const maxLineLength = checkMaxLineLength(options.maxLineLength);
  const timestampUnit = options.timestampUnit ?? 'auto';
  if (!['s', 'ms', 'auto'].includes(timestampUnit)) {
    throw new InvalidArgumentError({
      argument: 'timestampUnit',
      message: `must be s, ms or auto, got ${JSON.stringify(timestampUnit)}`,
    });
  }

  // Resolved after the header (or first row).
  let expectedFields = -1;
  let names: string[] = [];
  let userIndex = -1;
  let itemIndex = -1;
  let timestampIndex = -1;
  let clickIndex = -1;
  let ratingIndex = -1;
  let weightIndex = -1;
  let splitter = new FieldSplitter(delimiterText.charCodeAt(0), 64);
  let lineNumber = 0;
  let reserved = false;

  const resolveColumns = (fieldCount: number, headerNames: string[] | undefined): void => {
    expectedFields = fieldCount;
    names = headerNames ?? Array.from({ length: fieldCount }, (_, k) => `column ${k}`);
    const indices: Record<Role, number> = {
      user: -1,
      item: -1,
      timestamp: -1,
      click: -1,
      rating: -1,
      weight: -1,
    };
    for (const role of ROLES) {
      const ref = columns[role];
      if (ref === undefined) continue;
      const index = typeof ref === 'number' ? ref : names.indexOf(ref);
      if (index < 0 || index >= fieldCount) {
        const what = typeof ref === 'number' ? `position ${ref}` : JSON.stringify(ref);
        throw new InvalidDatasetError({
          file,
          line: lineNumber,
          field: String(ref),
          kind: 'missing-column',
          message: `the ${role} column ${what} is not in the ${headerNames ? 'header' : 'first row'} (${fieldCount} columns: ${names.join(', ')})`,
        });
      }
      indices[role] = index;
    }
    userIndex = indices.user;
    itemIndex = indices.item;
    timestampIndex = indices.timestamp;
    clickIndex = indices.click;
    ratingIndex = indices.rating;
    weightIndex = indices.weight;
    splitter = new FieldSplitter(delimiterText.charCodeAt(0), fieldCount + 1);
  };

  const numericField = (text: string, index: number, line: number): number => {
    const value =
      splitter.hasQuoted && splitter.quoted[index] !== undefined
        ? parseNumberString(splitter.quoted[index] as string)
        : parseNumberRange(text, splitter.starts[index] as number, splitter.ends[index] as number);
    if (Number.isNaN(value)) {
      issues.reject(
        line,
        names[index],
        'non-numeric',
        `expected a number, got ${quoteValue(splitter.value(text, index))}`,
      );
    }
    return value;
  };

  const isQuoted = (index: number): boolean => splitter.hasQuoted && splitter.quoted[index] !== undefined;

  const isEmpty = (index: number): boolean =>
    splitter.starts[index] === splitter.ends[index] &&
    !(splitter.hasQuoted && splitter.quoted[index] !== undefined && splitter.quoted[index] !== '');

  /** Appends one row; false when it was rejected (skipInvalid). */
  const processRow = (text: string, line: number): boolean => {
    if (splitter.quoteError) {
      return issues.reject(
        line,
        undefined,
        'invalid-quote',
        'unterminated quote or text after a closing quote',
      );
    }
    if (splitter.count !== expectedFields) {
      return issues.reject(
        line,
        undefined,
        'column-count',
        `expected ${expectedFields} fields, got ${splitter.count}`,
      );
    }
    if (isEmpty(userIndex)) return issues.reject(line, names[userIndex], 'empty-field', 'user id is empty');
    if (isEmpty(itemIndex)) return issues.reject(line, names[itemIndex], 'empty-field', 'item id is empty');
    if (numericIds) {
      for (const index of [userIndex, itemIndex]) {
        const ok =
          splitter.hasQuoted && splitter.quoted[index] !== undefined
            ? /^[0-9]+$/.test(splitter.quoted[index] as string)
            : isDigitsRange(text, splitter.starts[index] as number, splitter.ends[index] as number);
        if (!ok) {
          return issues.reject(
            line,
            names[index],
            'non-numeric',
            `expected an integer id, got ${quoteValue(splitter.value(text, index))}`,
          );
        }
      }
    }
    let timestamp = 0;
    let click = 1;
    let rating = 0;
    let weight = 1;
    if (timestampIndex >= 0) {
      if (isEmpty(timestampIndex))
        return issues.reject(line, names[timestampIndex], 'empty-field', 'timestamp is empty');
      timestamp = numericField(text, timestampIndex, line);
      if (Number.isNaN(timestamp)) return false;
    }
    if (weightIndex >= 0) {
      if (isEmpty(weightIndex))
        return issues.reject(line, names[weightIndex], 'empty-field', 'weight is empty');
      weight = numericField(text, weightIndex, line);
      if (Number.isNaN(weight)) return false;
      if (!Number.isInteger(weight) || weight < 0 || weight > 0xffffff) {
        return issues.reject(
          line,
          names[weightIndex],
          'invalid-weight',
          `a weight is a whole count >= 0 (rows are repeated that many times in training), got ${quoteValue(splitter.value(text, weightIndex))}`,
        );
      }
    }
    if (clickIndex >= 0) {
      if (isEmpty(clickIndex)) return issues.reject(line, names[clickIndex], 'empty-field', 'click is empty');
      const value = numericField(text, clickIndex, line);
      if (Number.isNaN(value)) return false;
      click = value > 0 ? 1 : 0;
    }
    if (ratingIndex >= 0) {
      if (isEmpty(ratingIndex))
        return issues.reject(line, names[ratingIndex], 'empty-field', 'rating is empty');
      rating = numericField(text, ratingIndex, line);
      if (Number.isNaN(rating)) return false;
    }
    // Canonical integer ids go through the id maps' dense numeric table (no string per row).
    const userValue =
      usersNumeric && !isQuoted(userIndex)
        ? canonicalIntRange(text, splitter.starts[userIndex] as number, splitter.ends[userIndex] as number)
        : -1;
    const itemValue =
      itemsNumeric && !isQuoted(itemIndex)
        ? canonicalIntRange(text, splitter.starts[itemIndex] as number, splitter.ends[itemIndex] as number)
        : -1;
    let user: number | undefined;
    let item: number | undefined;
    if (knownUsersOnly) {
      user =
        userValue >= 0 && usersNumeric
          ? usersNumeric.lookup(
              userValue,
              text,
              splitter.starts[userIndex] as number,
              splitter.ends[userIndex] as number,
            )
          : users.indexOf(splitter.value(text, userIndex));
      if (user === undefined) {
        return issues.reject(
          line,
          names[userIndex],
          'unknown-user',
          `user ${quoteValue(splitter.value(text, userIndex))} is not in the given user map`,
        );
      }
    }
    if (knownItemsOnly) {
      item =
        itemValue >= 0 && itemsNumeric
          ? itemsNumeric.lookup(
              itemValue,
              text,
              splitter.starts[itemIndex] as number,
              splitter.ends[itemIndex] as number,
            )
          : items.indexOf(splitter.value(text, itemIndex));
      if (item === undefined) {
        return issues.reject(
          line,
          names[itemIndex],
          'unknown-item',
          `item ${quoteValue(splitter.value(text, itemIndex))} is not in the given item map`,
        );
      }
    } else {
      item =
        itemValue >= 0 && itemsNumeric
          ? itemsNumeric.add(
              itemValue,
              text,
              splitter.starts[itemIndex] as number,
              splitter.ends[itemIndex] as number,
            )
          : items.add(splitter.value(text, itemIndex));
    }
    if (user === undefined) {
      user =
        userValue >= 0 && usersNumeric
          ? usersNumeric.add(
              userValue,
              text,
              splitter.starts[userIndex] as number,
              splitter.ends[userIndex] as number,
            )
          : users.add(splitter.value(text, userIndex));
    }
    output.push(line, user, item, timestamp, click, rating, weight);
    report.rows++;
    return true;
  };

  const onBlock = (text: string, end: number): void => {
    const mayHaveQuotes = text.indexOf('"') !== -1;
    splitter.startBlock();
    let position = 0;
    let linesInBlock = 0;
    let nul = text.indexOf('\0');
    while (position < end) {
      let lineEnd = text.indexOf('\n', position);
      const next = lineEnd + 1;
      lineNumber++;
      linesInBlock++;
      if (lineEnd > position && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
      if (lineEnd - position > maxLineLength) {
        issues.reject(
          lineNumber,
          undefined,
          'line-too-long',
          `the line is longer than ${maxLineLength} characters`,
        );
      } else if (nul >= 0 && nul < lineEnd) {
        rejectNul(text, position, lineEnd, nul, mayHaveQuotes);
        nul = text.indexOf('\0', next);
      } else if (lineEnd > position) {
        splitter.split(text, position, lineEnd, mayHaveQuotes);
        if (expectedFields < 0) {
          if (hasHeader) {
            if (splitter.count > splitter.starts.length)
              splitter = new FieldSplitter(delimiterText.charCodeAt(0), splitter.count);
            splitter.split(text, position, lineEnd, mayHaveQuotes);
            const headerNames = Array.from({ length: splitter.count }, (_, k) =>
              splitter.value(text, k).trim(),
            );
            resolveColumns(splitter.count, headerNames);
          } else {
            resolveColumns(splitter.count, undefined);
            splitter.split(text, position, lineEnd, mayHaveQuotes);
            processRow(text, lineNumber);
          }
        } else {
          processRow(text, lineNumber);
        }
      }
      position = next;
    }
    if (!reserved && linesInBlock > 0) {
      // Size the columns once from the first block's average line length, so they rarely grow.
      reserved = true;
      const estimate = Math.ceil((totalBytes / Math.max(1, end)) * linesInBlock * 1.02) + 16;
      output.reserve(estimate);
    }
  };

  /** Rejects a line with a NUL byte, naming the field that holds it. */
  const rejectNul = (text: string, start: number, end: number, at: number, mayHaveQuotes: boolean): void => {
    let field: string | undefined;
    if (expectedFields >= 0) {
      splitter.split(text, start, end, mayHaveQuotes);
      for (let k = 0; k < Math.min(splitter.count, splitter.starts.length); k++) {
        if ((splitter.starts[k] as number) <= at && at <= (splitter.ends[k] as number)) field = names[k];
      }
    }
    const isId = field !== undefined && (field === names[userIndex] || field === names[itemIndex]);
    issues.reject(
      lineNumber,
      field,
      isId ? 'invalid-id' : 'nul-byte',
      `contains a NUL byte at character ${at - start + 1}${isId ? ' of the line (ids must be text)' : ''}; is the file UTF-16 or binary?`,
    );
  };

  await readLineBlocks({
    path: file,
    encoding: options.encoding ?? 'utf8',
    maxLineLength,
    linesSoFar: () => lineNumber,
    onBlock,
    ...(options.onProgress
      ? {
          onChunk: (bytesRead: number, total: number) =>
            options.onProgress?.({ bytesRead, totalBytes: total, rows: report.rows }),
        }
      : {}),
  });
  if (expectedFields < 0 && hasHeader) {
    throw new InvalidDatasetError({
      file,
      line: 1,
      kind: 'missing-column',
      message: 'the file is empty (no header line)',
    });
  }

  if (report.rows === 0 && !(options.allowEmpty ?? false)) {
    throw new InvalidDatasetError({
      file,
      line: lineNumber + 1,
      kind: 'no-rows',
      message:
        report.skipped > 0
          ? `no valid data rows (all ${report.skipped} were skipped: ${JSON.stringify(report.skippedByKind)})`
          : `no data rows${hasHeader ? ' after the header' : ''}`,
    });
  }

  const warnings: string[] = [];
  const { interactions, timestampUnit: unit } = output.finish({
    file,
    timestampField: names[timestampIndex] ?? '',
    timestampUnit,
    warnings,
  });
  return { interactions, users, items, report, ...(unit ? { timestampUnit: unit } : {}), warnings };
}

function defaultDelimiter(path: string): Delimiter {
  const extension = extname(path).toLowerCase();
  return extension === '.tsv' || extension === '.tab' ? '\t' : ',';
}
