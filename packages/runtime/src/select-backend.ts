import { InvalidArgumentError, MmrecallError } from '@mmrecall/errors';
import * as tf from '@tensorflow/tfjs-core';
import { installFastMatMulGradient } from './matmul-gradient';
import { withThreadedWasmShim } from './wasm-threads';

/** Backend names accepted by `selectBackend`. */
export type BackendChoice = 'auto' | 'node' | 'wasm' | 'cpu';

/** The backend that was chosen, and why. */
export interface SelectedBackend {
  /** Active tfjs backend name (`tensorflow`, `wasm` or `cpu`). */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** What was asked for. */
  requested: BackendChoice;
  /** One line saying why this backend was picked, including fallbacks that failed. */
  reason: string;
  /** Whether the wasm backend runs its SIMD build (wasm only). */
  simd?: boolean;
  /** Threads of the wasm backend's XNNPACK pool (wasm only; 1 = the single-thread build). */
  threads?: number;
}

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /**
   * `auto` (default): tfjs-node when it is installed and loads, else wasm (SIMD), else cpu.
   * `node` / `wasm` / `cpu`: that backend or an error.
   */
  backend?: BackendChoice;
  /** Receives the one-line decision (e.g. `console.error`). Default: no logging. */
  log?: (line: string) => void;
  /**
   * wasm only: threads of the matMul/conv pool. 1 (default) loads the single-thread SIMD build; more
   * loads the threaded SIMD build (its pthreads started through a worker_threads shim, see README).
   * Element-wise kernels stay single-threaded either way. Results are bit-identical for any count.
   */
  threads?: number;
}

/** Thrown when an explicitly requested backend cannot be initialised. */
export class BackendUnavailableError extends MmrecallError {
  readonly backend: string;
  constructor(options: { backend: string; message: string; cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', {
      message: `backend ${options.backend}: ${options.message}`,
      cause: options.cause,
    });
    this.name = 'BackendUnavailableError';
    this.backend = options.backend;
  }
  static override isInstance(error: unknown): error is BackendUnavailableError {
    return MmrecallError.isInstance(error) && error.code === 'BACKEND_UNAVAILABLE';
  }
}

const CHOICES: readonly BackendChoice[] = ['auto', 'node', 'wasm', 'cpu'];

async function tryNode(): Promise<void> {
  // tfjs-node is an optional dependency: its install downloads libtensorflow and fails offline.
  const moduleName = '@tensorflow/tfjs-node';
  await import(/* @vite-ignore */ moduleName);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend("tensorflow") returned false');
  await tf.ready();
}

async function tryWasm(threads: number): Promise<{ simd: boolean; threads: number }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  const start = async (): Promise<void> => {
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend("wasm") returned false');
    await tf.ready();
  };
  if (threads > 1) {
    wasm.setThreadsCount(threads);
    await withThreadedWasmShim(start);
  } else {
    await start();
  }
  return {
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: threads > 1 ? wasm.getThreadsCount() : 1,
  };
}

async function tryCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('setBackend("cpu") returned false');
  await tf.ready();
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * Picks and initialises the TensorFlow.js backend for an app. Libraries never call this; apps do,
 * once, before creating tensors. Measured here (see README): wasm SIMD trains a two-tower step far
 * faster than the pure-JS cpu backend, so `auto` prefers node, then wasm, then cpu.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<SelectedBackend> {
  const requested = options.backend ?? 'auto';
  const threads = options.threads ?? 1;
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new InvalidArgumentError({
      argument: 'threads',
      message: `must be an integer >= 1, got ${String(options.threads)}`,
    });
  }
  if (!CHOICES.includes(requested)) {
    throw new InvalidArgumentError({
      argument: 'backend',
      message: `unknown backend "${String(requested)}", expected one of ${CHOICES.join(', ')}`,
    });
  }
  // tfjs-core's Node entry registers no gradient functions; this registers all of them (the set
  // the @tensorflow/tfjs bundle registers, without that bundle's 141 MB of other packages).
  const gradients = await import('./register-gradients');
  const failures: string[] = [];
  let selected: SelectedBackend | undefined;
  if (requested === 'node' || requested === 'auto') {
    try {
      await tryNode();
      selected = { name: 'tensorflow', requested, reason: 'tfjs-node (native libtensorflow) loaded' };
    } catch (error) {
      if (requested === 'node') {
        throw new BackendUnavailableError({
          backend: 'node',
          message: `@tensorflow/tfjs-node is not usable here (${firstLine(error)}); install it where its libtensorflow download works, or use --backend wasm`,
          cause: error,
        });
      }
      failures.push(`node unavailable (${firstLine(error)})`);
    }
  }
  if (!selected && (requested === 'wasm' || requested === 'auto')) {
    try {
      const wasm = await tryWasm(threads);
      selected = {
        name: 'wasm',
        requested,
        simd: wasm.simd,
        threads: wasm.threads,
        reason: `wasm backend${wasm.simd ? ' with SIMD' : ' without SIMD'}${wasm.threads > 1 ? `, ${wasm.threads} threads` : ''}`,
      };
    } catch (error) {
      if (requested === 'wasm') {
        throw new BackendUnavailableError({ backend: 'wasm', message: firstLine(error), cause: error });
      }
      failures.push(`wasm unavailable (${firstLine(error)})`);
    }
  }
  if (!selected) {
    await tryCpu();
    selected = { name: 'cpu', requested, reason: 'pure-JS cpu backend' };
  }
  // Trying tfjs-node loads the @tensorflow/tfjs bundle (even when its native addon is missing),
  // which replaces every gradient registered above with its own copy, the stock matMul gradient
  // among them: register ours last, so training gives the same numbers with or without tfjs-node
  // installed.
  gradients.reinstateGradients();
  installFastMatMulGradient();
  if (failures.length > 0) selected.reason += `; ${failures.join('; ')}`;
  options.log?.(`[mmrecall] backend: ${selected.name} (${selected.reason})`);
  return selected;
}
