import { InvalidArgumentError, MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose, seededRandom } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ContentTowerOptions, createContentTower } from './content-tower';
import { createIdTower, type IdTowerOptions } from './id-tower';
import { sparseOptimizersOf } from './test-sparse-optimizers';
import { l2Normalize, type Tower, type TowerApplyOptions } from './tower-parts';
import { trainStep } from './train-step';
import { createUserTower, type UserTowerOptions } from './user-tower';

const owned: { dispose(): void }[] = [];
function keep<T extends { dispose(): void }>(item: T): T {
  owned.push(item);
  return item;
}
afterEach(() => {
  for (const item of owned.splice(0).reverse()) item.dispose();
});

/** The three towers take different inputs; the table-driven tests call them uniformly. */
function applyAny(tower: unknown, input: unknown, options?: TowerApplyOptions): tf.Tensor2D {
  return (tower as { apply(input: unknown, options?: TowerApplyOptions): tf.Tensor2D }).apply(input, options);
}

function rowNorms(x: tf.Tensor2D): number[] {
  const data = x.dataSync();
  const [rows, cols] = x.shape;
  return Array.from({ length: rows }, (_, r) =>
    Math.hypot(...Array.from(data.subarray(r * cols, (r + 1) * cols))),
  );
}

const userOptions: UserTowerOptions = {
  name: 'user',
  numUsers: 10,
  userIdDim: 4,
  profile: { vocabularySize: 6, dim: 3 },
  history: { numItems: 20, dim: 5 },
  hiddenUnits: [8],
  outputDim: 6,
  seed: 11,
};
const userInput = {
  users: Int32Array.from([0, 3, 9]),
  profile: { offsets: Int32Array.from([0, 2, 2, 3]), values: Int32Array.from([1, 5, 0]) },
  history: { offsets: Int32Array.from([0, 3, 4, 4]), values: Int32Array.from([2, 7, 19, 4]) },
};

const idOptions: IdTowerOptions = {
  name: 'item_id',
  numItems: 20,
  idDim: 5,
  extraIds: [{ name: 'author', vocabularySize: 4, dim: 2 }],
  hiddenUnits: [8],
  outputDim: 6,
  seed: 14,
};
const idInput = { items: Int32Array.from([0, 19, 5]), extraIds: [Int32Array.from([3, 0, 1])] };

const contentOptions: ContentTowerOptions = {
  name: 'content',
  tags: { vocabularySize: 7, dim: 3 },
  vectors: { image: { dim: 6, projectionDim: 4 }, text: { dim: 5 } },
  nodeIds: { nodesPerLevel: [2, 4], dim: 3 },
  hiddenUnits: [8],
  outputDim: 6,
  seed: 13,
};
function contentInput(batch = 3) {
  const random = seededRandom(99);
  return {
    tags: {
      offsets: Int32Array.from({ length: batch + 1 }, (_, b) => b),
      values: Int32Array.from({ length: batch }, (_, b) => b % 7),
    },
    vectors: {
      image: Float32Array.from({ length: batch * 6 }, () => random()),
      text: Float32Array.from({ length: batch * 5 }, () => random()),
    },
    nodeIds: [
      Int32Array.from({ length: batch }, (_, b) => b % 2),
      Int32Array.from({ length: batch }, (_, b) => b % 4),
    ],
  };
}

