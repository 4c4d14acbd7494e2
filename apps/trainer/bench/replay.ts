// Replay benchmark: incremental updates against full retrains on a time line.
//   node dist-bench/replay.js [--data synthetic|movielens] [--preset small] [--windows 5] [--epochs 3]
//     [--replay-ratio 1] [--pass 1]
// The time line (synthetic: the generator's items arriving day by day; movielens: ml-100k's ratings
// by timestamp, every rating a positive, an item arriving with its first rating and a user with
// theirs) is cut into a base period and windows of --window-days. Users and items first seen in a
// window join the maps at its end (the update grows its tables for them). After each window, arm "update" runs updateModel from the previous model
// on the window's interactions (plus replayed older clicks); arm "retrain" trains a fresh model on
// everything so far with the same settings. Both are scored on the next window: Recall@20 over
// all / warm / cold held-out items, and over the items that arrived in the window and got clicks
// there ("arrived"). 10% of the rows of every period are held out as `valid` (model selection of
// the retrain; the settings of the update are chosen on it), and neither arm trains on them.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createIdMap, type Dataset, type Interactions, loadMovieLens100k } from '@mmrecall/data';
import { readArtifacts } from '@mmrecall/model';
import { createRandom, mixSeed } from '@mmrecall/random';
import { selectBackend } from '@mmrecall/runtime';
import { generateSyntheticDataset, type SyntheticPreset } from '@mmrecall/synthetic';
import {
  evaluateEmbeddings,
  gatherRows,
  positivesByUser,
  prepareTrainingData,
  selectQueries,
  type TrainingData,
  trainAndSave,
  updateModel,
} from '@mmrecall/training';

const DAY = 86_400;
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'synthetic' },
    'data-path': { type: 'string', default: '../shared/data/ml-100k' },
    preset: { type: 'string', default: 'small' },
    windows: { type: 'string', default: '5' },
    'base-days': { type: 'string' },
    'window-days': { type: 'string' },
    epochs: { type: 'string', default: '3' },
    'replay-ratio': { type: 'string', default: '1' },
    pass: { type: 'string', default: '1' },
    'statistics-decay': { type: 'string', default: '1' },
    split: { type: 'string', default: 'test' },
    arms: { type: 'string', default: 'update,retrain' },
  },
});
const source = values.data as string;
if (source !== 'synthetic' && source !== 'movielens')
  throw new Error(`--data: expected synthetic or movielens, got ${source}`);
const preset = values.preset as SyntheticPreset;
const windows = Number(values.windows);
// ml-100k spans 215 days: a base of 120 days (606 of 943 users, 1,513 of 1,682 items) and windows of
// 15 days leave the sixth window after the base as the fifth update's test window.
const baseDays = Number(values['base-days'] ?? (source === 'synthetic' ? 30 : 120));
const windowDays = Number(values['window-days'] ?? (source === 'synthetic' ? 5 : 15));
const epochs = Number(values.epochs);
const replayRatio = Number(values['replay-ratio']);
const passes = Number(values.pass);
const statisticsDecay = Number(values['statistics-decay']);
const scoreOn = values.split as 'test' | 'valid';
const arms = new Set((values.arms as string).split(','));
const K = 20;
const SEED = 7;
const model = { kind: 'gated-additive' as const };
const fitOptions = {
  epochs,
  batchSize: 256,
  seed: SEED,
  earlyStopping: { patience: 0 },
  validation: { maxQueries: 300 },
};

await selectBackend({ backend: 'auto', log: (line) => console.error(line) });

