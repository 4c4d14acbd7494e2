import type { Interactions } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { generateSyntheticDataset } from './generate-synthetic-dataset';
import { getPresetSizes } from './options';
import { computeClickProbability, computeTruthAffinity } from './truth';

const tiny = generateSyntheticDataset({ preset: 'tiny', seed: 7 });

function clickShareOfTopDecile(itemCount: number, interactions: Interactions): number {
  const perItem = new Float64Array(itemCount);
  let total = 0;
  for (let r = 0; r < interactions.items.length; r++) {
    if (interactions.clicks?.[r] === 1) {
      const item = interactions.items[r] as number;
      perItem[item] = (perItem[item] as number) + 1;
      total++;
    }
  }
  const sorted = Array.from(perItem).sort((a, b) => b - a);
  let top = 0;
  for (let i = 0; i < Math.ceil(itemCount / 10); i++) top += sorted[i] as number;
  return top / total;
}

function postCutRows(
  result: ReturnType<typeof generateSyntheticDataset>,
): Array<{ user: number; item: number; click: number }> {
  const rows: Array<{ user: number; item: number; click: number }> = [];
  for (const part of [result.split.valid, result.split.test]) {
    for (let r = 0; r < part.users.length; r++) {
      rows.push({
        user: part.users[r] as number,
        item: part.items[r] as number,
        click: part.clicks?.[r] as number,
      });
    }
  }
  return rows;
}

function coldShareOfPostCutClicks(result: ReturnType<typeof generateSyntheticDataset>): number {
  let clicks = 0;
  let cold = 0;
  for (const row of postCutRows(result)) {
    if (row.click !== 1) continue;
    clicks++;
    if (result.split.coldItems[row.item] === 1) cold++;
  }
  return cold / clicks;
}

