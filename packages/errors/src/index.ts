export {
  type ArtifactProblem,
  InvalidArgumentError,
  InvalidArtifactError,
  InvalidDatasetError,
  MissingArtifactError,
  MmrecallError,
  type MmrecallErrorOptions,
  NotFoundError,
  ShapeMismatchError,
} from './errors';
