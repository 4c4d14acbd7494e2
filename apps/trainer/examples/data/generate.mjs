// Writes the tiny example folders beside this script (deterministic; run again to regenerate).
// node apps/trainer/examples/data/generate.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let state = 12345;
const random = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};
const pick = (list) => list[Math.floor(random() * list.length)];

const GENRES = ['rock', 'jazz', 'folk', 'pop', 'metal'];
const numUsers = 80;
const numItems = 60;
const dim = 8;
const items = Array.from({ length: numItems }, (_, i) => {
  const genre = GENRES[i % GENRES.length];
  const second = pick(GENRES);
  const centre = GENRES.indexOf(genre);
  const image = Array.from({ length: dim }, (_, k) =>
    Number(((k === centre ? 1 : 0) + (random() - 0.5) * 0.3).toFixed(3)),
  );
  return {
    id: `i${String(i).padStart(3, '0')}`,
    genre,
    tags: second === genre ? [genre] : [genre, second],
    image,
  };
});
const users = Array.from({ length: numUsers }, (_, u) => ({
  id: `u${String(u).padStart(3, '0')}`,
  genre: GENRES[u % GENRES.length],
  age: pick(['18-24', '25-34', '35-44']),
  country: pick(['de', 'fr', 'jp']),
}));
// Each user: 12 events, 80% in the favourite genre; timestamps increase per user, 1 hour apart.
const start = 1_700_000_000;
const rows = [];
for (const [u, user] of users.entries()) {
  const liked = items.filter((item) => item.genre === user.genre);
  const seen = new Set();
  for (let e = 0; e < 12; e++) {
    let item = random() < 0.8 ? pick(liked) : pick(items);
    for (let tries = 0; seen.has(item.id) && tries < 20; tries++)
      item = random() < 0.8 ? pick(liked) : pick(items);
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    rows.push({
      user: user.id,
      item: item.id,
      ts: start + e * 3600 + u * 60,
      click: random() < 0.85 ? 1 : 0,
    });
  }
}

const write = (folder, name, text) => {
  mkdirSync(join(here, folder), { recursive: true });
  writeFileSync(join(here, folder, name), text);
};
const lines = (list) => `${list.join('\n')}\n`;

// single: one interactions file, JSON Lines items with tags and a vector, a user table.
write(
  'single',
  'interactions.csv',
  lines(['user_id,item_id,timestamp,click', ...rows.map((r) => `${r.user},${r.item},${r.ts},${r.click}`)]),
);
write(
  'single',
  'items.jsonl',
  lines(items.map(({ id, tags, image }) => JSON.stringify({ id, tags, image }))),
);
write(
  'single',
  'users.csv',
  lines(['user_id,age,country', ...users.map((u) => `${u.id},${u.age},${u.country}`)]),
);

// presplit: train/valid/test by each user's last two events (valid, test), items with tags only.
const byUser = new Map();
for (const row of rows.filter((r) => r.click === 1))
  byUser.set(row.user, [...(byUser.get(row.user) ?? []), row]);
const parts = { train: [], valid: [], test: [] };
for (const list of byUser.values()) {
  list.forEach((row, k) => {
    parts[k === list.length - 1 ? 'test' : k === list.length - 2 ? 'valid' : 'train'].push(row);
  });
}
for (const [name, part] of Object.entries(parts)) {
  write(
    'presplit',
    `${name}.csv`,
    lines(['user_id,item_id,timestamp', ...part.map((r) => `${r.user},${r.item},${r.ts}`)]),
  );
}
write('presplit', 'items.jsonl', lines(items.map(({ id, tags }) => JSON.stringify({ id, tags }))));

// recbole: RecBole atomic files (tab-separated, typed header), rating column unused.
write(
  'recbole',
  'recbole.inter',
  lines([
    'user_id:token\titem_id:token\trating:float\ttimestamp:float',
    ...rows.map((r) => `${r.user}\t${r.item}\t${r.click ? 5 : 2}\t${r.ts}`),
  ]),
);
write(
  'recbole',
  'recbole.item',
  lines(['item_id:token\tgenre:token_seq', ...items.map((item) => `${item.id}\t${item.tags.join(' ')}`)]),
);

// npy: tab-separated interactions with millisecond timestamps and play counts; vectors in a .npy
// whose row order is an id file that also lists 4 catalogue items nobody has played (cold items).
write(
  'npy',
  'interactions.tsv',
  lines([
    'user\titem\tts_ms\tplays',
    ...rows
      .filter((r) => r.click)
      .map((r) => `${r.user}\t${r.item}\t${r.ts * 1000}\t${1 + Math.floor(random() * 3)}`),
  ]),
);
const catalogue = [
  ...items,
  ...Array.from({ length: 4 }, (_, k) => ({ id: `new${k}`, image: items[k].image })),
];
const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${catalogue.length}, ${dim}), }`;
const padded = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ');
const npy = Buffer.alloc(10 + padded.length + 1 + catalogue.length * dim * 4);
npy.write('\x93NUMPY', 0, 'latin1');
npy[6] = 1;
npy[7] = 0;
npy.writeUInt16LE(padded.length + 1, 8);
npy.write(`${padded}\n`, 10, 'latin1');
for (const [r, item] of catalogue.entries()) {
  for (const [k, value] of item.image.entries())
    npy.writeFloatLE(value, 10 + padded.length + 1 + (r * dim + k) * 4);
}
write('npy', 'image.npy', npy);
write('npy', 'image_ids.txt', lines(catalogue.map((item) => item.id)));

// parquet: the single layout's interactions, items and users as Parquet files, written by DuckDB.
const { DuckDBInstance } = await import('@duckdb/node-api');
mkdirSync(join(here, 'parquet'), { recursive: true });
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const from = (name) => join(here, 'single', name).replaceAll("'", "''");
const to = (name) => join(here, 'parquet', name).replaceAll("'", "''");
await connection.run(
  `COPY (SELECT * FROM read_csv('${from('interactions.csv')}')) TO '${to('interactions.parquet')}' (FORMAT parquet)`,
);
await connection.run(
  `COPY (SELECT id, tags, image::FLOAT[] AS image FROM read_json('${from('items.jsonl')}')) TO '${to('items.parquet')}' (FORMAT parquet)`,
);
await connection.run(
  `COPY (SELECT * FROM read_csv('${from('users.csv')}', all_varchar = true)) TO '${to('users.parquet')}' (FORMAT parquet)`,
);
connection.closeSync();
instance.closeSync();
