import { generateSyntheticDataset } from '@mmrecall/synthetic';

const { dataset, split, truth } = generateSyntheticDataset({ preset: 'tiny', seed: 7 });

console.log(dataset.users.size, dataset.items.size); // 300 400
console.log(split.train.users.length, split.valid.users.length, split.test.users.length); // 7268 862 853
console.log(Object.keys(dataset.content.vectors)); // [ 'image', 'text' ]

// Held-out clicks on cold items usually go to users whose strongest topic is the item's topic.
let coldClicks = 0;
let sameTopic = 0;
for (let r = 0; r < split.test.users.length; r++) {
  const item = split.test.items[r]!;
  if (split.test.clicks![r] !== 1 || split.coldItems[item] !== 1) continue;
  coldClicks++;
  if (truth.userTopTopic[split.test.users[r]!] === truth.itemTopic[item]) sameTopic++;
}
console.log(`cold test clicks: ${coldClicks}, on the user's top topic: ${sameTopic}`); // 66, 52
