import type { EmbeddingTable } from './embedding-table';
import { createSparseOptimizer, type SparseOptimizer, type SparseOptimizerConfig } from './sparse-optimizer';

// Test helper: one sparse optimizer per table, kept for the table's lifetime (its state must persist
// across steps), so the tests can keep passing tables around.
const byTable = new WeakMap<EmbeddingTable, SparseOptimizer>();

/** Gives each table its sparse optimizer (`config`); returns the tables. */
export function withSparseOptimizer<T extends EmbeddingTable | readonly EmbeddingTable[]>(
  tables: T,
  config: Partial<SparseOptimizerConfig>,
): T {
  for (const table of Array.isArray(tables) ? tables : [tables])
    byTable.set(table, createSparseOptimizer({ table, ...config }));
  return tables;
}

/** The sparse optimizers of the tables (a default lazy Adam for a table that has none yet). */
export function sparseOptimizersOf(tables: readonly EmbeddingTable[]): SparseOptimizer[] {
  return tables.map((table) => {
    let optimizer = byTable.get(table);
    if (!optimizer) {
      optimizer = createSparseOptimizer({ table });
      byTable.set(table, optimizer);
    }
    return optimizer;
  });
}
