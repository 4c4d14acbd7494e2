/**
 * One test per failure of the server found by probing it as a client would (issue 10): each fails
 * on the code before the fix and passes after it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadServingModel } from '@mmrecall/recall-service';
import { itemContent } from '@mmrecall/test-artifacts';
import { describe, expect, test } from 'vitest';

import { createRecallServer, type RecallServerOptions } from './recall-server';
import { type client, rawRequest } from './test-client';
import { TOKEN, useTestArtifacts, withServer } from './test-fixture';

const folders = useTestArtifacts({ idOnly: { kind: 'id-only', seed: 3 } });

/** Puts a changed file's size and sha256 into the manifest, as a consistent but wrong folder would have. */
async function reseal(dir: string, name: string): Promise<void> {
  const bytes = await readFile(path.join(dir, name));
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  manifest.integrity[name] = {
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** A copy of folder A under `name`, changed by `edit`. */
async function brokenCopy(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(folders.parent, name);
  await cp(folders.a.dir, dir, { recursive: true });
  await edit(dir);
  return dir;
}

const userId = () => folders.a.data.dataset.users.ids[3] as string;

describe('issue 10 failures of the server', () => {
  test('2: users.f32 with NaN is refused with 422 naming the file; u2i keeps answering from the old model', async () => {
    const nan = await brokenCopy('nan-users', async (dir) => {
      const file = path.join(dir, 'users.f32');
      const bytes = await readFile(file);
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      values[5 * folders.a.dim + 2] = Number.NaN;
      await writeFile(file, bytes);
      await reseal(dir, 'users.f32');
    });
    const edited = await brokenCopy('edited-users', async (dir) => {
      const file = path.join(dir, 'users.f32');
      const bytes = await readFile(file);
      new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)[5 * folders.a.dim + 2] =
        Number.NaN;
      await writeFile(file, bytes);
    });
    const infinite = await brokenCopy('inf-items', async (dir) => {
      const file = path.join(dir, 'items.f32');
      const bytes = await readFile(file);
      new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)[7] = Number.NEGATIVE_INFINITY;
      await writeFile(file, bytes);
      await reseal(dir, 'items.f32');
    });
    await withServer({ artifactsDir: folders.a.dir }, async (call) => {
      const before = await call('POST', '/v1/recall/u2i', { body: { userId: userId(), k: 5 } });
      const reload = await call('POST', '/v1/admin/reload', { body: { artifactsDir: nan }, token: TOKEN });
      expect(reload.status).toBe(422);
      expect(reload.body.message).toBe(
        `reload failed (still serving ${folders.a.dir}): ${path.join(nan, 'users.f32')}: field "row 5, column 2": holds NaN (value ${5 * folders.a.dim + 2}); every value must be finite`,
      );
      // Without the manifest updated, the changed file fails its checksum first.
      const changed = await call('POST', '/v1/admin/reload', {
        body: { artifactsDir: edited },
        token: TOKEN,
      });
      expect(changed.status).toBe(422);
      expect(changed.body.message).toMatch(
        /edited-users\/users\.f32: sha256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/,
      );
      const items = await call('POST', '/v1/admin/reload', {
        body: { artifactsDir: infinite },
        token: TOKEN,
      });
      expect(items.status).toBe(422);
      expect(items.body.message).toMatch(
        /items\.f32:? field "row 0, column 7": holds -Infinity \(value 7\); every value must be finite$/,
      );
      // Every user still gets an answer, the same one as before.
      for (const user of folders.a.data.dataset.users.ids.slice(0, 50)) {
        expect((await call('POST', '/v1/recall/u2i', { body: { userId: user, k: 5 } })).status).toBe(200);
      }
      expect(await call('POST', '/v1/recall/u2i', { body: { userId: userId(), k: 5 } })).toMatchObject({
        status: 200,
        body: before.body,
      });
    });
    // The first load refuses it too.
    const server = createRecallServer({ artifactsDir: nan, index: 'exact' });
    await expect(server.ready).rejects.toThrow(/users\.f32:? field "row 5, column 2": holds NaN/);
    await server.close();
  });

  test('3: a FIFO in place of weights.bin is refused at once; a read that never ends times out; neither blocks later reloads or close', async () => {
    const fifo = await brokenCopy('fifo', async (dir) => {
      await rm(path.join(dir, 'weights.bin'));
      execFileSync('mkfifo', [path.join(dir, 'weights.bin')]);
    });
    const hanging = await brokenCopy('hanging', async () => undefined);
    const never = new Promise<never>(() => undefined);
    const loadModel: RecallServerOptions['loadModel'] = (options) =>
      options.dir === hanging ? never : loadServingModel(options);
    await withServer(
      { artifactsDir: folders.a.dir, loadModel, readTimeoutMs: 2000 },
      async (call, server) => {
        const started = performance.now();
        const refused = await call('POST', '/v1/admin/reload', {
          body: { artifactsDir: fifo },
          token: TOKEN,
        });
        expect(refused.status).toBe(422);
        expect(refused.body.message).toMatch(/weights\.bin: is a FIFO, not a regular file/);
        const timedOut = await call('POST', '/v1/admin/reload', {
          body: { artifactsDir: hanging },
          token: TOKEN,
        });
        expect(timedOut.status).toBe(422);
        expect(timedOut.body.message).toMatch(/reading did not finish within 2000 ms/);
        expect(performance.now() - started).toBeLessThan(10_000);
        // Later reloads answer, and the old model served meanwhile.
        expect(
          (await call('POST', '/v1/admin/reload', { body: { artifactsDir: folders.b.dir }, token: TOKEN }))
            .status,
        ).toBe(200);
        expect((await call('GET', '/readyz')).body.artifactsDir).toBe(folders.b.dir);
        // close() while a reload hangs: the reload answers 503 and close returns promptly.
        const stuck = call('POST', '/v1/admin/reload', { body: { artifactsDir: hanging }, token: TOKEN });
        // Give the request time to reach the server (a busy machine may take a while) before closing.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const closing = performance.now();
        await server.close();
        expect(performance.now() - closing).toBeLessThan(2000);
        expect(await stuck).toMatchObject({ status: 503, body: { message: /the server is closing/ } });
      },
    );
  });

  test('4: manifest null and a model.json without weightsManifest are 422, not 500', async () => {
    const nullManifest = await brokenCopy('null-manifest', (dir) =>
      writeFile(path.join(dir, 'manifest.json'), 'null'),
    );
    const noWeights = await brokenCopy('no-weights-manifest', async (dir) => {
      const file = path.join(dir, 'model.json');
      const model = JSON.parse(await readFile(file, 'utf8'));
      delete model.weightsManifest;
      await writeFile(file, JSON.stringify(model));
    });
    await withServer({ artifactsDir: folders.a.dir }, async (call) => {
      for (const dir of [nullManifest, noWeights]) {
        const answer = await call('POST', '/v1/admin/reload', { body: { artifactsDir: dir }, token: TOKEN });
        expect(answer.status, dir).toBe(422);
        expect(answer.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
        expect(answer.body.message).toContain(`reload failed (still serving ${folders.a.dir}): ${dir}`);
      }
      expect((await call('POST', '/v1/recall/u2i', { body: { userId: userId(), k: 5 } })).status).toBe(200);
    });
  });

  test('5: PUT and DELETE survive a restart and reloads into other models (journal)', async () => {
    const journal = path.join(folders.parent, 'items.journal');
    const trained = folders.a.data.dataset.items.ids[20] as string;
    const put = itemContent(folders.a, 9);
    await withServer({ artifactsDir: folders.a.dir, journal }, async (call) => {
      expect((await call('PUT', '/v1/items/survivor', { body: put, token: TOKEN })).status).toBe(201);
      expect(
        (await call('PUT', '/v1/items/gone-again', { body: itemContent(folders.a, 3), token: TOKEN })).status,
      ).toBe(201);
      expect((await call('DELETE', '/v1/items/gone-again', { token: TOKEN })).status).toBe(204);
      expect((await call('DELETE', `/v1/items/${trained}`, { token: TOKEN })).status).toBe(204);
    });
    const survivorScores = async (call: ReturnType<typeof client>) =>
      (await call('POST', '/v1/recall/i2i', { body: { itemId: 'survivor', k: 5 } })).body;
    let before: unknown;
    // Restart on the same artifacts: same items, same answers.
    await withServer({ artifactsDir: folders.a.dir, journal }, async (call) => {
      expect((await call('GET', '/readyz')).body).toMatchObject({ items: 400, pending: 0 });
      before = await survivorScores(call);
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: trained } })).status).toBe(404);
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'gone-again' } })).status).toBe(404);
      // Reload into another model: re-embedded, deletion kept.
      const reload = await call('POST', '/v1/admin/reload', {
        body: { artifactsDir: folders.b.dir },
        token: TOKEN,
      });
      expect(reload.body).toMatchObject({ items: 400, replayed: 1, pending: 0 });
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'survivor' } })).status).toBe(200);
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: trained } })).status).toBe(404);
      // A model that cannot embed it keeps it pending, not lost.
      const toIdOnly = await call('POST', '/v1/admin/reload', {
        body: { artifactsDir: folders.idOnly.dir },
        token: TOKEN,
      });
      expect(toIdOnly.body).toMatchObject({ kind: 'id-only', replayed: 0, pending: 1 });
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'survivor' } })).status).toBe(404);
    });
    // Restart on the id-only model, then back to A: the item is served again, with A's embedding.
    await withServer({ journal, artifactsDir: folders.idOnly.dir }, async (call) => {
      expect((await call('GET', '/readyz')).body).toMatchObject({ kind: 'id-only', pending: 1 });
      const back = await call('POST', '/v1/admin/reload', {
        body: { artifactsDir: folders.a.dir },
        token: TOKEN,
      });
      expect(back.body).toMatchObject({ kind: 'gated-additive', items: 400, replayed: 1, pending: 0 });
      expect(await survivorScores(call)).toEqual(before);
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: trained } })).status).toBe(404);
    });
  });

  test('7: an admin token with whitespace is refused at start', () => {
    for (const adminToken of [`${TOKEN}\n`, 'two words']) {
      expect(() => createRecallServer({ artifactsDir: folders.a.dir, index: 'exact', adminToken })).toThrow(
        /MMRECALL_ADMIN_TOKEN: contains whitespace/,
      );
    }
  });

  test('7: 414, 431 and bad-URL answers carry the documented error body', async () => {
    await withServer({ artifactsDir: folders.a.dir }, async (call, server) => {
      const base = server.app.listeningOrigin;
      const answers = {
        414: await rawRequest(
          base,
          `DELETE /v1/items/${'x'.repeat(600)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        ),
        431: await rawRequest(
          base,
          `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
        ),
        400: await rawRequest(
          base,
          'DELETE /v1/items/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        ),
      };
      const expected = {
        414: {
          error: 'URI Too Long',
          message: 'a path parameter is longer than 512 characters (ids have at most 256)',
        },
        431: {
          error: 'Request Header Fields Too Large',
          message: 'the request line and headers exceed the server limit (16 KiB)',
        },
        400: { error: 'Bad Request', message: 'the URL is not valid percent-encoding' },
      };
      for (const status of [414, 431, 400] as const) {
        expect(answers[status].status).toBe(status);
        // Exactly the documented fields (no fastify `code`), like every other 4xx.
        expect(answers[status].body).toStrictEqual({ statusCode: status, ...expected[status] });
      }
      const schema = await call('POST', '/v1/recall/u2i', { body: { k: 0 } });
      expect(Object.keys(schema.body).sort()).toEqual(['error', 'message', 'statusCode']);
      expect((await call('GET', '/healthz')).status).toBe(200);
    });
  });
});
