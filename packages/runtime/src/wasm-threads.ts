import { createRequire } from 'node:module';
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * Runs inside each emscripten pthread worker. The threaded tfjs-backend-wasm build hands Node two
 * things it cannot load: the worker script as a `blob:` URL (Node's Worker takes paths only:
 * ERR_WORKER_PATH) and, in the `load` message, the module factory as a Blob that the script
 * `importScripts` by URL. This bootstrap reads both Blobs (messages are queued in order until the
 * script runs) and provides the bundle-scoped names the factory's source refers to.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
globalThis.require$$0 = require('node:fs');
globalThis.require$$1 = require('node:path');
globalThis.require$$4 = require('node:os');
globalThis.commonjsGlobal = globalThis;
const scripts = new Map();
const listen = parentPort.on.bind(parentPort);
let queue = Promise.resolve();
parentPort.on = (event, listener) => {
  if (event !== 'message') return listen(event, listener);
  return listen('message', (data) => {
    queue = queue.then(async () => {
      if (data && data.cmd === 'load' && data.urlOrBlob && typeof data.urlOrBlob !== 'string') {
        const key = 'mmrecall-script:' + scripts.size;
        scripts.set(key, await data.urlOrBlob.text());
        data.urlOrBlob = key;
      }
      listener(data);
    });
  });
};
workerData.script.text().then((code) => {
  (0, eval)(code);
  const load = globalThis.importScripts;
  globalThis.importScripts = (file) => (scripts.has(file) ? (0, eval)(scripts.get(file)) : load(file));
});
`;

type WorkerConstructor = new (url: string | URL, options?: WorkerOptions) => NodeWorker;

/**
 * Runs `init` (which must create the threaded wasm module, e.g. `tf.setBackend('wasm')`) with two
 * temporary changes that let emscripten's pthreads start under Node, then restores both:
 * - `worker_threads.Worker` accepts the `blob:` URLs emscripten creates (the script is read from the
 *   Blob inside the worker, see BOOTSTRAP);
 * - `os.cpus()` lists each core twice, because the backend sizes its thread pool as
 *   `logical cores / 2` (it assumes two hardware threads per core), which is 1 on a 2-core machine,
 *   and caps the requested count by it.
 */
export async function withThreadedWasmShim<T>(init: () => Promise<T>): Promise<T> {
  const workerThreads = require('node:worker_threads') as { Worker: WorkerConstructor };
  const os = require('node:os') as { cpus: () => unknown[] };
  const { resolveObjectURL } = require('node:buffer') as typeof import('node:buffer');
  const NodeWorkerClass = workerThreads.Worker;
  const blobWorkers = new WeakSet<NodeWorker>();
  const cpus = os.cpus;
  class BlobUrlWorker extends NodeWorkerClass {
    constructor(url: string | URL, options?: WorkerOptions) {
      const text = String(url);
      if (!text.startsWith('blob:')) {
        super(url, options);
        return;
      }
      const script = resolveObjectURL(text);
      if (script === undefined) throw new Error(`no Blob registered for ${text}`);
      super(BOOTSTRAP, { ...options, eval: true, workerData: { script } });
      blobWorkers.add(this);
      // The pool's workers only serve kernels the main thread runs: they must not keep the process
      // alive (emscripten refs a worker while its thread runs, and XNNPACK's threads run forever).
      this.unref();
    }
    override ref(): void {
      if (!blobWorkers.has(this)) super.ref();
    }
  }
  workerThreads.Worker = BlobUrlWorker;
  os.cpus = () => {
    const list = cpus.call(os);
    return [...list, ...list];
  };
  try {
    return await init();
  } finally {
    workerThreads.Worker = NodeWorkerClass;
    os.cpus = cpus;
  }
}
