#!/usr/bin/env node
// mmrecall-index: builds the HNSW graph of an artifacts folder once and adds it to the folder (as a
// new version, see @mmrecall/model addArtifactsIndex), so every server start maps it instead of
// building it.
import { parseArgs } from 'node:util';

import { MmrecallError } from '@mmrecall/errors';
import { addArtifactsIndex, readArtifacts } from '@mmrecall/model';
import { selectBackend } from '@mmrecall/runtime';
import { buildPrebuiltHnswIndex, PREBUILT_EXPANSION_SEARCH } from '@mmrecall/serving';

export const INDEX_USAGE = `Usage: mmrecall-index <artifacts-dir> [options]

Builds the HNSW index over the folder's item embeddings and stores it in the folder (items.hnsw,
listed in manifest.json with its size and sha256). mmrecall-serve --index hnsw then maps it at start.

Options:
  --connectivity N      graph degree (default 16)
  --expansion-add N     build candidate list (default 128)
  --expansion-search N  search candidate list recorded for the server (default ${PREBUILT_EXPANSION_SEARCH})
  --threads N           build threads, 0 = one per core (default 0)
  -h, --help            this text
`;

function positiveInteger(text: string | undefined, fallback: number, name: string, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > 4096) {
    throw new RangeError(`--${name} must be an integer in ${min}..4096, got "${text}"`);
  }
  return value;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        connectivity: { type: 'string' },
        'expansion-add': { type: 'string' },
        'expansion-search': { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`mmrecall-index: ${(error as Error).message}\n\n${INDEX_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(INDEX_USAGE);
    return 0;
  }
  const dir = parsed.positionals[0];
  if (dir === undefined || parsed.positionals.length > 1) {
    process.stderr.write(`mmrecall-index: give exactly one artifacts folder\n\n${INDEX_USAGE}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | undefined>;
  let settings: { connectivity: number; expansionAdd: number; expansionSearch: number; threads: number };
  try {
    settings = {
      connectivity: positiveInteger(values.connectivity, 16, 'connectivity', 2),
      expansionAdd: positiveInteger(values['expansion-add'], 128, 'expansion-add', 1),
      expansionSearch: positiveInteger(
        values['expansion-search'],
        PREBUILT_EXPANSION_SEARCH,
        'expansion-search',
        1,
      ),
      threads: positiveInteger(values.threads, 0, 'threads', 0),
    };
  } catch (error) {
    process.stderr.write(`mmrecall-index: ${(error as Error).message}\n`);
    return 2;
  }
  await selectBackend({ backend: 'auto' });
  const began = performance.now();
  const artifacts = await readArtifacts({ dir, verifyIndex: false });
  artifacts.dispose();
  const { numItems, itemDim } = artifacts.manifest;
  process.stderr.write(`mmrecall-index: building HNSW over ${numItems} x ${itemDim} items\n`);
  let reported = 0;
  const built = await buildPrebuiltHnswIndex({
    vectors: artifacts.itemEmbeddings,
    dim: itemDim,
    ...settings,
    onProgress: ({ done, total }) => {
      if (done - reported >= 100_000 || done === total) {
        reported = done;
        process.stderr.write(
          `mmrecall-index: ${done} / ${total} rows (${((performance.now() - began) / 1000).toFixed(1)} s)\n`,
        );
      }
    },
  });
  try {
    await addArtifactsIndex({ dir, index: built });
  } finally {
    built.dispose();
  }
  process.stdout.write(
    `${JSON.stringify({ dir, rows: numItems, dim: itemDim, ...built.info.settings, seconds: (performance.now() - began) / 1000 })}\n`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `mmrecall-index: ${MmrecallError.isInstance(error) ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
