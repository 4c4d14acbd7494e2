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
