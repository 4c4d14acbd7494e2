import { InvalidArgumentError, MissingArtifactError, ShapeMismatchError } from '@mmrecall/errors';
import { createPosteriorGate, type PosteriorGate } from '@mmrecall/gating';
import { createRandom, mixSeed } from '@mmrecall/random';
import {
  type ContentTower,
  createContentTower,
  createIdTower,
  createUserTower,
  type EmbeddingTable,
  type IdTower,
  l2Normalize,
  type UserTower,
} from '@mmrecall/towers';
import * as tf from '@tensorflow/tfjs-core';
import { validateModelConfig } from './config';
import { modelKindDefinition } from './kinds/registry';
import { computeRecallLoss } from './loss';
import type {
  ComputeLossOptions,
  ForwardOptions,
  FuseItemViewsInput,
  ItemBatch,
  ItemViews,
  RecallModel,
  RecallModelConfig,
  UserBatch,
} from './types';

/** Width of the gate's input: log exposures, log clicks, smoothed CTR, log age. */
export const POSTERIOR_FEATURES = 4;

/** Options of `createRecallModel`. */
export interface CreateRecallModelOptions {
  /** The model configuration (see `defaultModelConfig`). */
  config: RecallModelConfig;
}

type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

function gateWeights(gate: PosteriorGate): NamedWeights {
  const out: NamedWeights = {};
  for (const [name, variable] of Object.entries(gate.toNamedWeights())) {
    out[name] = { shape: [...variable.shape], data: Float32Array.from(variable.dataSync() as Float32Array) };
  }
  return out;
}

/**
 * Builds one of the five recall models of MODEL.md from its configuration:
 * - `id-only`: user tower vs behaviour tower;
 * - `content-only`: user tower vs content tower (tags, vectors, node ids);
 * - `multiview`: both item towers (trained jointly with a triplet loss between them); warm items
 *   serve their behaviour embedding, cold items their content embedding;
 * - `gated-concat`: item = concat(id, g * meta), user = concat(u_id, u_meta);
 * - `gated-additive`: item = g * meta + (1 - g) * id.
 * g comes from the posterior gate fed with the item's statistics; a cold item has zero statistics.
 */
