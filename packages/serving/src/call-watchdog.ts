import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

import { InvalidArgumentError } from '@mmrecall/errors';

/** Options of {@link createCallWatchdog}. */
export interface CreateCallWatchdogOptions {
  /**
   * Longest a guarded call may run, in milliseconds. Past it the call is an overrun: `healthy`
   * turns false for good (readiness must fail) and the watchdog thread logs it to stderr.
   */
  budgetMs: number;
  /**
   * How long past `budgetMs` a call may keep the thread before the watchdog ends the process with
   * SIGKILL (exit status 137 for a supervisor), in milliseconds. A call that spins in native code
   * cannot be interrupted from JavaScript, and a blocked main thread cannot run its own SIGTERM
   * handler, so ending the process is the only way out. Default `4 * budgetMs`.
   */
  killAfterMs?: number;
  /**
   * Also end the process when the event loop makes no progress for this long, whatever blocks it
   * (a heartbeat the main thread ticks every `maxEventLoopStallMs / 4`). Off when absent.
   */
  maxEventLoopStallMs?: number;
  /** Where the watchdog thread writes its one-line reports. Default: stderr (fd 2). */
  logFd?: number;
  /**
   * Called once, on the main thread, when the first overrun is known there: a synchronous call
   * that returned late, or a `runAsync` promise unsettled past the budget. (A call that never
   * returns blocks the main thread; the SIGKILL above is the way out then.)
   */
  onOverrun?: (overrun: CallOverrun) => void;
}

/** A guarded call that ran past its budget. */
export interface CallOverrun {
  /** Label passed to `run`. */
  label: string;
  /** How long it had run when it was noticed (or when it returned), in milliseconds. */
  ms: number;
}

/** Runs synchronous calls under a time budget watched from another thread. */
export interface CallWatchdog {
  /** Runs `call` on the calling thread under the budget and returns its result (or rethrows). */
  run<T>(label: string, call: () => T): T;
  /**
   * Runs `call` under the budget twice over: its synchronous part like `run` (where an in-process
   * index does all its work), and the promise it returns (a database query that never answers
   * leaves the thread free, so this is checked on the main thread, every `budgetMs / 4`). A promise
   * unsettled past the budget is an overrun; the process is not killed for it.
   */
  runAsync<T>(label: string, call: () => Promise<T>): Promise<T>;
  /** False once any call overran its budget or the event loop stalled; it never turns true again. */
  readonly healthy: boolean;
  /** The first overrun, once there was one. */
  readonly overrun: CallOverrun | undefined;
  /** Stops the watchdog thread and the heartbeat. */
  dispose(): Promise<void>;
}

// Shared state, one Float64Array: [0] start time of the running call (ms since the epoch, 0 when
// idle), [1] last heartbeat (ms since the epoch), [2] 1 once an overrun was seen. The label of the
// running call sits UTF-8 encoded in a shared byte buffer, its length in an Int32Array.
const START = 0;
const HEARTBEAT = 1;
const OVERRUN = 2;
const LABEL_BYTES = 240;

