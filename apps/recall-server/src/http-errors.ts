import type { Socket } from 'node:net';
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
  408: 'Request Timeout',
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

/** Status and message of an error fastify raises while routing (before any handler runs). */
export function frameworkErrorOf(
  error: Error,
  maxParamLength: number,
): { statusCode: number; message: string } {
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return {
      statusCode: 414,
      message: `a path parameter is longer than ${maxParamLength} characters (ids have at most 256)`,
    };
  }
  if (code === 'FST_ERR_BAD_URL')
    return { statusCode: 400, message: 'the URL is not valid percent-encoding' };
  return httpErrorOf(error);
}

/**
 * Answers a request Node's HTTP parser refused (headers too large, malformed request line, timeout)
 * with the documented body, then closes the connection: the request never reached fastify.
 */
export function writeClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [statusCode, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request line and headers exceed the server limit (16 KiB)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time']
        : [400, 'malformed HTTP request'];
  const body = JSON.stringify(errorBody(statusCode, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_TEXT[statusCode]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
