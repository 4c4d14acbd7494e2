/** Largest finite float32 value; a larger double becomes Infinity in a Float32Array. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** True when `value` is finite and stays finite as a float32. */
export function checkFiniteFloat32(value: number): boolean {
  return value <= FLOAT32_MAX && value >= -FLOAT32_MAX;
}

/** Receives the reason when {@link checkId} fails. */
export interface IdCheck {
  message: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks an id taken from a structured file (JSON, Parquet): a non-empty string without control
 * characters (a NUL byte usually means a UTF-16 or binary file), or an integer number that is
 * exactly representable (JSON rounds digits beyond 2^53 silently).
 */
export function checkId(value: unknown, out: IdCheck): boolean {
  if (typeof value === 'string') {
    const at = value.search(CONTROL);
    if (at < 0) return true;
    const code = value.charCodeAt(at);
    out.message = `id ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)} contains ${code === 0 ? 'a NUL byte' : `the control character U+${code.toString(16).padStart(4, '0')}`} at position ${at}`;
    return false;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'bigint' || Number.isSafeInteger(value)) return true;
    out.message = Number.isInteger(value)
      ? `numeric id ${value} is beyond 2^53 and cannot be read exactly from a JSON number; write ids as strings`
      : `numeric id ${value} is not an integer; write ids as strings`;
    return false;
  }
  out.message = `an id must be a string or an integer, got ${value === null ? 'null' : typeof value}`;
  return false;
}
