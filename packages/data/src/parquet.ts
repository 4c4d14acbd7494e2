import { DuckDBInstance } from '@duckdb/node-api';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import { checkId, type IdCheck } from './checks';
import { createIdMapBuilder, type IdMapBuilder } from './id-map';
import { InteractionColumnsBuilder, type TimestampUnit } from './interaction-columns';
import type { ReadProgress } from './line-blocks';
import type { ParquetReaders } from './load-data-folder';
import type { InteractionColumns } from './read-interactions-csv';
import {
  createItemRecordSink,
  type ReadItemsJsonlOptions,
  type ReadItemsJsonlResult,
} from './read-items-jsonl';
import { IssueCollector, quoteValue, type ReadReport } from './read-report';
import type { Interactions } from './types';
import {
  createUserRecordSink,
  type ReadUserFeaturesResult,
  type UserRecordOptions,
} from './user-record-sink';

/** A SQL string literal. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL identifier. */
function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withConnection<T>(
  file: string,
  run: (connection: Awaited<ReturnType<DuckDBInstance['connect']>>) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    return await run(connection);
  } catch (cause) {
    if (InvalidDatasetError.isInstance(cause) || InvalidArgumentError.isInstance(cause)) throw cause;
    throw new InvalidDatasetError({
      file,
      kind: 'unreadable',
      message: `cannot read the Parquet file (${(cause as Error).message.split('\n')[0]})`,
      cause,
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Column names and value kinds of a Parquet file (`number[]`, `string[]`, `number`, `string`, ...). */
export async function describeParquet(path: string): Promise<{ name: string; type: string }[]> {
  return withConnection(path, async (connection) => {
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${literal(path)})`);
    return reader.getRowObjectsJS().map((row) => {
      const type = String(row.column_type);
      const list = /\[\]$/.test(type);
      const base = type.replace(/\[\d*\]$/, '');
      const numeric =
        /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/.test(
          base,
        );
      return {
        name: String(row.column_name),
        type: `${numeric ? 'number' : base === 'VARCHAR' ? 'string' : base.toLowerCase()}${list || /\[\d+\]$/.test(type) ? '[]' : ''}`,
      };
    });
  });
}

/** Options of {@link readInteractionsParquet}. */
export interface ReadInteractionsParquetOptions {
  /** Path of the Parquet file. */
  path: string;
  /** Column names (positions are not supported). */
  columns: InteractionColumns;
  /** Id maps to extend. Default: new ones. */
  users?: IdMapBuilder;
  items?: IdMapBuilder;
  /** Timestamp unit. Default: `auto`. */
  timestampUnit?: TimestampUnit;
  /** Skip invalid rows and count them. Default: false. */
  skipInvalid?: boolean;
  /** Called after each batch (bytes are not known: `bytesRead` and `totalBytes` are rows). */
  onProgress?: (progress: ReadProgress) => void;
}

/** Result of {@link readInteractionsParquet}. */
export interface ReadInteractionsParquetResult {
  interactions: Interactions;
  users: IdMapBuilder;
  items: IdMapBuilder;
  report: ReadReport;
  warnings: string[];
  /** Column names read. */
  columns: string[];
}

/**
 * Reads interactions from a Parquet file through DuckDB, one batch (data chunk of 2,048 rows) at a
 * time, into the same columns as `readInteractionsCsv`, with the same checks; "line" in errors is
 * the 1-based row.
 */
export async function readInteractionsParquet(
  options: ReadInteractionsParquetOptions,
): Promise<ReadInteractionsParquetResult> {
  const file = options.path;
  const { columns } = options;
  const roles = (['user', 'item', 'timestamp', 'click', 'weight'] as const).filter(
    (role) => columns[role] !== undefined,
  );
  const names = roles.map((role) => {
    const name = columns[role];
    if (typeof name !== 'string') {
      throw new InvalidArgumentError({
        argument: `columns.${role}`,
        message: 'Parquet columns are named, not positions',
      });
    }
    return name;
  });
  if (columns.rating !== undefined) {
    throw new InvalidArgumentError({
      argument: 'columns.rating',
      message: 'not read from Parquet; map it as click or leave it out',
    });
  }
  const users = options.users ?? createIdMapBuilder();
  const items = options.items ?? createIdMapBuilder();
  const issues = new IssueCollector(file, options.skipInvalid ?? false);
  const report = issues.report;
  const output = new InteractionColumnsBuilder({
    timestamp: columns.timestamp !== undefined,
    click: columns.click !== undefined,
    rating: false,
    weight: columns.weight !== undefined,
  });
  const at = (role: (typeof roles)[number]) => roles.indexOf(role);
  const check: IdCheck = { message: '' };
  const select = roles
    .map((role, k) => {
      const column = identifier(names[k] as string);
      return role === 'user' || role === 'item' ? `CAST(${column} AS VARCHAR)` : `CAST(${column} AS DOUBLE)`;
    })
    .join(', ');
  let total = 0;
  await withConnection(file, async (connection) => {
    const count = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${literal(file)})`);
    total = Number(count.getRowObjectsJS()[0]?.n ?? 0);
    output.reserve(total);
    const result = await connection.stream(`SELECT ${select} FROM read_parquet(${literal(file)})`);
    let row = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const vectors = roles.map((_, k) => chunk.getColumnVector(k));
      const userVector = vectors[at('user')];
      const itemVector = vectors[at('item')];
      const timestampVector = columns.timestamp !== undefined ? vectors[at('timestamp')] : undefined;
      const clickVector = columns.click !== undefined ? vectors[at('click')] : undefined;
      const weightVector = columns.weight !== undefined ? vectors[at('weight')] : undefined;
      for (let r = 0; r < chunk.rowCount; r++) {
        const line = ++row;
        const user = userVector?.getItem(r) as string | null;
        const item = itemVector?.getItem(r) as string | null;
        if (user === null || user === '') {
          issues.reject(line, columns.user as string, 'empty-field', 'user id is empty');
          continue;
        }
        if (item === null || item === '') {
          issues.reject(line, columns.item as string, 'empty-field', 'item id is empty');
          continue;
        }
        if (!checkId(user, check)) {
          issues.reject(line, columns.user as string, 'invalid-id', check.message);
          continue;
        }
        if (!checkId(item, check)) {
          issues.reject(line, columns.item as string, 'invalid-id', check.message);
          continue;
        }
        let timestamp = 0;
        if (timestampVector) {
          const value = timestampVector.getItem(r) as number | null;
          if (value === null || !Number.isFinite(value)) {
            issues.reject(
              line,
              columns.timestamp as string,
              value === null ? 'empty-field' : 'non-numeric',
              `timestamp is ${value}`,
            );
            continue;
          }
          timestamp = value;
        }
        let click = 1;
        if (clickVector) {
          const value = clickVector.getItem(r) as number | null;
          if (value === null || !Number.isFinite(value)) {
            issues.reject(
              line,
              columns.click as string,
              value === null ? 'empty-field' : 'non-numeric',
              `click is ${value}`,
            );
            continue;
          }
          click = value > 0 ? 1 : 0;
        }
        let weight = 1;
        if (weightVector) {
          const value = weightVector.getItem(r) as number | null;
          if (value === null || !Number.isInteger(value) || value < 0 || value > 0xffffff) {
            issues.reject(
              line,
              columns.weight as string,
              'invalid-weight',
              `a weight is a whole count >= 0, got ${quoteValue(String(value))}`,
            );
            continue;
          }
          weight = value;
        }
        output.push(line, users.add(user), items.add(item), timestamp, click, 0, weight);
        report.rows++;
      }
      options.onProgress?.({ bytesRead: row, totalBytes: total, rows: report.rows });
    }
  });
  if (report.rows === 0) {
    throw new InvalidDatasetError({ file, line: 1, kind: 'no-rows', message: 'no valid rows' });
  }
  const warnings: string[] = [];
  const { interactions } = output.finish({
    file,
    timestampField: columns.timestamp as string,
    timestampUnit: options.timestampUnit ?? 'auto',
    warnings,
  });
  return { interactions, users, items, report, warnings, columns: names };
}