describe('user tower', () => {
  it('outputs L2-normalised [B, outputDim] rows; normalize:false gives the raw MLP output', () => {
    const tower = keep(createUserTower(userOptions));
    expect(tower.featureDim).toBe(4 + 3 + 5);
    expect(tower.tables.map((t) => t.name)).toEqual(['user/user_id', 'user/profile', 'user/history']);
    const out = tower.apply(userInput);
    expect(out.shape).toEqual([3, 6]);
    for (const norm of rowNorms(out)) expect(norm).toBeCloseTo(1, 5);
    const raw = tower.apply(userInput, { normalize: false });
    const rawNorms = rowNorms(raw);
    expect(rawNorms.some((n) => Math.abs(n - 1) > 1e-3)).toBe(true);
    const rescaled = tf.tidy(() => tf.div(raw, tf.tensor2d(rawNorms, [3, 1])));
    expectTensorsClose(rescaled, out, 1e-5);
    const unnormalised = keep(createUserTower({ ...userOptions, name: 'user_raw', normalize: false }));
    const rawByDefault = unnormalised.apply(userInput);
    expectTensorsClose(rawByDefault, raw, 1e-6);
    tf.dispose([out, raw, rescaled, rawByDefault]);
  });

  it('feeds user id ++ mean(profile) ++ mean(history) into the MLP', () => {
    const tower = keep(createUserTower({ ...userOptions, hiddenUnits: [], normalize: false }));
    const [kernel, bias] = tower.variables as [tf.Variable, tf.Variable];
    const mean = (table: typeof tower.userTable, rows: number[]) =>
      rows.length === 0
        ? new Array(table.dim).fill(0)
        : Array.from(
            { length: table.dim },
            (_, d) => rows.reduce((s, r) => s + (table.getRow(r)[d] as number), 0) / rows.length,
          );
    const features = [
      [
        ...tower.userTable.getRow(0),
        ...mean(tower.profileTable as typeof tower.userTable, [1, 5]),
        ...mean(tower.historyTable as typeof tower.userTable, [2, 7, 19]),
      ],
      [
        ...tower.userTable.getRow(3),
        ...mean(tower.profileTable as typeof tower.userTable, []),
        ...mean(tower.historyTable as typeof tower.userTable, [4]),
      ],
      [
        ...tower.userTable.getRow(9),
        ...mean(tower.profileTable as typeof tower.userTable, [0]),
        ...mean(tower.historyTable as typeof tower.userTable, []),
      ],
    ];
    const expected = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(features), kernel), bias));
    const out = tower.apply(userInput);
    expectTensorsClose(out, expected, 1e-5);
    tf.dispose([expected, out]);
  });

  it('shares the ID tower item table for the history and does not export or dispose it', () => {
    const idTower = keep(createIdTower(idOptions));
    const tower = createUserTower({
      ...userOptions,
      history: { numItems: 20, dim: 5, table: idTower.itemTable },
    });
    expect(tower.historyTable).toBe(idTower.itemTable);
    expect(tower.tables).toContain(idTower.itemTable);
    expect(Object.keys(tower.toNamedWeights()).some((k) => k.startsWith('item_id/'))).toBe(false);
    tower.dispose();
    const rows = idTower.apply(idInput);
    expect(rows.shape).toEqual([3, 6]);
    rows.dispose();
    expect(() =>
      createUserTower({
        ...userOptions,
        name: 'bad',
        history: { numItems: 20, dim: 4, table: idTower.itemTable },
      }),
    ).toThrow(ShapeMismatchError);
  });

  it('validates its input', () => {
    const tower = keep(createUserTower(userOptions));
    expect(() => tower.apply({ users: userInput.users, history: userInput.history })).toThrow(
      InvalidArgumentError,
    );
    expect(() => tower.apply({ ...userInput, users: Int32Array.from([0, 1]) })).toThrow(ShapeMismatchError);
    expect(() => tower.apply({ ...userInput, users: Int32Array.from([0, 1, 10]) })).toThrow(
      InvalidArgumentError,
    );
    const bare = keep(
      createUserTower({ name: 'bare', numUsers: 3, userIdDim: 2, hiddenUnits: [], outputDim: 2, seed: 1 }),
    );
    expect(() =>
      bare.apply({
        users: Int32Array.from([0]),
        profile: { offsets: Int32Array.from([0, 0]), values: new Int32Array(0) },
      }),
    ).toThrow(InvalidArgumentError);
  });
});

