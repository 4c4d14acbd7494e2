#!/usr/bin/env node
// Measures a consumer's node_modules for mmrecall packages installed from packed tarballs.
//   pnpm build && node scripts/measure-install.mjs . /tmp/mmrecall-install
// One consumer folder per scenario (npm install of the packed tarballs, @mmrecall/* overridden to
// the local tarballs); prints the size of each node_modules and its largest entries.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [repo, work] = process.argv.slice(2).map((p) => path.resolve(p));
const tarballs = path.join(work, 'tarballs');
rmSync(work, { recursive: true, force: true });
mkdirSync(tarballs, { recursive: true });
const specs = {};
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(path.join(repo, group))) {
    const dir = path.join(repo, group, name);
    if (!existsSync(path.join(dir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const out = execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
      cwd: dir,
      encoding: 'utf8',
    });
    const file = out.trim().split('\n').pop().trim();
    specs[manifest.name] = `file:${path.isAbsolute(file) ? file : path.join(tarballs, path.basename(file))}`;
  }
}
const scenarios = {
  'mmrecall-train + mmrecall-serve': ['@mmrecall/trainer', '@mmrecall/recall-server'],
  'mmrecall-train': ['@mmrecall/trainer'],
  'mmrecall-serve': ['@mmrecall/recall-server'],
  ...(specs['@mmrecall/training'] ? { 'training alone': ['@mmrecall/training'] } : {}),
};
const results = [];
for (const [label, wanted] of Object.entries(scenarios)) {
  const dir = path.join(work, label.replace(/[^a-z]+/g, '-'));
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(wanted.map((name) => [name, specs[name]]));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      { name: 'consumer', private: true, type: 'module', dependencies, overrides: specs },
      null,
      2,
    ),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: 'inherit',
  });
  const mb = Number(
    execFileSync('du', ['-sm', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0],
  );
  const top = execFileSync(
    'bash',
    ['-c', 'du -sm node_modules/@tensorflow/* node_modules/* 2>/dev/null | sort -rn | head -8'],
    { cwd: dir, encoding: 'utf8' },
  );
  results.push({ label, mb, top });
}
for (const { label, mb, top } of results) console.log(`\n${label}: ${mb} MB\n${top}`);
