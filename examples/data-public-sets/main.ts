import {
  computeItemStatistics,
  groupByUser,
  loadMovieLens100k,
  loadTiktok,
  splitColdItems,
} from '@mmrecall/data';

// TikTok (DiffMM preparation): the published split, float16 image/audio vectors decoded to float32.
const { dataset, split } = await loadTiktok({ dir: '../shared/data/tiktok' });
console.log(dataset.users.size, dataset.items.size); // 9308 6710
console.log(split.coldItems.reduce((a, b) => a + b, 0)); // 465 items with no train interaction
console.log(dataset.content.vectors.image?.dim); // 128

// Posterior statistics for the gate: from the training split only.
const stats = computeItemStatistics({ interactions: split.train, numItems: dataset.items.size });
const history = groupByUser({ interactions: split.train, numUsers: dataset.users.size });
console.log(stats.exposures.length, history.offsets.length - 1); // 6710 9308

// MovieLens 100K: ratings >= 4 are clicks, lower ratings are exposures without a click.
const ml = await loadMovieLens100k({ dir: '../shared/data/ml-100k', positiveThreshold: 4 });
const coldSplit = splitColdItems({
  interactions: ml.dataset.interactions,
  numItems: ml.dataset.items.size,
  coldItemFraction: 0.1,
  validFraction: 0.1,
  testFraction: 0.1,
  seed: 42,
});
console.log(coldSplit.coldItems.reduce((a, b) => a + b, 0)); // items held out as cold
