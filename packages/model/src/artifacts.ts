import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { replaceFolderAtomic } from '@mmrecall/atomic-write';
import { type ClusterTree, parseClusterTree } from '@mmrecall/clustering';
import { InvalidArgumentError, MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import { validateModelConfig } from './config';
import { createRecallModel } from './recall-model';
import type { RecallModel, RecallModelConfig } from './types';

/** `format` field of manifest.json. */
export const ARTIFACTS_FORMAT = 'mmrecall-artifacts';
/** Current artifacts format version. */
export const ARTIFACTS_VERSION = 1;

type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** Id maps saved with the artifacts: position = dense index. */
export interface ArtifactIdMaps {
  users: string[];
  items: string[];
  tags?: string[];
  profile?: string[];
}

/** Per-item metadata saved with the artifacts. */
export interface ItemMeta {
  /** 1 = warm (had behaviour in training), 0 = cold. */
  warm: Uint8Array;
  /** Gate value per item (gated kinds). */
  gate?: Float32Array;
  /** Training exposures per item. */
  exposures?: Float32Array;
  /** Training clicks per item. */
  clicks?: Float32Array;
}

/**
 * What the live loop needs to recompute a gated item exactly as the model does offline: the counts
 * behind the statistics (`ItemMeta.exposures` / `clicks`) plus the age and smoothing rules' inputs.
 */
export interface ItemStatisticsMeta {
  /** First-seen time per item in the training period, unix seconds; NaN = never seen (or no timestamps). */
  firstSeen: Float64Array;
  /** The statistics' reference time (end of the training period), unix seconds; NaN = no timestamps. */
  referenceTime: number;
  /** The smoothed CTR's prior. */
  ctrPrior: { alpha: number; beta: number };
}

/** manifest.json. */
export interface ArtifactsManifest {
  format: typeof ARTIFACTS_FORMAT;
  version: number;
  kind: RecallModelConfig['kind'];
  mode: RecallModelConfig['mode'];
  numItems: number;
  numUsers: number;
  itemDim: number;
  queryDim: number;
  createdAt: string;
  /** Relative paths of the files in the folder. */
  files: Record<string, string>;
  /** Free-form extra information (backend, data set name, ...). */
  info?: Record<string, unknown>;
}

/** Options of `writeArtifacts`. */
export interface WriteArtifactsOptions {
  /** Target folder; replaced as a whole. */
  dir: string;
  /** The trained model. */
  model: RecallModel;
  /** Id maps. */
  idMaps: ArtifactIdMaps;
  /** numItems x itemDim retrieval embeddings (warm: behaviour/fused, cold: content). */
  itemEmbeddings: Float32Array;
  /** numUsers x queryDim user embeddings (u2i). */
  userEmbeddings?: Float32Array;
  /** Per-item metadata. */
  itemMeta: ItemMeta;
  /** Behaviour and content views of every item, numItems x dim each (gated kinds; for the live loop). */
  itemViews?: { id: Float32Array; content: Float32Array };
  /** First-seen times, reference time and CTR prior of the statistics (for the live loop). */
  itemStatistics?: ItemStatisticsMeta;
  /** JSON document of the cluster tree (when the model uses node ids). */
  clusterTree?: unknown;
  /** Extra files (name -> content), e.g. metrics.json and report.html. */
  extraFiles?: Record<string, string | Uint8Array>;
  /** Free-form information stored in the manifest. */
  info?: Record<string, unknown>;
}

/** Serialises named weights as a TensorFlow.js weights manifest + one little-endian float32 blob. */
export function encodeWeights(weights: NamedWeights): {
  specs: { name: string; shape: number[]; dtype: 'float32' }[];
  data: Uint8Array;
} {
  const names = Object.keys(weights).sort();
  let total = 0;
  for (const name of names) total += weights[name]!.data.length;
  const data = new Float32Array(total);
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  let offset = 0;
  for (const name of names) {
    const weight = weights[name]!;
    data.set(weight.data, offset);
    offset += weight.data.length;
    specs.push({ name, shape: [...weight.shape], dtype: 'float32' });
  }
  return { specs, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Inverse of `encodeWeights`. */
export function decodeWeights(options: {
  specs: { name: string; shape: number[]; dtype: string }[];
  data: Uint8Array;
  file: string;
}): NamedWeights {
  const { specs, data, file } = options;
  const floats = toFloat32(data, file);
  const out: NamedWeights = {};
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32') {
      throw new InvalidArgumentError({
        argument: `${file}: ${spec.name}.dtype`,
        message: `unsupported dtype ${spec.dtype}`,
      });
    }
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + size > floats.length) {
      throw new ShapeMismatchError({
        message: `${file} is truncated at weight "${spec.name}"`,
        expected: [offset + size],
        actual: [floats.length],
      });
    }
    out[spec.name] = { shape: spec.shape, data: floats.slice(offset, offset + size) };
    offset += size;
  }
  return out;
}

