import { createVitestConfig } from '@mmrecall/build/vitest';

export default createVitestConfig({ setupFiles: ['@mmrecall/test-utils/setup-tf'] });
