import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { branchingForLeaves, runClusterExperiment } from './cluster-experiment';
import { testConfig } from './test-config';

describe('experiment clusters', () => {
  it('picks two levels whose product covers the leaf count', () => {
    expect(branchingForLeaves(2)).toEqual([2]);
    expect(branchingForLeaves(8)).toEqual([3, 3]);
    expect(branchingForLeaves(64)).toEqual([8, 8]);
    expect(branchingForLeaves(500)).toEqual([22, 23]);
    expect(() => branchingForLeaves(1)).toThrow(/leaves: must be an integer >= 2/);
  });

  it('trains id-only, raw-vector and node-id content models and writes table, JSON and the rendered HTML', async () => {
    const output = await mkdtemp(join(tmpdir(), 'mmrecall-clusters-'));
    const config = testConfig({
      data: { preset: 'tiny' },
      model: { dim: 8 },
      train: { epochs: 1, batchSize: 64, maxStepsPerEpoch: 6 },
      output,
    });
    const result = await runClusterExperiment({
      config,
      leaves: [4, 16],
      backend: 'test',
      renderHtml: (report) => `rows ${report.rows.length}, backend ${report.backend}`,
    });
    expect(result.rows.map((row) => row.name)).toEqual([
      'ID-only',
      'content-only, raw vectors',
      'content-only, node ids (2x2 = 4 leaves)',
      'content-only, node ids (4x4 = 16 leaves)',
    ]);
    for (const row of result.rows) {
      // an in-batch softmax over 64 candidates starts near log(64) = 4.16 and cannot go below 0
      expect(row.validLoss).toBeGreaterThan(0);
      expect(row.validLoss).toBeLessThan(8);
    }
    expect(result.rows.map((row) => row.leaves)).toEqual([undefined, undefined, 4, 16]);
    expect(result.rows[3]!.branching).toEqual([4, 4]);
    expect(existsSync(result.files.json)).toBe(true);
    expect(await readFile(result.files.html!, 'utf8')).toBe('rows 4, backend test');
    expect(await readFile(result.files.markdown, 'utf8')).toContain(
      '| content-only, node ids (4x4 = 16 leaves) | 16 |',
    );
  });
});
