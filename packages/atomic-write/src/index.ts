export {
  type ReplaceFileAtomicOptions,
  type ReplaceFolderAtomicOptions,
  replaceFileAtomic,
  replaceFolderAtomic,
  type WriteFileAtomicOptions,
  writeFileAtomic,
} from './atomic-write';
