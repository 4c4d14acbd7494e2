/** A command-line usage error (unknown option, bad flag value, invalid config field): one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
