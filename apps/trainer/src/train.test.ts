import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadedTrainingData, loadTrainingData } from '@mmrecall/experiments';
import { embedNewItems, readArtifacts } from '@mmrecall/model';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PartialTrainerConfig, resolveTrainerConfig, type TrainerConfig } from './config';
import { trainFromConfig } from './run';

let data: LoadedTrainingData;
beforeAll(async () => {
  data = await loadTrainingData({ data: { source: 'synthetic', preset: 'tiny', seed: 42 } });
});

async function tinyConfig(overrides: PartialTrainerConfig = {}): Promise<TrainerConfig> {
  const output = await mkdtemp(join(tmpdir(), 'mmrecall-train-'));
  return resolveTrainerConfig({
    overrides: {
      ...overrides,
      data: { preset: 'tiny', ...overrides.data },
      model: { dim: 8, ...overrides.model },
      train: { epochs: 3, batchSize: 64, maxStepsPerEpoch: 8, earlyStoppingPatience: 0, ...overrides.train },
      output,
    },
  });
}

describe('trainFromConfig', () => {
  it('writes a loadable artifacts folder with metrics, report and per-item gates', async () => {
    const config = await tinyConfig({ model: { kind: 'gated-additive' }, train: { epochs: 2 } });
    const result = await trainFromConfig({ config, backend: tf.getBackend(), progress: null });
    expect(result.artifactsDir).toBe(join(config.output, 'artifacts'));
    const artifacts = await readArtifacts({ dir: result.artifactsDir });
    try {
      expect(artifacts.manifest.kind).toBe('gated-additive');
      for (const file of [
        'model.json',
        'weights.bin',
        'id-maps.json',
        'items.f32',
        'item-meta.json',
        'config.json',
        'metrics.json',
        'report.html',
        'training-config.json',
        'users.f32',
      ]) {
        expect(Object.values(artifacts.manifest.files), file).toContain(file);
      }
      expect(artifacts.itemEmbeddings).toHaveLength(data.numItems * artifacts.model.itemDim);
      expect(artifacts.itemEmbeddings).toEqual(result.evaluation.itemEmbeddings);
      expect(artifacts.itemMeta.gate).toHaveLength(data.numItems);
      expect(Array.from(artifacts.itemMeta.warm).filter((w) => w === 0)).toHaveLength(
        Array.from(data.split.coldItems).filter((c) => c === 1).length,
      );
      const metrics = JSON.parse(await readFile(join(result.artifactsDir, 'metrics.json'), 'utf8'));
      expect(metrics.test.cutoffs['20'].all.recall).toBeCloseTo(
        result.metrics.test.cutoffs[20]!.all.recall,
        12,
      );
      expect(metrics.training.history).toHaveLength(2);
      const report = await readFile(result.reportPath, 'utf8');
      expect(report).toMatch(/^<!doctype html>/);
      expect(report.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4); // loss, valid recall, buckets, gate scatter
      expect(report).not.toMatch(/<script|<link|src="http/);
      expect(existsSync(join(config.output, 'checkpoint.ckpt'))).toBe(true);
    } finally {
      artifacts.dispose();
    }
  });

  it('names the flag and the config field of a refused resume or an oversized batch', async () => {
    const config = await tinyConfig({ model: { kind: 'id-only' }, train: { epochs: 1 } });
    await expect(
      trainFromConfig({ config, resume: true, backend: tf.getBackend(), progress: null }),
    ).rejects.toThrow(/^--resume: no checkpoint at .*checkpoint\.ckpt to resume from$/);
    await expect(
      trainFromConfig({
        config: { ...config, train: { ...config.train, batchSize: 100_000 } },
        backend: tf.getBackend(),
        progress: null,
      }),
    ).rejects.toThrow(/^config\.train\.batchSize: is 100000 but synthetic-tiny has only \d+ training pairs/);
  });
});

describe('cluster node ids', () => {
  it('saves the cluster tree with the artifacts when node ids replace the raw vectors', async () => {
    const config = await tinyConfig({
      model: { kind: 'content-only', useRawVectors: false, useTags: false, clusterBranching: [3, 3] },
      train: { epochs: 1 },
    });
    const result = await trainFromConfig({ config, backend: tf.getBackend(), progress: null });
    const artifacts = await readArtifacts({ dir: result.artifactsDir });
    try {
      expect(artifacts.config.content.useRawVectors).toBe(false);
      expect(artifacts.config.content.tags).toBeUndefined();
      expect(artifacts.config.content.nodeIds?.nodesPerLevel).toEqual([3, 9]);
      expect(artifacts.clusterTree?.nodesPerLevel).toEqual([3, 9]);
      // cold items get content embeddings from their node ids alone: they differ between clusters
      const dim = artifacts.model.itemDim;
      const distinct = new Set<string>();
      for (let i = 0; i < data.numItems; i++)
        distinct.add(
          Array.from(artifacts.itemEmbeddings.subarray(i * dim, i * dim + 2), (v) => v.toFixed(5)).join(','),
        );
      expect(distinct.size).toBeGreaterThan(3);
      expect(distinct.size).toBeLessThanOrEqual(9);
      // The tree was trained on training items only; cold items descend it like a new item at
      // serving time, so a cold item's stored embedding is what embedNewItems gives for its content.
      const coldItems: number[] = [];
      for (let i = 0; i < data.numItems && coldItems.length < 5; i++)
        if (data.split.coldItems[i] === 1) coldItems.push(i);
      expect(coldItems.length).toBeGreaterThan(0);
      const vectors = data.dataset.content.vectors;
      const fresh = await embedNewItems({
        artifacts,
        items: coldItems.map((item) => ({
          vectors: Object.fromEntries(
            Object.entries(vectors).map(([name, table]) => [
              name,
              table.data.subarray(item * table.dim, (item + 1) * table.dim),
            ]),
          ),
        })),
      });
      coldItems.forEach((item, row) => {
        for (let d = 0; d < dim; d++) {
          expect(fresh.embeddings[row * dim + d]).toBeCloseTo(artifacts.itemEmbeddings[item * dim + d]!, 5);
        }
      });
    } finally {
      artifacts.dispose();
    }
  });
});

describe('CLI train + eval', () => {
  it('trains from flags, writes artifacts, and eval reproduces the test metrics from the artifacts', async () => {
    const { runCli } = await import('./cli-app');
    const output = await mkdtemp(join(tmpdir(), 'mmrecall-cli-'));
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
    };
    const backend = tf.getBackend();
    const trainArgs = [
      'train',
      '--preset',
      'tiny',
      '--kind',
      'multiview',
      '--dim',
      '8',
      '--epochs',
      '2',
      '--batch-size',
      '64',
      '--max-steps-per-epoch',
      '6',
      '--backend',
      backend,
      '-o',
      output,
    ];
    expect(await runCli({ argv: trainArgs, io })).toBe(0);
    expect(out.join('')).toMatch(/\| multi-view \(base\) \| 0\.\d{4} \|/);
    // non-TTY progress: plain lines, no carriage returns
    expect(err.join('')).toMatch(/epoch 2\/2 done 6\/6 steps loss \d+\.\d{4}/);
    expect(err.join('')).not.toContain('\r');
    const metrics = JSON.parse(await readFile(join(output, 'artifacts', 'metrics.json'), 'utf8'));
    out.length = 0;
    expect(
      await runCli({
        argv: ['eval', '--artifacts', join(output, 'artifacts'), '--backend', backend, '--json'],
        io,
      }),
    ).toBe(0);
    const evaluated = JSON.parse(out.join(''));
    expect(evaluated.metrics.cutoffs['20']).toEqual(metrics.test.cutoffs['20']);
    expect(evaluated.numQueries).toBe(metrics.numQueries);
  });
});
