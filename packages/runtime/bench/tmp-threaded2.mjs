import { selectBackend } from '../dist/index.js';
import * as tf from '@tensorflow/tfjs-core';
const b = await selectBackend({ backend: 'wasm', threads: Number(process.env.THREADS ?? 2), log: console.error });
console.log(b);
const x = tf.randomUniform([512, 512]);
const y = tf.matMul(x, x); console.log((await y.data())[0]);
setTimeout(() => { console.log(process._getActiveHandles().map((h) => h.constructor.name)); }, 3000).unref();
setTimeout(() => { console.log('handles', process._getActiveHandles().map((h) => h.constructor.name + ':' + (h.hasRef?.() ?? '?'))); }, 2000);
