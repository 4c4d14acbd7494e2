import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidDatasetError } from '@mmrecall/errors';
import { expect } from 'vitest';

/** A temporary folder for fixture files; call `cleanup()` in `afterAll`. */
export function createFixtureDir(prefix: string): {
  dir: string;
  write: (name: string, content: string | Uint8Array) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), `mmrecall-data-${prefix}-`));
  return {
    dir,
    write: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Awaits `promise`, expects an InvalidDatasetError and returns it. */
export async function expectDatasetError(promise: Promise<unknown>): Promise<InvalidDatasetError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(InvalidDatasetError.isInstance(error), `expected an InvalidDatasetError, got ${String(error)}`).toBe(
    true,
  );
  return error as InvalidDatasetError;
}

/** Calls `fn`, expects an InvalidDatasetError and returns it. */
export function expectDatasetErrorSync(fn: () => unknown): InvalidDatasetError {
  let error: unknown;
  try {
    fn();
  } catch (caught) {
    error = caught;
  }
  expect(InvalidDatasetError.isInstance(error), `expected an InvalidDatasetError, got ${String(error)}`).toBe(
    true,
  );
  return error as InvalidDatasetError;
}

/** Real data folder shared by the project (never copied into the repo). */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
