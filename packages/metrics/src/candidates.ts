import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { createRandom, shuffleInPlace } from '@mmrecall/random';
import { type CsrLists, validateCsr } from './top-k';

/**
 * Which items a held-out interaction is ranked among. `all`: the whole catalogue (the default
 * full-ranking protocol). `warm` / `cold`: the cold-start literature's protocol, where the warm
 * (cold) test interactions are ranked among the warm (cold) items only.
 */
export type CandidateSet = 'all' | 'warm' | 'cold';

/** The candidate sets, for option parsing. */
export const CANDIDATE_SETS: readonly CandidateSet[] = ['all', 'warm', 'cold'];

/** Options of {@link applyCandidateProtocol}. */
export interface ApplyCandidateProtocolOptions {
  /** Which items are candidates (and which held-out items are kept). */
  candidates: CandidateSet;
  /** 1 = cold item; its length is the catalogue size. */
  coldItems: Uint8Array;
  /** Each query's held-out items (CSR). */
  heldOut: CsrLists;
  /** Keep at most this many of the remaining queries (a seeded shuffle's first `maxQueries`, kept in ascending order); 0 = all. Default 0. */
  maxQueries?: number;
  /** Seed of the subsample. Default 0. */
  seed?: number;
}

/** What {@link applyCandidateProtocol} returns. */
export interface CandidateProtocol {
  /** The query rows kept (ascending indices into the input `heldOut`): those with a held-out candidate item. */
  queries: Int32Array;
  /** Held-out items of the kept queries restricted to candidate items (one row per kept query). */
  heldOut: CsrLists;
  /** 1 = candidate item, for `topKInnerProduct`/`topKScores`; undefined for `all`. */
  candidateMask?: Uint8Array;
}

/**
 * Restricts an evaluation to one candidate set: the held-out items outside it are dropped, queries
 * left without held-out items are dropped, the rest optionally subsampled to `maxQueries`, and a
 * candidate mask is returned so the ranking only ever contains candidate items. With `all` and no
 * cap, queries and held-out items pass through unchanged.
 */
export function applyCandidateProtocol(options: ApplyCandidateProtocolOptions): CandidateProtocol {
  const { candidates, coldItems, heldOut } = options;
  const maxQueries = options.maxQueries ?? 0;
  if (!CANDIDATE_SETS.includes(candidates))
    throw new InvalidArgumentError({
      argument: 'candidates',
      message: `must be one of ${CANDIDATE_SETS.join(', ')}, got ${JSON.stringify(candidates)}`,
    });
  if (!Number.isInteger(maxQueries) || maxQueries < 0)
    throw new InvalidArgumentError({
      argument: 'maxQueries',
      message: `must be an integer >= 0, got ${maxQueries}`,
    });
  const numQueries = heldOut.offsets.length - 1;
  if (numQueries < 0)
    throw new ShapeMismatchError({
      message: 'heldOut.offsets must not be empty',
      expected: [1],
      actual: [0],
    });
  const numItems = coldItems.length;
  validateCsr(heldOut, numQueries, numItems, 'heldOut');
  const keepItem = (item: number): boolean =>
    candidates === 'all' || (candidates === 'cold') === (coldItems[item] === 1);
  let kept: number[] = [];
  for (let q = 0; q < numQueries; q++) {
    for (let e = heldOut.offsets[q]!; e < heldOut.offsets[q + 1]!; e++) {
      if (keepItem(heldOut.values[e]!)) {
        kept.push(q);
        break;
      }
    }
  }
  if (maxQueries > 0 && kept.length > maxQueries) {
    kept = shuffleInPlace(kept, createRandom(options.seed ?? 0))
      .slice(0, maxQueries)
      .sort((a, b) => a - b);
  }
  const offsets = new Int32Array(kept.length + 1);
  const values: number[] = [];
  kept.forEach((q, row) => {
    for (let e = heldOut.offsets[q]!; e < heldOut.offsets[q + 1]!; e++) {
      const item = heldOut.values[e]!;
      if (keepItem(item)) values.push(item);
    }
    offsets[row + 1] = values.length;
  });
  const result: CandidateProtocol = {
    queries: Int32Array.from(kept),
    heldOut: { offsets, values: Int32Array.from(values) },
  };
  if (candidates !== 'all') {
    result.candidateMask = Uint8Array.from(coldItems, (cold) =>
      (candidates === 'cold') === (cold === 1) ? 1 : 0,
    );
  }
  return result;
}
