import { createTsupConfig } from '@mmrecall/build/tsup';

// load.ts and churn-load.ts import dev dependencies (autocannon, @mmrecall/model, @mmrecall/synthetic); keep them external like the rest.
export default {
  ...createTsupConfig({ entry: ['src/index.ts', 'src/cli.ts', 'src/load.ts', 'src/churn-load.ts'] }),
  external: ['autocannon', '@mmrecall/model', '@mmrecall/synthetic'],
};
