import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { buildContentNeighbours } from './content-neighbours';

function rowsOf(graph: { offsets: Int32Array; values: Int32Array }): number[][] {
  return Array.from({ length: graph.offsets.length - 1 }, (_, i) =>
    Array.from(graph.values.subarray(graph.offsets[i]!, graph.offsets[i + 1]!)),
  );
}

// Five items on the unit circle (image) and a second vector (audio) that separates {0, 1, 2} from {3, 4}.
const angle = [0, 10, 80, 90, 175].map((degrees) => (degrees * Math.PI) / 180);
const image = { dim: 2, data: Float32Array.from(angle.flatMap((a) => [3 * Math.cos(a), 3 * Math.sin(a)])) };
const audio = { dim: 1, data: Float32Array.from([1, 1, 1, -2, -2]) };

describe('buildContentNeighbours', () => {
  it('ranks candidates by the summed cosine of every vector, never the item itself', () => {
    const graph = buildContentNeighbours({
      vectors: { image, audio },
      names: ['image', 'audio'],
      candidates: Uint8Array.from([1, 1, 1, 1, 1]),
      k: 2,
    });
    // cos(image) + cos(audio): item 0 vs 1: cos 10 + 1 = 1.985, vs 2: cos 80 + 1 = 1.174,
    // vs 3: cos 90 - 1 = -1, vs 4: cos 175 - 1 = -1.996. Item 3 vs 4: cos 85 + 1; vs 2: cos 10 - 1.
    expect(rowsOf(graph)).toEqual([
      [1, 2],
      [0, 2],
      [1, 0],
      [4, 2],
      [3, 2],
    ]);
  });

  it('only lists candidates (warm items), also for the items that are not candidates', () => {
    const graph = buildContentNeighbours({
      vectors: { image, audio },
      names: ['image'],
      candidates: Uint8Array.from([0, 1, 1, 0, 1]),
      k: 2,
    });
    // Image only. Item 0 (cold) vs 1: cos 10, vs 2: cos 80, vs 4: cos 175; item 3 (cold) vs 2: cos 10, vs 1: cos 80, vs 4: cos 85.
    expect(rowsOf(graph)).toEqual([
      [1, 2],
      [2, 4],
      [1, 4],
      [2, 1],
      [2, 1],
    ]);
    // k above the candidate count gives every other candidate.
    const all = buildContentNeighbours({
      vectors: { image },
      names: ['image'],
      candidates: Uint8Array.from([0, 1, 1, 0, 1]),
      k: 10,
    });
    expect(rowsOf(all)).toEqual([
      [1, 2, 4],
      [2, 4],
      [1, 4],
      [2, 1, 4],
      [2, 1],
    ]);
  });

  it('breaks ties by the lower index, so the graph is the same on every run', () => {
    const flat = { dim: 2, data: Float32Array.from([1, 0, 1, 0, 1, 0, 1, 0]) };
    const options = { vectors: { flat }, names: ['flat'], candidates: Uint8Array.from([1, 1, 1, 1]), k: 2 };
    const first = buildContentNeighbours(options);
    expect(rowsOf(first)).toEqual([
      [1, 2],
      [0, 2],
      [0, 1],
      [0, 1],
    ]);
    expect(rowsOf(buildContentNeighbours(options))).toEqual(rowsOf(first));
  });

  it('names the bad argument', () => {
    const base = { vectors: { image }, names: ['image'], candidates: new Uint8Array(5).fill(1), k: 2 };
    expect(() => buildContentNeighbours({ ...base, names: ['text'] })).toThrow(/vector "text"/);
    expect(() => buildContentNeighbours({ ...base, names: [] })).toThrow(InvalidArgumentError);
    expect(() => buildContentNeighbours({ ...base, k: 0 })).toThrow(/k/);
    expect(() => buildContentNeighbours({ ...base, candidates: new Uint8Array(4) })).toThrow(
      ShapeMismatchError,
    );
  });
});