/** The whole time line: every interaction (with a click column) and the time each item arrives. */
async function loadTimeline(): Promise<{ name: string; raw: Dataset; itemArrival: ArrayLike<number> }> {
  if (source === 'synthetic') {
    const { dataset, truth } = generateSyntheticDataset({ preset, seed: 42 });
    return { name: `synthetic-${preset}`, raw: dataset, itemArrival: truth.itemArrivalTime };
  }
  const { dataset } = await loadMovieLens100k({ dir: values['data-path'] as string });
  const { interactions } = dataset;
  // Every rating is a positive (as the trainer's movielens source); an item arrives with its first.
  const itemArrival = new Float64Array(dataset.items.size).fill(Number.POSITIVE_INFINITY);
  for (let r = 0; r < interactions.items.length; r++) {
    const item = interactions.items[r] as number;
    itemArrival[item] = Math.min(itemArrival[item] as number, interactions.timestamps![r] as number);
  }
  const clicks = interactions.clicks ?? new Uint8Array(interactions.items.length).fill(1);
  return { name: 'ml-100k', raw: { ...dataset, interactions: { ...interactions, clicks } }, itemArrival };
}
const { name, raw, itemArrival } = await loadTimeline();

// Re-index items by arrival time and users by first interaction, so that the ids known at any time
// are a prefix of the maps (what a model trained then has) and later ids are appended.
const rowsByTime = Array.from(raw.interactions.users, (_, r) => r).sort(
  (a, b) =>
    (raw.interactions.timestamps![a] as number) - (raw.interactions.timestamps![b] as number) || a - b,
);
const itemOrder = Array.from(raw.items.ids, (_, i) => i).sort(
  (a, b) => (itemArrival[a] as number) - (itemArrival[b] as number) || a - b,
);
const firstTime = new Float64Array(raw.users.size).fill(Number.POSITIVE_INFINITY);
for (const r of rowsByTime) {
  const u = raw.interactions.users[r] as number;
  firstTime[u] = Math.min(firstTime[u] as number, raw.interactions.timestamps![r] as number);
}
const userOrder = Array.from(raw.users.ids, (_, u) => u).sort(
  (a, b) => (firstTime[a] as number) - (firstTime[b] as number) || a - b,
);
const itemRank = new Int32Array(raw.items.size);
itemOrder.forEach((item, rank) => {
  itemRank[item] = rank;
});
const userRank = new Int32Array(raw.users.size);
userOrder.forEach((user, rank) => {
  userRank[user] = rank;
});
const arrival = Float64Array.from(itemOrder, (i) => itemArrival[i] as number);
const firstSeenUser = Float64Array.from(userOrder, (u) => firstTime[u] as number);
const time = Float64Array.from(rowsByTime, (r) => raw.interactions.timestamps![r] as number);
const all: Interactions = {
  users: Int32Array.from(rowsByTime, (r) => userRank[raw.interactions.users[r] as number] as number),
  items: Int32Array.from(rowsByTime, (r) => itemRank[raw.interactions.items[r] as number] as number),
  timestamps: time,
  clicks: Uint8Array.from(rowsByTime, (r) => raw.interactions.clicks![r] as number),
};
const validRow = Uint8Array.from(time, (_, r) => (createRandom(mixSeed(99, r))() < 0.1 ? 1 : 0));
const start = time[0] as number;
const cut = (w: number) => start + (baseDays + w * windowDays) * DAY;

function rows(filter: (r: number) => boolean): Interactions {
  const picked: number[] = [];
  for (let r = 0; r < time.length; r++) if (filter(r)) picked.push(r);
  const take = <T extends Int32Array | Float64Array | Uint8Array>(column: T) =>
    new (column.constructor as new (values: number[]) => T)(picked.map((r) => column[r] as number));
  return {
    users: take(all.users),
    items: take(all.items),
    timestamps: take(all.timestamps!),
    clicks: take(all.clicks!),
  };
}
const count = (values: Float64Array, before: number) => values.filter((v) => v < before).length;

