import type { Interactions } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import {
  applyCandidateProtocol,
  type CandidateSet,
  evaluateRetrieval,
  type RetrievalEvaluation,
  spearman,
  topKInnerProduct,
  topKScores,
} from '@mmrecall/metrics';
import {
  type CsrRows,
  embedItems,
  type ItemFeatureStore,
  type RecallModel,
  type UserFeatureStore,
} from '@mmrecall/model';
import { createRandom, shuffleInPlace } from '@mmrecall/random';
import type { EvaluateStage } from './fit-options';
import { positivesByUser } from './positives';
import { DEFAULT_SEED, type TrainableModel } from './trainable-model';
import type { TrainingData } from './training-data';

/** Recall of held-out items grouped by their training popularity. */
export interface PopularityBucket {
  /** e.g. `cold`, `1-2`, `3-10`. */
  label: string;
  /** Held-out (query, item) pairs whose item falls in the bucket. */
  heldOut: number;
  /** Of those, recalled in the top K. */
  hits: number;
  /** hits / heldOut (NaN when empty). */
  recall: number;
}

/** What {@link evaluate} returns. */
export interface ModelEvaluation {
  /** Accuracy (all / warm / cold) and ecology per cutoff. */
  metrics: RetrievalEvaluation;
  /** Recall@K by item popularity bucket. */
  popularityBuckets: PopularityBucket[];
  /** Number of queries evaluated. */
  numQueries: number;
  /** Item retrieval embeddings, numItems x itemDim. */
  itemEmbeddings: Float32Array;
  /** Gate value per item (gated kinds). */
  gates?: Float32Array;
  /** Spearman correlation of gate values with training popularity, over warm items and over all items. */
  gateSpearman?: { warm: number; all: number };
}

/** Options of {@link selectQueries}. */
export interface SelectQueriesOptions {
  /** Held-out interactions (valid or test). */
  heldOut: Interactions;
  /** Number of users. */
  numUsers: number;
  /** Training positives per user (to require a trigger in i2i). */
  trainPositives: CsrRows;
  /** i2i needs at least one training positive per query user (its last one is the trigger). */
  needTrigger: boolean;
  /** Keep at most this many users (seeded subsample); 0 = all. */
  maxQueries: number;
  /** Seed of the subsample. */
  seed: number;
}

/** The users evaluated and their held-out items (CSR, one row per selected user). */
export interface SelectedQueries {
  users: Int32Array;
  heldOut: CsrRows;
}

/** Users with at least one held-out positive (and a trigger in i2i), optionally subsampled, in ascending order. */
export function selectQueries(options: SelectQueriesOptions): SelectedQueries {
  const { numUsers, trainPositives } = options;
  const grouped = positivesByUser({ interactions: options.heldOut, numUsers });
  const candidates: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    if ((grouped.offsets[u + 1] as number) === (grouped.offsets[u] as number)) continue;
    if (
      options.needTrigger &&
      (trainPositives.offsets[u + 1] as number) === (trainPositives.offsets[u] as number)
    )
      continue;
    candidates.push(u);
  }
  let users = Int32Array.from(candidates);
  if (options.maxQueries > 0 && users.length > options.maxQueries) {
    users = shuffleInPlace(users, createRandom(options.seed)).slice(0, options.maxQueries).sort();
  }
  const offsets = new Int32Array(users.length + 1);
  const values: number[] = [];
  users.forEach((u, q) => {
    for (let e = grouped.offsets[u] as number; e < (grouped.offsets[u + 1] as number); e++)
      values.push(grouped.values[e] as number);
    offsets[q + 1] = values.length;
  });
  return { users, heldOut: { offsets, values: Int32Array.from(values) } };
}

/** Rows of `rows` for the given users, as a new CSR. */
function rowsOf(rows: CsrRows, users: Int32Array): CsrRows {
  const offsets = new Int32Array(users.length + 1);
  let total = 0;
  users.forEach((u, q) => {
    total += (rows.offsets[u + 1] as number) - (rows.offsets[u] as number);
    offsets[q + 1] = total;
  });
  const values = new Int32Array(total);
  for (const [q, u] of users.entries()) {
    values.set(
      rows.values.subarray(rows.offsets[u] as number, rows.offsets[u + 1] as number),
      offsets[q] as number,
    );
  }
  return { offsets, values };
}

