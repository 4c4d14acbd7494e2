import { join } from 'node:path';
import { InvalidDatasetError } from '@mmrecall/errors';
import { createIdMap, createIdMapBuilder, type IdMapBuilder } from './id-map';
import { concatInteractions } from './interactions';
import { readNpy } from './npy';
import { readInteractionsCsv } from './read-interactions-csv';
import { coldItemsOf } from './splits';
import type { Dataset, DatasetSplit, Interactions, VectorTable } from './types';

/** Options of {@link loadTiktok}. */
export interface LoadTiktokOptions {
  /** Folder with `train.csv`, `valid.csv`, `test.csv` and `<feature>_feat.npy` files. */
  dir: string;
  /** Feature names; `<name>_feat.npy` must exist for each. Default: `['image', 'audio']`. */
  features?: string[];
}

/** Result of {@link loadTiktok}. */
export interface LoadTiktokResult {
  /** All interactions (train, then valid, then test), the id maps and the item vectors. */
  dataset: Dataset;
  /** The published train/valid/test files; `coldItems` = items without a train interaction. */
  split: DatasetSplit;
}

/**
 * Loads the TikTok micro-video data as prepared by the DiffMM authors: 0-based integer ids in
 * `user_id,item_id` CSVs and float16 `.npy` feature matrices (row i = item i). Ids keep their value:
 * index `i` is id `String(i)`; the item count is the feature matrices' row count, the user count the
 * largest user id + 1. An item id outside the feature matrix is an `unknown-item` error.
 */
export async function loadTiktok(options: LoadTiktokOptions): Promise<LoadTiktokResult> {
  const features = options.features ?? ['image', 'audio'];
  const vectors: Record<string, VectorTable> = {};
  let numItems = -1;
  for (const feature of features) {
    const path = join(options.dir, `${feature}_feat.npy`);
    const array = await readNpy({ path });
    if (array.shape.length !== 2 || (numItems >= 0 && array.shape[0] !== numItems)) {
      throw new InvalidDatasetError({
        file: path,
        kind: 'dimension',
        message: `expected a (${numItems >= 0 ? numItems : 'items'}, dim) matrix, got shape (${array.shape.join(', ')})`,
      });
    }
    numItems = array.shape[0] as number;
    vectors[feature] = { dim: array.shape[1] as number, data: array.data };
  }
  const readUsers = createIdMapBuilder();
  const items: IdMapBuilder | undefined =
    numItems >= 0 ? createIdMapBuilder({ ids: numericIds(numItems) }) : undefined;
  const itemsBuilder = items ?? createIdMapBuilder();
  const parts: Interactions[] = [];
  for (const name of ['train', 'valid', 'test']) {
    const { interactions } = await readInteractionsCsv({
      path: join(options.dir, `${name}.csv`),
      columns: { user: 'user_id', item: 'item_id' },
      users: readUsers,
      items: itemsBuilder,
      knownItemsOnly: items !== undefined,
      numericIds: true,
    });
    parts.push(interactions);
  }
  // Re-index users (and items when there are no features) so that index == numeric id.
  const userIndex = Int32Array.from(readUsers.ids, Number);
  const numUsers = userIndex.reduce((max, id) => Math.max(max, id + 1), 0);
  const itemIndex = items === undefined ? Int32Array.from(itemsBuilder.ids, Number) : undefined;
  if (numItems < 0) numItems = itemIndex ? itemIndex.reduce((max, id) => Math.max(max, id + 1), 0) : 0;
  for (const part of parts) {
    for (let r = 0; r < part.users.length; r++) part.users[r] = userIndex[part.users[r] as number] as number;
    if (itemIndex)
      for (let r = 0; r < part.items.length; r++)
        part.items[r] = itemIndex[part.items[r] as number] as number;
  }
  const [train, valid, test] = parts as [Interactions, Interactions, Interactions];
  const dataset: Dataset = {
    name: 'tiktok',
    users: createIdMap({ ids: numericIds(numUsers) }),
    items: createIdMap({ ids: numericIds(numItems) }),
    interactions: concatInteractions(parts),
    content: { vectors },
  };
  return { dataset, split: { train, valid, test, coldItems: coldItemsOf(train, numItems) } };
}

function numericIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i));
}
