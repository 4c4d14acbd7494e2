import { InvalidArgumentError } from '@mmrecall/errors';
import { createIdMapBuilder, type IdMapBuilder } from './id-map';
import { type ReadProgress, readLineBlocks } from './line-blocks';
import { IssueCollector, quoteValue, type ReadReport } from './read-report';
import type { MultiHot, VectorTable } from './types';

/** Options of {@link readItemsJsonl}. */
export interface ReadItemsJsonlOptions {
  /** Path of the JSON Lines file: one JSON object per item. */
  path: string;
  /** Field holding the item id (string or number). Default: `id`. */
  idField?: string;
  /** Field holding the item's tags (array of strings/numbers); absent or null = no tags. Default: `tags`. */
  tagsField?: string;
  /** Fields holding dense vectors (arrays of numbers), e.g. `['image', 'text']`. Default: none. */
  vectorFields?: string[];
  /** Expected dimension per vector field. Default: the dimension of the first record that has the field. */
  vectorDims?: Record<string, number>;
  /** Item id map to extend (e.g. the one from the interactions). Default: a new one. */
  items?: IdMapBuilder;
  /** Tag vocabulary to extend. Default: a new one. */
  tags?: IdMapBuilder;
  /** Skip invalid records and count them instead of throwing on the first. Default: false. */
  skipInvalid?: boolean;
  /** Called after each chunk (about 1 MiB). */
  onProgress?: (progress: ReadProgress) => void;
}

/** Result of {@link readItemsJsonl}. Rows of `tags` and `vectors` follow the item map's indices. */
export interface ReadItemsJsonlResult {
  /** Item id map (extended with the file's ids). */
  items: IdMapBuilder;
  /** Tags per item, `items.size` rows (items without a record have none). */
  tags: MultiHot;
  /** One table per vector field, `items.size` rows; items without a record get zeros. */
  vectors: Record<string, VectorTable>;
  /** 1 = the item had a valid record in the file; length `items.size`. */
  present: Uint8Array;
  /** Records accepted and skipped. */
  report: ReadReport;
}

interface VectorColumn {
  dim: number;
  data: Float32Array;
}

/**
 * Streams a JSON Lines item file: id, tags and named dense vectors. Errors (`InvalidDatasetError`,
 * strict by default): `invalid-json`, `missing-field` (no id, or a listed vector field missing),
 * `invalid-type` (id/tags/vector of the wrong type), `dimension`, `nan` (NaN/Infinity in a vector,
 * written as a string or as a bare token), `non-numeric` (a vector entry that is not a number),
 * `duplicate-id`.
 */
