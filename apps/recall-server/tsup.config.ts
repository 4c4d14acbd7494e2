import { createTsupConfig } from '@mmrecall/build/tsup';

// The load tests are built to dist-bench/, which is not published (package.json "files" lists dist/
// only). They import dev dependencies (autocannon, @mmrecall/synthetic); keep them external like the
// rest, and @mmrecall/model, which index-cli.ts uses at run time.
export default [
  {
    ...createTsupConfig({ entry: ['src/index.ts', 'src/cli.ts', 'src/index-cli.ts', 'src/events-cli.ts'] }),
    external: ['@mmrecall/model'],
  },
  {
    ...createTsupConfig({ entry: ['src/load.ts', 'src/churn-load.ts', 'src/load-helpers.ts'] }),
    outDir: 'dist-bench',
    dts: false,
    external: ['autocannon', '@mmrecall/model', '@mmrecall/synthetic'],
  },
];
