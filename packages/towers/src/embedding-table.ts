import { checkInteger, InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { uniformArray } from '@mmrecall/random';
import * as tf from '@tensorflow/tfjs-core';
import { createVariable, type NamedWeights, readSlots, type WeightSlot, writeSlots } from './named-weights';
import { assertIndicesInRange, validateBagOffsets } from './validate';

/** Options of `createEmbeddingTable`. */
export interface EmbeddingTableOptions {
  /** Logical name; weights export as `${name}/embeddings`. Also names the tfjs anchor variable. */
  name: string;
  /** Number of rows (ids), >= 1. */
  rows: number;
  /** Embedding width, >= 1. */
  dim: number;
  /** Seed of the uniform initialisation; same seed, same weights. */
  seed: number;
  /** Initial weights are uniform in [-initScale, initScale]. Default 0.05. */
  initScale?: number;
}

/** Options of `EmbeddingTable.lookupBag`: CSR bags of row indices. */
export interface LookupBagOptions {
  /** Bag b holds `values[offsets[b] .. offsets[b + 1])`; length = bags + 1, starts at 0, ends at values.length. */
  offsets: Int32Array;
  /** Row indices of all bags, concatenated. */
  values: Int32Array;
  /** Optional weight per value (same length as `values`). Default 1 each. */
  weights?: Float32Array;
  /** `sum`: weighted sum of the rows; `mean`: weighted sum divided by the bag's weight total. Empty bag -> zeros. */
  combiner: 'mean' | 'sum';
}

/** Options of `EmbeddingTable.setRows`. */
export interface SetRowsOptions {
  /** Rows to overwrite. */
  indices: Int32Array;
  /** New values, `indices.length x dim`, row-major. */
  values: Float32Array;
}

/** The pending gradient summed per row: what a sparse optimizer applies. */
export interface AggregatedGradient {
  /** Distinct rows that received a gradient, in first-touch order. */
  rows: Int32Array;
  /** Their summed gradients, rows.length x dim (a view: valid until the next lookup or clear). */
  gradients: Float32Array;
}

/**
 * An embedding table whose weights live in a JS Float32Array and whose gradients are sparse.
 * It records gradients; a sparse optimizer (`createSparseOptimizer` of `@mmrecall/towers/training`)
 * applies them, so serving code never loads the optimizers.
 */
export interface EmbeddingTable {
  /** Logical name given at creation. */
  readonly name: string;
  /** Number of rows. */
  readonly rows: number;
  /** Embedding width. */
  readonly dim: number;
  /**
   * Trainable scalar variable every lookup is tied to. Include it in `tf.variableGrads` so the
   * lookups' gradient functions run; its own gradient is always zero and must not be applied.
   */
  readonly anchor: tf.Variable;
  /** The live weights, rows x dim row-major. Prefer `setRows` for writes. */
  readonly weights: Float32Array;
  /** Number of recorded, not yet applied gradient blocks (0 outside training). */
  readonly pendingCount: number;
  /** Gathers rows -> [indices.length, dim]. Under a gradient tape the backward pass records dy. */
  lookup(indices: Int32Array): tf.Tensor2D;
  /** Pools the rows of each bag -> [bags, dim]; gradients are recorded per bag and spread at apply time. */
  lookupBag(options: LookupBagOptions): tf.Tensor2D;
  /** Squared L2 norm of the aggregated pending gradient (duplicates summed). */
  sparseGradientSquaredNorm(): number;
  /** The pending gradients scatter-added per row (duplicates summed); see `AggregatedGradient`. */
  aggregatedGradient(): AggregatedGradient;
  /** Drops pending gradients without applying them. */
  clearGradients(): void;
  /** Copy of one row. */
  getRow(index: number): Float32Array;
  /** Overwrites rows (an optimizer's state of those rows is kept). */
  setRows(options: SetRowsOptions): void;
  /** `{ [`${name}/embeddings`]: { shape: [rows, dim], data: copy } }`. */
  toNamedWeights(): NamedWeights;
  /** Restores `${name}/embeddings`; throws MissingArtifactError / ShapeMismatchError. */
  loadNamedWeights(weights: NamedWeights): void;
  /** Frees the anchor variable and all buffers; the table is unusable afterwards. */
  dispose(): void;
}

interface PendingBlock {
  /** Row index per gradient source (lookup) or per value (bag). */
  indices: Int32Array;
  /** Gradient rows: one per index (lookup) or one per bag (bag), x dim. */
  gradient: Float32Array;
  /** Bags only: CSR offsets into `indices`. */
  bagOffsets?: Int32Array;
  /** Bags only: pooling coefficient of each value. */
  coefficients?: Float32Array;
}

/** Creates an embedding table with sparse gradients. See the package README for the training loop. */
export function createEmbeddingTable(options: EmbeddingTableOptions): EmbeddingTable {
  const { name, rows, dim, seed } = options;
  checkInteger({ argument: 'rows', value: rows, min: 1 });
  checkInteger({ argument: 'dim', value: dim, min: 1 });
  const initScale = options.initScale ?? 0.05;
  if (!Number.isFinite(initScale) || initScale < 0) {
    throw new InvalidArgumentError({
      argument: 'initScale',
      message: `must be a finite number >= 0, got ${initScale}`,
    });
  }

  const weights = uniformArray(rows * dim, initScale, seed);
  const anchor = createVariable(new Float32Array(1), [], `${name}/anchor`);
  let pending: PendingBlock[] = [];
  let aggregated: AggregatedGradient | undefined;
  let disposed = false;
  // the row -> slot scratch map is allocated on first use
  let slotOfRow: Int32Array | undefined;

  const assertAlive = (): void => {
    if (disposed) throw new InvalidArgumentError({ argument: name, message: 'embedding table was disposed' });
  };

  const record = (block: PendingBlock): void => {
    pending.push(block);
    aggregated = undefined;
  };

  const gatherRows = (indices: Int32Array): Float32Array => {
    const out = new Float32Array(indices.length * dim);
    for (let k = 0; k < indices.length; k++) {
      const start = (indices[k] as number) * dim;
      out.set(weights.subarray(start, start + dim), k * dim);
    }
    return out;
  };

  const lookup = (indices: Int32Array): tf.Tensor2D => {
    assertAlive();
    assertIndicesInRange(indices, rows, `${name}.lookup indices`);
    const ownIndices = Int32Array.from(indices);
    const gathered = gatherRows(ownIndices);
    const n = ownIndices.length;
    return tiedToAnchor(anchor, gathered, [n, dim], (gradient) => {
      if (n > 0) record({ indices: ownIndices, gradient });
    });
  };

  const lookupBag = (bag: LookupBagOptions): tf.Tensor2D => {
    assertAlive();
    const { offsets, values, combiner } = bag;
    const bags = validateBagOffsets(offsets, values.length, `${name}.lookupBag offsets`);
    assertIndicesInRange(values, rows, `${name}.lookupBag values`);
    if (bag.weights !== undefined && bag.weights.length !== values.length) {
      throw new ShapeMismatchError({
        message: `${name}.lookupBag weights must have one entry per value`,
        expected: [values.length],
        actual: [bag.weights.length],
      });
    }
    if (combiner !== 'mean' && combiner !== 'sum') {
      throw new InvalidArgumentError({
        argument: 'combiner',
        message: `must be 'mean' or 'sum', got ${String(combiner)}`,
      });
    }
    const ownValues = Int32Array.from(values);
    const ownOffsets = Int32Array.from(offsets);
    const coefficients = new Float32Array(values.length);
    for (let b = 0; b < bags; b++) {
      const start = ownOffsets[b] as number;
      const end = ownOffsets[b + 1] as number;
      let total = 0;
      for (let j = start; j < end; j++) {
        const w = bag.weights === undefined ? 1 : (bag.weights[j] as number);
        coefficients[j] = w;
        total += w;
      }
      if (combiner === 'mean' && end > start) {
        const inverse = total === 0 ? 0 : 1 / total;
        for (let j = start; j < end; j++) coefficients[j] = (coefficients[j] as number) * inverse;
      }
    }
    const pooled = new Float32Array(bags * dim);
    for (let b = 0; b < bags; b++) {
      const outStart = b * dim;
      for (let j = ownOffsets[b] as number; j < (ownOffsets[b + 1] as number); j++) {
        const c = coefficients[j] as number;
        const rowStart = (ownValues[j] as number) * dim;
        for (let d = 0; d < dim; d++)
          pooled[outStart + d] = (pooled[outStart + d] as number) + c * (weights[rowStart + d] as number);
      }
    }
    return tiedToAnchor(anchor, pooled, [bags, dim], (gradient) => {
      if (ownValues.length > 0)
        record({ indices: ownValues, gradient, bagOffsets: ownOffsets, coefficients });
    });
  };

  const aggregate = (): AggregatedGradient => {
    if (aggregated !== undefined) return aggregated;
    let capacity = 0;
    for (const block of pending) capacity += block.indices.length;
    slotOfRow ??= new Int32Array(rows).fill(-1);
    const slots = slotOfRow;
    const touched = new Int32Array(capacity);
    const sums = new Float32Array(capacity * dim);
    let count = 0;
    const add = (row: number, source: Float32Array, sourceStart: number, coefficient: number): void => {
      let slot = slots[row] as number;
      if (slot < 0) {
        slot = count++;
        slots[row] = slot;
        touched[slot] = row;
      }
      const target = slot * dim;
      for (let d = 0; d < dim; d++)
        sums[target + d] = (sums[target + d] as number) + coefficient * (source[sourceStart + d] as number);
    };
    for (const block of pending) {
      if (block.bagOffsets === undefined) {
        for (let k = 0; k < block.indices.length; k++)
          add(block.indices[k] as number, block.gradient, k * dim, 1);
      } else {
        const coefficients = block.coefficients as Float32Array;
        for (let b = 0; b + 1 < block.bagOffsets.length; b++) {
          for (let j = block.bagOffsets[b] as number; j < (block.bagOffsets[b + 1] as number); j++) {
            add(block.indices[j] as number, block.gradient, b * dim, coefficients[j] as number);
          }
        }
      }
    }
    for (let s = 0; s < count; s++) slots[touched[s] as number] = -1;
    aggregated = { rows: touched.subarray(0, count), gradients: sums.subarray(0, count * dim) };
    return aggregated;
  };

  const clearGradients = (): void => {
    pending = [];
    aggregated = undefined;
  };

  const slot: WeightSlot = {
    key: `${name}/embeddings`,
    shape: [rows, dim],
    read: () => weights.slice(),
    write: (data) => weights.set(data),
  };

  return {
    name,
    rows,
    dim,
    anchor,
    weights,
    get pendingCount() {
      return pending.length;
    },
    lookup,
    lookupBag,
    sparseGradientSquaredNorm: () => {
      const { gradients } = aggregate();
      let total = 0;
      for (let i = 0; i < gradients.length; i++) total += (gradients[i] as number) ** 2;
      return total;
    },
    aggregatedGradient: () => {
      assertAlive();
      return aggregate();
    },
    clearGradients,
    getRow: (index) => {
      checkInteger({ argument: 'index', value: index, min: 0 });
      if (index >= rows)
        throw new InvalidArgumentError({
          argument: 'index',
          message: `row ${index} is outside [0, ${rows})`,
        });
      return weights.slice(index * dim, index * dim + dim);
    },
    setRows: ({ indices, values }) => {
      assertIndicesInRange(indices, rows, `${name}.setRows indices`);
      if (values.length !== indices.length * dim) {
        throw new ShapeMismatchError({
          message: `${name}.setRows values must be indices.length x dim`,
          expected: [indices.length, dim],
          actual: [values.length],
        });
      }
      for (let k = 0; k < indices.length; k++)
        weights.set(values.subarray(k * dim, k * dim + dim), (indices[k] as number) * dim);
    },
    toNamedWeights: () => readSlots([slot]),
    loadNamedWeights: (named) => writeSlots([slot], named),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      clearGradients();
      anchor.dispose();
      slotOfRow = undefined;
    },
  };
}

/**
 * A [rows, cols] tensor holding `values` whose backward pass hands a copy of dy to `onGradient`
 * and gives `anchor` a zero gradient. Outside a gradient tape the backward pass never runs.
 */
function tiedToAnchor(
  anchor: tf.Variable,
  values: Float32Array,
  shape: [number, number],
  onGradient: (gradient: Float32Array) => void,
): tf.Tensor2D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const anchorInput = inputs[0] as tf.Tensor;
    return {
      value: tf.tensor2d(values, shape, 'float32'),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const upstream = Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy;
        // copy: on the cpu backend dataSync() returns the backend's own buffer
        onGradient(Float32Array.from(upstream.dataSync() as Float32Array));
        return tf.zerosLike(anchorInput);
      },
    };
  });
  return tf.tidy(() => op(anchor) as tf.Tensor2D);
}

/** The table's weights as a slot (internal: lets towers load all their weights atomically). */
export function tableSlot(table: EmbeddingTable): WeightSlot {
  return {
    key: `${table.name}/embeddings`,
    shape: [table.rows, table.dim],
    read: () => table.weights.slice(),
    write: (data) => table.weights.set(data),
  };
}
