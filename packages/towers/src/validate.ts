import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';

/** Throws unless every index lies in [0, size). */
export function assertIndicesInRange(indices: Int32Array, size: number, argument: string): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (index < 0 || index >= size) {
      throw new InvalidArgumentError({
        argument: `${argument}[${i}]`,
        message: `index ${index} is outside [0, ${size})`,
      });
    }
  }
}

/**
 * Validates CSR bags: `offsets` has length bags + 1, starts at 0, never decreases and ends at
 * `valuesLength`. Returns the number of bags.
 */
export function validateBagOffsets(offsets: Int32Array, valuesLength: number, argument: string): number {
  if (offsets.length < 1) {
    throw new InvalidArgumentError({ argument, message: 'offsets needs bags + 1 entries (at least [0])' });
  }
  if (offsets[0] !== 0) {
    throw new InvalidArgumentError({ argument: `${argument}[0]`, message: `must be 0, got ${offsets[0]}` });
  }
  for (let b = 1; b < offsets.length; b++) {
    if ((offsets[b] as number) < (offsets[b - 1] as number)) {
      throw new InvalidArgumentError({
        argument: `${argument}[${b}]`,
        message: `offsets must not decrease (${offsets[b - 1]} then ${offsets[b]})`,
      });
    }
  }
  const last = offsets[offsets.length - 1] as number;
  if (last !== valuesLength) {
    throw new ShapeMismatchError({
      message: `${argument}: the last offset must equal values.length`,
      expected: [valuesLength],
      actual: [last],
    });
  }
  return offsets.length - 1;
}
