import { describe, expect, it } from 'vitest';
import { cacheKey, cacheKeyFor, invalidationPath, type CacheKeyInput } from '../../src/cache/key.js';
import type { CachePolicy } from '../../src/config/types.js';
import { h, policy } from './fixtures.js';

const k = (over: Partial<CacheKeyInput> & { p?: CachePolicy } = {}) => {
  const { p, ...rest } = over;
  return cacheKey({ method: 'GET', uri: '/a', querystring: '', headers: {}, policy: p ?? policy(), ...rest });
};

describe('cacheKey — AWS rule: cache key and cache policies query strings', () => {
  const all = policy({ queryStrings: { behavior: 'all' } });
  it('order and case of query strings matter', () => {
    expect(k({ p: all, querystring: 'a=1&b=2' })).not.toBe(k({ p: all, querystring: 'b=2&a=1' }));
    expect(k({ p: all, querystring: 'a=1' })).not.toBe(k({ p: all, querystring: 'A=1' }));
    expect(k({ p: all, querystring: 'a=1' })).toBe(k({ p: all, querystring: 'a=1' }));
  });
  it('none: query strings are not in the key', () => {
    expect(k({ querystring: 'a=1' })).toBe(k({ querystring: '' }));
    expect(cacheKeyFor({ method: 'GET', uri: '/a', querystring: 'a=1', headers: {}, policy: policy() }).querystring).toBe('');
  });
  it('whitelist and allExcept select names', () => {
    const wl = policy({ queryStrings: { behavior: 'whitelist', names: ['v'] } });
    expect(k({ p: wl, querystring: 'v=1&utm=x' })).toBe(k({ p: wl, querystring: 'utm=y&v=1' }));
    expect(k({ p: wl, querystring: 'v=1' })).not.toBe(k({ p: wl, querystring: 'v=2' }));
    const ex = policy({ queryStrings: { behavior: 'allExcept', names: ['utm'] } });
    expect(k({ p: ex, querystring: 'v=1&utm=x' })).toBe(k({ p: ex, querystring: 'v=1&utm=y' }));
  });
  it('the path is case-sensitive', () => {
    expect(k({ uri: '/A' })).not.toBe(k({ uri: '/a' }));
  });
});

describe('cacheKey — methods', () => {
  it('HEAD shares GET’s key; OPTIONS is keyed apart', () => {
    expect(k({ method: 'HEAD' })).toBe(k({ method: 'GET' }));
    expect(k({ method: 'OPTIONS' })).not.toBe(k({ method: 'GET' }));
  });
});

describe('cacheKey — headers and cookies per policy', () => {
  it('only listed headers count, by value, all lines', () => {
    const p = policy({ headers: { behavior: 'whitelist', names: ['x-a'] } });
    expect(k({ p, headers: h(['X-A', '1'], ['X-B', '1']) })).toBe(k({ p, headers: h(['X-A', '1'], ['X-B', '2']) }));
    expect(k({ p, headers: h(['X-A', '1']) })).not.toBe(k({ p, headers: h(['X-A', '2']) }));
    expect(k({ p, headers: h(['X-A', '1']) })).not.toBe(k({ p, headers: h(['X-A', '1'], ['X-A', '2']) }));
    expect(k({ p, headers: {} })).not.toBe(k({ p, headers: h(['X-A', '']) }));
  });
  it('headers are ignored when the policy names none', () => {
    expect(k({ headers: h(['X-A', '1']) })).toBe(k({ headers: h(['X-A', '2']) }));
  });
  it('cookies per behavior', () => {
    const wl = policy({ cookies: { behavior: 'whitelist', names: ['sid'] } });
    expect(k({ p: wl, headers: h(['Cookie', 'sid=1; t=a']) })).toBe(k({ p: wl, headers: h(['Cookie', 't=b; sid=1']) }));
    expect(k({ p: wl, headers: h(['Cookie', 'sid=1']) })).not.toBe(k({ p: wl, headers: h(['Cookie', 'sid=2']) }));
    expect(k({ headers: h(['Cookie', 'sid=1']) })).toBe(k({ headers: h(['Cookie', 'sid=2']) }));
  });
});

describe('cacheKey — Accept-Encoding normalization (AWS rule: accept-Encoding normalisation)', () => {
  const both = policy({ enableAcceptEncodingGzip: true, enableAcceptEncodingBrotli: true });
  const ae = (v: string | undefined, p = both) =>
    cacheKeyFor({ method: 'GET', uri: '/a', querystring: '', headers: v === undefined ? {} : h(['Accept-Encoding', v]), policy: p }).acceptEncoding;
  it.each([
    ['gzip, deflate, br', 'br,gzip'],
    ['br;q=1.0, gzip;q=0.8', 'br,gzip'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['deflate', undefined],
    ['identity', undefined],
  ])('%j → %s', (v, expected) => {
    expect(ae(v)).toBe(expected);
  });
  it('no Accept-Encoding: none in the key', () => {
    expect(ae(undefined)).toBeUndefined();
  });
  it('only gzip enabled', () => {
    expect(ae('gzip, br', policy({ enableAcceptEncodingGzip: true }))).toBe('gzip');
  });
  it('equivalent headers share a key; different normalized values do not', () => {
    const kk = (v: string) => k({ p: both, headers: h(['Accept-Encoding', v]) });
    expect(kk('gzip, deflate, br')).toBe(kk('br, gzip'));
    expect(kk('gzip')).not.toBe(kk('br, gzip'));
    expect(kk('deflate')).toBe(k({ p: both }));
  });
  it('both disabled: Accept-Encoding is an ordinary header, not keyed unless listed', () => {
    expect(k({ headers: h(['Accept-Encoding', 'gzip']) })).toBe(k({ headers: h(['Accept-Encoding', 'br']) }));
    const listed = policy({ headers: { behavior: 'whitelist', names: ['accept-encoding'] } });
    expect(k({ p: listed, headers: h(['Accept-Encoding', 'gzip']) })).not.toBe(k({ p: listed, headers: h(['Accept-Encoding', 'br']) }));
  });
});

describe('cacheKey — unambiguous', () => {
  const all = policy({ queryStrings: { behavior: 'all' }, headers: { behavior: 'whitelist', names: ['x-a', 'x-b'] } });
  it('separators inside values cannot make two requests collide', () => {
    expect(k({ p: all, uri: '/x', querystring: 'a' })).not.toBe(k({ p: all, uri: '/x?a', querystring: '' }));
    expect(k({ p: all, headers: h(['X-A', '1","2']) })).not.toBe(k({ p: all, headers: h(['X-A', '1'], ['X-A', '2']) }));
    expect(k({ p: all, headers: h(['X-A', 'v']) })).not.toBe(k({ p: all, headers: h(['X-B', 'v']) }));
  });
  it('invalidationPath is uri?querystring of the key', () => {
    expect(invalidationPath({ uri: '/img.jpg', querystring: 'w=1' })).toBe('/img.jpg?w=1');
    expect(invalidationPath({ uri: '/img.jpg', querystring: '' })).toBe('/img.jpg');
  });
});
