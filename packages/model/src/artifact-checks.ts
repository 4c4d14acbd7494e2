// Type and consistency checks of the JSON and float files of an artifacts folder. Every failure is
// an InvalidArtifactError naming the file, the field and the reason.
import path from 'node:path';
import { type ArtifactProblem, InvalidArtifactError } from '@mmrecall/errors';
import { type ArtifactFileIntegrity, isPlainFileName } from './artifact-files';

/** Raises InvalidArtifactError for one file of one folder. */
export type ArtifactFail = (
  field: string | undefined,
  kind: ArtifactProblem,
  message: string,
  cause?: unknown,
) => never;

/** A `fail` function bound to `file` inside `dir`. */
export function failFor(dir: string, file: string): ArtifactFail {
  return (field, kind, message, cause) => {
    throw new InvalidArtifactError({
      path: path.join(dir, file),
      file,
      ...(field === undefined ? {} : { field }),
      kind,
      message,
      ...(cause === undefined ? {} : { cause }),
    });
  };
}

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectRecord(value: unknown, fail: ArtifactFail, field?: string): Record<string, unknown> {
  if (!isRecord(value)) fail(field, 'type', `must be a JSON object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

export function expectString(value: unknown, fail: ArtifactFail, field: string): string {
  if (typeof value !== 'string') fail(field, 'type', `must be a string, got ${describe(value)}`);
  return value as string;
}

export function expectInteger(value: unknown, fail: ArtifactFail, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(field, 'type', `must be an integer >= ${min}, got ${JSON.stringify(value) ?? describe(value)}`);
  }
  return value as number;
}

/** A JSON array of `length` finite numbers (each checked by `check` when given). */
export function expectNumberArray(options: {
  value: unknown;
  fail: ArtifactFail;
  field: string;
  length: number;
  check?: (value: number) => boolean;
  expectation?: string;
}): number[] {
  const { value, fail, field, length, check } = options;
  if (!Array.isArray(value)) fail(field, 'type', `must be an array, got ${describe(value)}`);
  const array = value as unknown[];
  if (array.length !== length) fail(field, 'count', `has ${array.length} entries, expected ${length}`);
  for (let i = 0; i < array.length; i++) {
    const entry = array[i];
    if (typeof entry !== 'number' || !Number.isFinite(entry) || (check !== undefined && !check(entry))) {
      fail(
        `${field}[${i}]`,
        'type',
        `must be ${options.expectation ?? 'a finite number'}, got ${JSON.stringify(entry) ?? describe(entry)}`,
      );
    }
  }
  return array as number[];
}

/** A JSON array of distinct strings. */
export function expectUniqueStrings(value: unknown, fail: ArtifactFail, field: string): string[] {
  return expectUniqueStringRows(value, fail, field).values;
}

/** {@link expectUniqueStrings}, also returning the map from each string to its index that the check builds. */
export function expectUniqueStringRows(
  value: unknown,
  fail: ArtifactFail,
  field: string,
): { values: string[]; rows: Map<string, number> } {
  if (!Array.isArray(value)) fail(field, 'type', `must be an array of strings, got ${describe(value)}`);
  const array = value as unknown[];
  const firstAt = new Map<string, number>();
  for (let i = 0; i < array.length; i++) {
    const id = array[i];
    if (typeof id !== 'string') fail(`${field}[${i}]`, 'type', `must be a string, got ${describe(id)}`);
    const earlier = firstAt.get(id as string);
    if (earlier !== undefined) {
      fail(`${field}[${i}]`, 'duplicate-id', `id ${JSON.stringify(id)} is also ${field}[${earlier}]`);
    }
    firstAt.set(id as string, i);
  }
  return { values: array as string[], rows: firstAt };
}

/** A `role -> file name` map whose every name is a plain name inside the folder. */
export function expectFileNames(value: unknown, fail: ArtifactFail, field: string): Record<string, string> {
  const record = expectRecord(value, fail, field);
  for (const [role, name] of Object.entries(record)) {
    if (!isPlainFileName(name)) {
      fail(
        `${field}.${role}`,
        'unsafe-name',
        `${JSON.stringify(name)} is not a plain file name inside the artifacts folder`,
      );
    }
  }
  return record as Record<string, string>;
}

/** The `integrity` map of a version 2 manifest: `file name -> { bytes, sha256 }`. */
export function expectIntegrity(
  value: unknown,
  fail: ArtifactFail,
  field: string,
): Record<string, ArtifactFileIntegrity> {
  const record = expectRecord(value, fail, field);
  for (const [name, entry] of Object.entries(record)) {
    if (!isPlainFileName(name)) {
      fail(
        `${field}`,
        'unsafe-name',
        `${JSON.stringify(name)} is not a plain file name inside the artifacts folder`,
      );
    }
    const item = expectRecord(entry, fail, `${field}.${name}`);
    expectInteger(item.bytes, fail, `${field}.${name}.bytes`, 0);
    if (typeof item.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(item.sha256)) {
      fail(`${field}.${name}.sha256`, 'type', 'must be 64 lowercase hex digits');
    }
  }
  return record as Record<string, ArtifactFileIntegrity>;
}

/**
 * Views `bytes` as a `rows x dim` float32 matrix (a copy, so the buffer's alignment does not matter)
 * after checking its size; then checks that every value is finite.
 */
export function toFiniteMatrix(options: {
  bytes: Uint8Array;
  rows: number;
  dim: number;
  fail: ArtifactFail;
}): Float32Array {
  const { bytes, rows, dim, fail } = options;
  const expected = rows * dim * 4;
  if (bytes.byteLength !== expected) {
    fail(
      undefined,
      'size',
      `has ${bytes.byteLength} bytes, expected ${rows} rows x ${dim} float32 = ${expected} bytes`,
    );
  }
  // A buffer that owns its whole ArrayBuffer (a large file read into its own allocation) is viewed
  // in place: copying 256 MB at 1M x 64 costs more than the check. Pooled or unaligned bytes are copied.
  let values: Float32Array;
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) {
    values = new Float32Array(bytes.buffer, 0, rows * dim);
  } else {
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    values = new Float32Array(copy.buffer);
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    // NaN fails the comparison, and so does +-Infinity (Infinity - Infinity is NaN).
    if (!(value - value === 0)) {
      fail(
        `row ${Math.floor(i / dim)}, column ${i % dim}`,
        'non-finite',
        `holds ${values[i]} (value ${i}); every value must be finite`,
      );
    }
  }
  return values;
}
