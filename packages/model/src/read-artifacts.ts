import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type ClusterTree, parseClusterTree } from '@mmrecall/clustering';
import { InvalidArtifactError, MissingArtifactError, MmrecallError } from '@mmrecall/errors';
import {
  type ArtifactFail,
  expectFileNames,
  expectInteger,
  expectIntegrity,
  expectNumberArray,
  expectRecord,
  expectString,
  expectUniqueStringRows,
  expectUniqueStrings,
  failFor,
  toFiniteMatrix,
} from './artifact-checks';
import { type ArtifactFileIntegrity, readArtifactFile, verifyArtifactFile } from './artifact-files';
import {
  ARTIFACTS_FORMAT,
  ARTIFACTS_VERSION,
  type ArtifactIdMaps,
  type ArtifactsIndexInfo,
  type ArtifactsManifest,
  type ItemMeta,
  type ItemStatisticsMeta,
} from './artifacts';
import { resolveArtifactsDir } from './artifacts-folder';
import { validateModelConfig } from './config';
import { isModelKind, MODEL_KINDS } from './kinds/registry';
import { createRecallModel } from './recall-model';
import type { RecallModel, RecallModelConfig } from './types';

/** An artifacts folder loaded into memory, with a ready model. */
export interface LoadedArtifacts {
  /** The folder asked for (absolute). */
  dir: string;
  /** The folder every file was read from: `dir`, or the newest complete one beside it while `dir` is being swapped. */
  version: string;
  manifest: ArtifactsManifest;
  config: RecallModelConfig;
  model: RecallModel;
  idMaps: ArtifactIdMaps;
  /** Item id -> row of `idMaps.items` (built while checking the ids are unique; a reader can reuse it). */
  itemRows: ReadonlyMap<string, number>;
  itemEmbeddings: Float32Array;
  userEmbeddings?: Float32Array;
  itemMeta: ItemMeta;
  /** Behaviour and content views (folders written with them; absent = the live loop is unavailable). */
  itemViews?: { id: Float32Array; content: Float32Array };
  /** Statistics' first-seen times and reference time (absent in older folders). */
  itemStatistics?: ItemStatisticsMeta;
  clusterTree?: ClusterTree;
  /**
   * The prebuilt index (`files.index`), checked against the manifest's size and sha256 but not
   * read into memory: map it with e.g. `openPrebuiltHnswIndex` of @mmrecall/serving.
   */
  prebuiltIndex?: { path: string; file: string; info: ArtifactsIndexInfo };
  /** Frees the model's tensors. */
  dispose(): void;
}

/** Options of `readArtifacts`. */
export interface ReadArtifactsOptions {
  /** The artifacts folder. */
  dir: string;
  /** Check the prebuilt index file's sha256 (a streamed read of the whole file). Default true. */
  verifyIndex?: boolean;
}

const MANIFEST = 'manifest.json';
/** Reads started over when a writer swapped the folder meanwhile (swaps are rare; a few suffice). */
const READ_ATTEMPTS = 10;
/** File names a version 1 manifest may leave out. */
const V1_DEFAULT_FILES: Record<string, string> = {
  model: 'model.json',
  idMaps: 'id-maps.json',
  items: 'items.f32',
  itemMeta: 'item-meta.json',
};

function parseJson(bytes: Buffer, fail: ArtifactFail): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return fail(undefined, 'format', 'is not valid JSON', error);
  }
}

