import { createTsupConfig } from '@mmrecall/build/tsup';

// The replay benchmark is built to dist-bench/, which is not published (package.json "files" lists
// dist/ only); its dev dependencies stay external like the rest.
export default [
  createTsupConfig(),
  {
    ...createTsupConfig({ entry: ['bench/replay.ts'] }),
    outDir: 'dist-bench',
    dts: false,
    external: ['@mmrecall/metrics', '@mmrecall/synthetic', '@tensorflow/tfjs-backend-cpu'],
  },
];
