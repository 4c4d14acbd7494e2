// Replay on the synthetic data: a gated-additive model trained on the first period (the trainer's
// time split), served in process twice over the same artifacts: one service whose statistics stay
// at training time (frozen), one that receives every later exposure and click as events (live;
// optionally a third with decayed counts). Each test day is scored on its clicks by both, after
// everything before that day was streamed (valid period included).
//
//   pnpm turbo run build --filter=@mmrecall/trainer... --filter=@mmrecall/recall-service...
//   nice -n 10 node packages/recall-service/dist-bench/replay.js
//   options: --preset default --seed 42 --valid 0.05 --test 0.15 --days 7 --k 20
//            --half-life DAYS (adds a decayed arm) --artifacts DIR (skip training; same split)
//            --out DIR (training output, default a temp folder) --epochs N
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { itemPopularity, itemStatisticsFromCounts, splitInteractions } from '@mmrecall/data';
import { generateSyntheticDataset, type SyntheticPreset } from '@mmrecall/synthetic';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { createLiveStatistics, createRecallService, type EventInput, loadServingModel } from '../src/index';
import {
  type ArmDayResult,
  type ReplayArm,
  type ReplayDay,
  type ReplayQuery,
  replayDays,
} from './replay-days';

const DAY = 86_400;
const args: Record<string, string> = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[(process.argv[i] as string).replace(/^--/, '')] = process.argv[i + 1] as string;
}
const preset = (args.preset ?? 'default') as SyntheticPreset;
const seed = Number(args.seed ?? 42);
const validFraction = Number(args.valid ?? 0.05);
const testFraction = Number(args.test ?? 0.15);
const numDays = Number(args.days ?? 7);
const k = Number(args.k ?? 20);
const halfLife = args['half-life'] === undefined ? undefined : Number(args['half-life']);
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
const log = (...parts: unknown[]): void =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] load ${loadavg()[0]!.toFixed(1)}`, ...parts);

const loadAtStart = load();
const { dataset } = generateSyntheticDataset({ preset, seed });
const numItems = dataset.items.size;
const interactions = dataset.interactions;
// The same call as the trainer's `data.split.method: time`.
const split = splitInteractions({
  interactions,
  numItems,
  method: 'time',
  validFraction,
  testFraction,
  seed,
});
const trainTimes = split.train.timestamps!;
let reference = Number.NEGATIVE_INFINITY;
for (const t of trainTimes) if (t > reference) reference = t;
let testStart = Number.POSITIVE_INFINITY;
for (const t of split.test.timestamps!) if (t < testStart) testStart = t;

let artifactsDir = args.artifacts;
if (artifactsDir === undefined) {
  const out = args.out ?? (await mkdtemp(path.join(tmpdir(), 'mmrecall-replay-')));
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/trainer/dist/cli.js');
  const command = [
    cli,
    'train',
    '--preset',
    preset,
    '--data-seed',
    String(seed),
    '--set',
    'data.split.method=time',
    '--set',
    `data.split.validFraction=${validFraction}`,
    '--set',
    `data.split.testFraction=${testFraction}`,
    ...(args.epochs ? ['--epochs', args.epochs] : []),
    '-q',
    '-o',
    out,
  ];
  log('training:', `node ${command.join(' ')}`);
  const started = performance.now();
  const trained = spawnSync(process.execPath, command, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (trained.status !== 0) throw new Error(`training failed with exit code ${trained.status}`);
  log(`trained in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  artifactsDir = path.join(out, 'artifacts');
}
const statistics = JSON.parse(await readFile(path.join(artifactsDir, 'item-statistics.json'), 'utf8')) as {
  referenceTime: number;
};
if (statistics.referenceTime !== reference) {
  throw new Error(
    `the artifacts' reference time ${statistics.referenceTime} is not the split's ${reference}: trained on another split`,
  );
}

// Everything after the training period, in time order, as events.
const itemIds = dataset.items.ids;
const userIds = dataset.users.ids;
const later: number[] = [];
const times = interactions.timestamps!;
const clicks = interactions.clicks!;
for (let r = 0; r < times.length; r++) if (times[r]! > reference) later.push(r);
later.sort((a, b) => times[a]! - times[b]! || a - b);
const eventOf = (r: number): EventInput => ({
  itemId: itemIds[interactions.items[r]!]!,
  userId: userIds[interactions.users[r]!]!,
  type: clicks[r] === 1 ? 'click' : 'exposure',
  at: times[r]!,
});

