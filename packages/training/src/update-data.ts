import { type ClusterTree, combineVectors } from '@mmrecall/clustering';
import { createIdMap, type Dataset, type IdMap, type Interactions, type MultiHot } from '@mmrecall/data';
import { InvalidArgumentError } from '@mmrecall/errors';
import { type ArtifactIdMaps, type RecallModelConfig, usesContentTower } from '@mmrecall/model';

/** The new data of an update, in the index space of the grown model. */
export interface UpdateData {
  /**
   * The data set after the update window: its user and item maps start with the model's ids in the
   * model's order (new ids after them, see {@link alignDatasetToModel}); `interactions` are the new
   * interactions; `content` (and `userFeatures`) cover every item (and user) of its maps.
   */
  dataset: Dataset;
  /** Older interactions (same index space): the replay sample is drawn from their clicks. Default none. */
  history?: Interactions;
  /** Held-out interactions evaluated after the update (Recall@K all/warm/cold). Default: no evaluation. */
  heldOut?: Interactions;
}

function fail(argument: string, message: string): never {
  throw new InvalidArgumentError({ argument, message });
}

/** Throws when `map` does not start with `known` (the model's ids at the model's rows). */
function checkExtends(map: IdMap, known: readonly string[], argument: string, what: string): void {
  if (map.size < known.length)
    fail(
      argument,
      `has ${map.size} ${what}s but the model knows ${known.length}; an update keeps every known ${what}`,
    );
  for (let i = 0; i < known.length; i++) {
    if (map.ids[i] !== known[i])
      fail(
        argument,
        `${what} id ${JSON.stringify(map.ids[i])} at index ${i} collides with the model's ${what} map, which has ${JSON.stringify(known[i])} there; new ids go after the model's ${known.length} (alignDatasetToModel)`,
      );
  }
}

function checkIndices(values: Int32Array, size: number, argument: string): void {
  for (let r = 0; r < values.length; r++) {
    const value = values[r] as number;
    if (!(value >= 0 && value < size)) fail(argument, `row ${r}: index ${value} is outside [0, ${size})`);
  }
}

/** What the update data has that the model does not use (reported, never silently dropped). */
export interface UpdateDataCheck {
  /** Columns of the data the model was not trained with and ignores (`tags`, `profile`). */
  ignoredColumns: string[];
}

/**
 * Checks the update data against the model: maps extend the model's (else a collision error naming
 * the index), vectors match the model's names and widths (an unknown or missing vector column is an
 * error), tags and profile features extend the model's vocabularies, every interaction index is in range.
 */
