import { join } from 'node:path';
import { InvalidArgumentError, InvalidDatasetError } from '@mmrecall/errors';
import { createIdMapBuilder, type IdMapBuilder } from './id-map';
import { readLineBlocks, type TextEncoding } from './line-blocks';
import { readInteractionsCsv } from './read-interactions-csv';
import type { Dataset, MultiHot, VectorTable } from './types';

/** Options of {@link loadMovieLens100k}. */
export interface LoadMovieLens100kOptions {
  /** Folder with the GroupLens files `u.data`, `u.item`, `u.user`, `u.genre`, `u.occupation`. */
  dir: string;
  /**
   * Ratings at or above this value are clicks (positives), below it exposures without a click
   * (sets `interactions.clicks`). Default: none, every rating is a positive and there is no click column.
   */
  positiveThreshold?: number;
  /** Also store the 19 genre flags as a dense vector `genre` (dim 19). Default: false. */
  genreVector?: boolean;
}

/** Result of {@link loadMovieLens100k}. */
export interface LoadMovieLens100kResult {
  /** Users (ids "1".."943", index = id - 1), items ("1".."1682"), ratings with timestamps, genres as tags, profile features. */
  dataset: Dataset;
  /** Movie titles (latin-1 decoded), by item index. */
  titles: string[];
}

/** Age buckets of the user profile (MovieLens 1M convention). */
const AGE_BUCKETS: [number, string][] = [
  [18, 'age:<18'],
  [25, 'age:18-24'],
  [35, 'age:25-34'],
  [45, 'age:35-44'],
  [50, 'age:45-49'],
  [56, 'age:50-55'],
  [Number.POSITIVE_INFINITY, 'age:56+'],
];

async function readPipeFile(
  path: string,
  encoding: TextEncoding,
  onFields: (fields: string[], line: number) => void,
): Promise<void> {
  let line = 0;
  await readLineBlocks({
    path,
    encoding,
    onBlock: (text, end) => {
      let position = 0;
      while (position < end) {
        const lineEnd = text.indexOf('\n', position);
        line++;
        const content = text.substring(position, lineEnd).replace(/\r$/, '');
        if (content.trim().length > 0) onFields(content.split('|'), line);
        position = lineEnd + 1;
      }
    },
  });
}

function buildCsr(rows: number[][], vocabulary: IdMapBuilder): MultiHot {
  const offsets = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++)
    offsets[i + 1] = (offsets[i] as number) + (rows[i] as number[]).length;
  const values = new Int32Array(offsets[rows.length] as number);
  for (let i = 0; i < rows.length; i++) values.set(rows[i] as number[], offsets[i] as number);
  return { vocabulary, offsets, values };
}

/**
 * Loads MovieLens 100K from its original files: `u.data` (tab separated ratings with unix times),
 * `u.item` (latin-1, genre flags become tags), `u.user` (age bucket, gender and occupation become
 * multi-hot user features). No dense vectors unless `genreVector` is set.
 */