/** Options of {@link embedQueries}. */
export interface EmbedQueriesOptions {
  /** The model. */
  model: RecallModel;
  /** Query users. */
  users: Int32Array;
  /** User features (u2i). */
  userStore?: UserFeatureStore;
  /** Item features (i2i triggers). */
  itemStore: ItemFeatureStore;
  /** Training positives per user in time order (i2i: the last one is the trigger). */
  trainPositives: CsrRows;
  /** Queries per forward pass. Default 1024. */
  batchSize?: number;
}

/** Query embeddings: the user tower (u2i) or the trigger item = the user's last training positive (i2i). */
export async function embedQueries(options: EmbedQueriesOptions): Promise<Float32Array> {
  const { model, users, userStore, itemStore, trainPositives } = options;
  const batchSize = options.batchSize ?? 1024;
  const out = new Float32Array(users.length * model.queryDim);
  for (let start = 0; start < users.length; start += batchSize) {
    const chunk = users.subarray(start, Math.min(users.length, start + batchSize));
    let embedded: ReturnType<RecallModel['embedUsers']>;
    if (model.config.mode === 'u2i') {
      embedded = model.embedUsers((userStore as UserFeatureStore).batch(chunk));
    } else {
      const triggers = Int32Array.from(
        chunk,
        (u) => trainPositives.values[(trainPositives.offsets[u + 1] as number) - 1] as number,
      );
      embedded = model.embedTriggers(itemStore.batch(triggers));
    }
    try {
      out.set(await embedded.data(), start * model.queryDim);
    } finally {
      embedded.dispose();
    }
  }
  return out;
}

/** Options of {@link popularityBuckets}. */
export interface PopularityBucketsOptions {
  /** Recalled items, numQueries x k. */
  topK: Int32Array;
  /** Slots per query. */
  k: number;
  /** Held-out items per query. */
  heldOut: CsrRows;
  /** Training positives per item. */
  popularity: Float32Array;
}

const BUCKET_EDGES = [0, 1, 3, 10, 30, 100, 300, 1000, Number.POSITIVE_INFINITY];

/** Recall of held-out pairs by the item's training popularity: cold, 1-2, 3-9, 10-29, ... */
export function popularityBuckets(options: PopularityBucketsOptions): PopularityBucket[] {
  const { topK, k, heldOut, popularity } = options;
  const heldCount = new Array<number>(BUCKET_EDGES.length - 1).fill(0);
  const hitCount = new Array<number>(BUCKET_EDGES.length - 1).fill(0);
  const bucketOf = (item: number): number => {
    const p = popularity[item] as number;
    if (p <= 0) return 0;
    for (let b = 1; b < BUCKET_EDGES.length - 1; b++) if (p < (BUCKET_EDGES[b + 1] as number)) return b;
    return BUCKET_EDGES.length - 2;
  };
  const numQueries = heldOut.offsets.length - 1;
  for (let q = 0; q < numQueries; q++) {
    const seen = new Set<number>();
    for (let e = heldOut.offsets[q] as number; e < (heldOut.offsets[q + 1] as number); e++) {
      const item = heldOut.values[e] as number;
      if (seen.has(item)) continue;
      seen.add(item);
      const b = bucketOf(item);
      heldCount[b] = (heldCount[b] as number) + 1;
      for (let s = 0; s < k; s++) {
        if (topK[q * k + s] === item) {
          hitCount[b] = (hitCount[b] as number) + 1;
          break;
        }
      }
    }
  }
  const label = (b: number): string => {
    if (b === 0) return 'cold';
    const low = BUCKET_EDGES[b] as number;
    const high = BUCKET_EDGES[b + 1] as number;
    return Number.isFinite(high) ? (high - 1 === low ? `${low}` : `${low}-${high - 1}`) : `${low}+`;
  };
  return heldCount
    .map((held, b) => ({
      label: label(b),
      heldOut: held,
      hits: hitCount[b] as number,
      recall: held === 0 ? Number.NaN : (hitCount[b] as number) / held,
    }))
    .filter((bucket) => bucket.heldOut > 0);
}

