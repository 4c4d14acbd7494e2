// Test-only: one PGlite (WASM PostgreSQL) with pgvector, served over the PostgreSQL wire protocol on
// 127.0.0.1 at a free port, for every test file of this package; stopped when the run ends. Tests
// reach it through node-postgres exactly as they would reach a real server.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the PGlite server. */
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  project.provide('pgUrl', `postgres://postgres@${server.getServerConn()}/postgres`);
  return async () => {
    await server.stop();
    await db.close();
  };
}
