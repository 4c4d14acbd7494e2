import { createTsupConfig } from '@mmrecall/build/tsup';

// The benchmarks (throughput, replay) are built to dist-bench/, which is not published (package.json "files"
// lists dist/ only).
export default [
  createTsupConfig({ entry: ['src/index.ts', 'src/cli.ts'] }),
  { ...createTsupConfig({ entry: ['bench/bench.ts', 'bench/replay.ts'] }), outDir: 'dist-bench', dts: false },
];
