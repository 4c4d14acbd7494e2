import { createTsupConfig } from '@mmrecall/build/tsup';

// tfjs-core's gradient registration exists only in its per-file ESM build, which Node cannot import
// (extensionless specifiers): bundle that entry (and the tfjs-core files it pulls in, about 300 KB)
// into dist. tfjs-core itself stays an external peer; the bundled gradients register into its
// global registry and run on its global engine (src/register-gradients.ts).
export default {
  ...createTsupConfig(),
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
};
