// Shared benchmark setup: registers a TensorFlow.js backend and the gradient functions.
// Libraries never pick a backend; benchmarks do, like apps.
//
// @tensorflow/tfjs-core alone registers no gradients, and its `dist/register_all_gradients.js` is
// extensionless ESM that plain Node cannot load. esbuild (a tsup dependency) bundles it once into a
// temporary file; the bundled copy registers into tfjs's global gradient registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = createRequire(import.meta.url);
// The backends are dependencies of @mmrecall/test-utils, not of this package.
const fromTestUtils = createRequire(new URL('../../../tooling/test-utils/package.json', import.meta.url));

export const tf = await import('@tensorflow/tfjs-core');

async function registerGradients() {
  const esbuild = await import(pathToFileURL(createRequire(here.resolve('tsup')).resolve('esbuild')).href);
  const entry = here.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const dir = mkdtempSync(join(tmpdir(), 'mmrecall-gradients-'));
  const outfile = join(dir, 'register-all-gradients.mjs');
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'error',
  });
  try {
    await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let gradientsRegistered = false;

/** Activates `name` ('cpu' | 'wasm') and makes sure gradients are registered. */
export async function useBackend(name) {
  if (!gradientsRegistered) {
    await registerGradients();
    gradientsRegistered = true;
  }
  if (name === 'wasm') {
    await import(pathToFileURL(fromTestUtils.resolve('@tensorflow/tfjs-backend-wasm')).href);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } else {
    await import(pathToFileURL(fromTestUtils.resolve('@tensorflow/tfjs-backend-cpu')).href);
  }
  if (!(await tf.setBackend(name))) throw new Error(`setBackend(${name}) failed`);
  await tf.ready();
  return tf.getBackend();
}

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
