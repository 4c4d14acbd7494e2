// Your own files: a tab-separated interaction log and a JSON-lines item file (written here to a
// temporary folder; point `path` at yours).
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIdMapBuilder, readInteractionsCsv, readItemsJsonl } from '@mmrecall/data';

const dir = await mkdtemp(path.join(os.tmpdir(), 'mmrecall-data-example-'));
await writeFile(
  path.join(dir, 'train.tsv'),
  'user_id\titem_id\tts\tclicked\nu1\ta\t100\t1\nu1\tb\t101\t0\nu2\ta\tnot-a-time\t1\nu2\tc\t103\t1\n',
);
await writeFile(
  path.join(dir, 'items.jsonl'),
  [
    { id: 'a', image: [0.1, 0.2], text: [1, 0, 0] },
    { id: 'b', image: [0.3, 0.1], text: [0, 1, 0] },
    { id: 'c', image: [0.0, 0.9], text: [0, 0, 1] },
  ]
    .map((item) => JSON.stringify(item))
    .join('\n'),
);

const users = createIdMapBuilder();
const items = createIdMapBuilder();
const train = await readInteractionsCsv({
  path: path.join(dir, 'train.tsv'), // tab-separated by extension
  columns: { user: 'user_id', item: 'item_id', timestamp: 'ts', click: 'clicked' },
  users,
  items,
  skipInvalid: true, // default is strict: the first bad row throws
});
console.log(train.report); // { rows: 3, skipped: 1, skippedByKind: { 'non-numeric': 1 }, examples: [...] }
const content = await readItemsJsonl({
  path: path.join(dir, 'items.jsonl'),
  items,
  vectorFields: ['image', 'text'],
});
console.log(Object.keys(content.vectors)); // [ 'image', 'text' ]
