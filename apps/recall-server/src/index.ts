export {
  type AdminAuth,
  type AdminAuthResult,
  type CreateAdminAuthOptions,
  createAdminAuth,
} from './admin-auth';
export { type ErrorBody, errorBody } from './http-errors';
export { createRecallServer, type RecallServer, type RecallServerOptions } from './recall-server';