describe('id tower', () => {
  it('outputs normalised [B, outputDim] from item id ++ extra ids', () => {
    const tower = keep(createIdTower(idOptions));
    expect(tower.featureDim).toBe(7);
    expect(tower.tables.map((t) => t.name)).toEqual(['item_id/item_id', 'item_id/author']);
    const out = tower.apply(idInput);
    expect(out.shape).toEqual([3, 6]);
    for (const norm of rowNorms(out)) expect(norm).toBeCloseTo(1, 5);
    expect(() => tower.apply({ items: idInput.items })).toThrow(ShapeMismatchError);
    expect(() => tower.apply({ items: idInput.items, extraIds: [Int32Array.from([0])] })).toThrow(
      ShapeMismatchError,
    );
    out.dispose();
  });
});

describe('content tower', () => {
  it('outputs normalised [B, outputDim] from tags, projected vectors and node ids', () => {
    const tower = keep(createContentTower(contentOptions));
    expect(tower.vectorNames).toEqual(['image', 'text']);
    expect(tower.featureDim).toBe(3 + 4 + 5 + 3 + 3);
    expect(tower.tables.map((t) => t.name)).toEqual([
      'content/tags',
      'content/node_level_0',
      'content/node_level_1',
    ]);
    expect(tower.variables.map((v) => v.shape)).toEqual([
      [6, 4],
      [4],
      [5, 5],
      [5],
      [18, 8],
      [8],
      [8, 6],
      [6],
    ]);
    const out = tower.apply(contentInput());
    expect(out.shape).toEqual([3, 6]);
    for (const norm of rowNorms(out)) expect(norm).toBeCloseTo(1, 5);
    out.dispose();
  });

  it('with useRawVectors:false ignores the vectors (node ids instead of raw vectors)', () => {
    const tower = keep(createContentTower({ ...contentOptions, useRawVectors: false }));
    expect(tower.vectorNames).toEqual([]);
    expect(tower.featureDim).toBe(3 + 3 + 3);
    const { vectors: _unused, ...input } = contentInput();
    const out = tower.apply(input);
    expect(out.shape).toEqual([3, 6]);
    out.dispose();
    expect(() =>
      createContentTower({
        name: 'empty',
        vectors: { image: { dim: 3 } },
        useRawVectors: false,
        hiddenUnits: [],
        outputDim: 2,
        seed: 1,
      }),
    ).toThrow(InvalidArgumentError);
  });

  it('checks that every feature describes the same items', () => {
    const tower = keep(createContentTower(contentOptions));
    const input = contentInput();
    expect(() =>
      tower.apply({ ...input, vectors: { ...input.vectors, image: new Float32Array(12) } }),
    ).toThrow(ShapeMismatchError);
    expect(() => tower.apply({ ...input, nodeIds: [Int32Array.from([0, 1, 0])] })).toThrow(
      ShapeMismatchError,
    );
    expect(() => tower.apply({ tags: input.tags, nodeIds: input.nodeIds })).toThrow(InvalidArgumentError);
  });
});

