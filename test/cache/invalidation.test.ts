import { describe, expect, it } from 'vitest';
import { compileInvalidation, unsafeMethodInvalidation, validateInvalidationPath } from '../../src/cache/invalidation.js';
import { h, policy } from './fixtures.js';

describe('validateInvalidationPath (AWS rule: invalidation)', () => {
  it.each(['/', '/*', '/dir/*', '/dir*', '/file.*', '/img.jpg?x=1', '/a%20b', '/~user/x'])('accepts %j', (p) => {
    expect(validateInvalidationPath(p)).toBe(p);
  });
  it.each([
    ['img.jpg', /must start with "\/"/],
    ['/a*b', /only as the last character/],
    ['/**', /only as the last character/],
    ['/a b', /U\+0020 at 2 must be URL-encoded/],
    ['/caf\u00e9', /U\+00E9/],
    ['/a"b', /URL-encoded/],
  ])('rejects %s', (p, msg) => {
    expect(() => validateInvalidationPath(p, 'paths[3]')).toThrow(msg);
    expect(() => validateInvalidationPath(p, 'paths[3]')).toThrow(/^paths\[3\]: /);
  });
  it('rejects non-strings', () => {
    expect(() => validateInvalidationPath(42, 'paths[0]')).toThrow('paths[0]: must be a string');
  });
  it('4001 characters is too long, exactly 4000 is allowed', () => {
    expect(() => validateInvalidationPath(`/${'a'.repeat(4000)}`, 'paths[0]')).toThrow('paths[0]: is 4001 characters; the limit is 4000');
    expect(() => validateInvalidationPath(`/${'a'.repeat(3999)}`)).not.toThrow();
  });
});

describe('compileInvalidation', () => {
  it('matches exact paths and trailing-* prefixes', () => {
    const m = compileInvalidation(['/a.html', '/img*']);
    expect(m('/a.html')).toBe(true);
    expect(m('/a.html?x=1')).toBe(false);
    expect(m('/img')).toBe(true);
    expect(m('/img/x.png?w=1')).toBe(true);
    expect(m('/images/x.png')).toBe(false);
    expect(m('/IMG')).toBe(false);
  });
});

describe('unsafeMethodInvalidation (RFC 9111 §4.4)', () => {
  const base = { uri: '/things/1', querystring: 'v=2', host: 'example.com', responseHeaders: {}, policy: policy({ queryStrings: { behavior: 'all' } }) };
  it('a non-error answer to POST/PUT/DELETE/PATCH invalidates the target URI', () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'PURGE']) {
      expect(unsafeMethodInvalidation({ ...base, method, status: 200 })).toEqual([{ uri: '/things/1', querystring: 'v=2' }]);
    }
    expect(unsafeMethodInvalidation({ ...base, method: 'POST', status: 302 })).toHaveLength(1);
  });
  it('not for safe methods or error statuses', () => {
    expect(unsafeMethodInvalidation({ ...base, method: 'GET', status: 200 })).toEqual([]);
    expect(unsafeMethodInvalidation({ ...base, method: 'OPTIONS', status: 200 })).toEqual([]);
    expect(unsafeMethodInvalidation({ ...base, method: 'POST', status: 500 })).toEqual([]);
    expect(unsafeMethodInvalidation({ ...base, method: 'POST', status: 404 })).toEqual([]);
  });
  it('reduces the query string to what the key holds', () => {
    expect(unsafeMethodInvalidation({ ...base, policy: policy(), method: 'POST', status: 204 })).toEqual([{ uri: '/things/1', querystring: '' }]);
  });
  it('adds Location / Content-Location on the same host only', () => {
    const r = unsafeMethodInvalidation({
      ...base,
      method: 'POST',
      status: 201,
      responseHeaders: h(['Location', '/things/2?x=1'], ['Content-Location', 'http://other.example/things/3']),
    });
    expect(r).toEqual([
      { uri: '/things/1', querystring: 'v=2' },
      { uri: '/things/2', querystring: 'x=1' },
    ]);
    const rel = unsafeMethodInvalidation({ ...base, method: 'PUT', status: 200, responseHeaders: h(['Content-Location', 'http://example.com/c']) });
    expect(rel).toContainEqual({ uri: '/c', querystring: '' });
    const relative = unsafeMethodInvalidation({ ...base, method: 'PUT', status: 200, responseHeaders: h(['Location', 'sibling']) });
    expect(relative).toContainEqual({ uri: '/things/sibling', querystring: '' });
  });
});
