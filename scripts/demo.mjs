#!/usr/bin/env node
// The README's main job: build, train the default model on the embedded synthetic data set, then
// serve it and answer a sample query. The server keeps running until Ctrl-C
// (set MMRECALL_DEMO_EXIT=1 to stop after the sample query).
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'runs', 'demo');
const artifacts = path.join(output, 'artifacts');
const port = Number(process.env.PORT ?? 8080);
const host = '127.0.0.1';

function step(title) {
  console.log(`\n== ${title}`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

step('build all packages and apps');
run('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only']);

step('train gated-additive on the synthetic default data set');
run('node', ['apps/trainer/dist/cli.js', 'train', '--output', output]);

step(`serve ${path.relative(root, artifacts)} on http://${host}:${port}`);
const server = spawn(
  'node',
  ['apps/recall-server/dist/cli.js', '--artifacts', artifacts, '--port', String(port), '--host', host],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, MMRECALL_ADMIN_TOKEN: process.env.MMRECALL_ADMIN_TOKEN ?? 'demo-admin-token' },
  },
);
const stop = () => server.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => process.exit(code ?? 0));

const base = `http://${host}:${port}`;
for (let attempt = 0; ; attempt++) {
  try {
    const ready = await fetch(`${base}/readyz`);
    if (ready.ok) break;
  } catch {
    // not listening yet
  }
  if (attempt > 600) {
    console.error('server did not become ready in 60 s');
    stop();
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const idMaps = JSON.parse(await readFile(path.join(artifacts, 'id-maps.json'), 'utf8'));
const userId = idMaps.users[0];
const itemId = idMaps.items[0];
step(`sample queries against ${base}`);
const u2i = await fetch(`${base}/v1/recall/u2i`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ userId, k: 5 }),
}).then((response) => response.json());
console.log(`POST /v1/recall/u2i {"userId":"${userId}","k":5}\n${JSON.stringify(u2i, null, 2)}`);
const i2i = await fetch(`${base}/v1/recall/i2i`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ itemId, k: 5 }),
}).then((response) => response.json());
console.log(`POST /v1/recall/i2i {"itemId":"${itemId}","k":5}\n${JSON.stringify(i2i, null, 2)}`);
if (process.env.MMRECALL_DEMO_EXIT === '1') {
  stop();
} else {
  console.log(`\nServer running on ${base} (docs: ${base}/docs). Ctrl-C to stop.`);
}
