// Vitest setup for packages that use TensorFlow.js: registers the pure-JS cpu backend, or the wasm
// backend when MMRECALL_TEST_BACKEND=wasm, before any test runs.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the trainer does the same through @mmrecall/runtime.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

const wanted = process.env.MMRECALL_TEST_BACKEND ?? 'cpu';
if (wanted === 'wasm') {
  await import('@tensorflow/tfjs-backend-wasm');
}
await tf.setBackend(wanted);
await tf.ready();
