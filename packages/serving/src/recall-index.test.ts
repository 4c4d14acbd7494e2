// The shared RecallIndex suite (recall-index-contract.ts) against both in-process implementations.
import { createExactIndex, loadExactIndex } from './exact-index';
import { createHnswIndex, loadHnswIndex } from './hnsw-index';
import { describeRecallIndexContract } from './recall-index-contract';

const DIM = 8;

describeRecallIndexContract({
  name: 'exact',
  dim: DIM,
  create: (metric) => createExactIndex({ dim: DIM, metric, capacity: 4 }),
  load: (path) => loadExactIndex({ path }),
});

describeRecallIndexContract({
  name: 'hnsw',
  dim: DIM,
  // An expansion larger than the index makes the search visit every reachable node, and a
  // single-threaded build leaves every node reachable (see hnsw-index.test.ts), so results are exact.
  create: (metric) => createHnswIndex({ dim: DIM, metric, expansionSearch: 512, threads: 1 }),
  load: (path) => loadHnswIndex({ path, expansionSearch: 512 }),
});
