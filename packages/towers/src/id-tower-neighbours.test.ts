import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { expectNoTensorLeak, expectTensorsClose } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdTower, type IdTower } from './id-tower';

const towers: IdTower[] = [];
afterEach(() => {
  for (const tower of towers.splice(0)) tower.dispose();
});

// A linear head (no hidden layer, no normalisation) so the output is feature x W + b, computed by hand.
function linearTower(neighbourWeight: number): IdTower {
  const tower = createIdTower({
    name: 'item_id',
    numItems: 6,
    idDim: 3,
    hiddenUnits: [],
    outputDim: 2,
    normalize: false,
    seed: 5,
    neighbourWeight,
  });
  towers.push(tower);
  // Row r = [r, 2r - 1, 1 - r] / 4: distinct, easy to add up.
  const rows = new Float32Array(18);
  for (let r = 0; r < 6; r++) rows.set([r / 4, (2 * r - 1) / 4, (1 - r) / 4], r * 3);
  tower.itemTable.setRows({ indices: Int32Array.from([0, 1, 2, 3, 4, 5]), values: rows });
  return tower;
}

function affine(tower: IdTower, feature: number[]): number[] {
  const [kernel, bias] = tower.variables.map((v) => Array.from(v.dataSync()));
  return [0, 1].map((o) => feature.reduce((sum, x, i) => sum + x * kernel![i * 2 + o]!, bias![o]!));
}

const row = (r: number): number[] => [r / 4, (2 * r - 1) / 4, (1 - r) / 4];

// Item 0 reads neighbours 2 and 3; item 5 has none (its own row only).
const input = {
  items: Int32Array.from([0, 5]),
  neighbours: { offsets: Int32Array.from([0, 2, 2]), values: Int32Array.from([2, 3]) },
};

describe('id tower with content neighbours', () => {
  it('adds weight x the mean of the neighbour rows to the own row', () => {
    const tower = linearTower(0.5);
    const out = tower.apply(input);
    // item 0: row0 + 0.5 * (row2 + row3) / 2 = [0, -1/4, 1/4] + 0.25 * [5/4, 8/4, -3/4]
    const feature0 = row(0).map((v, d) => v + 0.25 * (row(2)[d]! + row(3)[d]!));
    expect(feature0).toEqual([0.3125, 0.25, 0.0625]);
    expectTensorsClose(out, [affine(tower, feature0), affine(tower, row(5))], 1e-6);
    out.dispose();
  });

  it('sends the neighbours weight / count of the own row gradient through the sparse path', () => {
    const tower = linearTower(0.5);
    const table = tower.itemTable;
    const coefficients = tf.tensor2d([
      [1, -2],
      [0.5, 3],
    ]);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(tower.apply(input), coefficients)) as tf.Scalar,
      [table.anchor],
    );
    tf.dispose([value, coefficients, ...Object.values(grads)]);
    const { rows, gradients } = table.aggregatedGradient();
    const kernel = Array.from(tower.variables[0]!.dataSync());
    // d loss / d feature_b = C_b W^T.
    const dFeature = (c: number[]) =>
      [0, 1, 2].map((i) => c[0]! * kernel[i * 2]! + c[1]! * kernel[i * 2 + 1]!);
    const own0 = dFeature([1, -2]);
    const own5 = dFeature([0.5, 3]);
    const byRow = new Map<number, number[]>();
    rows.forEach((r, s) => {
      byRow.set(r, Array.from(gradients.subarray(s * 3, (s + 1) * 3)));
    });
    expect([...byRow.keys()].sort()).toEqual([0, 2, 3, 5]);
    expectTensorsClose(byRow.get(0)!, own0, 1e-6);
    expectTensorsClose(
      byRow.get(2)!,
      own0.map((g) => 0.25 * g),
      1e-6,
    );
    expectTensorsClose(
      byRow.get(3)!,
      own0.map((g) => 0.25 * g),
      1e-6,
    );
    expectTensorsClose(byRow.get(5)!, own5, 1e-6);
    table.clearGradients();
  });

  it('without a weight is the plain lookup, and needs the neighbour rows with one', async () => {
    const plain = linearTower(0);
    const out = plain.apply({ items: input.items });
    expectTensorsClose(out, [affine(plain, row(0)), affine(plain, row(5))], 1e-6);
    out.dispose();
    const tower = linearTower(0.5);
    expect(() => tower.apply({ items: input.items })).toThrow(ShapeMismatchError);
    expect(() =>
      tower.apply({
        items: input.items,
        neighbours: { offsets: Int32Array.from([0, 1, 1]), values: Int32Array.from([6]) },
      }),
    ).toThrow(InvalidArgumentError);
    expect(() => linearTower(-1)).toThrow(/neighbourWeight/);
    await expectNoTensorLeak(() => {
      tower.apply(input).dispose();
    }, 'apply with neighbours');
  });
});
