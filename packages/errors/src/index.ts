export {
  InvalidArgumentError,
  InvalidDatasetError,
  MissingArtifactError,
  MmrecallError,
  type MmrecallErrorOptions,
  NotFoundError,
  ShapeMismatchError,
} from './errors';
