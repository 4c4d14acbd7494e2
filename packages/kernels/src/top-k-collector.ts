/**
 * Bounded selection of the `capacity` best (id, score) pairs: a min-heap whose root is the worst
 * kept pair. Higher score is better; equal scores prefer the lower id, so results are deterministic
 * whatever order the pairs arrive in. A class rather than a factory: it sits in the innermost loop
 * of every exact search, where plain fields (`threshold`) keep V8's property loads monomorphic.
 */
export class TopKCollector {
  readonly capacity: number;
  size = 0;
  /** Score a candidate must reach to be considered (`-Infinity` until the heap is full). */
  threshold = Number.NEGATIVE_INFINITY;
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.ids = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  reset(): void {
    this.size = 0;
    this.threshold = Number.NEGATIVE_INFINITY;
  }

  /**
   * Offers a pair; callers may skip pairs with `score < threshold`, they would be rejected anyway.
   * NaN must be filtered by the caller (it would be kept while the heap is not full).
   */
  push(id: number, score: number): void {
    const ids = this.ids;
    const scores = this.scores;
    if (this.size < this.capacity) {
      // Sift up.
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const ps = scores[parent] as number;
        const pi = ids[parent] as number;
        if (ps < score || (ps === score && pi > id)) break;
        ids[i] = pi;
        scores[i] = ps;
        i = parent;
      }
      ids[i] = id;
      scores[i] = score;
      if (this.size === this.capacity) this.threshold = scores[0] as number;
      return;
    }
    const rootScore = scores[0] as number;
    if (score < rootScore || (score === rootScore && id >= (ids[0] as number))) return;
    this.replaceRoot(this.size, id, score);
    this.threshold = scores[0] as number;
  }

  /** Puts (id, score) at the root of the heap over the first `n` slots and sifts it down. */
  private replaceRoot(n: number, id: number, score: number): void {
    const ids = this.ids;
    const scores = this.scores;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let child = left;
      const right = left + 1;
      if (right < n) {
        const ls = scores[left] as number;
        const rs = scores[right] as number;
        if (rs < ls || (rs === ls && (ids[right] as number) > (ids[left] as number))) child = right;
      }
      const cs = scores[child] as number;
      const ci = ids[child] as number;
      if (score < cs || (score === cs && id > ci)) break;
      ids[i] = ci;
      scores[i] = cs;
      i = child;
    }
    ids[i] = id;
    scores[i] = score;
  }

  /**
   * Writes the kept pairs best first into `outIds`/`outScores` at `offset` and empties the
   * collector. Returns how many were written.
   */
  drainInto(outIds: Int32Array, outScores: Float32Array, offset: number): number {
    const count = this.size;
    const ids = this.ids;
    const scores = this.scores;
    // Pop the worst repeatedly and fill from the back.
    for (let last = count - 1; last >= 0; last--) {
      outIds[offset + last] = ids[0] as number;
      outScores[offset + last] = scores[0] as number;
      this.replaceRoot(last, ids[last] as number, scores[last] as number);
    }
    this.reset();
    return count;
  }
}