export function checkUpdateData(options: {
  data: UpdateData;
  config: RecallModelConfig;
  idMaps: ArtifactIdMaps;
}): UpdateDataCheck {
  const { data, config, idMaps } = options;
  const { dataset } = data;
  const ignoredColumns: string[] = [];
  checkExtends(dataset.users, idMaps.users, 'data.dataset.users', 'user');
  checkExtends(dataset.items, idMaps.items, 'data.dataset.items', 'item');
  const known = Object.entries(config.content.vectors);
  const describe = known.map(([name, { dim }]) => `${name}:${dim}`).join(', ') || 'none';
  const usesContent = usesContentTower(config.kind);
  for (const [name, table] of Object.entries(dataset.content.vectors)) {
    const expected = config.content.vectors[name];
    if (!expected)
      fail(
        `data.dataset.content.vectors.${name}`,
        `unknown vector column ${name}; the model was trained with ${describe}`,
      );
    if (table.dim !== expected.dim)
      fail(
        `data.dataset.content.vectors.${name}`,
        `has dim ${table.dim} but the model was trained with ${name}:${expected.dim}`,
      );
    if (table.data.length !== dataset.items.size * table.dim)
      fail(
        `data.dataset.content.vectors.${name}`,
        `has ${table.data.length / table.dim} rows for ${dataset.items.size} items`,
      );
  }
  if (usesContent)
    for (const [name] of known)
      if (!dataset.content.vectors[name])
        fail(
          'data.dataset.content.vectors',
          `vector column ${name} is missing; the model was trained with ${describe}`,
        );
  const tags = dataset.content.tags;
  if (config.content.tags && usesContent) {
    if (!tags) fail('data.dataset.content.tags', 'is missing; the model was trained with tags');
    if (tags.offsets.length !== dataset.items.size + 1)
      fail(
        'data.dataset.content.tags',
        `has ${tags.offsets.length - 1} rows for ${dataset.items.size} items`,
      );
    checkExtends(tags.vocabulary, idMaps.tags ?? [], 'data.dataset.content.tags.vocabulary', 'tag');
    if (tags.vocabulary.size > config.content.tags.vocabularySize)
      fail(
        'data.dataset.content.tags.vocabulary',
        `tag ${JSON.stringify(tags.vocabulary.ids[config.content.tags.vocabularySize])} is unknown to the model (its vocabulary has ${config.content.tags.vocabularySize} tags)`,
      );
  } else if (tags) ignoredColumns.push('tags');
  const profile = dataset.userFeatures;
  if (config.user.profile && config.mode === 'u2i') {
    if (!profile)
      fail('data.dataset.userFeatures', 'is missing; the model was trained with user profile features');
    if (profile.offsets.length !== dataset.users.size + 1)
      fail(
        'data.dataset.userFeatures',
        `has ${profile.offsets.length - 1} rows for ${dataset.users.size} users`,
      );
    checkExtends(
      profile.vocabulary,
      idMaps.profile ?? [],
      'data.dataset.userFeatures.vocabulary',
      'profile feature',
    );
    if (profile.vocabulary.size > config.user.profile.vocabularySize)
      fail(
        'data.dataset.userFeatures.vocabulary',
        `profile feature ${JSON.stringify(profile.vocabulary.ids[config.user.profile.vocabularySize])} is unknown to the model (its vocabulary has ${config.user.profile.vocabularySize} features)`,
      );
  } else if (profile) ignoredColumns.push('profile');
  const parts: [string, Interactions | undefined][] = [
    ['data.dataset.interactions', dataset.interactions],
    ['data.history', data.history],
    ['data.heldOut', data.heldOut],
  ];
  for (const [argument, interactions] of parts) {
    if (!interactions) continue;
    checkIndices(interactions.users, dataset.users.size, `${argument}.users`);
    checkIndices(interactions.items, dataset.items.size, `${argument}.items`);
  }
  return { ignoredColumns };
}

/** Cluster-tree path of every item from its vectors (models whose content tower uses node ids). */
export function itemNodePaths(options: {
  config: RecallModelConfig;
  clusterTree: ClusterTree | undefined;
  dataset: Dataset;
}): Int32Array | undefined {
  const { config, clusterTree, dataset } = options;
  const nodeIds = config.content.nodeIds;
  if (!nodeIds || !clusterTree) return undefined;
  const combined = combineVectors({
    tables: nodeIds.vectors.map((name) => ({
      name,
      dim: dataset.content.vectors[name]!.dim,
      data: dataset.content.vectors[name]!.data,
    })),
    normalizeEach: nodeIds.normalizeEach,
  });
  return clusterTree.assignMany({ data: combined.data });
}

/** A map of the model's ids in the model's order followed by the ids of `map` it lacks; and where each of `map`'s indices went. */
function extendMap(known: readonly string[], map: IdMap): { ids: string[]; position: Int32Array } {
  const ids = [...known];
  const index = new Map(known.map((id, i) => [id, i]));
  const position = new Int32Array(map.size);
  for (let i = 0; i < map.size; i++) {
    const id = map.ids[i] as string;
    let at = index.get(id);
    if (at === undefined) {
      at = ids.length;
      ids.push(id);
      index.set(id, at);
    }
    position[i] = at;
  }
  return { ids, position };
}

