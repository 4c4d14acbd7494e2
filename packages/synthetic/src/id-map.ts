import type { IdMap } from '@mmrecall/data';

/** Options of {@link createSequentialIdMap}. */
export interface SequentialIdMapOptions {
  /** Prefix of every id, e.g. `u` gives `u0000`, `u0001`, ... */
  prefix: string;
  /** Number of ids. */
  size: number;
}

/**
 * An IdMap over `prefix + zero-padded index` ids. The `ids` array is only built on first access,
 * so a million-item map costs nothing until someone asks for the strings.
 */
export function createSequentialIdMap(options: SequentialIdMapOptions): IdMap {
  const { prefix, size } = options;
  const width = String(Math.max(0, size - 1)).length;
  let ids: string[] | undefined;
  return {
    size,
    get ids(): readonly string[] {
      if (ids === undefined) {
        ids = new Array<string>(size);
        for (let i = 0; i < size; i++) ids[i] = prefix + String(i).padStart(width, '0');
      }
      return ids;
    },
    indexOf(id: string): number | undefined {
      if (id.length !== prefix.length + width || !id.startsWith(prefix)) return undefined;
      const digits = id.slice(prefix.length);
      if (!/^[0-9]+$/.test(digits)) return undefined;
      const index = Number(digits);
      return index < size ? index : undefined;
    },
  };
}

/** Options of {@link createListIdMap}. */
export interface ListIdMapOptions {
  /** Distinct ids in index order. */
  ids: readonly string[];
}

/** An IdMap over an explicit list of distinct ids. */
export function createListIdMap(options: ListIdMapOptions): IdMap {
  const ids = options.ids.slice();
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i] as string, i);
  return { ids, size: ids.length, indexOf: (id) => index.get(id) };
}
