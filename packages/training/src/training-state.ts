import type { SparseOptimizer } from '@mmrecall/towers/training';
import type { CheckpointArray } from './checkpoint-file';
import type { DenseAdam, DenseAdamState } from './dense-adam';
import type { TrainableModel } from './trainable-model';

type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** The dense optimizer's scalars, kept in the checkpoint's JSON header (float32 values, exact in JSON). */
export interface DenseOptimizerMeta {
  step: number;
  accBeta1: number;
  accBeta2: number;
  /** Positions (in the model's dense variables) of the stored moments. */
  variables: number[];
}

/** Model weights, best weights and optimizer state as checkpoint arrays. */
export async function collectTrainingState(options: {
  model: TrainableModel;
  optimizer: DenseAdam;
  sparseOptimizers: SparseOptimizer[];
  best: NamedWeights | undefined;
}): Promise<{ arrays: Record<string, CheckpointArray>; dense: DenseOptimizerMeta }> {
  const { model, optimizer, best } = options;
  const arrays: Record<string, CheckpointArray> = {};
  for (const [name, weight] of Object.entries(model.model.toNamedWeights())) arrays[`model/${name}`] = weight;
  if (best) for (const [name, weight] of Object.entries(best)) arrays[`best/${name}`] = weight;
  const state = await optimizer.state();
  for (const slot of state.slots) {
    arrays[`adam/${slot.variable}/m`] = { shape: slot.shape, data: slot.firstMoment };
    arrays[`adam/${slot.variable}/v`] = { shape: slot.shape, data: slot.secondMoment };
  }
  options.sparseOptimizers.forEach((sparse, index) => {
    const { table } = sparse;
    const tableState = sparse.state();
    const matrix = (data: Float32Array) => ({
      shape: [table.rows, table.dim],
      data: Float32Array.from(data),
    });
    if (tableState.stepCounts)
      arrays[`table/${index}/steps`] = { shape: [table.rows], data: Int32Array.from(tableState.stepCounts) };
    if (tableState.firstMoment) arrays[`table/${index}/m`] = matrix(tableState.firstMoment);
    if (tableState.secondMoment) arrays[`table/${index}/v`] = matrix(tableState.secondMoment);
    if (tableState.accumulator) arrays[`table/${index}/acc`] = matrix(tableState.accumulator);
  });
  return {
    arrays,
    dense: {
      step: state.step,
      accBeta1: state.accBeta1,
      accBeta2: state.accBeta2,
      variables: state.slots.map(({ variable }) => variable),
    },
  };
}

/** Named weights stored under `prefix` (`model/`, `best/`). */
export function namedWeightsFrom(arrays: Record<string, CheckpointArray>, prefix: string): NamedWeights {
  const out: NamedWeights = {};
  for (const [name, array] of Object.entries(arrays)) {
    if (name.startsWith(prefix))
      out[name.slice(prefix.length)] = { shape: array.shape, data: array.data as Float32Array };
  }
  return out;
}

/** The dense optimizer's state from the checkpoint arrays and header. */
export function denseStateFrom(
  arrays: Record<string, CheckpointArray>,
  meta: DenseOptimizerMeta,
): DenseAdamState {
  return {
    step: meta.step,
    accBeta1: meta.accBeta1,
    accBeta2: meta.accBeta2,
    slots: meta.variables.map((variable) => {
      const m = arrays[`adam/${variable}/m`] as CheckpointArray;
      const v = arrays[`adam/${variable}/v`] as CheckpointArray;
      return {
        variable,
        shape: m.shape,
        firstMoment: m.data as Float32Array,
        secondMoment: v.data as Float32Array,
      };
    }),
  };
}

/** Restores a table's sparse optimizer state (lazy Adam step counts and moments, or Adagrad accumulators). */
export function restoreTableState(
  sparse: SparseOptimizer,
  arrays: Record<string, CheckpointArray>,
  index: number,
): void {
  const steps = arrays[`table/${index}/steps`];
  const m = arrays[`table/${index}/m`];
  const v = arrays[`table/${index}/v`];
  const acc = arrays[`table/${index}/acc`];
  if (steps && m && v) {
    sparse.loadState({
      kind: 'adam',
      stepCounts: steps.data as Int32Array,
      firstMoment: m.data as Float32Array,
      secondMoment: v.data as Float32Array,
    });
  } else if (acc) {
    sparse.loadState({ kind: 'adagrad', accumulator: acc.data as Float32Array });
  }
}
