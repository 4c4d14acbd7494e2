import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { ChurnPhaseReport } from './hnsw-churn.child';

const here = dirname(fileURLToPath(import.meta.url));
/** Generous for ~5 s of work on a loaded 2-core machine; a native call that spins forever hits it. */
const CHILD_TIMEOUT_MS = 100_000;

interface ChildOutcome {
  reports: ChurnPhaseReport[];
  finished: boolean;
  exitCode: number | null;
  timedOut: boolean;
  stderr: string;
}

/** Runs hnsw-churn.child.ts in its own process, killed after `timeoutMs` (a hang becomes a failure). */
function runChurnChild(args: readonly string[], timeoutMs: number): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@mmrecall/source', '--import', 'tsx', join(here, 'hnsw-churn.child.ts'), ...args],
      { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line.length > 0);
      resolve({
        reports: lines
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as ChurnPhaseReport),
        finished: lines.includes('done'),
        exitCode,
        timedOut,
        stderr,
      });
    });
  });
}

describe('createHnswIndex under PUT/DELETE churn with fresh keys', () => {
  it(
    'keeps has, remove, size and search consistent over 50,000 operations (3,000 rows, dim 32, 500 ids)',
    async () => {
      // With usearch 2.25.3 this run failed in phase 5 (key ~8,192: the key lookup table ran out of
      // never-used slots): "Duplicate keys not allowed" on a fresh key, then a `remove` that never returned.
      const outcome = await runChurnChild(
        ['--rows', '3000', '--dim', '32', '--ids', '500', '--operations', '50000', '--phases', '10'],
        CHILD_TIMEOUT_MS,
      );
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
