import path from 'node:path';
import { writeFileAtomic } from '@mmrecall/atomic-write';

import { ItemJournalError } from './errors';
import { openJournalFile, readJournalLines } from './journal-file';

/** One accepted exposure or click. */
export interface ItemEvent {
  /** Item id (trained or added at run time). */
  itemId: string;
  /** User id, when the client sent one. */
  userId?: string;
  /** `click` = an exposure that was clicked; `exposure` = shown, not clicked. */
  type: 'exposure' | 'click';
  /** Unix seconds. */
  at: number;
}

/** An append-only file of accepted events, one JSON object per line, fsynced before acknowledging. */
export interface EventJournal {
  readonly file: string;
  /** Appends a batch and waits for it to reach the disk. */
  append(events: readonly ItemEvent[]): Promise<void>;
  /** Replaces the journal with `events` atomically (compaction); appends go to the new file. */
  rewrite(events: readonly ItemEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** User id of exported events sent without one (the training readers require a user column). */
export const ANONYMOUS_USER = '_anonymous';

const encode = (event: ItemEvent): string =>
  `${JSON.stringify({ itemId: event.itemId, ...(event.userId === undefined ? {} : { userId: event.userId }), type: event.type, at: event.at })}\n`;

function decode(line: string, file: string, lineNumber: number): ItemEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ItemJournalError({ file, line: lineNumber, reason: 'is not JSON', cause: error });
  }
  const event = value as Partial<ItemEvent>;
  if (
    typeof event.itemId !== 'string' ||
    (event.userId !== undefined && typeof event.userId !== 'string') ||
    (event.type !== 'exposure' && event.type !== 'click') ||
    typeof event.at !== 'number' ||
    !Number.isFinite(event.at)
  ) {
    throw new ItemJournalError({ file, line: lineNumber, reason: 'is not an event { itemId, type, at }' });
  }
  return event as ItemEvent;
}

/** Decodes the complete lines of an event journal (an `ItemJournalError` names the line that is not an event). */
function decodeLines(lines: readonly string[], file: string): ItemEvent[] {
  const events: ItemEvent[] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== '') events.push(decode(line, file, i + 1));
  });
  return events;
}

/**
 * Reads an event journal without opening it for writing (a server may be appending to it): every
 * complete line, an incomplete last one left as it is. A missing file holds no events.
 */
export async function readEventJournal(options: {
  file: string;
}): Promise<{ events: ItemEvent[]; truncatedBytes: number }> {
  const file = path.resolve(options.file);
  const read = await readJournalLines(file);
  return { events: decodeLines(read.lines, file), truncatedBytes: read.truncatedBytes };
}

/**
 * Opens (or creates) the event journal, reads every event and cuts off an incomplete last line (a
 * write that was never acknowledged). A complete line that is not an event is an `ItemJournalError`.
 */
export async function openEventJournal(options: {
  /** The journal file; its folder must exist. */
  file: string;
}): Promise<{ journal: EventJournal; events: ItemEvent[]; truncatedBytes: number }> {
  const file = path.resolve(options.file);
  const read = await readJournalLines(file);
  const events = decodeLines(read.lines, file);
  const opened = await openJournalFile({ file, read });
  return {
    journal: {
      file,
      append: (batch) => opened.append(batch.map(encode).join('')),
      rewrite: (kept) => opened.rewrite(kept.map(encode).join('')),
      close: () => opened.close(),
    },
    events,
    truncatedBytes: read.truncatedBytes,
  };
}

const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** Header of the events CSV (the trainer's interactions columns). */
export const EVENTS_CSV_HEADER = 'user_id,item_id,timestamp,click';

/**
 * The events as an interactions CSV the trainer reads (`user_id,item_id,timestamp,click`; one row
 * per exposure, `click` 1 when it was clicked), in chunks of `rowsPerChunk` rows after the header
 * line. Events without a user get {@link ANONYMOUS_USER}.
 */
export function* eventsCsvChunks(options: {
  events: readonly ItemEvent[];
  /** Rows per chunk. Default 10,000. */
  rowsPerChunk?: number;
}): Generator<string> {
  const { events } = options;
  const rowsPerChunk = options.rowsPerChunk ?? 10_000;
  yield `${EVENTS_CSV_HEADER}\n`;
  for (let start = 0; start < events.length; start += rowsPerChunk) {
    let text = '';
    for (const event of events.slice(start, start + rowsPerChunk)) {
      text += `${csvField(event.userId ?? ANONYMOUS_USER)},${csvField(event.itemId)},${event.at},${event.type === 'click' ? 1 : 0}\n`;
    }
    yield text;
  }
}

/** Writes {@link eventsCsvChunks} to `file` atomically. */
export async function exportEventsCsv(options: {
  file: string;
  events: readonly ItemEvent[];
}): Promise<void> {
  await writeFileAtomic({ path: path.resolve(options.file), data: [...eventsCsvChunks(options)].join('') });
}
