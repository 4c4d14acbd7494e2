import {
  createIdMap,
  createIdMapBuilder,
  type Dataset,
  type Interactions,
  readInteractionsCsv,
} from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';

/** Options of {@link appendEventFiles}. */
export interface AppendEventFilesOptions {
  /** The data set the events belong to (its items must contain every event's item). */
  dataset: Dataset;
  /** Event exports (`GET /v1/statistics/export`, `mmrecall-events export`), read in order. */
  files: readonly string[];
  /** Skip bad rows (reported in the notes) instead of stopping at the first one. */
  skipInvalid?: boolean;
}

/** The data set with the events' exposures and clicks appended, and one note per file. */
export interface AppendedEvents {
  dataset: Dataset;
  notes: string[];
}

function concat<T extends Int32Array | Float64Array | Uint8Array | Float32Array>(a: T, b: T): T {
  const out = new (a.constructor as new (length: number) => T)(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Appends the exposures and clicks of the serving layer's event exports to a data set's
 * interactions (before the split, so the statistics and the split see them like any row). Each file
 * is the export CSV (`user_id,item_id,timestamp,click`, timestamps in unix seconds). An item the
 * data set does not know, a missing column or a bad value is an `InvalidDatasetError` naming file,
 * line and field; users the data set does not know (and `_anonymous`, for events sent without a
 * user) become new users without profile features.
 */
export async function appendEventFiles(options: AppendEventFilesOptions): Promise<AppendedEvents> {
  const { dataset, files } = options;
  const base = dataset.interactions;
  if (base.timestamps === undefined) {
    throw new InvalidArgumentError({
      argument: 'config.data.events',
      message: 'the data set has no timestamps: events can only be merged into timed interactions',
    });
  }
  if (base.ratings !== undefined) {
    throw new InvalidArgumentError({
      argument: 'config.data.events',
      message: 'the data set has ratings: exposures and clicks cannot be merged into rated interactions',
    });
  }
  const users = createIdMapBuilder({ ids: [...dataset.users.ids] });
  const items = createIdMapBuilder({ ids: [...dataset.items.ids] });
  let interactions: Interactions = {
    users: base.users,
    items: base.items,
    timestamps: base.timestamps,
    // A data set without a click column has clicks only.
    clicks: base.clicks ?? new Uint8Array(base.users.length).fill(1),
    ...(base.weights ? { weights: base.weights } : {}),
  };
  const notes: string[] = [];
  for (const file of files) {
    const knownUsers = users.size;
    const read = await readInteractionsCsv({
      path: file,
      delimiter: ',',
      columns: { user: 'user_id', item: 'item_id', timestamp: 'timestamp', click: 'click' },
      users,
      items,
      knownItemsOnly: true,
      timestampUnit: 's',
      allowEmpty: true,
      ...(options.skipInvalid ? { skipInvalid: true } : {}),
    });
    const rows = read.interactions;
    let clicks = 0;
    for (const click of rows.clicks!) clicks += click;
    interactions = {
      users: concat(interactions.users, rows.users),
      items: concat(interactions.items, rows.items),
      timestamps: concat(interactions.timestamps!, rows.timestamps!),
      clicks: concat(interactions.clicks!, rows.clicks!),
      // Whole counts repeat training rows: an event is one exposure, clicked (1) or not (0).
      ...(interactions.weights
        ? { weights: concat(interactions.weights, Float32Array.from(rows.clicks!)) }
        : {}),
    };
    const skipped = read.report.skipped > 0 ? `; skipped ${read.report.skipped} bad rows` : '';
    notes.push(
      `events ${file}: ${rows.users.length} rows (${rows.users.length - clicks} exposures without a click, ${clicks} clicks), ${users.size - knownUsers} new users${skipped}`,
    );
  }
  const numUsers = users.size;
  const features = dataset.userFeatures;
  return {
    dataset: {
      ...dataset,
      users: numUsers === dataset.users.size ? dataset.users : createIdMap({ ids: users.toJSON() }),
      interactions,
      ...(features && features.offsets.length < numUsers + 1
        ? {
            // New users have no profile features: empty rows.
            userFeatures: {
              ...features,
              offsets: Int32Array.from({ length: numUsers + 1 }, (_, i) =>
                i < features.offsets.length
                  ? features.offsets[i]!
                  : features.offsets[features.offsets.length - 1]!,
              ),
            },
          }
        : {}),
    },
    notes,
  };
}
