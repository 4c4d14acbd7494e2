import path from 'node:path';

import { ItemJournalError } from './errors';
import { openJournalFile, readJournalLines } from './journal-file';
import type { NewItemContent } from './serving-model';

/** One acknowledged item mutation. */
export type JournalRecord = { op: 'put'; id: string; content: NewItemContent } | { op: 'delete'; id: string };

/** The run-time item changes a journal describes once its records are applied in order. */
export interface JournalState {
  /**
   * Identity of the artifacts the records were last compacted against (folder and creation time).
   * Puts that replace a trained item keep their vector while these artifacts serve; newer artifacts
   * that contain the id take over.
   */
  artifacts: string | undefined;
  /** Items added or replaced at run time, by id, in first-put order. */
  puts: Map<string, NewItemContent>;
  /** Ids deleted at run time (and not put again since). */
  deletes: Set<string>;
}

/**
 * An append-only file of acknowledged PUT/DELETE records, one JSON object per line. `append`
 * resolves only after the record is on disk (`fdatasync`), so whatever was acknowledged survives a
 * crash; `rewrite` replaces the whole file atomically (write beside, fsync, rename, fsync folder).
 */
export interface ItemJournal {
  /** The journal file. */
  readonly file: string;
  /** Appends one record and waits for it to reach the disk. */
  append(record: JournalRecord): Promise<void>;
  /** Atomically replaces the journal with the records of `state` (compaction). */
  rewrite(state: JournalState): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/** What {@link openItemJournal} found. */
export interface OpenedItemJournal {
  journal: ItemJournal;
  /** The records' combined effect. */
  state: JournalState;
  /** Records read. */
  records: number;
  /**
   * Bytes of an incomplete last line that were cut off: a write that was under way when the process
   * died, never acknowledged (an acknowledged record always ends with a newline).
   */
  truncatedBytes: number;
}

/** Applies one record to a journal state. */
export function applyRecord(state: JournalState, record: JournalRecord): void {
  if (record.op === 'put') {
    state.puts.delete(record.id);
    state.puts.set(record.id, record.content);
    state.deletes.delete(record.id);
  } else {
    state.puts.delete(record.id);
    state.deletes.add(record.id);
  }
}

function encode(record: JournalRecord): string {
  if (record.op === 'delete') return `${JSON.stringify({ op: 'delete', id: record.id })}\n`;
  const vectors: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(record.content.vectors)) vectors[name] = Array.from(values);
  return `${JSON.stringify({
    op: 'put',
    id: record.id,
    ...(record.content.tags ? { tags: record.content.tags } : {}),
    vectors,
  })}\n`;
}

function decode(
  line: string,
  file: string,
  lineNumber: number,
): JournalRecord | { op: 'base'; artifacts: string } {
  const fail = (reason: string): never => {
    throw new ItemJournalError({ file, line: lineNumber, reason });
  };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ItemJournalError({ file, line: lineNumber, reason: 'is not valid JSON', cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('is not an object');
  const record = value as Record<string, unknown>;
  if (record.op === 'base') {
    if (typeof record.artifacts !== 'string') return fail('field "artifacts" must be a string');
    return { op: 'base', artifacts: record.artifacts };
  }
  if (typeof record.id !== 'string' || record.id === '') return fail('field "id" must be a non-empty string');
  if (record.op === 'delete') return { op: 'delete', id: record.id };
  if (record.op !== 'put')
    return fail(`field "op" must be "put" or "delete", got ${JSON.stringify(record.op)}`);
  const vectors = record.vectors;
  if (typeof vectors !== 'object' || vectors === null || Array.isArray(vectors)) {
    return fail('field "vectors" must be an object of number arrays');
  }
  for (const [name, values] of Object.entries(vectors)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'number')) {
      return fail(`field "vectors.${name}" must be an array of numbers`);
    }
  }
  const tags = record.tags;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string'))) {
    return fail('field "tags" must be an array of strings');
  }
  const content: NewItemContent = { vectors: vectors as Record<string, number[]> };
  if (tags !== undefined) content.tags = tags as string[];
  return { op: 'put', id: record.id, content };
}

/**
 * Opens (or creates) the journal at `file`, reads every record and cuts off an incomplete last line.
 * A complete line that is not a valid record is an {@link ItemJournalError} naming file and line:
 * the journal is never silently shortened.
 */
export async function openItemJournal(options: {
  /** The journal file; its folder must exist. */
  file: string;
}): Promise<OpenedItemJournal> {
  const file = path.resolve(options.file);
  const read = await readJournalLines(file);
  const state: JournalState = { artifacts: undefined, puts: new Map(), deletes: new Set() };
  let records = 0;
  read.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const record = decode(line, file, i + 1);
    if (record.op === 'base') state.artifacts = record.artifacts;
    else applyRecord(state, record);
    records++;
  });
  const opened = await openJournalFile({ file, read });
  const journal: ItemJournal = {
    file,
    append: (record) => opened.append(encode(record)),
    rewrite: async (next) => {
      let text =
        next.artifacts === undefined ? '' : `${JSON.stringify({ op: 'base', artifacts: next.artifacts })}\n`;
      for (const [id, content] of next.puts) text += encode({ op: 'put', id, content });
      for (const id of next.deletes) text += encode({ op: 'delete', id });
      await opened.rewrite(text);
    },
    close: () => opened.close(),
  };
  return { journal, state, records, truncatedBytes: read.truncatedBytes };
}
