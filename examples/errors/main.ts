import { InvalidDatasetError, MmrecallError, NotFoundError } from '@mmrecall/errors';

function parseItemId(text: string, line: number): number {
  const id = Number(text);
  if (!Number.isInteger(id)) {
    throw new InvalidDatasetError({
      file: 'train.csv',
      line,
      field: 'item_id',
      kind: 'non-numeric',
      message: `expected an integer, got "${text}"`,
    });
  }
  return id;
}

try {
  parseItemId('abc', 12);
} catch (error) {
  if (InvalidDatasetError.isInstance(error)) {
    console.log(error.code, error.file, error.line, error.field); // INVALID_DATASET train.csv 12 item_id
    console.log(error.message); // train.csv:line 12 field "item_id": expected an integer, got "abc"
  }
}

// An app's own error: subclass MmrecallError with a stable code and pass the cause on.
class ConfigFileError extends MmrecallError {
  constructor(options: { message: string; cause?: unknown }) {
    super('CONFIG_FILE', options);
    this.name = 'ConfigFileError';
  }
}
const wrapped = new ConfigFileError({
  message: 'cannot read run.yaml',
  cause: new NotFoundError({ id: 'run.yaml', message: 'no such file' }),
});
console.log(MmrecallError.isInstance(wrapped), wrapped.code, NotFoundError.isInstance(wrapped.cause)); // true CONFIG_FILE true
