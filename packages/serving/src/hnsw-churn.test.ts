import { describe, expect, it } from 'vitest';

import type { ChurnPhaseReport } from './hnsw-churn.child';
import { runTypeScriptChild } from './test-child';

/**
 * About 6 s of work alone, over a minute on a 2-core machine shared by many processes; a native call
 * that spins forever hits it.
 */
const CHILD_TIMEOUT_MS = 300_000;

describe('createHnswIndex under PUT/DELETE churn with fresh keys', () => {
  it(
    'keeps has, remove, size and search consistent over 50,000 operations (3,000 rows, dim 32, 500 ids)',
    async () => {
      // With usearch 2.25.3 this run failed in phase 5 (key ~8,192: the key lookup table ran out of
      // never-used slots): "Duplicate keys not allowed" on a fresh key, then a `remove` that never returned.
      const child = await runTypeScriptChild({
        script: 'hnsw-churn.child.ts',
        args: ['--rows', '3000', '--dim', '32', '--ids', '500', '--operations', '50000', '--phases', '10'],
        timeoutMs: CHILD_TIMEOUT_MS,
      });
      const lines = child.stdout.split('\n').filter((line) => line.length > 0);
      const outcome = {
        ...child,
        reports: lines
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as ChurnPhaseReport),
        finished: lines.includes('done'),
      };
      expect({ timedOut: outcome.timedOut, exitCode: outcome.exitCode, stderr: outcome.stderr }).toEqual({
        timedOut: false,
        exitCode: 0,
        stderr: '',
      });
      expect(outcome.finished).toBe(true);
      expect(outcome.reports).toHaveLength(10);
      const last = outcome.reports[9] as ChurnPhaseReport;
      expect(last.operationsDone).toBe(50_000);
      // The churn must have pushed fresh keys well past the lookup table's first wrap-around.
      expect(last.nextKey).toBeGreaterThan(12_000);
      for (const report of outcome.reports) {
        expect(report, `phase ${report.phase}`).toMatchObject({
          size: report.expectedSize,
          hasMismatches: 0,
          removeMismatches: 0,
          failedCalls: 0,
          ghostResults: 0,
          unreachable: 0,
        });
        // Removed nodes' slots are reused by later inserts, which wears the graph down (see README).
        expect(report.recallAt10, `phase ${report.phase}`).toBeGreaterThanOrEqual(0.85);
      }
      expect(last.freshRecallAt10).toBeGreaterThanOrEqual(0.95);
    },
    CHILD_TIMEOUT_MS + 20_000,
  );
});
