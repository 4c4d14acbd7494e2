/**
 * Bounded durability load test of mmrecall-serve on loopback (127.0.0.1 only): readers (u2i/i2i),
 * one writer churning PUT/DELETE over a pool of ids (run-time ids and trained ones), reloads that
 * alternate good folders and corrupt ones (NaN users.f32, a FIFO in place of weights.bin, manifest
 * null, truncated items.f32), and one crash (SIGKILL) plus restart on the same journal half-way.
 * At the end every id whose last write was acknowledged is checked: present after PUT, absent after
 * DELETE. Prints the counts as JSON and a README table row.
 *
 * With `--prebuilt` (index hnsw) both good folders carry a prebuilt HNSW graph (built here, as
 * `mmrecall-index` does), so the restart and every good reload map it instead of building one, and a
 * fifth corrupt folder has 1,000 flipped bytes in that graph (refused by its sha256).
 * `--index-file FILE` attaches an existing graph file instead of building one (both good folders then
 * hold the same generated items, seed 1, as `bench/hnsw-defaults.mjs --keep FILE` wrote it).
 *
 *   node dist-bench/churn-load.js [--items 20000] [--users 2000] [--dim 32] [--duration 30] [--readers 8]
 *                           [--ids 500] [--index exact|hnsw] [--reload-every 3] [--prebuilt] [--index-file FILE]
 */
