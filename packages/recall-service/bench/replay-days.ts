// The replay's day loop, shared by bench/replay.ts and its test: stream each day's events into the
// arms that take them, wait until the index holds every touched item, then ask every arm for each
// query's top K and score the lists against the day's clicks.
import { evaluateRetrieval } from '@mmrecall/metrics';

import type { EventInput, RecallService } from '../src/index';

/** One recall service under test. */
export interface ReplayArm {
  /** Column label, e.g. `frozen`, `live`. */
  name: string;
  service: RecallService;
  /** Whether the day's events are sent to it (live statistics) or not (frozen at training time). */
  streams: boolean;
}

/** One user's query of a day. */
export interface ReplayQuery {
  userId: string;
  /** Items masked from the list (the user's earlier clicks). */
  exclude: readonly string[];
  /** The items the user clicked that day (the held-out set). */
  heldOut: readonly string[];
}

/** One evaluated day. */
export interface ReplayDay {
  label: string;
  /** Events since the previous day's evaluation, in time order (sent to streaming arms first). */
  events: readonly EventInput[];
  queries: readonly ReplayQuery[];
}

/** What one arm scored on one day. */
export interface ArmDayResult {
  /** Recall@K over every held-out click, and restricted to warm and to cold items (NaN: none). */
  recall: number;
  recallWarm: number;
  recallCold: number;
  /** Share of the recalled slots holding cold items. */
  coldShare: number;
  /** Queries with at least one held-out item. */
  queries: number;
  /** Recall@K of each query, in the day's query order (for paired comparisons between arms). */
  perQuery: Float64Array;
  /** Share of the recalled items that are not in the first arm's list for the same query. */
  changedSlots: number;
  /** Seconds from the first event sent to every touched item being in the index (0 for frozen arms). */
  applySeconds: number;
}

/** Options of {@link replayDays}. */
export interface ReplayDaysOptions {
  arms: readonly ReplayArm[];
  days: readonly ReplayDay[];
  /** List length K. */
  k: number;
  /** The catalogue's item ids; row `i` of `coldItems` and `itemPopularity` belongs to `itemIds[i]`. */
  itemIds: readonly string[];
  /** 1 = item without a training click. */
  coldItems: Uint8Array;
  /** Training clicks per item (the long tail; only needed by the metrics' signature). */
  itemPopularity: Float32Array;
  /** Events per `recordEvents` call. Default 10,000 (the service's default limit). */
  eventBatch?: number;
  /** Called after each day with its results. */
  onDay?: (day: ReplayDay, results: Record<string, ArmDayResult>) => void;
}

/** Runs the replay; one result per day and arm. */
export async function replayDays(options: ReplayDaysOptions): Promise<Record<string, ArmDayResult>[]> {
  const { arms, days, k, itemIds, coldItems, itemPopularity } = options;
  const eventBatch = options.eventBatch ?? 10_000;
  const rowOf = new Map(itemIds.map((id, row) => [id, row]));
  const rowsOf = (ids: readonly string[]): number[] =>
    ids.map((id) => {
      const row = rowOf.get(id);
      if (row === undefined) throw new Error(`replay: item "${id}" is not in the catalogue`);
      return row;
    });
  const results: Record<string, ArmDayResult>[] = [];
  for (const day of days) {
    const applySeconds = new Map<string, number>();
    for (const arm of arms) {
      if (!arm.streams || day.events.length === 0) continue;
      const started = performance.now();
      for (let start = 0; start < day.events.length; start += eventBatch) {
        await arm.service.recordEvents({ events: day.events.slice(start, start + eventBatch) });
      }
      await arm.service.eventsApplied();
      applySeconds.set(arm.name, (performance.now() - started) / 1000);
    }
    const offsets = new Int32Array(day.queries.length + 1);
    const values: number[] = [];
    day.queries.forEach((query, q) => {
      values.push(...rowsOf(query.heldOut));
      offsets[q + 1] = values.length;
    });
    const heldOut = { offsets, values: Int32Array.from(values) };
    const dayResults: Record<string, ArmDayResult> = {};
    let firstTopK: Int32Array | undefined;
    for (const arm of arms) {
      const topK = new Int32Array(day.queries.length * k).fill(-1);
      const lists = await Promise.all(
        day.queries.map((query) => arm.service.u2i({ userId: query.userId, k, exclude: [...query.exclude] })),
      );
      lists.forEach((list, q) => {
        rowsOf(list.items.map((item) => item.id)).forEach((row, slot) => {
          topK[q * k + slot] = row;
        });
      });
      firstTopK ??= topK;
      let changed = 0;
      for (let q = 0; q < day.queries.length; q++) {
        const first = new Set(firstTopK.subarray(q * k, (q + 1) * k));
        for (const row of topK.subarray(q * k, (q + 1) * k)) if (!first.has(row)) changed++;
      }
      const evaluation = evaluateRetrieval({
        topK,
        k,
        numQueries: day.queries.length,
        heldOut,
        coldItems,
        itemPopularity,
      });
      const accuracy = evaluation.cutoffs[k]!;
      const perQuery = Float64Array.from(day.queries, (query, q) => {
        const held = new Set(rowsOf(query.heldOut));
        let hits = 0;
        for (const row of topK.subarray(q * k, (q + 1) * k)) if (held.delete(row)) hits++;
        return hits / new Set(query.heldOut).size;
      });
      dayResults[arm.name] = {
        recall: accuracy.all.recall,
        recallWarm: accuracy.warm.recall,
        recallCold: accuracy.cold.recall,
        coldShare: evaluation.ecology[k]!.coldShare,
        queries: accuracy.all.queries,
        perQuery,
        changedSlots: topK.length === 0 ? 0 : changed / topK.length,
        applySeconds: applySeconds.get(arm.name) ?? 0,
      };
    }
    options.onDay?.(day, dayResults);
    results.push(dayResults);
  }
  return results;
}
