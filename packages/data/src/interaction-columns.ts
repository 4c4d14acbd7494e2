import { InvalidDatasetError } from '@mmrecall/errors';
import { GrowableArray } from './growable-array';
import type { Interactions } from './types';

/** Unit of a timestamp column: seconds, milliseconds, or `auto` (detected from the values). */
export type TimestampUnit = 's' | 'ms' | 'auto';

/** Largest plausible Unix time in seconds (year 5138); larger values are taken for milliseconds. */
const MAX_SECONDS = 1e11;
/** Largest plausible Unix time in milliseconds (year 5138); larger values are microseconds or worse. */
const MAX_MILLISECONDS = 1e14;

/** Options of {@link applyTimestampUnit}. */
export interface ApplyTimestampUnitOptions {
  /** Timestamps as read; converted to seconds in place. */
  timestamps: Float64Array;
  unit: TimestampUnit;
  /** Largest value and its line (row), for detection and messages. */
  max: number;
  maxLine: number;
  file: string;
  field: string;
  /** Receives the detection warning. */
  warnings: string[];
}

/**
 * Resolves the unit of a timestamp column (`auto`: above 1e11 = milliseconds, with a warning),
 * refuses values beyond the year 5000 in that unit, and converts to seconds in place.
 */
export function applyTimestampUnit(options: ApplyTimestampUnitOptions): 's' | 'ms' {
  const { timestamps, max, maxLine, file, field } = options;
  const unit = options.unit === 'auto' ? (max > MAX_SECONDS ? 'ms' : 's') : options.unit;
  if (max > (unit === 'ms' ? MAX_MILLISECONDS : MAX_SECONDS)) {
    throw new InvalidDatasetError({
      file,
      line: maxLine,
      field,
      kind: 'timestamp-unit',
      message: `timestamp ${max} is after the year 5000 even in ${unit === 'ms' ? 'milliseconds' : 'seconds'}; timestamps must be Unix time in s or ms`,
    });
  }
  if (unit === 'ms') {
    for (let r = 0; r < timestamps.length; r++) timestamps[r] = (timestamps[r] as number) / 1000;
    if (options.unit === 'auto') {
      options.warnings.push(
        `${file}: column "${field}" read as milliseconds (largest value ${max} on line ${maxLine} would be after the year 5000 in seconds); set the timestamp unit to s or ms to make this explicit`,
      );
    }
  }
  return unit;
}

/** Which optional columns a reader keeps. */
export interface InteractionColumnsPresent {
  timestamp: boolean;
  click: boolean;
  rating: boolean;
  weight: boolean;
}

/**
 * The columns an interactions reader appends to, row by row, with the largest timestamp and its
 * line kept for the unit detection; shared by the CSV and Parquet readers.
 */
export class InteractionColumnsBuilder {
  private readonly users = new GrowableArray(Int32Array);
  private readonly items = new GrowableArray(Int32Array);
  private readonly timestamps: GrowableArray<Float64Array> | undefined;
  private readonly clicks: GrowableArray<Uint8Array> | undefined;
  private readonly ratings: GrowableArray<Float32Array> | undefined;
  private readonly weights: GrowableArray<Float32Array> | undefined;
  private maxTimestamp = Number.NEGATIVE_INFINITY;
  private maxTimestampLine = 0;

  constructor(present: InteractionColumnsPresent) {
    this.timestamps = present.timestamp ? new GrowableArray(Float64Array) : undefined;
    this.clicks = present.click ? new GrowableArray(Uint8Array) : undefined;
    this.ratings = present.rating ? new GrowableArray(Float32Array) : undefined;
    this.weights = present.weight ? new GrowableArray(Float32Array) : undefined;
  }

  /** Sizes every column for `rows` rows. */
  reserve(rows: number): void {
    this.users.reserve(rows);
    this.items.reserve(rows);
    this.timestamps?.reserve(rows);
    this.clicks?.reserve(rows);
    this.ratings?.reserve(rows);
    this.weights?.reserve(rows);
  }

  /** Appends one row (values of absent columns are ignored). */
  push(
    line: number,
    user: number,
    item: number,
    timestamp: number,
    click: number,
    rating: number,
    weight: number,
  ): void {
    this.users.push(user);
    this.items.push(item);
    this.timestamps?.push(timestamp);
    this.clicks?.push(click);
    this.ratings?.push(rating);
    this.weights?.push(weight);
    if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp;
      this.maxTimestampLine = line;
    }
  }

  /** The columns, timestamps converted to seconds (see `applyTimestampUnit`). */
  finish(options: {
    file: string;
    timestampField: string;
    timestampUnit: TimestampUnit;
    warnings: string[];
  }): {
    interactions: Interactions;
    timestampUnit?: 's' | 'ms';
  } {
    const interactions: Interactions = { users: this.users.finish(), items: this.items.finish() };
    let timestampUnit: 's' | 'ms' | undefined;
    if (this.timestamps) {
      interactions.timestamps = this.timestamps.finish();
      timestampUnit = applyTimestampUnit({
        timestamps: interactions.timestamps,
        unit: options.timestampUnit,
        max: this.maxTimestamp,
        maxLine: this.maxTimestampLine,
        file: options.file,
        field: options.timestampField,
        warnings: options.warnings,
      });
    }
    if (this.clicks) interactions.clicks = this.clicks.finish();
    if (this.ratings) interactions.ratings = this.ratings.finish();
    if (this.weights) interactions.weights = this.weights.finish();
    return { interactions, ...(timestampUnit ? { timestampUnit } : {}) };
  }
}
