import { createTsupConfig } from '@mmrecall/build/tsup';

export default createTsupConfig({ entry: ['src/index.ts', 'src/inference.ts'] });
