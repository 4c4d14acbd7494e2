import type { Dataset, DatasetSplit, Interactions, MultiHot, VectorTable } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import { createListIdMap, createSequentialIdMap } from './id-map';
import {
  type ResolvedSyntheticOptions,
  resolveSyntheticOptions,
  type SyntheticDatasetOptions,
} from './options';
import { createRandom, deriveSeed, type Random, searchCumulative } from './random';
import { fillUserLatent, latentTopicDot, type SyntheticTruth } from './truth';

/** What `generateSyntheticDataset` returns. */
export interface SyntheticDataset {
  /** The data set: ids, all interactions (train rows, then valid, then test), item content, user features. */
  dataset: Dataset;
  /** Time-based split; its arrays are views into `dataset.interactions` (no copy). */
  split: DatasetSplit;
  /** The hidden generative state (topics, mixtures, quality, arrivals, click model). */
  truth: SyntheticTruth;
  /** The options actually used (preset defaults filled in). */
  options: ResolvedSyntheticOptions;
}

const DAY = 86_400;
const AGE_BUCKETS = ['age:18-24', 'age:25-34', 'age:35-44', 'age:45-54', 'age:55+'];
const NUM_REGIONS = 8;
const DEVICES = ['device:android', 'device:ios', 'device:web'];
/** Share of non-late items present from the start; the rest arrive during the first 90% of training. */
const WARM_AT_START = 0.7;
/** Late items arrive within this share of the post-cut period (so every one can still be seen). */
const LATE_ARRIVAL_SPAN = 0.75;
const DEDUP_ATTEMPTS = 10;
const ARRIVAL_ATTEMPTS = 64;
// Fields of a segment record.
const RECORD = 4;
const ACCEPT = 0;
const ALIAS = 1;
const ARRIVAL = 2;
const LOGIT_BASE = 3;

// Stream ids for deriveSeed: each component draws from its own stream.
const STREAM_TOPICS = 1;
const STREAM_ITEMS = 2;
const STREAM_USERS = 3;
const STREAM_TAGS = 4;
const STREAM_TIMES = 7;
const STREAM_EXPOSURES = 8;
const STREAM_SPLIT = 9;
const STREAM_VECTOR_BASIS = 20;
const STREAM_VECTOR_NOISE = 21;

function cumulate(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i] as number;
    out[i] = s;
  }
  return out;
}

function pick(cumulative: Float64Array, random: Random): number {
  const total = cumulative[cumulative.length - 1] as number;
  return searchCumulative(cumulative, random.next() * total, 0, cumulative.length);
}

/** Writes n sorted uniform times in [0, period) into out[0..n), as whole seconds. */
function fillSortedTimes(random: Random, n: number, period: number, out: Float64Array): void {
  let s = 0;
  for (let j = 0; j < n; j++) {
    s += random.exponential();
    out[j] = s;
  }
  s += random.exponential();
  for (let j = 0; j < n; j++) out[j] = Math.min(period - 1, Math.floor(((out[j] as number) / s) * period));
}

/**
 * Generates the synthetic content platform: users with sparse topic interests, items with a topic,
 * quality, tags, multimodal vectors and a power-law popularity, and exposures/clicks over a simulated
 * period, split in time. Deterministic: the same options give byte-identical arrays.
 */
