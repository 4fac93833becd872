import { describe, expect, it } from 'vitest';
import { compilePathPattern, normalizePathPattern, pathPatternProblem, selectBehavior } from '../../src/config/path-pattern.js';
import type { ResolvedBehavior } from '../../src/config/types.js';

// docs/cloudfront-reference.md §6.1: `*` any run including `/`, `?` exactly one character, case-sensitive, leading `/` optional.
const TABLE: readonly [pattern: string, path: string, expected: boolean][] = [
  ['*', '/', true],
  ['*', '/anything/at/all.html', true],
  ['/api/*', '/api/users', true],
  ['/api/*', '/api/', true],
  ['/api/*', '/api', false],
  ['/api/*', '/apiary', false],
  ['api/*', '/api/users', true], // leading slash optional
  ['images/*.jpg', '/images/a.jpg', true],
  ['images/*.jpg', '/images/a/b.jpg', true], // `*` crosses `/`
  ['images/*.jpg', '/images/a.jpeg', false],
  ['images/*.jpg', '/images/.jpg', true], // `*` may be empty
  ['*.jpg', '/logo.jpg', true],
  ['*.jpg', '/LOGO.JPG', false], // case-sensitive
  ['*.jpg', '/a/b/c.jpg', true],
  ['/exact.html', '/exact.html', true],
  ['/exact.html', '/exact.html/', false],
  ['/exact.html', '/Exact.html', false],
  ['/file?.txt', '/file1.txt', true],
  ['/file?.txt', '/file.txt', false],
  ['/file?.txt', '/file12.txt', false],
  ['/a?c/*', '/a/c/x', true], // `?` matches `/` too
  ['/v1/*/users/*', '/v1/x/y/users/1', true],
  ['/v1/*/users/*', '/v1/users/1', false],
  ['/a*b*c', '/abc', true],
  ['/a*b*c', '/a-b-x', false],
  ['/a.b', '/axb', false], // `.` is literal
  ['/$price+', '/$price+', true], // regex metacharacters are literal
  ['/$price+', '/$pricee', false],
  ['/pre*fix', '/prefix', true],
  ['/ab*ab', '/ab', false], // prefix and suffix may not overlap
];

describe('compilePathPattern', () => {
  it.each(TABLE)('%s vs %s → %s', (pattern, path, expected) => {
    expect(compilePathPattern(pattern)(path)).toBe(expected);
  });

  it('normalizes a missing leading slash but not a leading wildcard', () => {
    expect(normalizePathPattern('images/*')).toBe('/images/*');
    expect(normalizePathPattern('*.jpg')).toBe('*.jpg');
    expect(normalizePathPattern('?x')).toBe('?x');
    expect(normalizePathPattern('/a')).toBe('/a');
  });
});

describe('pathPatternProblem', () => {
  it.each([
    ['/ok/*.jpg', undefined],
    ["/a_b-c.d$e~f\"g'h@i:j+k&l?", undefined],
    ['', 'must not be empty'],
    ['/a b', 'character " " is not allowed'],
    ['/a%20b', 'character "%" is not allowed'],
    ['/a#b', 'character "#" is not allowed'],
    [`/${'a'.repeat(255)}`, 'must be at most 255 characters, got 256'],
  ])('%s', (pattern, problem) => {
    const got = pathPatternProblem(pattern);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });

  it('accepts exactly 255 characters', () => {
    expect(pathPatternProblem(`/${'a'.repeat(254)}`)).toBeUndefined();
  });
});

describe('selectBehavior', () => {
  const behavior = (pathPattern: string): ResolvedBehavior =>
    ({ pathPattern, matches: compilePathPattern(pathPattern) }) as unknown as ResolvedBehavior;
  const behaviors = [behavior('/api/*'), behavior('*.jpg'), behavior('/api/*.jpg'), behavior('*')];

  it.each([
    ['/api/x.jpg', '/api/*'], // first match wins, even though a later pattern is more specific
    ['/img/x.jpg', '*.jpg'],
    ['/index.html', '*'],
    ['/API/x', '*'],
  ])('%s → %s', (path, pattern) => {
    expect(selectBehavior(behaviors, path).pathPattern).toBe(pattern);
  });

  it('falls back to the last behavior even when its pattern does not match', () => {
    const list = [behavior('/a'), behavior('/b')];
    expect(selectBehavior(list, '/zzz').pathPattern).toBe('/b');
  });

  it('throws on an empty list instead of returning undefined', () => {
    expect(() => selectBehavior([], '/')).toThrow(/default behavior/);
  });
});
