import { createVitestConfig } from '@mmrecall/build/vitest';

export default createVitestConfig({ globalSetup: ['src/pglite-global-setup.ts'] });
