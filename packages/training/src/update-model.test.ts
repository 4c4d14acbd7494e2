import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdMap, type Dataset, type DatasetSplit, type Interactions } from '@mmrecall/data';
import { readArtifacts } from '@mmrecall/model';
import { generateSyntheticDataset } from '@mmrecall/synthetic';
import { expectNoTensorLeak } from '@mmrecall/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file';
import { trainAndSave } from './train-and-save';
import { prepareTrainingData } from './training-data';
import { alignDatasetToModel, type UpdateData } from './update-data';
import { type UpdateOptions, updateModel } from './update-model';

const BASE_USERS = 270;
const BASE_ITEMS = 340;

/** Rows of `interactions` whose user and item are below the base sizes. */
function inBase(interactions: Interactions): Interactions {
  const rows: number[] = [];
  for (let r = 0; r < interactions.users.length; r++)
    if ((interactions.users[r] as number) < BASE_USERS && (interactions.items[r] as number) < BASE_ITEMS)
      rows.push(r);
  return {
    users: Int32Array.from(rows, (r) => interactions.users[r] as number),
    items: Int32Array.from(rows, (r) => interactions.items[r] as number),
    timestamps: Float64Array.from(rows, (r) => interactions.timestamps?.[r] as number),
    clicks: Uint8Array.from(rows, (r) => interactions.clicks?.[r] as number),
  };
}

/** The first users and items of the tiny synthetic set: the model before the update. */
function baseDataset(full: Dataset, split: DatasetSplit): { dataset: Dataset; split: DatasetSplit } {
  const tags = full.content.tags!;
  const profile = full.userFeatures!;
  const train = inBase(split.train);
  const vectors: Dataset['content']['vectors'] = {};
  for (const [name, table] of Object.entries(full.content.vectors))
    vectors[name] = { dim: table.dim, data: table.data.slice(0, BASE_ITEMS * table.dim) };
  const coldItems = new Uint8Array(BASE_ITEMS).fill(1);
  for (let r = 0; r < train.items.length; r++)
    if (train.clicks?.[r] === 1) coldItems[train.items[r] as number] = 0;
  return {
    dataset: {
      name: 'tiny-base',
      users: createIdMap({ ids: full.users.ids.slice(0, BASE_USERS) }),
      items: createIdMap({ ids: full.items.ids.slice(0, BASE_ITEMS) }),
      interactions: train,
      content: {
        tags: {
          vocabulary: tags.vocabulary,
          offsets: tags.offsets.slice(0, BASE_ITEMS + 1),
          values: tags.values.slice(0, tags.offsets[BASE_ITEMS]),
        },
        vectors,
      },
      userFeatures: {
        vocabulary: profile.vocabulary,
        offsets: profile.offsets.slice(0, BASE_USERS + 1),
        values: profile.values.slice(0, profile.offsets[BASE_USERS]),
      },
    },
    split: { train, valid: inBase(split.valid), test: inBase(split.test), coldItems },
  };
}

let baseDir: string;
let updateData: UpdateData;
const quick: UpdateOptions = { steps: 4, batchSize: 64, replayRatio: 0.5, seed: 3 };

beforeAll(async () => {
  const { dataset, split } = generateSyntheticDataset({ preset: 'tiny', seed: 42 });
  const base = baseDataset(dataset, split);
  baseDir = await mkdtemp(join(tmpdir(), 'mmrecall-update-base-'));
  await trainAndSave({
    data: prepareTrainingData({ dataset: base.dataset, split: base.split }),
    model: { kind: 'gated-additive', dim: 8 },
    options: { epochs: 1, batchSize: 64, maxStepsPerEpoch: 6, validation: { maxQueries: 50 } },
    test: { maxQueries: 50 },
    output: baseDir,
  });
  // The update window: the post-cut valid rows, with users and items the base never saw.
  updateData = {
    dataset: { ...dataset, interactions: split.valid },
    history: base.split.train,
    heldOut: split.test,
  };
});

async function update(options: UpdateOptions = quick, data = updateData, from = baseDir) {
  const output = await mkdtemp(join(tmpdir(), 'mmrecall-update-'));
  const result = await updateModel({ from, data, output, options });
  return { output, result };
}

function rowsOf(weights: Float32Array, dim: number, row: number): Float32Array {
  return weights.subarray(row * dim, (row + 1) * dim);
}

