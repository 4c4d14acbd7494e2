import { checkFiniteNumber, checkInteger, checkOneOf, InvalidArgumentError } from '@mmrecall/errors';

/** One named dense "multimodal" vector per item (e.g. `image`, `text`). */
export interface VectorSpec {
  /** Name of the vector table in `Dataset.content.vectors`. */
  name: string;
  /** Vector dimension. */
  dim: number;
  /** Standard deviation of the Gaussian noise added to each component (the topic signal has unit variance per component). */
  noise: number;
}

/** Size presets: `tiny` for unit tests, `default` for end-to-end training, `xl` for benchmarks. */
export type SyntheticPreset = 'tiny' | 'small' | 'default' | 'large' | 'xl';

/** How the interactions after the training cut are divided between valid and test. */
export type ValidTestSplit = 'random' | 'user';

/** Options of `generateSyntheticDataset`; every field is optional and falls back to the preset. */
export interface SyntheticDatasetOptions {
  /** Size preset that supplies the defaults of every other field. Default `default`. */
  preset?: SyntheticPreset;
  /** Seed; the same seed and options give byte-identical output. Non-negative safe integer. Default 42. */
  seed?: number;
  /** Name of the data set in reports. Default `synthetic-<preset>`. */
  name?: string;
  /** Number of users. */
  numUsers?: number;
  /** Number of items. */
  numItems?: number;
  /** Number of latent topics. */
  numTopics?: number;
  /** Dimension of the latent topic embeddings. Default 16. */
  latentDim?: number;
  /** Size of the tag vocabulary (must be at least `numTopics` plus the generic tags). */
  numTags?: number;
  /** Share of the tag vocabulary that is generic (not tied to a topic). Default 0.1. */
  genericTagFraction?: number;
  /** Mean number of tags per item (each item gets this number plus -1, 0 or +1). Default 5. */
  tagsPerItem?: number;
  /** Probability that one tag of an item is drawn from the item's topic (else generic or any tag). Default 0.8. */
  topicTagProbability?: number;
  /** Dense vectors per item. Default `image` (dim 32, noise 0.6) and `text` (dim 32, noise 0.9). */
  vectorSpecs?: readonly VectorSpec[];
  /** Weight of the item quality in the content vectors (a fixed direction per vector table). Default 0.5. */
  vectorQualityWeight?: number;
  /** Mean number of exposures (interaction rows, clicked or not) per user. */
  interactionsPerUser?: number;
  /** Log-normal spread of user activity (sigma); 0 gives every user the mean. Default 0.5. */
  activitySpread?: number;
  /** Exponent s of the power-law popularity prior: the item of popularity rank r gets weight (r + 1)^-s. Default 1. */
  popularityExponent?: number;
  /** Standard deviation of the item quality scalar. Default 0.5. */
  qualitySpread?: number;
  /** Share of items that arrive after the training cut ("late" items, cold by construction). Default 0.1. */
  coldItemFraction?: number;
  /** Multiplier of the popularity prior of late items (platforms push new items). Default 2. */
  lateItemBoost?: number;
  /** Share of exposures whose topic is drawn from global popularity instead of the user's interests. Default 0.2. */
  explorationRate?: number;
  /** Share of a user's interest mass spread evenly over all topics. Default 0.1. */
  backgroundInterest?: number;
  /** Click model: scale of the user-topic affinity in the click logit. Default 4. */
  affinityScale?: number;
  /** Click model: weight of the item quality in the click logit. Default 1. */
  qualityWeight?: number;
  /** Click model: bias of the click logit. Default -2.8. */
  clickBias?: number;
  /** Length of the simulated period in days. Default 60. */
  days?: number;
  /** Share of the period before the training cut. Default 0.8. */
  trainFraction?: number;
  /** Start of the period, unix seconds. Default 1767225600 (2026-01-01T00:00:00Z). */
  startTime?: number;
  /** Split of the post-cut interactions: `random` (per row, 50/50) or `user` (per user, 50/50). Default `random`. */
  validTestSplit?: ValidTestSplit;
}

