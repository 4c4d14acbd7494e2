import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidArtifactError } from '@mmrecall/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addArtifactsIndex } from './add-artifacts-index';
import { type ArtifactsWriteStep, writeArtifacts } from './artifacts';
import { cleanStaleArtifacts } from './artifacts-folder';
import { readArtifacts } from './read-artifacts';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';
import type { RecallModel } from './types';

let root: string;
let model: RecallModel;
const fixture = tinyFixture('content-only');
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mmrecall-folder-'));
  model = createRecallModel({ config: fixture.config });
});
afterAll(async () => {
  model.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Writes a folder whose manifest `info.tag` tells which write it came from. */
function write(dir: string, tag: string, onStep?: (step: ArtifactsWriteStep) => Promise<void>) {
  return writeArtifacts({
    dir,
    model,
    idMaps: { users: [], items: Array.from({ length: fixture.numItems }, (_, i) => `${tag}-${i}`) },
    itemEmbeddings: new Float32Array(fixture.numItems * model.itemDim).fill(tag === 'A' ? 0.5 : -0.5),
    itemMeta: { warm: fixture.warm },
    info: { tag },
    ...(onStep ? { onStep } : {}),
  });
}

async function tagOf(dir: string): Promise<string> {
  const loaded = await readArtifacts({ dir });
  loaded.dispose();
  // Every file of one read comes from one version: ids and embeddings agree with the tag.
  const tag = String(loaded.manifest.info?.tag);
  expect(loaded.idMaps.items[0]).toBe(`${tag}-0`);
  expect(loaded.itemEmbeddings[0]).toBe(tag === 'A' ? 0.5 : -0.5);
  return tag;
}

const STEPS: ArtifactsWriteStep[] = ['writing', 'staged', 'retired', 'swapped', 'cleaned'];

describe('artifacts folder swap', () => {
  it('a kill at any step leaves one complete folder, old or new, and the next writer cleans up', async () => {
    const parent = path.join(root, `swap-${counter++}`);
    const dir = path.join(parent, 'artifacts');
    await write(dir, 'A');
    // Temporaries of an earlier writer that was killed (the pid is beyond Linux's pid_max).
    await mkdir(path.join(parent, 'artifacts.tmp-4194304-0123abcd'));
    await mkdir(path.join(parent, 'artifacts.old-4194304-89abcdef'));
    // At each step, copy the parent folder as a `kill -9` would leave it.
    const snapshots = new Map<ArtifactsWriteStep, string>();
    await write(dir, 'B', async (step) => {
      const snapshot = path.join(root, `snapshot-${counter++}`);
      execFileSync('cp', ['-a', parent, snapshot]);
      snapshots.set(step, snapshot);
    });
    expect([...snapshots.keys()]).toEqual(STEPS);
    expect(await tagOf(dir)).toBe('B');
    for (const [step, snapshot] of snapshots) {
      const killed = path.join(snapshot, 'artifacts');
      const before = step === 'writing' || step === 'staged';
      // Killed between the two renames, `artifacts` is missing: readers take the newest complete
      // folder left beside it (B: its manifest is the newest).
      expect((await lstat(killed).catch(() => undefined)) === undefined, step).toBe(step === 'retired');
      expect(await tagOf(killed), step).toBe(before ? 'A' : 'B');
      const removed = await cleanStaleArtifacts({ dir: killed });
      expect(await readdir(snapshot), `${step}: removed ${removed.join(', ')}`).toEqual(['artifacts']);
      expect((await lstat(killed)).isDirectory(), step).toBe(true);
      expect(await tagOf(killed), step).toBe(before ? 'A' : 'B');
    }
    // The finished write left the folder and nothing else.
    expect(await readdir(parent)).toEqual(['artifacts']);
  });

  it('a reader never mixes the files of two versions written meanwhile', async () => {
    const dir = path.join(root, `mixed-${counter++}`, 'artifacts');
    await write(dir, 'A');
    const writes = (async () => {
      for (let i = 0; i < 6; i++) await write(dir, i % 2 === 0 ? 'B' : 'A');
    })();
    for (let i = 0; i < 6; i++) await tagOf(dir);
    await writes;
  });
});

describe('addArtifactsIndex', () => {
  it('adds a checked index file in a new version, leaving the served version untouched', async () => {
    const dir = path.join(root, `index-${counter++}`, 'artifacts');
    await write(dir, 'A');
    const before = await readArtifacts({ dir });
    before.dispose();
    const bytes = Buffer.from('a prebuilt graph');
    await addArtifactsIndex({
      dir,
      index: {
        info: {
          kind: 'hnsw',
          library: 'usearch',
          metric: 'ip',
          rows: fixture.numItems,
          dim: model.itemDim,
          settings: { connectivity: 16 },
        },
        write: (file) => writeFile(file, bytes),
      },
    });
    const after = await readArtifacts({ dir });
    after.dispose();
    expect(after.manifest.createdAt).toBe(before.manifest.createdAt);
    expect(after.manifest.files.index).toBe('items.hnsw');
    expect(after.prebuiltIndex?.info.settings).toEqual({ connectivity: 16 });
    expect(await readFile(after.prebuiltIndex?.path as string)).toEqual(bytes);
    expect(after.manifest.integrity?.['items.hnsw']?.bytes).toBe(bytes.length);
    expect(await tagOf(dir)).toBe('A');
    expect(await readdir(path.dirname(dir))).toEqual(['artifacts']);
    // A changed index file is refused like any other artifact.
    await writeFile(after.prebuiltIndex?.path as string, Buffer.from('a prebuilt graqh'));
    const error = await readArtifacts({ dir }).catch((caught: unknown) => caught);
    expect(InvalidArtifactError.isInstance(error) && error.kind).toBe('checksum');
    expect((error as InvalidArtifactError).file).toBe('items.hnsw');
    await expect(
      addArtifactsIndex({
        dir,
        index: {
          info: { kind: 'hnsw', library: 'usearch', metric: 'ip', rows: 3, dim: model.itemDim, settings: {} },
          write: (file) => writeFile(file, bytes),
        },
      }),
    ).rejects.toThrow(/describes 3 x 8, the artifacts hold 40 x 8/);
  });
});
