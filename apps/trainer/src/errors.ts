import { MmrecallError } from '@mmrecall/errors';

/**
 * A command-line usage error (unknown option, bad flag value, invalid config field): one line,
 * exit code 2. Code `USAGE`; `UsageError.isInstance` works across duplicate installs.
 */
export class UsageError extends MmrecallError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('USAGE', { message, cause: options.cause });
    this.name = 'UsageError';
  }

  static override isInstance(error: unknown): error is UsageError {
    return MmrecallError.isInstance(error) && error.code === 'USAGE';
  }
}
