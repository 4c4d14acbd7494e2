/** Where a non-finite value sits in a row-major embedding matrix. */
export interface NonFiniteValue {
  /** 0-based row. */
  row: number;
  /** 0-based column. */
  column: number;
  /** The value (`NaN`, `Infinity` or `-Infinity`). */
  value: number;
}

/** Values scanned between two yields to the event loop (about 5 ms on one core). */
const CHUNK = 1 << 20;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Finds the first non-finite value of a row-major `rows x dim` matrix. Large matrices are scanned in
 * chunks with the event loop running in between, so checking a reload never stalls the requests that
 * the old state is still answering.
 */
export async function findNonFinite(options: {
  /** The matrix. */
  values: Float32Array;
  /** Row length. */
  dim: number;
}): Promise<NonFiniteValue | undefined> {
  const { values, dim } = options;
  for (let start = 0; start < values.length; start += CHUNK) {
    const end = Math.min(values.length, start + CHUNK);
    for (let i = start; i < end; i++) {
      const value = values[i] as number;
      // NaN fails both comparisons; +-Infinity fails the second.
      if (!(value - value === 0)) return { row: Math.floor(i / dim), column: i % dim, value };
    }
    if (end < values.length) await yieldToEventLoop();
  }
  return undefined;
}
