#!/usr/bin/env node
// mmrecall-events: the event journal as the training CSV (the file GET /v1/statistics/export streams).
import { runEventsCommand } from './events-command';

runEventsCommand({
  argv: process.argv.slice(2),
  io: {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `mmrecall-events: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
