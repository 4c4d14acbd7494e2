import { InvalidArgumentError, MmrecallError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { captureIo as capture } from './capture-io';
import { runCli } from './cli-app';
import { UsageError } from './errors';

describe('UsageError', () => {
  it('is an MmrecallError with code USAGE, its message and an optional cause', () => {
    const cause = new InvalidArgumentError({
      argument: 'config.train.epochs',
      message: 'must be an integer >= 1',
    });
    const error = new UsageError(cause.message, { cause });
    expect(error).toBeInstanceOf(MmrecallError);
    expect(MmrecallError.isInstance(error)).toBe(true);
    expect(UsageError.isInstance(error)).toBe(true);
    expect(error.code).toBe('USAGE');
    expect(error.name).toBe('UsageError');
    expect(error.message).toBe('config.train.epochs: must be an integer >= 1');
    expect(error.cause).toBe(cause);
    expect(UsageError.isInstance(cause)).toBe(false);
  });

  it('still maps to exit code 2 and one line on stderr', async () => {
    const c = capture();
    expect(await runCli({ argv: ['train', '--epochs', 'many'], io: c.io })).toBe(2);
    expect(c.stderr()).toBe('mmrecall-train: --epochs: expected a number, got "many"\n');
  });
});
