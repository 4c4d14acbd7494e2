// Registers every gradient function of tfjs-core: the same set, from the same source, as the
// @tensorflow/tfjs bundle registers, without that bundle's layers, converter, data and webgl
// packages (141 MB installed). tfjs-core's Node entry registers no gradients and its per-file ESM
// build cannot be imported by Node (extensionless specifiers), so the build bundles this one
// entry into dist (see tsup.config.ts); the gradients register into tfjs-core's global registry
// and run on its global engine, as the @tensorflow/tfjs bundle's own copy does.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// The bundle also adds the chained tensor methods (`x.reshape(...)`, `x.sum()` ...) to tfjs-core's
// Tensor class; keep them, so nothing that ran with the bundle breaks without it.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import * as kernelNames from '@tensorflow/tfjs-core/dist/kernel_names';

/** The gradient configs registered above, kept as registered (the registry is global and shared). */
const registered: readonly tf.GradConfig[] = Object.values(kernelNames)
  .map((name: string) => tf.getGradient(name))
  .filter((config): config is tf.GradConfig => config !== undefined);

/**
 * Registers the gradients above again wherever another copy replaced them. Loading the
 * `@tensorflow/tfjs` bundle registers its own copy of every gradient, including the stock
 * `BatchMatMul` one over `installFastMatMulGradient`'s; `@tensorflow/tfjs-node` loads that bundle
 * before its native addon, so even a failed attempt at the node backend does it. `selectBackend`
 * calls this after choosing the backend, so the registry is the same whatever was installed.
 */
export function reinstateGradients(): void {
  for (const config of registered) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
