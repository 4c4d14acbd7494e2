import { afterAll, describe, expect, it } from 'vitest';
import { float16ToNumber } from './float16';
import { encodeNpy, parseNpy, readNpy, writeNpy } from './index';
import { createFixtureDir, expectDatasetError, expectDatasetErrorSync } from './test-helpers';

const fixtures = createFixtureDir('npy');
afterAll(() => fixtures.cleanup());

/** Builds a .npy file by hand: any version, header text and payload. */
function buildNpy(options: {
  version?: 1 | 2 | 3;
  header: string;
  payload: Uint8Array;
  magic?: number[];
}): Uint8Array {
  const version = options.version ?? 1;
  const preamble = version === 1 ? 10 : 12;
  let header = options.header;
  header += `${' '.repeat((64 - ((preamble + header.length + 1) % 64)) % 64)}\n`;
  const out = new Uint8Array(preamble + header.length + options.payload.length);
  out.set(options.magic ?? [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), preamble);
  out.set(options.payload, preamble + header.length);
  return out;
}

const dict = (descr: string, shape: string, fortran = 'False') =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

function halfBytes(bits: number[]): Uint8Array {
  const out = new Uint8Array(bits.length * 2);
  const view = new DataView(out.buffer);
  bits.forEach((value, i) => {
    view.setUint16(i * 2, value, true);
  });
  return out;
}