function bytes(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

describe('generateSyntheticDataset: determinism and sizes', () => {
  it('gives byte-identical output for the same seed', () => {
    const again = generateSyntheticDataset({ preset: 'tiny', seed: 7 });
    const a = tiny.dataset;
    const b = again.dataset;
    for (const key of ['users', 'items', 'timestamps', 'clicks'] as const) {
      expect(
        bytes(b.interactions[key] as ArrayBufferView).equals(bytes(a.interactions[key] as ArrayBufferView)),
      ).toBe(true);
    }
    expect(
      bytes(b.content.vectors.image?.data as Float32Array).equals(
        bytes(a.content.vectors.image?.data as Float32Array),
      ),
    ).toBe(true);
    expect(
      bytes(b.content.vectors.text?.data as Float32Array).equals(
        bytes(a.content.vectors.text?.data as Float32Array),
      ),
    ).toBe(true);
    expect(
      bytes(b.content.tags?.values as Int32Array).equals(bytes(a.content.tags?.values as Int32Array)),
    ).toBe(true);
    expect(
      bytes(b.userFeatures?.values as Int32Array).equals(bytes(a.userFeatures?.values as Int32Array)),
    ).toBe(true);
    expect(bytes(again.truth.userTopicMix).equals(bytes(tiny.truth.userTopicMix))).toBe(true);
    expect(bytes(again.split.coldItems).equals(bytes(tiny.split.coldItems))).toBe(true);
  });

  it('gives different output for a different seed', () => {
    const other = generateSyntheticDataset({ preset: 'tiny', seed: 8 });
    expect(bytes(other.truth.itemTopic).equals(bytes(tiny.truth.itemTopic))).toBe(false);
    expect(
      bytes(other.dataset.content.vectors.image?.data as Float32Array).equals(
        bytes(tiny.dataset.content.vectors.image?.data as Float32Array),
      ),
    ).toBe(false);
    const n = Math.min(other.dataset.interactions.items.length, tiny.dataset.interactions.items.length);
    let same = 0;
    for (let r = 0; r < n; r++)
      if (other.dataset.interactions.items[r] === tiny.dataset.interactions.items[r]) same++;
    expect(same / n).toBeLessThan(0.2);
  });

  it('matches the preset sizes and the documented shape of every table', () => {
    for (const preset of ['tiny', 'small'] as const) {
      const sizes = getPresetSizes({ preset });
      const { dataset, truth } = preset === 'tiny' ? tiny : generateSyntheticDataset({ preset, seed: 1 });
      expect(dataset.users.size).toBe(sizes.numUsers);
      expect(dataset.items.size).toBe(sizes.numItems);
      expect(dataset.content.tags?.vocabulary.size).toBe(sizes.numTags);
      expect(truth.numTopics).toBe(sizes.numTopics);
      const rows = dataset.interactions.users.length;
      expect(rows).toBeGreaterThan(0.85 * sizes.numUsers * sizes.interactionsPerUser);
      expect(rows).toBeLessThan(1.15 * sizes.numUsers * sizes.interactionsPerUser);
      expect(dataset.content.vectors.image?.dim).toBe(32);
      expect(dataset.content.vectors.image?.data.length).toBe(32 * sizes.numItems);
      expect(dataset.content.vectors.text?.data.length).toBe(32 * sizes.numItems);
      expect(dataset.content.tags?.offsets.length).toBe(sizes.numItems + 1);
      expect(dataset.userFeatures?.offsets.length).toBe(sizes.numUsers + 1);
      expect(truth.userTopicMix.length).toBe(sizes.numUsers * sizes.numTopics);
    }
  });

  it('sizes the default preset for end-to-end training (150-250k rows, 50-80k clicks)', () => {
    const result = generateSyntheticDataset({ preset: 'default' });
    const rows = result.dataset.interactions.users.length;
    let clicks = 0;
    for (const c of result.dataset.interactions.clicks as Uint8Array) clicks += c;
    expect(rows).toBeGreaterThan(150_000);
    expect(rows).toBeLessThan(250_000);
    expect(clicks).toBeGreaterThan(50_000);
    expect(clicks).toBeLessThan(80_000);
    // Cold items must carry 10-25% of the held-out clicks so cold recall can be measured.
    const coldShare = coldShareOfPostCutClicks(result);
    expect(coldShare).toBeGreaterThan(0.1);
    expect(coldShare).toBeLessThan(0.25);
    expect(clickShareOfTopDecile(result.dataset.items.size, result.dataset.interactions)).toBeGreaterThan(
      0.4,
    );
  });

  it('honours explicit sizes and vector specs over the preset', () => {
    const result = generateSyntheticDataset({
      preset: 'tiny',
      numUsers: 50,
      numItems: 60,
      numTopics: 3,
      numTags: 20,
      tagsPerItem: 2,
      vectorSpecs: [{ name: 'audio', dim: 5, noise: 0.1 }],
    });
    expect(result.dataset.users.size).toBe(50);
    expect(result.dataset.items.size).toBe(60);
    expect(Object.keys(result.dataset.content.vectors)).toEqual(['audio']);
    expect(result.dataset.content.vectors.audio?.data.length).toBe(300);
    expect(result.truth.topicEmbeddings.length).toBe(3 * 16);
  });
});

describe('generateSyntheticDataset: split and time', () => {
  const { dataset, split, truth } = tiny;

  it('splits at the training cut, with train rows first and split arrays as views', () => {
    const total = dataset.interactions.users.length;
    expect(split.train.users.length + split.valid.users.length + split.test.users.length).toBe(total);
    expect(split.train.users.buffer).toBe(dataset.interactions.users.buffer);
    for (const t of split.train.timestamps as Float64Array) expect(t).toBeLessThan(truth.trainCutTime);
    for (const part of [split.valid, split.test]) {
      for (const t of part.timestamps as Float64Array) {
        expect(t).toBeGreaterThanOrEqual(truth.trainCutTime);
        expect(t).toBeLessThan(truth.endTime);
      }
    }
    expect((truth.trainCutTime - truth.startTime) / (truth.endTime - truth.startTime)).toBeCloseTo(0.8, 5);
    const held = split.valid.users.length + split.test.users.length;
    expect(split.valid.users.length / held).toBeGreaterThan(0.4);
    expect(split.valid.users.length / held).toBeLessThan(0.6);
  });

  it('keeps each part grouped by user in ascending time', () => {
    for (const part of [split.train, split.valid, split.test]) {
      const times = part.timestamps as Float64Array;
      for (let r = 1; r < part.users.length; r++) {
        const prev = part.users[r - 1] as number;
        const user = part.users[r] as number;
        expect(user).toBeGreaterThanOrEqual(prev);
        if (user === prev) expect(times[r]).toBeGreaterThanOrEqual(times[r - 1] as number);
      }
    }
  });

  it('splits valid/test by user when asked (disjoint user sets)', () => {
    const byUser = generateSyntheticDataset({ preset: 'tiny', seed: 7, validTestSplit: 'user' });
    const validUsers = new Set(byUser.split.valid.users);
    for (const u of byUser.split.test.users) expect(validUsers.has(u)).toBe(false);
    expect(byUser.split.valid.users.length).toBeGreaterThan(0);
    expect(byUser.split.test.users.length).toBeGreaterThan(0);
  });

  it('never exposes an item before it arrives and rarely repeats a user-item pair', () => {
    const { users, items, timestamps } = dataset.interactions;
    const pairs = new Set<number>();
    for (let r = 0; r < items.length; r++) {
      const item = items[r] as number;
      expect(timestamps?.[r]).toBeGreaterThanOrEqual(truth.itemArrivalTime[item] as number);
      pairs.add((users[r] as number) * dataset.items.size + item);
    }
    expect(1 - pairs.size / items.length).toBeLessThan(0.01);
  });

  it('gives late items no training rows and marks exactly the items without a training click as cold', () => {
    const clickedInTrain = new Uint8Array(dataset.items.size);
    const inTrain = new Uint8Array(dataset.items.size);
    for (let r = 0; r < split.train.items.length; r++) {
      const item = split.train.items[r] as number;
      inTrain[item] = 1;
      if (split.train.clicks?.[r] === 1) clickedInTrain[item] = 1;
    }
    let late = 0;
    for (let i = 0; i < dataset.items.size; i++) {
      expect(split.coldItems[i]).toBe(clickedInTrain[i] === 1 ? 0 : 1);
      if (truth.lateItems[i] === 1) {
        late++;
        expect(inTrain[i]).toBe(0);
        expect(split.coldItems[i]).toBe(1);
        expect(truth.itemArrivalTime[i]).toBeGreaterThanOrEqual(truth.trainCutTime);
      }
    }
    expect(late / dataset.items.size).toBeGreaterThan(0.05);
    expect(late / dataset.items.size).toBeLessThan(0.15);
  });

  it('scales the late share with coldItemFraction', () => {
    const none = generateSyntheticDataset({ preset: 'tiny', seed: 7, coldItemFraction: 0 });
    const many = generateSyntheticDataset({ preset: 'tiny', seed: 7, coldItemFraction: 0.3 });
    expect(none.truth.lateItems.reduce((a, b) => a + b, 0)).toBe(0);
    const lateMany = many.truth.lateItems.reduce((a, b) => a + b, 0) / many.dataset.items.size;
    expect(lateMany).toBeGreaterThan(0.24);
    expect(lateMany).toBeLessThan(0.36);
    expect(coldShareOfPostCutClicks(many)).toBeGreaterThan(coldShareOfPostCutClicks(none) + 0.1);
  });
});

describe('generateSyntheticDataset: ground truth is visible in the data', () => {
  const { dataset, split, truth } = tiny;

  it('has a power-law popularity: the top 10% of items take over 40% of clicks', () => {
    const small = generateSyntheticDataset({ preset: 'small', seed: 3 });
    expect(clickShareOfTopDecile(small.dataset.items.size, small.dataset.interactions)).toBeGreaterThan(0.4);
    const flat = generateSyntheticDataset({ preset: 'small', seed: 3, popularityExponent: 0 });
    expect(clickShareOfTopDecile(flat.dataset.items.size, flat.dataset.interactions)).toBeLessThan(0.3);
  });

  it('clicks follow the true affinity: clicked items match the user top topic far above chance', () => {
    const { users, items, clicks } = dataset.interactions;
    let clicked = 0;
    let match = 0;
    let chance = 0;
    let onTopicExposures = 0;
    let onTopicClicks = 0;
    let offTopicExposures = 0;
    let offTopicClicks = 0;
    for (let r = 0; r < users.length; r++) {
      const user = users[r] as number;
      const top = truth.userTopTopic[user] as number;
      const onTopic = truth.itemTopic[items[r] as number] === top;
      if (onTopic) {
        onTopicExposures++;
        onTopicClicks += clicks?.[r] as number;
      } else {
        offTopicExposures++;
        offTopicClicks += clicks?.[r] as number;
      }
      if (clicks?.[r] !== 1) continue;
      clicked++;
      if (onTopic) match++;
      chance += truth.topicWeights[top] as number;
    }
    expect(match / clicked).toBeGreaterThan(0.6);
    expect(match / clicked).toBeGreaterThan(3 * (chance / clicked));
    expect(onTopicClicks / onTopicExposures).toBeGreaterThan(3 * (offTopicClicks / offTopicExposures));
  });

  it('emits clicks at the rate the truth click model predicts', () => {
    const { users, items, clicks } = dataset.interactions;
    let predicted = 0;
    let observed = 0;
    for (let r = 0; r < users.length; r++) {
      predicted += computeClickProbability({ truth, user: users[r] as number, item: items[r] as number });
      observed += clicks?.[r] as number;
    }
    const n = users.length;
    // Binomial standard error is below 0.006 here; allow about 3 of them.
    expect(Math.abs(observed / n - predicted / n)).toBeLessThan(0.02);
  });

  it('makes content predictive of cold items: the audience of cold items shares their topic', () => {
    let coldClicks = 0;
    let match = 0;
    for (const row of postCutRows(tiny)) {
      if (row.click !== 1 || split.coldItems[row.item] !== 1) continue;
      coldClicks++;
      if (truth.userTopTopic[row.user] === truth.itemTopic[row.item]) match++;
    }
    expect(coldClicks / postCutRows(tiny).filter((row) => row.click === 1).length).toBeGreaterThan(0.05);
    expect(match / coldClicks).toBeGreaterThan(0.5); // chance is about 1 / numTopics = 0.125
  });

  it('encodes the topic in the image vectors (nearest centroid far above chance) and noise lowers accuracy', () => {
    const accuracy = (data: Float32Array, dim: number): number => {
      const numTopics = truth.numTopics;
      const centroids = new Float64Array(numTopics * dim);
      const counts = new Float64Array(numTopics);
      for (let i = 0; i < dataset.items.size; i += 2) {
        const k = truth.itemTopic[i] as number;
        counts[k] = (counts[k] as number) + 1;
        for (let j = 0; j < dim; j++)
          centroids[k * dim + j] = (centroids[k * dim + j] as number) + (data[i * dim + j] as number);
      }
      for (let k = 0; k < numTopics; k++)
        for (let j = 0; j < dim; j++)
          centroids[k * dim + j] = (centroids[k * dim + j] as number) / Math.max(1, counts[k] as number);
      let correct = 0;
      let tested = 0;
      for (let i = 1; i < dataset.items.size; i += 2) {
        let best = -1;
        let bestDistance = Number.POSITIVE_INFINITY;
        for (let k = 0; k < numTopics; k++) {
          let d = 0;
          for (let j = 0; j < dim; j++)
            d += ((data[i * dim + j] as number) - (centroids[k * dim + j] as number)) ** 2;
          if (d < bestDistance) {
            bestDistance = d;
            best = k;
          }
        }
        tested++;
        if (best === truth.itemTopic[i]) correct++;
      }
      return correct / tested;
    };
    expect(accuracy(dataset.content.vectors.image?.data as Float32Array, 32)).toBeGreaterThan(0.9);
    const noisy = generateSyntheticDataset({
      preset: 'tiny',
      seed: 7,
      vectorSpecs: [
        { name: 'clear', dim: 4, noise: 0.5 },
        { name: 'blurred', dim: 4, noise: 2 },
      ],
    });
    const clear = accuracy(noisy.dataset.content.vectors.clear?.data as Float32Array, 4);
    const blurred = accuracy(noisy.dataset.content.vectors.blurred?.data as Float32Array, 4);
    expect(blurred).toBeGreaterThan(2 / truth.numTopics);
    expect(clear).toBeGreaterThan(blurred + 0.15);
  });

  it('draws tags from the item topic, sorted and unique per item', () => {
    const tags = dataset.content.tags;
    if (tags === undefined) throw new Error('tags missing');
    let onTopic = 0;
    let total = 0;
    let voteCorrect = 0;
    for (let i = 0; i < dataset.items.size; i++) {
      const from = tags.offsets[i] as number;
      const to = tags.offsets[i + 1] as number;
      expect(to - from).toBeGreaterThanOrEqual(4);
      expect(to - from).toBeLessThanOrEqual(6);
      const votes = new Map<number, number>();
      for (let p = from; p < to; p++) {
        if (p > from) expect(tags.values[p]).toBeGreaterThan(tags.values[p - 1] as number);
        const topic = truth.tagTopic[tags.values[p] as number] as number;
        total++;
        if (topic === truth.itemTopic[i]) onTopic++;
        if (topic >= 0) votes.set(topic, (votes.get(topic) ?? 0) + 1);
      }
      const winner = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
      if (winner === truth.itemTopic[i]) voteCorrect++;
    }
    // topicTagProbability is 0.8; a repeated topic tag is redrawn, so a little mass moves to generic tags.
    expect(onTopic / total).toBeGreaterThan(0.65);
    expect(onTopic / total).toBeLessThan(0.85);
    expect(voteCorrect / dataset.items.size).toBeGreaterThan(0.95);
  });

  it('gives users sparse interest mixtures with 1 to 3 dominant topics', () => {
    const numTopics = truth.numTopics;
    const background = 0.1 / numTopics;
    const dominantCounts = [0, 0, 0, 0];
    for (let u = 0; u < dataset.users.size; u++) {
      let sum = 0;
      let dominant = 0;
      for (let k = 0; k < numTopics; k++) {
        const w = truth.userTopicMix[u * numTopics + k] as number;
        sum += w;
        if (w > background + 1e-6) dominant++;
      }
      expect(sum).toBeCloseTo(1, 5);
      expect(dominant).toBeGreaterThanOrEqual(1);
      expect(dominant).toBeLessThanOrEqual(3);
      dominantCounts[dominant] = (dominantCounts[dominant] as number) + 1;
    }
    for (const d of [1, 2, 3]) expect(dominantCounts[d]).toBeGreaterThan(0.1 * dataset.users.size);
  });

  it('gives every user one age, region and device feature, age weakly tied to interests', () => {
    const features = dataset.userFeatures;
    if (features === undefined) throw new Error('user features missing');
    const ids = features.vocabulary.ids;
    const ageByTopic = new Map<number, number[]>();
    for (let u = 0; u < dataset.users.size; u++) {
      const row = Array.from(features.values.subarray(features.offsets[u], features.offsets[u + 1])).map(
        (v) => ids[v] as string,
      );
      expect(row.map((id) => id.split(':')[0])).toEqual(['age', 'region', 'device']);
      const top = truth.userTopTopic[u] as number;
      const list = ageByTopic.get(top) ?? [0, 0, 0, 0, 0];
      list[truth.userAgeBucket[u] as number] = (list[truth.userAgeBucket[u] as number] as number) + 1;
      ageByTopic.set(top, list);
    }
    // Share of users in the most common age bucket of their top topic: 0.2 if independent, about 0.6 by construction.
    let modal = 0;
    for (const list of ageByTopic.values()) modal += Math.max(...list);
    expect(modal / dataset.users.size).toBeGreaterThan(0.45);
    expect(modal / dataset.users.size).toBeLessThan(0.8);
  });

  it('exposes the truth affinity and click probability consistently', () => {
    const user = 5;
    const top = truth.userTopTopic[user] as number;
    const onTopic = truth.itemTopic.indexOf(top);
    const offTopic = truth.itemTopic.findIndex(
      (k) => (truth.userTopicMix[user * truth.numTopics + k] as number) < 0.1 / truth.numTopics + 1e-6,
    );
    expect(offTopic).toBeGreaterThanOrEqual(0);
    const { latentDim, numTopics, topicEmbeddings, userTopicMix } = truth;
    let expected = 0;
    for (let k = 0; k < numTopics; k++) {
      let dot = 0;
      for (let d = 0; d < latentDim; d++)
        dot +=
          (topicEmbeddings[k * latentDim + d] as number) * (topicEmbeddings[top * latentDim + d] as number);
      expected += (userTopicMix[user * numTopics + k] as number) * dot;
    }
    expect(computeTruthAffinity({ truth, user, item: onTopic })).toBeCloseTo(
      truth.affinityScale * expected,
      5,
    );
    expect(computeTruthAffinity({ truth, user, item: onTopic })).toBeGreaterThan(
      computeTruthAffinity({ truth, user, item: offTopic }),
    );
    const p = computeClickProbability({ truth, user, item: onTopic });
    const logit =
      truth.affinityScale * expected +
      truth.qualityWeight * (truth.itemQuality[onTopic] as number) +
      truth.clickBias;
    expect(p).toBeCloseTo(1 / (1 + Math.exp(-logit)), 6);
    expect(() => computeTruthAffinity({ truth, user: -1, item: 0 })).toThrow(InvalidArgumentError);
    expect(() => computeClickProbability({ truth, user: 0, item: dataset.items.size })).toThrow(
      `item: must be an integer in [0, ${dataset.items.size - 1}], got ${dataset.items.size}`,
    );
  });

  it('names the option, its range and the value of a bad option', () => {
    expect(() => generateSyntheticDataset({ preset: 'tiny', latentDim: 0 })).toThrow(
      'latentDim: must be an integer in [1, 4096], got 0',
    );
    expect(() => generateSyntheticDataset({ preset: 'tiny', coldItemFraction: 1 })).toThrow(
      'coldItemFraction: must be a finite number >= 0 and < 1, got 1',
    );
    expect(() => generateSyntheticDataset({ preset: 'tiny', trainFraction: 0 })).toThrow(
      'trainFraction: must be a finite number > 0 and < 1, got 0',
    );
    expect(() => generateSyntheticDataset({ preset: 'tiny', seed: -1 })).toThrow(
      'seed: must be an integer >= 0, got -1',
    );
    expect(() => generateSyntheticDataset({ preset: 'tiny', validTestSplit: 'time' } as never)).toThrow(
      `validTestSplit: must be one of 'random', 'user', got "time"`,
    );
  });

  it('names users, items and tags with zero-padded ids that round-trip', () => {
    expect(dataset.users.ids[0]).toBe('u000');
    expect(dataset.items.ids[399]).toBe('i399');
    expect(dataset.items.indexOf('i123')).toBe(123);
    expect(dataset.items.indexOf('i400')).toBeUndefined();
    expect(dataset.items.indexOf('u123')).toBeUndefined();
    expect(dataset.items.indexOf('i12')).toBeUndefined();
    expect(dataset.content.tags?.vocabulary.indexOf('tag-07')).toBe(7);
    expect(dataset.userFeatures?.vocabulary.indexOf('age:18-24')).toBe(0);
    expect(dataset.userFeatures?.vocabulary.indexOf('nope')).toBeUndefined();
  });
});

describe('generateSyntheticDataset: options', () => {
  it.each([
    [{ preset: 'huge' as never }, 'preset'],
    [{ seed: -1 }, 'seed'],
    [{ seed: 1.5 }, 'seed'],
    [{ numUsers: 0 }, 'numUsers'],
    [{ numItems: 4, numTopics: 8 }, 'numItems'],
    [{ numTags: 5 }, 'numTags'],
    [{ coldItemFraction: 1 }, 'coldItemFraction'],
    [{ trainFraction: 0 }, 'trainFraction'],
    [{ interactionsPerUser: Number.NaN }, 'interactionsPerUser'],
    [
      {
        vectorSpecs: [
          { name: 'a', dim: 4, noise: 1 },
          { name: 'a', dim: 4, noise: 1 },
        ],
      },
      'vectorSpecs[1].name',
    ],
    [{ vectorSpecs: [{ name: 'a', dim: 0, noise: 1 }] }, 'vectorSpecs[0].dim'],
    [{ validTestSplit: 'time' as never }, 'validTestSplit'],
  ])('rejects %o with InvalidArgumentError on %s', (options, argument) => {
    let error: unknown;
    try {
      generateSyntheticDataset({ preset: 'tiny', ...options });
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe(argument);
  });
});
