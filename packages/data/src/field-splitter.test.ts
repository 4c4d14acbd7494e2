import { describe, expect, it } from 'vitest';
import { canonicalIntRange, FieldSplitter, parseNumberRange } from './field-splitter';

function fields(splitter: FieldSplitter, text: string, start: number, end: number, quotes = false): string[] {
  splitter.split(text, start, end, quotes);
  return Array.from({ length: Math.min(splitter.count, splitter.starts.length) }, (_, k) =>
    splitter.value(text, k),
  );
}

describe('FieldSplitter', () => {
  it('splits lines of a block, including lines without a delimiter between others', () => {
    const text = 'a,b,c\nno-delimiter\nlonger line too\nx,,z\n';
    const splitter = new FieldSplitter(44, 4);
    const lines = text.split('\n').slice(0, -1);
    let position = 0;
    const out: string[][] = [];
    for (const line of lines) {
      out.push(fields(splitter, text, position, position + line.length));
      position += line.length + 1;
    }
    expect(out).toEqual([['a', 'b', 'c'], ['no-delimiter'], ['longer line too'], ['x', '', 'z']]);
    // Splitting an earlier line again (as the header path does) must not reuse the look-ahead.
    expect(fields(splitter, text, 0, 5)).toEqual(['a', 'b', 'c']);
    splitter.startBlock();
    expect(fields(splitter, 'p,q\n', 0, 3)).toEqual(['p', 'q']);
  });

  it('stays linear on many delimiter-less lines in one block', () => {
    const text = `${'abcdefgh\n'.repeat(200_000)}1,2\n`;
    const splitter = new FieldSplitter(44, 3);
    const start = performance.now();
    let count = 0;
    for (let position = 0; position < text.length; ) {
      const end = text.indexOf('\n', position);
      splitter.split(text, position, end, false);
      count += splitter.count;
      position = end + 1;
    }
    expect(count).toBe(200_002);
    expect(performance.now() - start).toBeLessThan(5_000); // quadratic would be ~200k x 1.8 MB scans
  });

  it('counts fields beyond capacity and handles quotes', () => {
    const splitter = new FieldSplitter(9, 2);
    splitter.split('a\tb\tc\td', 0, 7, false);
    expect(splitter.count).toBe(4);
    expect(fields(new FieldSplitter(44, 3), '"a ""q""",b', 0, 11, true)).toEqual(['a "q"', 'b']);
  });
});

describe('number parsing', () => {
  it('parses integers inline and falls back to Number for the rest', () => {
    const text = '12|1.5e3|-4| 7 |abc||0x10';
    const ranges = text.split('|').reduce<[number, number][]>((acc, part) => {
      const start = acc.length ? (acc.at(-1) as [number, number])[1] + 1 : 0;
      acc.push([start, start + part.length]);
      return acc;
    }, []);
    expect(ranges.map(([s, e]) => parseNumberRange(text, s, e))).toEqual([
      12,
      1500,
      -4,
      7,
      Number.NaN,
      Number.NaN,
      16,
    ]);
    expect(
      ['0', '42', '007', '123456789', '1.0', ''].map((id) => canonicalIntRange(id, 0, id.length)),
    ).toEqual([0, 42, -1, -1, -1, -1]);
  });
});
