#!/usr/bin/env node
import { createRequire } from 'node:module';
import { runCli } from './cli-app';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // ../package.json is the package root from both src/ and dist/.
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  process.stdout.write(`mmrecall-train ${version}\n`);
} else {
  process.exitCode = await runCli({ argv });
}