export async function loadMovieLens100k(options: LoadMovieLens100kOptions): Promise<LoadMovieLens100kResult> {
  const { dir } = options;
  if (options.positiveThreshold !== undefined && !Number.isFinite(options.positiveThreshold)) {
    throw new InvalidArgumentError({
      argument: 'positiveThreshold',
      message: `must be a finite number, got ${options.positiveThreshold}`,
    });
  }
  const genreFile = join(dir, 'u.genre');
  const genreNames: string[] = [];
  await readPipeFile(genreFile, 'latin1', (fields, line) => {
    const index = Number(fields[1]);
    if (fields.length !== 2 || !Number.isInteger(index) || index < 0) {
      throw new InvalidDatasetError({
        file: genreFile,
        line,
        kind: 'column-count',
        message: 'expected "name|index"',
      });
    }
    genreNames[index] = fields[0] as string;
  });
  const genres = createIdMapBuilder({
    ids: Array.from(genreNames, (name, index) => name ?? `genre ${index}`),
  });
  const numGenres = genres.size;

  const itemFile = join(dir, 'u.item');
  const items = createIdMapBuilder();
  const titles: string[] = [];
  const itemTags: number[][] = [];
  const genreFlags: number[] = [];
  await readPipeFile(itemFile, 'latin1', (fields, line) => {
    if (fields.length !== 5 + numGenres) {
      throw new InvalidDatasetError({
        file: itemFile,
        line,
        kind: 'column-count',
        message: `expected ${5 + numGenres} fields, got ${fields.length}`,
      });
    }
    const id = fields[0] as string;
    if (items.indexOf(id) !== undefined) {
      throw new InvalidDatasetError({
        file: itemFile,
        line,
        field: 'movie id',
        kind: 'duplicate-id',
        message: `movie ${id} appears twice`,
      });
    }
    const index = items.add(id);
    titles[index] = fields[1] as string;
    const tags: number[] = [];
    for (let g = 0; g < numGenres; g++) {
      const flag = fields[5 + g];
      if (flag !== '0' && flag !== '1') {
        throw new InvalidDatasetError({
          file: itemFile,
          line,
          field: genreNames[g] ?? `genre ${g}`,
          kind: 'non-numeric',
          message: `genre flag must be 0 or 1, got ${JSON.stringify(flag)}`,
        });
      }
      if (flag === '1') tags.push(g);
      genreFlags.push(flag === '1' ? 1 : 0);
    }
    itemTags[index] = tags;
  });

  const occupations = createIdMapBuilder();
  await readPipeFile(join(dir, 'u.occupation'), 'latin1', (fields) => {
    occupations.add((fields[0] as string).trim());
  });
  const profile = createIdMapBuilder({
    ids: [
      ...AGE_BUCKETS.map(([, name]) => name),
      'gender:F',
      'gender:M',
      ...occupations.ids.map((name) => `occupation:${name}`),
    ],
  });
  const userFile = join(dir, 'u.user');
  const users = createIdMapBuilder();
  const userRows: number[][] = [];
  await readPipeFile(userFile, 'latin1', (fields, line) => {
    if (fields.length !== 5) {
      throw new InvalidDatasetError({
        file: userFile,
        line,
        kind: 'column-count',
        message: `expected 5 fields, got ${fields.length}`,
      });
    }
    const age = Number(fields[1]);
    if (!Number.isFinite(age) || (fields[1] as string).trim() === '') {
      throw new InvalidDatasetError({
        file: userFile,
        line,
        field: 'age',
        kind: 'non-numeric',
        message: `expected a number, got ${JSON.stringify(fields[1])}`,
      });
    }
    const bucket = (AGE_BUCKETS.find(([limit]) => age < limit) as [number, string])[1];
    const index = users.add(fields[0] as string);
    userRows[index] = [
      profile.add(bucket),
      profile.add(`gender:${fields[2]}`),
      profile.add(`occupation:${fields[3]}`),
    ].sort((a, b) => a - b);
  });

  const { interactions } = await readInteractionsCsv({
    path: join(dir, 'u.data'),
    delimiter: '\t',
    header: false,
    columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
    users,
    items,
    knownUsersOnly: true,
    knownItemsOnly: true,
    numericIds: true,
  });
  if (options.positiveThreshold !== undefined) {
    const threshold = options.positiveThreshold;
    interactions.clicks = Uint8Array.from(interactions.ratings ?? [], (rating) =>
      rating >= threshold ? 1 : 0,
    );
  }
  const vectors: Record<string, VectorTable> = {};
  if (options.genreVector ?? false) vectors.genre = { dim: numGenres, data: Float32Array.from(genreFlags) };
  const dataset: Dataset = {
    name: 'ml-100k',
    users,
    items,
    interactions,
    content: { tags: buildCsr(itemTags, genres), vectors },
    userFeatures: buildCsr(userRows, profile),
  };
  return { dataset, titles };
}
