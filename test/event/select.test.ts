import { describe, expect, it } from 'vitest';
import type { QueryStringBehavior } from '../../src/config/types.js';
import { cookieItems, selectCookies, selectCookiesUnion, selectHeaders, selectQueryString, selectQueryStringUnion } from '../../src/event/select.js';
import type { CfHeaders } from '../../src/event/types.js';

const none: QueryStringBehavior = { behavior: 'none' };
const all: QueryStringBehavior = { behavior: 'all' };
const wl = (...names: string[]): QueryStringBehavior => ({ behavior: 'whitelist', names });
const ex = (...names: string[]): QueryStringBehavior => ({ behavior: 'allExcept', names });

describe('selectQueryString (AWS rule: cache key and cache policies)', () => {
  it.each<[string, QueryStringBehavior, string]>([
    ['b=2&a=1', none, ''],
    ['b=2&a=1&&x', all, 'b=2&a=1&&x'],
    ['b=2&a=1&c=3', wl('a', 'b'), 'b=2&a=1'], // sent order kept
    ['A=1&a=2', wl('a'), 'a=2'], // names case-sensitive
    ['a=1&a=2&b=3', wl('a'), 'a=1&a=2'], // repeated names all kept
    ['a=1&b=2&c=3', ex('b'), 'a=1&c=3'],
    ['flag&a=1', wl('flag'), 'flag'], // name without value
    ['a=1&&b=2&', ex(), 'a=1&b=2'], // empty segments dropped
    ['a%20b=1&a b=2', wl('a%20b'), 'a%20b=1'], // raw names, not decoded
    ['', wl('a'), ''],
    ['v=%C3%A9&x=1', wl('v'), 'v=%C3%A9'], // values untouched
  ])('%j with %j → %j', (qs, b, want) => {
    expect(selectQueryString(qs, b)).toBe(want);
  });

  it('union of two behaviors keeps sent order', () => {
    expect(selectQueryStringUnion('c=3&b=2&a=1', wl('a'), wl('c'))).toBe('c=3&a=1');
    expect(selectQueryStringUnion('c=3&b=2', none, all)).toBe('c=3&b=2');
    expect(selectQueryStringUnion('c=3&b=2', none, none)).toBe('');
    expect(selectQueryStringUnion('c=3&b=2&a=1', ex('c', 'b'), wl('b'))).toBe('b=2&a=1');
  });
});

describe('selectCookies (AWS rule: cache key and cache policies)', () => {
  const lines = ['a=1; b=2', 'c=3;d=4 ;  e'];
  it('splits every Cookie line into trimmed items', () => {
    expect(cookieItems(lines)).toEqual(['a=1', 'b=2', 'c=3', 'd=4', 'e']);
  });
  it.each<[QueryStringBehavior, string[]]>([
    [none, []],
    [all, ['a=1', 'b=2', 'c=3', 'd=4', 'e']],
    [wl('d', 'a'), ['a=1', 'd=4']],
    [ex('a', 'e'), ['b=2', 'c=3', 'd=4']],
    [wl('A'), []],
  ])('%j', (b, want) => {
    expect(selectCookies(lines, b)).toEqual(want);
  });
  it('union', () => {
    expect(selectCookiesUnion(lines, wl('c'), wl('a'))).toEqual(['a=1', 'c=3']);
    expect(selectCookiesUnion(lines, none, none)).toEqual([]);
    expect(selectCookiesUnion([], all, all)).toEqual([]);
  });
});

describe('selectHeaders', () => {
  it('keeps entries, in the order asked, skipping absent and empty ones', () => {
    const h: CfHeaders = {
      accept: [{ key: 'Accept', value: '*/*' }],
      'x-a': [
        { key: 'X-A', value: '1' },
        { key: 'x-a', value: '2' },
      ],
      'x-empty': [],
    };
    const out = selectHeaders(h, ['x-a', 'missing', 'x-empty', 'accept', 'constructor']);
    expect(out).toEqual({ 'x-a': h['x-a'], accept: h.accept });
    expect(Object.keys(out)).toEqual(['x-a', 'accept']);
    expect(out['x-a']).not.toBe(h['x-a']); // new array
  });
});