/**
 * Reads an item table from Parquet through DuckDB in batches, with the record rules of
 * `readItemsJsonl` (columns are the fields; lists of numbers are vectors, lists of strings tags).
 */
export async function readItemsParquet(options: ReadItemsJsonlOptions): Promise<ReadItemsJsonlResult> {
  const { path: file, onProgress: _progress, maxLineLength: _limit, ...recordOptions } = options;
  const sink = createItemRecordSink({ ...recordOptions, file });
  await withConnection(file, async (connection) => {
    const result = await connection.stream(`SELECT * FROM read_parquet(${literal(file)})`);
    const names = result.columnNames();
    let line = 0;
    for await (const rows of result.yieldRowsJs()) {
      for (const values of rows) {
        const record: Record<string, unknown> = {};
        for (let k = 0; k < names.length; k++) {
          const value = values[k];
          if (value === null || value === undefined) continue;
          record[names[k] as string] = typeof value === 'bigint' ? value.toString() : value;
        }
        sink.accept({ line: ++line, record });
      }
    }
  });
  return sink.finish();
}

/** Options of {@link readUserFeaturesParquet}. */
export interface ReadUserFeaturesParquetOptions extends UserRecordOptions {
  /** Path of the Parquet user table. */
  path: string;
  /** Called after each batch (`bytesRead` and `totalBytes` are rows). */
  onProgress?: (progress: ReadProgress) => void;
}

/**
 * Reads user profile features from Parquet through DuckDB in batches, with the rules of
 * `readUserFeaturesJsonl` (columns are the fields, checked once against the schema; a list column
 * gives one feature per entry, a null none). "line" in errors is the 1-based row.
 */
export async function readUserFeaturesParquet(
  options: ReadUserFeaturesParquetOptions,
): Promise<ReadUserFeaturesResult> {
  const { path: file, onProgress, ...recordOptions } = options;
  const sink = createUserRecordSink({ ...recordOptions, file });
  await withConnection(file, async (connection) => {
    const count = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${literal(file)})`);
    const total = Number(count.getRowObjectsJS()[0]?.n ?? 0);
    const result = await connection.stream(`SELECT * FROM read_parquet(${literal(file)})`);
    const names = result.columnNames();
    sink.declareColumns(names);
    let line = 0;
    for await (const rows of result.yieldRowsJs()) {
      for (const values of rows) {
        const record: Record<string, unknown> = {};
        for (let k = 0; k < names.length; k++) record[names[k] as string] = values[k];
        sink.accept(++line, record);
      }
      onProgress?.({ bytesRead: line, totalBytes: total, rows: sink.report.rows });
    }
  });
  return sink.finish();
}

/** The Parquet readers for `loadDataFolder`'s `parquet` option. */
export function createParquetReaders(): ParquetReaders {
  return {
    describe: describeParquet,
    interactions: (options) => readInteractionsParquet(options),
    items: (options) => readItemsParquet(options),
    users: (options) => readUserFeaturesParquet(options),
  };
}
