// Shared benchmark setup: picks a TensorFlow.js backend the way apps do, through
// @mmrecall/runtime (which also registers every gradient function; tfjs-core alone registers none).
import { selectBackend } from '@mmrecall/runtime';

export const tf = await import('@tensorflow/tfjs-core');

/** Activates `name` ('cpu' | 'wasm') with gradients registered; returns the active backend. */
export async function useBackend(name) {
  await selectBackend({ backend: name });
  return tf.getBackend();
}

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export { createRandom as random } from '@mmrecall/random';
