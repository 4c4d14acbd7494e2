// pgvector's binary wire format of one `vector`: int16 dimension, int16 unused (0), then the values
// as big-endian float4. Sent as a Buffer, node-postgres binds it in binary, so a float32 reaches the
// server bit for bit (no decimal text in between).

/** Encodes row `row` of a row-major matrix, multiplied by `scale` (1 keeps the values as they are). */
export function encodeVector(options: {
  values: Float32Array;
  row: number;
  dim: number;
  scale?: number;
}): Buffer {
  const { values, row, dim } = options;
  const scale = options.scale ?? 1;
  const buffer = Buffer.allocUnsafe(4 + 4 * dim);
  buffer.writeInt16BE(dim, 0);
  buffer.writeInt16BE(0, 2);
  const offset = row * dim;
  for (let d = 0; d < dim; d++) buffer.writeFloatBE((values[offset + d] as number) * scale, 4 + 4 * d);
  return buffer;
}

/**
 * Decodes pgvector's text output (`[0.5,-1,3e-05]`) into `target` at `offset`. pgvector prints the
 * shortest decimal that reads back as the same float4, so the stored value is recovered exactly.
 */
export function decodeVectorText(options: {
  text: string;
  target: Float32Array;
  offset: number;
  dim: number;
}): void {
  const { text, target, offset, dim } = options;
  const parts = text.slice(1, -1).split(',');
  if (parts.length !== dim)
    throw new Error(`expected ${dim} values, got ${parts.length} in ${text.slice(0, 40)}`);
  for (let d = 0; d < dim; d++) target[offset + d] = Number(parts[d]);
}
