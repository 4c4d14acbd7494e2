import { readLineBlocks } from './line-blocks';

class FirstLineFound {
  constructor(readonly line: string) {}
}

/** The first non-blank line of a text file (BOM and CR removed), or undefined for an empty file. */
export async function readFirstLine(path: string, maxLineLength?: number): Promise<string | undefined> {
  let lines = 0;
  try {
    await readLineBlocks({
      path,
      encoding: 'utf8',
      ...(maxLineLength === undefined ? {} : { maxLineLength }),
      linesSoFar: () => lines,
      onBlock: (text, end) => {
        let position = 0;
        while (position < end) {
          const lineEnd = text.indexOf('\n', position);
          lines++;
          const line = text.substring(position, lineEnd).replace(/\r$/, '');
          if (line.trim().length > 0) throw new FirstLineFound(line);
          position = lineEnd + 1;
        }
      },
    });
  } catch (found) {
    if (found instanceof FirstLineFound) return found.line;
    throw found;
  }
  return undefined;
}

/** Header names of a delimited line (surrounding quotes and spaces removed). */
export function splitHeader(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
}