/** Every option resolved to a concrete value. */
export type ResolvedSyntheticOptions = Required<Omit<SyntheticDatasetOptions, 'vectorSpecs'>> & {
  vectorSpecs: readonly VectorSpec[];
};

interface PresetSizes {
  numUsers: number;
  numItems: number;
  numTopics: number;
  numTags: number;
  interactionsPerUser: number;
}

const PRESETS: Record<SyntheticPreset, PresetSizes> = {
  tiny: { numUsers: 300, numItems: 400, numTopics: 8, numTags: 64, interactionsPerUser: 30 },
  small: { numUsers: 1_500, numItems: 1_000, numTopics: 12, numTags: 120, interactionsPerUser: 40 },
  default: { numUsers: 5_000, numItems: 3_000, numTopics: 24, numTags: 240, interactionsPerUser: 40 },
  large: { numUsers: 50_000, numItems: 50_000, numTopics: 48, numTags: 600, interactionsPerUser: 60 },
  xl: { numUsers: 250_000, numItems: 1_000_000, numTopics: 64, numTags: 2_000, interactionsPerUser: 40 },
};

/** The sizes each preset uses (users, items, topics, tags, mean exposures per user). */
export function getPresetSizes(options: {
  /** Preset name. */
  preset: SyntheticPreset;
}): Readonly<PresetSizes> {
  const sizes = PRESETS[options.preset];
  if (sizes === undefined) {
    throw new InvalidArgumentError({
      argument: 'preset',
      message: `unknown preset "${String(options.preset)}", expected one of ${Object.keys(PRESETS).join(', ')}`,
    });
  }
  return { ...sizes };
}

const DEFAULT_VECTORS: readonly VectorSpec[] = [
  { name: 'image', dim: 32, noise: 0.6 },
  { name: 'text', dim: 32, noise: 0.9 },
];

function fail(argument: string, message: string): never {
  throw new InvalidArgumentError({ argument, message });
}

function checkInt(argument: string, value: number, min: number, max?: number): void {
  checkInteger({ argument, value, min, ...(max === undefined ? {} : { max }) });
}

function checkNumber(
  argument: string,
  value: number,
  min: number,
  max: number,
  exclusiveMin = false,
  exclusiveMax = false,
): void {
  checkFiniteNumber({ argument, value, min, max, exclusiveMin, exclusiveMax });
}