/** Adds `item` to the set of `user` in `sets`. */
const addTo = (sets: Map<number, Set<string>>, user: number, item: string): void => {
  const set = sets.get(user);
  if (set === undefined) sets.set(user, new Set([item]));
  else set.add(item);
};
// Clicks so far per user (masked from the lists): training clicks, then each streamed day's.
const clickedBy = new Map<number, Set<string>>();
const addClick = (r: number): void =>
  addTo(clickedBy, interactions.users[r]!, itemIds[interactions.items[r]!]!);
for (let r = 0; r < split.train.users.length; r++) {
  if (split.train.clicks![r] === 1) addTo(clickedBy, split.train.users[r]!, itemIds[split.train.items[r]!]!);
}

const days: ReplayDay[] = [];
let next = 0;
for (let d = 0; d < numDays; d++) {
  const dayStart = testStart + d * DAY;
  const events: EventInput[] = [];
  while (next < later.length && times[later[next]!]! < dayStart) {
    const r = later[next++]!;
    events.push(eventOf(r));
    if (clicks[r] === 1) addClick(r);
  }
  const heldOut = new Map<number, Set<string>>();
  for (let n = next; n < later.length && times[later[n]!]! < dayStart + DAY; n++) {
    const r = later[n]!;
    if (clicks[r] !== 1) continue;
    const user = interactions.users[r]!;
    const item = itemIds[interactions.items[r]!]!;
    if (clickedBy.get(user)?.has(item)) continue; // a repeat of an earlier click is masked, not held out
    addTo(heldOut, user, item);
  }
  const queries: ReplayQuery[] = [...heldOut].map(([user, items]) => ({
    userId: userIds[user]!,
    exclude: [...(clickedBy.get(user) ?? [])],
    heldOut: [...items],
  }));
  const from = new Date(dayStart * 1000).toISOString().slice(0, 10);
  days.push({ label: `${from} (day ${d + 1})`, events, queries });
}

await tf.setBackend('cpu');
const arms: ReplayArm[] = [];
const armSpecs: { name: string; streams: boolean; halfLifeDays?: number }[] = [
  { name: 'frozen', streams: false },
  { name: 'live', streams: true },
  ...(halfLife === undefined
    ? []
    : [{ name: `live, half-life ${halfLife} d`, streams: true, halfLifeDays: halfLife }]),
];
for (const spec of armSpecs) {
  const service = createRecallService({
    artifactsDir,
    index: 'exact',
    events: spec.halfLifeDays === undefined ? {} : { halfLifeDays: spec.halfLifeDays },
  });
  await service.ready;
  arms.push({ name: spec.name, service, streams: spec.streams });
}
log(
  `${preset}: ${numItems} items, reference ${new Date(reference * 1000).toISOString()}, ` +
    `${later.length} later rows; test days from ${new Date(testStart * 1000).toISOString()}`,
);

const format = (value: number): string => (Number.isNaN(value) ? '-' : value.toFixed(4));
const results = await replayDays({
  arms,
  days,
  k,
  itemIds,
  coldItems: split.coldItems,
  itemPopularity: itemPopularity({ interactions: split.train, numItems }),
  onDay: (day, result) =>
    log(
      day.label,
      `${day.events.length} events streamed,`,
      Object.entries(result)
        .map(([name, r]) => `${name} R@${k} ${format(r.recall)} cold share ${format(r.coldShare)}`)
        .join('; '),
    ),
});

const names = arms.map((arm) => arm.name);
const header = [
  'day',
  'events streamed',
  'queries',
  ...names.map((name) => `Recall@${k} ${name}`),
  ...names.map((name) => `warm ${name}`),
  ...names.map((name) => `cold ${name}`),
  ...names.map((name) => `ColdShare@${k} ${name}`),
];
const rows: string[][] = [];
const metric = (pick: (result: ArmDayResult) => number) => (result: Record<string, ArmDayResult>) =>
  names.map((name) => format(pick(result[name]!)));
