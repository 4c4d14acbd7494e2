import { createVitestConfig } from '@mmrecall/build/vitest';

// No tf setup file: these tests choose backends themselves.
export default createVitestConfig();
