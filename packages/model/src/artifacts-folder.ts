// Artifacts folder swaps. A new version is written, fsynced, into a sibling `<name>.tmp-...` folder;
// then the current folder is renamed to `<name>.old-...` and the new one to `<name>` (two renames:
// no system call replaces a directory atomically). Between the two renames `<name>` is missing for
// an instant; readers then take the newest complete sibling (`resolveArtifactsDir`) and the next
// writer or `cleanStaleArtifacts` puts it back, so at every instant one complete folder is found.
// `<name>` stays a plain folder: `cp -r`, rsync and tools that read `<name>/manifest.json` keep working.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from '@mmrecall/atomic-write';
import { writeFileDurably } from './artifact-files';

/** Steps of {@link swapInArtifacts}, reported to `onStep` after each one. */
export type ArtifactsSwapStep = 'retired' | 'swapped' | 'cleaned';

/** Temporary names this process is writing right now (not stale although they carry our pid). */
const inProgress = new Set<string>();

const suffix = (): string => `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** A fresh, empty folder beside `dir` to write the files of a new version into. */
export async function createVersionFolder(dir: string): Promise<string> {
  const version = `${dir}.tmp-${suffix()}`;
  inProgress.add(path.basename(version));
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(version);
  return version;
}

/** Releases a version folder name taken by {@link createVersionFolder} (after success or failure). */
export function releaseVersionFolder(version: string): void {
  inProgress.delete(path.basename(version));
}

/**
 * Writes a new version of the artifacts folder `dir` and swaps it in: `fill` writes (and fsyncs)
 * the files into the fresh version folder and returns the manifest, which is written last (a folder
 * without one is never taken for artifacts); then the folder is fsynced, `onStep('staged')` runs,
 * and the version replaces `dir`. A failure before the swap removes the version folder; once the
 * swap has begun the new version may already be current, so it is left to the cleanup.
 */
export async function writeArtifactsVersion(options: {
  dir: string;
  fill: (version: string) => Promise<unknown>;
  onStep?: (step: 'staged' | ArtifactsSwapStep) => void | Promise<void>;
}): Promise<void> {
  const { dir, onStep } = options;
  const version = await createVersionFolder(dir);
  let swapping = false;
  try {
    const manifest = await options.fill(version);
    await writeFileDurably(
      path.join(version, 'manifest.json'),
      Buffer.from(JSON.stringify(manifest, null, 2)),
    );
    await syncFolder(version);
    await onStep?.('staged');
    swapping = true;
    await swapInArtifacts({ dir, version, ...(onStep ? { onStep } : {}) });
  } catch (error) {
    if (!swapping) await rm(version, { recursive: true, force: true });
    throw error;
  } finally {
    releaseVersionFolder(version);
  }
}

/** Puts the complete, fsynced folder `version` at `dir`; the folder that was there is removed. */
export async function swapInArtifacts(options: {
  dir: string;
  version: string;
  onStep?: (step: ArtifactsSwapStep) => void | Promise<void>;
}): Promise<void> {
  const { dir, version, onStep } = options;
  const old = `${dir}.old-${suffix()}`;
  inProgress.add(path.basename(old));
  try {
    if ((await lstat(dir).catch(() => undefined)) !== undefined) {
      await rename(dir, old);
      await onStep?.('retired');
    }
    await rename(version, dir);
    await syncFolder(path.dirname(dir));
    await onStep?.('swapped');
  } finally {
    inProgress.delete(path.basename(old));
  }
  await cleanStaleArtifacts({ dir });
  await onStep?.('cleaned');
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The pid inside a `<name>.<kind>-<time>-<pid>-<random>` name, if it has one. */
const pidOf = (entry: string): number | undefined => {
  const match = /-(\d+)-[0-9a-f]{8}$/.exec(entry);
  return match ? Number(match[1]) : undefined;
};

/**
 * Removes what killed or finished writers left beside `dir`: `.tmp-` and `.old-` folders whose
 * writer is gone. When `dir` itself is missing (a writer died between its two renames), the newest
 * complete one of them is first renamed back to `dir`. Returns the names removed.
 */
export async function cleanStaleArtifacts(options: { dir: string }): Promise<string[]> {
  const { dir } = options;
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  if ((await lstat(dir).catch(() => undefined)) === undefined) {
    const newest = await newestCompleteSibling(dir);
    if (newest === undefined) return [];
    await rename(newest, dir);
    await syncFolder(parent);
  }
  const stale = (entry: string): boolean => {
    if (inProgress.has(entry)) return false;
    const pid = pidOf(entry);
    return pid === undefined || pid === process.pid || !isAlive(pid);
  };
  const removed: string[] = [];
  for (const entry of await readdir(parent)) {
    if ((entry.startsWith(`${base}.tmp-`) || entry.startsWith(`${base}.old-`)) && stale(entry))
      removed.push(entry);
  }
  for (const entry of removed) await rm(path.join(parent, entry), { recursive: true, force: true });
  return removed;
}

/** The newest `.tmp-`/`.old-` sibling of `dir` that holds a manifest (written last, so complete). */
async function newestCompleteSibling(dir: string): Promise<string | undefined> {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  let newest: { folder: string; time: number } | undefined;
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    if (!entry.startsWith(`${base}.tmp-`) && !entry.startsWith(`${base}.old-`)) continue;
    const folder = path.join(parent, entry);
    const manifest = await stat(path.join(folder, 'manifest.json')).catch(() => undefined);
    if (manifest?.isFile() && (newest === undefined || manifest.mtimeMs > newest.time)) {
      newest = { folder, time: manifest.mtimeMs };
    }
  }
  return newest?.folder;
}

/**
 * The folder to read `dir` from: `dir` itself, or, when it is missing because a writer died between
 * its two renames, the newest complete folder that writer left beside it.
 */
export async function resolveArtifactsDir(dir: string): Promise<string> {
  if ((await lstat(dir).catch(() => undefined)) !== undefined) return dir;
  return (await newestCompleteSibling(dir)) ?? dir;
}
