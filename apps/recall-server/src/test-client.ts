/** Test helper: a fetch-based client for a listening recall server. */
import { connect } from 'node:net';

import type { RecallServer } from './recall-server';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes, checked by the assertions
  body: any;
  headers: Headers;
}

export function client(base: string) {
  return async (
    method: string,
    route: string,
    options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined || options.raw !== undefined)
      headers['content-type'] ??= 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${base}${route}`, {
      method,
      headers,
      ...(options.raw !== undefined
        ? { body: options.raw }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON (metrics, docs)
    }
    return { status: response.status, body, headers: response.headers };
  };
}

export async function listen(server: RecallServer): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/** Sends raw bytes to the server and returns the status code and parsed JSON body it answers with. */
export function rawRequest(base: string, text: string): Promise<{ status: number; body: unknown }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      const bodyText = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      let body: unknown = bodyText;
      try {
        body = JSON.parse(bodyText);
      } catch {
        // not JSON: the assertion shows it
      }
      resolve({ status, body });
    });
  });
}
