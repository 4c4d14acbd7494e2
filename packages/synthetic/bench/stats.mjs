// Prints the properties the tests assert, for each preset and seed, so the README figures can be
// reproduced. Usage: npx tsup && node bench/stats.mjs [preset] [seed ...]   (default: default 1 2 3 42)
import { generateSyntheticDataset } from '../dist/index.js';

const preset = process.argv[2] ?? 'default';
const seeds = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 2, 3, 42];
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(`preset ${preset}`);
console.log(
  '| seed | rows | clicks | train / valid / test rows | cold items | cold share of valid+test clicks | top-10% items share of clicks | clicks on user top topic (chance) | cold-item clicks on user top topic |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const seed of seeds) {
  const { dataset, split, truth } = generateSyntheticDataset({ preset, seed });
  const all = dataset.interactions;
  const perItem = new Float64Array(dataset.items.size);
  let clicks = 0;
  let topTopic = 0;
  let chance = 0;
  for (let r = 0; r < all.users.length; r++) {
    if (all.clicks[r] !== 1) continue;
    clicks++;
    perItem[all.items[r]]++;
    if (truth.userTopTopic[all.users[r]] === truth.itemTopic[all.items[r]]) topTopic++;
    chance += truth.topicWeights[truth.userTopTopic[all.users[r]]];
  }
  const sorted = Array.from(perItem).sort((a, b) => b - a);
  let top = 0;
  for (let i = 0; i < Math.ceil(sorted.length / 10); i++) top += sorted[i];
  let held = 0;
  let cold = 0;
  let coldTopTopic = 0;
  for (const part of [split.valid, split.test]) {
    for (let r = 0; r < part.users.length; r++) {
      if (part.clicks[r] !== 1) continue;
      held++;
      if (split.coldItems[part.items[r]] !== 1) continue;
      cold++;
      if (truth.userTopTopic[part.users[r]] === truth.itemTopic[part.items[r]]) coldTopTopic++;
    }
  }
  const coldItems = split.coldItems.reduce((a, b) => a + b, 0);
  console.log(
    `| ${seed} | ${all.users.length.toLocaleString('en')} | ${clicks.toLocaleString('en')} | ` +
      `${split.train.users.length.toLocaleString('en')} / ${split.valid.users.length.toLocaleString('en')} / ${split.test.users.length.toLocaleString('en')} | ` +
      `${coldItems.toLocaleString('en')} | ${pct(cold / held)} | ${pct(top / clicks)} | ${pct(topTopic / clicks)} (${pct(chance / clicks)}) | ${pct(coldTopTopic / cold)} |`,
  );
}
