import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';

/** Writes the benchmark CSV once (user_id,item_id,timestamp; LCG ids in random order); reuses it after. */
export async function writeInteractionsFile({ path, rows }) {
  if (existsSync(path) && statSync(path).size > 0) return;
  const out = createWriteStream(`${path}.tmp`);
  out.write('user_id,item_id,timestamp\n');
  let state = 12345;
  const batch = [];
  for (let r = 0; r < rows; r++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const user = state % 1_000_000;
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const item = state % 200_000;
    batch.push(`${user},${item},${1_600_000_000 + r}`);
    if (batch.length === 100_000) {
      if (!out.write(`${batch.join('\n')}\n`)) await new Promise((resolve) => out.once('drain', resolve));
      batch.length = 0;
    }
  }
  if (batch.length) out.write(`${batch.join('\n')}\n`);
  await new Promise((resolve) => out.end(resolve));
  renameSync(`${path}.tmp`, path);
}

/** The value after `--name` on the command line, or `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
}
