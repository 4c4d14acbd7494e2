import { itemStatisticsFromCounts } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import type { LiveItemModel } from './serving-model';

const SECONDS_PER_DAY = 86_400;

/** One exposure or click of a training item, as the live loop counts it. */
export interface LiveEvent {
  /** Row of the item among the artifacts' training items. */
  row: number;
  /** `click`: an exposure that was clicked (counts as one exposure and one click); `exposure`: not clicked. */
  type: 'exposure' | 'click';
  /** Unix seconds. */
  at: number;
}

/** Gate and fused embedding of touched items, recomputed from their live statistics. */
export interface LiveUpdate {
  /** Training rows, ascending. */
  rows: Int32Array;
  /** Row-major `rows.length x dim`. */
  embeddings: Float32Array;
  /** Gate value per row. */
  gates: Float32Array;
  /** Newest event time (unix seconds) that each row's update reflects. */
  eventTimes: Float64Array;
}

/** Options of {@link createLiveStatistics}. */
export interface CreateLiveStatisticsOptions {
  /** The model's live-loop view (`ServingModel.live`). */
  model: LiveItemModel;
  /**
   * Half-life of exposures and clicks in days: a count of age `t` weighs `2^(-t / halfLifeDays)`,
   * training counts aged from the statistics' reference time. Default: no decay (the training rule).
   */
  halfLifeDays?: number;
  /** Most items recomputed per {@link LiveStatistics.nextUpdate}. Default 256. */
  batchSize?: number;
}

/** Per-item posterior statistics that grow with events, and the items whose embedding they change. */
export interface LiveStatistics {
  /** Counts events (validated by the caller: known rows, finite times). */
  record(events: readonly LiveEvent[]): void;
  /** Warm items whose statistics changed since their last update. */
  readonly pending: number;
  /** The statistics' reference time: the later of the training reference time and the newest event. */
  readonly now: number;
  /** Current exposures and clicks of a row (decayed to `now`). */
  countsOf(row: number): { exposures: number; clicks: number };
  /**
   * Recomputes gate and fused embedding of up to `batchSize` pending items (one batch through the
   * model's gate); undefined when none is pending. Cold items (no trained ID row) never become
   * pending: they stay on their content embedding, while their counts still grow.
   */
  nextUpdate(): Promise<LiveUpdate | undefined>;
}

/**
 * The live loop's statistics: the training counts plus arriving events, smoothed and aged with the
 * training rules (`itemStatisticsFromCounts` of `@mmrecall/data`), optionally decayed.
 */
export function createLiveStatistics(options: CreateLiveStatisticsOptions): LiveStatistics {
  const { model } = options;
  const batchSize = options.batchSize ?? 256;
  const halfLife = options.halfLifeDays;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError({
      argument: 'batchSize',
      message: `must be an integer >= 1, got ${batchSize}`,
    });
  }
  if (halfLife !== undefined && !(halfLife > 0 && Number.isFinite(halfLife))) {
    throw new InvalidArgumentError({
      argument: 'halfLifeDays',
      message: `must be a finite number > 0, got ${halfLife}`,
    });
  }
  const trained = model.trained;
  const numItems = trained.warm.length;
  // Counts are kept as of `countedAt[row]` and decayed from there (without decay the time is unused).
  const exposures = Float64Array.from(trained.exposures);
  const clicks = Float64Array.from(trained.clicks);
  const countedAt = new Float64Array(numItems).fill(trained.referenceTime);
  const firstSeen = Float64Array.from(trained.firstSeen);
  const lastEvent = new Float64Array(numItems).fill(Number.NaN);
  let now = trained.referenceTime;
  const pending = new Set<number>();
  const version = new Uint32Array(numItems);

  const weight = (from: number, to: number): number =>
    halfLife === undefined || !Number.isFinite(from) || !Number.isFinite(to)
      ? 1
      : 2 ** (-(to - from) / (halfLife * SECONDS_PER_DAY));

  const decayTo = (row: number, time: number): void => {
    const from = countedAt[row]!;
    if (Number.isFinite(from) && time <= from) return;
    const factor = weight(from, time);
    exposures[row]! *= factor;
    clicks[row]! *= factor;
    countedAt[row] = time;
  };

  return {
    record(events) {
      for (const event of events) {
        const { row, at } = event;
        if (!(Number.isInteger(row) && row >= 0 && row < numItems) || !Number.isFinite(at)) {
          throw new InvalidArgumentError({
            argument: 'events',
            message: `row ${row} must be a training row below ${numItems} and at (${at}) finite`,
          });
        }
        decayTo(row, at);
        // An event older than the row's counts weighs what its age at countedAt says.
        const added = weight(at, countedAt[row]!);
        exposures[row]! += added;
        if (event.type === 'click') clicks[row]! += added;
        if (!(at >= firstSeen[row]!)) firstSeen[row] = at;
        if (!(at <= lastEvent[row]!)) lastEvent[row] = at;
        if (!(at <= now)) now = at;
        version[row]!++;
        if (trained.warm[row] === 1) pending.add(row);
      }
    },
    get pending() {
      return pending.size;
    },
    get now() {
      return now;
    },
    countsOf(row) {
      const factor = weight(countedAt[row]!, now);
      return { exposures: exposures[row]! * factor, clicks: clicks[row]! * factor };
    },
    async nextUpdate() {
      if (pending.size === 0) return undefined;
      const rows = Int32Array.from([...pending].slice(0, batchSize)).sort();
      const size = rows.length;
      const batchExposures = new Float32Array(size);
      const batchClicks = new Float32Array(size);
      const batchFirstSeen = new Float64Array(size);
      const eventTimes = new Float64Array(size);
      const versions = Uint32Array.from(rows, (row) => version[row]!);
      rows.forEach((row, n) => {
        const factor = weight(countedAt[row]!, now);
        batchExposures[n] = exposures[row]! * factor;
        batchClicks[n] = clicks[row]! * factor;
        batchFirstSeen[n] = firstSeen[row]!;
        eventTimes[n] = lastEvent[row]!;
      });
      const statistics = itemStatisticsFromCounts({
        exposures: batchExposures,
        clicks: batchClicks,
        firstSeen: batchFirstSeen,
        now,
        ctrPrior: trained.ctrPrior,
      });
      const { embeddings, gates } = await model.fuse({ rows, statistics });
      // Rows recorded again while the model ran stay pending for the next batch.
      for (let n = 0; n < size; n++) {
        if (version[rows[n]!] === versions[n]) pending.delete(rows[n]!);
      }
      return { rows, embeddings, gates, eventTimes };
    },
  };
}
