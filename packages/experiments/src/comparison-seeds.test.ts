import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetrievalEvaluation } from '@mmrecall/metrics';
import { describe, expect, it } from 'vitest';
import { runComparison } from './comparison';
import { summarizeSeeds } from './comparison-seeds';
import { comparisonMarkdown, type RunMetrics } from './run-metrics';
import { testConfig } from './test-config';

/** A test evaluation at K = 20 whose every metric is `recall`-derived, so the means are easy by hand. */
function evaluation(recall: number, coverage: number): RetrievalEvaluation {
  const group = (r: number) => ({ recall: r, ndcg: r / 2, hitRate: r * 2, queries: 10 });
  return {
    cutoffs: { 20: { all: group(recall), warm: group(recall + 0.1), cold: group(0) } },
    ecology: { 20: { coverage, coldShare: 0, longTailShare: 0.5, gini: 0.9 } },
  } as unknown as RetrievalEvaluation;
}

/** A stub run: only `test` matters to the summary; the rest is taken from the first seed. */
function run(recall: number, coverage: number, bestEpoch: number): RunMetrics {
  return {
    kind: 'gated-additive',
    test: evaluation(recall, coverage),
    training: { bestEpoch },
  } as unknown as RunMetrics;
}

describe('summarizeSeeds', () => {
  it('gives the mean and the sample std of every test metric over the seeds', () => {
    // Recall 0.1, 0.2, 0.3: mean 0.2, std sqrt((0.01 + 0 + 0.01) / 2) = 0.1. Coverage 0.4, 0.4, 0.7:
    // mean 0.5, std sqrt((0.01 + 0.01 + 0.04) / 2) = sqrt(0.03).
    const summary = summarizeSeeds([run(0.1, 0.4, 2), run(0.2, 0.4, 3), run(0.3, 0.7, 5)]);
    const at = summary.metrics.test.cutoffs[20]!;
    expect(at.all.recall).toBeCloseTo(0.2, 12);
    expect(at.all.ndcg).toBeCloseTo(0.1, 12);
    expect(at.warm.recall).toBeCloseTo(0.3, 12);
    expect(summary.std.cutoffs[20]!.all.recall).toBeCloseTo(0.1, 12);
    expect(summary.std.cutoffs[20]!.all.hitRate).toBeCloseTo(0.2, 12);
    expect(summary.std.cutoffs[20]!.cold.recall).toBe(0);
    expect(summary.metrics.test.ecology[20]!.coverage).toBeCloseTo(0.5, 12);
    expect(summary.std.ecology[20]!.coverage).toBeCloseTo(Math.sqrt(0.03), 12);
    expect(summary.metrics.training.bestEpoch).toBe(2);
    expect(summary.perSeed).toHaveLength(3);

    const table = comparisonMarkdown({ rows: [{ name: 'gated additive', ...summary }], k: 20 });
    expect(table.split('\n')[2]).toBe(
      '| gated additive | 0.2000 ± 0.1000 | 0.1000 ± 0.0500 | 0.4000 ± 0.2000 | 0.3000 ± 0.1000 | 0.1500 ± 0.0500 | 0.0000 ± 0.0000 | 0.0000 ± 0.0000 | 0.5000 ± 0.1732 | 0.0000 ± 0.0000 | 0.5000 ± 0.0000 | 0.9000 ± 0.0000 |',
    );
  });
});

describe('compare --seeds', () => {
  it('runs each kind with seed, seed + 1 and writes their mean and std', async () => {
    const output = await mkdtemp(join(tmpdir(), 'mm-compare-seeds-'));
    const config = testConfig({
      data: { preset: 'tiny' },
      model: { dim: 8 },
      train: { epochs: 1, batchSize: 64, maxStepsPerEpoch: 3, seed: 11 },
      baselines: { bprEpochs: 4, validateEvery: 2 },
      output,
    });
    const result = await runComparison({
      config,
      kinds: ['id-only', 'most-popular', 'bpr-mf'],
      backend: 'cpu',
      seeds: 2,
    });
    expect(result.markdown).toContain('Mean ± standard deviation over 2 seeds (train.seed 11, 12');
    const json = JSON.parse(await readFile(result.files.json, 'utf8'));
    expect(json.seeds).toEqual([11, 12]);
    expect(json.rows.map((row: { kind: string }) => row.kind)).toEqual(['id-only', 'most-popular', 'bpr-mf']);
    for (const row of json.rows) {
      const [a, b] = row.perSeed.map(
        (s: { accuracy: Record<string, { all: { recall: number } }> }) => s.accuracy[20]!.all.recall,
      );
      expect(row.mean.accuracy[20].all.recall).toBeCloseTo((a + b) / 2, 12);
      expect(row.std.accuracy[20].all.recall).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 12);
    }
    // MostPopular does not depend on the seed; the seeded models do.
    expect(json.rows[1].std.accuracy[20].all.recall).toBe(0);
    const idOnly = json.rows[0].perSeed.map(
      (s: { accuracy: Record<string, { all: { ndcg: number } }> }) => s.accuracy[20]!.all.ndcg,
    );
    expect(idOnly[0]).not.toBe(idOnly[1]);
    await stat(join(output, 'id-only', 'seed-11', 'artifacts', 'metrics.json'));
    const second = JSON.parse(
      await readFile(join(output, 'id-only', 'seed-12', 'artifacts', 'metrics.json'), 'utf8'),
    );
    expect(second.test.cutoffs[20].all.recall).toBeCloseTo(
      json.rows[0].perSeed[1].accuracy[20].all.recall,
      12,
    );
  }, 120_000);
});
