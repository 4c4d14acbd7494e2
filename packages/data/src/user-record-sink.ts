import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import { checkId, type IdCheck } from './checks';
import { createIdMapBuilder, type IdMapBuilder } from './id-map';
import { IssueCollector, quoteValue, type ReadReport } from './read-report';
import type { MultiHot } from './types';

/** Options shared by the user table readers (CSV/TSV, JSON Lines, Parquet). */
export interface UserRecordOptions {
  /** Column (field) of the user id. Default: `user_id`. */
  idColumn?: string;
  /** Columns used as profile features. Default: every column but the id and `ignore`. */
  features?: string[];
  /** Columns read and deliberately not used. Default: none. */
  ignore?: string[];
  /** User id map to extend (users with a profile and no interaction are added). Default: a new one. */
  users?: IdMapBuilder;
  /** Feature vocabulary to extend. Default: a new one. */
  vocabulary?: IdMapBuilder;
  /** Skip invalid rows and count them instead of throwing on the first. Default: false. */
  skipInvalid?: boolean;
}

/** Result of every user table reader. */
export interface ReadUserFeaturesResult {
  users: IdMapBuilder;
  /** Multi-hot profile per user (`users.size` rows), features named `column:value`. */
  features: MultiHot;
  /** Columns used (the id first) and ignored. */
  fields: { used: string[]; ignored: string[] };
  report: ReadReport;
}

/** Accepts user records one by one (from any format) and builds the multi-hot profile. */
export interface UserRecordSink {
  readonly report: ReadReport;
  /**
   * The columns of a table format (CSV header, Parquet schema), checked once: the id and every listed
   * feature must be there, and with `features` given every other column must be ignored. `line` is
   * the header's line (undefined for Parquet, whose schema has none).
   */
  declareColumns(names: string[], line?: number): void;
  /** Rejects a line the format could not turn into a record (throws unless skipping). */
  reject(line: number, field: string | undefined, kind: string, message: string, cause?: unknown): false;
  /**
   * One record (1-based line or row). Values: a string, number or boolean is one feature
   * `field:value`; an array of them one feature per entry; null, undefined, `''` and `[]` none.
   */
  accept(line: number, record: Record<string, unknown>): void;
  /** Ends the input and builds the table. */
  finish(): ReadUserFeaturesResult;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array containing an object or array';
  return value === null ? 'null' : `a ${typeof value}`;
}

/**
 * The record rules shared by the user table readers. Errors (`InvalidDatasetError` naming file, line
 * and field): `missing-column` (id or a listed feature absent), `unknown-field` (a column neither a
 * feature nor ignored when `features` is given), `missing-field` (a record without the id),
 * `empty-field` (an empty id), `invalid-id`, `invalid-type` (an object, or an array holding one),
 * `nan` (a NaN or infinite number), `duplicate-id`.
 */
