import { InvalidArgumentError } from '@mmrecall/errors';
import type { IdMap } from './types';

/** An {@link IdMap} that can grow: `add(id)` returns the index of `id`, adding it when new. */
export interface IdMapBuilder extends IdMap {
  /** Index of `id`; appends it with the next free index when unknown. */
  add(id: string): number;
  /** The ids in index order (a copy), for `JSON.stringify` and `idMapFromJSON`. */
  toJSON(): string[];
}

/** A frozen id map; `toJSON()` gives the ids in index order. */
export interface SerializableIdMap extends IdMap {
  /** The ids in index order (a copy), for `JSON.stringify` and `idMapFromJSON`. */
  toJSON(): string[];
}

/** Largest numeric id served by the dense lookup table (table up to 64 MiB). */
const DENSE_LIMIT = 1 << 24;

/**
 * Internal fast path used by the readers: look ids up by their integer value (ids written as canonical
 * digits, e.g. "123"), without creating a string per row. Only builders made by `createIdMapBuilder`
 * have it; the string path stays the reference.
 */
export const numericIdAccess: unique symbol = Symbol('mmrecall.idMap.numericAccess');

/** See {@link numericIdAccess}. `text.substring(start, end)` must be the canonical digits of `value`. */
export interface NumericIdAccess {
  /** Index of the id, or undefined. */
  lookup(value: number, text: string, start: number, end: number): number | undefined;
  /** Index of the id, added when new. */
  add(value: number, text: string, start: number, end: number): number;
}

/** Options of {@link createIdMap}. */
export interface CreateIdMapOptions {
  /** Ids in index order; must be unique. Default: empty. */
  ids?: readonly string[];
}

/** Options of {@link createIdMapBuilder}. */
export interface CreateIdMapBuilderOptions {
  /** Ids to start with, in index order; must be unique. Default: empty. */
  ids?: readonly string[];
}

/** The value of a canonical integer id ("0", "42"; not "007", "+1", "1.0"), else -1. */
function canonicalInt(id: string): number {
  const length = id.length;
  if (length < 1 || length > 8 || (length > 1 && id.charCodeAt(0) === 48)) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

interface IdStore {
  list: string[];
  lookup(id: string): number | undefined;
  add(id: string): number;
  numeric: NumericIdAccess;
}

/**
 * Ids live in a string Map, except canonical integer ids ("0".."16777215") while they are not much
 * larger than the map: those go to a dense Int32Array indexed by value (no hashing, no Map entry).
 * Lookups check both, so the split is invisible from outside.
 */
function createIdStore(initial: readonly string[]): IdStore {
  const list: string[] = [];
  const index = new Map<string, number>();
  let dense = new Int32Array(0); // dense[value] = index + 1, 0 = absent
  const denseAllowed = (value: number): boolean =>
    value < DENSE_LIMIT && value < Math.max(1 << 20, 8 * (list.length + 1));
  const denseGet = (value: number): number => (value < dense.length ? (dense[value] as number) - 1 : -1);
  const insert = (value: number, id: string): number => {
    const next = list.length;
    list.push(id);
    if (value >= 0 && denseAllowed(value)) {
      if (value >= dense.length) {
        let capacity = Math.max(1024, dense.length);
        while (capacity <= value) capacity *= 2;
        const grown = new Int32Array(Math.min(capacity, DENSE_LIMIT));
        grown.set(dense);
        dense = grown;
      }
      dense[value] = next + 1;
    } else {
      index.set(id, next);
    }
    return next;
  };
  const lookup = (id: string): number | undefined => {
    const value = canonicalInt(id);
    if (value >= 0) {
      const found = denseGet(value);
      if (found >= 0) return found;
    }
    return index.get(id);
  };
  const add = (id: string): number => {
    const known = lookup(id);
    return known !== undefined ? known : insert(canonicalInt(id), id);
  };
  const numeric: NumericIdAccess = {
    lookup(value, text, start, end) {
      const found = denseGet(value);
      return found >= 0 ? found : index.get(text.substring(start, end));
    },
    add(value, text, start, end) {
      const found = denseGet(value);
      if (found >= 0) return found;
      const id = text.substring(start, end);
      const known = index.get(id);
      return known !== undefined ? known : insert(value, id);
    },
  };
  for (let i = 0; i < initial.length; i++) {
    const id = initial[i];
    if (typeof id !== 'string') {
      throw new InvalidArgumentError({
        argument: `ids[${i}]`,
        message: `expected a string id, got ${typeof id}`,
      });
    }
    const known = lookup(id);
    if (known !== undefined) {
      throw new InvalidArgumentError({
        argument: `ids[${i}]`,
        message: `duplicate id "${id}" (first at index ${known})`,
      });
    }
    insert(canonicalInt(id), id);
  }
  return { list, lookup, add, numeric };
}

/** Creates an immutable id map from ids in index order (`ids[i]` gets index `i`). */
export function createIdMap(options: CreateIdMapOptions = {}): SerializableIdMap {
  const { list, lookup } = createIdStore(options.ids ?? []);
  Object.freeze(list);
  return {
    ids: list,
    size: list.length,
    indexOf: lookup,
    toJSON: () => list.slice(),
  };
}

/** Creates a growable id map; readers share one builder across files so indices stay consistent. */
export function createIdMapBuilder(options: CreateIdMapBuilderOptions = {}): IdMapBuilder {
  const { list, lookup, add, numeric } = createIdStore(options.ids ?? []);
  return {
    ids: list,
    get size() {
      return list.length;
    },
    indexOf: lookup,
    add,
    toJSON: () => list.slice(),
    [numericIdAccess]: numeric,
  } as IdMapBuilder;
}

/**
 * Rebuilds an id map from the output of `toJSON()` (an array of unique strings). Takes the parsed JSON
 * value itself rather than an options object, mirroring `toJSON`.
 */
export function idMapFromJSON(json: unknown): SerializableIdMap {
  if (!Array.isArray(json)) {
    throw new InvalidArgumentError({
      argument: 'json',
      message: `expected an array of string ids, got ${typeof json}`,
    });
  }
  return createIdMap({ ids: json as string[] });
}
