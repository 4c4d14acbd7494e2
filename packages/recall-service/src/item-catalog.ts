/**
 * The mapping between item string ids and the non-negative integer keys of the recall index, plus
 * the embedding of every live item (the i2i query of a trigger). Items of the artifacts keep their
 * row number as key; items added at run time get fresh keys above every key ever used, so a key is
 * never reused while the catalog lives (a stale key can never name a different item).
 */
export interface ItemCatalog {
  /** Embedding dimension. */
  readonly dim: number;
  /** Number of live items. */
  readonly size: number;
  /** Key of a live item. */
  keyOf(id: string): number | undefined;
  /** Id of a live key. */
  idOf(key: number): string | undefined;
  /** Embedding of a live item (a view; do not modify). */
  vectorOf(key: number): Float32Array | undefined;
  /** Row of `id` among the artifacts' training items (deleted or not), else undefined. */
  trainedRow(id: string): number | undefined;
  /** Adds or replaces an item; returns its key and whether it is new. */
  put(options: { id: string; vector: Float32Array }): { key: number; created: boolean };
  /** Removes an item; returns its former key, or undefined when it was not live. */
  remove(options: { id: string }): number | undefined;
}

/** Options of {@link createItemCatalog}. */
export interface CreateItemCatalogOptions {
  /** Training item ids; item `i` gets key `i`. */
  itemIds: readonly string[];
  /** Row-major `itemIds.length x dim` embeddings (kept by reference, never modified). */
  embeddings: Float32Array;
  /** Embedding dimension. */
  dim: number;
  /**
   * `itemIds[i] -> i`, when the caller already has it (the artifacts reader builds it while checking
   * that ids are unique: 1M entries cost ~0.5 s to build again). Only read, never changed.
   */
  trainedRows?: ReadonlyMap<string, number>;
}

/** Creates the catalog of the artifacts' items (keys 0..n-1). */
export function createItemCatalog(options: CreateItemCatalogOptions): ItemCatalog {
  const { itemIds, embeddings, dim } = options;
  const trained = itemIds.length;
  let trainedRows = options.trainedRows;
  if (trainedRows === undefined) {
    const rows = new Map<string, number>();
    for (let i = 0; i < trained; i++) rows.set(itemIds[i] as string, i);
    trainedRows = rows;
  }
  const trainedRowOf = trainedRows;
  // Run-time ids (keys >= trained); a trained id is never in it.
  const addedKeyOfId = new Map<string, number>();
  const keyOfId = (id: string): number | undefined => trainedRowOf.get(id) ?? addedKeyOfId.get(id);
  // Keys < trained: id from itemIds, vector from embeddings unless overridden or deleted.
  const deletedTrained = new Set<number>();
  // Replaced or run-time vectors, and run-time ids (keys >= trained).
  const vectorOverride = new Map<number, Float32Array>();
  const idOfAddedKey = new Map<number, string>();
  let nextKey = trained;

  const isLive = (key: number): boolean =>
    key < trained ? key >= 0 && !deletedTrained.has(key) : idOfAddedKey.has(key);

  return {
    dim,
    get size() {
      return trained - deletedTrained.size + idOfAddedKey.size;
    },
    keyOf: (id) => {
      const key = keyOfId(id);
      return key !== undefined && isLive(key) ? key : undefined;
    },
    idOf: (key) => {
      if (!Number.isInteger(key) || !isLive(key)) return undefined;
      return key < trained ? itemIds[key] : idOfAddedKey.get(key);
    },
    vectorOf: (key) => {
      if (!Number.isInteger(key) || !isLive(key)) return undefined;
      return vectorOverride.get(key) ?? embeddings.subarray(key * dim, (key + 1) * dim);
    },
    trainedRow: (id) => trainedRowOf.get(id),
    put: ({ id, vector }) => {
      if (vector.length !== dim) throw new RangeError(`vector has ${vector.length} values, expected ${dim}`);
      const known = keyOfId(id);
      if (known !== undefined && known < trained) {
        const created = deletedTrained.delete(known);
        vectorOverride.set(known, vector);
        return { key: known, created };
      }
      if (known !== undefined) {
        vectorOverride.set(known, vector);
        return { key: known, created: false };
      }
      const key = nextKey++;
      addedKeyOfId.set(id, key);
      idOfAddedKey.set(key, id);
      vectorOverride.set(key, vector);
      return { key, created: true };
    },
    remove: ({ id }) => {
      const key = keyOfId(id);
      if (key === undefined || !isLive(key)) return undefined;
      vectorOverride.delete(key);
      if (key < trained) {
        deletedTrained.add(key);
      } else {
        idOfAddedKey.delete(key);
        addedKeyOfId.delete(id);
      }
      return key;
    },
  };
}
