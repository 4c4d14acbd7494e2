import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadServingModel } from '@mmrecall/recall-service';
import { bruteForce, itemContent, writeTestArtifacts } from '@mmrecall/test-artifacts';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRecallServer, type RecallServer } from './recall-server';
import { client, listen } from './test-client';
import { TOKEN, useTestArtifacts } from './test-fixture';

const folders = useTestArtifacts();

describe('recall server over HTTP (exact index)', () => {
  let server: RecallServer;
  let call: ReturnType<typeof client>;
  const ids = () => folders.a.data.dataset.items.ids;
  const users = () => folders.a.data.dataset.users.ids;
  /** A cold item (its artifact embedding comes from content with zero statistics). */
  const coldRow = () => folders.a.warm.indexOf(0);

  beforeAll(async () => {
    server = createRecallServer({
      artifactsDir: folders.a.dir,
      index: 'exact',
      adminToken: TOKEN,
      bodyLimit: 64 * 1024,
    });
    await server.ready;
    call = client(await listen(server));
  });

  afterAll(async () => {
    await server.close();
  });

  test('healthz and readyz report a loaded server', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      kind: 'gated-additive',
      mode: 'u2i',
      index: 'exact',
      items: 400,
      users: 300,
    });
    expect(ready.body.artifactsDir).toBe(folders.a.dir);
  });

  test('u2i by userId returns the exact top-k of the precomputed user embedding', async () => {
    const userRow = 5;
    const answer = await call('POST', '/v1/recall/u2i', { body: { userId: users()[userRow], k: 10 } });
    expect(answer.status).toBe(200);
    expect(answer.body.model).toBe('gated-additive');
    const { dim } = folders.a;
    const expected = bruteForce(
      folders.a.userEmbeddings.subarray(userRow * dim, (userRow + 1) * dim),
      folders.a.itemEmbeddings,
      dim,
      10,
    );
    expect(answer.body.items.map((item: { id: string }) => item.id)).toEqual(
      expected.map((e) => ids()[e.row]),
    );
    answer.body.items.forEach((item: { score: number }, i: number) => {
      expect(item.score).toBeCloseTo(expected[i]!.score, 4);
    });
  });

  test('u2i defaults k to 20 and honours exclude', async () => {
    const userId = users()[7];
    const first = await call('POST', '/v1/recall/u2i', { body: { userId } });
    expect(first.body.items).toHaveLength(20);
    const excluded = first.body.items.slice(0, 3).map((item: { id: string }) => item.id);
    const second = await call('POST', '/v1/recall/u2i', {
      body: { userId, k: 20, exclude: [...excluded, 'no-such-item'] },
    });
    expect(second.status).toBe(200);
    const got = second.body.items.map((item: { id: string }) => item.id);
    for (const id of excluded) expect(got).not.toContain(id);
    expect(got.slice(0, 17)).toEqual(first.body.items.slice(3).map((item: { id: string }) => item.id));
  });

  test('u2i with the features the artifacts were built from reproduces the precomputed query', async () => {
    const { dataset, split } = folders.a.data;
    const userRow = 11;
    const profile: string[] = [];
    const features = dataset.userFeatures!;
    for (let j = features.offsets[userRow] as number; j < (features.offsets[userRow + 1] as number); j++) {
      profile.push(features.vocabulary.ids[features.values[j] as number] as string);
    }
    const history: string[] = [];
    const clicks = split.train.clicks;
    for (let r = 0; r < split.train.users.length; r++) {
      if (split.train.users[r] === userRow && (clicks === undefined || clicks[r] === 1))
        history.push(ids()[split.train.items[r] as number] as string);
    }
    expect(history.length).toBeGreaterThan(0);
    const byFeatures = await call('POST', '/v1/recall/u2i', {
      body: { userId: users()[userRow], features: { profile, history }, k: 10 },
    });
    const byId = await call('POST', '/v1/recall/u2i', { body: { userId: users()[userRow], k: 10 } });
    expect(byFeatures.status).toBe(200);
    expect(byFeatures.body.items.map((item: { id: string }) => item.id)).toEqual(
      byId.body.items.map((item: { id: string }) => item.id),
    );
    byFeatures.body.items.forEach((item: { score: number }, i: number) => {
      expect(item.score).toBeCloseTo(byId.body.items[i].score, 4);
    });
    // Different features give a different query.
    const other = await call('POST', '/v1/recall/u2i', {
      body: { userId: users()[userRow], features: { history: history.slice(0, 1) }, k: 10 },
    });
    expect(other.status).toBe(200);
    expect(other.body.items.map((item: { score: number }) => item.score)).not.toEqual(
      byId.body.items.map((item: { score: number }) => item.score),
    );
  });

  test('u2i rejects unknown users and incomplete bodies with clear messages', async () => {
    const unknown = await call('POST', '/v1/recall/u2i', { body: { userId: 'nobody', k: 5 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/unknown userId "nobody"/);
    const empty = await call('POST', '/v1/recall/u2i', { body: { k: 5 } });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/userId, features or both/);
  });

  test('u2i embeds a brand-new user from features alone through the unknown-user row', async () => {
    const anonymous = await call('POST', '/v1/recall/u2i', {
      body: { features: { history: [ids()[0], ids()[1]] }, k: 5 },
    });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.items).toHaveLength(5);
    const unknownId = await call('POST', '/v1/recall/u2i', {
      body: { userId: 'nobody', features: { history: [ids()[0], ids()[1]] }, k: 5 },
    });
    expect(unknownId.status).toBe(200);
    expect(unknownId.body.items).toEqual(anonymous.body.items);
    // Another history, another query.
    const other = await call('POST', '/v1/recall/u2i', { body: { features: { history: [ids()[7]] }, k: 5 } });
    expect(other.body.items.map((item: { score: number }) => item.score)).not.toEqual(
      anonymous.body.items.map((item: { score: number }) => item.score),
    );
  });

  test.each([
    [{ k: 0 }, /k must be >= 1/],
    [{ k: 1001 }, /k must be <= 1000/],
    [{ k: 2.5 }, /k must be integer/],
    [{ k: '10' }, /k must be integer/],
    [{ exclude: 'i001' }, /exclude must be array/],
    [{ exclude: [1, 2] }, /exclude\/0 must be string/],
    [{ userId: '' }, /userId must NOT have fewer than 1 characters/],
    [{ userid: 'x' }, /must NOT have additional properties/],
  ])('u2i body %j -> 400', async (patch, message) => {
    const answer = await call('POST', '/v1/recall/u2i', { body: { userId: users()[0], ...patch } });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(message);
  });

  test('malformed requests get 4xx, never a crash', async () => {
    const badJson = await call('POST', '/v1/recall/i2i', { raw: '{"itemId": "i001", "k": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.message).toMatch(/JSON/i);
    const notJson = await call('POST', '/v1/recall/i2i', {
      raw: 'itemId=i001',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    const noBody = await call('POST', '/v1/recall/i2i');
    expect(noBody.status).toBe(400);
    const arrayBody = await call('POST', '/v1/recall/i2i', { body: [1, 2] });
    expect(arrayBody.status).toBe(400);
    const route = await call('GET', '/v1/nothing');
    expect(route.status).toBe(404);
    expect(route.body.message).toMatch(/no route GET \/v1\/nothing/);
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  test('i2i returns the exact neighbours of the trigger, never the trigger itself', async () => {
    const row = 3;
    const answer = await call('POST', '/v1/recall/i2i', { body: { itemId: ids()[row], k: 8 } });
    expect(answer.status).toBe(200);
    const { dim } = folders.a;
    const expected = bruteForce(
      folders.a.itemEmbeddings.subarray(row * dim, (row + 1) * dim),
      folders.a.itemEmbeddings,
      dim,
      8,
      new Set([row]),
    );
    expect(answer.body.items.map((item: { id: string }) => item.id)).toEqual(
      expected.map((e) => ids()[e.row]),
    );
    const unknown = await call('POST', '/v1/recall/i2i', { body: { itemId: 'no-such-item', k: 8 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/unknown itemId "no-such-item"/);
    const missing = await call('POST', '/v1/recall/i2i', { body: { k: 8 } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/must have required property 'itemId'/);
  });

  test('admin routes need the right bearer token', async () => {
    const content = itemContent(folders.a, 0);
    const none = await call('PUT', '/v1/items/auth-probe', { body: content });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.message).toMatch(/Authorization: Bearer/);
    const wrong = await call('PUT', '/v1/items/auth-probe', { body: content, token: `${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toMatch(/invalid token/);
    const short = await call('DELETE', '/v1/items/auth-probe', { token: 'x' });
    expect(short.status).toBe(401);
    const basic = await call('POST', '/v1/admin/reload', {
      body: {},
      headers: { authorization: `Basic ${TOKEN}` },
    });
    expect(basic.status).toBe(401);
    // Nothing was added by the rejected requests.
    expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'auth-probe' } })).status).toBe(404);
    const right = await call('PUT', '/v1/items/auth-probe', { body: content, token: TOKEN });
    expect(right.status).toBe(201);
    expect((await call('DELETE', '/v1/items/auth-probe', { token: TOKEN })).status).toBe(204);
  });

  test('bad item bodies get 400 naming the field and leave the index unchanged', async () => {
    const good = itemContent(folders.a, 1);
    const [name, values] = Object.entries(good.vectors)[0]!;
    const sizeBefore = (await call('GET', '/readyz')).body.items;
    const cases: [unknown, RegExp][] = [
      [
        { ...good, vectors: { ...good.vectors, audio: [1, 2] } },
        /body\/vectors\/audio unknown vector "audio"/,
      ],
      [
        { ...good, vectors: { ...good.vectors, [name]: values.slice(1) } },
        new RegExp(
          `body/vectors/${name} has ${values.length - 1} values, the model expects dimension ${values.length}`,
        ),
      ],
      [
        { ...good, vectors: Object.fromEntries(Object.entries(good.vectors).filter(([n]) => n !== name)) },
        new RegExp(`body/vectors/${name} missing required vector`),
      ],
      [
        { ...good, vectors: { ...good.vectors, [name]: ['0.5', ...values.slice(1)] } },
        new RegExp(`body/vectors/${name}/0 must be number`),
      ],
      [
        { ...good, vectors: { ...good.vectors, [name]: [null, ...values.slice(1)] } },
        new RegExp(`body/vectors/${name}/0 must be number`),
      ],
      [
        { ...good, vectors: { ...good.vectors, [name]: 'abc' } },
        new RegExp(`body/vectors/${name} must be array`),
      ],
      [{ tags: good.tags }, /must have required property 'vectors'/],
      [{ ...good, tags: [1] }, /body\/tags\/0 must be string/],
      [{ ...good, extra: true }, /must NOT have additional properties/],
    ];
    for (const [body, message] of cases) {
      const answer = await call('PUT', '/v1/items/bad-item', { body, token: TOKEN });
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body.message).toMatch(message);
    }
    // JSON can't carry NaN, but 1e400 parses to Infinity and 1e39 overflows float32.
    const rawVectors = (replacement: string) =>
      JSON.stringify({
        ...good,
        vectors: { ...good.vectors, [name]: values.map((_, j) => (j === 2 ? '@' : values[j])) },
      }).replace('"@"', replacement);
    for (const replacement of ['1e400', '-1e400', '1e39']) {
      const answer = await call('PUT', '/v1/items/bad-item', { raw: rawVectors(replacement), token: TOKEN });
      expect(answer.status, replacement).toBe(400);
      // ajv already refuses Infinity as a number; the server's own check catches float32 overflow.
      expect(answer.body.message).toMatch(
        new RegExp(`body/vectors/${name}/2 must be (number|a finite float32 number, got 1e\\+39)$`),
      );
    }
    const bigBody = await call('PUT', '/v1/items/bad-item', {
      body: { ...good, tags: Array.from({ length: 900 }, (_, i) => `tag-${'x'.repeat(80)}-${i}`) },
      token: TOKEN,
    });
    expect(bigBody.status).toBe(413);
    const longId = await call('PUT', `/v1/items/${'x'.repeat(300)}`, { body: good, token: TOKEN });
    expect(longId.status).toBe(400);
    expect(longId.body.message).toMatch(/params\/id must NOT have more than 256 characters/);
    expect((await call('GET', '/readyz')).body.items).toBe(sizeBefore);
    expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'bad-item' } })).status).toBe(404);
    // The index still answers exactly.
    const i2i = await call('POST', '/v1/recall/i2i', { body: { itemId: ids()[1], k: 5 } });
    expect(i2i.status).toBe(200);
    expect(i2i.body.items).toHaveLength(5);
  });

  test('a PUT item is recalled at once by i2i and u2i, replaced by a second PUT and gone after DELETE', async () => {
    const row = coldRow();
    const coldId = ids()[row] as string;
    const { dim } = folders.a;
    const coldVector = folders.a.itemEmbeddings.subarray(row * dim, (row + 1) * dim);
    let selfScore = 0;
    for (let j = 0; j < dim; j++) selfScore += (coldVector[j] as number) ** 2;

    const put = await call('PUT', '/v1/items/new-twin', { body: itemContent(folders.a, row), token: TOKEN });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ id: 'new-twin', created: true, unknownTags: [] });
    expect(put.body.gate).toBeGreaterThan(0);
    expect(put.body.gate).toBeLessThan(1);

    // Same content as the cold item -> same embedding: the twin scores ||x||^2 against it.
    const fromCold = await call('POST', '/v1/recall/i2i', { body: { itemId: coldId, k: 5 } });
    const twin = fromCold.body.items.find((item: { id: string }) => item.id === 'new-twin');
    expect(twin, JSON.stringify(fromCold.body.items)).toBeDefined();
    expect(twin.score).toBeCloseTo(selfScore, 4);
    const fromTwin = await call('POST', '/v1/recall/i2i', { body: { itemId: 'new-twin', k: 5 } });
    expect(fromTwin.status).toBe(200);
    expect(fromTwin.body.items.map((item: { id: string }) => item.id)).toContain(coldId);
    expect(fromTwin.body.items.map((item: { id: string }) => item.id)).not.toContain('new-twin');

    // u2i: the user who likes the cold item most gets the twin with the same score.
    const userScores = bruteForce(coldVector, folders.a.userEmbeddings, dim, 1);
    const userId = folders.a.data.dataset.users.ids[userScores[0]!.row];
    const u2i = await call('POST', '/v1/recall/u2i', { body: { userId, k: 1000 } });
    const byId = new Map(u2i.body.items.map((item: { id: string; score: number }) => [item.id, item.score]));
    expect(byId.get('new-twin')).toBeCloseTo(byId.get(coldId) as number, 4);
    expect(u2i.body.items).toHaveLength(401);

    // A second PUT replaces the vector (content of another item) without creating a new item.
    const replaced = await call('PUT', '/v1/items/new-twin', {
      body: itemContent(folders.a, 2),
      token: TOKEN,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.created).toBe(false);
    expect((await call('GET', '/readyz')).body.items).toBe(401);
    const afterReplace = await call('POST', '/v1/recall/i2i', { body: { itemId: coldId, k: 400 } });
    const twinAfter = afterReplace.body.items.find((item: { id: string }) => item.id === 'new-twin');
    expect(twinAfter.score).not.toBeCloseTo(selfScore, 4);

    const deleted = await call('DELETE', '/v1/items/new-twin', { token: TOKEN });
    expect(deleted.status).toBe(204);
    expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'new-twin' } })).status).toBe(404);
    const all = await call('POST', '/v1/recall/i2i', { body: { itemId: coldId, k: 1000 } });
    expect(all.body.items).toHaveLength(399);
    expect(all.body.items.map((item: { id: string }) => item.id)).not.toContain('new-twin');
    const again = await call('DELETE', '/v1/items/new-twin', { token: TOKEN });
    expect(again.status).toBe(404);
    expect(again.body.message).toMatch(/unknown item "new-twin"/);
  });

  test('unknown tags are reported, not fatal', async () => {
    const content = itemContent(folders.a, 4);
    const put = await call('PUT', '/v1/items/tagged', {
      body: { ...content, tags: [...content.tags, 'brand-new-tag'] },
      token: TOKEN,
    });
    expect(put.status).toBe(201);
    expect(put.body.unknownTags).toEqual(['brand-new-tag']);
    expect((await call('DELETE', '/v1/items/tagged', { token: TOKEN })).status).toBe(204);
  });

  test('50 PUTs and feature queries leak no tensors', async () => {
    // Warm up once (kernels may cache on first use), then count.
    await call('PUT', '/v1/items/leak-0', { body: itemContent(folders.a, 0), token: TOKEN });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const put = await call('PUT', `/v1/items/leak-${i}`, {
        body: itemContent(folders.a, i % 400),
        token: TOKEN,
      });
      expect(put.status).toBe(i === 0 ? 200 : 201);
    }
    for (let i = 0; i < 10; i++) {
      const answer = await call('POST', '/v1/recall/u2i', {
        body: { userId: users()[i], features: { history: [ids()[i], 'leak-3'] }, k: 5 },
      });
      expect(answer.status).toBe(200);
    }
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 50; i++)
      expect((await call('DELETE', `/v1/items/leak-${i}`, { token: TOKEN })).status).toBe(204);
    expect((await call('GET', '/readyz')).body.items).toBe(400);
  });

  test('/metrics exposes the latency histogram by route, counters and the index size', async () => {
    const text = (await call('GET', '/metrics')).body as string;
    expect(text).toMatch(/# TYPE mmrecall_http_request_duration_seconds histogram/);
    expect(text).toMatch(
      /mmrecall_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/recall\/u2i",status_code="200"\} \d+/,
    );
    expect(text).toMatch(
      /mmrecall_http_requests_total\{method="POST",route="\/v1\/recall\/i2i",status_code="200"\} \d+/,
    );
    expect(text).toMatch(
      /mmrecall_http_request_errors_total\{method="POST",route="\/v1\/recall\/u2i",status_code="404"\} \d+/,
    );
    expect(text).toMatch(/mmrecall_index_items 400/);
  });

  test('/openapi.json documents every route and /docs serves the UI', async () => {
    const spec = (await call('GET', '/openapi.json')).body;
    expect(spec.openapi).toBe('3.0.3');
    for (const route of [
      '/v1/recall/u2i',
      '/v1/recall/i2i',
      '/v1/items/{id}',
      '/v1/admin/reload',
      '/healthz',
      '/readyz',
    ]) {
      expect(Object.keys(spec.paths)).toContain(route);
    }
    expect(spec.paths['/v1/items/{id}'].put.security).toEqual([{ bearerAuth: [] }]);
    const docs = await fetch(`${server.app.listeningOrigin}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });

  test('reload swaps artifacts under concurrent load with zero failed requests and keeps run-time items', async () => {
    const put = await call('PUT', '/v1/items/survivor', { body: itemContent(folders.a, 9), token: TOKEN });
    expect(put.status).toBe(201);
    const deleteTrained = await call('DELETE', `/v1/items/${ids()[20]}`, { token: TOKEN });
    expect(deleteTrained.status).toBe(204);

    let stop = false;
    const statuses: number[] = [];
    const worker = async (w: number) => {
      let i = 0;
      while (!stop) {
        const answer =
          (i + w) % 2 === 0
            ? await call('POST', '/v1/recall/u2i', { body: { userId: users()[(i * 7 + w) % 300], k: 10 } })
            : await call('POST', '/v1/recall/i2i', {
                body: {
                  itemId: ids()[(i * 11 + w) % 400] === ids()[20] ? ids()[0] : ids()[(i * 11 + w) % 400],
                  k: 10,
                },
              });
        statuses.push(answer.status);
        i++;
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const reload = await call('POST', '/v1/admin/reload', {
      body: { artifactsDir: folders.b.dir },
      token: TOKEN,
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    stop = true;
    await Promise.all(workers);

    expect(reload.status).toBe(200);
    expect(reload.body).toMatchObject({
      artifactsDir: folders.b.dir,
      kind: 'gated-additive',
      items: 400,
      users: 300,
      replayed: 1,
      pending: 0,
    });
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    // Now serving B: u2i matches B's embeddings.
    const { dim } = folders.b;
    const userRow = 5;
    const answer = await call('POST', '/v1/recall/u2i', { body: { userId: users()[userRow], k: 5 } });
    const expected = bruteForce(
      folders.b.userEmbeddings.subarray(userRow * dim, (userRow + 1) * dim),
      folders.b.itemEmbeddings,
      dim,
      6,
    )
      .filter((e) => e.row !== 20)
      .slice(0, 5);
    expect(
      answer.body.items.map((item: { id: string }) => item.id).filter((id: string) => id !== 'survivor'),
    ).toEqual(
      expected
        .map((e) => ids()[e.row])
        .slice(
          0,
          answer.body.items.length -
            (answer.body.items.some((item: { id: string }) => item.id === 'survivor') ? 1 : 0),
        ),
    );
    expect((await call('GET', '/readyz')).body).toMatchObject({ artifactsDir: folders.b.dir, items: 400 });
    // The run-time item survived (re-embedded by B's model), the deletion persisted.
    expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'survivor', k: 3 } })).status).toBe(200);
    expect((await call('POST', '/v1/recall/i2i', { body: { itemId: ids()[20] } })).status).toBe(404);
  });

  test('a failed reload answers 422 with the reason and keeps serving the old state', async () => {
    const missing = await call('POST', '/v1/admin/reload', {
      body: { artifactsDir: path.join(folders.parent, 'does-not-exist') },
      token: TOKEN,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toMatch(/reload failed \(still serving .*\): .*manifest\.json/);
    const broken = path.join(folders.parent, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'manifest.json'), '{"format": "mmrecall-artifacts", "version": 1');
    const corrupt = await call('POST', '/v1/admin/reload', { body: { artifactsDir: broken }, token: TOKEN });
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.message).toMatch(/not valid JSON/);
    const badField = await call('POST', '/v1/admin/reload', { body: { artifactsDir: 5 }, token: TOKEN });
    expect(badField.status).toBe(400);
    expect((await call('GET', '/readyz')).body.artifactsDir).toBe(folders.b.dir);
    expect((await call('POST', '/v1/recall/u2i', { body: { userId: users()[0] } })).status).toBe(200);
    const metrics = (await call('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/mmrecall_reloads_total\{outcome="failure"\} 2/);
    expect(metrics).toMatch(/mmrecall_reloads_total\{outcome="success"\} 2/);
  });

  test('reload without a body reloads the current folder', async () => {
    const answer = await call('POST', '/v1/admin/reload', { token: TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.body.artifactsDir).toBe(folders.b.dir);
  });
});

describe('recall server lifecycle and configuration', () => {
  test('admin routes are disabled (403) without a token', async () => {
    const server = createRecallServer({ artifactsDir: folders.a.dir, index: 'exact' });
    try {
      await server.ready;
      const call = client(await listen(server));
      for (const [method, route] of [
        ['PUT', '/v1/items/x'],
        ['DELETE', '/v1/items/x'],
        ['POST', '/v1/admin/reload'],
      ] as const) {
        const answer = await call(method, route, {
          body: method === 'DELETE' ? undefined : {},
          token: 'anything',
        });
        expect(answer.status).toBe(403);
        expect(answer.body.message).toMatch(/MMRECALL_ADMIN_TOKEN/);
      }
    } finally {
      await server.close();
    }
  });

  test('readyz is 503 while the artifacts load, recall routes too, healthz is 200', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = createRecallServer({
      artifactsDir: folders.a.dir,
      index: 'hnsw',
      adminToken: TOKEN,
      loadModel: async (options) => {
        await gate;
        return loadServingModel(options);
      },
    });
    try {
      const call = client(await listen(server));
      expect((await call('GET', '/healthz')).status).toBe(200);
      const loading = await call('GET', '/readyz');
      expect(loading).toMatchObject({ status: 503, body: { status: 'loading' } });
      const early = await call('POST', '/v1/recall/u2i', { body: { userId: 'u0000' } });
      expect(early.status).toBe(503);
      expect(early.body.message).toMatch(/still loading/);
      release();
      await server.ready;
      const ready = await call('GET', '/readyz');
      expect(ready.body).toMatchObject({ status: 'ready', index: 'hnsw' });
      // The hnsw index finds the exact nearest neighbours on this small catalog.
      const row = 3;
      const { dim } = folders.a;
      const answer = await call('POST', '/v1/recall/i2i', {
        body: { itemId: folders.a.data.dataset.items.ids[row], k: 5 },
      });
      const expected = bruteForce(
        folders.a.itemEmbeddings.subarray(row * dim, (row + 1) * dim),
        folders.a.itemEmbeddings,
        dim,
        5,
        new Set([row]),
      );
      expect(answer.body.items.map((item: { id: string }) => item.id)).toEqual(
        expected.map((e) => folders.a.data.dataset.items.ids[e.row]),
      );
    } finally {
      release();
      await server.close();
    }
  });

  test('reloading an id-only model keeps run-time items it cannot embed as pending; its PUT answers 400', async () => {
    const idOnly = await writeTestArtifacts({
      parent: folders.parent,
      name: 'id-only',
      kind: 'id-only',
      seed: 3,
    });
    const server = createRecallServer({ artifactsDir: folders.a.dir, index: 'exact', adminToken: TOKEN });
    try {
      await server.ready;
      const call = client(await listen(server));
      expect(
        (await call('PUT', '/v1/items/runtime-1', { body: itemContent(folders.a, 0), token: TOKEN })).status,
      ).toBe(201);
      const reload = await call('POST', '/v1/admin/reload', {
        body: { artifactsDir: idOnly.dir },
        token: TOKEN,
      });
      expect(reload.status).toBe(200);
      expect(reload.body).toMatchObject({ kind: 'id-only', items: 400, replayed: 0, pending: 1 });
      expect((await call('GET', '/readyz')).body).toMatchObject({ kind: 'id-only', pending: 1 });
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'runtime-1' } })).status).toBe(404);
      const put = await call('PUT', '/v1/items/runtime-2', {
        body: itemContent(folders.a, 0),
        token: TOKEN,
      });
      expect(put.status).toBe(400);
      expect(put.body.message).toMatch(/id-only model has no content tower/);
      const u2i = await call('POST', '/v1/recall/u2i', {
        body: { userId: folders.a.data.dataset.users.ids[0], k: 3 },
      });
      expect(u2i.body).toMatchObject({ model: 'id-only' });
      // Back to a content model: the kept item is embedded and served again.
      const back = await call('POST', '/v1/admin/reload', {
        body: { artifactsDir: folders.a.dir },
        token: TOKEN,
      });
      expect(back.body).toMatchObject({ kind: 'gated-additive', items: 401, replayed: 1, pending: 0 });
      expect((await call('POST', '/v1/recall/i2i', { body: { itemId: 'runtime-1' } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  test('a failed first load leaves readyz at 503 with the reason', async () => {
    const server = createRecallServer({ artifactsDir: path.join(folders.parent, 'missing'), index: 'exact' });
    try {
      await expect(server.ready).rejects.toThrow(/manifest\.json/);
      const call = client(await listen(server));
      const ready = await call('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'failed' });
      expect(ready.body.message).toMatch(/manifest\.json/);
    } finally {
      await server.close();
    }
  });

  test('close waits for in-flight requests and frees the model', async () => {
    const debug = (...args: unknown[]) => process.env.DEBUG_LOG && console.log(...args);
    const before = tf.memory().numTensors;
    const server = createRecallServer({
      artifactsDir: folders.a.dir,
      index: 'exact',
      adminToken: TOKEN,
      logger: { level: process.env.DEBUG_LOG ?? 'silent' },
    });
    await server.ready;
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    const call = client(await listen(server));
    // Close as soon as the 20th request has arrived: its handler has not run yet, so it is in flight.
    let received = 0;
    let closing: Promise<void> | undefined;
    let closeCalledAt = 0;
    server.app.server.on('request', () => {
      received++;
      if (received === 20) {
        closeCalledAt = performance.now();
        closing = server.close();
        closing.then(() => debug('closed'));
      }
    });
    const answeredAt: number[] = [];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('POST', '/v1/recall/u2i', {
          body: { userId: folders.a.data.dataset.users.ids[i], features: { history: [] }, k: 50 },
        }).then((answer) => {
          debug('answer', i, answer.status);
          answeredAt.push(performance.now());
          return answer;
        }),
      ),
    );
    await closing;
    expect(closing).toBeDefined();
    expect(answeredAt.some((time) => time > closeCalledAt)).toBe(true);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    expect(tf.memory().numTensors).toBe(before);
  });
});