/** The data set as known at time `t`: the users and items seen or arrived by then. */
function datasetAt(t: number, interactions: Interactions): Dataset {
  const numItems = count(arrival, t);
  const numUsers = count(firstSeenUser, t);
  const vectors: Dataset['content']['vectors'] = {};
  for (const [name, table] of Object.entries(raw.content.vectors)) {
    const data = new Float32Array(numItems * table.dim);
    for (let i = 0; i < numItems; i++)
      data.set(
        table.data.subarray((itemOrder[i] as number) * table.dim, ((itemOrder[i] as number) + 1) * table.dim),
        i * table.dim,
      );
    vectors[name] = { dim: table.dim, data };
  }
  const csr = (source: { offsets: Int32Array; values: Int32Array }, order: number[], n: number) => {
    const offsets = new Int32Array(n + 1);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const from = order[i] as number;
      for (let j = source.offsets[from] as number; j < (source.offsets[from + 1] as number); j++)
        out.push(source.values[j] as number);
      offsets[i + 1] = out.length;
    }
    return { offsets, values: Int32Array.from(out) };
  };
  const { tags } = raw.content;
  const profile = raw.userFeatures;
  return {
    name,
    users: createIdMap({ ids: userOrder.slice(0, numUsers).map((u) => raw.users.ids[u] as string) }),
    items: createIdMap({ ids: itemOrder.slice(0, numItems).map((i) => raw.items.ids[i] as string) }),
    interactions,
    content: {
      ...(tags ? { tags: { vocabulary: tags.vocabulary, ...csr(tags, itemOrder, numItems) } } : {}),
      vectors,
    },
    ...(profile
      ? { userFeatures: { vocabulary: profile.vocabulary, ...csr(profile, userOrder, numUsers) } }
      : {}),
  };
}

/** Training data at cut `w`: train rows before it, valid rows of its last window, test rows of the next. */
function dataAt(w: number): TrainingData {
  const t = cut(w);
  const dataset = datasetAt(
    t,
    rows((r) => (time[r] as number) < t && validRow[r] === 0),
  );
  const { users, items } = dataset;
  const known = (r: number) => (all.users[r] as number) < users.size && (all.items[r] as number) < items.size;
  const train = dataset.interactions;
  const coldItems = new Uint8Array(items.size).fill(1);
  for (let r = 0; r < train.items.length; r++)
    if (train.clicks![r] === 1) coldItems[train.items[r] as number] = 0;
  return prepareTrainingData({
    dataset,
    split: {
      train,
      valid: rows(
        (r) => validRow[r] === 1 && (time[r] as number) >= t - windowDays * DAY && (time[r] as number) < t,
      ),
      test: rows((r) => (time[r] as number) >= t && (time[r] as number) < t + windowDays * DAY && known(r)),
      coldItems,
    },
  });
}

/** Recall@K of an artifacts folder on the held-out rows: all / warm / cold items, and the `arrived` items. */
async function score(dir: string, data: TrainingData, arrived: Uint8Array, heldOut: Interactions) {
  const artifacts = await readArtifacts({ dir, verifyIndex: false });
  try {
    const trainPositives = positivesByUser({ interactions: data.split.train, numUsers: data.numUsers });
    const selected = selectQueries({
      heldOut,
      numUsers: data.numUsers,
      trainPositives,
      needTrigger: false,
      maxQueries: 0,
      seed: SEED,
    });
    const queries = gatherRows(
      artifacts.userEmbeddings!,
      artifacts.model.queryDim,
      selected.users,
      data.numUsers,
    );
    const run = (coldItems: Uint8Array) =>
      evaluateEmbeddings({
        queries,
        selected,
        itemEmbeddings: artifacts.itemEmbeddings,
        dim: artifacts.model.itemDim,
        data: { ...data, split: { ...data.split, coldItems } },
        trainPositives,
        k: K,
        cutoffs: [K],
      }).metrics.cutoffs[K]!;
    const main = run(data.split.coldItems);
    // "warm" of a run whose warm items are exactly the arrived-and-clicked ones.
    const onArrived = run(Uint8Array.from(arrived, (a) => 1 - a));
    const arrivedWarm = Array.from(arrived).filter(
      (a, i) => a === 1 && artifacts.itemMeta.warm[i] === 1,
    ).length;
    return {
      all: main.all.recall,
      warm: main.warm.recall,
      cold: main.cold.recall,
      arrived: onArrived.warm.recall,
      arrivedWarm,
      users: selected.users.length,
    };
  } finally {
    artifacts.dispose();
  }
}

