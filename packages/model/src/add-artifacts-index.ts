import { copyFile, link, readdir } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '@mmrecall/errors';
import { failFor, isRecord } from './artifact-checks';
import { integrityOfFile, isPlainFileName, readArtifactFile, syncFile } from './artifact-files';
import type { ArtifactsIndexWriter, ArtifactsWriteStep } from './artifacts';
import { resolveArtifactsDir, writeArtifactsVersion } from './artifacts-folder';
import { parseManifest } from './read-artifacts';

/** Options of {@link addArtifactsIndex}. */
export interface AddArtifactsIndexOptions {
  /** Artifacts folder (written by `writeArtifacts`, manifest version 1 or 2). */
  dir: string;
  /** The index to add; `info.rows` and `info.dim` must be the folder's numItems and itemDim. */
  index: ArtifactsIndexWriter;
  /** Called after each step (see `writeArtifacts`). */
  onStep?: (step: ArtifactsWriteStep) => void | Promise<void>;
}

/**
 * Adds (or replaces) the prebuilt index of an existing artifacts folder without touching the
 * version being served: a new version folder gets hard links to the current files (copies where
 * links are impossible), the index file and a manifest listing it (with its size and sha256 in a
 * version 2 manifest; `createdAt` unchanged, it is the same model), then `dir` is switched to it.
 */
export async function addArtifactsIndex(options: AddArtifactsIndexOptions): Promise<void> {
  const dir = path.resolve(options.dir);
  const source = await resolveArtifactsDir(dir);
  const manifestBytes = await readArtifactFile({
    dir: source,
    name: 'manifest.json',
    namedBy: { file: 'manifest.json', field: '(name)' },
  });
  const fail = failFor(source, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch (error) {
    fail(undefined, 'format', 'is not valid JSON', error);
  }
  const manifest = parseManifest(raw, fail);
  const { info } = options.index;
  if (info.rows !== manifest.numItems || info.dim !== manifest.itemDim) {
    throw new InvalidArgumentError({
      argument: 'index.info',
      message: `describes ${info.rows} x ${info.dim}, the artifacts hold ${manifest.numItems} x ${manifest.itemDim}`,
    });
  }
  const name = options.index.file ?? `items.${info.kind}`;
  if (!isPlainFileName(name) || name === 'manifest.json') {
    throw new InvalidArgumentError({
      argument: 'index.file',
      message: `${JSON.stringify(name)} must be a plain file name`,
    });
  }
  const previousIndex = manifest.files.index;
  const onStep = options.onStep;
  await writeArtifactsVersion({
    dir,
    ...(onStep ? { onStep } : {}),
    fill: async (version) => {
      for (const entry of await readdir(source)) {
        if (entry === 'manifest.json' || entry === name || entry === previousIndex) continue;
        await link(path.join(source, entry), path.join(version, entry)).catch(() =>
          copyFile(path.join(source, entry), path.join(version, entry)),
        );
      }
      await options.onStep?.('writing');
      await options.index.write(path.join(version, name));
      await syncFile(path.join(version, name));
      const record = raw as Record<string, unknown>;
      const files = { ...(record.files as Record<string, string>), index: name };
      const next: Record<string, unknown> = { ...record, files, index: info };
      if (isRecord(record.integrity)) {
        const integrity = { ...(record.integrity as Record<string, unknown>) };
        if (previousIndex !== undefined) delete integrity[previousIndex];
        integrity[name] = await integrityOfFile(path.join(version, name));
        next.integrity = integrity;
      }
      return next;
    },
  });
}
