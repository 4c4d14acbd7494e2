#!/usr/bin/env node
import { createRequire } from 'node:module';
import { InvalidArgumentError } from '@mmrecall/errors';
import { selectBackend } from '@mmrecall/runtime';

import { CliUsageError, parseCliOptions, USAGE } from './cli-options';
import { createPgvectorCatalog } from './pgvector-catalog';
import { createRecallServer } from './recall-server';

/** Longest wait for in-flight requests after SIGINT/SIGTERM. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

/** Exit code after an index call ran over its time budget (EX_SOFTWARE): the supervisor restarts the process. */
const OVERRUN_EXIT_CODE = 70;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    // ../package.json is the package root from both src/ and dist/.
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    process.stdout.write(`mmrecall-serve ${version}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof parseCliOptions>;
  try {
    parsed = parseCliOptions({ argv, env: process.env });
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`mmrecall-serve: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const options = parsed.options;
  const backendLines: string[] = [];
  const backend = await selectBackend({ backend: options.backend, log: (line) => backendLines.push(line) });
  let server: ReturnType<typeof createRecallServer>;
  // Set below; an overrun cannot happen before the server exists.
  let stop: (reason: string, exitCode: number) => void = () => undefined;
  try {
    server = createRecallServer({
      artifactsDir: options.artifactsDir,
      index: options.pgvector ? createPgvectorCatalog(options.pgvector) : (options.index as 'exact' | 'hnsw'),
      hnsw: options.hnsw,
      adminToken: process.env.MMRECALL_ADMIN_TOKEN,
      bodyLimit: options.bodyLimit,
      logger: { level: options.logLevel },
      readTimeoutMs: options.readTimeoutMs,
      callBudget: {
        budgetMs: options.callBudgetMs,
        killAfterMs: options.callKillAfterMs,
        // The process no longer serves reliably: drain it and let the supervisor start a fresh one.
        onOverrun: () => stop('index call over its time budget', OVERRUN_EXIT_CODE),
      },
      ...(options.journal !== undefined ? { journal: options.journal } : {}),
      ...(process.env.MMRECALL_INGEST_TOKEN ? { ingestToken: process.env.MMRECALL_INGEST_TOKEN } : {}),
      events: {
        ...(options.eventsJournal !== undefined ? { journal: options.eventsJournal } : {}),
        maxKeptEvents: options.eventsMaxKept,
      },
    });
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) {
      process.stderr.write(`mmrecall-serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = server.app.log;
  log.info({ backend: backend.name, reason: backend.reason }, backendLines[0] ?? 'backend selected');
  if (!process.env.MMRECALL_ADMIN_TOKEN)
    log.warn('MMRECALL_ADMIN_TOKEN is not set: admin routes are disabled');
  else if (options.journal === undefined)
    log.warn('no --journal: items added or deleted at run time are lost on restart');

  // Node cannot exit while a libuv thread is stuck in a read (process.exit joins the pool), so the
  // last resort is SIGKILL: the supervisor sees the process gone either way.
  const killNow = (): void => {
    process.kill(process.pid, 'SIGKILL');
  };
  let stopping = false;
  stop = (reason: string, exitCode: number): void => {
    if (stopping) {
      if (exitCode !== 0) return; // already stopping; an overrun during shutdown changes nothing
      log.warn({ signal: reason }, 'second signal: exiting without waiting');
      killNow();
      return;
    }
    stopping = true;
    log.info({ reason, exitCode }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      log.error({ seconds: SHUTDOWN_TIMEOUT_MS / 1000 }, 'shutdown did not finish in time: exiting');
      killNow();
    }, SHUTDOWN_TIMEOUT_MS).unref();
    server.close().then(
      () => {
        log.info('stopped');
        process.exit(exitCode);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));

  // Listen first: /healthz answers and /readyz says 503 while the artifacts load.
  await server.app.listen({ port: options.port, host: options.host });
  try {
    await server.ready;
  } catch {
    log.fatal('could not load the artifacts; exiting');
    await server.close();
    return 1;
  }
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `mmrecall-serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
