import { InvalidArgumentError } from '@mmrecall/errors';
import { createRandom } from '@mmrecall/random';
import { checkPositive } from './bpr-mf';
import { itemUsers, validateInteractionMatrix } from './interaction-matrix';
import { gaussian } from './random';
import { createFactorizedScorer } from './scorer';
import {
  type EmbeddingBaselineOptions,
  type EpochScheduleOptions,
  type IterativeBaselineResult,
  runEpochs,
  sampleNegative,
  sigmoidNegative,
  softplusNegative,
} from './training-loop';

/** Options of {@link fitLightGcn}. */
export interface FitLightGcnOptions extends EmbeddingBaselineOptions, EpochScheduleOptions {
  /** Propagation layers L (0 = matrix factorisation trained the same way). Default 3. */
  layers?: number;
  /** Adam step size. Default 0.005. */
  learningRate?: number;
  /** L2 weight on the layer-0 embeddings of each batch's users and items. Default 0.0001. */
  regularization?: number;
  /** Training triples per step. Default 2048. */
  batchSize?: number;
}

/**
 * LightGCN (He et al., SIGIR 2020): layer-0 user and item embeddings propagated L times over the
 * symmetric-normalised user-item graph (`1 / sqrt(|I_u| |U_i|)` per edge), final embedding the mean of
 * the L + 1 layers, trained with the BPR loss on uniformly sampled (u, i, j) triples and Adam. Both the
 * forward pass and the gradient are sparse products with the graph (the propagation is linear and the
 * normalised graph symmetric), so one step costs `2 L nnz dim` multiply-adds.
 */