export function createUserRecordSink(options: UserRecordOptions & { file: string }): UserRecordSink {
  const { file } = options;
  const idColumn = options.idColumn ?? 'user_id';
  const ignore = new Set(options.ignore ?? []);
  const listed = options.features;
  if (listed !== undefined) {
    for (const name of listed) {
      if (name === idColumn || ignore.has(name)) {
        throw new InvalidArgumentError({
          argument: 'features',
          message: `${JSON.stringify(name)} is ${name === idColumn ? 'the id column' : 'also ignored'}`,
        });
      }
    }
  }
  const users = options.users ?? createIdMapBuilder();
  const vocabulary = options.vocabulary ?? createIdMapBuilder();
  const issues = new IssueCollector(file, options.skipInvalid ?? false);
  const report = issues.report;
  const rows = new Map<number, Int32Array>();
  const used = new Set<string>();
  const ignored = new Set<string>();
  const check: IdCheck = { message: '' };
  let declared = false;

  const fail = (line: number | undefined, field: string, kind: string, message: string): never => {
    throw new InvalidDatasetError({ file, ...(line === undefined ? {} : { line }), field, kind, message });
  };

  const featureValue = (line: number, field: string, value: unknown, out: number[]): boolean => {
    if (value === null || value === undefined) return true;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed.length > 0) out.push(vocabulary.add(`${field}:${trimmed}`));
      return true;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return issues.reject(line, field, 'nan', `the value ${value} is not a usable feature value`);
      out.push(vocabulary.add(`${field}:${value}`));
      return true;
    }
    if (typeof value === 'boolean' || typeof value === 'bigint') {
      out.push(vocabulary.add(`${field}:${String(value)}`));
      return true;
    }
    return issues.reject(
      line,
      field,
      'invalid-type',
      `expected a string, a number, a boolean or an array of them, got ${describeValue(value)}`,
    );
  };

  return {
    report,
    declareColumns(names, line) {
      declared = true;
      if (!names.includes(idColumn)) {
        fail(line, idColumn, 'missing-column', `the id column is not in the columns (${names.join(', ')})`);
      }
      for (const name of listed ?? []) {
        if (!names.includes(name))
          fail(
            line,
            name,
            'missing-column',
            `the feature column is not in the columns (${names.join(', ')})`,
          );
      }
      for (const name of names) {
        if (name === idColumn) continue;
        if (ignore.has(name)) ignored.add(name);
        else if (listed !== undefined && !listed.includes(name))
          fail(
            line,
            name,
            'unknown-field',
            'the column is neither a feature nor ignored; list it in one of them',
          );
        else used.add(name);
      }
    },
    reject: (line, field, kind, message, cause) => issues.reject(line, field, kind, message, cause),
    accept(line, record) {
      const rawId = record[idColumn];
      if (rawId === undefined) {
        issues.reject(line, idColumn, 'missing-field', 'the record has no user id');
        return;
      }
      if (rawId === null || (typeof rawId === 'string' && rawId.trim().length === 0)) {
        issues.reject(line, idColumn, 'empty-field', 'user id is empty');
        return;
      }
      const id = typeof rawId === 'string' ? rawId.trim() : rawId;
      if (!checkId(id, check)) {
        issues.reject(
          line,
          idColumn,
          typeof id === 'object' || typeof id === 'boolean' ? 'invalid-type' : 'invalid-id',
          check.message,
        );
        return;
      }
      const key = String(id);
      const known = users.indexOf(key);
      if (known !== undefined && rows.has(known)) {
        issues.reject(line, idColumn, 'duplicate-id', `user ${quoteValue(key)} already had a row`);
        return;
      }
      const values: number[] = [];
      const fieldsUsed: string[] = [];
      for (const field in record) {
        if (field === idColumn) continue;
        if (ignore.has(field)) {
          ignored.add(field);
          continue;
        }
        if (listed !== undefined && !listed.includes(field)) {
          // Table formats check their columns once; a JSON record can bring any field.
          issues.reject(
            line,
            field,
            'unknown-field',
            'the field is neither a feature nor ignored; list it in one of them',
          );
          return;
        }
        const value = record[field];
        const list = Array.isArray(value) ? value : [value];
        for (const entry of list) {
          if (Array.isArray(entry)) {
            issues.reject(
              line,
              field,
              'invalid-type',
              `expected a string, a number, a boolean or an array of them, got ${describeValue(value)}`,
            );
            return;
          }
          if (!featureValue(line, field, entry, values)) return;
        }
        fieldsUsed.push(field);
      }
      for (const field of fieldsUsed) used.add(field);
      rows.set(users.add(key), Int32Array.from(values));
      report.rows++;
    },
    finish() {
      if (!declared && listed !== undefined) {
        // Record formats: a listed feature that no accepted record has would be dropped unnoticed.
        for (const name of listed) {
          if (!used.has(name))
            fail(undefined, name, 'missing-column', 'no record of the file has this feature field');
        }
      }
      const numUsers = users.size;
      const offsets = new Int32Array(numUsers + 1);
      for (let u = 0; u < numUsers; u++) offsets[u + 1] = (offsets[u] as number) + (rows.get(u)?.length ?? 0);
      const values = new Int32Array(offsets[numUsers] as number);
      for (const [user, row] of rows) values.set(row, offsets[user] as number);
      const order = listed ?? [...used];
      return {
        users,
        features: { vocabulary, offsets, values },
        fields: { used: [idColumn, ...order], ignored: [...ignored] },
        report,
      };
    },
  };
}
