import { InvalidArgumentError, NotFoundError } from '@mmrecall/errors';
import {
  ArtifactsRejectedError,
  InvalidItemError,
  SearchCancelledError,
  ServiceUnavailableError,
} from '@mmrecall/recall-service';
import type { FastifyReply } from 'fastify';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  431: 'Request Header Fields Too Large',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The error body of every 4xx and 5xx answer. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** The documented error body for a status. */
export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message };
}

export function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).send(errorBody(statusCode, message));
}

/**
 * Status and message for an error thrown by a route: the recall service's errors map to 4xx/503,
 * fastify's own 4xx (validation, bad JSON, body too large) keep their status, anything else is a
 * 500 whose details stay in the log.
 */
export function httpErrorOf(error: unknown): { statusCode: number; message: string } {
  if (InvalidItemError.isInstance(error)) return { statusCode: 400, message: `body/${error.message}` };
  if (InvalidArgumentError.isInstance(error)) return { statusCode: 400, message: error.message };
  if (NotFoundError.isInstance(error)) return { statusCode: 404, message: error.message };
  if (ArtifactsRejectedError.isInstance(error)) return { statusCode: 422, message: error.message };
  if (SearchCancelledError.isInstance(error))
    return { statusCode: 499, message: 'client closed the request' };
  if (ServiceUnavailableError.isInstance(error)) return { statusCode: 503, message: error.message };
  const { statusCode, validation, message } = error as {
    statusCode?: unknown;
    validation?: unknown;
    message?: unknown;
  };
  if (validation !== undefined) return { statusCode: 400, message: String(message) };
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { statusCode, message: String(message) };
  }
  return { statusCode: 500, message: 'internal error; see the server log' };
}
