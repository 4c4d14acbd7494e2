/**
 * Test helper: the artifacts folders the server tests share (written once per test file into a
 * temporary folder, removed after it) and a server over them for the length of one test.
 */

import type { ExternalIndex } from '@mmrecall/recall-service';
import { createExactIndex, toAsyncRecallIndex } from '@mmrecall/serving';
import {
  createTempDir,
  removeTempDir,
  type TestArtifacts,
  type WriteTestArtifactsOptions,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import { afterAll, beforeAll } from 'vitest';

import { createRecallServer, type RecallServer, type RecallServerOptions } from './recall-server';
import { client, listen } from './test-client';

/** Admin token of the test servers. */
export const TOKEN = 'test-admin-token-0123456789';

/** Folders `a` (seed 1) and `b` (seed 2), plus any `extra` ones by name; filled in `beforeAll`. */
export type TestFolders<Extra extends string> = {
  parent: string;
  a: TestArtifacts;
  b: TestArtifacts;
} & Record<Extra, TestArtifacts>;

/**
 * Registers `beforeAll`/`afterAll` hooks that write the artifacts folders `a` and `b` (and `extra`,
 * e.g. `{ idOnly: { kind: 'id-only', seed: 3 } }`) and remove them after the file's tests.
 */
export function useTestArtifacts<Extra extends string = never>(
  extra: Record<Extra, Omit<WriteTestArtifactsOptions, 'parent' | 'name'>> = {} as Record<Extra, never>,
): TestFolders<Extra> {
  const folders = {} as TestFolders<Extra>;
  beforeAll(async () => {
    folders.parent = await createTempDir();
    folders.a = await writeTestArtifacts({ parent: folders.parent, name: 'a', seed: 1 });
    folders.b = await writeTestArtifacts({ parent: folders.parent, name: 'b', seed: 2 });
    for (const [name, options] of Object.entries(extra) as [Extra, WriteTestArtifactsOptions][]) {
      (folders as Record<string, TestArtifacts>)[name] = await writeTestArtifacts({
        ...options,
        parent: folders.parent,
        name,
      });
    }
  });
  afterAll(async () => {
    if (folders.parent !== undefined) await removeTempDir(folders.parent);
  });
  return folders;
}

/** Runs `run` against a listening server (exact index, admin token {@link TOKEN}) and closes it after. */
export async function withServer(
  options: Partial<RecallServerOptions> & Pick<RecallServerOptions, 'artifactsDir'>,
  run: (call: ReturnType<typeof client>, server: RecallServer) => Promise<void>,
): Promise<void> {
  const server = createRecallServer({ index: 'exact', adminToken: TOKEN, ...options });
  try {
    await server.ready;
    await run(client(await listen(server)), server);
  } finally {
    await server.close();
  }
}

/**
 * An exact index whose searches (`search` and `searchBatch`) run through `around`: to make them
 * slow, stuck or never settling in tests of the call budget.
 */
export function fakeIndex(options: { around: <T>(search: () => Promise<T>) => Promise<T> }): ExternalIndex {
  return {
    kind: 'fake',
    create: async ({ dim }) => {
      const inner = toAsyncRecallIndex(createExactIndex({ dim, metric: 'ip' }));
      return {
        ...inner,
        search: (search) => options.around(() => inner.search(search)),
        searchBatch: (search) => options.around(() => inner.searchBatch(search)),
      };
    },
  };
}