/** Options of {@link evaluateEmbeddings}. */
export interface EvaluateEmbeddingsOptions {
  /** Query embeddings, one row per query user (with `itemEmbeddings` and `dim`); or give `scoreUsers`. */
  queries?: Float32Array;
  /** Item embeddings, numItems x dim. */
  itemEmbeddings?: Float32Array;
  /** Embedding dimension. */
  dim?: number;
  /** Writes every item's score for each of `users` into `out` (score-based models such as EASE). */
  scoreUsers?: (users: Int32Array, out: Float32Array) => void;
  /** The query users with their held-out items. */
  selected: SelectedQueries;
  /** The data set (cold items, popularity). */
  data: TrainingData;
  /** Training positives per user (excluded from the ranking). */
  trainPositives: CsrRows;
  /** List length. */
  k: number;
  /** Cutoffs. */
  cutoffs: number[];
  /** Candidate items: `all` (default), or warm/cold held-out items ranked among warm/cold items only. */
  candidates?: CandidateSet;
  /** With `candidates` warm/cold: keep at most this many of the queries left (0 = all). */
  maxQueries?: number;
  /** Seed of that subsample. */
  seed?: number;
  /** Queries ranked so far, after every block of queries. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Full ranking with training items masked (over the candidate set), then accuracy, ecology and
 * popularity buckets. Inner-product models and score-based baselines go through the same top-k.
 */
export function evaluateEmbeddings(
  options: EvaluateEmbeddingsOptions,
): Omit<ModelEvaluation, 'itemEmbeddings' | 'gates' | 'gateSpearman'> {
  const { selected, data, k } = options;
  const candidates = options.candidates ?? 'all';
  const protocol = applyCandidateProtocol({
    candidates,
    coldItems: data.split.coldItems,
    heldOut: selected.heldOut,
    maxQueries: candidates === 'all' ? 0 : (options.maxQueries ?? 0),
    seed: options.seed ?? 0,
  });
  const users = Int32Array.from(protocol.queries, (row) => selected.users[row] as number);
  const numQueries = users.length;
  const exclude = rowsOf(options.trainPositives, users);
  const candidateMask = protocol.candidateMask ? { candidateMask: protocol.candidateMask } : {};
  let indices: Int32Array;
  if (options.scoreUsers) {
    const scoreUsers = options.scoreUsers;
    ({ indices } = topKScores({
      numQueries,
      numItems: data.numItems,
      k,
      exclude,
      ...candidateMask,
      score: (start, end, out) => scoreUsers(users.subarray(start, end), out),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }));
  } else {
    const { queries, itemEmbeddings, dim } = options;
    if (!queries || !itemEmbeddings || dim === undefined)
      throw new InvalidArgumentError({
        argument: 'queries',
        message: 'give queries, itemEmbeddings and dim, or scoreUsers',
      });
    ({ indices } = topKInnerProduct({
      queries: gatherRows(queries, dim, protocol.queries, selected.users.length),
      numQueries,
      items: itemEmbeddings,
      numItems: data.numItems,
      dim,
      k,
      exclude,
      ...candidateMask,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }));
  }
  const metrics = evaluateRetrieval({
    topK: indices,
    k,
    numQueries,
    heldOut: protocol.heldOut,
    coldItems: data.split.coldItems,
    itemPopularity: data.popularity,
    cutoffs: options.cutoffs.includes(k) ? options.cutoffs : [...options.cutoffs, k],
  });
  return {
    metrics,
    numQueries,
    popularityBuckets: popularityBuckets({
      topK: indices,
      k,
      heldOut: protocol.heldOut,
      popularity: data.popularity,
    }),
  };
}

/** The given ascending rows of a row-major matrix (the matrix itself when every row is kept). */
export function gatherRows(matrix: Float32Array, dim: number, rows: Int32Array, total: number): Float32Array {
  if (rows.length === total) return matrix;
  const out = new Float32Array(rows.length * dim);
  for (const [r, row] of rows.entries()) out.set(matrix.subarray(row * dim, (row + 1) * dim), r * dim);
  return out;
}

/**
 * Users whose held-out items are evaluated: with the warm/cold protocol every user is selected first
 * and the cap applies to those left with a warm/cold held-out item (in {@link evaluateEmbeddings}).
 */
export function selectionCap(evalConfig: { candidates: CandidateSet; maxQueries: number }): number {
  return evalConfig.candidates === 'all' ? evalConfig.maxQueries : 0;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The model with its feature stores. */
  model: TrainableModel;
  /** The data set. */
  data: TrainingData;
  /** Which held-out interactions: `valid` (model selection) or `test` (reported once). Default `test`. */
  split?: 'valid' | 'test';
  /** List length K. Default 20. */
  k?: number;
  /** Cutoffs reported (K is always added). Default [10, 20]. */
  cutoffs?: number[];
  /** Evaluate at most this many users (0 = all). Default 0. */
  maxQueries?: number;
  /** Seed of the query subsample. Default 7. */
  seed?: number;
  /** Candidate items: `all`, or warm/cold held-out items ranked among warm/cold items only. Default `all`. */
  candidates?: CandidateSet;
  /** Progress: items embedded (stage `items`), then queries ranked (stage `ranking`). */
  onProgress?: (progress: { stage: EvaluateStage; done: number; total: number }) => void;
}

/**
 * Embeds every item (multiview: warm items their ID view, cold items their content view, through the
 * store's warm flags; gated kinds: fused with their gate) and the query users, ranks all items with the
 * user's training items masked, and computes the metrics.
 */
export async function evaluate(options: EvaluateOptions): Promise<ModelEvaluation> {
  const { model: setup, data } = options;
  const { model, itemStore, userPositives: trainPositives } = setup;
  const k = options.k ?? 20;
  const onProgress = options.onProgress;
  const { embeddings, gates } = await embedItems({
    model,
    store: itemStore,
    ...(onProgress
      ? { onProgress: (done: number, total: number) => onProgress({ stage: 'items', done, total }) }
      : {}),
  });
  const selected = selectQueries({
    heldOut: (options.split ?? 'test') === 'valid' ? data.split.valid : data.split.test,
    numUsers: data.numUsers,
    trainPositives,
    needTrigger: model.config.mode === 'i2i',
    maxQueries: selectionCap({
      candidates: options.candidates ?? 'all',
      maxQueries: options.maxQueries ?? 0,
    }),
    seed: options.seed ?? DEFAULT_SEED,
  });
  const queries = await embedQueries({
    model,
    users: selected.users,
    itemStore,
    trainPositives,
    ...(setup.userStore ? { userStore: setup.userStore } : {}),
  });
  const result = evaluateEmbeddings({
    queries,
    selected,
    itemEmbeddings: embeddings,
    dim: model.itemDim,
    data,
    trainPositives,
    k,
    cutoffs: options.cutoffs ?? [10, 20],
    ...(options.candidates ? { candidates: options.candidates } : {}),
    maxQueries: options.maxQueries ?? 0,
    seed: options.seed ?? DEFAULT_SEED,
    ...(onProgress
      ? { onProgress: (done: number, total: number) => onProgress({ stage: 'ranking', done, total }) }
      : {}),
  });
  const evaluation: ModelEvaluation = { ...result, itemEmbeddings: embeddings };
  if (gates) {
    evaluation.gates = gates;
    evaluation.gateSpearman = gateSpearman({ gates, popularity: data.popularity, warm: itemStore.warm });
  }
  return evaluation;
}

/** Spearman correlation between gate values and training popularity, over warm items and over all items. */
export function gateSpearman(options: { gates: Float32Array; popularity: Float32Array; warm: Uint8Array }): {
  warm: number;
  all: number;
} {
  const { gates, popularity, warm } = options;
  const warmGates: number[] = [];
  const warmPopularity: number[] = [];
  for (let i = 0; i < gates.length; i++) {
    if (warm[i] !== 1) continue;
    warmGates.push(gates[i] as number);
    warmPopularity.push(popularity[i] as number);
  }
  return {
    warm: warmGates.length > 1 ? spearman({ x: warmGates, y: warmPopularity }) : Number.NaN,
    all: spearman({ x: gates, y: popularity }),
  };
}