describe('all towers', () => {
  const cases = [
    {
      label: 'user',
      make: (seed: number, name = 'u') => createUserTower({ ...userOptions, name, seed }),
      input: () => userInput,
    },
    {
      label: 'id',
      make: (seed: number, name = 'i') => createIdTower({ ...idOptions, name, seed }),
      input: () => idInput,
    },
    {
      label: 'content',
      make: (seed: number, name = 'c') => createContentTower({ ...contentOptions, name, seed }),
      input: () => contentInput(),
    },
  ] as const;

  for (const { label, make, input } of cases) {
    it(`${label}: same seed -> same output, other seed -> different; weights round-trip`, () => {
      const a = keep(make(5));
      const b = keep(make(5));
      const c = keep(make(6));
      const run = (tower: Tower<never>) => applyAny(tower, input());
      const outA = run(a);
      const outB = run(b);
      const outC = run(c);
      expectTensorsClose(outB, outA, 0);
      expect(Math.max(...Array.from(tf.tidy(() => tf.abs(tf.sub(outA, outC))).dataSync()))).toBeGreaterThan(
        1e-3,
      );
      c.loadNamedWeights(a.toNamedWeights());
      const outLoaded = run(c);
      expectTensorsClose(outLoaded, outA, 1e-6);
      tf.dispose([outA, outB, outC, outLoaded]);
    });

    it(`${label}: loadNamedWeights is all-or-nothing and typed`, () => {
      const tower = keep(make(5));
      const weights = tower.toNamedWeights();
      const keys = Object.keys(weights);
      expect(keys.every((k) => k.startsWith(`${tower.name}/`))).toBe(true);
      const firstKey = keys[0] as string;
      const lastKey = keys[keys.length - 1] as string;
      const { [lastKey]: _dropped, ...missing } = weights;
      const zeroed = Object.fromEntries(
        keys.map((k) => [
          k,
          { shape: weights[k]?.shape ?? [], data: new Float32Array(weights[k]?.data.length ?? 0) },
        ]),
      );
      expect(() => tower.loadNamedWeights({ ...zeroed, [lastKey]: undefined as never })).toThrow(
        MissingArtifactError,
      );
      expect(() => tower.loadNamedWeights(missing)).toThrow(MissingArtifactError);
      expect(() =>
        tower.loadNamedWeights({ ...zeroed, [lastKey]: { shape: [1, 1, 1], data: new Float32Array(1) } }),
      ).toThrow(ShapeMismatchError);
      // nothing was written by the failed loads
      expect(Array.from(tower.toNamedWeights()[firstKey]?.data ?? [])).toEqual(
        Array.from(weights[firstKey]?.data ?? []),
      );
    });

    it(`${label}: apply and a training step leak no tensors; dispose frees everything`, async () => {
      const before = tf.memory().numTensors;
      const tower = make(5, `${label}_leak`);
      const apply = (options?: { training: boolean }) => applyAny(tower, input(), options) as tf.Tensor2D;
      await expectNoTensorLeak(() => apply().dispose(), `${label}.apply`);
      const optimizer = tf.train.adam(0.01);
      const step = () =>
        trainStep({
          loss: () => tf.sum(tf.square(apply({ training: true }))),
          variables: tower.variables,
          sparseOptimizers: sparseOptimizersOf(tower.tables),
          optimizer,
        });
      step();
      await expectNoTensorLeak(step, `${label} trainStep`);
      optimizer.dispose();
      tower.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('dropout', () => {
  it('applies only with training:true and a dropoutRate > 0', () => {
    const tower = keep(createIdTower({ ...idOptions, name: 'drop', dropoutRate: 0.5 }));
    const plain = tower.apply(idInput);
    const again = tower.apply(idInput, { training: false });
    const dropped = tower.apply(idInput, { training: true });
    expectTensorsClose(again, plain, 0);
    expect(Math.max(...Array.from(tf.tidy(() => tf.abs(tf.sub(plain, dropped))).dataSync()))).toBeGreaterThan(
      1e-3,
    );
    const noDropout = keep(createIdTower({ ...idOptions, name: 'nodrop' }));
    const a = noDropout.apply(idInput);
    const b = noDropout.apply(idInput, { training: true });
    expectTensorsClose(b, a, 0);
    tf.dispose([plain, again, dropped, a, b]);
    expect(() => createIdTower({ ...idOptions, name: 'bad', dropoutRate: 1 })).toThrow(InvalidArgumentError);
  });
});

describe('l2Normalize', () => {
  it('scales rows to unit length, keeps an all-zero row at zero, leaks nothing', async () => {
    const x = tf.tensor2d([3, 4, 0, 0, -1, 0], [3, 2]);
    await expectNoTensorLeak(() => {
      const out = l2Normalize(x);
      expectTensorsClose(out, [0.6, 0.8, 0, 0, -1, 0], 1e-6);
      out.dispose();
    }, 'l2Normalize');
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});
