import { innerProducts, TopKCollector } from '@mmrecall/kernels';

// Two queries and five items, dim 2, row-major.
const queries = Float32Array.from([1, 0, 0.5, 0.5]);
const items = Float32Array.from([0.2, 0.9, 0.8, 0.1, 0.8, 0.4, -1, 0, 0.5, 0.5]);
const scores = new Float64Array(2 * 5);
innerProducts({
  left: queries,
  leftStart: 0,
  leftEnd: 2,
  right: items,
  rightStart: 0,
  rightEnd: 5,
  dim: 2,
  out: scores,
});

// The best three items per query; equal scores go to the lower item index.
const ids = new Int32Array(2 * 3);
const best = new Float32Array(2 * 3);
const collector = new TopKCollector(3);
for (let q = 0; q < 2; q++) {
  for (let item = 0; item < 5; item++) {
    const score = scores[q * 5 + item];
    if (score >= collector.threshold) collector.push(item, score);
  }
  collector.drainInto(ids, best, q * 3);
}
console.log(Array.from(ids.subarray(0, 3)).join(' ')); // 1 2 4
console.log(Array.from(ids.subarray(3, 6)).join(' ')); // 2 0 4
