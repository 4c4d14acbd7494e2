import { closeSync, openSync } from 'node:fs';

import { InvalidArgumentError } from '@mmrecall/errors';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toAsyncRecallIndex } from './async-recall-index';
import { type CallWatchdog, createCallWatchdog } from './call-watchdog';
import { createExactIndex } from './exact-index';
import { guardAsyncRecallIndex, guardRecallIndex } from './guarded-index';
import { runTypeScriptChild } from './test-child';
import type { RecallIndex } from './types';

const sleepBlocking = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** The watchdog thread's reports of the deliberate overruns below go nowhere. */
const devNull = openSync('/dev/null', 'w');
afterAll(() => closeSync(devNull));

let watchdog: CallWatchdog | undefined;
afterEach(async () => {
  await watchdog?.dispose();
  watchdog = undefined;
});

describe('createCallWatchdog', () => {
  it('passes results and errors through and stays healthy while calls keep their budget', () => {
    watchdog = createCallWatchdog({ budgetMs: 1000 });
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += watchdog.run('add', () => i);
    expect(sum).toBe((999 * 1000) / 2);
    expect(() =>
      watchdog?.run('throws', () => {
        throw new RangeError('boom');
      }),
    ).toThrow(RangeError);
    // Nested calls are timed as one.
    expect(watchdog.run('outer', () => watchdog?.run('inner', () => 7))).toBe(7);
    expect(watchdog.healthy).toBe(true);
    expect(watchdog.overrun).toBeUndefined();
  });

  it('a call past its budget that does return turns readiness off for good', () => {
    watchdog = createCallWatchdog({ budgetMs: 50, killAfterMs: 60_000, logFd: devNull });
    watchdog.run('items.search', () => sleepBlocking(250));
    expect(watchdog.healthy).toBe(false);
    expect(watchdog.overrun?.label).toBe('items.search');
    expect(watchdog.overrun?.ms).toBeGreaterThanOrEqual(240);
    watchdog.run('items.search', () => 1);
    expect(watchdog.healthy).toBe(false);
  });

  it('refuses budgets that are not positive numbers', () => {
    expect(() => createCallWatchdog({ budgetMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => createCallWatchdog({ budgetMs: 10, killAfterMs: Number.NaN })).toThrow(/killAfterMs/);
  });

  it('ends the process with SIGKILL when a call never returns, even with a SIGTERM handler', async () => {
    const outcome = await runTypeScriptChild({
      script: 'call-watchdog.child.ts',
      args: ['stuck-call'],
      timeoutMs: 60_000,
    });
    expect(outcome.timedOut).toBe(false);
    expect(outcome.stdout).toBe('blocking\n');
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.stderr).toMatch(
      /call-watchdog: items\.remove has run for \d+ ms, over its budget of 100 ms/,
    );
    expect(outcome.stderr).toMatch(/items\.remove still running after \d+ ms; ending the process/);
  }, 70_000);

  it('ends the process when the event loop stalls outside any guarded call', async () => {
    const outcome = await runTypeScriptChild({
      script: 'call-watchdog.child.ts',
      args: ['stalled-loop'],
      timeoutMs: 60_000,
    });
    expect(outcome.timedOut).toBe(false);
    expect(outcome.stdout).toBe('blocking\n');
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.stderr).toMatch(/event loop stalled for \d+ ms \(limit 300 ms\)/);
  }, 70_000);
});

