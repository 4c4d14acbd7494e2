/**
 * Helpers of the load scripts (load.ts, churn-load.ts): generated artifacts and the real CLI in a
 * child process on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createRecallModel, defaultModelConfig, writeArtifacts } from '@mmrecall/model';
import { generateEmbeddingMatrix } from '@mmrecall/synthetic';

/** Loopback only. */
export const HOST = '127.0.0.1';

/** Item id of row `i` in generated artifacts. */
export const itemId = (i: number): string => `i${i}`;
/** User id of row `u` in generated artifacts. */
export const userId = (u: number): string => `u${u}`;

/** A content-only model (no ID table, so its size does not grow with the catalog) + generated embeddings. */
export async function buildArtifacts(options: {
  dir: string;
  items: number;
  users: number;
  dim: number;
  /** Seed of the generated embeddings (users get seed + 1). Default 1. */
  seed?: number;
}): Promise<void> {
  const { dir, items, users, dim } = options;
  const seed = options.seed ?? 1;
  const config = defaultModelConfig({
    kind: 'content-only',
    numUsers: users,
    numItems: items,
    dim,
    vectors: { text: { dim: 8 } },
    historyLength: 0,
  });
  const model = createRecallModel({ config });
  try {
    await writeArtifacts({
      dir,
      model,
      idMaps: {
        users: Array.from({ length: users }, (_, u) => userId(u)),
        items: Array.from({ length: items }, (_, i) => itemId(i)),
      },
      itemEmbeddings: generateEmbeddingMatrix({ rows: items, dim, seed, clusters: 256 }),
      userEmbeddings: generateEmbeddingMatrix({ rows: users, dim, seed: seed + 1, clusters: 256 }),
      itemMeta: { warm: new Uint8Array(items).fill(1) },
      info: { generatedBy: '@mmrecall/recall-server load.ts' },
    });
  } finally {
    model.dispose();
  }
}

/** A free loopback port (asked from the OS, then released for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Starts dist/cli.js (warn-level logs; admin routes off unless `adminToken`) on a loopback port. */
export async function startServer(options: {
  artifacts: string;
  index: string;
  hnswArgs: string[];
  /** More CLI arguments. */
  extraArgs?: string[];
  /** MMRECALL_ADMIN_TOKEN. Default: none (admin routes off). */
  adminToken?: string;
  /** Port. Default: a free one. */
  port?: number;
}): Promise<{ child: ChildProcess; base: string }> {
  // The load scripts are built into dist-bench/, beside the published dist/.
  const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      cli,
      '--artifacts',
      options.artifacts,
      '--index',
      options.index,
      '--port',
      String(port),
      '--host',
      HOST,
      '--log-level',
      'warn',
      ...options.hnswArgs,
      ...(options.extraArgs ?? []),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, MMRECALL_ADMIN_TOKEN: options.adminToken ?? '' },
    },
  );
  return { child, base: `http://${HOST}:${port}` };
}

export async function waitReady(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    const response = await fetch(`${base}/readyz`).catch(() => undefined);
    if (response?.status === 200) return;
    if (Date.now() > deadline) throw new Error('server not ready in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function stopServer(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}
