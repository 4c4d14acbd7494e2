import { createCallWatchdog, createHnswIndex, guardRecallIndex } from '@mmrecall/serving';

const watchdog = createCallWatchdog({ budgetMs: 1000, killAfterMs: 4000, maxEventLoopStallMs: 30_000 });
const index = guardRecallIndex({ index: createHnswIndex({ dim: 4, metric: 'ip' }), watchdog, name: 'items' });
// every index.search / searchBatch / upsert / remove / has / size now runs under the budget
index.upsert({ keys: [1, 2], vectors: new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]) });
console.log(index.search({ query: new Float32Array([1, 0.1, 0, 0]), k: 1 }).keys); // Int32Array [1]
// readiness: answer 503 once watchdog.healthy is false (watchdog.overrun says which call)
console.log('healthy', watchdog.healthy); // healthy true
await watchdog.dispose();
