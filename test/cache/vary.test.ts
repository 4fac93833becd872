import { describe, expect, it } from 'vitest';
import { filterVaryForViewer, parseVary, variantKey, variantMatches, varyFilterFor } from '../../src/cache/vary.js';
import type { OriginRequestPolicy } from '../../src/config/types.js';
import { h, policy } from './fixtures.js';

describe('RFC 9111 §4.1 variant matching', () => {
  const stored = (vary: string, req: ReturnType<typeof h>) => {
    const varyNames = parseVary(h(['Vary', vary]));
    return { varyNames, variantKey: variantKey(varyNames, req) };
  };
  it('matches only requests with the same nominated values', () => {
    const e = stored('Accept-Language', h(['Accept-Language', 'en']));
    expect(variantMatches(e, h(['Accept-Language', 'en']))).toBe(true);
    expect(variantMatches(e, h(['Accept-Language', 'fr']))).toBe(false);
    expect(variantMatches(e, {})).toBe(false);
  });
  it('absent in both matches; absent vs empty does not', () => {
    const e = stored('X-A', {});
    expect(variantMatches(e, {})).toBe(true);
    expect(variantMatches(e, h(['X-A', '']))).toBe(false);
  });
  it('several names, across Vary lines, case-insensitive names', () => {
    const varyNames = parseVary(h(['Vary', 'Accept-Language'], ['vary', 'x-a, ACCEPT-LANGUAGE']));
    expect(varyNames).toEqual(['accept-language', 'x-a']);
    const e = { varyNames, variantKey: variantKey(varyNames, h(['Accept-Language', 'en'], ['X-A', '1'])) };
    expect(variantMatches(e, h(['Accept-Language', 'en'], ['X-A', '1']))).toBe(true);
    expect(variantMatches(e, h(['Accept-Language', 'en'], ['X-A', '2']))).toBe(false);
  });
  it('normalizes whitespace around commas and combines lines', () => {
    const e = stored('Accept-Language', h(['Accept-Language', 'en, fr']));
    expect(variantMatches(e, h(['Accept-Language', 'en,fr']))).toBe(true);
    expect(variantMatches(e, h(['Accept-Language', 'en'], ['Accept-Language', 'fr']))).toBe(true);
    expect(variantMatches(e, h(['Accept-Language', 'fr, en']))).toBe(false);
  });
  it('Vary: * never matches', () => {
    const e = stored('*', {});
    expect(variantMatches(e, {})).toBe(false);
  });
  it('no Vary matches everything', () => {
    expect(variantMatches({ varyNames: [], variantKey: '' }, h(['X', '1']))).toBe(true);
  });
});

describe('AWS rule: other response handling Vary to the viewer', () => {
  const orp = (headers: OriginRequestPolicy['headers']): OriginRequestPolicy => ({
    name: 'o',
    headers,
    queryStrings: { behavior: 'none' },
    cookies: { behavior: 'none' },
  });
  it('keeps Accept-Encoding, Cookie and forwarded header names; drops others', () => {
    const f = varyFilterFor({ cachePolicy: policy({ headers: { behavior: 'whitelist', names: ['x-a'] } }), originRequestPolicy: orp({ behavior: 'whitelist', names: ['x-b'] }) });
    expect(filterVaryForViewer(['Accept-Encoding, Cookie, X-A, X-B, X-C, User-Agent'], f)).toBe('Accept-Encoding, Cookie, X-A, X-B');
    expect(filterVaryForViewer(['X-C'], f)).toBeUndefined();
  });
  it('keeps User-Agent only when device headers are forwarded', () => {
    const f = varyFilterFor({ cachePolicy: policy({ headers: { behavior: 'whitelist', names: ['cloudfront-is-mobile-viewer'] } }), originRequestPolicy: undefined });
    expect(filterVaryForViewer(['User-Agent'], f)).toBe('User-Agent');
  });
  it('all viewer headers forwarded: everything kept, * too', () => {
    const f = varyFilterFor({ cachePolicy: policy(), originRequestPolicy: orp({ behavior: 'allViewer' }) });
    expect(filterVaryForViewer(['X-Anything, *'], f)).toBe('X-Anything, *');
  });
  it('allExcept: the excepted names are dropped', () => {
    const f = varyFilterFor({ cachePolicy: policy(), originRequestPolicy: orp({ behavior: 'allExcept', names: ['x-secret'] }) });
    expect(filterVaryForViewer(['X-Secret, X-Other'], f)).toBe('X-Other');
  });
  it('de-duplicates', () => {
    const f = varyFilterFor({ cachePolicy: policy(), originRequestPolicy: undefined });
    expect(filterVaryForViewer(['Accept-Encoding', 'accept-encoding'], f)).toBe('Accept-Encoding');
  });
});
