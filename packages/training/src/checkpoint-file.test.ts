import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file';

/** XORs the byte at `at` with `mask`, in place. */
const flip = (bytes: Buffer, at: number, mask: number): void => {
  bytes[at] = (bytes[at] as number) ^ mask;
};

describe('checkpoint files', () => {
  it('round-trips metadata and float32/int32 arrays and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmrecall-ckpt-'));
    const path = join(dir, 'sub', 'checkpoint.ckpt');
    const arrays = {
      'model/w': { shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 0, 1e-8, -7) },
      'table/0/steps': { shape: [3], data: Int32Array.of(0, 5, 2147483647) },
    };
    await writeCheckpoint({ path, contents: { meta: { epochsDone: 2, name: 'x' }, arrays } });
    const read = await readCheckpoint<{ epochsDone: number; name: string }>({ path });
    expect(read?.meta).toEqual({ epochsDone: 2, name: 'x' });
    expect(read?.arrays['model/w']).toEqual(arrays['model/w']);
    expect(read?.arrays['table/0/steps']?.data).toBeInstanceOf(Int32Array);
    expect(read?.arrays['table/0/steps']).toEqual(arrays['table/0/steps']);
    expect(await readdir(join(dir, 'sub'))).toEqual(['checkpoint.ckpt']);
  });

  it('returns undefined for a missing file and names the file of a corrupt one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmrecall-ckpt-'));
    expect(await readCheckpoint({ path: join(dir, 'none.ckpt') })).toBeUndefined();
    const path = join(dir, 'bad.ckpt');
    await writeCheckpoint({
      path,
      contents: { meta: {}, arrays: { a: { shape: [4], data: new Float32Array(4) } } },
    });
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 4));
    await expect(readCheckpoint({ path })).rejects.toThrow(
      `${path}: corrupt checkpoint: sha256 does not match its contents`,
    );
    await writeFile(path, 'hello');
    await expect(readCheckpoint({ path })).rejects.toThrow(/bad\.ckpt: corrupt checkpoint: bad magic/);
  });

  it('rejects arrays whose shape does not match their length', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmrecall-ckpt-'));
    await expect(
      writeCheckpoint({
        path: join(dir, 'c.ckpt'),
        contents: { meta: {}, arrays: { w: { shape: [3], data: new Float32Array(2) } } },
      }),
    ).rejects.toThrow('checkpoint.arrays.w: shape [3] does not match 2 values');
  });

  it('refuses a checkpoint with 20 flipped low bits or 1,000 flipped bytes instead of resuming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmrecall-ckpt-'));
    const path = join(dir, 'flipped.ckpt');
    const data = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i));
    await writeCheckpoint({
      path,
      contents: { meta: { epochsDone: 3 }, arrays: { w: { shape: [4096], data } } },
    });
    const good = await readFile(path);
    expect((await readCheckpoint({ path }))?.arrays.w?.data).toEqual(data);
    // The lowest mantissa bit of 20 weights: values change by about 1e-7, the file keeps its shape.
    const lowBits = Buffer.from(good);
    for (let i = 0; i < 20; i++) flip(lowBits, lowBits.length - 32 - 4 * (i * 97 + 1), 1);
    await writeFile(path, lowBits);
    await expect(readCheckpoint({ path })).rejects.toThrow(/corrupt checkpoint: sha256 does not match/);
    const bytes = Buffer.from(good);
    for (let i = 0; i < 1000; i++) flip(bytes, Math.floor(((i + 0.5) * bytes.length) / 1000), 0xff);
    await writeFile(path, bytes);
    await expect(readCheckpoint({ path })).rejects.toThrow(/corrupt checkpoint/);
    // One flipped bit in the meta (epochsDone 3 -> 2) is refused too.
    const meta = Buffer.from(good);
    flip(meta, good.indexOf('"epochsDone":3') + 13, 1);
    await writeFile(path, meta);
    await expect(readCheckpoint({ path })).rejects.toThrow(/corrupt checkpoint: sha256 does not match/);
    const v1 = Buffer.from(good);
    v1.write('MMRCKPT1', 0, 'latin1');
    await writeFile(path, v1);
    await expect(readCheckpoint({ path })).rejects.toThrow(
      /corrupt checkpoint: format MMRCKPT1 has no checksum/,
    );
  });
});
