import path from 'node:path';
import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import {
  type ArtifactFileIntegrity,
  integrityOf,
  integrityOfFile,
  isPlainFileName,
  syncFile,
  writeFileDurably,
} from './artifact-files';
import { type ArtifactsSwapStep, writeArtifactsVersion } from './artifacts-folder';
import type { RecallModel, RecallModelConfig } from './types';

/** `format` field of manifest.json. */
export const ARTIFACTS_FORMAT = 'mmrecall-artifacts';
/**
 * Current artifacts format version. 2 adds `integrity` (size and sha256 of every file); version 1
 * folders are still read, without checksums.
 */
export const ARTIFACTS_VERSION = 2;

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
  /** Role (`model`, `items`, `users`, `idMaps`, `itemMeta`, ...) -> plain file name inside the folder. */
  files: Record<string, string>;
  /** Version 2: byte size and sha256 of every file in the folder except manifest.json, by file name. */
  integrity?: Record<string, ArtifactFileIntegrity>;
  /** The prebuilt index named by `files.index`, when there is one. */
  index?: ArtifactsIndexInfo;
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
  /** A prebuilt recall index over `itemEmbeddings` (e.g. `buildPrebuiltHnswIndex` of @mmrecall/serving). */
  index?: ArtifactsIndexWriter;
  /** Called after each step of the write (progress logs; tests stop here to check what a kill would leave). */
  onStep?: (step: ArtifactsWriteStep) => void | Promise<void>;
}

/** Steps of `writeArtifacts`: first file written, new folder complete and fsynced, then the swap's steps. */
export type ArtifactsWriteStep = 'writing' | 'staged' | ArtifactsSwapStep;

/**
 * `manifest.index`: what the prebuilt index file (`files.index`) holds. Keys `0..rows-1` are the
 * rows of items.f32. The serving package checks the fields it needs before mapping the file.
 */
export interface ArtifactsIndexInfo {
  /** Index kind, e.g. `hnsw`. */
  kind: string;
  /** Library whose file format it is, e.g. `usearch`. */
  library: string;
  /** Similarity, e.g. `ip`. */
  metric: string;
  /** Rows (= numItems). */
  rows: number;
  /** Dimension (= itemDim). */
  dim: number;
  /** Numeric build and search settings, e.g. `{ connectivity: 16, expansionAdd: 128, expansionSearch: 128 }`. */
  settings: Record<string, number>;
}

