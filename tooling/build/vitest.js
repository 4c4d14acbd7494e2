// Shared vitest preset: workspace packages resolve each other's `src` through the
// `@mmrecall/source` export condition, so tests need no prior build.
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * @param {{ setupFiles?: string[], globalSetup?: string[], testTimeout?: number }} [options]
 */
export function createVitestConfig(options = {}) {
  return defineConfig({
    resolve: { conditions: ['@mmrecall/source', ...defaultClientConditions] },
    ssr: { resolve: { conditions: ['@mmrecall/source', ...defaultServerConditions] } },
    test: {
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      setupFiles: options.setupFiles ?? [],
      globalSetup: options.globalSetup ?? [],
    },
  });
}