export async function readItemsJsonl(options: ReadItemsJsonlOptions): Promise<ReadItemsJsonlResult> {
  const file = options.path;
  const idField = options.idField ?? 'id';
  const tagsField = options.tagsField ?? 'tags';
  const vectorFields = options.vectorFields ?? [];
  for (const [field, dim] of Object.entries(options.vectorDims ?? {})) {
    if (!Number.isInteger(dim) || dim <= 0) {
      throw new InvalidArgumentError({
        argument: `vectorDims.${field}`,
        message: `must be an integer > 0, got ${dim}`,
      });
    }
  }
  const items = options.items ?? createIdMapBuilder();
  const vocabulary = options.tags ?? createIdMapBuilder();
  const issues = new IssueCollector(file, options.skipInvalid ?? false);
  const report = issues.report;

  const dims: Record<string, number | undefined> = { ...options.vectorDims };
  const columns = new Map<string, VectorColumn>();
  let seen = new Uint8Array(Math.max(16, items.size));
  const recordItems: number[] = [];
  const recordTags: Int32Array[] = [];
  let lineNumber = 0;

  const vectorColumn = (field: string, dim: number, rows: number): VectorColumn => {
    let column = columns.get(field);
    if (column === undefined) {
      column = { dim, data: new Float32Array(Math.max(16, rows) * dim) };
      columns.set(field, column);
    }
    if (column.data.length < rows * dim) {
      const grown = new Float32Array(Math.max(rows, (column.data.length / dim) * 2) * dim);
      grown.set(column.data);
      column.data = grown;
    }
    return column;
  };

  /** Stores one record; false when it was rejected (skipInvalid). */
  const processRecord = (text: string, line: number): boolean => {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (cause) {
      const bareNaN = /(?<![\w"])-?(NaN|Infinity)(?![\w"])/.test(text);
      return issues.reject(
        line,
        undefined,
        bareNaN ? 'nan' : 'invalid-json',
        bareNaN
          ? 'NaN/Infinity is not valid JSON and not a usable vector value'
          : `invalid JSON (${(cause as Error).message})`,
        cause,
      );
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return issues.reject(line, undefined, 'invalid-json', 'each line must be a JSON object');
    }
    const fields = record as Record<string, unknown>;
    const rawId = fields[idField];
    if (rawId === undefined || rawId === null || rawId === '') {
      return issues.reject(line, idField, 'missing-field', 'the record has no item id');
    }
    if (typeof rawId !== 'string' && typeof rawId !== 'number') {
      return issues.reject(
        line,
        idField,
        'invalid-type',
        `item id must be a string or number, got ${typeof rawId}`,
      );
    }
    const id = String(rawId);
    const rawTags = fields[tagsField];
    let tagNames: string[] = [];
    if (rawTags !== undefined && rawTags !== null) {
      if (
        !Array.isArray(rawTags) ||
        rawTags.some((tag) => typeof tag !== 'string' && typeof tag !== 'number')
      ) {
        return issues.reject(line, tagsField, 'invalid-type', 'tags must be an array of strings or numbers');
      }
      tagNames = rawTags.map(String);
    }
    const vectors: [string, number[]][] = [];
    for (const field of vectorFields) {
      const vector = fields[field];
      if (vector === undefined || vector === null) {
        return issues.reject(line, field, 'missing-field', `the vector field is missing`);
      }
      if (!Array.isArray(vector))
        return issues.reject(
          line,
          field,
          'invalid-type',
          `expected an array of numbers, got ${typeof vector}`,
        );
      const expected = dims[field] ?? vector.length;
      if (vector.length !== expected || expected === 0) {
        return issues.reject(
          line,
          field,
          'dimension',
          `expected a vector of dimension ${expected}, got ${vector.length}`,
        );
      }
      for (let k = 0; k < vector.length; k++) {
        const value: unknown = vector[k];
        if (typeof value === 'number') continue; // JSON numbers are always finite
        if (typeof value === 'string' && /^[+-]?(NaN|nan|Infinity|inf|infinity)$/i.test(value.trim())) {
          return issues.reject(
            line,
            field,
            'nan',
            `entry ${k} is ${quoteValue(value)}; vectors must be finite`,
          );
        }
        return issues.reject(
          line,
          field,
          'non-numeric',
          `entry ${k} is ${quoteValue(JSON.stringify(value) ?? String(value))}, not a number`,
        );
      }
      vectors.push([field, vector as number[]]);
    }
    const known = items.indexOf(id);
    if (known !== undefined && known < seen.length && seen[known] === 1) {
      return issues.reject(line, idField, 'duplicate-id', `item ${quoteValue(id)} already had a record`);
    }
    const item = items.add(id);
    if (item >= seen.length) {
      const grown = new Uint8Array(Math.max(item + 1, seen.length * 2));
      grown.set(seen);
      seen = grown;
    }
    seen[item] = 1;
    for (const [field, vector] of vectors) {
      dims[field] = vector.length;
      const column = vectorColumn(field, vector.length, item + 1);
      column.data.set(vector, item * vector.length);
    }
    recordItems.push(item);
    recordTags.push(Int32Array.from(tagNames, (tag) => vocabulary.add(tag)));
    report.rows++;
    return true;
  };

  await readLineBlocks({
    path: file,
    encoding: 'utf8',
    onBlock: (text, end) => {
      let position = 0;
      while (position < end) {
        const lineEnd = text.indexOf('\n', position);
        lineNumber++;
        const line = text.substring(position, lineEnd);
        if (line.trim().length > 0) processRecord(line, lineNumber);
        position = lineEnd + 1;
      }
    },
    ...(options.onProgress
      ? {
          onChunk: (bytesRead: number, totalBytes: number) =>
            options.onProgress?.({ bytesRead, totalBytes, rows: report.rows }),
        }
      : {}),
  });

  const numItems = items.size;
  const offsets = new Int32Array(numItems + 1);
  const tagsByItem: (Int32Array | undefined)[] = new Array(numItems);
  for (let r = 0; r < recordItems.length; r++) tagsByItem[recordItems[r] as number] = recordTags[r];
  for (let i = 0; i < numItems; i++) offsets[i + 1] = (offsets[i] as number) + (tagsByItem[i]?.length ?? 0);
  const values = new Int32Array(offsets[numItems] as number);
  for (let i = 0; i < numItems; i++) {
    const row = tagsByItem[i];
    if (row) values.set(row, offsets[i] as number);
  }
  const vectors: Record<string, VectorTable> = {};
  for (const field of vectorFields) {
    const dim = dims[field];
    if (dim === undefined) continue; // no record had it (only possible when every record was skipped)
    const column = columns.get(field);
    const data = new Float32Array(numItems * dim);
    if (column) data.set(column.data.subarray(0, Math.min(column.data.length, numItems * dim)));
    vectors[field] = { dim, data };
  }
  const present = new Uint8Array(numItems);
  present.set(seen.subarray(0, Math.min(seen.length, numItems)));
  return { items, tags: { vocabulary, offsets, values }, vectors, present, report };
}
