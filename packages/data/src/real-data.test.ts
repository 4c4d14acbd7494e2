import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  computeItemStatistics,
  type Dataset,
  type DatasetSplit,
  groupByUser,
  itemPopularity,
  loadMovieLens100k,
  loadTiktok,
  readInteractionsCsv,
  readNpy,
  splitByTime,
} from './index';
import { SHARED_DATA } from './test-helpers';

const TIKTOK = join(SHARED_DATA, 'tiktok');
const ML100K = join(SHARED_DATA, 'ml-100k');

describe('loadTiktok (real data)', () => {
  let dataset: Dataset;
  let split: DatasetSplit;
  beforeAll(async () => {
    ({ dataset, split } = await loadTiktok({ dir: TIKTOK }));
  });

  it('has the published sizes, 465 cold items and (6710, 128) features', () => {
    expect(dataset.name).toBe('tiktok');
    expect(dataset.users.size).toBe(9308);
    expect(dataset.items.size).toBe(6710);
    expect(split.train.users.length).toBe(59_541);
    expect(split.valid.users.length).toBe(3051);
    expect(split.test.users.length).toBe(6130);
    expect(dataset.interactions.users.length).toBe(59_541 + 3051 + 6130);
    expect(split.coldItems.length).toBe(6710);
    expect(split.coldItems.reduce((sum, flag) => sum + flag, 0)).toBe(465);
    for (const name of ['image', 'audio']) {
      expect(dataset.content.vectors[name]?.dim).toBe(128);
      expect(dataset.content.vectors[name]?.data.length).toBe(6710 * 128);
    }
  });

  it('keeps numeric ids as indices and matches the README cold-item counts', async () => {
    // The first train row of the file is "0,885".
    expect(split.train.users[0]).toBe(0);
    expect(split.train.items[0]).toBe(885);
    expect(dataset.items.ids[885]).toBe('885');
    expect(dataset.users.indexOf('9307')).toBe(9307);
    const coldValid = Array.from(split.valid.items).filter((item) => split.coldItems[item] === 1);
    const coldTest = Array.from(split.test.items).filter((item) => split.coldItems[item] === 1);
    expect([coldValid.length, new Set(coldValid).size]).toEqual([223, 193]);
    expect([coldTest.length, new Set(coldTest).size]).toEqual([449, 340]);
    // Cross-check with a plain read: the raw CSV gives the same (user, item) pairs.
    const raw = await readInteractionsCsv({
      path: join(TIKTOK, 'test.csv'),
      columns: { user: 'user_id', item: 'item_id' },
    });
    for (const r of [0, 17, 6129]) {
      expect(split.test.users[r]).toBe(Number(raw.users.ids[raw.interactions.users[r] as number]));
      expect(split.test.items[r]).toBe(Number(raw.items.ids[raw.interactions.items[r] as number]));
    }
  });

  it('decodes float16 features as NumPy does (values checked with numpy.load)', async () => {
    const image = dataset.content.vectors.image?.data as Float32Array;
    expect(Array.from(image.subarray(0, 4))).toEqual([2.583984375, 0.95947265625, 6.234375, 1.90234375]);
    const audio = dataset.content.vectors.audio?.data as Float32Array;
    expect(Array.from(audio.subarray(6709 * 128 + 124))).toEqual([
      -0.096923828125, -0.04071044921875, -0.14697265625, -0.305908203125,
    ]);
    expect(image.every(Number.isFinite)).toBe(true);
    expect((await readNpy({ path: join(TIKTOK, 'image_feat.npy') })).shape).toEqual([6710, 128]);
  });

  it('gives statistics and popularity from train only: cold items have none', () => {
    const stats = computeItemStatistics({ interactions: split.train, numItems: 6710 });
    const popularity = itemPopularity({ interactions: split.train, numItems: 6710 });
    let coldWithClicks = 0;
    for (let i = 0; i < 6710; i++)
      if (split.coldItems[i] === 1 && (stats.clicks[i] as number) > 0) coldWithClicks++;
    expect(coldWithClicks).toBe(0);
    expect(stats.clicks.reduce((a, b) => a + b, 0)).toBe(59_541);
    expect(Array.from(popularity)).toEqual(Array.from(stats.clicks));
    const byUser = groupByUser({ interactions: split.train, numUsers: 9308 });
    expect(byUser.offsets[9308]).toBe(59_541);
    expect(Array.from(byUser.values.subarray(byUser.offsets[0], byUser.offsets[1]))[0]).toBe(885);
  });
});