import { execFileSync } from 'node:child_process';
import { copyFile, cp, mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { addArtifactsIndex, readArtifacts } from '@mmrecall/model';
import { selectBackend } from '@mmrecall/runtime';
import { buildPrebuiltHnswIndex, PREBUILT_EXPANSION_SEARCH } from '@mmrecall/serving';

import { buildArtifacts, freePort, itemId, startServer, stopServer, userId, waitReady } from './load-helpers';

const TOKEN = 'churn-load-admin-token';
/** Trained ids the writer may also PUT over and DELETE (readers never use them as triggers). */
const CHURNED_TRAINED = 50;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      users: { type: 'string' },
      dim: { type: 'string' },
      duration: { type: 'string' },
      readers: { type: 'string' },
      ids: { type: 'string' },
      index: { type: 'string' },
      'reload-every': { type: 'string' },
      prebuilt: { type: 'boolean' },
      'index-file': { type: 'string' },
    },
    strict: true,
  });
  const int = (
    text: string | undefined,
    fallback: number,
    min: number,
    max: number,
    name: string,
  ): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`--${name} must be an integer in ${min}..${max}`);
    return value;
  };
  const index = values.index ?? 'exact';
  if (index !== 'exact' && index !== 'hnsw') throw new Error('--index must be exact or hnsw');
  const indexFile = values['index-file'];
  const prebuilt = values.prebuilt === true || indexFile !== undefined;
  if (prebuilt && index !== 'hnsw') throw new Error('--prebuilt and --index-file need --index hnsw');
  return {
    prebuilt,
    indexFile,
    items: int(values.items, 20_000, CHURNED_TRAINED + 100, 1_000_000, 'items'),
    users: int(values.users, 2_000, 1, 1_000_000, 'users'),
    dim: int(values.dim, 32, 2, 1024, 'dim'),
    // Bounded on purpose.
    duration: int(values.duration, 30, 10, 120, 'duration'),
    readers: int(values.readers, 8, 1, 64, 'readers'),
    ids: int(values.ids, 500, 1, 100_000, 'ids'),
    index,
    reloadEvery: int(values['reload-every'], 3, 1, 60, 'reload-every'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Adds a prebuilt HNSW graph to a folder: `file` copied in, or one built over its items. */
async function attachPrebuiltIndex(dir: string, file: string | undefined): Promise<void> {
  const artifacts = await readArtifacts({ dir });
  artifacts.dispose();
  const { numItems, itemDim } = artifacts.manifest;
  const settings = { connectivity: 16, expansionAdd: 128, expansionSearch: PREBUILT_EXPANSION_SEARCH };
  if (file !== undefined) {
    await addArtifactsIndex({
      dir,
      index: {
        info: { kind: 'hnsw', library: 'usearch', metric: 'ip', rows: numItems, dim: itemDim, settings },
        write: (target) => copyFile(file, target),
      },
    });
    return;
  }
  const built = await buildPrebuiltHnswIndex({
    vectors: artifacts.itemEmbeddings,
    dim: itemDim,
    ...settings,
  });
  try {
    await addArtifactsIndex({ dir, index: built });
  } finally {
    built.dispose();
  }
}

/** Flips one byte in every `every` bytes of `file` (1,000 of them at most), in place. */
async function flipBytes(file: string, count: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const byte = Buffer.alloc(1);
    for (let i = 0; i < count; i++) {
      const position = Math.floor(((i + 0.5) * size) / count);
      await handle.read(byte, 0, 1, position);
      byte[0] = (byte[0] as number) ^ 0xff;
      await handle.write(byte, 0, 1, position);
    }
  } finally {
    await handle.close();
  }
}

async function call(base: string, method: string, route: string, body?: unknown): Promise<number> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function main(): Promise<void> {
  const options = parseOptions();
  // Only to build the generated artifacts; the server picks its own backend.
  await selectBackend({ backend: 'auto' });
  const work = await mkdtemp(path.join(tmpdir(), 'mmrecall-churn-'));
  try {
    const good = [path.join(work, 'a'), path.join(work, 'b')];
    await buildArtifacts({
      dir: good[0] as string,
      items: options.items,
      users: options.users,
      dim: options.dim,
      seed: 1,
    });
    await buildArtifacts({
      dir: good[1] as string,
      items: options.items,
      users: options.users,
      dim: options.dim,
      // A given graph file fits one item matrix only: then both folders hold it (with new times).
      seed: options.indexFile === undefined ? 11 : 1,
    });
    if (options.prebuilt) {
      const began = performance.now();
      for (const dir of good) await attachPrebuiltIndex(dir, options.indexFile);
      console.error(`prebuilt indexes ready in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    }
    const corrupt: Record<string, string> = {};
    const copy = async (name: string, edit: (dir: string) => Promise<void>): Promise<void> => {
      const dir = path.join(work, name);
      await cp(good[0] as string, dir, { recursive: true });
      await edit(dir);
      corrupt[name] = dir;
    };
    await copy('nan-users', async (dir) => {
      const bytes = await readFile(path.join(dir, 'users.f32'));
      new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)[options.dim + 1] = Number.NaN;
      await writeFile(path.join(dir, 'users.f32'), bytes);
    });
    await copy('fifo-weights', async (dir) => {
      await rm(path.join(dir, 'weights.bin'));
      execFileSync('mkfifo', [path.join(dir, 'weights.bin')]);
    });
    await copy('null-manifest', (dir) => writeFile(path.join(dir, 'manifest.json'), 'null'));
    await copy('truncated-items', (dir) =>
      truncate(path.join(dir, 'items.f32'), options.items * options.dim * 4 - 4),
    );
    if (options.prebuilt) {
      await copy('flipped-index', (dir) => flipBytes(path.join(dir, 'items.hnsw'), 1000));
    }

    const journal = path.join(work, 'items.journal');
    const port = await freePort();
    const launch = () =>
      startServer({
        artifacts: good[0] as string,
        index: options.index,
        hnswArgs: [],
        extraArgs: ['--journal', journal],
        adminToken: TOKEN,
        port,
      });
    let server = await launch();
    const base = server.base;
    await waitReady(base, server.child, 600_000);

    let stop = false;
    let down = false;
    const reads = { ok: 0, failed: 0, unavailableDuringRestart: 0, statuses: {} as Record<string, number> };
    const reader = async (r: number): Promise<void> => {
      let i = r;
      while (!stop) {
        i++;
        const u2i = i % 2 === 0;
        const body = u2i
          ? { userId: userId((i * 7919) % options.users), k: 20 }
          : { itemId: itemId(CHURNED_TRAINED + ((i * 104_729) % (options.items - CHURNED_TRAINED))), k: 20 };
        try {
          const status = await call(base, 'POST', u2i ? '/v1/recall/u2i' : '/v1/recall/i2i', body);
          if (status === 503 && down) {
            reads.unavailableDuringRestart++;
            await sleep(20);
            continue;
          }
          reads.statuses[status] = (reads.statuses[status] ?? 0) + 1;
          if (status === 200) reads.ok++;
          else reads.failed++;
        } catch {
          if (down) {
            reads.unavailableDuringRestart++;
            await sleep(20);
          } else reads.failed++;
        }
      }
    };

    // Last acknowledged state per id: true = present, false = deleted; absent = never written, or
    // the last write got no answer (it may or may not have landed).
    const acknowledged = new Map<string, boolean>();
    for (let j = 0; j < CHURNED_TRAINED; j++) acknowledged.set(itemId(j), true);
    const writes = { puts: 0, deletes: 0, notFound: 0, unanswered: 0, unexpected: 0, contradicted: 0 };
    const pool = (j: number): string => (j < CHURNED_TRAINED ? itemId(j) : `new-${j}`);
    const writer = async (): Promise<void> => {
      let n = 0;
      while (!stop) {
        n++;
        const id = pool((n * 2_654_435_761) % (options.ids + CHURNED_TRAINED));
        const put = n % 5 < 3;
        try {
          if (put) {
            const vector = Array.from({ length: 8 }, (_, j) => Math.sin(n * 0.37 + j));
            const status = await call(base, 'PUT', `/v1/items/${id}`, { vectors: { text: vector } });
            if (status === 503 && down) {
              await sleep(20);
              continue;
            }
            if (status === 200 || status === 201) {
              writes.puts++;
              acknowledged.set(id, true);
            } else writes.unexpected++;
          } else {
            const status = await call(base, 'DELETE', `/v1/items/${id}`);
            if (status === 503 && down) {
              await sleep(20);
              continue;
            }
            if (status === 204) {
              writes.deletes++;
              // A 204 for an id whose DELETE was acknowledged is a lost write (it came back).
              if (acknowledged.get(id) === false) writes.contradicted++;
              acknowledged.set(id, false);
            } else if (status === 404) {
              writes.notFound++;
              // A 404 for an id whose PUT was acknowledged is a lost write.
              if (acknowledged.get(id) === true) writes.contradicted++;
              acknowledged.set(id, false);
            } else writes.unexpected++;
          }
        } catch {
          writes.unanswered++;
          acknowledged.delete(id);
          if (down) await sleep(20);
        }
      }
    };

    const reloads = {
      good: 0,
      goodFailed: 0,
      corruptRefused: 0,
      corruptAccepted: 0,
      other: {} as Record<string, number>,
    };
    const reloader = async (): Promise<void> => {
      const cycle = [
        good[1],
        corrupt['nan-users'],
        good[0],
        corrupt['fifo-weights'],
        corrupt['null-manifest'],
        corrupt['truncated-items'],
        ...(corrupt['flipped-index'] === undefined ? [] : [good[1], corrupt['flipped-index']]),
      ];
      let n = 0;
      while (!stop) {
        await sleep(options.reloadEvery * 1000);
        if (stop || down) continue;
        const dir = cycle[n % cycle.length] as string;
        n++;
        const isGood = good.includes(dir);
        try {
          const status = await call(base, 'POST', '/v1/admin/reload', { artifactsDir: dir });
          if (isGood && status === 200) reloads.good++;
          else if (isGood) reloads.goodFailed++;
          else if (status === 422) reloads.corruptRefused++;
          else if (status === 200) reloads.corruptAccepted++;
          else reloads.other[status] = (reloads.other[status] ?? 0) + 1;
        } catch {
          reloads.other.unanswered = (reloads.other.unanswered ?? 0) + 1;
        }
      }
    };

    const started = performance.now();
    const loops = [...Array.from({ length: options.readers }, (_, r) => reader(r)), writer(), reloader()];
    await sleep((options.duration * 1000) / 2);
    // Crash: no shutdown, no flush; then start again on the same journal.
    down = true;
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    const restartBegan = performance.now();
    server = await launch();
    await waitReady(base, server.child, 600_000);
    const readySeconds = (performance.now() - restartBegan) / 1000;
    down = false;
    await sleep((options.duration * 1000) / 2);
    stop = true;
    await Promise.all(loops);
    const seconds = (performance.now() - started) / 1000;

    let lost = 0;
    let checked = 0;
    for (const [id, present] of acknowledged) {
      const status = await call(base, 'POST', '/v1/recall/i2i', { itemId: id, k: 1 });
      checked++;
      if ((present && status !== 200) || (!present && status !== 404)) lost++;
    }
    const exitCode = await stopServer(server.child);
    const result = {
      options,
      seconds: Math.round(seconds),
      restartReadySeconds: Math.round(readySeconds * 10) / 10,
      reads,
      writes,
      reloads,
      idsChecked: checked,
      lostAcknowledgedWrites: lost + writes.contradicted,
      exitCodeAfterSigterm: exitCode,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `| ${options.index}${options.prebuilt ? ' (prebuilt)' : ''} | ${options.items} | ${result.seconds} | ${reads.ok + reads.failed} | ${reads.failed} | ` +
        `${reads.unavailableDuringRestart} | ${writes.puts + writes.deletes} | ${result.lostAcknowledgedWrites} | ` +
        `${reloads.good}/${reloads.goodFailed} | ${reloads.corruptRefused}/${reloads.corruptAccepted} | ${result.restartReadySeconds} |`,
    );
    if (
      reads.failed > 0 ||
      result.lostAcknowledgedWrites > 0 ||
      reloads.corruptAccepted > 0 ||
      reloads.goodFailed > 0
    ) {
      process.exitCode = 1;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
