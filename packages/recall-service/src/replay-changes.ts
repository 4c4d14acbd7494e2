import { checkItemContent } from './item-content';
import type { JournalState } from './item-journal';
import type { RecallServiceLog } from './recall-service';
import type { NewItemContent } from './serving-model';
import { putItems, removeItem, type ServingState } from './serving-state';

/** What {@link replayChanges} did. */
export interface ReplayOutcome {
  /** Run-time items embedded into the state. */
  replayed: number;
  /** Run-time items the state's model cannot embed (kept for a later model). */
  pendingIds: string[];
  /** Put ids the new artifacts contain: their trained embedding wins, the put is forgotten. */
  forget: string[];
}

/** Items embedded per content-tower call while replaying. */
const REPLAY_BATCH = 256;

/**
 * Applies acknowledged run-time changes to a fresh (not yet serving) state: deletions first, then
 * every put re-embedded by the state's model. When the artifacts changed, puts of ids they contain
 * are forgotten (the new training wins). Puts the model cannot embed are counted as pending and
 * logged, never dropped.
 */
export async function replayChanges(options: {
  /** The new state. */
  state: ServingState;
  /** The run-time changes. */
  changes: JournalState;
  /** Whether the state serves other artifacts than the ones the changes were made against. */
  artifactsChanged: boolean;
  /** Stops between batches. */
  signal: AbortSignal;
  log: RecallServiceLog;
}): Promise<ReplayOutcome> {
  const { state, changes, log } = options;
  for (const id of changes.deletes) await removeItem({ state, id });
  const ready: { id: string; content: NewItemContent }[] = [];
  const forget: string[] = [];
  const pendingIds: string[] = [];
  const park = (id: string, reason: string): void => {
    pendingIds.push(id);
    log.warn({ itemId: id, reason }, 'run-time item kept but not served: the loaded model cannot embed it');
  };
  for (const [id, content] of changes.puts) {
    if (options.artifactsChanged && state.catalog.trainedRow(id) !== undefined) {
      forget.push(id);
      continue;
    }
    if (!state.model.canEmbedNewItems) {
      park(id, `the ${state.model.kind} model has no content tower`);
      continue;
    }
    const checked = checkItemContent({ body: content, vectorSpecs: state.model.vectorSpecs });
    if (!checked.ok) {
      park(id, `${checked.problem.field} ${checked.problem.message}`);
      continue;
    }
    ready.push({ id, content: checked.content });
  }
  let replayed = 0;
  for (let start = 0; start < ready.length; start += REPLAY_BATCH) {
    options.signal.throwIfAborted();
    const batch = ready.slice(start, start + REPLAY_BATCH);
    try {
      await putItems({ state, items: batch });
      replayed += batch.length;
    } catch {
      // One item the tower cannot embed must not cost its batch: embed the batch one by one.
      for (const item of batch) {
        try {
          await putItems({ state, items: [item] });
          replayed++;
        } catch (error) {
          park(item.id, error instanceof Error ? error.message : String(error));
        }
      }
    }
  }
  return { replayed, pendingIds, forget };
}