/** Fills every option from the preset and validates it; throws InvalidArgumentError on a bad value. */
export function resolveSyntheticOptions(options: SyntheticDatasetOptions = {}): ResolvedSyntheticOptions {
  if (options === null || typeof options !== 'object') fail('options', 'expected an options object');
  const preset = options.preset ?? 'default';
  const sizes = getPresetSizes({ preset });
  const resolved: ResolvedSyntheticOptions = {
    preset,
    seed: options.seed ?? 42,
    name: options.name ?? `synthetic-${preset}`,
    numUsers: options.numUsers ?? sizes.numUsers,
    numItems: options.numItems ?? sizes.numItems,
    numTopics: options.numTopics ?? sizes.numTopics,
    latentDim: options.latentDim ?? 16,
    numTags: options.numTags ?? sizes.numTags,
    genericTagFraction: options.genericTagFraction ?? 0.1,
    tagsPerItem: options.tagsPerItem ?? 5,
    topicTagProbability: options.topicTagProbability ?? 0.8,
    vectorSpecs: (options.vectorSpecs ?? DEFAULT_VECTORS).map((spec) => ({ ...spec })),
    vectorQualityWeight: options.vectorQualityWeight ?? 0.5,
    interactionsPerUser: options.interactionsPerUser ?? sizes.interactionsPerUser,
    activitySpread: options.activitySpread ?? 0.5,
    popularityExponent: options.popularityExponent ?? 1.0,
    qualitySpread: options.qualitySpread ?? 0.5,
    coldItemFraction: options.coldItemFraction ?? 0.1,
    lateItemBoost: options.lateItemBoost ?? 2,
    explorationRate: options.explorationRate ?? 0.2,
    backgroundInterest: options.backgroundInterest ?? 0.1,
    affinityScale: options.affinityScale ?? 4,
    qualityWeight: options.qualityWeight ?? 1,
    clickBias: options.clickBias ?? -2.8,
    days: options.days ?? 60,
    trainFraction: options.trainFraction ?? 0.8,
    startTime: options.startTime ?? 1_767_225_600,
    validTestSplit: options.validTestSplit ?? 'random',
  };
  const r = resolved;
  checkInt('seed', r.seed, 0);
  if (typeof r.name !== 'string' || r.name.length === 0) fail('name', 'expected a non-empty string');
  checkInt('numUsers', r.numUsers, 1, 50_000_000);
  checkInt('numTopics', r.numTopics, 1, 100_000);
  checkInt('numItems', r.numItems, r.numTopics, 100_000_000);
  checkInt('latentDim', r.latentDim, 1, 4096);
  checkNumber('genericTagFraction', r.genericTagFraction, 0, 1, false, true);
  const generic = Math.round(r.numTags * r.genericTagFraction);
  checkInt('numTags', r.numTags, 1, 10_000_000);
  if (r.numTags - generic < r.numTopics) {
    fail(
      'numTags',
      `needs at least numTopics (${r.numTopics}) topic tags besides the ${generic} generic tags, got ${r.numTags}`,
    );
  }
  checkInt('tagsPerItem', r.tagsPerItem, 0, Math.max(0, r.numTags - 1));
  checkNumber('topicTagProbability', r.topicTagProbability, 0, 1);
  if (!Array.isArray(r.vectorSpecs)) fail('vectorSpecs', 'expected an array');
  const names = new Set<string>();
  r.vectorSpecs.forEach((spec, i) => {
    if (spec === null || typeof spec !== 'object') fail(`vectorSpecs[${i}]`, 'expected { name, dim, noise }');
    if (typeof spec.name !== 'string' || spec.name.length === 0)
      fail(`vectorSpecs[${i}].name`, 'expected a non-empty string');
    if (names.has(spec.name)) fail(`vectorSpecs[${i}].name`, `duplicate vector name "${spec.name}"`);
    names.add(spec.name);
    checkInt(`vectorSpecs[${i}].dim`, spec.dim, 1, 65_536);
    checkNumber(`vectorSpecs[${i}].noise`, spec.noise, 0, 1e6);
  });
  checkNumber('vectorQualityWeight', r.vectorQualityWeight, -1e6, 1e6);
  checkNumber('interactionsPerUser', r.interactionsPerUser, 0, 1e6, true);
  checkNumber('activitySpread', r.activitySpread, 0, 5);
  checkNumber('popularityExponent', r.popularityExponent, 0, 10);
  checkNumber('qualitySpread', r.qualitySpread, 0, 100);
  checkNumber('coldItemFraction', r.coldItemFraction, 0, 1, false, true);
  checkNumber('lateItemBoost', r.lateItemBoost, 0, 1e6, true);
  checkNumber('explorationRate', r.explorationRate, 0, 1);
  checkNumber('backgroundInterest', r.backgroundInterest, 0, 1);
  checkNumber('affinityScale', r.affinityScale, 0, 1e3);
  checkNumber('qualityWeight', r.qualityWeight, -1e3, 1e3);
  checkNumber('clickBias', r.clickBias, -1e3, 1e3);
  checkNumber('days', r.days, 0, 100_000, true);
  checkNumber('trainFraction', r.trainFraction, 0, 1, true, true);
  checkNumber('startTime', r.startTime, 0, 1e12);
  checkOneOf({ argument: 'validTestSplit', value: r.validTestSplit, allowed: ['random', 'user'] });
  return resolved;
}
