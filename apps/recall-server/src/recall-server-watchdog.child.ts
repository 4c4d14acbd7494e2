// Run by recall-server-watchdog.test.ts in a child process: a server whose index search never
// returns (the thread blocks in Atomics.wait, as in a native call that spins), with a SIGTERM
// handler installed like the CLI's. The watchdog must end the process. Not part of the build.
// tfjs-core's gradient registry is left out: a deep import that plain Node cannot resolve, and
// nothing here trains.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { createRecallServer } from './recall-server';
import { listen } from './test-client';
import { fakeIndex } from './test-fixture';

await tf.setBackend('cpu');
const blocker = new Int32Array(new SharedArrayBuffer(4));
const server = createRecallServer({
  artifactsDir: process.argv[2] as string,
  index: fakeIndex({
    around: () => {
      Atomics.wait(blocker, 0, 0);
      throw new Error('unreachable');
    },
  }),
  callBudget: { budgetMs: 200, killAfterMs: 400 },
});
process.on('SIGTERM', () => undefined);
await server.ready;
process.stdout.write(`${await listen(server)}\n`);