export function fitLightGcn(options: FitLightGcnOptions): IterativeBaselineResult {
  const { matrix } = options;
  const layers = options.layers ?? 3;
  const dim = options.dim ?? 64;
  const learningRate = options.learningRate ?? 0.005;
  const reg = options.regularization ?? 0.0001;
  const batchSize = options.batchSize ?? 2048;
  const initScale = options.initScale ?? 0.1;
  validateInteractionMatrix(matrix);
  if (!Number.isInteger(layers) || layers < 0)
    throw new InvalidArgumentError({ argument: 'layers', message: `must be an integer >= 0, got ${layers}` });
  checkPositive('dim', dim, true);
  checkPositive('learningRate', learningRate);
  checkPositive('batchSize', batchSize, true);
  if (!(reg >= 0))
    throw new InvalidArgumentError({ argument: 'regularization', message: `must be >= 0, got ${reg}` });

  const { numUsers, numItems, offsets, items } = matrix;
  const nodes = numUsers + numItems;
  const columns = itemUsers(matrix);
  const userWeights = new Float32Array(items.length); // edge weight in user-row order
  const itemWeights = new Float32Array(items.length); // edge weight in item-column order
  for (let u = 0; u < numUsers; u++) {
    for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
      const i = items[e]!;
      userWeights[e] =
        1 / Math.sqrt((offsets[u + 1]! - offsets[u]!) * (columns.offsets[i + 1]! - columns.offsets[i]!));
    }
  }
  for (let i = 0; i < numItems; i++) {
    for (let e = columns.offsets[i]!; e < columns.offsets[i + 1]!; e++) {
      const u = columns.users[e]!;
      itemWeights[e] =
        1 / Math.sqrt((offsets[u + 1]! - offsets[u]!) * (columns.offsets[i + 1]! - columns.offsets[i]!));
    }
  }
  /** out = Â x over all nodes (users first, then items). */
  const propagate = (x: Float32Array, out: Float32Array): void => {
    out.fill(0);
    for (let u = 0; u < numUsers; u++) {
      const o = u * dim;
      for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
        const w = userWeights[e]!;
        const src = (numUsers + items[e]!) * dim;
        for (let t = 0; t < dim; t++) out[o + t]! += w * x[src + t]!;
      }
    }
    for (let i = 0; i < numItems; i++) {
      const o = (numUsers + i) * dim;
      for (let e = columns.offsets[i]!; e < columns.offsets[i + 1]!; e++) {
        const w = itemWeights[e]!;
        const src = columns.users[e]! * dim;
        for (let t = 0; t < dim; t++) out[o + t]! += w * x[src + t]!;
      }
    }
  };
  /** out = mean of x, Âx, ..., Â^L x. */
  const smooth = (x: Float32Array, out: Float32Array, a: Float32Array, b: Float32Array): void => {
    out.set(x);
    let current = x;
    for (let l = 0; l < layers; l++) {
      const next = current === a ? b : a;
      propagate(current, next);
      for (let t = 0; t < out.length; t++) out[t]! += next[t]!;
      current = next;
    }
    const scale = 1 / (layers + 1);
    for (let t = 0; t < out.length; t++) out[t]! *= scale;
  };

  const random = createRandom(options.seed ?? 1);
  const ego = Float32Array.from({ length: nodes * dim }, () => initScale * gaussian(random));
  const final = new Float32Array(nodes * dim);
  const gradFinal = new Float32Array(nodes * dim);
  const gradEgo = new Float32Array(nodes * dim);
  const gradFinalSmoothed = new Float32Array(nodes * dim);
  const bufferA = new Float32Array(nodes * dim);
  const bufferB = new Float32Array(nodes * dim);
  const moment1 = new Float32Array(nodes * dim);
  const moment2 = new Float32Array(nodes * dim);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let adamStep = 0;
  const owner = new Int32Array(items.length);
  for (let u = 0; u < numUsers; u++) for (let e = offsets[u]!; e < offsets[u + 1]!; e++) owner[e] = u;
  const eligible = Array.from({ length: items.length }, (_, e) => e).filter(
    (e) => offsets[owner[e]! + 1]! - offsets[owner[e]!]! < numItems,
  );
  const stepsPerEpoch = Math.max(1, Math.ceil(eligible.length / batchSize));

  const step = (): number => {
    if (eligible.length === 0) return 0;
    let total = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      smooth(ego, final, bufferA, bufferB);
      gradFinal.fill(0);
      gradEgo.fill(0);
      const inv = 1 / batchSize;
      for (let b = 0; b < batchSize; b++) {
        const e = eligible[Math.floor(random() * eligible.length)]!;
        const u = owner[e]!;
        const i = items[e]!;
        const j = sampleNegative(matrix, u, random);
        const pu = u * dim;
        const qi = (numUsers + i) * dim;
        const qj = (numUsers + j) * dim;
        let x = 0;
        let norm = 0;
        for (let t = 0; t < dim; t++) {
          x += final[pu + t]! * (final[qi + t]! - final[qj + t]!);
          norm += ego[pu + t]! ** 2 + ego[qi + t]! ** 2 + ego[qj + t]! ** 2;
        }
        total += softplusNegative(x) + reg * norm;
        const g = -sigmoidNegative(x) * inv; // d loss / d x
        for (let t = 0; t < dim; t++) {
          const p = final[pu + t]!;
          gradFinal[pu + t]! += g * (final[qi + t]! - final[qj + t]!);
          gradFinal[qi + t]! += g * p;
          gradFinal[qj + t]! -= g * p;
          gradEgo[pu + t]! += 2 * reg * inv * ego[pu + t]!;
          gradEgo[qi + t]! += 2 * reg * inv * ego[qi + t]!;
          gradEgo[qj + t]! += 2 * reg * inv * ego[qj + t]!;
        }
      }
      // The propagation is linear and Â symmetric: d loss / d ego = mean over l of Â^l (d loss / d final).
      smooth(gradFinal, gradFinalSmoothed, bufferA, bufferB);
      adamStep++;
      const c1 = 1 - beta1 ** adamStep;
      const c2 = 1 - beta2 ** adamStep;
      for (let t = 0; t < ego.length; t++) {
        const grad = gradFinalSmoothed[t]! + gradEgo[t]!;
        const m = beta1 * moment1[t]! + (1 - beta1) * grad;
        const v = beta2 * moment2[t]! + (1 - beta2) * grad * grad;
        moment1[t] = m;
        moment2[t] = v;
        ego[t]! -= (learningRate * (m / c1)) / (Math.sqrt(v / c2) + 1e-8);
      }
    }
    return total / (stepsPerEpoch * batchSize);
  };
  const current = () => {
    smooth(ego, final, bufferA, bufferB);
    return createFactorizedScorer({
      userEmbeddings: final.subarray(0, numUsers * dim),
      itemEmbeddings: final.subarray(numUsers * dim),
      dim,
    });
  };
  return runEpochs({ ...options, step, current });
}
