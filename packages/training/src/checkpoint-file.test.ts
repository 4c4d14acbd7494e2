import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file';

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
      `${path}: corrupt checkpoint: array a is truncated`,
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
});
