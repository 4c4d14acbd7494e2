import { MmrecallError } from '@mmrecall/errors';

/**
 * A baseline would need more memory than its configured limit allows, e.g. EASE's dense
 * `numItems x numItems` solve above `maxItems`. Thrown before anything is allocated.
 */
export class ItemCountLimitError extends MmrecallError {
  /** Items in the training matrix. */
  readonly numItems: number;
  /** The configured limit. */
  readonly maxItems: number;
  constructor(options: { message: string; numItems: number; maxItems: number; cause?: unknown }) {
    super('ITEM_COUNT_LIMIT', options);
    this.name = 'ItemCountLimitError';
    this.numItems = options.numItems;
    this.maxItems = options.maxItems;
  }
  static override isInstance(error: unknown): error is ItemCountLimitError {
    return MmrecallError.isInstance(error) && error.code === 'ITEM_COUNT_LIMIT';
  }
}
