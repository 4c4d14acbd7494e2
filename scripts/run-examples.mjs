#!/usr/bin/env node
// Runs every examples/*/run.sh from the repository root (after `pnpm build`) and checks that every
// code example in a README is one of those files, word for word.
//   node scripts/run-examples.mjs            check the READMEs, then run every example
//   node scripts/run-examples.mjs --readmes  only check the READMEs
//   node scripts/run-examples.mjs NAME ...   run only examples/NAME/run.sh (after the README check)
//   node scripts/run-examples.mjs --sync-readmes  rewrite each README block from the file it names
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = path.join(root, 'examples');
const args = process.argv.slice(2);
const sync = args.includes('--sync-readmes');
const readmesOnly = sync || args.includes('--readmes');
const only = args.filter((arg) => !arg.startsWith('--'));

// A README code block is an example when it is JavaScript or TypeScript and imports something; its
// first line names the file it shows (`// examples/<name>/<file>`), and the rest must equal that file.
const MARKER = /^\/\/ (examples\/[\w.-]+\/[\w.-]+\.(?:m?js|ts))$/;

function readmes() {
  const files = [path.join(root, 'README.md')];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(path.join(root, group))) {
      const file = path.join(root, group, name, 'README.md');
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

function checkReadmes() {
  const problems = [];
  let count = 0;
  for (const file of readmes()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const relative = path.relative(root, file);
    let changed = false;
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(js|mjs|ts|javascript|typescript)\s*$/.exec(lines[i]);
      if (!open) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end].startsWith('```')) end++;
      const body = lines.slice(start, end);
      i = end;
      // A block that imports nothing (a signature or a fragment) is not an example, unless it names one.
      if (!body.some((line) => /^import\s/.test(line)) && !MARKER.test(body[0] ?? '')) continue;
      count++;
      const marker = MARKER.exec(body[0] ?? '');
      if (!marker) {
        problems.push(`${relative}:${start + 1}: example does not start with "// examples/<name>/<file>"`);
        continue;
      }
      const example = path.join(root, marker[1]);
      if (!existsSync(example)) {
        problems.push(`${relative}:${start + 1}: ${marker[1]} does not exist`);
        continue;
      }
      const shown = `${body.slice(1).join('\n')}\n`;
      const wanted = readFileSync(example, 'utf8');
      if (shown !== wanted && sync) {
        const replacement = [body[0], ...wanted.replace(/\n$/, '').split('\n')];
        lines.splice(start, end - start, ...replacement);
        i = start + replacement.length;
        changed = true;
      } else if (shown !== wanted) {
        problems.push(
          `${relative}:${start + 1}: the block differs from ${marker[1]} (--sync-readmes rewrites it)`,
        );
      }
      if (!existsSync(path.join(path.dirname(example), 'run.sh'))) {
        problems.push(`${relative}:${start + 1}: ${path.dirname(marker[1])}/run.sh is missing`);
      }
    }
    if (changed) {
      writeFileSync(file, lines.join('\n'));
      console.log(`rewrote the examples of ${relative}`);
    }
  }
  for (const problem of problems) console.error(problem);
  console.log(`README examples: ${count} checked, ${problems.length} problem(s)`);
  return problems.length === 0;
}

function runExamples() {
  const names = readdirSync(examplesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(examplesDir, entry.name, 'run.sh')))
    .map((entry) => entry.name)
    .filter((name) => only.length === 0 || only.includes(name))
    .sort();
  const unknown = only.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    console.error(`no examples/<name>/run.sh for: ${unknown.join(', ')}`);
    return false;
  }
  const failed = [];
  for (const name of names) {
    const started = performance.now();
    console.log(`\n== examples/${name}`);
    const result = spawnSync('bash', [path.join('examples', name, 'run.sh')], {
      cwd: root,
      stdio: 'inherit',
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const ok = result.status === 0;
    if (!ok) failed.push(name);
    console.log(
      `== examples/${name}: ${ok ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds} s`,
    );
  }
  console.log(`\nExamples: ${names.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) console.log(`failed: ${failed.join(', ')}`);
  return failed.length === 0;
}

const readmesOk = checkReadmes();
const examplesOk = readmesOnly ? true : runExamples();
process.exit(readmesOk && examplesOk ? 0 : 1);
