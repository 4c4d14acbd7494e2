export { createRandom, type RandomSource, randomInt, shuffleInPlace, uniformArray } from './random';
export { labelSeed, mixSeed, saltSeed } from './seeds';
