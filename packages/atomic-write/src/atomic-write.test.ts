import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceFileAtomic, replaceFolderAtomic, writeFileAtomic } from './index';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mmrecall-atomic-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes text, bytes and several parts in order, and overwrites', async () => {
    const file = path.join(root, 'a.bin');
    await writeFileAtomic({ path: file, data: 'héllo' });
    expect(await readFile(file, 'utf8')).toBe('héllo');
    await writeFileAtomic({ path: file, data: new Float32Array([1.5, -2]) });
    expect(Array.from(new Float32Array((await readFile(file)).buffer.slice(0)))).toEqual([1.5, -2]);
    // a view into the middle of a larger buffer writes only the view
    const big = new Int32Array([9, 1, 2, 9]);
    await writeFileAtomic({ path: file, data: [new Uint8Array([7]), big.subarray(1, 3)], sync: false });
    const bytes = await readFile(file);
    expect(bytes.length).toBe(1 + 8);
    expect(bytes[0]).toBe(7);
    expect(bytes.readInt32LE(1)).toBe(1);
    expect(bytes.readInt32LE(5)).toBe(2);
    expect(await readdir(root)).toEqual(['a.bin']);
  });

  it('creates the folder only when asked', async () => {
    const file = path.join(root, 'x', 'y', 'f.txt');
    await expect(writeFileAtomic({ path: file, data: 'a' })).rejects.toThrow(/ENOENT/);
    await writeFileAtomic({ path: file, data: 'a', createFolder: true });
    expect(await readFile(file, 'utf8')).toBe('a');
  });
});

describe('replaceFileAtomic', () => {
  it('keeps the old file and leaves no temporary file when the writer fails', async () => {
    const file = path.join(root, 'index.bin');
    await writeFile(file, 'old');
    let seen = '';
    await expect(
      replaceFileAtomic({
        path: file,
        write: async (temporaryPath) => {
          seen = temporaryPath;
          await writeFile(temporaryPath, 'half');
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(path.dirname(seen)).toBe(root);
    expect(seen).not.toBe(file);
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['index.bin']);
  });

  it('gives each call its own temporary file, so concurrent writers never share one', async () => {
    const file = path.join(root, 'shared.txt');
    const temporaries: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((text) =>
        replaceFileAtomic({
          path: file,
          write: async (temporaryPath) => {
            temporaries.push(temporaryPath);
            await writeFile(temporaryPath, text.repeat(1000));
          },
        }),
      ),
    );
    expect(new Set(temporaries).size).toBe(3);
    expect(['a', 'b', 'c'].map((t) => t.repeat(1000))).toContain(await readFile(file, 'utf8'));
    expect(await readdir(root)).toEqual(['shared.txt']);
  });
});

describe('replaceFolderAtomic', () => {
  it('creates, then replaces a folder whole, removing the old contents', async () => {
    const dir = path.join(root, 'nested', 'artifacts');
    await replaceFolderAtomic({
      dir,
      write: async (temporaryDir) => {
        await writeFile(path.join(temporaryDir, 'a.json'), '1');
        await writeFile(path.join(temporaryDir, 'stale.json'), 'x');
      },
    });
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'stale.json']);
    await replaceFolderAtomic({
      dir,
      write: async (temporaryDir) => {
        await writeFile(path.join(temporaryDir, 'a.json'), '2');
      },
    });
    expect(await readdir(dir)).toEqual(['a.json']);
    expect(await readFile(path.join(dir, 'a.json'), 'utf8')).toBe('2');
    expect(await readdir(path.join(root, 'nested'))).toEqual(['artifacts']);
  });

  it('leaves the existing folder untouched and removes the temporary one when the writer fails', async () => {
    const dir = path.join(root, 'out');
    await mkdir(dir);
    await writeFile(path.join(dir, 'keep.txt'), 'kept');
    await expect(
      replaceFolderAtomic({
        dir,
        write: async (temporaryDir) => {
          await writeFile(path.join(temporaryDir, 'partial.txt'), 'p');
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(await readdir(root)).toEqual(['out']);
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });
});
