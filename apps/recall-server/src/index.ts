export {
  type AdminAuth,
  type AdminAuthResult,
  type CreateAdminAuthOptions,
  createAdminAuth,
} from './admin-auth';
export { type ErrorBody, errorBody } from './http-errors';
export {
  type CallBudgetOptions,
  createRecallServer,
  DEFAULT_CALL_BUDGET_MS,
  type RecallServer,
  type RecallServerOptions,
} from './recall-server';
