/**
 * Bounded load test of mmrecall-serve on loopback (127.0.0.1 only): builds an artifacts folder with
 * a tiny content-only model and N generated item embeddings (default 1,000,000 x 64), starts the
 * real CLI (dist/cli.js) in a child process for each index kind, and drives u2i and i2i with
 * autocannon for a fixed duration each. Prints queries/s, p50/p99 latency and errors.
 *
 *   node dist-bench/load.js [--items 1000000] [--dim 64] [--duration 10] [--warmup 2] [--connections 32] [--k 20]
 *                     [--index exact,hnsw] [--routes u2i,i2i] [--artifacts DIR] [--out FILE]
 *                     [--hnsw-expansion-add 32] [--hnsw-expansion-search 64] [--recall-sample 50]
 * With a generated folder (no --artifacts), the HNSW server's i2i recall@k against brute force is
 * measured on `--recall-sample` triggers after the load runs.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { selectBackend } from '@mmrecall/runtime';
import { generateEmbeddingMatrix } from '@mmrecall/synthetic';
import autocannon from 'autocannon';

import { buildArtifacts, itemId, startServer, stopServer, userId, waitReady } from './load-helpers';

interface LoadOptions {
  items: number;
  users: number;
  dim: number;
  duration: number;
  warmup: number;
  connections: number;
  k: number;
  indexes: ('exact' | 'hnsw')[];
  routes: ('u2i' | 'i2i')[];
  artifacts: string | undefined;
  out: string | undefined;
  hnswExpansionAdd: number;
  hnswExpansionSearch: number;
  recallSample: number;
}

function parseOptions(): LoadOptions {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      users: { type: 'string' },
      dim: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      k: { type: 'string' },
      index: { type: 'string' },
      routes: { type: 'string' },
      artifacts: { type: 'string' },
      out: { type: 'string' },
      'hnsw-expansion-add': { type: 'string' },
      'hnsw-expansion-search': { type: 'string' },
      'recall-sample': { type: 'string' },
    },
    strict: true,
  });
  const int = (text: string | undefined, fallback: number, max: number, name: string): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new Error(`--${name} must be an integer in 1..${max}`);
    return value;
  };
  const list = <T extends string>(text: string | undefined, allowed: readonly T[], name: string): T[] => {
    const items = (text ?? allowed.join(',')).split(',').map((item) => item.trim()) as T[];
    for (const item of items) if (!allowed.includes(item)) throw new Error(`--${name}: unknown "${item}"`);
    return items;
  };
  return {
    items: int(values.items, 1_000_000, 5_000_000, 'items'),
    users: int(values.users, 10_000, 1_000_000, 'users'),
    dim: int(values.dim, 64, 1024, 'dim'),
    // Bounded on purpose: at most 60 s and 256 connections per run.
    duration: int(values.duration, 10, 60, 'duration'),
    warmup: int(values.warmup, 2, 10, 'warmup'),
    connections: int(values.connections, 32, 256, 'connections'),
    k: int(values.k, 20, 1000, 'k'),
    indexes: list(values.index, ['exact', 'hnsw'] as const, 'index'),
    routes: list(values.routes, ['u2i', 'i2i'] as const, 'routes'),
    artifacts: values.artifacts,
    out: values.out,
    hnswExpansionAdd: int(values['hnsw-expansion-add'], 32, 4096, 'hnsw-expansion-add'),
    hnswExpansionSearch: int(values['hnsw-expansion-search'], 64, 4096, 'hnsw-expansion-search'),
    recallSample: int(values['recall-sample'], 50, 1000, 'recall-sample'),
  };
}

interface RunResult {
  index: string;
  route: string;
  items: number;
  connections: number;
  durationS: number;
  k: number;
  loadSeconds: number;
  requests: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

/**
 * Share of the brute-force top-k (inner product, trigger excluded) that the server's i2i returns,
 * averaged over `recallSample` triggers. Regenerates the same matrix the artifacts were built from.
 */
