type TypedArrayConstructor<T> = { new (length: number): T; readonly BYTES_PER_ELEMENT: number };

interface NumericArray {
  readonly length: number;
  [index: number]: number;
  set(array: ArrayLike<number>, offset?: number): void;
  slice(start?: number, end?: number): this;
  subarray(start?: number, end?: number): this;
}

/** An append-only typed array that doubles its capacity; `finish()` trims the result. */
export class GrowableArray<T extends NumericArray> {
  private buffer: T;
  length = 0;

  constructor(
    private readonly kind: TypedArrayConstructor<T>,
    initialCapacity = 1024,
  ) {
    this.buffer = new kind(Math.max(16, Math.ceil(initialCapacity)));
  }

  /** Appends one value. */
  push(value: number): void {
    if (this.length === this.buffer.length) this.grow(this.length + 1);
    this.buffer[this.length++] = value;
  }

  /** Makes room for exactly `capacity` values when the buffer is smaller (keeps content). */
  reserve(capacity: number): void {
    if (capacity > this.buffer.length) this.resize(Math.ceil(capacity));
  }

  private resize(capacity: number): void {
    const next = new this.kind(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  private grow(minimum: number): void {
    let capacity = this.buffer.length * 2;
    while (capacity < minimum) capacity *= 2;
    this.resize(capacity);
  }

  /**
   * The values as a typed array of exactly `length` elements. Copies when more than 1/8 of the buffer
   * would be wasted, otherwise returns a view (no second copy of a big column).
   */
  finish(): T {
    const wasted = this.buffer.length - this.length;
    if (wasted === 0) return this.buffer;
    return wasted * 8 > this.buffer.length
      ? this.buffer.slice(0, this.length)
      : this.buffer.subarray(0, this.length);
  }
}
