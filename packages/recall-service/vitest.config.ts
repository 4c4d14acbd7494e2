import { createVitestConfig } from '@mmrecall/build/vitest';

const config = createVitestConfig({ setupFiles: ['@mmrecall/test-utils/setup-tf'] });
// The replay benchmark's day loop is tested beside it.
config.test?.include?.push('bench/**/*.test.ts');
export default config;
