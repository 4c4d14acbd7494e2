import type { ItemContent, ItemStatistics, MultiHot } from '@mmrecall/data';
import { defaultModelConfig } from './config';
import type { ModelKind, RecallModelConfig } from './types';

/** A small deterministic catalogue for tests: 40 items, 12 users, tags, two vectors. */
export function tinyFixture(kind: ModelKind, overrides: Partial<{ nodeIds: boolean }> = {}) {
  const numItems = 40;
  const numUsers = 12;
  let state = 7;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const vector = (dim: number) => Float32Array.from({ length: numItems * dim }, () => random() * 2 - 1);
  const tagOffsets = new Int32Array(numItems + 1);
  const tagValues: number[] = [];
  for (let i = 0; i < numItems; i++) {
    tagValues.push(i % 5, 5 + (i % 3));
    tagOffsets[i + 1] = tagValues.length;
  }
  const vocabulary = Array.from({ length: 8 }, (_, i) => `tag${i}`);
  const tags: MultiHot = {
    vocabulary: {
      ids: vocabulary,
      size: vocabulary.length,
      indexOf: (id: string) => {
        const index = vocabulary.indexOf(id);
        return index < 0 ? undefined : index;
      },
    },
    offsets: tagOffsets,
    values: Int32Array.from(tagValues),
  };
  const content: ItemContent = {
    tags,
    vectors: { image: { dim: 6, data: vector(6) }, text: { dim: 4, data: vector(4) } },
  };
  const warm = new Uint8Array(numItems).map((_, i) => (i < 30 ? 1 : 0));
  const exposures = Float32Array.from({ length: numItems }, (_, i) => (i < 30 ? (i + 1) * 10 : 0));
  const clicks = Float32Array.from(exposures, (e) => e / 10);
  const statistics: ItemStatistics = {
    exposures,
    clicks,
    ctr: Float32Array.from(exposures, (e, i) => (clicks[i]! + 1) / (e + 10)),
    age: Float32Array.from({ length: numItems }, (_, i) => (i < 30 ? 30 - i : 0)),
  };
  const history = { offsets: new Int32Array(numUsers + 1), values: new Int32Array(numUsers * 3) };
  for (let u = 0; u < numUsers; u++) {
    for (let j = 0; j < 3; j++) history.values[u * 3 + j] = (u * 3 + j) % 30;
    history.offsets[u + 1] = (u + 1) * 3;
  }
  const config: RecallModelConfig = defaultModelConfig({
    kind,
    numUsers,
    numItems,
    dim: 8,
    seed: 3,
    tags: { vocabularySize: 8 },
    vectors: { image: { dim: 6 }, text: { dim: 4 } },
    historyLength: 5,
    ...(overrides.nodeIds ? { nodeIds: { nodesPerLevel: [3, 9], vectors: ['image'] } } : {}),
  });
  config.posteriorScale = { logExposures: Math.log1p(300), logClicks: Math.log1p(30), age: Math.log1p(30) };
  return { config, content, warm, statistics, history, numItems, numUsers, vocabulary };
}
