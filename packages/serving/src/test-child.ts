// Runs a TypeScript file of this package in its own Node process (tests only, not exported): a
// child that hangs in native code is killed after `timeoutMs`, so the test fails instead of hanging.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** How a child process ended. */
export interface ChildOutcome {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the test killed it after `timeoutMs`. */
  timedOut: boolean;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** Runs `src/<script>` with tsx and the `@mmrecall/source` condition; kills it after `timeoutMs`. */
export function runTypeScriptChild(options: {
  script: string;
  args?: readonly string[];
  timeoutMs: number;
}): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--conditions=@mmrecall/source',
        '--import',
        'tsx',
        join(packageRoot, 'src', options.script),
        ...(options.args ?? []),
      ],
      { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exitCode, signal, timedOut, ms: performance.now() - began });
    });
  });
}
