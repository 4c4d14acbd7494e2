import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, InvalidArtifactError, MissingArtifactError } from '@mmrecall/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifacts } from './artifacts';
import { embedItems, embedUsers } from './embed';
import { createItemFeatureStore, createUserFeatureStore } from './feature-store';
import { readArtifacts } from './read-artifacts';
import { createRecallModel } from './recall-model';
import { tinyFixture } from './test-fixtures';

let root: string;
let source: string;
let counter = 0;
const NUM_ITEMS = 40;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mmrecall-verified-'));
  source = path.join(root, 'source');
  const fixture = tinyFixture('gated-additive');
  const model = createRecallModel({ config: fixture.config });
  const { embeddings, gates } = await embedItems({ model, store: createItemFeatureStore({ ...fixture }) });
  const userEmbeddings = await embedUsers({
    model,
    store: createUserFeatureStore({
      config: fixture.config,
      numUsers: fixture.numUsers,
      history: fixture.history,
    }),
  });
  await writeArtifacts({
    dir: source,
    model,
    idMaps: {
      users: Array.from({ length: fixture.numUsers }, (_, i) => `u${i}`),
      items: Array.from({ length: NUM_ITEMS }, (_, i) => `i${i}`),
      tags: fixture.vocabulary,
    },
    itemEmbeddings: embeddings,
    userEmbeddings,
    itemMeta: {
      warm: fixture.warm,
      ...(gates ? { gate: gates } : {}),
      exposures: fixture.statistics.exposures,
    },
    extraFiles: { 'metrics.json': '{"ok":true}' },
  });
  model.dispose();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh copy of the good folder. */
async function copy(): Promise<string> {
  const dir = path.join(root, `case-${counter++}`);
  execFileSync('cp', ['-rL', source, dir]);
  return dir;
}

// biome-ignore lint/suspicious/noExplicitAny: test edits arbitrary manifest fields
async function readManifest(dir: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
}

