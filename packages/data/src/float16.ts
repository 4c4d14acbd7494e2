let table: Float32Array | undefined;

/** Decodes one IEEE 754 half-precision value (bits as an unsigned 16-bit integer). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** A 65,536-entry lookup table from half bits to float32, built on first use (256 KiB). */
export function float16Table(): Float32Array {
  if (table === undefined) {
    const built = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) built[bits] = float16ToNumber(bits);
    table = built;
  }
  return table;
}
