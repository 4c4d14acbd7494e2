import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, selectBackend } from './index';

describe('selectBackend', () => {
  it('auto falls back from the missing native backend to wasm with SIMD and logs why', async () => {
    const lines: string[] = [];
    const selected = await selectBackend({ backend: 'auto', log: (line) => lines.push(line) });
    expect(tf.getBackend()).toBe(selected.name);
    // tfjs-node cannot install on machines without internet; where it does, it wins.
    expect(['tensorflow', 'wasm']).toContain(selected.name);
    if (selected.name === 'wasm') {
      expect(selected.simd).toBe(true);
      expect(selected.reason).toMatch(/node unavailable/);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`backend: ${selected.name}`);
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    expect(product).toBe(11);
  });

  it('cpu and wasm can be chosen explicitly', async () => {
    expect((await selectBackend({ backend: 'cpu' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend({ backend: 'wasm' })).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('an explicit node request fails with a clear error where tfjs-node does not load', async () => {
    let nodeLoads = true;
    try {
      await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/'));
    } catch {
      nodeLoads = false;
    }
    if (nodeLoads) {
      expect((await selectBackend({ backend: 'node' })).name).toBe('tensorflow');
      return;
    }
    const error = await selectBackend({ backend: 'node' }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/--backend wasm/);
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectBackend({ backend: 'gpu' as never })).rejects.toThrow(/unknown backend "gpu"/);
  });
});
