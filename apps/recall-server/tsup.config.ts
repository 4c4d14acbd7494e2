import { createTsupConfig } from '@mmrecall/build/tsup';

// The load tests are built to dist-bench/, which is not published (package.json "files" lists dist/
// only). They import dev dependencies (autocannon, @mmrecall/model, @mmrecall/synthetic); keep them
// external like the rest.
export default [
  createTsupConfig({ entry: ['src/index.ts', 'src/cli.ts'] }),
  {
    ...createTsupConfig({ entry: ['src/load.ts', 'src/churn-load.ts'] }),
    outDir: 'dist-bench',
    dts: false,
    external: ['autocannon', '@mmrecall/model', '@mmrecall/synthetic'],
  },
];
