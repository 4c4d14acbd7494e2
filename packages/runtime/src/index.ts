export { installFastMatMulGradient } from './matmul-gradient';
export {
  type BackendChoice,
  BackendUnavailableError,
  type SelectBackendOptions,
  type SelectedBackend,
  selectBackend,
} from './select-backend';
