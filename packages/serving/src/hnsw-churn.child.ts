// Run by hnsw-churn.test.ts in a child process (`node --import tsx`), so that a native call that
// never returns fails the test by timeout instead of hanging the test runner. Not part of the build.
//
// Workload (what an item catalog does): `rows` trained keys, then PUT/DELETE churn over `ids` ids;
// a PUT of a live id replaces its vector under the same key, a PUT of a deleted id gives it a fresh
// key above every key used so far. After each phase the HNSW index is checked against a plain map
// and an exact index that saw the same operations. Prints one JSON line per phase, then `done`.
import { createExactIndex } from './exact-index';
import { createHnswIndex } from './hnsw-index';
import { gaussian } from './test-vectors';

interface ChurnArgs {
  rows: number;
  dim: number;
  ids: number;
  operations: number;
  phases: number;
  seed: number;
}

/** What one phase found; every `*Mismatches` must be 0 for a healthy index. */
export interface ChurnPhaseReport {
  phase: number;
  operationsDone: number;
  nextKey: number;
  size: number;
  expectedSize: number;
  /** Live keys for which `has` is false plus deleted keys for which it is true. */
  hasMismatches: number;
  /** `remove` calls during the phase whose answer differed from the expected 1 (live) or 0 (absent). */
  removeMismatches: number;
  /** Index calls during the phase that threw (the churn goes on after one, as a server would). */
  failedCalls: number;
  /** Keys returned by search that are not live (ghosts). */
  ghostResults: number;
  /** Live keys missing from one `k = size` search (unreachable nodes). */
  unreachable: number;
  /** Mean recall@10 of 50 queries against the exact index over the same live rows. */
  recallAt10: number;
  /** Last phase only: the same for an index built from scratch over the same live rows. */
  freshRecallAt10?: number;
}

function parseArgs(argv: readonly string[]): ChurnArgs {
  const values = new Map<string, number>();
  for (let i = 0; i + 1 < argv.length; i += 2)
    values.set((argv[i] as string).replace(/^--/, ''), Number(argv[i + 1]));
  const get = (name: string, fallback: number): number => values.get(name) ?? fallback;
  return {
    rows: get('rows', 3000),
    dim: get('dim', 32),
    ids: get('ids', 500),
    operations: get('operations', 50_000),
    phases: get('phases', 10),
    seed: get('seed', 9883),
  };
}

function run(args: ChurnArgs): void {
  const { rows, dim, ids, operations, phases } = args;
  const normal = gaussian(args.seed);
  const unit = (): Float32Array => {
    const v = new Float32Array(dim);
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      v[d] = normal();
      norm += (v[d] as number) ** 2;
    }
    for (let d = 0; d < dim; d++) v[d] = (v[d] as number) / Math.sqrt(norm);
    return v;
  };
  const hnsw = createHnswIndex({ dim, metric: 'ip', threads: 1 });
  const exact = createExactIndex({ dim, metric: 'ip' });
  const initial = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) initial.set(unit(), r * dim);
  const initialKeys = Int32Array.from({ length: rows }, (_, i) => i);
  hnsw.upsert({ keys: initialKeys, vectors: initial });
  exact.upsert({ keys: initialKeys, vectors: initial });

  // Churned ids 0..ids-1 are trained keys 0..ids-1 at first; a deleted id comes back under a fresh key.
  const keyOfId = new Map<number, number>();
  for (let id = 0; id < ids; id++) keyOfId.set(id, id);
  const live = new Set<number>(initialKeys);
  const vectorOfKey = new Map<number, Float32Array>();
  for (let r = 0; r < rows; r++) vectorOfKey.set(r, initial.subarray(r * dim, (r + 1) * dim));
  const retired: number[] = [];
  let nextKey = rows;
  const uniform = (): number => Math.abs(normal() * 1e6) % 1;
  const perPhase = Math.ceil(operations / phases);
  let done = 0;
  for (let phase = 1; phase <= phases; phase++) {
    let removeMismatches = 0;
    let failedCalls = 0;
    const attempt = (call: () => void): void => {
      try {
        call();
      } catch (error) {
        failedCalls++;
        if (failedCalls === 1)
          process.stderr.write(`operation ${done}: ${String((error as Error).cause ?? error)}\n`);
      }
    };
    for (let i = 0; i < perPhase && done < operations; i++, done++) {
      const id = Math.floor(uniform() * ids);
      const key = keyOfId.get(id);
      if (uniform() < 0.5) {
        const target = key ?? nextKey++;
        keyOfId.set(id, target);
        const vector = unit();
        attempt(() => hnsw.upsert({ keys: [target], vectors: vector }));
        exact.upsert({ keys: [target], vectors: vector });
        live.add(target);
        vectorOfKey.set(target, vector);
      } else if (key !== undefined) {
        attempt(() => {
          if (hnsw.remove({ keys: [key] }) !== 1) removeMismatches++;
        });
        exact.remove({ keys: [key] });
        keyOfId.delete(id);
        live.delete(key);
        vectorOfKey.delete(key);
        retired.push(key);
      } else {
        // DELETE of an id that is not live: must remove nothing (its last key, if any, is gone).
        const absent = retired.length > 0 ? (retired[retired.length - 1] as number) : nextKey + 1;
        attempt(() => {
          if (hnsw.remove({ keys: [absent] }) !== 0) removeMismatches++;
        });
      }
    }
    let hasMismatches = 0;
    for (const key of live) if (!hnsw.has(key)) hasMismatches++;
    for (const key of retired) if (!live.has(key) && hnsw.has(key)) hasMismatches++;
    const everything = hnsw.search({ query: unit(), k: hnsw.size + 10 });
    let ghostResults = 0;
    const seen = new Set<number>();
    for (const key of everything.keys) {
      if (!live.has(key)) ghostResults++;
      seen.add(key);
    }
    let unreachable = 0;
    for (const key of live) if (!seen.has(key)) unreachable++;
    const queries = 50;
    const queryVectors = Array.from({ length: queries }, unit);
    let hits = 0;
    for (const query of queryVectors) {
      const truth = new Set(exact.search({ query, k: 10 }).keys);
      for (const key of hnsw.search({ query, k: 10 }).keys) {
        if (truth.has(key)) hits++;
        if (!live.has(key)) ghostResults++;
      }
    }
    let freshRecallAt10: number | undefined;
    if (phase === phases) {
      const liveKeys = Int32Array.from(live);
      const fresh = createHnswIndex({ dim, metric: 'ip', threads: 1 });
      const liveVectors = new Float32Array(liveKeys.length * dim);
      liveKeys.forEach((key, i) => {
        liveVectors.set(vectorOfKey.get(key) as Float32Array, i * dim);
      });
      fresh.upsert({ keys: liveKeys, vectors: liveVectors });
      let freshHits = 0;
      for (const query of queryVectors) {
        const truth = new Set(exact.search({ query, k: 10 }).keys);
        for (const key of fresh.search({ query, k: 10 }).keys) if (truth.has(key)) freshHits++;
      }
      freshRecallAt10 = freshHits / (queries * 10);
    }
    const report: ChurnPhaseReport = {
      phase,
      operationsDone: done,
      nextKey,
      size: hnsw.size,
      expectedSize: live.size,
      hasMismatches,
      removeMismatches,
      failedCalls,
      ghostResults,
      unreachable,
      recallAt10: hits / (queries * 10),
      ...(freshRecallAt10 === undefined ? {} : { freshRecallAt10 }),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }
  process.stdout.write('done\n');
}

run(parseArgs(process.argv.slice(2)));
