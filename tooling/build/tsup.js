// Shared tsup preset: ESM + type declarations, Node 20, dependencies and peers left external.
import { defineConfig } from 'tsup';

/**
 * @param {{ entry?: string[] | Record<string, string>, banner?: string }} [options]
 */
export function createTsupConfig(options = {}) {
  return defineConfig({
    entry: options.entry ?? ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...(options.banner ? { banner: { js: options.banner } } : {}),
  });
}
