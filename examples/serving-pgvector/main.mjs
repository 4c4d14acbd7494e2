// PG_URL=postgres://user:password@host:5432/db node examples/serving-pgvector/main.mjs
// Without PG_URL it starts PGlite (PostgreSQL in WASM) with pgvector on a free local port:
//   npm i @electric-sql/pglite@0.5.14 @electric-sql/pglite-pgvector@0.0.15 @electric-sql/pglite-socket@0.2.17
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPgvectorIndex, openPgvectorIndex } from '@mmrecall/serving-pgvector';

// Files go to the system's temporary folder (use your own path).
const file = path.join(os.tmpdir(), `items-${process.pid}.idx`);

let url = process.env.PG_URL;
let stop = async () => {};
if (url === undefined) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  url = `postgres://postgres@${server.getServerConn()}/postgres`;
  stop = async () => {
    await server.stop();
    await db.close();
  };
}

const index = await createPgvectorIndex({
  connectionString: url,
  poolSize: 1, // PGlite serves one session; use the default (4) or more on a real server
  table: 'example_items',
  dim: 4,
  metric: 'cosine',
  vectorIndex: { method: 'hnsw', m: 16, efConstruction: 64, efSearch: 64 },
  replace: true,
});
await index.upsert({
  keys: [10, 11, 12, 13],
  vectors: new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0.7, 0.7, 0, 0, 0, 0, 1, 0]),
});
const user = new Float32Array([1, 0.2, 0, 0]);
console.log(await index.search({ query: user, k: 2 }));
// { keys: Int32Array(2) [ 10, 12 ], scores: Float32Array(2) [ 0.9805806875228882, 0.8320503234863281 ] }
console.log((await index.search({ query: user, k: 2, exclude: new Set([10]) })).keys); // Int32Array(2) [ 12, 11 ]
await index.remove({ keys: [13] });
await index.dispose(); // ends the pool; the rows stay in the table

// Another process (or a restarted server) attaches to the same rows:
const again = await openPgvectorIndex({ connectionString: url, poolSize: 1, table: 'example_items' });
console.log(await again.size(), again.metric, again.dim); // 3 cosine 4
await again.save({ path: file }); // a snapshot file that loadExactIndex (or loadPgvectorIndex) reads
await again.drop(); // drops the table
await stop();
await rm(file, { force: true });