export function createRecallModel(options: CreateRecallModelOptions): RecallModel {
  const config = options.config;
  validateModelConfig(config);
  const { kind, dim, seed } = config;
  const definition = modelKindDefinition(kind);
  const concat = definition.concatenated;
  const fusedKernels = config.fusedKernels ?? false;

  const idTower: IdTower | undefined = definition.towers.id
    ? createIdTower({
        name: 'item_id',
        numItems: config.numItems + 1,
        idDim: config.id.idDim,
        hiddenUnits: config.id.hiddenUnits,
        outputDim: dim,
        seed: seed + 11,
        fusedKernels,
        ...(config.id.neighbours ? { neighbourWeight: config.id.neighbours.weight } : {}),
      })
    : undefined;

  const contentTower: ContentTower | undefined = definition.towers.content
    ? createContentTower({
        name: 'content',
        hiddenUnits: config.content.hiddenUnits,
        outputDim: dim,
        seed: seed + 23,
        fusedKernels,
        useRawVectors: config.content.useRawVectors,
        vectors: config.content.vectors,
        ...(config.content.tags ? { tags: config.content.tags } : {}),
        ...(config.content.nodeIds
          ? {
              nodeIds: {
                nodesPerLevel: config.content.nodeIds.nodesPerLevel,
                dim: config.content.nodeIds.dim,
              },
            }
          : {}),
      })
    : undefined;

  const history = config.user.history;
  const sharedHistory = history && idTower && history.dim === config.id.idDim ? idTower.itemTable : undefined;
  const userTower: UserTower | undefined =
    config.mode === 'u2i'
      ? createUserTower({
          name: 'user',
          // One more row than users: the shared unknown-user row for users the model has never seen.
          numUsers: config.numUsers + 1,
          userIdDim: config.user.idDim,
          hiddenUnits: config.user.hiddenUnits,
          outputDim: concat ? 2 * dim : dim,
          normalize: !concat,
          seed: seed + 37,
          fusedKernels,
          ...(config.user.profile ? { profile: config.user.profile } : {}),
          ...(history
            ? {
                history: {
                  numItems: config.numItems + 1,
                  dim: history.dim,
                  ...(sharedHistory ? { table: sharedHistory } : {}),
                },
              }
            : {}),
        })
      : undefined;

  const gate: PosteriorGate | undefined = config.gate
    ? createPosteriorGate({
        inputDim: POSTERIOR_FEATURES,
        hiddenUnits: config.gate.hiddenUnits,
        seed: seed + 53,
        fusedKernels,
      })
    : undefined;

  const variables = [
    ...(userTower?.variables ?? []),
    ...(idTower?.variables ?? []),
    ...(contentTower?.variables ?? []),
    ...(gate ? [...gate.variables] : []),
  ];
  const tables: EmbeddingTable[] = [];
  for (const table of [
    ...(userTower?.tables ?? []),
    ...(idTower?.tables ?? []),
    ...(contentTower?.tables ?? []),
  ]) {
    if (!tables.includes(table)) tables.push(table);
  }

  const unknownItem = config.numItems;

  function prepareItems(
    batch: ItemBatch,
    forward: ForwardOptions,
  ): { items: Int32Array; posterior: Float32Array } {
    const size = batch.items.length;
    if (config.id.neighbours && idTower && batch.neighbours?.offsets.length !== size + 1) {
      throw new ShapeMismatchError({
        message: 'ItemBatch.neighbours (one CSR row per item) is required: the model uses content neighbours',
        expected: [size + 1],
        actual: [batch.neighbours?.offsets.length ?? 0],
      });
    }
    const items = new Int32Array(size);
    const posterior = new Float32Array(size * POSTERIOR_FEATURES);
    if (batch.posterior) {
      if (batch.posterior.length !== size * POSTERIOR_FEATURES) {
        throw new ShapeMismatchError({
          message: 'ItemBatch.posterior must be batch x 4',
          expected: [size, POSTERIOR_FEATURES],
          actual: [batch.posterior.length / POSTERIOR_FEATURES, POSTERIOR_FEATURES],
        });
      }
      posterior.set(batch.posterior);
    }
    const training = forward.training === true;
    const idRandom = createRandom(mixSeed(seed, forward.step ?? 0, 1));
    const statsRandom = createRandom(mixSeed(seed, forward.step ?? 0, 2));
    for (let i = 0; i < size; i++) {
      const item = batch.items[i]!;
      if (!(item >= 0 && item <= unknownItem)) {
        throw new InvalidArgumentError({
          argument: `items[${i}]`,
          message: `item index ${item} is outside [0, ${unknownItem}] (${unknownItem} = unknown item)`,
        });
      }
      // Cold items (and, in training, a random share of warm ones: DropoutNet style) use the shared
      // unknown-item row and zero statistics, exactly what a new item gets at serving time.
      let cold = item === unknownItem || (batch.warm !== undefined && batch.warm[i] === 0);
      if (!cold && training && config.id.idDropout > 0 && idRandom() < config.id.idDropout) cold = true;
      items[i] = cold ? unknownItem : item;
      const dropStats =
        cold || (training && config.gate !== undefined && statsRandom() < config.gate.statsDropout);
      if (dropStats) posterior.fill(0, i * POSTERIOR_FEATURES, (i + 1) * POSTERIOR_FEATURES);
    }
    return { items, posterior };
  }

  function itemViews(batch: ItemBatch, forward: ForwardOptions = {}): ItemViews {
    const size = batch.items.length;
    const { items, posterior } = prepareItems(batch, forward);
    const towerOptions = { training: forward.training === true };
    return tf.tidy(() => {
      const id = idTower?.apply(
        { items, ...(batch.neighbours ? { neighbours: batch.neighbours } : {}) },
        towerOptions,
      );
      const content = contentTower?.apply(
        {
          ...(batch.tags ? { tags: batch.tags } : {}),
          vectors: batch.vectors,
          ...(batch.nodeIds ? { nodeIds: batch.nodeIds } : {}),
        },
        towerOptions,
      );
      const gateValue = gate?.apply(tf.tensor2d(posterior, [size, POSTERIOR_FEATURES]));
      const item = definition.fuse({
        ...(id ? { id } : {}),
        ...(content ? { content } : {}),
        ...(gateValue ? { gate: gateValue } : {}),
        ...(batch.warm ? { warm: batch.warm } : {}),
        dim,
        fusedKernels,
      });
      const views: ItemViews = { item };
      if (id) views.id = id;
      if (content) views.content = content;
      if (gateValue) views.gate = gateValue;
      return views as unknown as tf.TensorContainer;
    }) as unknown as ItemViews;
  }

  function fuseItemViews(input: FuseItemViewsInput): { gate: tf.Tensor2D; item: tf.Tensor2D } {
    if (!gate) {
      throw new InvalidArgumentError({
        argument: 'kind',
        message: `a ${kind} model has no posterior gate`,
      });
    }
    const size = input.id.shape[0];
    if (input.posterior.length !== size * POSTERIOR_FEATURES) {
      throw new ShapeMismatchError({
        message: 'posterior must be batch x 4',
        expected: [size, POSTERIOR_FEATURES],
        actual: [input.posterior.length / POSTERIOR_FEATURES, POSTERIOR_FEATURES],
      });
    }
    return tf.tidy(() => {
      const gateValue = gate.apply(tf.tensor2d(input.posterior, [size, POSTERIOR_FEATURES]));
      const item = definition.fuse({ id: input.id, content: input.content, gate: gateValue, dim });
      return { gate: gateValue, item };
    });
  }

  function embedUsers(batch: UserBatch, forward: ForwardOptions = {}): tf.Tensor2D {
    if (!userTower) {
      throw new InvalidArgumentError({
        argument: 'mode',
        message: 'an i2i model has no user tower; use embedTriggers',
      });
    }
    const unknownUser = config.numUsers;
    const users = Int32Array.from(batch.users);
    const dropout = forward.training === true ? (config.user.idDropout ?? 0) : 0;
    const userRandom = createRandom(mixSeed(seed, forward.step ?? 0, 3));
    for (let i = 0; i < users.length; i++) {
      const user = users[i]!;
      if (!(user >= 0 && user <= unknownUser)) {
        throw new InvalidArgumentError({
          argument: `users[${i}]`,
          message: `user index ${user} is outside [0, ${unknownUser}] (${unknownUser} = unknown user)`,
        });
      }
      if (dropout > 0 && userRandom() < dropout) users[i] = unknownUser;
    }
    return tf.tidy(() => {
      const raw = userTower.apply(
        {
          users,
          ...(batch.profile ? { profile: batch.profile } : {}),
          ...(batch.history ? { history: batch.history } : {}),
        },
        { training: forward.training === true },
      );
      if (!concat) return raw;
      const [idHalf, metaHalf] = tf.split(raw, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return tf.concat([l2Normalize(idHalf), l2Normalize(metaHalf)], 1);
    });
  }

  function embedTriggers(batch: ItemBatch, forward: ForwardOptions = {}): tf.Tensor2D {
    const views = itemViews(batch, forward);
    const { item, ...rest } = views;
    tf.dispose(Object.values(rest));
    return item;
  }

  function toNamedWeights(): NamedWeights {
    return {
      ...(userTower?.toNamedWeights() ?? {}),
      ...(idTower?.toNamedWeights() ?? {}),
      ...(contentTower?.toNamedWeights() ?? {}),
      ...(gate ? gateWeights(gate) : {}),
    };
  }

  function loadNamedWeights(weights: NamedWeights): void {
    userTower?.loadNamedWeights(weights);
    idTower?.loadNamedWeights(weights);
    contentTower?.loadNamedWeights(weights);
    if (gate) {
      const tensors: Record<string, tf.Tensor> = {};
      for (const name of Object.keys(gate.toNamedWeights())) {
        const weight = weights[name];
        if (!weight) throw new MissingArtifactError({ path: name, message: 'gate weight is missing' });
        tensors[name] = tf.tensor(weight.data, weight.shape);
      }
      try {
        gate.loadNamedWeights(tensors);
      } finally {
        tf.dispose(Object.values(tensors));
      }
    }
  }

  const model: RecallModel = {
    config,
    queryDim: concat ? 2 * dim : dim,
    itemDim: concat ? 2 * dim : dim,
    variables,
    tables,
    embedUsers,
    embedTriggers,
    itemViews,
    fuseItemViews,
    computeLoss: (lossOptions: ComputeLossOptions) => computeRecallLoss({ ...lossOptions, model }),
    toNamedWeights,
    loadNamedWeights,
    dispose() {
      userTower?.dispose();
      idTower?.dispose();
      contentTower?.dispose();
      gate?.dispose();
    },
  };
  return model;
}
