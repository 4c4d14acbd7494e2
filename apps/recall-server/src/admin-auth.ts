import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '@mmrecall/errors';

/** Outcome of an admin authorization check. */
export type AdminAuthResult = { ok: true } | { ok: false; statusCode: 401 | 403; message: string };

/** Options of {@link createAdminAuth}. */
export interface CreateAdminAuthOptions {
  /** The admin token; undefined or empty disables every admin route. */
  token: string | undefined;
}

/** Checks `Authorization` headers against the admin token. */
export interface AdminAuth {
  /** Whether admin routes are enabled at all. */
  readonly enabled: boolean;
  /** Checks one request's `Authorization` header value. */
  check(options: { authorization: string | undefined }): AdminAuthResult;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Bearer-token check. Both the expected and the presented token are hashed with SHA-256 and the
 * 32-byte digests compared with `crypto.timingSafeEqual`, so neither the content nor the length of
 * the token leaks through response timing.
 */
export function createAdminAuth(options: CreateAdminAuthOptions): AdminAuth {
  // A bearer token is one run of non-space characters (the header check takes \S+), so a token with
  // a space or a trailing newline (a file read with its newline) could never authenticate.
  if (options.token !== undefined && /\s/.test(options.token)) {
    const at = options.token.search(/\s/);
    throw new InvalidArgumentError({
      argument: 'MMRECALL_ADMIN_TOKEN',
      message: `contains whitespace (${JSON.stringify(options.token[at])} at character ${at + 1} of ${options.token.length}); a bearer token is one word, e.g. \`openssl rand -hex 32\` (strip the trailing newline of a token file)`,
    });
  }
  const expected = options.token === undefined || options.token === '' ? undefined : digest(options.token);
  return {
    enabled: expected !== undefined,
    check: ({ authorization }) => {
      if (expected === undefined) {
        return {
          ok: false,
          statusCode: 403,
          message: 'admin routes are disabled: start the server with MMRECALL_ADMIN_TOKEN set to enable them',
        };
      }
      const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '');
      if (match === null) {
        return { ok: false, statusCode: 401, message: 'admin route: send "Authorization: Bearer <token>"' };
      }
      const presented = digest(match[1] as string);
      if (!timingSafeEqual(presented, expected)) {
        return { ok: false, statusCode: 401, message: 'admin route: invalid token' };
      }
      return { ok: true };
    },
  };
}
