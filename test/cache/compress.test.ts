import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  COMPRESSIBLE_TYPES,
  behaviorCompresses,
  compress,
  compressResponse,
  compressedHeaders,
  shouldCompress,
  weakenEtag,
  type CompressInput,
} from '../../src/cache/compress.js';
import type { CfHeaders } from '../../src/event/types.js';
import { h, policy } from './fixtures.js';

const both = policy({ enableAcceptEncodingGzip: true, enableAcceptEncodingBrotli: true });
const okHeaders = (over: Array<[string, string]> = [], drop: string[] = []): CfHeaders => {
  const base = h(['Content-Type', 'text/html; charset=utf-8'], ['Content-Length', '5000'], ...over);
  for (const d of drop) delete base[d];
  return base;
};
const sc = (over: Partial<CompressInput> = {}) =>
  shouldCompress({ behaviorCompresses: true, policy: both, acceptEncoding: 'br,gzip', viewerHttpVersion: '1.1', status: 200, headers: okHeaders(), ...over });

describe('behaviorCompresses (AWS rule: compression at the edge)', () => {
  it('needs Compress, gzip or br, TTLs above 0, and Accept-Encoding not listed', () => {
    expect(behaviorCompresses(true, both)).toBe(true);
    expect(behaviorCompresses(false, both)).toBe(false);
    expect(behaviorCompresses(true, policy())).toBe(false);
    expect(behaviorCompresses(true, { ...both, minTTL: 0, defaultTTL: 0, maxTTL: 0 })).toBe(false);
    expect(behaviorCompresses(true, { ...both, headers: { behavior: 'whitelist', names: ['accept-encoding'] } })).toBe(false);
  });
});

describe('shouldCompress (AWS rule: compression at the edge)', () => {
  it('prefers br, falls back to gzip, per the viewer and the policy', () => {
    expect(sc()).toBe('br');
    expect(sc({ acceptEncoding: 'gzip' })).toBe('gzip');
    expect(sc({ policy: policy({ enableAcceptEncodingGzip: true }), acceptEncoding: 'gzip' })).toBe('gzip');
    expect(sc({ acceptEncoding: undefined })).toBeUndefined();
  });
  it.each([
    ['behavior off', { behaviorCompresses: false }],
    ['HTTP/1.0 viewer', { viewerHttpVersion: '1.0' }],
    ['status 201', { status: 201 }],
    ['status 500', { status: 500 }],
    ['already encoded', { headers: okHeaders([['Content-Encoding', 'identity']]) }],
    ['999 bytes', { headers: okHeaders([], ['content-length']) }],
    ['no Content-Length', { headers: okHeaders([], ['content-length']) }],
    ['image/png', { headers: h(['Content-Type', 'image/png'], ['Content-Length', '5000']) }],
    ['no Content-Type', { headers: h(['Content-Length', '5000']) }],
    ['no-transform', { headers: okHeaders([['Cache-Control', 'max-age=60, no-transform']]) }],
  ] as Array<[string, Partial<CompressInput>]>)('not when %s', (_n, over) => {
    expect(sc(over)).toBeUndefined();
  });
  it.each([
    [999, undefined],
    [1000, 'br'],
    [10_000_000, 'br'],
    [10_000_001, undefined],
  ])('Content-Length %i', (len, expected) => {
    expect(sc({ headers: h(['Content-Type', 'application/json'], ['Content-Length', String(len)]) })).toBe(expected);
  });
  it('403 and 404 compress too', () => {
    expect(sc({ status: 403 })).toBe('br');
    expect(sc({ status: 404 })).toBe('br');
  });
  it('content types are matched without parameters, case-insensitively', () => {
    expect(sc({ headers: h(['Content-Type', 'Text/CSS'], ['Content-Length', '2000']) })).toBe('br');
    expect(COMPRESSIBLE_TYPES.size).toBe(46); // every type listed in docs/cloudfront-reference.md §6.10
  });
});

describe('compress and headers', () => {
  const text = Buffer.from('hello edge '.repeat(500));
  it('round-trips gzip and br, and shrinks text', () => {
    const g = compress(text, 'gzip');
    const b = compress(text, 'br');
    expect(gunzipSync(g).equals(text)).toBe(true);
    expect(brotliDecompressSync(b).equals(text)).toBe(true);
    expect(b.length).toBeLessThan(text.length / 5);
  });
  it.each([
    ['"abc"', 'W/"abc"'],
    ['W/"abc"', 'W/"abc"'],
    ['abc', undefined],
    ['"a"b"', undefined],
    [undefined, undefined],
  ])('weakenEtag(%j) → %j', (v, expected) => {
    expect(weakenEtag(v)).toBe(expected);
  });
  it('sets Content-Encoding and Content-Length, weakens ETag, adds Vary: Accept-Encoding once', () => {
    const out = compressedHeaders(h(['ETag', '"x"'], ['Content-Length', '5000'], ['Vary', 'Origin']), 'br', 123);
    expect(out['content-encoding']?.[0]?.value).toBe('br');
    expect(out['content-length']?.[0]?.value).toBe('123');
    expect(out['etag']?.[0]?.value).toBe('W/"x"');
    expect(out['vary']?.map((e) => e.value)).toEqual(['Origin', 'Accept-Encoding']);
    const again = compressedHeaders(h(['Vary', 'accept-encoding']), 'gzip', 1);
    expect(again['vary']?.map((e) => e.value)).toEqual(['accept-encoding']);
    expect(compressedHeaders(h(['ETag', 'bogus']), 'gzip', 1)['etag']).toBeUndefined();
  });
  it('compressResponse gives body and matching headers', () => {
    const r = compressResponse(text, okHeaders(), 'gzip');
    expect(r.headers['content-length']?.[0]?.value).toBe(String(r.body.length));
    expect(gunzipSync(r.body).equals(text)).toBe(true);
  });
});
