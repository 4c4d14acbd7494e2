import { open } from 'node:fs/promises';
import { writeFileAtomic } from '@mmrecall/atomic-write';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import { float16Table } from './float16';

/** A dense array read from a `.npy` file, converted to float32, C (row-major) order. */
export interface NpyArray {
  /** Shape, e.g. `[6710, 128]`; `[]` for a scalar. */
  shape: number[];
  /** Values in C order, `product(shape)` long. */
  data: Float32Array;
}

/** Options of {@link parseNpy}. */
export interface ParseNpyOptions {
  /** The whole `.npy` file content. */
  buffer: Uint8Array;
  /** Name used in error messages. Default: `<buffer>`. */
  file?: string;
}

/** Options of {@link readNpy}. */
export interface ReadNpyOptions {
  /** Path of the `.npy` file. */
  path: string;
}

/** Options of {@link writeNpy}. */
export interface WriteNpyOptions {
  /** Destination path; written atomically (temporary sibling, flush, rename). */
  path: string;
  /** Shape of the array; the product must equal `data.length`. */
  shape: readonly number[];
  /** Values in C order, stored as little-endian float32 (`<f4`). */
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DTYPES: Record<string, number> = {
  '<f2': 2,
  '<f4': 4,
  '<f8': 8,
  '<i4': 4,
  '<i8': 8,
  '|u1': 1,
  '|i1': 1,
  '<u2': 2,
  '<i2': 2,
};

interface NpyHeader {
  dtype: string;
  itemBytes: number;
  shape: number[];
  count: number;
  dataOffset: number;
}

function fail(file: string, kind: string, message: string): never {
  throw new InvalidDatasetError({ file, kind, message });
}

/** Parses the magic, version and header dict; `prefix` must hold at least the header. */
function parseHeader(prefix: Uint8Array, file: string, fileBytes: number): NpyHeader {
  if (prefix.length < 10 || MAGIC.some((byte, i) => prefix[i] !== byte)) {
    fail(file, 'bad-magic', 'not a NumPy .npy file (missing the \\x93NUMPY magic string)');
  }
  const major = prefix[6] as number;
  const minor = prefix[7] as number;
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = (prefix[8] as number) | ((prefix[9] as number) << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (prefix.length < 12) fail(file, 'truncated', 'file ends inside the .npy preamble');
    headerLength = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(8, true);
    headerStart = 12;
  } else {
    fail(
      file,
      'unsupported-version',
      `unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`,
    );
  }
  if (prefix.length < headerStart + headerLength) {
    fail(
      file,
      'truncated',
      `file ends inside the .npy header (needs ${headerStart + headerLength} bytes, file has ${fileBytes})`,
    );
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    prefix.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(
      file,
      'bad-header',
      `cannot read descr/fortran_order/shape from the header ${JSON.stringify(header.trim())}`,
    );
  }
  if (fortran === 'True') {
    fail(
      file,
      'fortran-order',
      'arrays in Fortran (column-major) order are not supported; save with np.ascontiguousarray',
    );
  }
  const dtype = descr === '<f2' || descr === '<f4' || descr === '<f8' ? descr : descr.replace(/^=/, '<');
  const itemBytes = DTYPES[dtype];
  if (itemBytes === undefined) {
    fail(
      file,
      'unsupported-dtype',
      `unsupported dtype ${JSON.stringify(descr)} (supported: ${Object.keys(DTYPES).join(', ')})`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const dimension = Number(part.replace(/L$/, ''));
      if (!Number.isInteger(dimension) || dimension < 0)
        fail(file, 'bad-header', `bad shape entry ${JSON.stringify(part)}`);
      return dimension;
    });
  const count = shape.reduce((product, dimension) => product * dimension, 1);
  return { dtype, itemBytes, shape, count, dataOffset: headerStart + headerLength };
}

/** Converts `bytes` (a whole number of items of `dtype`) into `out` starting at `outOffset`. */
function decodeInto(dtype: string, bytes: Uint8Array, out: Float32Array, outOffset: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case '<f4': {
      // Copy byte-wise into the float32 buffer: works for any alignment, little-endian hosts.
      new Uint8Array(out.buffer, out.byteOffset + outOffset * 4, bytes.length).set(bytes);
      return;
    }
    case '<f2': {
      const halfTable = float16Table();
      const n = bytes.length >> 1;
      for (let i = 0; i < n; i++) {
        out[outOffset + i] = halfTable[
          (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8)
        ] as number;
      }
      return;
    }
    case '<f8': {
      const n = bytes.length >> 3;
      for (let i = 0; i < n; i++) out[outOffset + i] = view.getFloat64(i * 8, true);
      return;
    }
    case '<i4': {
      const n = bytes.length >> 2;
      for (let i = 0; i < n; i++) out[outOffset + i] = view.getInt32(i * 4, true);
      return;
    }
    case '<i8': {
      const n = bytes.length >> 3;
      for (let i = 0; i < n; i++)
        out[outOffset + i] = view.getUint32(i * 8, true) + view.getInt32(i * 8 + 4, true) * 4294967296;
      return;
    }
    case '<i2': {
      const n = bytes.length >> 1;
      for (let i = 0; i < n; i++) out[outOffset + i] = view.getInt16(i * 2, true);
      return;
    }
    case '<u2': {
      const n = bytes.length >> 1;
      for (let i = 0; i < n; i++) out[outOffset + i] = view.getUint16(i * 2, true);
      return;
    }
    case '|u1': {
      for (let i = 0; i < bytes.length; i++) out[outOffset + i] = bytes[i] as number;
      return;
    }
    case '|i1': {
      for (let i = 0; i < bytes.length; i++) out[outOffset + i] = view.getInt8(i);
      return;
    }
  }
}