/** Checks every field of manifest.json (versions 1 and 2). */
export function parseManifest(json: unknown, fail: ArtifactFail): ArtifactsManifest {
  const record = expectRecord(json, fail);
  if (record.format !== ARTIFACTS_FORMAT) {
    fail('format', 'format', `is ${JSON.stringify(record.format)}, expected "${ARTIFACTS_FORMAT}"`);
  }
  const version = record.version;
  if (version !== 1 && version !== ARTIFACTS_VERSION) {
    fail('version', 'format', `${JSON.stringify(version)} is not supported (1 or ${ARTIFACTS_VERSION})`);
  }
  const kind = expectString(record.kind, fail, 'kind');
  if (!isModelKind(kind)) {
    fail('kind', 'type', `must be one of ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const mode = expectString(record.mode, fail, 'mode');
  if (mode !== 'u2i' && mode !== 'i2i')
    fail('mode', 'type', `must be u2i or i2i, got ${JSON.stringify(mode)}`);
  const manifest: ArtifactsManifest = {
    format: ARTIFACTS_FORMAT,
    version: version as number,
    kind: kind as ArtifactsManifest['kind'],
    mode: mode as ArtifactsManifest['mode'],
    numItems: expectInteger(record.numItems, fail, 'numItems', 1),
    numUsers: expectInteger(record.numUsers, fail, 'numUsers', 0),
    itemDim: expectInteger(record.itemDim, fail, 'itemDim', 1),
    queryDim: expectInteger(record.queryDim, fail, 'queryDim', 1),
    createdAt: expectString(record.createdAt, fail, 'createdAt'),
    files: { ...(version === 1 ? V1_DEFAULT_FILES : {}), ...expectFileNames(record.files, fail, 'files') },
  };
  for (const role of Object.keys(V1_DEFAULT_FILES)) {
    if (manifest.files[role] === undefined) fail(`files.${role}`, 'type', 'is missing');
  }
  if (version === ARTIFACTS_VERSION) {
    manifest.integrity = expectIntegrity(record.integrity, fail, 'integrity');
    for (const [role, name] of Object.entries(manifest.files)) {
      if (manifest.integrity[name] === undefined) {
        fail(`integrity.${name}`, 'checksum', `is missing (files.${role} names the file)`);
      }
    }
  }
  if (record.info !== undefined) manifest.info = expectRecord(record.info, fail, 'info');
  if ((manifest.files.index === undefined) !== (record.index === undefined)) {
    fail('index', 'type', 'files.index and index must be given together');
  }
  if (record.index !== undefined) manifest.index = parseIndexInfo(record.index, fail, manifest);
  return manifest;
}

function parseIndexInfo(value: unknown, fail: ArtifactFail, manifest: ArtifactsManifest): ArtifactsIndexInfo {
  const record = expectRecord(value, fail, 'index');
  const info: ArtifactsIndexInfo = {
    kind: expectString(record.kind, fail, 'index.kind'),
    library: expectString(record.library, fail, 'index.library'),
    metric: expectString(record.metric, fail, 'index.metric'),
    rows: expectInteger(record.rows, fail, 'index.rows', 0),
    dim: expectInteger(record.dim, fail, 'index.dim', 1),
    settings: {},
  };
  for (const [name, setting] of Object.entries(expectRecord(record.settings, fail, 'index.settings'))) {
    if (typeof setting !== 'number' || !Number.isFinite(setting)) {
      fail(`index.settings.${name}`, 'type', `must be a finite number, got ${JSON.stringify(setting)}`);
    }
    info.settings[name] = setting as number;
  }
  if (info.rows !== manifest.numItems)
    fail('index.rows', 'count', `is ${info.rows}, numItems is ${manifest.numItems}`);
  if (info.dim !== manifest.itemDim)
    fail('index.dim', 'count', `is ${info.dim}, itemDim is ${manifest.itemDim}`);
  return info;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** Checks model.json: a valid config and one weights group naming one plain file. */
function parseModelJson(
  json: unknown,
  fail: ArtifactFail,
): { config: RecallModelConfig; weightsFile: string; specs: WeightSpec[] } {
  const record = expectRecord(json, fail);
  const config = expectRecord(record.config, fail, 'config');
  try {
    validateModelConfig(config as unknown as RecallModelConfig);
  } catch (error) {
    const reason = MmrecallError.isInstance(error) ? error.message : 'is not a model configuration';
    fail('config', 'type', reason, error);
  }
  const groups = record.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1) {
    fail('weightsManifest', 'type', 'must be an array of one weights group');
  }
  const group = expectRecord((groups as unknown[])[0], fail, 'weightsManifest[0]');
  const paths = group.paths;
  if (!Array.isArray(paths) || paths.length !== 1 || typeof paths[0] !== 'string') {
    fail('weightsManifest[0].paths', 'type', 'must be an array of one file name');
  }
  const weights = group.weights;
  if (!Array.isArray(weights)) fail('weightsManifest[0].weights', 'type', 'must be an array');
  const specs = (weights as unknown[]).map((entry, i) => {
    const field = `weightsManifest[0].weights[${i}]`;
    const spec = expectRecord(entry, fail, field);
    const name = expectString(spec.name, fail, `${field}.name`);
    if (spec.dtype !== 'float32')
      fail(`${field}.dtype`, 'type', `must be "float32", got ${JSON.stringify(spec.dtype)}`);
    const shape = spec.shape;
    if (!Array.isArray(shape)) fail(`${field}.shape`, 'type', 'must be an array of integers');
    (shape as unknown[]).forEach((size, d) => {
      expectInteger(size, fail, `${field}.shape[${d}]`, 0);
    });
    return { name, shape: shape as number[], dtype: 'float32' as const };
  });
  return {
    config: config as unknown as RecallModelConfig,
    weightsFile: (paths as string[])[0] as string,
    specs,
  };
}

/** Splits weights.bin by the specs: sizes must add up to the file exactly, values must be finite. */
function decodeCheckedWeights(
  bytes: Buffer,
  specs: WeightSpec[],
  fail: ArtifactFail,
): Record<string, { shape: number[]; data: Float32Array }> {
  let total = 0;
  for (const spec of specs) total += spec.shape.reduce((a, b) => a * b, 1);
  const floats = toFiniteMatrix({ bytes, rows: total, dim: 1, fail });
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    out[spec.name] = { shape: spec.shape, data: floats.slice(offset, offset + size) };
    offset += size;
  }
  return out;
}

function parseIdMaps(
  json: unknown,
  fail: ArtifactFail,
  counts: { numItems: number; numUsers: number; hasUserEmbeddings: boolean },
): { idMaps: ArtifactIdMaps; itemRows: Map<string, number> } {
  const record = expectRecord(json, fail);
  const { values: items, rows: itemRows } = expectUniqueStringRows(record.items, fail, 'items');
  if (items.length !== counts.numItems) {
    fail('items', 'count', `lists ${items.length} items, the manifest and items.f32 have ${counts.numItems}`);
  }
  const users = expectUniqueStrings(record.users, fail, 'users');
  if (users.length !== counts.numUsers && (counts.hasUserEmbeddings || users.length !== 0)) {
    fail(
      'users',
      'count',
      `lists ${users.length} users, the manifest${counts.hasUserEmbeddings ? ' and users.f32 have' : ' has'} ${counts.numUsers}`,
    );
  }
  const idMaps: ArtifactIdMaps = { users, items };
  if (record.tags !== undefined) idMaps.tags = expectUniqueStrings(record.tags, fail, 'tags');
  if (record.profile !== undefined) idMaps.profile = expectUniqueStrings(record.profile, fail, 'profile');
  return { idMaps, itemRows };
}

function parseItemMeta(json: unknown, fail: ArtifactFail, numItems: number): ItemMeta {
  const record = expectRecord(json, fail);
  const warm = expectNumberArray({
    value: record.warm,
    fail,
    field: 'warm',
    length: numItems,
    check: (v) => v === 0 || v === 1,
    expectation: '0 or 1',
  });
  const meta: ItemMeta = { warm: Uint8Array.from(warm) };
  if (record.gate !== undefined) {
    meta.gate = Float32Array.from(
      expectNumberArray({
        value: record.gate,
        fail,
        field: 'gate',
        length: numItems,
        check: (v) => v >= 0 && v <= 1,
        expectation: 'a number in [0, 1]',
      }),
    );
  }
  for (const field of ['exposures', 'clicks'] as const) {
    if (record[field] === undefined) continue;
    meta[field] = Float32Array.from(
      expectNumberArray({
        value: record[field],
        fail,
        field,
        length: numItems,
        check: (v) => v >= 0,
        expectation: 'a finite number >= 0',
      }),
    );
  }
  return meta;
}

/**
 * Loads an artifacts folder written by `writeArtifacts` (manifest version 1 or 2) and rebuilds the
 * model with its weights. Everything is checked before the model is built: file names (plain names
 * inside the folder, regular files), sizes and sha256 (version 2), finiteness of weights and
 * embeddings, id map counts against the embedding files, unique ids, and the JSON types of
 * manifest.json, model.json, id-maps.json and item-meta.json. A missing file throws
 * `MissingArtifactError`; every other problem `InvalidArtifactError` naming file, field and reason.
 */
export async function readArtifacts(options: ReadArtifactsOptions): Promise<LoadedArtifacts> {
  const requested = path.resolve(options.dir);
  // A writer may swap the folder during the read: the manifest is read again at the end, and a read
  // whose manifest changed meanwhile (files of two versions) is done again.
  for (let attempt = 1; ; attempt++) {
    const dir = await resolveArtifactsDir(requested);
    const manifestNow = (): Promise<Buffer | undefined> =>
      readFile(path.join(dir, MANIFEST)).catch(() => undefined);
    const before = await manifestNow();
    const swapped = async (): Promise<boolean> => {
      const after = await manifestNow();
      return before === undefined || after === undefined || !after.equals(before);
    };
    let loaded: { artifacts: LoadedArtifacts; manifestBytes: Buffer };
    try {
      loaded = await readArtifactsOnce(options, requested, dir);
    } catch (error) {
      // A failure caused by a swap during the read (a file of the next version) is worth another attempt.
      if (attempt < READ_ATTEMPTS && (await swapped())) continue;
      throw error;
    }
    if (!(await swapped()) && before?.equals(loaded.manifestBytes)) return loaded.artifacts;
    loaded.artifacts.dispose();
    if (attempt === READ_ATTEMPTS) {
      throw new MissingArtifactError({
        path: path.join(dir, MANIFEST),
        message: 'changed during each of 3 reads',
      });
    }
  }
}

async function readArtifactsOnce(
  options: ReadArtifactsOptions,
  requested: string,
  dir: string,
): Promise<{ artifacts: LoadedArtifacts; manifestBytes: Buffer }> {
  const manifestBytes = await readArtifactFile({
    dir,
    name: MANIFEST,
    namedBy: { file: MANIFEST, field: '(name)' },
  });
  const manifest = parseManifest(parseJson(manifestBytes, failFor(dir, MANIFEST)), failFor(dir, MANIFEST));
  const failManifest = failFor(dir, MANIFEST);
  const expectedOf = (name: string, field: string): ArtifactFileIntegrity | undefined => {
    if (manifest.integrity === undefined) return undefined;
    return (
      manifest.integrity[name] ??
      failManifest(`integrity.${name}`, 'checksum', `is missing (${field} names the file)`)
    );
  };
  const read = (name: string, namedBy: { file: string; field: string }): Promise<Buffer> =>
    readArtifactFile({
      dir,
      name,
      namedBy,
      ...withExpected(expectedOf(name, `${namedBy.file} ${namedBy.field}`)),
    });
  const readRole = (role: string): Promise<Buffer> =>
    read(manifest.files[role] as string, { file: MANIFEST, field: `files.${role}` });

  // The prebuilt index (hundreds of MB) is hashed on a worker thread while the other files are read
  // and checked; the read fails if it does not match, so nothing unverified is ever served.
  const indexFile = manifest.files.index;
  const indexCheck =
    indexFile !== undefined && options.verifyIndex !== false
      ? verifyArtifactFile({
          dir,
          name: indexFile,
          namedBy: { file: MANIFEST, field: 'files.index' },
          ...withExpected(expectedOf(indexFile, 'files.index')),
        })
      : undefined;
  // Awaited below; a failure before that point must not surface as an unhandled rejection.
  indexCheck?.catch(() => undefined);
  const modelFile = manifest.files.model as string;
  const failModel = failFor(dir, modelFile);
  const modelJson = parseModelJson(parseJson(await readRole('model'), failModel), failModel);
  const { config } = modelJson;
  if (config.kind !== manifest.kind || config.mode !== manifest.mode) {
    failManifest(
      'kind',
      'count',
      `says ${manifest.kind}/${manifest.mode}, ${modelFile} says ${config.kind}/${config.mode}`,
    );
  }
  if (config.numItems !== manifest.numItems)
    failManifest(
      'numItems',
      'count',
      `is ${manifest.numItems}, ${modelFile} config.numItems is ${config.numItems}`,
    );
  if (config.numUsers !== manifest.numUsers)
    failManifest(
      'numUsers',
      'count',
      `is ${manifest.numUsers}, ${modelFile} config.numUsers is ${config.numUsers}`,
    );
  const weightsFile = modelJson.weightsFile;
  const weights = decodeCheckedWeights(
    await read(weightsFile, { file: modelFile, field: 'weightsManifest[0].paths[0]' }),
    modelJson.specs,
    failFor(dir, weightsFile),
  );
  const itemEmbeddings = toFiniteMatrix({
    bytes: await readRole('items'),
    rows: manifest.numItems,
    dim: manifest.itemDim,
    fail: failFor(dir, manifest.files.items as string),
  });
  const usersFile = manifest.files.users;
  const userEmbeddings =
    usersFile === undefined
      ? undefined
      : toFiniteMatrix({
          bytes: await readRole('users'),
          rows: manifest.numUsers,
          dim: manifest.queryDim,
          fail: failFor(dir, usersFile),
        });
  const idMapsFile = manifest.files.idMaps as string;
  const failIdMaps = failFor(dir, idMapsFile);
  const { idMaps, itemRows } = parseIdMaps(parseJson(await readRole('idMaps'), failIdMaps), failIdMaps, {
    numItems: manifest.numItems,
    numUsers: manifest.numUsers,
    hasUserEmbeddings: userEmbeddings !== undefined,
  });
  const metaFile = manifest.files.itemMeta as string;
  const failMeta = failFor(dir, metaFile);
  const itemMeta = parseItemMeta(
    parseJson(await readRole('itemMeta'), failMeta),
    failMeta,
    manifest.numItems,
  );
  const viewFiles = [manifest.files.itemsId, manifest.files.itemsContent] as const;
  let itemViews: { id: Float32Array; content: Float32Array } | undefined;
  if (viewFiles[0] !== undefined && viewFiles[1] !== undefined) {
    const view = async (role: string, file: string): Promise<Float32Array> =>
      toFiniteMatrix({
        bytes: await readRole(role),
        rows: manifest.numItems,
        dim: config.dim,
        fail: failFor(dir, file),
      });
    itemViews = {
      id: await view('itemsId', viewFiles[0]),
      content: await view('itemsContent', viewFiles[1]),
    };
  }
  const statisticsFile = manifest.files.itemStatistics;
  let itemStatistics: ItemStatisticsMeta | undefined;
  if (statisticsFile !== undefined) {
    const failStatistics = failFor(dir, statisticsFile);
    itemStatistics = parseItemStatistics(
      parseJson(await readRole('itemStatistics'), failStatistics),
      failStatistics,
      manifest.numItems,
    );
  }
  const treeFile = manifest.files.clusterTree;
  let clusterTree: ClusterTree | undefined;
  if (treeFile !== undefined) {
    const failTree = failFor(dir, treeFile);
    const treeJson = parseJson(await readRole('clusterTree'), failTree);
    try {
      clusterTree = parseClusterTree({ json: treeJson, source: path.join(dir, treeFile) });
    } catch (error) {
      failTree(
        undefined,
        'type',
        MmrecallError.isInstance(error) ? error.message : 'is not a cluster tree',
        error,
      );
    }
  }
  // Hashed on another thread since the start of the read; a bad index fails the read here.
  await indexCheck;
  const model = createRecallModel({ config });
  try {
    if (model.itemDim !== manifest.itemDim || model.queryDim !== manifest.queryDim) {
      failManifest(
        'itemDim',
        'count',
        `itemDim/queryDim are ${manifest.itemDim}/${manifest.queryDim}, the model has ${model.itemDim}/${model.queryDim}`,
      );
    }
    try {
      model.loadNamedWeights(weights);
    } catch (error) {
      if (InvalidArtifactError.isInstance(error)) throw error;
      failFor(dir, weightsFile)(
        undefined,
        'size',
        `does not fit the model: ${(error as Error).message}`,
        error,
      );
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  const loaded: LoadedArtifacts = {
    dir: requested,
    version: dir,
    manifest,
    config,
    model,
    idMaps,
    itemRows,
    itemEmbeddings,
    itemMeta,
    dispose: () => model.dispose(),
  };
  if (userEmbeddings) loaded.userEmbeddings = userEmbeddings;
  if (itemViews) loaded.itemViews = itemViews;
  if (itemStatistics) loaded.itemStatistics = itemStatistics;
  if (clusterTree) loaded.clusterTree = clusterTree;
  if (indexFile !== undefined && manifest.index !== undefined) {
    loaded.prebuiltIndex = { path: path.join(dir, indexFile), file: indexFile, info: manifest.index };
  }
  return { artifacts: loaded, manifestBytes };
}

function withExpected(expected: ArtifactFileIntegrity | undefined): { expected?: ArtifactFileIntegrity } {
  return expected === undefined ? {} : { expected };
}

function parseItemStatistics(json: unknown, fail: ArtifactFail, numItems: number): ItemStatisticsMeta {
  const record = expectRecord(json, fail);
  const time = (value: unknown, field: string): number => {
    if (value === null) return Number.NaN;
    if (typeof value !== 'number' || !Number.isFinite(value))
      fail(field, 'type', 'must be a finite number or null');
    return value as number;
  };
  const referenceTime = time(record.referenceTime, 'referenceTime');
  const prior = expectRecord(record.ctrPrior, fail, 'ctrPrior');
  if (
    typeof prior.alpha !== 'number' ||
    typeof prior.beta !== 'number' ||
    !(prior.alpha >= 0) ||
    !(prior.beta >= 0)
  ) {
    fail('ctrPrior', 'type', 'must be { alpha, beta } with numbers >= 0');
  }
  if (!Array.isArray(record.firstSeen) || record.firstSeen.length !== numItems) {
    fail('firstSeen', 'count', `must be an array of ${numItems} values`);
  }
  const firstSeen = Float64Array.from(record.firstSeen as unknown[], (value, i) =>
    time(value, `firstSeen[${i}]`),
  );
  return { firstSeen, referenceTime, ctrPrior: { alpha: prior.alpha as number, beta: prior.beta as number } };
}