describe('float16 decoding', () => {
  it('decodes normals, subnormals, zeros, infinities and NaN', () => {
    expect(float16ToNumber(0x3c00)).toBe(1);
    expect(float16ToNumber(0xc000)).toBe(-2);
    expect(float16ToNumber(0x3555)).toBeCloseTo(0.33325195, 8);
    expect(float16ToNumber(0x7bff)).toBe(65504);
    expect(float16ToNumber(0x0400)).toBe(2 ** -14); // smallest normal
    expect(float16ToNumber(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(float16ToNumber(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(float16ToNumber(0x8001)).toBe(-(2 ** -24));
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
    expect(float16ToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(float16ToNumber(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(float16ToNumber(0x7e00)).toBeNaN();
    expect(float16ToNumber(0xfc01)).toBeNaN();
  });
});

describe('parseNpy', () => {
  it('parses <f2 (v1.0) through the lookup table, special values included', () => {
    const bits = [0x3c00, 0x0001, 0x7c00, 0x7e00, 0xc000, 0x03ff];
    const { shape, data } = parseNpy({
      buffer: buildNpy({ header: dict('<f2', '(2, 3)'), payload: halfBytes(bits) }),
    });
    expect(shape).toEqual([2, 3]);
    expect(data[0]).toBe(1);
    expect(data[1]).toBe(Math.fround(2 ** -24));
    expect(data[2]).toBe(Number.POSITIVE_INFINITY);
    expect(data[3]).toBeNaN();
    expect(data[4]).toBe(-2);
    expect(data[5]).toBe(Math.fround(1023 * 2 ** -24));
  });

  it('parses <f8, <i4, <i8 and a v2.0 header', () => {
    const f8 = new Float64Array([1.5, -2.25, 1e300]);
    const parsed = parseNpy({
      buffer: buildNpy({ version: 2, header: dict('<f8', '(3,)'), payload: new Uint8Array(f8.buffer) }),
    });
    expect(parsed.shape).toEqual([3]);
    expect(Array.from(parsed.data)).toEqual([1.5, -2.25, Number.POSITIVE_INFINITY]);
    const i4 = new Int32Array([-7, 0, 2_000_000]);
    expect(
      Array.from(
        parseNpy({ buffer: buildNpy({ header: dict('<i4', '(3,)'), payload: new Uint8Array(i4.buffer) }) })
          .data,
      ),
    ).toEqual([-7, 0, 2_000_000]);
    const i8 = new BigInt64Array([-3n, 5_000_000_000n, 0n]);
    expect(
      Array.from(
        parseNpy({ buffer: buildNpy({ header: dict('<i8', '(1, 3)'), payload: new Uint8Array(i8.buffer) }) })
          .data,
      ),
    ).toEqual([-3, 5_000_000_000, 0]);
  });

  it('round-trips writeNpy/encodeNpy <f4, including an empty and a scalar shape', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2);
    const encoded = encodeNpy({ shape: [3, 4], data });
    expect((encoded.length - data.byteLength) % 64).toBe(0); // header padded to 64 bytes like NumPy
    const back = parseNpy({ buffer: encoded });
    expect(back.shape).toEqual([3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(parseNpy({ buffer: encodeNpy({ shape: [0, 5], data: new Float32Array(0) }) }).shape).toEqual([
      0, 5,
    ]);
    expect(parseNpy({ buffer: encodeNpy({ shape: [], data: new Float32Array([3]) }) }).data[0]).toBe(3);
    expect(() => encodeNpy({ shape: [2, 2], data: new Float32Array(3) })).toThrow(
      /holds 4 values, data has 3/,
    );
  });

  it('rejects bad magic, versions, dtypes, Fortran order and truncated data with clear kinds', () => {
    const payload = new Uint8Array(8);
    const cases: [Uint8Array, string, RegExp][] = [
      [
        buildNpy({ header: dict('<f4', '(2,)'), payload, magic: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x5a] }),
        'bad-magic',
        /not a NumPy/,
      ],
      [
        buildNpy({ version: 3, header: dict('<f4', '(2,)'), payload }).map((byte, i) => (i === 6 ? 4 : byte)),
        'unsupported-version',
        /version 4\.0/,
      ],
      [buildNpy({ header: dict('>f4', '(2,)'), payload }), 'unsupported-dtype', /unsupported dtype ">f4"/],
      [buildNpy({ header: dict('<c8', '(1,)'), payload }), 'unsupported-dtype', /"<c8"/],
      [buildNpy({ header: dict('<f4', '(2, 1)', 'True'), payload }), 'fortran-order', /Fortran/],
      [buildNpy({ header: dict('<f4', '(3,)'), payload }), 'truncated', /needs 12 bytes, file has 8/],
      [buildNpy({ header: "{'descr': '<f4'}", payload }), 'bad-header', /cannot read/],
      [new Uint8Array([0x93, 0x4e]), 'bad-magic', /not a NumPy/],
    ];
    for (const [buffer, kind, message] of cases) {
      const error = expectDatasetErrorSync(() => parseNpy({ buffer, file: 'x.npy' }));
      expect(error.kind).toBe(kind);
      expect(error.file).toBe('x.npy');
      expect(error.message).toMatch(message);
    }
  });
});

describe('readNpy', () => {
  it('streams a multi-chunk <f4 file and a <f2 file from disk', async () => {
    const data = Float32Array.from({ length: 1_200_000 }, (_, i) => Math.sin(i));
    const path = `${fixtures.dir}/big.npy`;
    await writeNpy({ path, shape: [600_000, 2], data });
    const back = await readNpy({ path });
    expect(back.shape).toEqual([600_000, 2]);
    let mismatches = 0;
    for (let i = 0; i < data.length; i++) if (back.data[i] !== data[i]) mismatches++;
    expect(back.data.length).toBe(data.length);
    expect(mismatches).toBe(0);
    const halfPath = fixtures.write(
      'half.npy',
      buildNpy({ header: dict('<f2', '(2, 2)'), payload: halfBytes([0x3c00, 0x3800, 0xbc00, 0x0000]) }),
    );
    expect(Array.from((await readNpy({ path: halfPath })).data)).toEqual([1, 0.5, -1, 0]);
  });

  it('reports truncated files with expected and actual bytes, and missing files', async () => {
    const full = buildNpy({ header: dict('<f2', '(10, 4)'), payload: new Uint8Array(80) });
    const path = fixtures.write('cut.npy', full.subarray(0, full.length - 6));
    const error = await expectDatasetError(readNpy({ path }));
    expect(error.kind).toBe('truncated');
    expect(error.message).toMatch(/shape \(10, 4\) of <f2 needs 80 bytes, file has 74/);
    expect((await expectDatasetError(readNpy({ path: `${path}.missing` }))).kind).toBe('unreadable');
  });
});