const root = await mkdtemp(join(tmpdir(), 'mmrecall-replay-'));
const line = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);
console.log(
  `${name}, ${model.kind}, base ${baseDays} days + ${windows} windows of ${windowDays} days; epochs ${epochs} (retrain), update: ${passes} pass(es) over new + ${replayRatio}x replayed clicks, statistics decay ${statisticsDecay}; scored on ${scoreOn}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const baseStart = performance.now();
const base = await trainAndSave({
  data: dataAt(0),
  model,
  options: fitOptions,
  test: { maxQueries: 1 },
  output: join(root, 'base'),
});
console.error(
  `base: ${((performance.now() - baseStart) / 1000).toFixed(1)}s, ${base.training.history.length} epochs`,
);
line([
  'window',
  'new users',
  'new items',
  'arrived+clicked',
  'held-out users',
  'arm',
  'wall s',
  'Recall@20 all',
  'warm',
  'cold',
  'arrived',
  'arrived served by ID',
]);
line(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---']);
let previous = join(root, 'base');
for (let w = 1; w <= windows; w++) {
  const data = dataAt(w);
  const before = cut(w - 1);
  const knownBefore = count(arrival, before);
  const windowRows = rows(
    (r) => (time[r] as number) >= before && (time[r] as number) < cut(w) && validRow[r] === 0,
  );
  const history = rows((r) => (time[r] as number) < before && validRow[r] === 0);
  const arrived = new Uint8Array(data.numItems);
  for (let r = 0; r < windowRows.items.length; r++) {
    const item = windowRows.items[r] as number;
    if (item >= knownBefore && windowRows.clicks![r] === 1) arrived[item] = 1;
  }
  const heldOut = scoreOn === 'test' ? data.split.test : data.split.valid;
  const newPairs = windowRows.clicks!.reduce((n, c) => n + c, 0);
  const updateStart = performance.now();
  const output = join(root, `update-${w}`);
  const updated = await updateModel({
    from: previous,
    data: { dataset: { ...data.dataset, interactions: windowRows }, history },
    output,
    options: {
      seed: SEED + w,
      batchSize: 256,
      replayRatio,
      statisticsDecay,
      steps: Math.max(1, Math.floor((passes * newPairs * (1 + replayRatio)) / 256)),
    },
  });
  const updateSeconds = (performance.now() - updateStart) / 1000;
  const u = await score(updated.artifactsDir, data, arrived, heldOut);
  const fmt = (x: number) => x.toFixed(4);
  const arrivedCount = arrived.reduce((n, a) => n + a, 0);
  const common = [w, updated.newUsers, updated.newItems, arrivedCount, u.users];
  line([
    ...common,
    'update',
    updateSeconds.toFixed(1),
    fmt(u.all),
    fmt(u.warm),
    fmt(u.cold),
    fmt(u.arrived),
    `${u.arrivedWarm}/${arrivedCount}`,
  ]);
  console.error(
    `window ${w}: update ${updateSeconds.toFixed(1)}s (${updated.steps} steps in ${updated.stepSeconds.toFixed(1)}s)`,
  );
  if (w > 1) await rm(previous, { recursive: true, force: true });
  previous = output;
  if (!arms.has('retrain')) continue;
  const retrainStart = performance.now();
  const retrained = await trainAndSave({
    data,
    model,
    options: fitOptions,
    test: { maxQueries: 1 },
    output: join(root, `retrain-${w}`),
  });
  const retrainSeconds = (performance.now() - retrainStart) / 1000;
  const f = await score(retrained.artifactsDir, data, arrived, heldOut);
  line([
    ...common,
    'retrain',
    retrainSeconds.toFixed(1),
    fmt(f.all),
    fmt(f.warm),
    fmt(f.cold),
    fmt(f.arrived),
    `${f.arrivedWarm}/${arrivedCount}`,
  ]);
  console.error(
    `window ${w}: update ${updateSeconds.toFixed(1)}s (${updated.steps} steps) = ${((100 * updateSeconds) / retrainSeconds).toFixed(1)}% of retrain ${retrainSeconds.toFixed(1)}s; Recall@20 ${fmt(u.all)} vs ${fmt(f.all)} (${((100 * (u.all - f.all)) / f.all).toFixed(1)}%); load ${loadavg()[0]?.toFixed(2)}`,
  );
  await rm(retrained.artifactsDir, { recursive: true, force: true });
}
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await rm(root, { recursive: true, force: true });