describe('loadMovieLens100k (real data)', () => {
  let dataset: Dataset;
  let titles: string[];
  beforeAll(async () => {
    ({ dataset, titles } = await loadMovieLens100k({ dir: ML100K, positiveThreshold: 4, genreVector: true }));
  });

  it('has 943 users, 1682 items, 100,000 ratings with timestamps and 19 genres', () => {
    expect(dataset.users.size).toBe(943);
    expect(dataset.items.size).toBe(1682);
    expect(dataset.interactions.users.length).toBe(100_000);
    expect(dataset.interactions.timestamps?.length).toBe(100_000);
    expect(dataset.content.tags?.vocabulary.size).toBe(19);
    expect(dataset.content.tags?.vocabulary.ids[1]).toBe('Action');
    expect(dataset.content.vectors.genre?.dim).toBe(19);
    // u.data line 1: "196	242	3	881250949"
    expect(dataset.users.ids[dataset.interactions.users[0] as number]).toBe('196');
    expect(dataset.items.ids[dataset.interactions.items[0] as number]).toBe('242');
    expect(dataset.interactions.ratings?.[0]).toBe(3);
    expect(dataset.interactions.timestamps?.[0]).toBe(881_250_949);
    expect(dataset.interactions.clicks?.[0]).toBe(0);
    const positives = dataset.interactions.clicks?.reduce((sum, click) => sum + click, 0);
    const ratingsAtLeast4 = dataset.interactions.ratings?.filter((rating) => rating >= 4).length;
    expect(positives).toBe(ratingsAtLeast4);
  });

  it('decodes titles as latin-1, genres as tags and profiles as multi-hot features', () => {
    expect(titles[0]).toBe('Toy Story (1995)');
    expect(titles.some((title) => title.includes('é'))).toBe(true);
    const tags = dataset.content.tags;
    const toyStory = Array.from(
      tags?.values.subarray(tags.offsets[0], tags.offsets[1]) ?? [],
      (g) => tags?.vocabulary.ids[g],
    );
    expect(toyStory).toEqual(['Animation', "Children's", 'Comedy']);
    expect(
      Array.from(dataset.content.vectors.genre?.data.subarray(0, 19) ?? []).reduce((a, b) => a + b, 0),
    ).toBe(3);
    const features = dataset.userFeatures;
    // u.user line 1: "1|24|M|technician|85711"
    const user1 = Array.from(
      features?.values.subarray(features.offsets[0], features.offsets[1]) ?? [],
      (f) => features?.vocabulary.ids[f],
    );
    expect(user1).toEqual(['age:18-24', 'gender:M', 'occupation:technician']);
    expect(features?.offsets[943]).toBe(943 * 3);
  });

  it('supports a time split whose statistics come from the past only', () => {
    const split = splitByTime({
      interactions: dataset.interactions,
      validFraction: 0.1,
      testFraction: 0.1,
      numItems: 1682,
    });
    const lastTrain = Math.max(...(split.train.timestamps ?? []));
    expect(lastTrain).toBeLessThan(Math.min(...(split.test.timestamps ?? [])));
    const stats = computeItemStatistics({ interactions: split.train, numItems: 1682 });
    expect(stats.exposures.reduce((a, b) => a + b, 0)).toBe(split.train.users.length);
    expect(Math.max(...stats.age)).toBeLessThanOrEqual(
      (lastTrain - Math.min(...(split.train.timestamps ?? []))) / 86_400 + 1e-3,
    );
  });
});
