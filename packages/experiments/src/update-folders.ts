import { type Dataset, type Interactions, type LoadDataFolderResult, loadDataFolder } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import type { ArtifactIdMaps, RecallModelConfig } from '@mmrecall/model';
import { alignDatasetToModel, type UpdateData } from '@mmrecall/training';
import { describeFolderFiles, lazyParquet } from './data-source';

/** One data folder of an update. */
export interface UpdateFolder {
  /** The folder (`loadDataFolder` layout). */
  dir: string;
  /** Its name in errors and notes, e.g. the flag that gave it (`--data`). */
  name: string;
}

/** Options of {@link loadUpdateFolders}. */
export interface LoadUpdateFoldersOptions {
  /** The last model's config and id maps (of its artifacts). */
  model: { config: RecallModelConfig; idMaps: ArtifactIdMaps };
  /** New interactions and the content of every item. */
  data: UpdateFolder;
  /** Older interactions to replay from (ids known to the model or to `data`). */
  history?: UpdateFolder;
  /** Held-out interactions evaluated after the update. */
  heldOut?: UpdateFolder;
  /** One note per file read (rows, columns used). */
  log?: (line: string) => void;
}

/** A folder read with the update's rule: every column must be used (an unknown one is an error). */
async function loadFolder(folder: UpdateFolder, log: (line: string) => void): Promise<LoadDataFolderResult> {
  const loaded = await loadDataFolder({ dir: folder.dir, parquet: lazyParquet });
  for (const file of loaded.files) {
    if (file.ignored.length > 0)
      throw new InvalidArgumentError({
        argument: folder.name,
        message: `${file.path}: unknown column ${file.ignored[0]} (the update reads ${file.used.join(', ')})`,
      });
  }
  for (const line of describeFolderFiles(loaded)) log(`${folder.name} ${line}`);
  return loaded;
}

/** Interactions of another folder in the update data set's index space; an id it lacks is an error. */
function reindex(interactions: Interactions, from: Dataset, into: Dataset, name: string): Interactions {
  const lookup = (ids: readonly string[], target: Dataset['users'], what: string) =>
    Int32Array.from(ids, (id) => {
      const index = target.indexOf(id);
      if (index === undefined)
        throw new InvalidArgumentError({
          argument: name,
          message: `${what} ${JSON.stringify(id)} is neither in the model nor in the update data`,
        });
      return index;
    });
  const users = lookup(from.users.ids, into.users, 'user');
  const items = lookup(from.items.ids, into.items, 'item');
  return {
    ...interactions,
    users: Int32Array.from(interactions.users, (u) => users[u] as number),
    items: Int32Array.from(interactions.items, (i) => items[i] as number),
  };
}

/**
 * The data of `updateModel` from data folders: the new interactions' data set aligned to the model's
 * id maps (`alignDatasetToModel`), and the history and held-out folders' interactions in its index space.
 */
export async function loadUpdateFolders(options: LoadUpdateFoldersOptions): Promise<UpdateData> {
  const log = options.log ?? (() => {});
  const folder = await loadFolder(options.data, log);
  const dataset = alignDatasetToModel({ dataset: folder.dataset, ...options.model });
  const extra = async (other: UpdateFolder | undefined) => {
    if (other === undefined) return undefined;
    const loaded = await loadFolder(other, log);
    return reindex(loaded.dataset.interactions, loaded.dataset, dataset, other.name);
  };
  const history = await extra(options.history);
  const heldOut = await extra(options.heldOut);
  return { dataset, ...(history ? { history } : {}), ...(heldOut ? { heldOut } : {}) };
}
