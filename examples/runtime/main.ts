import { selectBackend } from '@mmrecall/runtime';

const backend = await selectBackend({ backend: 'auto', log: console.error });
// [mmrecall] backend: wasm (wasm backend with SIMD; node unavailable (Cannot find module ...))
console.log(backend.name); // wasm
