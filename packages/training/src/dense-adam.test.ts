import { expectNoTensorLeak } from '@mmrecall/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createDenseAdam } from './dense-adam';

function variables(prefix: string): tf.Variable[] {
  return [
    tf.variable(tf.tensor2d([0.3, -0.2, 0.5, 0.1, -0.7, 0.9], [2, 3]), true, `${prefix}/w`),
    tf.variable(tf.tensor1d([0.05, -0.4]), true, `${prefix}/b`),
  ];
}

/** A loss whose gradients change from step to step: sum((x w)^2) + sum(b^3). */
function gradientsOf(vars: tf.Variable[], step: number): { name: string; tensor: tf.Tensor }[] {
  const x = tf.tensor2d([1 + step, -2, 0.5, 3 - step], [2, 2]);
  const { value, grads } = tf.variableGrads(
    () => tf.add(tf.sum(tf.square(tf.matMul(x, vars[0]!))), tf.sum(tf.pow(vars[1]!, 3))) as tf.Scalar,
    vars,
  );
  tf.dispose([x, value]);
  return vars.map((variable) => ({ name: variable.name, tensor: grads[variable.name]! }));
}

describe('createDenseAdam', () => {
  it('matches tf.train.adam bit for bit over several steps', () => {
    const ours = variables('ours');
    const stock = variables('stock');
    const adam = createDenseAdam({ variables: ours, learningRate: 0.05 });
    const reference = tf.train.adam(0.05);
    for (let step = 0; step < 6; step++) {
      const g1 = gradientsOf(ours, step);
      const g2 = gradientsOf(stock, step);
      adam.applyGradients(g1);
      reference.applyGradients(g2.map(({ tensor }, i) => ({ name: stock[i]!.name, tensor })));
      tf.dispose([...g1, ...g2].map(({ tensor }) => tensor));
    }
    ours.forEach((variable, i) => {
      expect(Array.from(variable.dataSync())).toEqual(Array.from(stock[i]!.dataSync()));
    });
    // and it moved: Adam's first step changes every weight by about the learning rate
    expect(ours[1]!.dataSync()[0]).not.toBeCloseTo(0.05, 2);
    adam.dispose();
    reference.dispose();
    tf.dispose([...ours, ...stock]);
  });

  it('continues from a saved state exactly as without the interruption, and leaks nothing', async () => {
    const full = variables('full');
    const resumed = variables('resumed');
    await expectNoTensorLeak(async () => {
      const a = createDenseAdam({ variables: full, learningRate: 0.02 });
      const b = createDenseAdam({ variables: resumed, learningRate: 0.02 });
      for (let step = 0; step < 3; step++) {
        for (const [adam, vars] of [
          [a, full],
          [b, resumed],
        ] as const) {
          const grads = gradientsOf(vars, step);
          adam.applyGradients(grads);
          tf.dispose(grads.map(({ tensor }) => tensor));
        }
      }
      const saved = await b.state();
      expect(saved.step).toBe(3);
      expect(saved.accBeta1).toBeCloseTo(0.9 ** 4, 6);
      expect(saved.slots.map(({ variable, shape }) => ({ variable, shape }))).toEqual([
        { variable: 0, shape: [2, 3] },
        { variable: 1, shape: [2] },
      ]);
      b.dispose();
      const c = createDenseAdam({ variables: resumed, learningRate: 0.02 });
      c.loadState(saved);
      for (let step = 3; step < 6; step++) {
        for (const [adam, vars] of [
          [a, full],
          [c, resumed],
        ] as const) {
          const grads = gradientsOf(vars, step);
          adam.applyGradients(grads);
          tf.dispose(grads.map(({ tensor }) => tensor));
        }
      }
      full.forEach((variable, i) => {
        expect(Array.from(resumed[i]!.dataSync())).toEqual(Array.from(variable.dataSync()));
      });
      a.dispose();
      c.dispose();
    });
    tf.dispose([...full, ...resumed]);
  });

  it('needs a gradient for every variable and names the missing one', () => {
    const vars = variables('partial');
    const adam = createDenseAdam({ variables: vars, learningRate: 0.1 });
    const grads = gradientsOf(vars, 0);
    expect(() => adam.applyGradients(grads.slice(0, 1))).toThrow(/partial\/b/);
    expect(() => adam.applyGradients([{ name: 'nope', tensor: grads[0]!.tensor }])).toThrow(
      /no variable named "nope"/,
    );
    // nothing moved
    expect(Array.from(vars[1]!.dataSync())).toEqual([Math.fround(0.05), Math.fround(-0.4)]);
    tf.dispose(grads.map(({ tensor }) => tensor));
    adam.dispose();
    tf.dispose(vars);
  });

  it('refuses a state of other variables', () => {
    const vars = variables('refuse');
    const adam = createDenseAdam({ variables: vars, learningRate: 0.1 });
    const slot = {
      variable: 0,
      shape: [3],
      firstMoment: new Float32Array(3),
      secondMoment: new Float32Array(3),
    };
    const state = { step: 1, accBeta1: 0.81, accBeta2: 0.998, slots: [slot] };
    expect(() => adam.loadState(state)).toThrow(/optimizer state of variable 0 \(refuse\/w\) does not fit/);
    expect(() => adam.loadState({ ...state, slots: [{ ...slot, variable: 2 }] })).toThrow(
      /state\.slots\[0\]\.variable: must be in \[0, 2\), got 2/,
    );
    adam.dispose();
    tf.dispose(vars);
  });
});
