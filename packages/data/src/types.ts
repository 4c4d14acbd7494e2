/** A bidirectional map between external string ids and dense 0-based indices. */
export interface IdMap {
  /** External ids in index order: `ids[i]` is the id of index `i`. */
  readonly ids: readonly string[];
  /** Number of ids. */
  readonly size: number;
  /** Dense index of `id`, or `undefined` when unknown. */
  indexOf(id: string): number | undefined;
}

/** Interactions in columnar form; every array has the same length. */
export interface Interactions {
  /** User index per interaction. */
  users: Int32Array;
  /** Item index per interaction. */
  items: Int32Array;
  /** Unix time in seconds per interaction, when known. */
  timestamps?: Float64Array;
  /** 1 = click (a positive), 0 = exposure without click. Absent: every row is a click. */
  clicks?: Uint8Array;
  /** Explicit rating per interaction (e.g. MovieLens stars), when the data set has one. */
  ratings?: Float32Array;
  /** Whole count per interaction (e.g. plays), when the data set has one; training repeats a row that often. */
  weights?: Float32Array;
}

/** Sparse multi-hot rows in CSR form: row `i` holds `values[offsets[i] .. offsets[i + 1])`. */
export interface MultiHot {
  /** Vocabulary of the values (tag names, profile feature names). */
  vocabulary: IdMap;
  /** Row offsets, length rows + 1. */
  offsets: Int32Array;
  /** Vocabulary indices. */
  values: Int32Array;
}

/** A dense table of named vectors, row `i` belongs to item `i`. */
export interface VectorTable {
  /** Vector dimension. */
  dim: number;
  /** Row-major values, `rows * dim` long. */
  data: Float32Array;
}

/** Content of every item: tags and any number of named dense vectors (e.g. `image`, `audio`). */
export interface ItemContent {
  /** Tags per item, when the data set has them. */
  tags?: MultiHot;
  /** Named pretrained vectors, row `i` = item `i`. */
  vectors: Record<string, VectorTable>;
}

/** A whole data set: ids, interactions and item content. */
export interface Dataset {
  /** Short name used in reports. */
  name: string;
  /** User id map. */
  users: IdMap;
  /** Item id map. */
  items: IdMap;
  /** All interactions (split them with the split functions). */
  interactions: Interactions;
  /** Item content. */
  content: ItemContent;
  /** Optional per-user profile features (multi-hot). */
  userFeatures?: MultiHot;
}

/** Train/valid/test interactions plus the items that have no positive interaction in train. */
export interface DatasetSplit {
  train: Interactions;
  valid: Interactions;
  test: Interactions;
  /** 1 = cold item: no positive (click) interaction in `train`. Length = number of items. */
  coldItems: Uint8Array;
}

/** Posterior statistics per item, computed from the training period only. */
export interface ItemStatistics {
  /** Exposures (rows in train, click or not). */
  exposures: Float32Array;
  /** Clicks in train. */
  clicks: Float32Array;
  /** Smoothed click-through rate (clicks + a) / (exposures + a + b). */
  ctr: Float32Array;
  /** Age in days at the end of the training period since first seen (0 for never seen). */
  age: Float32Array;
}
