/**
 * Splits one delimited line into field positions without allocating strings. Quoted fields (RFC 4180
 * style, `""` escapes a quote, no line breaks inside quotes) are supported; their unescaped value is
 * kept in `quoted[k]`.
 */
export class FieldSplitter {
  starts: Int32Array;
  ends: Int32Array;
  quoted: (string | undefined)[] = [];
  hasQuoted = false;
  /** Number of fields found in the last line (may exceed the stored capacity). */
  count = 0;
  /** Set when a quote was opened and not closed, or a closing quote is followed by garbage. */
  quoteError = false;

  private readonly delimiterText: string;
  /** Last search that ran past a line end: no delimiter in `text[aheadFrom, aheadAt)` of the current block. */
  private aheadFrom = 0;
  private aheadAt = -1;

  /** Call before splitting lines of a new text block (forgets the look-ahead of the previous one). */
  startBlock(): void {
    this.aheadFrom = 0;
    this.aheadAt = -1;
  }

  constructor(
    private readonly delimiter: number,
    capacity: number,
  ) {
    this.delimiterText = String.fromCharCode(delimiter);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  /** Splits `text[start, end)` (no line break inside). */
  split(text: string, start: number, end: number, mayHaveQuotes: boolean): void {
    if (mayHaveQuotes) {
      this.splitQuoted(text, start, end);
      return;
    }
    const delimiter = this.delimiterText;
    const starts = this.starts;
    const ends = this.ends;
    const capacity = starts.length;
    if (this.hasQuoted) {
      this.quoted.length = 0;
      this.hasQuoted = false;
    }
    this.quoteError = false;
    let count = 0;
    let fieldStart = start;
    // Native indexOf beats a charCodeAt loop by ~25% on short fields (measured side by side). A search
    // that ran past the line end is remembered, so lines without a delimiter cannot make it quadratic.
    for (;;) {
      let at: number;
      if (fieldStart >= this.aheadFrom && fieldStart <= this.aheadAt) {
        at = this.aheadAt;
      } else {
        at = text.indexOf(delimiter, fieldStart);
        if (at < 0) at = text.length;
      }
      if (at >= end) {
        this.aheadFrom = fieldStart;
        this.aheadAt = at;
        break;
      }
      if (count < capacity) {
        starts[count] = fieldStart;
        ends[count] = at;
      }
      count++;
      fieldStart = at + 1;
    }
    if (count < capacity) {
      starts[count] = fieldStart;
      ends[count] = end;
    }
    this.count = count + 1;
  }

  private splitQuoted(text: string, start: number, end: number): void {
    const delimiter = this.delimiter;
    const capacity = this.starts.length;
    this.quoted.length = 0;
    this.hasQuoted = false;
    this.quoteError = false;
    let count = 0;
    let i = start;
    for (;;) {
      const fieldStart = i;
      let fieldEnd: number;
      let value: string | undefined;
      if (i < end && text.charCodeAt(i) === 34) {
        let j = i + 1;
        let parts = '';
        let closed = false;
        while (j < end) {
          const quote = text.indexOf('"', j);
          if (quote < 0 || quote >= end) break;
          parts += text.substring(j, quote);
          if (quote + 1 < end && text.charCodeAt(quote + 1) === 34) {
            parts += '"';
            j = quote + 2;
          } else {
            j = quote + 1;
            closed = true;
            break;
          }
        }
        if (!closed || (j < end && text.charCodeAt(j) !== delimiter)) {
          this.quoteError = true;
          const next = text.indexOf(this.delimiterText, j);
          j = next < 0 || next >= end ? end : next;
        }
        value = parts;
        fieldEnd = j;
      } else {
        const next = text.indexOf(this.delimiterText, i);
        fieldEnd = next < 0 || next >= end ? end : next;
      }
      if (count < capacity) {
        this.starts[count] = fieldStart;
        this.ends[count] = fieldEnd;
        if (value !== undefined) {
          this.quoted[count] = value;
          this.hasQuoted = true;
        }
      }
      count++;
      if (fieldEnd >= end) break;
      i = fieldEnd + 1;
    }
    this.count = count;
  }

  /** The string value of field `k` (must be < capacity and < count). */
  value(text: string, k: number): string {
    if (this.hasQuoted) {
      const quoted = this.quoted[k];
      if (quoted !== undefined) return quoted;
    }
    return text.substring(this.starts[k] as number, this.ends[k] as number);
  }
}

/**
 * Parses a decimal number from `text[start, end)`. Plain non-negative integers of up to 15 digits are
 * parsed inline; anything else goes through `Number()`. Returns NaN for empty or non-numeric text.
 */
export function parseNumberRange(text: string, start: number, end: number): number {
  const length = end - start;
  if (length > 0 && length <= 15) {
    let value = 0;
    let i = start;
    for (; i < end; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === end) return value;
  }
  return parseNumberString(text.substring(start, end));
}

/** `Number()` that rejects empty/blank strings and non-finite results (returns NaN). */
export function parseNumberString(value: string): number {
  if (value.trim().length === 0) return Number.NaN;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : Number.NaN;
}

/** True when `text[start, end)` is a non-empty run of ASCII digits. */
export function isDigitsRange(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}

/**
 * The value of `text[start, end)` when it is a canonical non-negative integer of at most 8 digits
 * ("0", "42"; not "007", "+1", "1.0"), else -1.
 */
export function canonicalIntRange(text: string, start: number, end: number): number {
  const length = end - start;
  if (length < 1 || length > 8) return -1;
  if (length > 1 && text.charCodeAt(start) === 48) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
