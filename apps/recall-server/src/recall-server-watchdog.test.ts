import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { CallOverrun } from '@mmrecall/serving';
import { describe, expect, test } from 'vitest';

import { fakeIndex, useTestArtifacts, withServer } from './test-fixture';

const folders = useTestArtifacts();

const sleepBlocking = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const itemId = () => folders.a.data.dataset.items.ids[7] as string;

describe('index call budget', () => {
  test('a search over its budget that returns: the answer is served, then /readyz says 503 stalled for good and onOverrun fires once', async () => {
    const overruns: CallOverrun[] = [];
    let slow = false;
    const index = fakeIndex({
      around: (search) => {
        if (slow) sleepBlocking(900);
        return search();
      },
    });
    await withServer(
      {
        artifactsDir: folders.a.dir,
        index,
        callBudget: { budgetMs: 300, killAfterMs: 60_000, onOverrun: (overrun) => overruns.push(overrun) },
      },
      async (call) => {
        const fast = await call('POST', '/v1/recall/i2i', { body: { itemId: itemId(), k: 5 } });
        expect(fast.status).toBe(200);
        expect((await call('GET', '/readyz')).status).toBe(200);
        slow = true;
        const late = await call('POST', '/v1/recall/i2i', { body: { itemId: itemId(), k: 5 } });
        // The late answer is still the right one.
        expect(late.body).toEqual(fast.body);
        const ready = await call('GET', '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body.status).toBe('stalled');
        expect(ready.body.message).toMatch(
          /^items\.search(Batch)? ran for \d+ ms, over its budget of 300 ms: this process no longer takes traffic/,
        );
        expect(overruns).toHaveLength(1);
        expect(overruns[0]?.label).toMatch(/^items\.search(Batch)?$/);
        expect(overruns[0]?.ms).toBeGreaterThanOrEqual(890);
        // Sticky: fast calls afterwards do not make the process ready again.
        slow = false;
        expect((await call('POST', '/v1/recall/i2i', { body: { itemId: itemId(), k: 5 } })).status).toBe(200);
        expect((await call('GET', '/readyz')).status).toBe(503);
        expect(overruns).toHaveLength(1);
      },
    );
  });

  test('a search whose promise never settles (an index outside the process that stopped answering) fails /readyz while it hangs', async () => {
    const overruns: CallOverrun[] = [];
    let answer: () => void = () => undefined;
    let answered = false;
    const index = fakeIndex({
      around: (search) =>
        answered
          ? search()
          : new Promise((resolve) => {
              answer = () => resolve(search());
            }),
    });
    await withServer(
      {
        artifactsDir: folders.a.dir,
        index,
        callBudget: { budgetMs: 300, killAfterMs: 60_000, onOverrun: (overrun) => overruns.push(overrun) },
      },
      async (call, server) => {
        expect((await call('GET', '/readyz')).status).toBe(200);
        const hung = new AbortController();
        const base = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
        const request = fetch(`${base}/v1/recall/i2i`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ itemId: itemId(), k: 5 }),
          signal: hung.signal,
        }).catch((error: unknown) => error);
        let ready = await call('GET', '/readyz');
        for (let i = 0; i < 100 && ready.status === 200; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          ready = await call('GET', '/readyz');
        }
        expect(ready.status).toBe(503);
        expect(ready.body.message).toMatch(
          /^items\.search(Batch)? ran for \d+ ms, over its budget of 300 ms/,
        );
        await new Promise((resolve) => setImmediate(resolve));
        expect(overruns).toHaveLength(1);
        expect(overruns[0]?.label).toMatch(/^items\.search(Batch)?$/);
        hung.abort();
        // The state the hung search holds is freed when the search ends (close waits for it).
        answered = true;
        answer();
        expect(await request).toBeInstanceOf(Error);
      },
    );
  });

  test('a search that never returns ends the process with SIGKILL (exit status 137 for the supervisor), SIGTERM handler or not', async () => {
    const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@mmrecall/source',
        '--import',
        'tsx',
        join(packageRoot, 'src', 'recall-server-watchdog.child.ts'),
        folders.a.dir,
      ],
      { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout.trim());
      });
      child.on('close', () => reject(new Error(`child ended before listening: ${stderr}`)));
    });
    const started = performance.now();
    // Never answered: the server's main thread is stuck in the search.
    const request = fetch(`${base}/v1/recall/i2i`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ itemId: itemId(), k: 5 }),
    }).catch((error: unknown) => error);
    const outcome = await exited;
    clearTimeout(guard);
    expect(outcome).toEqual({ code: null, signal: 'SIGKILL' });
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(stderr).toMatch(
      /call-watchdog: items\.search(Batch)? has run for \d+ ms, over its budget of 200 ms/,
    );
    expect(stderr).toMatch(
      /items\.search(Batch)? still running after \d+ ms; ending the process \(SIGKILL\)/,
    );
    expect(await request).toBeInstanceOf(Error);
  }, 100_000);
});
