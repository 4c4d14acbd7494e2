import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Workspace package name -> its folder. */
function workspacePackages(): Map<string, string> {
  const byName = new Map<string, string>();
  for (const group of ['packages', 'tooling']) {
    for (const name of readdirSync(join(root, group))) {
      const manifest = join(root, group, name, 'package.json');
      if (existsSync(manifest))
        byName.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(root, group, name));
    }
  }
  return byName;
}

/** Every workspace source file a module loads, following imports through `@mmrecall/source` entries. */
function moduleGraph(entry: string): Set<string> {
  const packages = workspacePackages();
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'/gm)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) {
        pending.push(resolve(dirname(file), `${specifier.replace(/\.js$/, '')}.ts`));
        continue;
      }
      const [scope, name, ...rest] = specifier.split('/');
      const dir = packages.get(`${scope}/${name}`);
      if (!dir) continue; // tfjs, node builtins
      const exports = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports;
      const target = exports[rest.length > 0 ? `./${rest.join('/')}` : '.']['@mmrecall/source'];
      pending.push(join(dir, target));
    }
  }
  return seen;
}

const names = (graph: Set<string>) => [...graph].map((file) => file.slice(root.length + 1));

describe('@mmrecall/model/inference', () => {
  it('never loads the sparse optimizers or the train step, while the training entry does', () => {
    const inference = names(moduleGraph(join(root, 'packages/model/src/inference.ts')));
    expect(inference).toContain('packages/model/src/artifacts.ts');
    expect(inference).toContain('packages/towers/src/embedding-table.ts');
    expect(
      inference.filter((file) => /sparse-optimizer|train-step|towers\/src\/training/.test(file)),
    ).toEqual([]);
    // the walker does find them when they are imported
    const training = names(moduleGraph(join(root, 'packages/towers/src/training.ts')));
    expect(training).toContain('packages/towers/src/sparse-optimizer.ts');
  });
});
