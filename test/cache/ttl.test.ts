import { describe, expect, it } from 'vitest';
import {
  decideTtl,
  directiveSeconds,
  parseAge,
  parseCacheControl,
  parseHttpDate,
  qualifiedFields,
  stripFields,
  type TtlInput,
} from '../../src/cache/ttl.js';
import type { CachePolicy } from '../../src/config/types.js';
import type { CfHeaders } from '../../src/event/types.js';
import { CONFORMANCE, T0, YEAR, h, httpDate, policy } from './fixtures.js';

const DATE: [string, string] = ['Date', httpDate(T0)];

function decide(headers: CfHeaders, over: Partial<TtlInput> & { p?: CachePolicy } = {}) {
  const { p, ...rest } = over;
  return decideTtl({ status: 200, headers, method: 'GET', policy: p ?? policy(), now: T0, errorCachingMinTtl: 10, ...rest });
}

describe('decideTtl — AWS rule: how long an object stays cached (TTL) TTL algorithm', () => {
  const P = (minTTL: number, defaultTTL: number, maxTTL: number) => policy({ minTTL, defaultTTL, maxTTL });
  // [name, policy, response headers, expected store, expected ttl]
  const rows: Array<[string, CachePolicy, Array<[string, string]>, boolean, number]> = [
    ['no headers → DefaultTTL', P(0, 86400, YEAR), [DATE], true, 86400],
    ['no headers, MinTTL > DefaultTTL → MinTTL', P(100, 50, 1000), [DATE], true, 100],
    ['max-age within range', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=60']], true, 60],
    ['max-age below MinTTL → MinTTL', P(120, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=60']], true, 120],
    ['max-age above MaxTTL → MaxTTL', P(0, 86400, 3600), [DATE, ['Cache-Control', 'max-age=7200']], true, 3600],
    ['s-maxage beats max-age', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=600, s-maxage=30']], true, 30],
    ['s-maxage clamped to MinTTL', P(50, 86400, YEAR), [DATE, ['Cache-Control', 's-maxage=30']], true, 50],
    ['max-age beats Expires', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=60'], ['Expires', httpDate(T0 + 3_600_000)]], true, 60],
    ['Expires - Date', P(0, 86400, YEAR), [DATE, ['Expires', httpDate(T0 + 300_000)]], true, 300],
    ['Expires clamped to MaxTTL', P(0, 86400, 100), [DATE, ['Expires', httpDate(T0 + 300_000)]], true, 100],
    ['Expires in the past, MinTTL 10 → 10', P(10, 86400, YEAR), [DATE, ['Expires', httpDate(T0 - 300_000)]], true, 10],
    ['Expires in the past, no validator → not stored', P(0, 86400, YEAR), [DATE, ['Expires', httpDate(T0 - 300_000)]], false, 0],
    ['no-store, MinTTL 0 → not cached', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'no-store']], false, 0],
    ['no-store, MinTTL 5 → cached MinTTL', P(5, 86400, YEAR), [DATE, ['Cache-Control', 'no-store, max-age=600']], true, 5],
    ['private, MinTTL 0 → not cached', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'private, max-age=600']], false, 0],
    ['private, MinTTL 7 → cached MinTTL', P(7, 86400, YEAR), [DATE, ['Cache-Control', 'private']], true, 7],
    ['no-cache, MinTTL 0 → not cached', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'no-cache'], ['ETag', '"a"']], false, 0],
    ['no-cache, MinTTL 9 → cached MinTTL', P(9, 86400, YEAR), [DATE, ['Cache-Control', 'no-cache']], true, 9],
    ['no-cache beats max-age', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=600, no-cache']], false, 0],
    ['max-age=0 with ETag → kept to revalidate', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=0'], ['ETag', '"v1"']], true, 0],
    ['max-age=0 without validator → not stored', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=0']], false, 0],
    ['DefaultTTL 0, Last-Modified → kept to revalidate', CONFORMANCE, [DATE, ['Last-Modified', httpDate(T0 - 86_400_000)]], true, 0],
    ['DefaultTTL 0, nothing → not stored (no heuristic freshness)', CONFORMANCE, [DATE], false, 0],
    ['Vary: * → not stored', P(0, 86400, YEAR), [DATE, ['Cache-Control', 'max-age=60'], ['Vary', 'Accept, *']], false, 0],
    ['Vary: * with MinTTL > 0 → not stored either', P(5, 86400, YEAR), [DATE, ['Vary', '*']], false, 0],
    ['CachingDisabled (0/0/0)', P(0, 0, 0), [DATE, ['Cache-Control', 'max-age=60'], ['ETag', '"x"']], false, 0],
  ];
  it.each(rows)('%s', (_name, p, pairs, store, ttl) => {
    const d = decide(h(...pairs), { p });
    expect(d.store).toBe(store);
    if (store) expect(d.ttl).toBe(ttl);
  });

  it('names its reason', () => {
    expect(decide(h(DATE, ['Cache-Control', 's-maxage=5, max-age=9'])).reason).toBe('s-maxage');
    expect(decide(h(DATE)).reason).toBe('default-ttl');
    expect(decide(h(DATE, ['Cache-Control', 'no-store'])).reason).toBe('no-store');
    expect(decide(h(DATE, ['Cache-Control', 'no-store'])).store).toBe(false);
    expect(decide(h(DATE, ['Cache-Control', 'no-store']), { p: policy({ minTTL: 5 }) }).reason).toBe('min-ttl-over-no-store');
  });

  it('Expires without Date is measured from now', () => {
    const d = decide(h(['Expires', httpDate(T0 + 120_000)]));
    expect(d.ttl).toBe(120);
  });

  it('an invalid Expires (e.g. "0") counts as expired', () => {
    expect(decide(h(DATE, ['Expires', '0'], ['ETag', '"a"']))).toMatchObject({ store: true, ttl: 0, reason: 'expires-invalid-revalidate' });
    expect(decide(h(DATE, ['Expires', 'tomorrow'])).store).toBe(false);
  });

  it.each([
    ['206 is not stored', 206],
    ['304 is not stored', 304],
    ['1xx is not stored', 103],
  ])('%s', (_n, status) => {
    expect(decide(h(DATE, ['Cache-Control', 'max-age=60']), { status }).store).toBe(false);
  });

  it('3xx are cached like 200 (AWS rule: other response handling)', () => {
    for (const status of [301, 302, 307, 308]) {
      expect(decide(h(DATE, ['Location', '/x']), { status })).toMatchObject({ store: true, ttl: 86400 });
    }
  });

  it('only cached methods; HEAD never fills the cache; OPTIONS when configured', () => {
    const cc = h(DATE, ['Cache-Control', 'max-age=60']);
    expect(decide(cc, { method: 'POST' })).toMatchObject({ store: false, reason: 'method' });
    expect(decide(cc, { method: 'HEAD' })).toMatchObject({ store: false, reason: 'head' });
    expect(decide(cc, { method: 'OPTIONS' }).store).toBe(false);
    expect(decide(cc, { method: 'OPTIONS', cachedMethods: ['GET', 'HEAD', 'OPTIONS'] })).toMatchObject({ store: true, ttl: 60 });
  });

  it('no-cache="Set-Cookie" stores the response without Set-Cookie (AWS rule: how long an object stays cached (TTL))', () => {
    const headers = h(DATE, ['Cache-Control', 'no-cache="Set-Cookie", max-age=60'], ['Set-Cookie', 'a=1'], ['X-A', '1']);
    const d = decide(headers);
    expect(d).toMatchObject({ store: true, ttl: 60, stripFields: ['set-cookie'] });
    const stored = stripFields(headers, d.stripFields);
    expect(stored['set-cookie']).toBeUndefined();
    expect(stored['x-a']).toEqual([{ key: 'X-A', value: '1' }]);
  });

  it('qualified private="X" strips X and stores the rest (RFC 9111 §5.2.2.7)', () => {
    const d = decide(h(DATE, ['Cache-Control', 'private="X-User", max-age=60']));
    expect(d).toMatchObject({ store: true, ttl: 60, stripFields: ['x-user'] });
  });

  it('carries stale-while-revalidate, stale-if-error and must-revalidate', () => {
    expect(decide(h(DATE, ['Cache-Control', 'max-age=1, stale-while-revalidate=30, stale-if-error=60']))).toMatchObject({
      staleWhileRevalidate: 30,
      staleIfError: 60,
      mustRevalidate: false,
    });
    expect(decide(h(DATE, ['Cache-Control', 'max-age=1'])).staleIfError).toBeUndefined();
    expect(decide(h(DATE, ['Cache-Control', 'max-age=1, stale-if-error=0'])).staleIfError).toBe(0);
    expect(decide(h(DATE, ['Cache-Control', 'max-age=1, must-revalidate'])).mustRevalidate).toBe(true);
    expect(decide(h(DATE, ['Cache-Control', 'max-age=1, proxy-revalidate'])).mustRevalidate).toBe(true);
  });
});

describe('decideTtl — AWS rule: caching origin errors error caching', () => {
  const err = (status: number, pairs: Array<[string, string]> = [], over: Partial<TtlInput> & { p?: CachePolicy } = {}) =>
    decide(h(DATE, ...pairs), { status, ...over });

  it.each([404, 414, 500, 501, 502, 503, 504])('%i is always cached for the error-caching minimum TTL', (status) => {
    expect(err(status)).toMatchObject({ store: true, ttl: 10, reason: 'error-caching' });
  });

  it.each([404, 500, 503])('%i: the larger of max-age/s-maxage and the minimum wins', (status) => {
    expect(err(status, [['Cache-Control', 'max-age=60']]).ttl).toBe(60);
    expect(err(status, [['Cache-Control', 's-maxage=3']]).ttl).toBe(10);
    expect(err(status, [['Expires', httpDate(T0 + 120_000)]]).ttl).toBe(120);
  });

  it("the origin's value counts only up to MaxTTL", () => {
    expect(err(404, [['Cache-Control', 'max-age=9999']], { p: policy({ maxTTL: 100 }) }).ttl).toBe(100);
  });

  it.each([400, 403, 405, 412, 415])('%i is cached only with max-age or s-maxage', (status) => {
    expect(err(status)).toMatchObject({ store: false, reason: 'error-without-max-age' });
    expect(err(status, [['Expires', httpDate(T0 + 120_000)]]).store).toBe(false);
    expect(err(status, [['Cache-Control', 'max-age=60']])).toMatchObject({ store: true, ttl: 60 });
    expect(err(status, [['Cache-Control', 's-maxage=2']])).toMatchObject({ store: true, ttl: 10 });
  });

  it('416 is never cached', () => {
    expect(err(416, [['Cache-Control', 'max-age=60']]).store).toBe(false);
  });

  it.each([404, 414, 501])('%i with no-store/no-cache/private is not cached', (status) => {
    for (const cc of ['no-store', 'no-cache', 'private']) {
      expect(err(status, [['Cache-Control', cc]])).toMatchObject({ store: false, reason: 'error-no-store' });
    }
  });

  it.each([500, 502, 503, 504])('%i ignores no-store/no-cache/private (AWS error-caching page)', (status) => {
    expect(err(status, [['Cache-Control', 'no-store']])).toMatchObject({ store: true, ttl: 10 });
  });

  it.each([401, 410, 429, 505])('unlisted %i: cached only with explicit freshness, as an RFC 9111 cache', (status) => {
    expect(err(status).store).toBe(false);
    expect(err(status, [['Cache-Control', 'max-age=30']])).toMatchObject({ store: true, ttl: 30 });
    expect(err(status, [['Cache-Control', 'max-age=30, no-store']]).store).toBe(false);
  });

  it('custom error responses set the minimum per status', () => {
    const customErrorTtls = new Map([
      [503, 30],
      [404, 0],
    ]);
    expect(err(503, [], { customErrorTtls }).ttl).toBe(30);
    expect(err(502, [], { customErrorTtls }).ttl).toBe(10);
    expect(err(404, [], { customErrorTtls })).toMatchObject({ store: false, reason: 'error-ttl-zero' });
    expect(err(404, [['Cache-Control', 'max-age=5']], { customErrorTtls }).ttl).toBe(5);
  });

  it('CachingDisabled disables error caching', () => {
    expect(err(503, [], { p: policy({ minTTL: 0, defaultTTL: 0, maxTTL: 0 }) })).toMatchObject({ store: false, reason: 'caching-disabled' });
  });
});

describe('decideTtl — RFC 9111 where CloudFront is silent', () => {
  it('§3.5: a request with Authorization is stored only with public, s-maxage or must-revalidate', () => {
    const auth = { requestHasAuthorization: true };
    expect(decide(h(DATE, ['Cache-Control', 'max-age=60']), auth)).toMatchObject({ store: false, reason: 'authorization' });
    for (const cc of ['public, max-age=60', 's-maxage=60', 'max-age=60, must-revalidate']) {
      const d = decide(h(DATE, ['Cache-Control', cc]), auth);
      expect(d.store).toBe(true);
      expect(d.sharedWithAuthorization).toBe(true);
    }
    expect(decide(h(DATE, ['Cache-Control', 'max-age=60'])).sharedWithAuthorization).toBe(false);
  });

  it('§3.5: Authorization in the cache key makes each credential its own entry', () => {
    const p = policy({ headers: { behavior: 'whitelist', names: ['authorization'] } });
    expect(decide(h(DATE, ['Cache-Control', 'max-age=60']), { p, requestHasAuthorization: true }).store).toBe(true);
  });

  it('§5.2.2.3: must-understand overrides no-store for understood status codes only', () => {
    const cc: [string, string] = ['Cache-Control', 'no-store, must-understand, max-age=60'];
    expect(decide(h(DATE, cc))).toMatchObject({ store: true, ttl: 60 });
    expect(decide(h(DATE, cc), { status: 299 })).toMatchObject({ store: false, reason: 'must-understand' });
  });

  it('unknown 2xx with explicit freshness is storable (§3)', () => {
    expect(decide(h(DATE, ['Cache-Control', 'max-age=60']), { status: 299 })).toMatchObject({ store: true, ttl: 60 });
  });
});

describe('Cache-Control parsing oddities', () => {
  const ttlOf = (cc: string | string[], p = policy()) =>
    decide(h(DATE, ['ETag', '"e"'], ...(Array.isArray(cc) ? cc : [cc]).map((v): [string, string] => ['Cache-Control', v])), { p }).ttl;

  it.each([
    ['max-age=3600, max-age=0', 3600],
    ['max-age=0, max-age=3600', 0],
    ['max-age="3600"', 3600],
    ["max-age='3600'", 0],
    ['max-age=-1', 0],
    ['max-age=1.5', 0],
    ['max-age=', 0],
    ['max-age', 0],
    ['max-age=3600a', 0],
    ['MAX-AGE=60', 60],
    ['max-age=0060', 60],
    ['  max-age=60  ,,', 60],
    ['foo="bar, max-age=1", max-age=60', 60],
    ['foo="a\\"b", max-age=60', 60],
    ['max-age="3600', 0],
  ])('%s → ttl %i', (cc, ttl) => {
    expect(ttlOf(cc)).toBe(ttl);
  });

  it('space before "=" makes the member unparseable: the default TTL applies', () => {
    expect(ttlOf('max-age =60')).toBe(86400);
  });

  it('directives across several lines: the first occurrence wins', () => {
    expect(ttlOf(['max-age=60', 'max-age=0'])).toBe(60);
    expect(ttlOf(['public', 'max-age=60'])).toBe(60);
  });

  it('a huge max-age is capped to 2^31 then clamped to MaxTTL', () => {
    expect(directiveSeconds(parseCacheControl(['max-age=99999999999999']), 'max-age')).toBe(2147483648);
    expect(ttlOf('max-age=99999999999999')).toBe(YEAR);
  });

  it('qualified field lists', () => {
    const cc = parseCacheControl(['no-cache="Set-Cookie, X-Foo", private']);
    expect(qualifiedFields(cc, 'no-cache')).toEqual(['set-cookie', 'x-foo']);
    expect(qualifiedFields(cc, 'private')).toBeUndefined();
    expect(cc.get('private')).toEqual({ value: null, valid: true });
  });
});

describe('HTTP dates (RFC 9110 §5.6.7)', () => {
  const t = Date.UTC(1994, 10, 6, 8, 49, 37);
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', t],
    ['Sunday, 06-Nov-94 08:49:37 GMT', t],
    ['Sun Nov  6 08:49:37 1994', t],
    ['sun, 06 nov 1994 08:49:37 GMT', undefined],
    ['Sun, 06 Nov 1994 08:49:37 UTC', undefined],
    ['Sun, 6 Nov 1994 08:49:37 GMT', undefined],
    ['Mon, 30 Feb 2026 00:00:00 GMT', undefined],
    ['Sun, 06 Nov 1994 24:00:00 GMT', undefined],
    ['0', undefined],
    ['-1', undefined],
    ['', undefined],
  ])('%j → %s', (v, expected) => {
    expect(parseHttpDate(v, T0)).toBe(expected);
  });

  it('two-digit years more than 50 years ahead belong to the past century', () => {
    expect(new Date(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT', T0) ?? 0).getUTCFullYear()).toBe(2070);
    expect(new Date(parseHttpDate('Wednesday, 01-Jan-99 00:00:00 GMT', T0) ?? 0).getUTCFullYear()).toBe(1999);
  });
});

describe('Age parsing (RFC 9111 §5.1)', () => {
  it.each([
    ['30', 30],
    ['30, 40', 30],
    ['-5', undefined],
    ['1.5', undefined],
    ['abc', undefined],
  ])('%j → %s', (v, expected) => {
    expect(parseAge(h(['Age', v]))).toBe(expected);
  });
  it('first line wins; absent is undefined', () => {
    expect(parseAge(h(['Age', '7'], ['Age', '100']))).toBe(7);
    expect(parseAge({})).toBeUndefined();
  });
});
