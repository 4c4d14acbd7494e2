import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { replaceFolderAtomic, writeFileAtomic } from '@mmrecall/atomic-write';

const root = await mkdtemp(path.join(os.tmpdir(), 'atomic-example-'));
const file = path.join(root, 'vectors.f32');
await writeFileAtomic({ path: file, data: [new Uint8Array([1, 2]), new Float32Array([0.5])] });
console.log((await readFile(file)).length); // 6

const dir = path.join(root, 'artifacts');
await replaceFolderAtomic({
  dir,
  write: async (temporaryDir) => {
    await writeFile(path.join(temporaryDir, 'manifest.json'), '{}');
  },
});
console.log(await readdir(root)); // [ 'artifacts', 'vectors.f32' ]
