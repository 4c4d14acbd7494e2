#!/usr/bin/env node
// Checks every published package the way a user receives it (run after `pnpm build`):
//  - `pnpm pack` tarball holds package.json, README.md, LICENSE (equal to the root LICENSE) and
//    dist/, and no benchmark or load-test build, test file or source map of a test;
//  - package.json has a real `repository` with `directory` pointing at the package;
//  - `publint --strict` passes;
//  - `attw --pack` passes with the `esm-only` profile: every package is ESM only ("type": "module",
//    no `require` condition), so attw's CommonJS resolution modes (node10, node16 from CJS) are the
//    one documented exception; every other attw problem fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const license = readFileSync(path.join(root, 'LICENSE'), 'utf8');
const FORBIDDEN = [
  /^package\/(bench|examples|src)\//,
  /^package\/dist\/(bench|load)\./,
  /\.test\.[cm]?[jt]s(\.map)?$/,
];

const packages = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(path.join(root, group)).sort()) {
    const dir = path.join(root, group, name);
    const manifestPath = path.join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!manifest.private) packages.push({ dir, relative: `${group}/${name}`, manifest });
  }
}

const problems = [];
const temporary = mkdtempSync(path.join(os.tmpdir(), 'mmrecall-pack-'));
try {
  for (const { dir, relative, manifest } of packages) {
    const fail = (message) => problems.push(`${manifest.name} (${relative}): ${message}`);
    const repository = manifest.repository;
    if (
      typeof repository !== 'object' ||
      !/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/.test(repository.url ?? '') ||
      repository.directory !== relative
    ) {
      fail(
        `repository must be { type: "git", url: "git+https://github.com/<owner>/<repo>.git", directory: "${relative}" }`,
      );
    }
    const out = path.join(temporary, manifest.name.replace(/[@/]/g, '_'));
    execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: 'pipe' });
    const tarball = path.join(
      out,
      readdirSync(out).find((file) => file.endsWith('.tgz')),
    );
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    for (const wanted of ['package/package.json', 'package/README.md', 'package/LICENSE']) {
      if (!files.includes(wanted)) fail(`tarball lacks ${wanted.slice('package/'.length)}`);
    }
    if (!files.some((file) => file.startsWith('package/dist/')))
      fail('tarball has no dist/ (run pnpm build first)');
    for (const file of files)
      if (FORBIDDEN.some((pattern) => pattern.test(file))) fail(`tarball holds ${file}`);
    if (files.includes('package/LICENSE')) {
      const packed = execFileSync('tar', ['-xzOf', tarball, 'package/LICENSE'], { encoding: 'utf8' });
      if (packed !== license) fail('LICENSE differs from the root LICENSE');
    }
    const publint = spawnSync(bin('publint'), ['--strict'], { cwd: dir, encoding: 'utf8' });
    if (publint.status !== 0) fail(`publint --strict:\n${publint.stdout}${publint.stderr}`);
    const attw = spawnSync(bin('attw'), ['--pack', '.', '--profile', 'esm-only', '--format', 'ascii'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (attw.status !== 0) fail(`attw --pack:\n${attw.stdout}${attw.stderr}`);
    console.log(
      `${manifest.name}: ${files.length} files packed${publint.status === 0 && attw.status === 0 ? '' : ' (see problems)'}`,
    );
  }
} finally {
  rmSync(temporary, { recursive: true, force: true });
}
for (const problem of problems) console.error(problem);
console.log(`packages: ${packages.length} checked, ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
