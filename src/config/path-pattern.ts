// CloudFront cache-behavior path patterns (docs/cloudfront-reference.md §6.1). Compiled once at config load; the matcher
// runs per request, so it must not allocate: fixed shapes use string methods, the rest one RegExp.

import type { ResolvedBehavior } from './types.js';

/** Maximum pattern length CloudFront accepts (docs/cloudfront-reference.md §6.1). */
const MAX_PATH_PATTERN_LENGTH = 255;

/**
 * Characters CloudFront allows in a path pattern (docs/cloudfront-reference.md §6.1): `A-Z a-z 0-9 _ - . * $ / ~ " ' @ : +` and `&`,
 * plus `?`, which is the single-character wildcard.
 */
const ALLOWED_PATTERN_CHARS = /^[A-Za-z0-9_\-.*$/~"'@:+&?]+$/;

/** Why a pattern is not acceptable to CloudFront, or undefined when it is. */
export function pathPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_PATH_PATTERN_LENGTH) {
    return `must be at most ${MAX_PATH_PATTERN_LENGTH} characters, got ${pattern.length}`;
  }
  if (!ALLOWED_PATTERN_CHARS.test(pattern)) {
    const bad = [...pattern].find((c) => !ALLOWED_PATTERN_CHARS.test(c)) ?? '';
    return `character ${JSON.stringify(bad)} is not allowed (allowed: A-Z a-z 0-9 _ - . * ? $ / ~ " ' @ : + &)`;
  }
  return undefined;
}

/**
 * The pattern as CloudFront compares it: the leading `/` is optional in the pattern (docs/cloudfront-reference.md §6.1), and
 * viewer paths always start with `/`, so a pattern that starts with a literal gets one. A pattern that
 * starts with a wildcard (`*.jpg`, `?x`) already matches the leading `/` itself.
 */
export function normalizePathPattern(pattern: string): string {
  if (pattern.startsWith('/') || pattern.startsWith('*') || pattern.startsWith('?')) return pattern;
  return `/${pattern}`;
}

const REGEX_SPECIAL = /[\\^$.|+()[\]{}]/g;

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (const c of pattern) {
    // docs/cloudfront-reference.md §6.1: `*` = zero or more characters including `/`; `?` = exactly one character.
    if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else source += c.replace(REGEX_SPECIAL, '\\$&');
  }
  // Case-sensitive on purpose (docs/cloudfront-reference.md §6.1: `*.jpg` does not match `LOGO.JPG`).
  return new RegExp(`^${source}$`);
}

/**
 * Compile a CloudFront path pattern into a predicate over the viewer's path (no query string).
 * Common shapes (`*`, exact, `prefix*`, `*suffix`) avoid the regex engine entirely.
 */
export function compilePathPattern(pattern: string): (path: string) => boolean {
  const p = normalizePathPattern(pattern);
  const star = p.indexOf('*');
  const hasQuestion = p.includes('?');
  if (p === '*') return () => true;
  if (!hasQuestion) {
    if (star === -1) return (path) => path === p;
    const lastStar = p.lastIndexOf('*');
    if (star === lastStar) {
      if (star === p.length - 1) {
        const prefix = p.slice(0, -1);
        return (path) => path.startsWith(prefix);
      }
      if (star === 0) {
        const suffix = p.slice(1);
        return (path) => path.endsWith(suffix);
      }
      const prefix = p.slice(0, star);
      const suffix = p.slice(star + 1);
      const min = prefix.length + suffix.length;
      return (path) => path.length >= min && path.startsWith(prefix) && path.endsWith(suffix);
    }
  }
  const re = toRegExp(p);
  return (path) => re.test(path);
}

/**
 * First behavior whose pattern matches, else the last one (the default `*`, docs/cloudfront-reference.md §6.1). Matching uses
 * the viewer's original path, before any function runs (docs/cloudfront-reference.md §0 [A]).
 */
export function selectBehavior(behaviors: readonly ResolvedBehavior[], path: string): ResolvedBehavior {
  const n = behaviors.length;
  for (let i = 0; i < n - 1; i++) {
    const b = behaviors[i]!;
    if (b.matches(path)) return b;
  }
  const last = behaviors[n - 1];
  if (last === undefined) throw new Error('selectBehavior: a distribution always has a default behavior');
  return last;
}
