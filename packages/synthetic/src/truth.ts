import { checkInteger } from '@mmrecall/errors';

/** The hidden generative state behind a synthetic data set, for tests and diagnostics. */
export interface SyntheticTruth {
  /** Number of latent topics. */
  numTopics: number;
  /** Dimension of the topic embeddings. */
  latentDim: number;
  /** Unit-norm topic embeddings, numTopics x latentDim row-major. */
  topicEmbeddings: Float32Array;
  /** Prior share of items per topic (sums to 1). */
  topicWeights: Float32Array;
  /** Interest mixture per user, numUsers x numTopics row-major; each row sums to 1. */
  userTopicMix: Float32Array;
  /** The user's strongest topic (argmax of its mixture row). */
  userTopTopic: Int32Array;
  /** Number of exposures generated for the user over the whole period. */
  userActivity: Int32Array;
  /** Age bucket index per user (profile feature). */
  userAgeBucket: Int32Array;
  /** Region index per user (profile feature). */
  userRegion: Int32Array;
  /** Topic per item. */
  itemTopic: Int32Array;
  /** Quality scalar per item (enters the click logit and, weakly, the vectors). */
  itemQuality: Float32Array;
  /** Popularity prior per item (power law by rank, times the late-item boost); not normalised. */
  itemPopularity: Float32Array;
  /** Arrival time per item, unix seconds; no exposure of the item happens before it. */
  itemArrivalTime: Float64Array;
  /** 1 = the item arrives after the training cut (so it has no training interaction). */
  lateItems: Uint8Array;
  /** Topic of each tag, -1 for generic tags. */
  tagTopic: Int32Array;
  /** Start of the simulated period, unix seconds. */
  startTime: number;
  /** End of the simulated period (exclusive), unix seconds. */
  endTime: number;
  /** Training cut: train rows have `timestamp < trainCutTime`, valid/test rows `>=`. */
  trainCutTime: number;
  /** Click model: scale of the user-topic affinity. */
  affinityScale: number;
  /** Click model: weight of the item quality. */
  qualityWeight: number;
  /** Click model: bias. */
  clickBias: number;
}

/** Writes the latent interest vector of `user` (sum of topic embeddings weighted by its mixture) into `out`. */
export function fillUserLatent(truth: SyntheticTruth, user: number, out: Float64Array): void {
  const { numTopics, latentDim, topicEmbeddings, userTopicMix } = truth;
  out.fill(0);
  const mixBase = user * numTopics;
  for (let k = 0; k < numTopics; k++) {
    const w = userTopicMix[mixBase + k] as number;
    const base = k * latentDim;
    for (let d = 0; d < latentDim; d++)
      out[d] = (out[d] as number) + w * (topicEmbeddings[base + d] as number);
  }
}

/** Dot product of a user latent vector and a topic embedding. */
export function latentTopicDot(truth: SyntheticTruth, latent: Float64Array, topic: number): number {
  const { latentDim, topicEmbeddings } = truth;
  const base = topic * latentDim;
  let s = 0;
  for (let d = 0; d < latentDim; d++) s += (latent[d] as number) * (topicEmbeddings[base + d] as number);
  return s;
}

/** Options of {@link computeTruthAffinity} and {@link computeClickProbability}. */
export interface TruthPairOptions {
  /** The truth returned by `generateSyntheticDataset`. */
  truth: SyntheticTruth;
  /** User index. */
  user: number;
  /** Item index. */
  item: number;
}

function checkPair(options: TruthPairOptions): void {
  const { truth, user, item } = options;
  checkInteger({ argument: 'user', value: user, min: 0, max: truth.userTopTopic.length - 1 });
  checkInteger({ argument: 'item', value: item, min: 0, max: truth.itemTopic.length - 1 });
}

/**
 * The true affinity term of the click logit: `affinityScale * (sum_k mix[user, k] * e_k) . e_topic(item)`.
 */
export function computeTruthAffinity(options: TruthPairOptions): number {
  checkPair(options);
  const { truth, user, item } = options;
  const latent = new Float64Array(truth.latentDim);
  fillUserLatent(truth, user, latent);
  return truth.affinityScale * latentTopicDot(truth, latent, truth.itemTopic[item] as number);
}

/** The true click probability of an exposure: sigmoid(affinity + qualityWeight * quality + clickBias). */
export function computeClickProbability(options: TruthPairOptions): number {
  const affinity = computeTruthAffinity(options);
  const { truth, item } = options;
  const logit = affinity + truth.qualityWeight * (truth.itemQuality[item] as number) + truth.clickBias;
  return 1 / (1 + Math.exp(-logit));
}
