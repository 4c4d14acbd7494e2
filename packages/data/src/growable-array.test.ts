import { describe, expect, it } from 'vitest';
import { GrowableArray } from './growable-array';

describe('GrowableArray', () => {
  it('grows by doubling, keeps values and trims on finish', () => {
    const column = new GrowableArray(Float64Array, 16);
    for (let i = 0; i < 1000; i++) column.push(i * 1.5);
    const values = column.finish();
    expect(values.length).toBe(1000);
    expect(values[999]).toBe(1498.5);
    expect(values.buffer.byteLength).toBe(1024 * 8); // capacity 1024 wastes < 1/8: a view, no copy
    const sparse = new GrowableArray(Float64Array, 16);
    for (let i = 0; i < 600; i++) sparse.push(i);
    const trimmed = sparse.finish();
    expect(trimmed.buffer.byteLength).toBe(600 * 8); // capacity 1024 wastes > 1/8: copied to size
    expect(trimmed[599]).toBe(599);
  });

  it('reserve allocates exactly the estimate, so a good estimate needs no copy', () => {
    const column = new GrowableArray(Int32Array, 16);
    column.reserve(1_000_003);
    for (let i = 0; i < 1_000_000; i++) column.push(i);
    const values = column.finish();
    expect(values.length).toBe(1_000_000);
    expect(values.buffer.byteLength).toBe(1_000_003 * 4); // a view on the reserved buffer, not a copy
    expect(values[123_456]).toBe(123_456);
  });
});
