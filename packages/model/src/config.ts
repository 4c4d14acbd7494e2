import { checkFiniteNumber, checkInteger, checkOneOf, InvalidArgumentError } from '@mmrecall/errors';
import { modelKindDefinition } from './kinds/registry';
import type { ModelKind, RecallMode, RecallModelConfig } from './types';

/** Options of `defaultModelConfig`. */
export interface DefaultModelConfigOptions {
  /** Model kind. */
  kind: ModelKind;
  /** u2i (default) or i2i. */
  mode?: RecallMode;
  /** Number of users. */
  numUsers: number;
  /** Number of items known at training time. */
  numItems: number;
  /** Output dimension of each view. Default 64. */
  dim?: number;
  /** Seed. Default 42. */
  seed?: number;
  /** Tag vocabulary, when items have tags. */
  tags?: { vocabularySize: number };
  /** Named content vectors and their dimensions. */
  vectors: Record<string, { dim: number }>;
  /** Cluster tree node ids as content features. */
  nodeIds?: { nodesPerLevel: number[]; vectors: string[]; normalizeEach?: boolean; dim?: number };
  /** Feed raw vectors to the content tower. Default true. */
  useRawVectors?: boolean;
  /** User profile vocabulary, when users have profile features. */
  profile?: { vocabularySize: number };
  /** Length of the user's recent-item history; 0 disables it. Default 20. */
  historyLength?: number;
}

/** Sensible defaults for every field of a `RecallModelConfig`. */
export function defaultModelConfig(options: DefaultModelConfigOptions): RecallModelConfig {
  const dim = options.dim ?? 64;
  const historyLength = options.historyLength ?? 20;
  const kind = options.kind;
  const definition = modelKindDefinition(kind);
  const config: RecallModelConfig = {
    kind,
    mode: options.mode ?? 'u2i',
    dim,
    numUsers: options.numUsers,
    numItems: options.numItems,
    seed: options.seed ?? 42,
    user: {
      idDim: dim,
      hiddenUnits: [2 * dim],
      ...(options.profile ? { profile: { vocabularySize: options.profile.vocabularySize, dim: 16 } } : {}),
      ...(historyLength > 0 ? { history: { dim, maxLength: historyLength } } : {}),
    },
    // Id dropout teaches the content view what a cold item looks like: kinds without one never drop ids.
    id: { idDim: dim, hiddenUnits: [], idDropout: definition.towers.content ? 0.1 : 0 },
    content: {
      hiddenUnits: [2 * dim],
      ...(options.tags ? { tags: { vocabularySize: options.tags.vocabularySize, dim: 32 } } : {}),
      vectors: options.vectors,
      ...(options.nodeIds
        ? {
            nodeIds: {
              nodesPerLevel: options.nodeIds.nodesPerLevel,
              dim: options.nodeIds.dim ?? 32,
              vectors: options.nodeIds.vectors,
              normalizeEach: options.nodeIds.normalizeEach ?? true,
            },
          }
        : {}),
      useRawVectors: options.useRawVectors ?? true,
    },
    ...(definition.towers.gate ? { gate: { hiddenUnits: [16], statsDropout: 0.1 } } : {}),
    tableOptimizer: { kind: 'adam', learningRate: 0.01 },
  };
  validateModelConfig(config);
  return config;
}

function fail(argument: string, message: string): never {
  throw new InvalidArgumentError({ argument: `config.${argument}`, message });
}

function checkInt(value: unknown, argument: string, min: number): void {
  checkInteger({ argument: `config.${argument}`, value, min });
}

function checkUnits(value: unknown, argument: string): void {
  if (!Array.isArray(value)) fail(argument, 'must be an array of layer widths');
  value.forEach((units, i) => {
    checkInt(units, `${argument}[${i}]`, 1);
  });
}

function checkRate(value: unknown, argument: string): void {
  checkFiniteNumber({ argument: `config.${argument}`, value, min: 0, max: 1, exclusiveMax: true });
}

