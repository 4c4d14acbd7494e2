import { InvalidArgumentError } from '@mmrecall/errors';
import { InvalidSearchSpaceError } from './errors';
import { checkTrials, type SearchSpace } from './search-space';
import { meanAndStd } from './seed-statistics';
import { planTrials, type TrialPlan, type TrialSettings } from './trials';

/** One finished trial: its settings and the validation metric of each seed. */
export interface TrialRecord {
  /** 1-based trial number. */
  trial: number;
  settings: TrialSettings;
  /** Training seeds run (base seed, base seed + 1, ...). */
  seeds: number[];
  /** Validation metric per seed, in the order of `seeds`. */
  values: number[];
  /** Mean of `values`. */
  mean: number;
  /** Sample standard deviation of `values` (0 with one seed). */
  std: number;
  /** Wall time of the trial (all seeds). */
  seconds: number;
}

/** What one seed of one trial gives back: its validation metric and, optionally, what to keep. */
export interface TrialOutcome<TKept> {
  /** The validation metric (higher is better). */
  value: number;
  /**
   * Something to keep for the test run if this trial wins (the trained model of the first seed,
   * say): the winner's is passed to `testWinner`, every other one to `release`.
   */
  kept?: TKept;
}

/** Options of {@link runTuning}. */
export interface RunTuningOptions<TTest, TKept = never> {
  space: SearchSpace;
  /** Trial budget; overrides `budget.trials` of the space. */
  trials?: number;
  /** Wall-time budget in minutes; overrides `budget.minutes`: no new trial starts after it. */
  minutes?: number;
  /** Seeds per trial (the metric is their mean). Default 1. */
  seeds?: number;
  /** First training seed; trial seeds are baseSeed, baseSeed + 1, ... Default 0. */
  baseSeed?: number;
  /**
   * Trains one seed of one trial and returns its **validation** metric (higher is better). The
   * search never sees anything else: test data must not be touched here.
   */
  runTrial: (args: { trial: number; settings: TrialSettings; seed: number }) => Promise<TrialOutcome<TKept>>;
  /** Evaluates the winner on test, once, after the search (with what its first seed kept, if anything). */
  testWinner: (args: { trial: TrialRecord; kept?: TKept }) => Promise<TTest>;
  /** Frees what a trial kept once it can no longer win (and what a later seed kept). */
  release?: (kept: TKept) => void;
  /** After each trial (progress line): the record, the plan size and the best trial so far. */
  onTrialEnd?: (args: { record: TrialRecord; planned: number; best: TrialRecord }) => void;
  /** Clock in milliseconds (tests). Default `performance.now`. */
  now?: () => number;
}

/** What {@link runTuning} returns. */
export interface TuningResult<TTest> {
  plan: TrialPlan;
  /** Trials run, in order (fewer than planned when the time budget ran out). */
  trials: TrialRecord[];
  /** The trial with the highest mean validation metric (the earliest on ties). */
  best: TrialRecord;
  /** Set when `minutes` stopped the search before the plan's end. */
  stoppedByTime: boolean;
  /** What `testWinner` returned. */
  test: TTest;
}

/** Ranks trials: higher mean first; NaN last; the earlier trial wins a tie. */
function better(a: TrialRecord, b: TrialRecord): boolean {
  const x = Number.isNaN(a.mean) ? Number.NEGATIVE_INFINITY : a.mean;
  const y = Number.isNaN(b.mean) ? Number.NEGATIVE_INFINITY : b.mean;
  return x > y;
}

/**
 * Validation-only model selection: runs the planned trials (each with `seeds` seeds), picks the one
 * with the best mean validation metric, then calls `testWinner` once for it. Test is evaluated
 * once, after the search, and only for the winner.
 */
export async function runTuning<TTest, TKept = never>(
  options: RunTuningOptions<TTest, TKept>,
): Promise<TuningResult<TTest>> {
  const { space } = options;
  const now = options.now ?? (() => performance.now());
  const optionError = (argument: string, message: string): never => {
    throw new InvalidArgumentError({ argument, message });
  };
  const trials =
    options.trials === undefined
      ? space.trials
      : checkTrials(options.trials, (message) => optionError('trials', message));
  const seeds = options.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1) optionError('seeds', `must be an integer >= 1, got ${seeds}`);
  const minutes = options.minutes ?? space.minutes;
  if (minutes !== undefined && !(Number.isFinite(minutes) && minutes > 0))
    optionError('minutes', `must be a number > 0, got ${minutes}`);
  if (trials === undefined && space.dimensions.some((dimension) => dimension.type === 'range'))
    throw new InvalidSearchSpaceError({
      file: space.file,
      field: 'budget.trials',
      message: 'is required when the space has a range { min, max } (or pass a trial budget)',
    });
  const plan = planTrials({ space, ...(trials === undefined ? {} : { trials }) });
  const baseSeed = options.baseSeed ?? 0;
  const started = now();
  const records: TrialRecord[] = [];
  let best: TrialRecord | undefined;
  let bestKept: TKept | undefined;
  let stoppedByTime = false;
  const release = (kept: TKept | undefined) => {
    if (kept !== undefined) options.release?.(kept);
  };
  for (const [index, settings] of plan.settings.entries()) {
    if (index > 0 && minutes !== undefined && now() - started >= minutes * 60_000) {
      stoppedByTime = true;
      break;
    }
    const trialStarted = now();
    const seedList = Array.from({ length: seeds }, (_, s) => baseSeed + s);
    const values: number[] = [];
    let kept: TKept | undefined;
    try {
      for (const seed of seedList) {
        const outcome = await options.runTrial({ trial: index + 1, settings, seed });
        values.push(outcome.value);
        if (kept === undefined) kept = outcome.kept;
        else release(outcome.kept);
      }
    } catch (error) {
      release(kept);
      release(bestKept);
      throw error;
    }
    const record: TrialRecord = {
      trial: index + 1,
      settings,
      seeds: seedList,
      values,
      ...meanAndStd(values),
      seconds: (now() - trialStarted) / 1000,
    };
    records.push(record);
    if (best === undefined || better(record, best)) {
      release(bestKept);
      best = record;
      bestKept = kept;
    } else {
      release(kept);
    }
    options.onTrialEnd?.({ record, planned: plan.settings.length, best });
  }
  if (best === undefined) throw new Error('runTuning: no trial ran');
  let test: TTest;
  try {
    test = await options.testWinner({ trial: best, ...(bestKept === undefined ? {} : { kept: bestKept }) });
  } finally {
    release(bestKept);
  }
  return { plan, trials: records, best, stoppedByTime, test };
}
