export {
  type CheckFiniteNumberOptions,
  type CheckIntegerOptions,
  type CheckOneOfOptions,
  type CheckValueOptions,
  checkFiniteNumber,
  checkInteger,
  checkNonNegativeInteger,
  checkOneOf,
  checkPositiveInteger,
  describeValue,
} from './checks';
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