function toFloat32(bytes: Uint8Array, file: string): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new ShapeMismatchError({
      message: `${file}: byte length is not a multiple of 4`,
      expected: [bytes.byteLength - (bytes.byteLength % 4)],
      actual: [bytes.byteLength],
    });
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

function bytesOf(array: Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * Writes an artifacts folder atomically: everything goes into a temporary sibling folder which is
 * then renamed into place, so a killed run never leaves a half-written folder at `dir`.
 */
export async function writeArtifacts(options: WriteArtifactsOptions): Promise<void> {
  const { model, idMaps, itemEmbeddings, userEmbeddings, itemMeta, itemViews, itemStatistics } = options;
  const config = model.config;
  const dir = path.resolve(options.dir);
  if (itemEmbeddings.length !== config.numItems * model.itemDim) {
    throw new ShapeMismatchError({
      message: 'itemEmbeddings must be numItems x itemDim',
      expected: [config.numItems, model.itemDim],
      actual: [itemEmbeddings.length / model.itemDim, model.itemDim],
    });
  }
  if (userEmbeddings && userEmbeddings.length !== config.numUsers * model.queryDim) {
    throw new ShapeMismatchError({
      message: 'userEmbeddings must be numUsers x queryDim',
      expected: [config.numUsers, model.queryDim],
      actual: [userEmbeddings.length / model.queryDim, model.queryDim],
    });
  }
  if (idMaps.items.length !== config.numItems) {
    throw new ShapeMismatchError({
      message: 'idMaps.items must list every item',
      expected: [config.numItems],
      actual: [idMaps.items.length],
    });
  }
  if (itemViews) {
    for (const view of ['id', 'content'] as const) {
      if (itemViews[view].length !== config.numItems * config.dim) {
        throw new ShapeMismatchError({
          message: `itemViews.${view} must be numItems x dim`,
          expected: [config.numItems, config.dim],
          actual: [itemViews[view].length / config.dim, config.dim],
        });
      }
    }
  }
  if (itemStatistics && itemStatistics.firstSeen.length !== config.numItems) {
    throw new ShapeMismatchError({
      message: 'itemStatistics.firstSeen must have one value per item',
      expected: [config.numItems],
      actual: [itemStatistics.firstSeen.length],
    });
  }
  await replaceFolderAtomic({
    dir,
    write: async (temporary) => {
      const { specs, data } = encodeWeights(model.toNamedWeights());
      const files: Record<string, string> = {
        model: 'model.json',
        weights: 'weights.bin',
        idMaps: 'id-maps.json',
        items: 'items.f32',
        itemMeta: 'item-meta.json',
      };
      await writeFile(
        path.join(temporary, 'model.json'),
        JSON.stringify(
          {
            format: 'mmrecall-model',
            formatVersion: 1,
            generatedBy: '@mmrecall/model',
            config,
            weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
          },
          null,
          2,
        ),
      );
      await writeFile(path.join(temporary, 'weights.bin'), data);
      await writeFile(path.join(temporary, 'id-maps.json'), JSON.stringify(idMaps));
      await writeFile(path.join(temporary, 'items.f32'), bytesOf(itemEmbeddings));
      if (userEmbeddings) {
        files.users = 'users.f32';
        await writeFile(path.join(temporary, 'users.f32'), bytesOf(userEmbeddings));
      }
      await writeFile(
        path.join(temporary, 'item-meta.json'),
        JSON.stringify({
          warm: Array.from(itemMeta.warm),
          ...(itemMeta.gate ? { gate: Array.from(itemMeta.gate, (g) => Math.round(g * 1e6) / 1e6) } : {}),
          ...(itemMeta.exposures ? { exposures: Array.from(itemMeta.exposures) } : {}),
          ...(itemMeta.clicks ? { clicks: Array.from(itemMeta.clicks) } : {}),
        }),
      );
      if (itemViews) {
        files.itemsId = 'items-id.f32';
        files.itemsContent = 'items-content.f32';
        await writeFile(path.join(temporary, files.itemsId), bytesOf(itemViews.id));
        await writeFile(path.join(temporary, files.itemsContent), bytesOf(itemViews.content));
      }
      if (itemStatistics) {
        files.itemStatistics = 'item-statistics.json';
        const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);
        await writeFile(
          path.join(temporary, files.itemStatistics),
          JSON.stringify({
            referenceTime: finiteOrNull(itemStatistics.referenceTime),
            ctrPrior: itemStatistics.ctrPrior,
            firstSeen: Array.from(itemStatistics.firstSeen, finiteOrNull),
          }),
        );
      }
      await writeFile(path.join(temporary, 'config.json'), JSON.stringify(config, null, 2));
      files.config = 'config.json';
      if (options.clusterTree !== undefined) {
        files.clusterTree = 'cluster-tree.json';
        await writeFile(path.join(temporary, 'cluster-tree.json'), JSON.stringify(options.clusterTree));
      }
      for (const [name, content] of Object.entries(options.extraFiles ?? {})) {
        if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
          throw new InvalidArgumentError({
            argument: `extraFiles.${name}`,
            message: 'must be a plain file name',
          });
        }
        await writeFile(path.join(temporary, name), content);
        files[name] = name;
      }
      const manifest: ArtifactsManifest = {
        format: ARTIFACTS_FORMAT,
        version: ARTIFACTS_VERSION,
        kind: config.kind,
        mode: config.mode,
        numItems: config.numItems,
        numUsers: config.numUsers,
        itemDim: model.itemDim,
        queryDim: model.queryDim,
        createdAt: new Date().toISOString(),
        files,
        ...(options.info ? { info: options.info } : {}),
      };
      // The manifest is written last: a folder without one is never taken for artifacts.
      await writeFile(path.join(temporary, 'manifest.json'), JSON.stringify(manifest, null, 2));
    },
  });
}

