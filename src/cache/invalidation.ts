// CloudFront invalidation paths (docs/cloudfront-reference.md §6.12) and RFC 9111 §4.4 invalidation by unsafe methods.

import type { CachePolicy } from '../config/types.js';
import { selectQueryString } from '../event/select.js';
import type { CfHeaders } from '../event/types.js';
import { firstHeader } from './ttl.js';

const MAX_INVALIDATION_PATH = 4000;

/** An invalid invalidation path; `field` locates it in the request (e.g. `paths[2]`). */
export class InvalidationPathError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidationPathError';
    this.field = field;
  }
}

/**
 * Characters that must arrive URL-encoded (docs/cloudfront-reference.md §6.12: non-ASCII and RFC 1738 "unsafe" characters;
 * `%` itself introduces an escape and `~` is allowed in practice).
 */
const UNSAFE = /[\x00-\x20\x7f-\uffff"<>#{}|\\^`]/;

/** Checks one path against docs/cloudfront-reference.md §6.12; returns it unchanged or throws InvalidationPathError. */
export function validateInvalidationPath(path: unknown, field = 'path'): string {
  if (typeof path !== 'string') throw new InvalidationPathError(field, 'must be a string');
  if (!path.startsWith('/')) throw new InvalidationPathError(field, `must start with "/" (got ${JSON.stringify(path.slice(0, 40))})`);
  if (path.length > MAX_INVALIDATION_PATH) {
    throw new InvalidationPathError(field, `is ${path.length} characters; the limit is ${MAX_INVALIDATION_PATH}`);
  }
  const star = path.indexOf('*');
  if (star !== -1 && star !== path.length - 1) {
    throw new InvalidationPathError(field, `"*" is allowed only as the last character (at ${star} in ${JSON.stringify(path.slice(0, 80))})`);
  }
  const bad = UNSAFE.exec(path);
  if (bad) {
    const c = bad[0];
    const code = `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InvalidationPathError(field, `character ${code} at ${bad.index} must be URL-encoded`);
  }
  return path;
}

/** A validated path compiled to a predicate over `uri?querystring` (case-sensitive, docs/cloudfront-reference.md §6.12). */
type InvalidationMatcher = (pathWithQuery: string) => boolean;

function compileInvalidationPath(path: string): InvalidationMatcher {
  if (path.endsWith('*')) {
    const prefix = path.slice(0, -1);
    return (p) => p.startsWith(prefix);
  }
  return (p) => p === path;
}

/**
 * Validates every path (field names `paths[i]`) and returns one predicate matching any of them.
 * Throws InvalidationPathError on the first invalid path, before anything is removed.
 */
export function compileInvalidation(paths: readonly unknown[]): InvalidationMatcher {
  const matchers = paths.map((p, i) => compileInvalidationPath(validateInvalidationPath(p, `paths[${i}]`)));
  return (p) => matchers.some((m) => m(p));
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

interface UnsafeInvalidationInput {
  method: string;
  /** The final status of the response to the unsafe request. */
  status: number;
  uri: string;
  querystring: string;
  /** The request's Host (authority), for the same-host rule. */
  host: string;
  responseHeaders: CfHeaders;
  /** To reduce each target to the query string the key holds. */
  policy: CachePolicy;
}

/** A stored resource to invalidate: every entry whose uri and key query string are these. */
export interface InvalidationTarget {
  uri: string;
  querystring: string;
}

/**
 * RFC 9111 §4.4: a non-error (2xx/3xx) answer to an unsafe method invalidates the target URI, and
 * the URIs in Location and Content-Location when they are on the same host. Returns the targets
 * (query strings reduced to what the cache key holds); [] for safe methods or errors.
 */
export function unsafeMethodInvalidation(i: UnsafeInvalidationInput): InvalidationTarget[] {
  if (SAFE_METHODS.has(i.method.toUpperCase())) return [];
  if (i.status < 200 || i.status > 399) return [];
  const targets: InvalidationTarget[] = [{ uri: i.uri, querystring: selectQueryString(i.querystring, i.policy.queryStrings) }];
  let base: URL;
  try {
    base = new URL(`http://${i.host}${i.uri}${i.querystring === '' ? '' : `?${i.querystring}`}`);
  } catch {
    return targets;
  }
  for (const name of ['location', 'content-location']) {
    const v = firstHeader(i.responseHeaders, name);
    if (v === undefined) continue;
    let u: URL;
    try {
      u = new URL(v.trim(), base);
    } catch {
      continue;
    }
    if (u.host !== base.host) continue;
    const qs = u.search.startsWith('?') ? u.search.slice(1) : u.search;
    const t = { uri: u.pathname, querystring: selectQueryString(qs, i.policy.queryStrings) };
    if (!targets.some((x) => x.uri === t.uri && x.querystring === t.querystring)) targets.push(t);
  }
  return targets;
}
