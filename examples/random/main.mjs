import { createRandom, labelSeed, mixSeed, shuffleInPlace } from '@mmrecall/random';

const random = createRandom(1);
console.log(random().toFixed(6)); // 0.627074

// One stream per epoch: reshuffle the same rows differently each epoch, identically each run.
for (let epoch = 0; epoch < 2; epoch++) {
  const order = shuffleInPlace(
    Int32Array.from({ length: 8 }, (_, i) => i),
    createRandom(mixSeed(1, epoch)),
  );
  console.log(`epoch ${epoch}:`, Array.from(order).join(' '));
}

// Independent seeds for named parts of a model.
console.log(labelSeed(1, 'mlp'), labelSeed(1, 'dense_0')); // 1161139471 201118864
