import { InvalidArgumentError, MmrecallError } from '@mmrecall/errors';
import pg from 'pg';

import { PgvectorQueryError } from './errors';

/** How an index reaches PostgreSQL: a pool the caller owns, or a connection string. */
export interface PgvectorConnectionOptions {
  /** A `pg.Pool` the caller owns: the index borrows clients and never ends it. */
  pool?: pg.Pool;
  /** Or a connection string (`postgres://user:password@host:5432/db`): the index opens its own pool and ends it in `dispose`. */
  connectionString?: string;
  /** Connections of the index's own pool (with `connectionString`). Default 4. */
  poolSize?: number;
}

/** A pool and whether the index must end it. */
export interface Connection {
  pool: pg.Pool;
  owned: boolean;
}

/** Opens the pool described by the options (exactly one of `pool` and `connectionString`). */
export function openConnection(options: PgvectorConnectionOptions): Connection {
  if ((options.pool === undefined) === (options.connectionString === undefined)) {
    throw new InvalidArgumentError({
      argument: 'pool',
      message: 'give exactly one of pool (a pg.Pool you own) and connectionString',
    });
  }
  if (options.pool !== undefined) {
    if (options.poolSize !== undefined) {
      throw new InvalidArgumentError({ argument: 'poolSize', message: 'applies to connectionString only' });
    }
    return { pool: options.pool, owned: false };
  }
  const poolSize = options.poolSize ?? 4;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw new InvalidArgumentError({
      argument: 'poolSize',
      message: `must be an integer in 1..1000, got ${poolSize}`,
    });
  }
  return { pool: new pg.Pool({ connectionString: options.connectionString, max: poolSize }), owned: true };
}

/** Runs `work` on one pooled client; a failure is reported as `PgvectorQueryError` naming `operation`. */
export async function withClient<T>(options: {
  pool: pg.Pool;
  operation: string;
  work: (client: pg.PoolClient) => Promise<T>;
}): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await options.pool.connect();
  } catch (error) {
    throw queryError(options.operation, error);
  }
  try {
    const result = await options.work(client);
    client.release();
    return result;
  } catch (error) {
    // A client whose connection broke is destroyed instead of going back to the pool.
    client.release(error instanceof Error && !('code' in error) ? error : undefined);
    throw queryError(options.operation, error);
  }
}

/** Runs `work` inside `BEGIN ... COMMIT` (`ROLLBACK` on failure). */
export async function inTransaction<T>(options: {
  pool: pg.Pool;
  operation: string;
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ';
  work: (client: pg.PoolClient) => Promise<T>;
}): Promise<T> {
  return withClient({
    pool: options.pool,
    operation: options.operation,
    work: async (client) => {
      await client.query(`BEGIN ISOLATION LEVEL ${options.isolation ?? 'READ COMMITTED'}`);
      try {
        const result = await options.work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
  });
}

function queryError(operation: string, error: unknown): unknown {
  if (MmrecallError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PgvectorQueryError({ operation, message, cause: error });
}