/** A prebuilt index to store in an artifacts folder. */
export interface ArtifactsIndexWriter {
  info: ArtifactsIndexInfo;
  /** Writes the index file at `path`. */
  write(path: string): Promise<void>;
  /** File name inside the folder. Default `items.<kind>`. */
  file?: string;
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
 * Writes an artifacts folder atomically: every file goes, fsynced, into a sibling temporary folder,
 * with its size and sha256 in the manifest (written last); then the current folder is renamed
 * aside and the new one into place (see artifacts-folder.ts: readers find one complete folder at
 * every instant, whatever kills the process). Stale temporaries of dead writers are removed.
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
  checkFinite(itemEmbeddings, 'itemEmbeddings');
  if (userEmbeddings) {
    checkFinite(userEmbeddings, 'userEmbeddings');
    if (idMaps.users.length !== config.numUsers) {
      throw new ShapeMismatchError({
        message: 'idMaps.users must list every user when userEmbeddings are given',
        expected: [config.numUsers],
        actual: [idMaps.users.length],
      });
    }
  }
  for (const [field, ids] of Object.entries(idMaps))
    checkUnique(ids as readonly string[] | undefined, `idMaps.${field}`);
  for (const name of Object.keys(options.extraFiles ?? {})) {
    if (!isPlainFileName(name)) {
      throw new InvalidArgumentError({
        argument: `extraFiles.${name}`,
        message: 'must be a plain file name',
      });
    }
  }
  const onStep = options.onStep;
  await writeArtifactsVersion({
    dir,
    ...(onStep ? { onStep } : {}),
    fill: async (version) => {
      const files: Record<string, string> = {};
      const integrity: Record<string, ArtifactFileIntegrity> = {};
      const put = async (role: string, name: string, content: string | Uint8Array): Promise<void> => {
        const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
        await writeFileDurably(path.join(version, name), bytes);
        files[role] = name;
        integrity[name] = integrityOf(bytes);
        if (Object.keys(files).length === 1) await options.onStep?.('writing');
      };
      const { specs, data } = encodeWeights(model.toNamedWeights());
      await put(
        'model',
        'model.json',
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
      await put('weights', 'weights.bin', data);
      await put('idMaps', 'id-maps.json', JSON.stringify(idMaps));
      await put('items', 'items.f32', bytesOf(itemEmbeddings));
      if (userEmbeddings) await put('users', 'users.f32', bytesOf(userEmbeddings));
      await put(
        'itemMeta',
        'item-meta.json',
        JSON.stringify({
          warm: Array.from(itemMeta.warm),
          ...(itemMeta.gate ? { gate: Array.from(itemMeta.gate, (g) => Math.round(g * 1e6) / 1e6) } : {}),
          ...(itemMeta.exposures ? { exposures: Array.from(itemMeta.exposures) } : {}),
          ...(itemMeta.clicks ? { clicks: Array.from(itemMeta.clicks) } : {}),
        }),
      );
      if (itemViews) {
        await put('itemsId', 'items-id.f32', bytesOf(itemViews.id));
        await put('itemsContent', 'items-content.f32', bytesOf(itemViews.content));
      }
      if (itemStatistics) {
        const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);
        await put(
          'itemStatistics',
          'item-statistics.json',
          JSON.stringify({
            referenceTime: finiteOrNull(itemStatistics.referenceTime),
            ctrPrior: itemStatistics.ctrPrior,
            firstSeen: Array.from(itemStatistics.firstSeen, finiteOrNull),
          }),
        );
      }
      await put('config', 'config.json', JSON.stringify(config, null, 2));
      if (options.clusterTree !== undefined) {
        await put('clusterTree', 'cluster-tree.json', JSON.stringify(options.clusterTree));
      }
      for (const [name, content] of Object.entries(options.extraFiles ?? {})) await put(name, name, content);
      if (options.index !== undefined) {
        const name = indexFileName(options.index);
        checkIndexInfo(options.index.info, { rows: config.numItems, dim: model.itemDim });
        await options.index.write(path.join(version, name));
        await syncFile(path.join(version, name));
        files.index = name;
        integrity[name] = await integrityOfFile(path.join(version, name));
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
        integrity,
        ...(options.index ? { index: options.index.info } : {}),
        ...(options.info ? { info: options.info } : {}),
      };
      return manifest;
    },
  });
}

function checkFinite(values: Float32Array, argument: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InvalidArgumentError({
        argument: `${argument}[${i}]`,
        message: `must be finite, got ${values[i]}`,
      });
    }
  }
}

function checkUnique(ids: readonly string[] | undefined, argument: string): void {
  if (ids === undefined) return;
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    if (seen.has(id)) {
      throw new InvalidArgumentError({
        argument: `${argument}[${i}]`,
        message: `id ${JSON.stringify(id)} is listed twice`,
      });
    }
    seen.add(id);
  }
}

function indexFileName(index: ArtifactsIndexWriter): string {
  const name = index.file ?? `items.${index.info.kind}`;
  if (!isPlainFileName(name) || name === 'manifest.json') {
    throw new InvalidArgumentError({
      argument: 'index.file',
      message: `${JSON.stringify(name)} must be a plain file name`,
    });
  }
  return name;
}

function checkIndexInfo(info: ArtifactsIndexInfo, expected: { rows: number; dim: number }): void {
  if (info.rows !== expected.rows || info.dim !== expected.dim) {
    throw new ShapeMismatchError({
      message: 'index.info must describe rows x dim of the item embeddings',
      expected: [expected.rows, expected.dim],
      actual: [info.rows, info.dim],
    });
  }
}