// The watchdog thread: plain JavaScript run with `eval`, so it needs no build step and no imports
// from this package. It never touches the main thread's objects, only the shared buffers.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { times, labelLength, labelBytes, budgetMs, killAfterMs, maxStallMs, logFd, everyMs } = workerData;
const state = new Float64Array(times);
const length = new Int32Array(labelLength);
const bytes = new Uint8Array(labelBytes);
const log = (text) => { try { writeSync(logFd, 'call-watchdog: ' + text + '\\n'); } catch {} };
const label = () => new TextDecoder().decode(bytes.slice(0, Math.min(Atomics.load(length, 0), bytes.length)));
let reported = 0;
setInterval(() => {
  const now = Date.now();
  const start = state[${START}];
  if (start > 0) {
    const ms = now - start;
    if (ms > budgetMs && reported !== start) {
      reported = start;
      state[${OVERRUN}] = 1;
      log(label() + ' has run for ' + ms + ' ms, over its budget of ' + budgetMs + ' ms; readiness fails from now on');
    }
    if (ms > budgetMs + killAfterMs) {
      log(label() + ' still running after ' + ms + ' ms; ending the process (SIGKILL)');
      process.kill(process.pid, 'SIGKILL');
    }
  }
  if (maxStallMs > 0 && now - state[${HEARTBEAT}] > maxStallMs) {
    state[${OVERRUN}] = 1;
    log('event loop stalled for ' + (now - state[${HEARTBEAT}]) + ' ms (limit ' + maxStallMs + ' ms); ending the process (SIGKILL)');
    process.kill(process.pid, 'SIGKILL');
  }
}, everyMs);
`;

function positive(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError({
      argument,
      message: `must be a positive number of milliseconds, got ${String(value)}`,
    });
  }
  return value;
}

/**
 * Starts a watchdog thread for synchronous calls on the main thread (native index calls, which no
 * JavaScript timer can interrupt). `run(label, call)` records the start time in shared memory; the
 * watchdog thread checks it every `budgetMs / 4` (at least 5 ms): past `budgetMs` it marks the
 * process unhealthy (`healthy` false, for `/readyz`) and logs the label; past `budgetMs +
 * killAfterMs` it ends the process with SIGKILL so a supervisor restarts it instead of it hanging
 * silently. The thread is unref'd: it never keeps the process alive.
 */
export function createCallWatchdog(options: CreateCallWatchdogOptions): CallWatchdog {
  const budgetMs = positive(options.budgetMs, 'budgetMs');
  const killAfterMs =
    options.killAfterMs === undefined ? 4 * budgetMs : positive(options.killAfterMs, 'killAfterMs');
  const maxStallMs =
    options.maxEventLoopStallMs === undefined
      ? 0
      : positive(options.maxEventLoopStallMs, 'maxEventLoopStallMs');
  const everyMs = Math.max(5, Math.floor(Math.min(budgetMs, maxStallMs || budgetMs) / 4));
  const times = new SharedArrayBuffer(3 * Float64Array.BYTES_PER_ELEMENT);
  const labelLength = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const labelBytes = new SharedArrayBuffer(LABEL_BYTES);
  const state = new Float64Array(times);
  const length = new Int32Array(labelLength);
  const bytes = new Uint8Array(labelBytes);
  state[HEARTBEAT] = Date.now();
  const logFd = options.logFd ?? 2;
  const worker = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: {
      times,
      labelLength,
      labelBytes,
      budgetMs,
      killAfterMs,
      maxStallMs,
      logFd,
      everyMs,
    },
  });
  worker.unref();
  const heartbeat =
    maxStallMs > 0
      ? setInterval(
          () => {
            state[HEARTBEAT] = Date.now();
          },
          Math.max(1, Math.floor(maxStallMs / 4)),
        )
      : undefined;
  heartbeat?.unref();
  const encoded = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  let depth = 0;
  let overrun: CallOverrun | undefined;
  let disposed = false;
  const note = (found: CallOverrun): void => {
    if (overrun !== undefined) return;
    overrun = found;
    const onOverrun = options.onOverrun;
    if (onOverrun !== undefined) setImmediate(() => onOverrun(found));
  };
  /** Unsettled `runAsync` promises: id -> label and start time. */
  const pending = new Map<number, { label: string; start: number }>();
  let nextPending = 0;
  let pendingTimer: ReturnType<typeof setInterval> | undefined;
  const checkPending = (now: number): void => {
    for (const { label, start } of pending.values()) {
      const ms = now - start;
      if (ms > budgetMs && overrun === undefined) {
        try {
          writeSync(
            logFd,
            `call-watchdog: ${label} has been pending for ${ms} ms, over its budget of ${budgetMs} ms; readiness fails from now on\n`,
          );
        } catch {
          // a closed log descriptor must not break the caller
        }
        note({ label, ms });
      }
    }
  };

  const watchdog: CallWatchdog = {
    run<T>(label: string, call: () => T): T {
      if (depth > 0 || disposed) return call();
      let labelUtf8 = encoded.get(label);
      if (labelUtf8 === undefined) {
        labelUtf8 = encoder.encode(label).subarray(0, LABEL_BYTES);
        if (encoded.size < 1000) encoded.set(label, labelUtf8);
      }
      bytes.set(labelUtf8);
      Atomics.store(length, 0, labelUtf8.length);
      const start = Date.now();
      state[START] = start;
      depth++;
      try {
        return call();
      } finally {
        depth--;
        state[START] = 0;
        state[HEARTBEAT] = Date.now();
        const ms = Date.now() - start;
        if (overrun === undefined && (ms > budgetMs || state[OVERRUN] === 1)) note({ label, ms });
      }
    },
    runAsync<T>(label: string, call: () => Promise<T>): Promise<T> {
      const start = Date.now();
      let promise: Promise<T>;
      try {
        promise = watchdog.run(label, call);
      } catch (error) {
        return Promise.reject(error);
      }
      if (disposed) return promise;
      const id = nextPending++;
      pending.set(id, { label, start });
      if (pendingTimer === undefined) {
        pendingTimer = setInterval(() => checkPending(Date.now()), everyMs);
        pendingTimer.unref();
      }
      return promise.finally(() => {
        pending.delete(id);
        const ms = Date.now() - start;
        if (ms > budgetMs) note({ label, ms });
        if (pending.size === 0 && pendingTimer !== undefined) {
          clearInterval(pendingTimer);
          pendingTimer = undefined;
        }
      });
    },
    get healthy() {
      if (overrun === undefined && pending.size > 0) checkPending(Date.now());
      return overrun === undefined && state[OVERRUN] !== 1;
    },
    get overrun() {
      if (overrun === undefined && state[OVERRUN] === 1) overrun = { label: 'event loop', ms: Number.NaN };
      return overrun;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (heartbeat !== undefined) clearInterval(heartbeat);
      if (pendingTimer !== undefined) clearInterval(pendingTimer);
      pendingTimer = undefined;
      await worker.terminate();
    },
  };
  return watchdog;
}