async function measureRecall(args: { base: string; options: LoadOptions }): Promise<number> {
  const { base, options } = args;
  const { dim, k } = options;
  const matrix = generateEmbeddingMatrix({ rows: options.items, dim, seed: 1, clusters: 256 });
  let found = 0;
  for (let s = 0; s < options.recallSample; s++) {
    const trigger = (s * 104_729 + 17) % options.items;
    const query = matrix.subarray(trigger * dim, (trigger + 1) * dim);
    const best: { row: number; score: number }[] = [];
    for (let row = 0; row < options.items; row++) {
      if (row === trigger) continue;
      let score = 0;
      const offset = row * dim;
      for (let j = 0; j < dim; j++) score += (query[j] as number) * (matrix[offset + j] as number);
      if (best.length < k || score > (best[best.length - 1] as { score: number }).score) {
        best.push({ row, score });
        best.sort((a, b) => b.score - a.score);
        if (best.length > k) best.pop();
      }
    }
    const response = await fetch(`${base}/v1/recall/i2i`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ itemId: itemId(trigger), k }),
    });
    const body = (await response.json()) as { items: { id: string }[] };
    const got = new Set(body.items.map((item) => item.id));
    for (const entry of best) if (got.has(itemId(entry.row))) found++;
  }
  return found / (options.recallSample * k);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const backend = await selectBackend({ backend: 'auto' });
  const scratch =
    options.artifacts === undefined ? await mkdtemp(path.join(tmpdir(), 'mmrecall-load-')) : undefined;
  const artifacts = options.artifacts ?? path.join(scratch as string, 'artifacts');
  const results: RunResult[] = [];
  let hnswRecall: number | undefined;
  try {
    const existing = await stat(path.join(artifacts, 'manifest.json')).catch(() => undefined);
    if (existing === undefined) {
      const started = performance.now();
      await buildArtifacts({ dir: artifacts, items: options.items, users: options.users, dim: options.dim });
      console.error(
        `artifacts: ${options.items} x ${options.dim} written to ${artifacts} in ${((performance.now() - started) / 1000).toFixed(1)} s (backend ${backend.name})`,
      );
    } else {
      console.error(`artifacts: reusing ${artifacts}`);
    }
    for (const index of options.indexes) {
      const started = performance.now();
      const hnswArgs =
        index === 'hnsw'
          ? [
              '--hnsw-expansion-add',
              String(options.hnswExpansionAdd),
              '--hnsw-expansion-search',
              String(options.hnswExpansionSearch),
            ]
          : [];
      const { child, base } = await startServer({ artifacts, index, hnswArgs });
      try {
        await waitReady(base, child, 30 * 60_000);
        const loadSeconds = (performance.now() - started) / 1000;
        console.error(`${index}: ready in ${loadSeconds.toFixed(1)} s`);
        for (const route of options.routes) {
          let counter = 0;
          const drive = (duration: number) =>
            autocannon({
              url: base,
              connections: options.connections,
              duration,
              timeout: 30,
              requests: [
                {
                  method: 'POST',
                  path: `/v1/recall/${route}`,
                  headers: { 'content-type': 'application/json' },
                  setupRequest: (request) => {
                    counter = (counter + 7919) % (route === 'u2i' ? options.users : options.items);
                    const body =
                      route === 'u2i'
                        ? { userId: userId(counter), k: options.k }
                        : { itemId: itemId(counter), k: options.k };
                    return { ...request, body: JSON.stringify(body) };
                  },
                },
              ],
            });
          // Unmeasured warm-up (JIT, first searches), then the measured run.
          await drive(options.warmup);
          const result = await drive(options.duration);
          const run: RunResult = {
            index,
            route,
            items: options.items,
            connections: options.connections,
            durationS: options.duration,
            k: options.k,
            loadSeconds: Math.round(loadSeconds * 10) / 10,
            requests: result.requests.total,
            qps: Math.round(result.requests.average * 10) / 10,
            p50Ms: result.latency.p50,
            p99Ms: result.latency.p99,
            errors: result.errors,
            non2xx: result.non2xx,
            timeouts: result.timeouts,
          };
          results.push(run);
          console.error(JSON.stringify(run));
        }
        if (index === 'hnsw' && existing === undefined) {
          hnswRecall = await measureRecall({ base, options });
          console.error(
            `hnsw: i2i recall@${options.k} vs exact over ${options.recallSample} triggers = ${hnswRecall.toFixed(4)}`,
          );
        }
      } finally {
        const code = await stopServer(child);
        console.error(`${index}: server stopped (exit code ${code})`);
      }
    }
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
  const table = [
    '| index | route | items | conns | k | ready (s) | requests | queries/s | p50 (ms) | p99 (ms) | errors | non-2xx | timeouts |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.index} | ${r.route} | ${r.items} | ${r.connections} | ${r.k} | ${r.loadSeconds} | ${r.requests} | ${r.qps} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.non2xx} | ${r.timeouts} |`,
    ),
  ].join('\n');
  console.log(table);
  if (hnswRecall !== undefined) {
    console.log(
      `\nhnsw (expansionAdd ${options.hnswExpansionAdd}, expansionSearch ${options.hnswExpansionSearch}): i2i recall@${options.k} against brute force = ${hnswRecall.toFixed(4)} (${options.recallSample} triggers)`,
    );
  }
  if (options.out !== undefined) {
    await writeFile(
      options.out,
      `${JSON.stringify({ results, hnswRecall, hnsw: { expansionAdd: options.hnswExpansionAdd, expansionSearch: options.hnswExpansionSearch } }, null, 2)}\n`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
