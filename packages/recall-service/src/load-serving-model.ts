import { ShapeMismatchError } from '@mmrecall/errors';
import { posteriorFeatures } from '@mmrecall/gating';
import { embedNewItems, type LoadedArtifacts, readArtifacts } from '@mmrecall/model/inference';
import * as tf from '@tensorflow/tfjs-core';

import type { LiveItemModel, LoadServingModel, ServingModel, VectorSpec } from './serving-model';

/**
 * Reads an artifacts folder with `@mmrecall/model` and exposes what the service needs. Only the
 * user tower (u2i with `features`) and new-item admission (PUT) run TensorFlow.js; both read
 * results with `await tensor.data()` and dispose every tensor they create.
 */
export const loadServingModel: LoadServingModel = async ({ dir }) => {
  const artifacts = await readArtifacts({ dir });
  try {
    return wrapArtifacts(artifacts);
  } catch (error) {
    artifacts.dispose();
    throw error;
  }
};

function wrapArtifacts(artifacts: LoadedArtifacts): ServingModel {
  const { config, manifest, model, idMaps } = artifacts;
  if (manifest.itemDim !== manifest.queryDim) {
    throw new ShapeMismatchError({
      message: `${artifacts.dir}: item and query embeddings must have the same dimension to be served by inner product`,
      expected: [manifest.itemDim],
      actual: [manifest.queryDim],
    });
  }
  const nodeIdVectors = new Set(config.content.nodeIds?.vectors ?? []);
  const hasContent = config.kind !== 'id-only';
  const vectorSpecs: Record<string, VectorSpec> = {};
  for (const [name, spec] of Object.entries(config.content.vectors)) {
    vectorSpecs[name] = {
      dim: spec.dim,
      required: hasContent && (config.content.useRawVectors || nodeIdVectors.has(name)),
    };
  }
  const profileIndex = new Map<string, number>((idMaps.profile ?? []).map((value, i) => [value, i]));
  const historyLength = config.user.history?.maxLength;
  return {
    dir: artifacts.dir,
    createdAt: manifest.createdAt,
    ...(artifacts.prebuiltIndex
      ? { prebuiltIndex: { path: artifacts.prebuiltIndex.path, info: artifacts.prebuiltIndex.info } }
      : {}),
    embeddingFiles: {
      items: manifest.files.items ?? 'items.f32',
      ...(manifest.files.users ? { users: manifest.files.users } : {}),
    },
    // readArtifacts refuses a non-finite value in every embedding file it reads.
    embeddingsChecked: true,
    itemRows: artifacts.itemRows,
    kind: config.kind,
    mode: config.mode,
    dim: manifest.itemDim,
    userIds: idMaps.users,
    itemIds: idMaps.items,
    itemEmbeddings: artifacts.itemEmbeddings,
    userEmbeddings: artifacts.userEmbeddings,
    vectorSpecs,
    canEmbedUserFeatures: config.mode === 'u2i',
    canEmbedNewItems: hasContent,
    embedUserFeatures: async ({ user, profile, history }) => {
      const single = (values: ArrayLike<number>) => ({
        offsets: Int32Array.from([0, values.length]),
        values: Int32Array.from(values),
      });
      const profileRows: number[] = [];
      for (const value of profile) {
        const index = profileIndex.get(value);
        if (index !== undefined) profileRows.push(index);
      }
      const recent =
        historyLength === undefined ? history : history.subarray(Math.max(0, history.length - historyLength));
      const query = model.embedUsers({
        users: Int32Array.of(user),
        ...(config.user.profile ? { profile: single(profileRows) } : {}),
        ...(config.user.history ? { history: single(recent) } : {}),
      });
      try {
        return Float32Array.from(await query.data());
      } finally {
        query.dispose();
      }
    },
    embedNewItems: ({ items }) => embedNewItems({ artifacts, items: [...items] }),
    live: liveItemModel(artifacts),
    dispose: () => artifacts.dispose(),
  };
}

/** The live loop's view of a gated model, when the artifacts carry what it needs. */
function liveItemModel(artifacts: LoadedArtifacts): LiveItemModel | undefined {
  const { config, model, itemMeta, itemViews, itemStatistics } = artifacts;
  const scale = config.posteriorScale;
  if (!config.gate || !scale || !itemViews || !itemStatistics || !itemMeta.exposures || !itemMeta.clicks) {
    return undefined;
  }
  const dim = config.dim;
  const gather = (table: Float32Array, rows: Int32Array): Float32Array => {
    const out = new Float32Array(rows.length * dim);
    rows.forEach((row, n) => {
      out.set(table.subarray(row * dim, (row + 1) * dim), n * dim);
    });
    return out;
  };
  return {
    trained: {
      warm: itemMeta.warm,
      exposures: itemMeta.exposures,
      clicks: itemMeta.clicks,
      firstSeen: itemStatistics.firstSeen,
      referenceTime: itemStatistics.referenceTime,
      ctrPrior: itemStatistics.ctrPrior,
    },
    fuse: async ({ rows, statistics }) => {
      const posterior = posteriorFeatures({ ...statistics, scale });
      const id = tf.tensor2d(gather(itemViews.id, rows), [rows.length, dim]);
      const content = tf.tensor2d(gather(itemViews.content, rows), [rows.length, dim]);
      const fused = model.fuseItemViews({ id, content, posterior });
      try {
        const embeddings = Float32Array.from(await fused.item.data());
        const gates = Float32Array.from(await fused.gate.data());
        return { embeddings, gates };
      } finally {
        tf.dispose([id, content, fused.item, fused.gate]);
      }
    },
  };
}