/** For each row of the extended map, the row of the source it comes from (-1 = none). */
function sourceRows(position: Int32Array, size: number): Int32Array {
  const source = new Int32Array(size).fill(-1);
  position.forEach((at, i) => {
    source[at] = i;
  });
  return source;
}

function remapMultiHot(options: {
  rows: MultiHot;
  source: Int32Array;
  vocabulary: { ids: string[]; position: Int32Array };
}): MultiHot {
  const { rows, source, vocabulary } = options;
  const offsets = new Int32Array(source.length + 1);
  const values: number[] = [];
  source.forEach((from, row) => {
    if (from >= 0)
      for (let j = rows.offsets[from] as number; j < (rows.offsets[from + 1] as number); j++)
        values.push(vocabulary.position[rows.values[j] as number] as number);
    offsets[row + 1] = values.length;
  });
  return { vocabulary: createIdMap({ ids: vocabulary.ids }), offsets, values: Int32Array.from(values) };
}

function firstMissing(source: Int32Array, known: number): number {
  for (let i = 0; i < known; i++) if ((source[i] as number) < 0) return i;
  return -1;
}

/**
 * Re-indexes a data set loaded on its own (e.g. by `loadDataFolder`) into the model's index space:
 * the model's users and items keep their rows, ids the model has never seen follow in the data
 * set's order, tags and profile features likewise. The content must cover every item of the model
 * (the catalogue) when its kind has a content tower, and the profile every user when it uses one;
 * a missing one is an error naming it.
 */
export function alignDatasetToModel(options: {
  dataset: Dataset;
  config: RecallModelConfig;
  idMaps: ArtifactIdMaps;
}): Dataset {
  const { dataset, config, idMaps } = options;
  const users = extendMap(idMaps.users, dataset.users);
  const items = extendMap(idMaps.items, dataset.items);
  const itemSource = sourceRows(items.position, items.ids.length);
  const userSource = sourceRows(users.position, users.ids.length);
  const needsContent = usesContentTower(config.kind);
  const missingItem = firstMissing(itemSource, idMaps.items.length);
  if (needsContent && missingItem >= 0)
    fail(
      'data.dataset.items',
      `item ${JSON.stringify(idMaps.items[missingItem])} of the model has no content in the update data; give the content of the whole catalogue`,
    );
  const vectors: Dataset['content']['vectors'] = {};
  for (const [name, table] of Object.entries(dataset.content.vectors)) {
    const data = new Float32Array(items.ids.length * table.dim);
    itemSource.forEach((from, row) => {
      if (from >= 0) data.set(table.data.subarray(from * table.dim, (from + 1) * table.dim), row * table.dim);
    });
    vectors[name] = { dim: table.dim, data };
  }
  const tags = dataset.content.tags
    ? remapMultiHot({
        rows: dataset.content.tags,
        source: itemSource,
        vocabulary: extendMap(idMaps.tags ?? [], dataset.content.tags.vocabulary),
      })
    : undefined;
  let userFeatures: MultiHot | undefined;
  if (dataset.userFeatures) {
    const missingUser = firstMissing(userSource, idMaps.users.length);
    if (config.user.profile && missingUser >= 0)
      fail(
        'data.dataset.users',
        `user ${JSON.stringify(idMaps.users[missingUser])} of the model has no profile in the update data; give the profile of every user`,
      );
    userFeatures = remapMultiHot({
      rows: dataset.userFeatures,
      source: userSource,
      vocabulary: extendMap(idMaps.profile ?? [], dataset.userFeatures.vocabulary),
    });
  }
  const { interactions } = dataset;
  return {
    name: dataset.name,
    users: createIdMap({ ids: users.ids }),
    items: createIdMap({ ids: items.ids }),
    interactions: {
      ...interactions,
      users: Int32Array.from(interactions.users, (u) => users.position[u] as number),
      items: Int32Array.from(interactions.items, (i) => items.position[i] as number),
    },
    content: { ...(tags ? { tags } : {}), vectors },
    ...(userFeatures ? { userFeatures } : {}),
  };
}