export function generateSyntheticDataset(options: SyntheticDatasetOptions = {}): SyntheticDataset {
  const o = resolveSyntheticOptions(options);
  const { seed, numUsers, numItems, numTopics, latentDim } = o;
  const period = Math.max(2, Math.round(o.days * DAY));
  const cut = Math.min(period - 1, Math.max(1, Math.round(o.trainFraction * period)));

  // ---- topics ----
  const topicRandom = createRandom(deriveSeed(seed, STREAM_TOPICS));
  const topicEmbeddings = new Float32Array(numTopics * latentDim);
  const topicWeightsRaw = new Float64Array(numTopics);
  const topicAge = new Int32Array(numTopics);
  const topicRegion = new Int32Array(numTopics);
  for (let k = 0; k < numTopics; k++) {
    let norm = 0;
    const row = new Float64Array(latentDim);
    for (let d = 0; d < latentDim; d++) {
      const v = topicRandom.normal();
      row[d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < latentDim; d++) topicEmbeddings[k * latentDim + d] = (row[d] as number) / norm;
    topicWeightsRaw[k] = 0.5 + topicRandom.exponential();
    topicAge[k] = topicRandom.int(AGE_BUCKETS.length);
    topicRegion[k] = topicRandom.int(NUM_REGIONS);
  }
  const topicCumulative = cumulate(topicWeightsRaw);
  const topicWeights = new Float32Array(numTopics);
  const topicWeightTotal = topicCumulative[numTopics - 1] as number;
  for (let k = 0; k < numTopics; k++) topicWeights[k] = (topicWeightsRaw[k] as number) / topicWeightTotal;

  // ---- items: topic, quality, lateness, arrival, popularity ----
  const itemRandom = createRandom(deriveSeed(seed, STREAM_ITEMS));
  const itemTopic = new Int32Array(numItems);
  const itemQuality = new Float32Array(numItems);
  const lateItems = new Uint8Array(numItems);
  const arrival = new Float64Array(numItems); // relative seconds
  const popularityKey = new Float64Array(numItems);
  const lateSpan = Math.max(1, Math.floor(LATE_ARRIVAL_SPAN * (period - cut)));
  const warmSpan = Math.max(1, Math.floor(0.9 * cut));
  for (let i = 0; i < numItems; i++) {
    // The first numTopics items guarantee every topic has an item present from the start.
    const forced = i < numTopics;
    itemTopic[i] = forced ? i : pick(topicCumulative, itemRandom);
    const quality = o.qualitySpread * itemRandom.normal();
    itemQuality[i] = quality;
    const late = !forced && itemRandom.next() < o.coldItemFraction;
    const uArrival = itemRandom.next();
    const uWarm = itemRandom.next();
    if (late) {
      lateItems[i] = 1;
      arrival[i] = cut + Math.floor(uArrival * lateSpan);
    } else if (forced || uWarm < WARM_AT_START) {
      arrival[i] = 0;
    } else {
      arrival[i] = Math.floor(uArrival * warmSpan);
    }
    // Popularity rank is mildly correlated with quality.
    popularityKey[i] = (o.qualitySpread > 0 ? (0.5 * quality) / o.qualitySpread : 0) + itemRandom.normal();
  }
  const byKey = new Int32Array(numItems);
  for (let i = 0; i < numItems; i++) byKey[i] = i;
  byKey.sort((a, b) => (popularityKey[b] as number) - (popularityKey[a] as number) || a - b);
  // Ranks are stratified: late and other items are ranked within their own group and spread evenly
  // over the global rank range, so the late items' share of popularity does not hinge on whether a
  // few of them happen to draw top ranks.
  let lateCount = 0;
  for (let i = 0; i < numItems; i++) lateCount += lateItems[i] as number;
  const lateStride = lateCount > 0 ? numItems / lateCount : 0;
  const warmStride = numItems - lateCount > 0 ? numItems / (numItems - lateCount) : 0;
  const itemPopularity = new Float32Array(numItems);
  let lateRank = 0;
  let warmRank = 0;
  for (let r = 0; r < numItems; r++) {
    const i = byKey[r] as number;
    const late = lateItems[i] === 1;
    const rank = late ? lateStride * lateRank++ : warmStride * warmRank++;
    itemPopularity[i] = (rank + 1) ** -o.popularityExponent * (late ? o.lateItemBoost : 1);
  }

  // Items grouped by topic in descending popularity, with cumulative popularity inside each topic:
  // a draw lands near the head of its segment, so a galloping search touches few cache lines.
  const topicStart = new Int32Array(numTopics + 1);
  for (let i = 0; i < numItems; i++) {
    const k = (itemTopic[i] as number) + 1;
    topicStart[k] = (topicStart[k] as number) + 1;
  }
  for (let k = 0; k < numTopics; k++)
    topicStart[k + 1] = (topicStart[k + 1] as number) + (topicStart[k] as number);
  const segmentItems = new Int32Array(numItems);
  const fillPos = topicStart.slice(0, numTopics);
  for (let r = 0; r < numItems; r++) {
    const i = byKey[r] as number;
    const k = itemTopic[i] as number;
    segmentItems[fillPos[k] as number] = i;
    fillPos[k] = (fillPos[k] as number) + 1;
  }
  // One record per segment position: Walker alias table (accept probability, alias position) for
  // O(1) popularity draws inside a topic, plus the arrival time and click-logit base, interleaved so
  // a draw touches one or two cache lines.
  const segmentTable = new Float64Array(numItems * RECORD);
  const topicPopularity = new Float64Array(numTopics);
  const small = new Int32Array(numItems);
  const large = new Int32Array(numItems);
  for (let k = 0; k < numTopics; k++) {
    const a = topicStart[k] as number;
    const b = topicStart[k + 1] as number;
    let total = 0;
    for (let j = a; j < b; j++) {
      const i = segmentItems[j] as number;
      total += itemPopularity[i] as number;
      segmentTable[j * RECORD + ARRIVAL] = arrival[i] as number;
      segmentTable[j * RECORD + LOGIT_BASE] = o.qualityWeight * (itemQuality[i] as number) + o.clickBias;
    }
    topicPopularity[k] = total;
    buildAliasTable(segmentTable, segmentItems, itemPopularity, a, b, total, small, large);
  }
  const topicPopularityCumulative = cumulate(topicPopularity);

  // ---- tags ----
  const tags = generateTags(o, itemTopic);

  // ---- vectors ----
  const vectors: Record<string, VectorTable> = {};
  o.vectorSpecs.forEach((spec, specIndex) => {
    vectors[spec.name] = {
      dim: spec.dim,
      data: generateItemVectorTable({
        seed,
        specIndex,
        dim: spec.dim,
        noise: spec.noise,
        qualityWeight: o.vectorQualityWeight,
        topicEmbeddings,
        numTopics,
        latentDim,
        itemTopic,
        itemQuality,
      }),
    };
  });

  // ---- users ----
  const userRandom = createRandom(deriveSeed(seed, STREAM_USERS));
  const userTopicMix = new Float32Array(numUsers * numTopics);
  const userTopTopic = new Int32Array(numUsers);
  const userActivity = new Int32Array(numUsers);
  const userAgeBucket = new Int32Array(numUsers);
  const userRegion = new Int32Array(numUsers);
  const userDevice = new Int32Array(numUsers);
  const dominantTopics = new Int32Array(3);
  const dominantWeights = new Float64Array(3);
  const background = o.backgroundInterest / numTopics;
  const maxActivity = Math.max(1, Math.min(numItems, Math.ceil(20 * o.interactionsPerUser)));
  let totalRows = 0;
  for (let u = 0; u < numUsers; u++) {
    const r = userRandom.next();
    const want = Math.min(numTopics, r < 0.35 ? 1 : r < 0.75 ? 2 : 3);
    let count = 0;
    let weightSum = 0;
    for (let attempt = 0; count < want && attempt < 50; attempt++) {
      const k = pick(topicCumulative, userRandom);
      let duplicate = false;
      for (let c = 0; c < count; c++) if (dominantTopics[c] === k) duplicate = true;
      if (duplicate) continue;
      dominantTopics[count] = k;
      const w = 0.3 + userRandom.exponential();
      dominantWeights[count] = w;
      weightSum += w;
      count++;
    }
    const base = u * numTopics;
    for (let k = 0; k < numTopics; k++) userTopicMix[base + k] = background;
    for (let c = 0; c < count; c++) {
      const k = dominantTopics[c] as number;
      userTopicMix[base + k] =
        background + ((1 - o.backgroundInterest) * (dominantWeights[c] as number)) / weightSum;
    }
    let top = 0;
    for (let k = 1; k < numTopics; k++)
      if ((userTopicMix[base + k] as number) > (userTopicMix[base + top] as number)) top = k;
    userTopTopic[u] = top;
    const sigma = o.activitySpread;
    const activity = Math.round(
      o.interactionsPerUser * Math.exp(sigma * userRandom.normal() - (sigma * sigma) / 2),
    );
    userActivity[u] = Math.max(1, Math.min(maxActivity, activity));
    totalRows += userActivity[u] as number;
    // Profile features, weakly tied to the strongest interest.
    userAgeBucket[u] =
      userRandom.next() < 0.5 ? (topicAge[top] as number) : userRandom.int(AGE_BUCKETS.length);
    userRegion[u] = userRandom.next() < 0.3 ? (topicRegion[top] as number) : userRandom.int(NUM_REGIONS);
    userDevice[u] = userRandom.int(DEVICES.length);
  }
  if (totalRows > 2 ** 31 - 1) {
    throw new InvalidArgumentError({
      argument: 'interactionsPerUser',
      message: `numUsers x interactionsPerUser gives ${totalRows} rows, more than an Int32Array index can address`,
    });
  }

  const truth: SyntheticTruth = {
    numTopics,
    latentDim,
    topicEmbeddings,
    topicWeights,
    userTopicMix,
    userTopTopic,
    userActivity,
    userAgeBucket,
    userRegion,
    itemTopic,
    itemQuality,
    itemPopularity,
    itemArrivalTime: arrival.map((t) => o.startTime + t),
    lateItems,
    tagTopic: tags.tagTopic,
    startTime: o.startTime,
    endTime: o.startTime + period,
    trainCutTime: o.startTime + cut,
    affinityScale: o.affinityScale,
    qualityWeight: o.qualityWeight,
    clickBias: o.clickBias,
  };

  // ---- interactions, pass 1: count rows per part (train / valid / test) ----
  const times = new Float64Array(maxActivity);
  const byUser = o.validTestSplit === 'user';
  let trainRows = 0;
  let validRows = 0;
  for (let u = 0; u < numUsers; u++) {
    const n = userActivity[u] as number;
    fillSortedTimes(createRandom(deriveSeed(seed, STREAM_TIMES, u)), n, period, times);
    const splitRandom = createRandom(deriveSeed(seed, STREAM_SPLIT, u));
    const userValid = splitRandom.next() < 0.5;
    for (let j = 0; j < n; j++) {
      if ((times[j] as number) < cut) trainRows++;
      else if (byUser ? userValid : splitRandom.next() < 0.5) validRows++;
    }
  }

  // ---- pass 2: generate exposures and clicks straight into their final position ----
  const users = new Int32Array(totalRows);
  const items = new Int32Array(totalRows);
  const timestamps = new Float64Array(totalRows);
  const clicks = new Uint8Array(totalRows);
  const seenBy = new Int32Array(numItems).fill(-1);
  const userTopicCumulative = new Float64Array(numTopics);
  const latent = new Float64Array(latentDim);
  let trainPos = 0;
  let validPos = trainRows;
  let testPos = trainRows + validRows;
  for (let u = 0; u < numUsers; u++) {
    const n = userActivity[u] as number;
    fillSortedTimes(createRandom(deriveSeed(seed, STREAM_TIMES, u)), n, period, times);
    const splitRandom = createRandom(deriveSeed(seed, STREAM_SPLIT, u));
    const userValid = splitRandom.next() < 0.5;
    const random = createRandom(deriveSeed(seed, STREAM_EXPOSURES, u));
    let s = 0;
    for (let k = 0; k < numTopics; k++) {
      s += userTopicMix[u * numTopics + k] as number;
      userTopicCumulative[k] = s;
    }
    fillUserLatent(truth, u, latent);
    for (let j = 0; j < n; j++) {
      const t = times[j] as number;
      let position = -1;
      let topic = 0;
      for (let attempt = 0; attempt < DEDUP_ATTEMPTS; attempt++) {
        topic =
          random.next() < o.explorationRate
            ? pick(topicPopularityCumulative, random)
            : pick(userTopicCumulative, random);
        position = pickArrivedPosition(topicStart, segmentTable, topic, t, random);
        if (seenBy[position] !== u) break;
      }
      seenBy[position] = u;
      const item = segmentItems[position] as number;
      const logit =
        o.affinityScale * latentTopicDot(truth, latent, topic) +
        (segmentTable[position * RECORD + LOGIT_BASE] as number);
      const clicked = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      let pos: number;
      if (t < cut) pos = trainPos++;
      else if (byUser ? userValid : splitRandom.next() < 0.5) pos = validPos++;
      else pos = testPos++;
      users[pos] = u;
      items[pos] = item;
      timestamps[pos] = o.startTime + t;
      clicks[pos] = clicked;
    }
  }

  const interactions: Interactions = { users, items, timestamps, clicks };
  const part = (from: number, to: number): Interactions => ({
    users: users.subarray(from, to),
    items: items.subarray(from, to),
    timestamps: timestamps.subarray(from, to),
    clicks: clicks.subarray(from, to),
  });
  const coldItems = new Uint8Array(numItems).fill(1);
  for (let r = 0; r < trainRows; r++) if (clicks[r] === 1) coldItems[items[r] as number] = 0;

  const featureIds = [...AGE_BUCKETS];
  for (let g = 0; g < NUM_REGIONS; g++) featureIds.push(`region:${String(g + 1).padStart(2, '0')}`);
  featureIds.push(...DEVICES);
  const featureOffsets = new Int32Array(numUsers + 1);
  const featureValues = new Int32Array(numUsers * 3);
  for (let u = 0; u < numUsers; u++) {
    featureOffsets[u + 1] = 3 * (u + 1);
    featureValues[3 * u] = userAgeBucket[u] as number;
    featureValues[3 * u + 1] = AGE_BUCKETS.length + (userRegion[u] as number);
    featureValues[3 * u + 2] = AGE_BUCKETS.length + NUM_REGIONS + (userDevice[u] as number);
  }
  const userFeatures: MultiHot = {
    vocabulary: createListIdMap({ ids: featureIds }),
    offsets: featureOffsets,
    values: featureValues,
  };

  const dataset: Dataset = {
    name: o.name,
    users: createSequentialIdMap({ prefix: 'u', size: numUsers }),
    items: createSequentialIdMap({ prefix: 'i', size: numItems }),
    interactions,
    content: { tags: tags.multiHot, vectors },
    userFeatures,
  };
  const split: DatasetSplit = {
    train: part(0, trainRows),
    valid: part(trainRows, trainRows + validRows),
    test: part(trainRows + validRows, totalRows),
    coldItems,
  };
  return { dataset, split, truth, options: o };
}

/** Walker's alias method over positions [a, b) with weights itemPopularity[segmentItems[j]]. */
function buildAliasTable(
  table: Float64Array,
  segmentItems: Int32Array,
  itemPopularity: Float32Array,
  a: number,
  b: number,
  total: number,
  small: Int32Array,
  large: Int32Array,
): void {
  const n = b - a;
  let smallCount = 0;
  let largeCount = 0;
  for (let j = a; j < b; j++) {
    const scaled = ((itemPopularity[segmentItems[j] as number] as number) * n) / total;
    table[j * RECORD + ACCEPT] = scaled;
    table[j * RECORD + ALIAS] = j;
    if (scaled < 1) small[smallCount++] = j;
    else large[largeCount++] = j;
  }
  while (smallCount > 0 && largeCount > 0) {
    const lessPosition = small[--smallCount] as number;
    const morePosition = large[largeCount - 1] as number;
    table[lessPosition * RECORD + ALIAS] = morePosition;
    const rest =
      (table[morePosition * RECORD + ACCEPT] as number) -
      (1 - (table[lessPosition * RECORD + ACCEPT] as number));
    table[morePosition * RECORD + ACCEPT] = rest;
    if (rest < 1) {
      largeCount--;
      small[smallCount++] = morePosition;
    }
  }
  // Leftovers (rounding) keep their own position.
  while (largeCount > 0) table[(large[--largeCount] as number) * RECORD + ACCEPT] = 1;
  while (smallCount > 0) table[(small[--smallCount] as number) * RECORD + ACCEPT] = 1;
}

/**
 * Draws a segment position of `topic` by popularity among the items that have arrived by time `t`:
 * draw from the whole topic (alias table) and reject items not yet there, which gives exactly the
 * restricted distribution. After many rejections, falls back to the most popular arrived item of
 * the topic (the topic's anchor item arrives at 0, so there is one).
 */
function pickArrivedPosition(
  topicStart: Int32Array,
  table: Float64Array,
  topic: number,
  t: number,
  random: Random,
): number {
  const a = topicStart[topic] as number;
  const n = (topicStart[topic + 1] as number) - a;
  for (let attempt = 0; attempt < ARRIVAL_ATTEMPTS; attempt++) {
    let position = a + Math.floor(random.next() * n);
    if (random.next() >= (table[position * RECORD + ACCEPT] as number))
      position = table[position * RECORD + ALIAS] as number;
    if ((table[position * RECORD + ARRIVAL] as number) <= t) return position;
  }
  let position = a;
  while ((table[position * RECORD + ARRIVAL] as number) > t) position++;
  return position;
}

function generateTags(
  o: ResolvedSyntheticOptions,
  itemTopic: Int32Array,
): { multiHot: MultiHot; tagTopic: Int32Array } {
  const { numTags, numTopics, numItems, seed } = o;
  const numGeneric = Math.round(numTags * o.genericTagFraction);
  const tagTopic = new Int32Array(numTags);
  for (let g = 0; g < numTags; g++) tagTopic[g] = g < numGeneric ? -1 : (g - numGeneric) % numTopics;
  // Tags of each topic, with a Zipf (1 / rank) weight inside the topic.
  const topicTagStart = new Int32Array(numTopics + 1);
  for (let g = numGeneric; g < numTags; g++) {
    const k = (tagTopic[g] as number) + 1;
    topicTagStart[k] = (topicTagStart[k] as number) + 1;
  }
  for (let k = 0; k < numTopics; k++)
    topicTagStart[k + 1] = (topicTagStart[k + 1] as number) + (topicTagStart[k] as number);
  const topicTags = new Int32Array(numTags - numGeneric);
  const topicTagCumulative = new Float64Array(numTags - numGeneric);
  const fill = topicTagStart.slice(0, numTopics);
  for (let g = numGeneric; g < numTags; g++) {
    const k = tagTopic[g] as number;
    const j = fill[k] as number;
    topicTags[j] = g;
    const rank = j - (topicTagStart[k] as number);
    topicTagCumulative[j] = (rank === 0 ? 0 : (topicTagCumulative[j - 1] as number)) + 1 / (rank + 1);
    fill[k] = j + 1;
  }
  const random = createRandom(deriveSeed(seed, STREAM_TAGS));
  const maxPerItem = Math.min(numTags, o.tagsPerItem + 1);
  const offsets = new Int32Array(numItems + 1);
  const buffer = new Int32Array(numItems * maxPerItem);
  const row = new Int32Array(maxPerItem);
  let pos = 0;
  for (let i = 0; i < numItems; i++) {
    const want =
      o.tagsPerItem === 0 ? 0 : Math.max(1, Math.min(maxPerItem, o.tagsPerItem + random.int(3) - 1));
    const k = itemTopic[i] as number;
    const a = topicTagStart[k] as number;
    const b = topicTagStart[k + 1] as number;
    let count = 0;
    for (let attempt = 0; count < want && attempt < want * DEDUP_ATTEMPTS; attempt++) {
      let tag: number;
      if (random.next() < o.topicTagProbability) {
        const x = random.next() * (topicTagCumulative[b - 1] as number);
        tag = topicTags[searchCumulative(topicTagCumulative, x, a, b)] as number;
      } else {
        tag = numGeneric > 0 ? random.int(numGeneric) : random.int(numTags);
      }
      let duplicate = false;
      for (let c = 0; c < count; c++) if (row[c] === tag) duplicate = true;
      if (!duplicate) row[count++] = tag;
    }
    const sorted = row.subarray(0, count).sort();
    buffer.set(sorted, pos);
    pos += count;
    offsets[i + 1] = pos;
  }
  return {
    multiHot: {
      vocabulary: createSequentialIdMap({ prefix: 'tag-', size: numTags }),
      offsets,
      values: buffer.slice(0, pos),
    },
    tagTopic,
  };
}

interface ItemVectorTableOptions {
  seed: number;
  specIndex: number;
  dim: number;
  noise: number;
  qualityWeight: number;
  topicEmbeddings: Float32Array;
  numTopics: number;
  latentDim: number;
  itemTopic: Int32Array;
  itemQuality: Float32Array;
}

/** Row i = P e_topic(i) + qualityWeight * quality_i * q + noise * N(0, I), P and q fixed per table. */
function generateItemVectorTable(options: ItemVectorTableOptions): Float32Array {
  const {
    seed,
    specIndex,
    dim,
    noise,
    qualityWeight,
    topicEmbeddings,
    numTopics,
    latentDim,
    itemTopic,
    itemQuality,
  } = options;
  const basisRandom = createRandom(deriveSeed(seed, STREAM_VECTOR_BASIS, specIndex));
  const projection = new Float64Array(dim * latentDim);
  for (let j = 0; j < projection.length; j++) projection[j] = basisRandom.normal();
  const qualityDirection = new Float64Array(dim);
  for (let j = 0; j < dim; j++) qualityDirection[j] = basisRandom.normal();
  const topicMeans = new Float64Array(numTopics * dim);
  for (let k = 0; k < numTopics; k++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let d = 0; d < latentDim; d++)
        s += (projection[j * latentDim + d] as number) * (topicEmbeddings[k * latentDim + d] as number);
      topicMeans[k * dim + j] = s;
    }
  }
  const noiseRandom = createRandom(deriveSeed(seed, STREAM_VECTOR_NOISE, specIndex));
  const numItems = itemTopic.length;
  const data = new Float32Array(numItems * dim);
  for (let i = 0; i < numItems; i++) {
    const base = (itemTopic[i] as number) * dim;
    const q = qualityWeight * (itemQuality[i] as number);
    const out = i * dim;
    for (let j = 0; j < dim; j++) {
      data[out + j] =
        (topicMeans[base + j] as number) + q * (qualityDirection[j] as number) + noise * noiseRandom.normal();
    }
  }
  return data;
}
