import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readInteractionsCsv } from '@mmrecall/data';
import {
  createTempDir,
  removeTempDir,
  type TestArtifacts,
  writeTestArtifacts,
} from '@mmrecall/test-artifacts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { runEventsCommand } from './events-command';
import { createRecallServer } from './recall-server';
import { client, listen } from './test-client';

const ADMIN = 'test-admin-token-0123456789';
const INGEST = 'test-ingest-token-9876543210';

let parent: string;
let artifacts: TestArtifacts;

beforeAll(async () => {
  parent = await createTempDir();
  artifacts = await writeTestArtifacts({ parent, name: 'live', liveLoop: true });
});

afterAll(async () => {
  await removeTempDir(parent);
});

/** Runs `mmrecall-events` in process; resolves to its exit code and output. */
async function events(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runEventsCommand({
    argv,
    io: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('GET /v1/statistics/export and mmrecall-events export', () => {
  test('the route streams the accepted events as the training CSV; the CLI writes the same bytes from the journal', async () => {
    const journal = path.join(parent, 'export-events.jsonl');
    const server = createRecallServer({
      artifactsDir: artifacts.dir,
      index: 'exact',
      adminToken: ADMIN,
      ingestToken: INGEST,
      events: { journal, maxEvents: 30 },
    });
    await server.ready;
    const call = client(await listen(server));
    const ids = artifacts.data.dataset.items.ids;
    const at = 1_767_225_600;
    const batches = [
      [
        { itemId: ids[0]!, userId: 'u,"1"', type: 'click', at },
        { itemId: ids[1]!, type: 'exposure', at: at + 0.5 },
      ],
      [{ itemId: ids[2]!, userId: 'u2', type: 'exposure', at: at + 60 }],
    ];
    for (const batch of batches) {
      expect((await call('POST', '/v1/events', { body: { events: batch }, token: INGEST })).status).toBe(202);
    }

    expect((await call('GET', '/v1/statistics/export')).status).toBe(401);
    // The ingest token may send events, not read them back.
    expect((await call('GET', '/v1/statistics/export', { token: INGEST })).status).toBe(401);
    const answer = await call('GET', '/v1/statistics/export', { token: ADMIN });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(answer.headers.get('x-mmrecall-events')).toBe('3');
    const expected = [
      'user_id,item_id,timestamp,click',
      `"u,""1""",${ids[0]},${at},1`,
      `_anonymous,${ids[1]},${at + 0.5},0`,
      `u2,${ids[2]},${at + 60},0`,
      '',
    ].join('\n');
    expect(answer.body).toBe(expected);
    const file = path.join(parent, 'library-export.csv');
    expect(await server.service.exportEvents({ file })).toBe(3);
    expect(await readFile(file, 'utf8')).toBe(expected);

    // While the server runs: the journal is read, not opened for writing.
    const printed = await events(['export', '--journal', journal]);
    expect(printed).toEqual({ code: 0, stdout: expected, stderr: '' });
    await server.close();
    const out = path.join(parent, 'cli-export.csv');
    const written = await events(['export', '--journal', journal, '-o', out]);
    expect(written.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(expected);

    // The training reader takes it as exposures and clicks.
    const read = await readInteractionsCsv({
      path: out,
      columns: { user: 'user_id', item: 'item_id', timestamp: 'timestamp', click: 'click' },
    });
    expect(Array.from(read.interactions.clicks!)).toEqual([1, 0, 0]);
    expect([...read.users.ids]).toEqual(['u,"1"', '_anonymous', 'u2']);

    // A torn last line is left out (and said); a complete line that is not an event names file and line.
    await appendFile(journal, '{"itemId":"half');
    const torn = await events(['export', '--journal', journal]);
    expect(torn.code).toBe(0);
    expect(torn.stdout).toBe(expected);
    expect(torn.stderr).toMatch(/incomplete last line \(15 bytes/);
    // Completing the torn line gives a line without type and time.
    await appendFile(journal, '"}\n');
    const bad = await events(['export', '--journal', journal]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`mmrecall-events: ${journal}:4: is not an event { itemId, type, at }\n`);
    expect((await events(['export'])).code).toBe(2);
    expect((await events(['import', '--journal', journal])).code).toBe(2);
  });
});
