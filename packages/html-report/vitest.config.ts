import { createVitestConfig } from '@mmrecall/build/vitest';

export default createVitestConfig();
