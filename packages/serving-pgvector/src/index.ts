export { PgvectorQueryError } from './errors';
export type { PgvectorConnectionOptions } from './pg-connection';
export {
  type CreatePgvectorIndexOptions,
  createPgvectorIndex,
  type LoadPgvectorIndexOptions,
  loadPgvectorIndex,
  type OpenPgvectorIndexOptions,
  openPgvectorIndex,
  type PgvectorIndex,
} from './pgvector-index';
export type {
  PgvectorHnswOptions,
  PgvectorIvfflatOptions,
  PgvectorVectorIndexOptions,
  ResolvedVectorIndex,
} from './vector-index-options';
