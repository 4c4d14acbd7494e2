import { evaluateRetrieval, formatMetricsTable, topKInnerProduct } from '@mmrecall/metrics';

// 2 users, 4 items, dim 2
const users = Float32Array.of(1, 0, 0, 1);
const items = Float32Array.of(0.9, 0.1, 0.2, 0.8, 0.7, 0.7, 0.1, 0.1);
const { indices } = topKInnerProduct({
  queries: users,
  numQueries: 2,
  items,
  numItems: 4,
  dim: 2,
  k: 2,
  exclude: { offsets: Int32Array.of(0, 1, 1), values: Int32Array.of(0) }, // user 0 trained on item 0
});
console.log(Array.from(indices)); // [2, 1, 1, 2]

const metrics = evaluateRetrieval({
  topK: indices,
  k: 2,
  numQueries: 2,
  heldOut: { offsets: Int32Array.of(0, 1, 2), values: Int32Array.of(2, 3) },
  coldItems: Uint8Array.of(0, 0, 0, 1),
  itemPopularity: Float32Array.of(5, 3, 2, 0),
  cutoffs: [1, 2],
});
console.log(metrics.cutoffs[2].all.recall, metrics.cutoffs[2].cold.queries, metrics.ecology[2].coverage); // 0.5 1 0.5
console.log(formatMetricsTable({ rows: [{ name: 'toy', metrics }], k: 2 }));
