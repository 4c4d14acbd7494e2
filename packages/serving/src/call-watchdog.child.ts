// Run by call-watchdog.test.ts in a child process: blocks the main thread the way a native call
// that never returns does (Atomics.wait: no JavaScript runs until it ends) and lets the watchdog
// end the process. Not part of the build.
import { createCallWatchdog } from './call-watchdog';

const scenario = process.argv[2];
const blocker = new Int32Array(new SharedArrayBuffer(4));
const blockForever = (): void => {
  Atomics.wait(blocker, 0, 0);
};
// A SIGTERM handler, like a server's graceful shutdown: it cannot run while the thread is blocked.
process.on('SIGTERM', () => undefined);

if (scenario === 'stuck-call') {
  const watchdog = createCallWatchdog({ budgetMs: 100, killAfterMs: 300 });
  process.stdout.write('blocking\n');
  watchdog.run('items.remove', blockForever);
} else if (scenario === 'stalled-loop') {
  createCallWatchdog({ budgetMs: 60_000, maxEventLoopStallMs: 300 });
  // Let a few heartbeats pass first, then block outside any guarded call.
  setTimeout(() => {
    process.stdout.write('blocking\n');
    blockForever();
  }, 200);
}
