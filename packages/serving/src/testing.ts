// `@mmrecall/serving/testing`: the shared RecallIndex test suite and its seeded data, for packages
// that implement the interface elsewhere (it imports vitest, an optional peer dependency).
export { describeRecallIndexContract, type RecallIndexContractOptions } from './recall-index-contract';
export { bruteForceTopK, clusteredVectors, gaussian, randomVectors, recallAtK } from './test-vectors';