/** An artifacts folder loaded into memory, with a ready model. */
export interface LoadedArtifacts {
  dir: string;
  manifest: ArtifactsManifest;
  config: RecallModelConfig;
  model: RecallModel;
  idMaps: ArtifactIdMaps;
  itemEmbeddings: Float32Array;
  userEmbeddings?: Float32Array;
  itemMeta: ItemMeta;
  /** Behaviour and content views (folders written with them; absent = the live loop is unavailable). */
  itemViews?: { id: Float32Array; content: Float32Array };
  /** Statistics' first-seen times and reference time (absent in older folders). */
  itemStatistics?: ItemStatisticsMeta;
  clusterTree?: ClusterTree;
  /** Frees the model's tensors. */
  dispose(): void;
}

async function readArtifactFile(dir: string, name: string): Promise<Buffer> {
  const file = path.join(dir, name);
  try {
    return await readFile(file);
  } catch (error) {
    throw new MissingArtifactError({ path: file, message: 'cannot be read', cause: error });
  }
}

async function readJson<T>(dir: string, name: string): Promise<T> {
  const text = (await readArtifactFile(dir, name)).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new MissingArtifactError({
      path: path.join(dir, name),
      message: 'is not valid JSON',
      cause: error,
    });
  }
}

function checkLength(file: string, array: Float32Array, rows: number, dim: number): Float32Array {
  if (array.length !== rows * dim) {
    throw new ShapeMismatchError({
      message: `${file} has the wrong size`,
      expected: [rows, dim],
      actual: [array.length / dim, dim],
    });
  }
  return array;
}

/** Options of `readArtifacts`. */
export interface ReadArtifactsOptions {
  /** The artifacts folder. */
  dir: string;
}

