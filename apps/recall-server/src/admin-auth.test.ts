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

  test('a token with whitespace is refused at creation: it could never authenticate (issue 10, failure 7)', () => {
    for (const [token, where] of [
      ['s3cret\n', '"\\n" at character 7 of 7'],
      ['two words', '" " at character 4 of 9'],
      [' lead', '" " at character 1 of 5'],
      ['tab\tbed', '"\\t" at character 4 of 7'],
    ] as const) {
      expect(() => createAdminAuth({ token }), JSON.stringify(token)).toThrow(
        `MMRECALL_ADMIN_TOKEN: contains whitespace (${where})`,
      );
    }
    // What such a token would have met: the header carries one word, the digest of the token has two.
    const trimmed = createAdminAuth({ token: 's3cret' });
    expect(trimmed.check({ authorization: 'Bearer s3cret\n' })).toEqual({ ok: true });
  });
});
