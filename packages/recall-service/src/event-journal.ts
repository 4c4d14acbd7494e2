import { type FileHandle, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder, writeFileAtomic } from '@mmrecall/atomic-write';

import { ItemJournalError } from './errors';

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

/**
 * Opens (or creates) the event journal, reads every event and cuts off an incomplete last line (a
 * write that was never acknowledged). A complete line that is not an event is an `ItemJournalError`.
 */
export async function openEventJournal(options: {
  /** The journal file; its folder must exist. */
  file: string;
}): Promise<{ journal: EventJournal; events: ItemEvent[]; truncatedBytes: number }> {
  const file = path.resolve(options.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') {
      throw new ItemJournalError({ file, reason: 'cannot be read', cause: error });
    }
    bytes = Buffer.alloc(0);
  }
  const complete = bytes.lastIndexOf(0x0a) + 1;
  const events: ItemEvent[] = [];
  bytes
    .subarray(0, complete)
    .toString('utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() !== '') events.push(decode(line, file, i + 1));
    });
  let handle: FileHandle;
  try {
    handle = await open(file, 'a');
    if (complete < bytes.length) {
      await handle.truncate(complete);
      await handle.sync();
    }
    await syncFolder(path.dirname(file));
  } catch (error) {
    throw new ItemJournalError({ file, reason: 'cannot be opened for appending', cause: error });
  }
  return {
    journal: {
      file,
      append: async (batch) => {
        try {
          await handle.write(batch.map(encode).join(''));
          await handle.datasync();
        } catch (error) {
          throw new ItemJournalError({ file, reason: 'cannot be written', cause: error });
        }
      },
      close: () => handle.close(),
    },
    events,
    truncatedBytes: bytes.length - complete,
  };
}

const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/**
 * Writes events as an interactions CSV the trainer reads (`user_id,item_id,timestamp,click`; one row
 * per exposure, `click` 1 when it was clicked), atomically. Events without a user get {@link ANONYMOUS_USER}.
 */
export async function exportEventsCsv(options: {
  file: string;
  events: readonly ItemEvent[];
}): Promise<void> {
  let text = 'user_id,item_id,timestamp,click\n';
  for (const event of options.events) {
    text += `${csvField(event.userId ?? ANONYMOUS_USER)},${csvField(event.itemId)},${event.at},${event.type === 'click' ? 1 : 0}\n`;
  }
  await writeFileAtomic({ path: path.resolve(options.file), data: text });
}