async function writeManifest(dir: string, manifest: unknown): Promise<void> {
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** Replaces a file and, with `reseal`, updates its size and sha256 in the manifest (a consistent lie). */
async function tamper(
  dir: string,
  name: string,
  content: string | Uint8Array,
  reseal: boolean,
): Promise<void> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  await writeFile(path.join(dir, name), bytes);
  if (!reseal) return;
  const manifest = await readManifest(dir);
  manifest.integrity[name] = {
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  await writeManifest(dir, manifest);
}

/** readArtifacts must fail with InvalidArtifactError of `kind` naming `file` (and `field`). */
async function expectInvalid(
  dir: string,
  expected: { file: string; kind: string; field?: string | RegExp; message?: RegExp },
) {
  const error = await readArtifacts({ dir }).then(
    (loaded) => {
      loaded.dispose();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(InvalidArtifactError.isInstance(error), String(error)).toBe(true);
  const invalid = error as InvalidArtifactError;
  expect({ file: invalid.file, kind: invalid.kind }).toEqual({ file: expected.file, kind: expected.kind });
  expect(invalid.path).toBe(path.join(dir, expected.file));
  if (expected.field instanceof RegExp) expect(invalid.field).toMatch(expected.field);
  else if (expected.field !== undefined) expect(invalid.field).toBe(expected.field);
  if (expected.message) expect(invalid.message).toMatch(expected.message);
  return invalid;
}

describe('writeArtifacts: manifest version 2', () => {
  it('records the byte size and sha256 of every file but the manifest', async () => {
    const manifest = await readManifest(source);
    expect(manifest.version).toBe(2);
    const names = Object.keys(manifest.integrity).sort();
    expect(names).toEqual([
      'config.json',
      'id-maps.json',
      'item-meta.json',
      'items.f32',
      'metrics.json',
      'model.json',
      'users.f32',
      'weights.bin',
    ]);
    for (const name of names) {
      const bytes = await readFile(path.join(source, name));
      expect(manifest.integrity[name], name).toEqual({
        bytes: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    // The files map external tools read is unchanged in shape: role -> plain name.
    expect(manifest.files).toMatchObject({
      items: 'items.f32',
      users: 'users.f32',
      idMaps: 'id-maps.json',
      model: 'model.json',
    });
  });

  it('refuses NaN embeddings and duplicate ids before writing anything', async () => {
    const fixture = tinyFixture('content-only');
    const model = createRecallModel({ config: fixture.config });
    const dir = path.join(root, 'refused');
    const items = Array.from({ length: NUM_ITEMS }, (_, i) => `i${i}`);
    const embeddings = new Float32Array(NUM_ITEMS * model.itemDim);
    embeddings[17] = Number.NaN;
    await expect(
      writeArtifacts({
        dir,
        model,
        idMaps: { users: [], items },
        itemEmbeddings: embeddings,
        itemMeta: { warm: fixture.warm },
      }),
    ).rejects.toThrow(/itemEmbeddings\[17\]: must be finite/);
    embeddings[17] = 0;
    const twice = items.map((id, i) => (i === 9 ? 'i3' : id));
    const error = await writeArtifacts({
      dir,
      model,
      idMaps: { users: [], items: twice },
      itemEmbeddings: embeddings,
      itemMeta: { warm: fixture.warm },
    }).catch((caught: unknown) => caught);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/idMaps\.items\[9\]: id "i3" is listed twice/);
    model.dispose();
  });
});

describe('readArtifacts refuses inconsistent or corrupted folders', () => {
  it('reads the good folder and its version 1 form (no checksums)', async () => {
    const loaded = await readArtifacts({ dir: source });
    expect(loaded.manifest.version).toBe(2);
    expect(loaded.idMaps.items).toHaveLength(NUM_ITEMS);
    const items = Array.from(loaded.itemEmbeddings);
    loaded.dispose();
    const dir = await copy();
    const manifest = await readManifest(dir);
    manifest.version = 1;
    delete manifest.integrity;
    await writeManifest(dir, manifest);
    const v1 = await readArtifacts({ dir });
    expect(v1.manifest.version).toBe(1);
    expect(Array.from(v1.itemEmbeddings)).toEqual(items);
    v1.dispose();
  });

  it('an id map with fewer items than items.f32 (10 of 40)', async () => {
    const dir = await copy();
    const idMaps = JSON.parse(await readFile(path.join(dir, 'id-maps.json'), 'utf8'));
    idMaps.items = idMaps.items.slice(0, 10);
    await tamper(dir, 'id-maps.json', JSON.stringify(idMaps), false);
    await expectInvalid(dir, { file: 'id-maps.json', kind: 'size', message: /the manifest says/ });
    await tamper(dir, 'id-maps.json', JSON.stringify(idMaps), true);
    await expectInvalid(dir, {
      file: 'id-maps.json',
      kind: 'count',
      field: 'items',
      message: /lists 10 items.*40/,
    });
  });

  it('every item id the same', async () => {
    const dir = await copy();
    const idMaps = JSON.parse(await readFile(path.join(dir, 'id-maps.json'), 'utf8'));
    idMaps.items = idMaps.items.map(() => 'same');
    await tamper(dir, 'id-maps.json', JSON.stringify(idMaps), true);
    await expectInvalid(dir, {
      file: 'id-maps.json',
      kind: 'duplicate-id',
      field: 'items[1]',
      message: /"same" is also items\[0\]/,
    });
  });

  it('flipped bytes in weights.bin (every byte, or 2,000 when larger)', async () => {
    const dir = await copy();
    const bytes = await readFile(path.join(dir, 'weights.bin'));
    const step = Math.max(1, Math.floor(bytes.length / 2000));
    let flipped = 0;
    for (let i = 0; i < bytes.length && flipped < 2000; i += step, flipped++)
      bytes[i] = (bytes[i] as number) ^ 0x01;
    expect(flipped).toBe(Math.min(2000, Math.ceil(bytes.length / step)));
    await tamper(dir, 'weights.bin', bytes, false);
    await expectInvalid(dir, {
      file: 'weights.bin',
      kind: 'checksum',
      message: /sha256 is [0-9a-f]{64}, the manifest says/,
    });
  });

  it('NaN in users.f32 or items.f32, also with a resealed manifest or a version 1 one', async () => {
    for (const name of ['users.f32', 'items.f32']) {
      const dir = await copy();
      const bytes = await readFile(path.join(dir, name));
      new DataView(bytes.buffer, bytes.byteOffset).setFloat32(4 * 13, Number.NaN, true);
      await tamper(dir, name, bytes, false);
      await expectInvalid(dir, { file: name, kind: 'checksum' });
      await tamper(dir, name, bytes, true);
      const dim = (await readManifest(dir)).itemDim;
      await expectInvalid(dir, {
        file: name,
        kind: 'non-finite',
        field: `row ${Math.floor(13 / dim)}, column ${13 % dim}`,
      });
      const manifest = await readManifest(dir);
      manifest.version = 1;
      delete manifest.integrity;
      await writeManifest(dir, manifest);
      await expectInvalid(dir, { file: name, kind: 'non-finite' });
    }
  });

  it('a truncated embedding file', async () => {
    const dir = await copy();
    await tamper(dir, 'items.f32', new Uint8Array(12), false);
    await expectInvalid(dir, { file: 'items.f32', kind: 'size', message: /has 12 bytes, the manifest says/ });
    await tamper(dir, 'items.f32', new Uint8Array(12), true);
    await expectInvalid(dir, { file: 'items.f32', kind: 'size', message: /expected 40 rows/ });
  });

  it('wrong types in item-meta.json', async () => {
    const meta = JSON.parse(await readFile(path.join(source, 'item-meta.json'), 'utf8'));
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...meta, warm: 'yes' }, 'warm', 'type'],
      [{ ...meta, warm: meta.warm.map((w: number, i: number) => (i === 5 ? 'true' : w)) }, 'warm[5]', 'type'],
      [{ ...meta, warm: meta.warm.map((w: number, i: number) => (i === 6 ? 2 : w)) }, 'warm[6]', 'type'],
      [{ ...meta, gate: meta.gate.slice(1) }, 'gate', 'count'],
      [
        { ...meta, exposures: meta.exposures.map((e: number, i: number) => (i === 0 ? null : e)) },
        'exposures[0]',
        'type',
      ],
    ];
    for (const [content, field, kind] of cases) {
      const dir = await copy();
      await tamper(dir, 'item-meta.json', JSON.stringify(content), true);
      await expectInvalid(dir, { file: 'item-meta.json', kind, field });
    }
  });

  it('wrong types in the manifest, and a null manifest', async () => {
    const good = await readManifest(source);
    const cases: [unknown, string | undefined, string][] = [
      [null, undefined, 'type'],
      [[good], undefined, 'type'],
      [{ ...good, numItems: '40' }, 'numItems', 'type'],
      [{ ...good, itemDim: 0 }, 'itemDim', 'type'],
      [{ ...good, kind: 42 }, 'kind', 'type'],
      [{ ...good, files: null }, 'files', 'type'],
      [{ ...good, numItems: 39 }, 'numItems', 'count'],
      [{ ...good, version: 3 }, 'version', 'format'],
      [
        { ...good, integrity: { ...good.integrity, 'items.f32': { bytes: -1, sha256: 'x' } } },
        'integrity.items.f32.bytes',
        'type',
      ],
      [{ ...good, integrity: undefined }, 'integrity', 'type'],
    ];
    for (const [manifest, field, kind] of cases) {
      const dir = await copy();
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      await expectInvalid(dir, { file: 'manifest.json', kind, ...(field === undefined ? {} : { field }) });
    }
    const dir = await copy();
    await writeFile(path.join(dir, 'manifest.json'), '{"format": "mmrecall-artifacts", "version": 2');
    await expectInvalid(dir, { file: 'manifest.json', kind: 'format', message: /not valid JSON/ });
  });

  it('model.json without weightsManifest or with a bad config', async () => {
    const modelJson = JSON.parse(await readFile(path.join(source, 'model.json'), 'utf8'));
    const { weightsManifest: _dropped, ...withoutWeights } = modelJson;
    const cases: [unknown, string, string][] = [
      [withoutWeights, 'weightsManifest', 'type'],
      [{ ...modelJson, weightsManifest: [{ paths: [], weights: [] }] }, 'weightsManifest[0].paths', 'type'],
      [{ ...modelJson, config: { ...modelJson.config, dim: -1 } }, 'config', 'type'],
      [{ ...modelJson, config: null }, 'config', 'type'],
    ];
    for (const [content, field, kind] of cases) {
      const dir = await copy();
      await tamper(dir, 'model.json', JSON.stringify(content), true);
      await expectInvalid(dir, { file: 'model.json', kind, field });
    }
  });

  it('file names that leave the folder, symbolic links and FIFOs', async () => {
    const traversal = '../../../../etc/passwd';
    let dir = await copy();
    const manifest = await readManifest(dir);
    await writeManifest(dir, { ...manifest, files: { ...manifest.files, items: traversal } });
    await expectInvalid(dir, { file: 'manifest.json', kind: 'unsafe-name', field: 'files.items' });
    for (const name of ['/etc/passwd', '.', '..', 'a/b', '']) {
      await writeManifest(dir, { ...manifest, files: { ...manifest.files, idMaps: name } });
      await expectInvalid(dir, { file: 'manifest.json', kind: 'unsafe-name', field: 'files.idMaps' });
    }
    // The same name through model.json, in a version 1 folder (no checksum to stop it first).
    dir = await copy();
    const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    modelJson.weightsManifest[0].paths = [traversal];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    await writeManifest(dir, { ...manifest, version: 1, integrity: undefined });
    await expectInvalid(dir, {
      file: 'model.json',
      kind: 'unsafe-name',
      field: 'weightsManifest[0].paths[0]',
    });
    // A symbolic link in place of a file is refused even with a matching checksum.
    dir = await copy();
    await rm(path.join(dir, 'users.f32'));
    await symlink(path.join(source, 'users.f32'), path.join(dir, 'users.f32'));
    await expectInvalid(dir, { file: 'users.f32', kind: 'not-a-file', message: /symbolic link/ });
    // A FIFO in place of weights.bin is refused at once instead of blocking the read forever.
    dir = await copy();
    await rm(path.join(dir, 'weights.bin'));
    execFileSync('mkfifo', [path.join(dir, 'weights.bin')]);
    await expectInvalid(dir, { file: 'weights.bin', kind: 'not-a-file', message: /not a regular file/ });
  });

  it('a missing file is still a MissingArtifactError naming it', async () => {
    const dir = await copy();
    await rm(path.join(dir, 'item-meta.json'));
    const error = await readArtifacts({ dir }).catch((caught: unknown) => caught);
    expect(MissingArtifactError.isInstance(error)).toBe(true);
    expect((error as MissingArtifactError).path).toBe(path.join(dir, 'item-meta.json'));
  });
});