describe('guardRecallIndex', () => {
  it('answers exactly like the index it wraps, and flags a slow call', () => {
    // The budget leaves room for a loaded machine (quick calls must stay healthy); the slow call
    // blocks well past it.
    watchdog = createCallWatchdog({ budgetMs: 400, killAfterMs: 60_000, logFd: devNull });
    const exact = createExactIndex({ dim: 2, metric: 'ip' });
    const guarded = guardRecallIndex({ index: exact, watchdog, name: 'items' });
    guarded.upsert({ keys: [1, 2, 3], vectors: new Float32Array([1, 0, 0, 1, 0.6, 0.8]) });
    expect(guarded.size).toBe(3);
    expect(guarded.has(2)).toBe(true);
    const result = guarded.search({ query: new Float32Array([1, 0.1]), k: 2 });
    expect(Array.from(result.keys)).toEqual([1, 3]);
    expect(result.scores[1]).toBeCloseTo(0.68, 6);
    expect(guarded.remove({ keys: [2, 9] })).toBe(1);
    expect(
      Array.from(guarded.searchBatch({ queries: new Float32Array([0, 1]), count: 1, k: 3 }).keys),
    ).toEqual([3, 1, -1]);
    expect(watchdog.healthy).toBe(true);
    const slow: RecallIndex = {
      ...exact,
      search: (options) => {
        sleepBlocking(700);
        return exact.search(options);
      },
    };
    guardRecallIndex({ index: slow, watchdog, name: 'items' }).search({
      query: new Float32Array([1, 0]),
      k: 1,
    });
    expect(watchdog.overrun?.label).toBe('items.search');
  });
});

describe('runAsync and guardAsyncRecallIndex', () => {
  it('a promise unsettled past its budget fails readiness while it is pending, and onOverrun fires once', async () => {
    const overruns: string[] = [];
    watchdog = createCallWatchdog({
      budgetMs: 300,
      killAfterMs: 60_000,
      logFd: devNull,
      onOverrun: (overrun) => overruns.push(overrun.label),
    });
    expect(await watchdog.runAsync('quick', async () => 5)).toBe(5);
    await expect(
      watchdog.runAsync('fails', async () => Promise.reject(new RangeError('no'))),
    ).rejects.toThrow(RangeError);
    expect(watchdog.healthy).toBe(true);
    let settle: (value: number) => void = () => undefined;
    const slow = watchdog.runAsync('db.search', () => new Promise<number>((resolve) => (settle = resolve)));
    expect(watchdog.healthy).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    // Still pending: the check runs on the main thread, whose event loop is free.
    expect(watchdog.healthy).toBe(false);
    expect(watchdog.overrun?.label).toBe('db.search');
    expect(watchdog.overrun?.ms).toBeGreaterThanOrEqual(300);
    settle(9);
    expect(await slow).toBe(9);
    await new Promise((resolve) => setImmediate(resolve));
    expect(overruns).toEqual(['db.search']);
    expect(watchdog.healthy).toBe(false);
  });

  it('guards every call of a promise-returning index with the same answers', async () => {
    watchdog = createCallWatchdog({ budgetMs: 400, killAfterMs: 60_000, logFd: devNull });
    const inner = toAsyncRecallIndex(createExactIndex({ dim: 2, metric: 'ip' }));
    const guarded = guardAsyncRecallIndex({ index: inner, watchdog, name: 'items' });
    await guarded.upsert({ keys: [1, 2, 3], vectors: new Float32Array([1, 0, 0, 1, 0.6, 0.8]) });
    expect(await guarded.size()).toBe(3);
    expect(await guarded.has(3)).toBe(true);
    expect(Array.from((await guarded.search({ query: new Float32Array([1, 0.1]), k: 2 })).keys)).toEqual([
      1, 3,
    ]);
    expect(await guarded.remove({ keys: [2] })).toBe(1);
    expect(watchdog.healthy).toBe(true);
    const slowSync = guardAsyncRecallIndex({
      index: {
        ...inner,
        searchBatch: async (options) => {
          sleepBlocking(700);
          return inner.searchBatch(options);
        },
      },
      watchdog,
      name: 'items',
    });
    const batch = await slowSync.searchBatch({ queries: new Float32Array([0, 1]), count: 1, k: 3 });
    expect(Array.from(batch.keys)).toEqual([3, 1, -1]);
    expect(watchdog.overrun?.label).toBe('items.searchBatch');
  });
});
