import type { PrebuiltIndexEntry } from '@mmrecall/serving';

/**
 * What the recall service needs from a loaded artifacts folder. `loadServingModel` (load-serving-model.ts) builds
 * it from `@mmrecall/model`'s `readArtifacts`; the service depends on nothing else, so it stays
 * independent of how the artifacts are stored.
 */

/** Content of an item that was not part of training, as an admin sends it. */
export interface NewItemContent {
  /** Content tag names (unknown tags are ignored by the content tower and reported back). */
  tags?: string[];
  /** Named dense vectors; names and dimensions must match `ServingModel.vectorSpecs`. */
  vectors: Record<string, ArrayLike<number>>;
}

/** A named content vector of the model. */
export interface VectorSpec {
  /** Dimension. */
  dim: number;
  /** Whether a new item must carry it (the content tower or the cluster tree reads it). */
  required: boolean;
}

/** Options of {@link ServingModel.embedUserFeatures}. */
export interface EmbedUserFeaturesOptions {
  /** Index of a known user (row of the user id table), or `userIds.length`: the shared unknown-user row. */
  user: number;
  /** Profile feature names (unknown names are ignored). */
  profile: readonly string[];
  /**
   * Recent items, oldest first, as item rows of the model (`itemIds.length` = the shared row of
   * items unknown to the model, e.g. items added at run time). Only the last `maxLength` are read.
   */
  history: Int32Array;
}

/** Result of {@link ServingModel.embedNewItems}. */
export interface EmbeddedNewItems {
  /** Row-major `items x itemDim` embeddings. */
  embeddings: Float32Array;
  /** Gate value per item (gated kinds only). */
  gates?: Float32Array;
  /** Per item, the tags the model does not know (ignored). */
  unknownTags: string[][];
}

/** What the live loop reads from a gated model whose artifacts carry views and statistics times. */
export interface LiveItemModel {
  /** The statistics at training time. */
  readonly trained: {
    /** 1 = the item has a trained ID row; cold items stay on content. */
    readonly warm: Uint8Array;
    readonly exposures: Float32Array;
    readonly clicks: Float32Array;
    /** Unix seconds; NaN = never seen. */
    readonly firstSeen: Float64Array;
    /** End of the training period, unix seconds (NaN = no timestamps). */
    readonly referenceTime: number;
    readonly ctrPrior: { readonly alpha: number; readonly beta: number };
  };
  /**
   * Gate and fused embedding of warm training rows for the given statistics (one value per row),
   * exactly as the model computes them offline; reads tensors with `await data()`, leaks none.
   */
  fuse(options: {
    rows: Int32Array;
    statistics: { exposures: Float32Array; clicks: Float32Array; ctr: Float32Array; age: Float32Array };
  }): Promise<{ embeddings: Float32Array; gates: Float32Array }>;
}

/** A trained model with its precomputed embeddings, ready to serve. */
export interface ServingModel {
  /** Artifacts folder it was read from. */
  readonly dir: string;
  /**
   * When the artifacts were written (the manifest's `createdAt`): with `dir`, tells a reload of the
   * same artifacts from one into newer ones.
   */
  readonly createdAt: string;
  /** File names of the embedding matrices inside `dir` (named in errors about them). */
  readonly embeddingFiles: { readonly items: string; readonly users?: string };
  /**
   * True when the loader has already refused non-finite values in `itemEmbeddings` and
   * `userEmbeddings` (`loadServingModel` has, through `readArtifacts`); the service then skips its
   * own scan (about 1 s at 1M x 64). Other loaders are scanned.
   */
  readonly embeddingsChecked?: boolean;
  /** `itemIds[i] -> i`, when the loader has it (read only); the catalog builds it otherwise. */
  readonly itemRows?: ReadonlyMap<string, number>;
  /** Model kind (`id-only`, `content-only`, `multiview`, `gated-concat`, `gated-additive`). */
  readonly kind: string;
  /** `u2i` or `i2i`. */
  readonly mode: string;
  /** Dimension of item and query embeddings (they are compared by inner product). */
  readonly dim: number;
  /** Training user ids; row `i` of `userEmbeddings` belongs to `userIds[i]`. */
  readonly userIds: readonly string[];
  /** Training item ids; row `i` of `itemEmbeddings` belongs to `itemIds[i]`. */
  readonly itemIds: readonly string[];
  /** Row-major `itemIds.length x dim`. */
  readonly itemEmbeddings: Float32Array;
  /** Row-major `userIds.length x dim`, when the artifacts carry them (u2i). */
  readonly userEmbeddings: Float32Array | undefined;
  /** Named vectors a new item may carry, with their dimensions; `required` ones must be present. */
  readonly vectorSpecs: Readonly<Record<string, VectorSpec>>;
  /** Whether the model has a user tower that can embed features at request time (u2i). */
  readonly canEmbedUserFeatures: boolean;
  /** Whether new items can be embedded (false for `id-only`: it has no content tower). */
  readonly canEmbedNewItems: boolean;
  /** Runs the user tower on one user's features; resolves to a `dim`-long query. */
  embedUserFeatures(options: EmbedUserFeaturesOptions): Promise<Float32Array>;
  /** Embeds items that were not part of training through the content tower (gate with zero statistics). */
  embedNewItems(options: { items: readonly NewItemContent[] }): Promise<EmbeddedNewItems>;
  /**
   * The live loop (gated kinds whose artifacts carry views, counts and first-seen times); undefined
   * for other kinds and for older artifacts folders.
   */
  readonly live: LiveItemModel | undefined;
  /**
   * The artifacts' prebuilt index (file checked against the manifest, and its manifest entry), when
   * they carry one: the `hnsw` index maps it instead of building a graph.
   */
  readonly prebuiltIndex?: { readonly path: string; readonly info: PrebuiltIndexEntry };
  /** Frees the model's tensors. */
  dispose(): void;
}

/** Loads a {@link ServingModel} from an artifacts folder. */
export type LoadServingModel = (options: {
  /** Artifacts folder. */
  dir: string;
  /**
   * Aborted when the reload times out or is cancelled. A loader may stop early on it; the service
   * does not wait for it either way (a model that arrives after the abort is disposed).
   */
  signal?: AbortSignal;
}) => Promise<ServingModel>;
