export {
  type ReplaceFileAtomicOptions,
  type ReplaceFolderAtomicOptions,
  replaceFileAtomic,
  replaceFolderAtomic,
  syncFolder,
  type WriteFileAtomicOptions,
  writeFileAtomic,
} from './atomic-write';
