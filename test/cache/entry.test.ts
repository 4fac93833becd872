import { describe, expect, it } from 'vitest';
import {
  ENTRY_OVERHEAD,
  headersSize,
  mergeNotModifiedHeaders,
  notModifiedMatches,
  refreshEntry,
  revalidationHeaders,
  storableHeaders,
  usableWithAuthorization,
} from '../../src/cache/entry.js';
import { freshness } from '../../src/cache/freshness.js';
import { decideTtl } from '../../src/cache/ttl.js';
import { T0, entry, h, httpDate, policy } from './fixtures.js';

describe('storableHeaders (RFC 9111 §3.1)', () => {
  it('drops hop-by-hop fields, fields named by Connection, Age and Proxy-*', () => {
    const out = storableHeaders(
      h(
        ['Connection', 'close, X-Hop'],
        ['X-Hop', '1'],
        ['Keep-Alive', 'timeout=5'],
        ['Transfer-Encoding', 'chunked'],
        ['Proxy-Authenticate', 'Basic'],
        ['Age', '5'],
        ['Content-Type', 'text/plain'],
      ),
      { stripFields: [], keepSetCookie: true },
    );
    expect(Object.keys(out)).toEqual(['content-type']);
  });

  it('drops Set-Cookie unless the policy keys on cookies', () => {
    const hs = h(['Set-Cookie', 'sid=1'], ['X-A', 'b']);
    expect(storableHeaders(hs, { stripFields: [], keepSetCookie: false })['set-cookie']).toBeUndefined();
    expect(storableHeaders(hs, { stripFields: [], keepSetCookie: true })['set-cookie']).toEqual([{ key: 'Set-Cookie', value: 'sid=1' }]);
  });

  it('copies: later edits to the response do not reach the stored copy', () => {
    const hs = h(['X-A', 'b']);
    const out = storableHeaders(hs, { stripFields: [], keepSetCookie: false });
    (hs['x-a'] as Array<{ value: string }>)[0]!.value = 'changed';
    expect(out['x-a']?.[0]?.value).toBe('b');
  });
});

describe('buildEntry', () => {
  it('counts headers, body, key and overhead in size', () => {
    const body = Buffer.alloc(1000);
    const e = entry({ body, key: 'k' });
    expect(e.size).toBe(ENTRY_OVERHEAD + 2 + headersSize(e.headers) + 1000);
    expect(headersSize(h(['X-A', 'bc']))).toBe(3 + 2 + 4);
  });

  it('records validators, Vary names and the variant', () => {
    const e = entry({
      headers: h(['Date', httpDate(T0)], ['Cache-Control', 'max-age=60'], ['ETag', '"v1"'], ['Vary', 'Accept-Language, X-A']),
      requestHeaders: h(['Accept-Language', 'en']),
    });
    expect(e.etag).toBe('"v1"');
    expect(e.varyNames).toEqual(['accept-language', 'x-a']);
    expect(e.variantKey).toBe(JSON.stringify(['en', null]));
  });
});

describe('revalidation and 304 refresh (RFC 9111 §3.2, §4.3.4; AWS rule: revalidation (RefreshHit))', () => {
  const stored = () =>
    entry({
      headers: h(
        ['Date', httpDate(T0)],
        ['Cache-Control', 'max-age=10'],
        ['ETag', '"v1"'],
        ['Last-Modified', httpDate(T0 - 86_400_000)],
        ['Content-Length', '5'],
        ['X-Old', 'a'],
      ),
    });

  it('sends If-None-Match and If-Modified-Since', () => {
    const r = revalidationHeaders(stored());
    expect(r['if-none-match']?.[0]?.value).toBe('"v1"');
    expect(r['if-modified-since']?.[0]?.value).toBe(httpDate(T0 - 86_400_000));
  });

  it('a 304 matches by ETag (weak comparison), else Last-Modified, else unconditionally', () => {
    const e = stored();
    expect(notModifiedMatches(e, h(['ETag', '"v1"']))).toBe(true);
    expect(notModifiedMatches(e, h(['ETag', 'W/"v1"']))).toBe(true);
    expect(notModifiedMatches(e, h(['ETag', '"v2"']))).toBe(false);
    expect(notModifiedMatches(e, h(['Last-Modified', httpDate(T0 - 86_400_000)]))).toBe(true);
    expect(notModifiedMatches(e, h(['Last-Modified', httpDate(T0)]))).toBe(false);
    expect(notModifiedMatches(e, {})).toBe(true);
  });

  it('merges the 304 headers except Content-Length and hop-by-hop fields', () => {
    const m = mergeNotModifiedHeaders(
      stored(),
      h(['Cache-Control', 'max-age=100'], ['X-New', 'b'], ['X-Old', 'c'], ['Content-Length', '0'], ['Connection', 'close']),
      false,
    );
    expect(m['cache-control']?.[0]?.value).toBe('max-age=100');
    expect(m['x-new']?.[0]?.value).toBe('b');
    expect(m['x-old']?.[0]?.value).toBe('c');
    expect(m['content-length']?.[0]?.value).toBe('5');
    expect(m['connection']).toBeUndefined();
  });

  it('refreshEntry restarts the age from the 304 and applies the new TTL', () => {
    const e = stored();
    e.hits = 3;
    const t1 = T0 + 30_000;
    expect(freshness(e, t1)).toBe('stale');
    const h304 = h(['Date', httpDate(t1)], ['Cache-Control', 'max-age=100'], ['ETag', '"v1"']);
    const merged = mergeNotModifiedHeaders(e, h304, false);
    const decision = decideTtl({ status: e.status, headers: merged, method: 'GET', policy: policy(), now: t1, errorCachingMinTtl: 10 });
    const r = refreshEntry(e, h304, decision, { requestTime: t1, responseTime: t1, maxTtl: 31_536_000, keepSetCookie: false });
    expect(r.ttl).toBe(100);
    expect(freshness(r, t1 + 99_999)).toBe('fresh');
    expect(freshness(r, t1 + 100_000)).toBe('stale');
    expect(r.body).toBe(e.body);
    expect(r.hits).toBe(3);
    expect(r.headers['date']?.[0]?.value).toBe(httpDate(t1));
  });
});

describe('usableWithAuthorization (RFC 9111 §3.5)', () => {
  it('a request with Authorization only uses entries that allow sharing', () => {
    const plain = entry();
    const shared = entry({ headers: h(['Date', httpDate(T0)], ['Cache-Control', 'public, max-age=60']) });
    expect(usableWithAuthorization(plain, false)).toBe(true);
    expect(usableWithAuthorization(plain, true)).toBe(false);
    expect(usableWithAuthorization(shared, true)).toBe(true);
  });
});