const columns = (result: Record<string, ArmDayResult>): string[] => [
  ...metric((r) => r.recall)(result),
  ...metric((r) => r.recallWarm)(result),
  ...metric((r) => r.recallCold)(result),
  ...metric((r) => r.coldShare)(result),
];
results.forEach((result, d) => {
  const day = days[d]!;
  rows.push([day.label, String(day.events.length), String(result[names[0]!]!.queries), ...columns(result)]);
});
// Means over days, weighted by each day's queries (the metrics are means over queries).
const mean: Record<string, ArmDayResult> = {};
for (const name of names) {
  const total = results.reduce((sum, result) => sum + result[name]!.queries, 0);
  const weighted = (pick: (result: ArmDayResult) => number): number => {
    let sum = 0;
    let weight = 0;
    for (const result of results) {
      const value = pick(result[name]!);
      if (Number.isNaN(value)) continue;
      sum += value * result[name]!.queries;
      weight += result[name]!.queries;
    }
    return weight === 0 ? Number.NaN : sum / weight;
  };
  mean[name] = {
    recall: weighted((r) => r.recall),
    recallWarm: weighted((r) => r.recallWarm),
    recallCold: weighted((r) => r.recallCold),
    coldShare: weighted((r) => r.coldShare),
    queries: total,
    perQuery: new Float64Array(0),
    changedSlots: weighted((r) => r.changedSlots),
    applySeconds: results.reduce((sum, result) => sum + result[name]!.applySeconds, 0),
  };
}
rows.push([
  `all ${numDays} days`,
  String(days.reduce((sum, day) => sum + day.events.length, 0)),
  String(mean[names[0]!]!.queries),
  ...columns(mean),
]);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
// Paired over every (day, query): the arms answer the same queries.
const baseline = names[0]!;
for (const name of names.slice(1)) {
  const differences: number[] = [];
  for (const result of results) {
    const base = result[baseline]!.perQuery;
    const other = result[name]!.perQuery;
    for (let q = 0; q < base.length; q++) differences.push(other[q]! - base[q]!);
  }
  const n = differences.length;
  const meanDifference = differences.reduce((sum, v) => sum + v, 0) / n;
  const variance = differences.reduce((sum, v) => sum + (v - meanDifference) ** 2, 0) / (n - 1);
  const changed = differences.filter((v) => v !== 0).length;
  console.log(
    `\n${name} - ${baseline}: Recall@${k} ${meanDifference >= 0 ? '+' : ''}${meanDifference.toFixed(4)} ` +
      `(paired standard error ${Math.sqrt(variance / n).toFixed(4)} over ${n} queries; recall changed for ${changed} of them; ` +
      `${(100 * mean[name]!.changedSlots).toFixed(1)}% of the recalled items are not in the ${baseline} list)`,
  );
}
console.log(
  `\nevents to index: ${names
    .filter((name) => arms.find((arm) => arm.name === name)!.streams)
    .map((name) => `${name} ${mean[name]!.applySeconds.toFixed(1)} s`)
    .join(', ')}; load average at start ${loadAtStart}, at the end ${load()}`,
);
for (const arm of arms) await arm.service.dispose();

// How far the gates moved: the live arm's statistics at the last test day (everything streamed
// before it) against the training statistics, for the warm items the events touched.
const serving = await loadServingModel({ dir: artifactsDir });
const liveModel = serving.live!;
const { trained } = liveModel;
const rowOfId = new Map(serving.itemIds.map((id, row) => [id, row]));
const replayed = createLiveStatistics({ model: liveModel, batchSize: 4096 });
replayed.record(
  days
    .flatMap((day) => day.events)
    .map((event) => ({ row: rowOfId.get(event.itemId)!, type: event.type, at: event.at! })),
);
const liveGates = new Map<number, number>();
for (let update = await replayed.nextUpdate(); update; update = await replayed.nextUpdate()) {
  update.rows.forEach((row, n) => {
    liveGates.set(row, update.gates[n]!);
  });
}
const touched = Int32Array.from(liveGates.keys()).sort();
const pick32 = (table: Float32Array): Float32Array => Float32Array.from(touched, (row) => table[row]!);
const { gates: trainedGates } = await liveModel.fuse({
  rows: touched,
  statistics: itemStatisticsFromCounts({
    exposures: pick32(trained.exposures),
    clicks: pick32(trained.clicks),
    firstSeen: Float64Array.from(touched, (row) => trained.firstSeen[row]!),
    now: trained.referenceTime,
    ctrPrior: trained.ctrPrior,
  }),
});
serving.dispose();
let sumTrained = 0;
let sumLive = 0;
let sumChange = 0;
let maxChange = 0;
let exposuresBefore = 0;
let exposuresAdded = 0;
touched.forEach((row, n) => {
  const change = Math.abs(liveGates.get(row)! - trainedGates[n]!);
  sumTrained += trainedGates[n]!;
  sumLive += liveGates.get(row)!;
  sumChange += change;
  maxChange = Math.max(maxChange, change);
  exposuresBefore += trained.exposures[row]!;
  exposuresAdded += replayed.countsOf(row).exposures - trained.exposures[row]!;
});
const count = touched.length;
console.log(
  `\ngates of the ${count} warm items the events touched (live arm, before the last test day): ` +
    `mean ${(sumTrained / count).toFixed(4)} trained -> ${(sumLive / count).toFixed(4)} live, ` +
    `mean |change| ${(sumChange / count).toFixed(4)}, largest ${maxChange.toFixed(4)}; ` +
    `their exposures grew by ${((100 * exposuresAdded) / exposuresBefore).toFixed(1)}% over training`,
);
