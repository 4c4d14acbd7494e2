import { createVitestConfig } from '@mmrecall/build/vitest';

// The experiments' tests train real (tiny) models: run them on the wasm backend, the trainer's default
// (several times faster than the pure-JS cpu backend). MMRECALL_TEST_BACKEND=cpu still selects cpu.
process.env.MMRECALL_TEST_BACKEND ??= 'wasm';

export default createVitestConfig({ setupFiles: ['@mmrecall/test-utils/setup-tf'], testTimeout: 180_000 });
