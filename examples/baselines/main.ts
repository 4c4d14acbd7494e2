import { createInteractionMatrix, fitEase, fitItemKnn } from '@mmrecall/baselines';
import { evaluateRetrieval, topKScores } from '@mmrecall/metrics';

// 3 users x 4 items of training clicks; item 3 is cold (never clicked)
const matrix = createInteractionMatrix({
  users: Int32Array.of(0, 0, 1, 1, 2, 2, 2),
  items: Int32Array.of(0, 1, 1, 2, 0, 1, 2),
  numUsers: 3,
  numItems: 4,
});
const ease = fitEase({ matrix, lambda: 0.5 }); // choose lambda on the validation split
const { indices } = topKScores({
  numQueries: 3,
  numItems: 4,
  k: 2,
  exclude: { offsets: matrix.offsets, values: matrix.items }, // mask training items
  score: (start, end, out) =>
    ease.scoreUsers({ users: Int32Array.from({ length: end - start }, (_, q) => start + q), out }),
});
console.log(Array.from(indices)); // [2, 3, 0, 3, 3, -1]: user 0 gets item 2, user 1 item 0
const metrics = evaluateRetrieval({
  topK: indices,
  k: 2,
  numQueries: 3,
  heldOut: { offsets: Int32Array.of(0, 1, 2, 2), values: Int32Array.of(2, 3) },
  coldItems: Uint8Array.of(0, 0, 0, 1),
  itemPopularity: Float32Array.of(2, 3, 2, 0),
});
console.log(metrics.cutoffs[2].all.recall); // 1: user 0 finds item 2, user 1 finds the cold item 3 at rank 2
console.log(fitItemKnn({ matrix, neighbours: 50 }).similarities.length); // 6 similar-item pairs
