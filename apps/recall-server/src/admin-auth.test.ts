import { describe, expect, test } from 'vitest';

import { createAdminAuth } from './admin-auth';

describe('createAdminAuth', () => {
  test('accepts only the exact bearer token', () => {
    const auth = createAdminAuth({ token: 's3cret' });
    expect(auth.enabled).toBe(true);
    expect(auth.check({ authorization: 'Bearer s3cret' })).toEqual({ ok: true });
    expect(auth.check({ authorization: 'bearer s3cret' })).toEqual({ ok: true });
    for (const authorization of [
      'Bearer s3cre',
      'Bearer s3cret2',
      'Bearer S3CRET',
      'Basic s3cret',
      's3cret',
      'Bearer ',
      '',
      undefined,
    ]) {
      const result = auth.check({ authorization });
      expect(result.ok, String(authorization)).toBe(false);
      if (!result.ok) expect(result.statusCode).toBe(401);
    }
  });

  test('no or empty token disables admin routes with 403', () => {
    for (const token of [undefined, '']) {
      const auth = createAdminAuth({ token });
      expect(auth.enabled).toBe(false);
      const result = auth.check({ authorization: 'Bearer anything' });
      expect(result).toMatchObject({ ok: false, statusCode: 403 });
      if (!result.ok) expect(result.message).toMatch(/MMRECALL_ADMIN_TOKEN/);
    }
  });
});