/** Throws an InvalidArgumentError naming the first invalid field (`config.content.vectors.image.dim`). */
export function validateModelConfig(config: RecallModelConfig): void {
  const definition = modelKindDefinition(config.kind, 'config.kind');
  checkOneOf({ argument: 'config.mode', value: config.mode, allowed: ['u2i', 'i2i'] });
  checkInt(config.dim, 'dim', 1);
  checkInt(config.numUsers, 'numUsers', config.mode === 'u2i' ? 1 : 0);
  checkInt(config.numItems, 'numItems', 1);
  checkInt(config.seed, 'seed', 0);
  checkInt(config.user.idDim, 'user.idDim', 1);
  if (config.user.idDropout !== undefined) checkRate(config.user.idDropout, 'user.idDropout');
  checkUnits(config.user.hiddenUnits, 'user.hiddenUnits');
  if (config.user.profile) {
    checkInt(config.user.profile.vocabularySize, 'user.profile.vocabularySize', 1);
    checkInt(config.user.profile.dim, 'user.profile.dim', 1);
  }
  if (config.user.history) {
    checkInt(config.user.history.dim, 'user.history.dim', 1);
    checkInt(config.user.history.maxLength, 'user.history.maxLength', 1);
  }
  checkInt(config.id.idDim, 'id.idDim', 1);
  checkUnits(config.id.hiddenUnits, 'id.hiddenUnits');
  checkRate(config.id.idDropout, 'id.idDropout');
  const neighbours = config.id.neighbours;
  if (neighbours) {
    if (!definition.towers.id)
      fail('id.neighbours', `kind ${config.kind} has no behaviour tower to add neighbours to`);
    checkInt(neighbours.k, 'id.neighbours.k', 1);
    if (
      typeof neighbours.weight !== 'number' ||
      !(neighbours.weight > 0) ||
      !Number.isFinite(neighbours.weight)
    )
      fail('id.neighbours.weight', `must be a finite number > 0, got ${neighbours.weight}`);
    if (!Array.isArray(neighbours.vectors) || neighbours.vectors.length === 0)
      fail('id.neighbours.vectors', 'must name at least one content vector');
    for (const name of neighbours.vectors) {
      if (!config.content.vectors[name]) fail('id.neighbours.vectors', `names unknown vector "${name}"`);
    }
  }
  checkUnits(config.content.hiddenUnits, 'content.hiddenUnits');
  for (const [name, spec] of Object.entries(config.content.vectors))
    checkInt(spec.dim, `content.vectors.${name}.dim`, 1);
  if (config.content.tags) {
    checkInt(config.content.tags.vocabularySize, 'content.tags.vocabularySize', 1);
    checkInt(config.content.tags.dim, 'content.tags.dim', 1);
  }
  const nodeIds = config.content.nodeIds;
  if (nodeIds) {
    if (!Array.isArray(nodeIds.nodesPerLevel) || nodeIds.nodesPerLevel.length === 0) {
      fail('content.nodeIds.nodesPerLevel', 'must list the node count of at least one level');
    }
    nodeIds.nodesPerLevel.forEach((n, i) => {
      checkInt(n, `content.nodeIds.nodesPerLevel[${i}]`, 1);
    });
    checkInt(nodeIds.dim, 'content.nodeIds.dim', 1);
    for (const name of nodeIds.vectors) {
      if (!config.content.vectors[name]) fail('content.nodeIds.vectors', `names unknown vector "${name}"`);
    }
  }
  if (definition.requiredContent.length > 0) {
    const available = {
      tags: Boolean(config.content.tags),
      nodeIds: Boolean(nodeIds),
      vectors: config.content.useRawVectors && Object.keys(config.content.vectors).length > 0,
    };
    if (!definition.requiredContent.some((input) => available[input]))
      fail('content', `kind ${config.kind} needs tags, vectors or node ids as content input`);
  }
  if (definition.towers.gate) {
    if (!config.gate) fail('gate', `kind ${config.kind} needs a gate section`);
    checkUnits(config.gate.hiddenUnits, 'gate.hiddenUnits');
    checkRate(config.gate.statsDropout, 'gate.statsDropout');
  }
  checkOneOf({
    argument: 'config.tableOptimizer.kind',
    value: config.tableOptimizer.kind,
    allowed: ['adam', 'adagrad'],
  });
  checkFiniteNumber({
    argument: 'config.tableOptimizer.learningRate',
    value: config.tableOptimizer.learningRate,
    min: 0,
    exclusiveMin: true,
  });
}

/** True when the kind has a behaviour (ID) tower. */
export function usesIdTower(kind: ModelKind): boolean {
  return modelKindDefinition(kind).towers.id;
}

/** True when the kind has a content tower. */
export function usesContentTower(kind: ModelKind): boolean {
  return modelKindDefinition(kind).towers.content;
}