function truncated(file: string, header: NpyHeader, available: number): never {
  const expected = header.count * header.itemBytes;
  fail(
    file,
    'truncated',
    `data is truncated: shape (${header.shape.join(', ')}) of ${header.dtype} needs ${expected} bytes, file has ${available}`,
  );
}

/**
 * Parses an in-memory NumPy `.npy` file (format 1.0, 2.0 or 3.0, C order). Dtypes `<f2` (float16,
 * incl. subnormals, infinities and NaN), `<f4`, `<f8`, `<i2`, `<u2`, `<i4`, `<i8`, `|u1`, `|i1` are
 * converted to float32. Errors (`InvalidDatasetError`): `bad-magic`, `unsupported-version`,
 * `bad-header`, `fortran-order`, `unsupported-dtype`, `truncated`.
 */
export function parseNpy(options: ParseNpyOptions): NpyArray {
  const file = options.file ?? '<buffer>';
  const buffer = options.buffer;
  const header = parseHeader(buffer, file, buffer.length);
  const available = buffer.length - header.dataOffset;
  const needed = header.count * header.itemBytes;
  if (available < needed) truncated(file, header, available);
  const data = new Float32Array(header.count);
  decodeInto(header.dtype, buffer.subarray(header.dataOffset, header.dataOffset + needed), data, 0);
  return { shape: header.shape, data };
}

/**
 * Reads a NumPy `.npy` file (see {@link parseNpy} for formats). The data is streamed in 4 MiB
 * chunks straight into the output `Float32Array`, so a big file is never held twice.
 */
export async function readNpy(options: ReadNpyOptions): Promise<NpyArray> {
  const file = options.path;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw new InvalidDatasetError({
      file,
      kind: 'unreadable',
      message: `cannot open file (${(cause as Error).message})`,
      cause,
    });
  }
  try {
    const fileBytes = (await handle.stat()).size;
    const prefix = Buffer.alloc(Math.min(fileBytes, 65536 + 12));
    await handle.read(prefix, 0, prefix.length, 0);
    const header = parseHeader(prefix, file, fileBytes);
    const available = fileBytes - header.dataOffset;
    const needed = header.count * header.itemBytes;
    if (available < needed) truncated(file, header, available);
    const data = new Float32Array(header.count);
    const chunkItems = Math.max(1, Math.floor((4 << 20) / header.itemBytes));
    const chunk = Buffer.allocUnsafe(Math.min(needed, chunkItems * header.itemBytes));
    let item = 0;
    while (item < header.count) {
      const items = Math.min(chunkItems, header.count - item);
      const bytes = items * header.itemBytes;
      let filled = 0;
      while (filled < bytes) {
        const { bytesRead } = await handle.read(
          chunk,
          filled,
          bytes - filled,
          header.dataOffset + item * header.itemBytes + filled,
        );
        if (bytesRead === 0) truncated(file, header, item * header.itemBytes + filled);
        filled += bytesRead;
      }
      decodeInto(header.dtype, chunk.subarray(0, bytes), data, item);
      item += items;
    }
    return { shape: header.shape, data };
  } finally {
    await handle.close();
  }
}

/** Encodes a float32 array as `.npy` v1.0 bytes (`<f4`, C order). */
export function encodeNpy(options: { shape: readonly number[]; data: Float32Array }): Buffer {
  const { shape, data } = options;
  if (!shape.every((dimension) => Number.isInteger(dimension) && dimension >= 0)) {
    throw new InvalidArgumentError({
      argument: 'shape',
      message: `dimensions must be integers >= 0, got [${shape.join(', ')}]`,
    });
  }
  const count = shape.reduce((product, dimension) => product * dimension, 1);
  if (count !== data.length) {
    throw new InvalidArgumentError({
      argument: 'shape',
      message: `shape [${shape.join(', ')}] holds ${count} values, data has ${data.length}`,
    });
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += `${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = Buffer.alloc(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Writes a float32 array as a `.npy` v1.0 file (`<f4`, C order), atomically. */
export async function writeNpy(options: WriteNpyOptions): Promise<void> {
  const bytes = encodeNpy({ shape: options.shape, data: options.data });
  await writeFileAtomic({ path: options.path, data: bytes });
}
