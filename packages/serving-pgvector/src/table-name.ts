import { InvalidArgumentError } from '@mmrecall/errors';

/** A validated, quoted table reference and the names derived from it. */
export interface TableName {
  /** As given, e.g. `recall.items`. */
  text: string;
  /** Quoted for SQL, e.g. `"recall"."items"`. */
  sql: string;
  /** Quoted name of the vector index (same schema as the table). */
  indexSql: string;
  /** Unquoted index name without schema. */
  indexName: string;
}

// Lower case only: PostgreSQL folds unquoted names to lower case, so mixed case would name a
// different table in hand-written SQL than here. 40 characters leave room for the index suffix.
const PART = /^[a-z_][a-z0-9_]{0,39}$/;

/** Checks `schema.table` or `table` (lower-case letters, digits, underscores) and quotes it. */
export function parseTableName(table: unknown): TableName {
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => PART.test(part))) {
    throw new InvalidArgumentError({
      argument: 'table',
      message: `must be "name" or "schema.name" of lower-case letters, digits and underscores (at most 40 each), got ${JSON.stringify(table)}`,
    });
  }
  const name = parts[parts.length - 1] as string;
  const indexName = `${name}_embedding_idx`;
  const quoted = parts.map((part) => `"${part}"`);
  return {
    text: table as string,
    sql: quoted.join('.'),
    indexName,
    indexSql: parts.length === 2 ? `${quoted[0]}."${indexName}"` : `"${indexName}"`,
  };
}