const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('updateModel', () => {
  it('grows the id tables: untouched old rows keep their bits, new rows start from the unknown row', async () => {
    const { output, result } = await update({ ...quick, replayRatio: 0 });
    const before = await readArtifacts({ dir: join(baseDir, 'artifacts') });
    const after = await readArtifacts({ dir: result.artifactsDir });
    try {
      expect(result.artifactsDir).toBe(join(output, 'artifacts'));
      expect(after.config.numUsers).toBe(300);
      expect(after.config.numItems).toBe(400);
      expect(after.manifest.numItems).toBe(400);
      expect(result.newUsers).toBe(300 - BASE_USERS);
      expect(result.newItems).toBe(400 - BASE_ITEMS);
      expect(result.optimizerState).toBe('restored');
      expect(result.replayedClicks).toBe(0);
      const clicked = new Set<number>();
      const clickers = new Set<number>();
      const { interactions } = updateData.dataset;
      for (let r = 0; r < interactions.items.length; r++) {
        if (interactions.clicks?.[r] !== 1) continue;
        clicked.add(interactions.items[r] as number);
        clickers.add(interactions.users[r] as number);
      }
      for (const [table, known, total, touched] of [
        ['item_id/item_id/embeddings', BASE_ITEMS, 400, clicked],
        ['user/user_id/embeddings', BASE_USERS, 300, clickers],
      ] as const) {
        const old = before.model.toNamedWeights()[table]!;
        const grown = after.model.toNamedWeights()[table]!;
        const dim = old.shape[1] as number;
        expect(grown.shape).toEqual([total + 1, dim]);
        const oldUnknown = rowsOf(old.data, dim, known);
        let kept = 0;
        let changed = 0;
        for (let row = 0; row < total; row++) {
          const reference = row < known ? rowsOf(old.data, dim, row) : oldUnknown;
          const same = sameBits(rowsOf(grown.data, dim, row), reference);
          if (!touched.has(row)) {
            expect(same, `${table} row ${row}`).toBe(true);
            kept++;
          } else if (!same) changed++;
        }
        expect(kept).toBeGreaterThan(10);
        expect(changed).toBeGreaterThan(0);
      }
      // The unknown-user row is never a training input (no user id dropout): it moved, bit for bit.
      const oldUsers = before.model.toNamedWeights()['user/user_id/embeddings']!;
      const newUsers = after.model.toNamedWeights()['user/user_id/embeddings']!;
      const dim = oldUsers.shape[1] as number;
      expect(sameBits(rowsOf(newUsers.data, dim, 300), rowsOf(oldUsers.data, dim, BASE_USERS))).toBe(true);
      // New items with clicks are warm: served by their ID row.
      for (const item of clicked) expect(after.itemMeta.warm[item]).toBe(1);
      expect(result.evaluation?.metrics.cutoffs[20]?.all.recall).toBeGreaterThanOrEqual(0);
    } finally {
      before.dispose();
      after.dispose();
    }
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const first = await update();
    const second = await update();
    const other = await update({ ...quick, seed: 4 });
    const read = async (dir: string) => {
      const artifacts = await readArtifacts({ dir });
      const weights = artifacts.model.toNamedWeights();
      const embeddings = artifacts.itemEmbeddings;
      artifacts.dispose();
      return { weights, embeddings };
    };
    const a = await read(first.result.artifactsDir);
    const b = await read(second.result.artifactsDir);
    const c = await read(other.result.artifactsDir);
    expect(first.result.replayedClicks).toBeGreaterThan(0);
    for (const name of Object.keys(a.weights))
      expect(sameBits(a.weights[name]!.data, b.weights[name]!.data)).toBe(true);
    expect(sameBits(a.embeddings, b.embeddings)).toBe(true);
    expect(sameBits(a.embeddings, c.embeddings)).toBe(false);
    // The written checkpoint is the next update's starting point.
    const chained = await update(quick, updateData, first.output);
    expect(chained.result.optimizerState).toBe('restored');
    expect(chained.result.newItems).toBe(0);
  });

  it('does not leak tensors', async () => {
    await update({ ...quick, steps: 2 });
    await expectNoTensorLeak(() => update({ ...quick, steps: 2 }), 'updateModel');
  });

  it('rejects ids colliding with the model maps in one line', async () => {
    const ids = [...updateData.dataset.items.ids];
    [ids[3], ids[BASE_ITEMS + 1]] = [ids[BASE_ITEMS + 1] as string, ids[3] as string];
    const swapped = { ...updateData, dataset: { ...updateData.dataset, items: createIdMap({ ids }) } };
    const error = await update(quick, swapped).catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(
      /^data\.dataset\.items: item id "i341" at index 3 collides with the model's item map, which has "i003" there/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('rejects unknown and mismatched vector columns in one line', async () => {
    const { vectors } = updateData.dataset.content;
    const extra = {
      ...updateData,
      dataset: {
        ...updateData.dataset,
        content: {
          ...updateData.dataset.content,
          vectors: { ...vectors, audio: { dim: 2, data: new Float32Array(800) } },
        },
      },
    };
    await expect(update(quick, extra)).rejects.toThrow(
      /^data\.dataset\.content\.vectors\.audio: unknown vector column audio; the model was trained with image:32, text:32$/,
    );
    const image = vectors.image!;
    const narrow = {
      ...updateData,
      dataset: {
        ...updateData.dataset,
        content: {
          ...updateData.dataset.content,
          vectors: { ...vectors, image: { dim: 16, data: image.data.subarray(0, 400 * 16) } },
        },
      },
    };
    await expect(update(quick, narrow)).rejects.toThrow(
      /image: has dim 16 but the model was trained with image:32$/,
    );
  });

  it('rejects a checkpoint of another model config in one line', async () => {
    const mixed = await mkdtemp(join(tmpdir(), 'mmrecall-update-mixed-'));
    await cp(join(baseDir, 'artifacts'), join(mixed, 'artifacts'), { recursive: true });
    const checkpoint = (await readCheckpoint<{ fingerprint: string }>({
      path: join(baseDir, 'checkpoint.ckpt'),
    }))!;
    const fingerprint = JSON.parse(checkpoint.meta.fingerprint);
    fingerprint.model.dim = 16;
    await writeCheckpoint({
      path: join(mixed, 'checkpoint.ckpt'),
      contents: {
        meta: { ...checkpoint.meta, fingerprint: JSON.stringify(fingerprint) },
        arrays: checkpoint.arrays,
      },
    });
    await expect(update(quick, updateData, mixed)).rejects.toThrow(
      /^from: the checkpoint .*checkpoint\.ckpt belongs to another model than .*artifacts: config\.dim is 16 in the checkpoint but 8 in the artifacts$/,
    );
  });
});

describe('alignDatasetToModel', () => {
  it('puts the model ids first in the model order, new ids after, with their content rows', async () => {
    const artifacts = await readArtifacts({ dir: join(baseDir, 'artifacts') });
    try {
      const full = updateData.dataset;
      // The same catalogue in reverse order, as a loader reading another file would index it.
      const reversed = [...full.items.ids].reverse();
      const image = full.content.vectors.image!;
      const reversedImage = new Float32Array(image.data.length);
      for (let i = 0; i < 400; i++)
        reversedImage.set(image.data.subarray((399 - i) * 32, (400 - i) * 32), i * 32);
      const tags = full.content.tags!;
      const reversedTagOffsets = new Int32Array(401);
      const reversedTagValues: number[] = [];
      for (let i = 0; i < 400; i++) {
        const from = 399 - i;
        for (let j = tags.offsets[from]!; j < tags.offsets[from + 1]!; j++)
          reversedTagValues.push(tags.values[j]!);
        reversedTagOffsets[i + 1] = reversedTagValues.length;
      }
      const aligned = alignDatasetToModel({
        config: artifacts.config,
        idMaps: artifacts.idMaps,
        dataset: {
          ...full,
          items: createIdMap({ ids: reversed }),
          interactions: { users: Int32Array.of(0, 5), items: Int32Array.of(0, 399) },
          content: {
            tags: {
              vocabulary: tags.vocabulary,
              offsets: reversedTagOffsets,
              values: Int32Array.from(reversedTagValues),
            },
            vectors: { ...full.content.vectors, image: { dim: 32, data: reversedImage } },
          },
        },
      });
      expect(aligned.items.ids.slice(0, BASE_ITEMS)).toEqual(artifacts.idMaps.items);
      // New ids follow in the loaded order: i399 first (it came first in the reversed file).
      expect(aligned.items.ids[BASE_ITEMS]).toBe('i399');
      expect(aligned.items.ids[399]).toBe(`i${BASE_ITEMS}`);
      expect(Array.from(aligned.interactions.items)).toEqual([BASE_ITEMS, 0]);
      expect(aligned.content.vectors.image!.data.subarray(7 * 32, 8 * 32)).toEqual(
        image.data.subarray(7 * 32, 8 * 32),
      );
      const row = (offsets: Int32Array, values: Int32Array, i: number) =>
        Array.from(values.subarray(offsets[i], offsets[i + 1]));
      expect(row(aligned.content.tags!.offsets, aligned.content.tags!.values, 7)).toEqual(
        row(tags.offsets, tags.values, 7),
      );
    } finally {
      artifacts.dispose();
    }
  });
});