/** Loads an artifacts folder written by `writeArtifacts` and rebuilds the model with its weights. */
export async function readArtifacts(options: ReadArtifactsOptions): Promise<LoadedArtifacts> {
  const dir = path.resolve(options.dir);
  const manifest = await readJson<ArtifactsManifest>(dir, 'manifest.json');
  if (manifest.format !== ARTIFACTS_FORMAT) {
    throw new MissingArtifactError({
      path: path.join(dir, 'manifest.json'),
      message: `format is "${manifest.format}", expected "${ARTIFACTS_FORMAT}"`,
    });
  }
  if (manifest.version !== ARTIFACTS_VERSION) {
    throw new MissingArtifactError({
      path: path.join(dir, 'manifest.json'),
      message: `version ${manifest.version} is not supported (expected ${ARTIFACTS_VERSION})`,
    });
  }
  const modelJson = await readJson<{
    config: RecallModelConfig;
    weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  }>(dir, manifest.files.model ?? 'model.json');
  const config = modelJson.config;
  validateModelConfig(config);
  const group = modelJson.weightsManifest[0];
  if (group?.paths.length !== 1) {
    throw new MissingArtifactError({
      path: path.join(dir, 'model.json'),
      message: 'weightsManifest must have one group with one path',
    });
  }
  const weightsFile = group.paths[0]!;
  const weights = decodeWeights({
    specs: group.weights,
    data: await readArtifactFile(dir, weightsFile),
    file: weightsFile,
  });
  const idMaps = await readJson<ArtifactIdMaps>(dir, manifest.files.idMaps ?? 'id-maps.json');
  const itemEmbeddings = checkLength(
    'items.f32',
    toFloat32(await readArtifactFile(dir, manifest.files.items ?? 'items.f32'), 'items.f32'),
    manifest.numItems,
    manifest.itemDim,
  );
  const userEmbeddings = manifest.files.users
    ? checkLength(
        'users.f32',
        toFloat32(await readArtifactFile(dir, manifest.files.users), 'users.f32'),
        manifest.numUsers,
        manifest.queryDim,
      )
    : undefined;
  const metaJson = await readJson<{
    warm: number[];
    gate?: number[];
    exposures?: number[];
    clicks?: number[];
  }>(dir, manifest.files.itemMeta ?? 'item-meta.json');
  const itemMeta: ItemMeta = { warm: Uint8Array.from(metaJson.warm) };
  if (metaJson.gate) itemMeta.gate = Float32Array.from(metaJson.gate);
  if (metaJson.exposures) itemMeta.exposures = Float32Array.from(metaJson.exposures);
  if (metaJson.clicks) itemMeta.clicks = Float32Array.from(metaJson.clicks);
  const itemViews =
    manifest.files.itemsId && manifest.files.itemsContent
      ? {
          id: checkLength(
            manifest.files.itemsId,
            toFloat32(await readArtifactFile(dir, manifest.files.itemsId), manifest.files.itemsId),
            manifest.numItems,
            config.dim,
          ),
          content: checkLength(
            manifest.files.itemsContent,
            toFloat32(await readArtifactFile(dir, manifest.files.itemsContent), manifest.files.itemsContent),
            manifest.numItems,
            config.dim,
          ),
        }
      : undefined;
  const itemStatistics = manifest.files.itemStatistics
    ? parseItemStatistics(
        await readJson<unknown>(dir, manifest.files.itemStatistics),
        path.join(dir, manifest.files.itemStatistics),
        manifest.numItems,
      )
    : undefined;
  const clusterTree = manifest.files.clusterTree
    ? parseClusterTree({
        json: await readJson<unknown>(dir, manifest.files.clusterTree),
        source: path.join(dir, manifest.files.clusterTree),
      })
    : undefined;
  const model = createRecallModel({ config });
  try {
    model.loadNamedWeights(weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const loaded: LoadedArtifacts = {
    dir,
    manifest,
    config,
    model,
    idMaps,
    itemEmbeddings,
    itemMeta,
    dispose: () => model.dispose(),
  };
  if (userEmbeddings) loaded.userEmbeddings = userEmbeddings;
  if (itemViews) loaded.itemViews = itemViews;
  if (itemStatistics) loaded.itemStatistics = itemStatistics;
  if (clusterTree) loaded.clusterTree = clusterTree;
  return loaded;
}

function parseItemStatistics(json: unknown, file: string, numItems: number): ItemStatisticsMeta {
  const fail = (field: string, message: string): never => {
    throw new MissingArtifactError({ path: file, message: `${field} ${message}` });
  };
  const record = (json ?? {}) as { referenceTime?: unknown; ctrPrior?: unknown; firstSeen?: unknown };
  const time = (value: unknown, field: string): number => {
    if (value === null) return Number.NaN;
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, 'must be a finite number or null');
    return value as number;
  };
  const referenceTime = time(record.referenceTime, 'referenceTime');
  const prior = (record.ctrPrior ?? {}) as { alpha?: unknown; beta?: unknown };
  if (
    typeof prior.alpha !== 'number' ||
    typeof prior.beta !== 'number' ||
    !(prior.alpha >= 0) ||
    !(prior.beta >= 0)
  ) {
    fail('ctrPrior', 'must be { alpha, beta } with numbers >= 0');
  }
  if (!Array.isArray(record.firstSeen) || record.firstSeen.length !== numItems) {
    fail('firstSeen', `must be an array of ${numItems} values`);
  }
  const firstSeen = Float64Array.from(record.firstSeen as unknown[], (value, i) =>
    time(value, `firstSeen[${i}]`),
  );
  return { firstSeen, referenceTime, ctrPrior: { alpha: prior.alpha as number, beta: prior.beta as number } };
}
