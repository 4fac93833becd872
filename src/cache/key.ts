// The cache key (docs/cloudfront-reference.md §6.2, §6.3; §0 [C]): path + the policy's query strings (order and case kept)
// + keyed headers + keyed cookies + normalized Accept-Encoding. Runs on every request.

import type { CachePolicy } from '../config/types.js';
import { normalizeAcceptEncoding } from '../event/origin-request.js';
import { selectCookies, selectQueryString } from '../event/select.js';
import type { CfHeaders } from '../event/types.js';

export interface CacheKeyInput {
  method: string;
  /** The uri after viewer-request (docs/cloudfront-reference.md §5.1: its rewrite forms the key). */
  uri: string;
  /** Without `?`. */
  querystring: string;
  /**
   * Viewer headers after viewer-request, plus the CloudFront-* headers the cache policy names
   * (they key on the values CloudFront computed, docs/cloudfront-reference.md §7).
   */
  headers: CfHeaders;
  policy: CachePolicy;
  /**
   * The behavior's Compress flag. Not part of the key: CloudFront keys on the normalized
   * Accept-Encoding whenever the policy enables gzip/br, whether or not the edge compresses (§6.3).
   */
  compressEnabled?: boolean;
}

export interface CacheKey {
  /** Unambiguous (JSON array) and readable in `GET /cache`. */
  key: string;
  uri: string;
  /** The query string as selected into the key: invalidation paths match `uri?querystring`. */
  querystring: string;
  /** Normalized Accept-Encoding in the key (undefined when none): which encoding an entry may hold. */
  acceptEncoding: string | undefined;
}

function values(h: CfHeaders, name: string): string[] | undefined {
  const lines = Object.hasOwn(h, name) ? h[name] : undefined;
  if (lines === undefined || lines.length === 0) return undefined;
  return lines.map((e) => e.value);
}

/**
 * The key's parts for a request. HEAD shares GET's key (a HEAD is answered from a stored GET);
 * other cacheable methods (OPTIONS) are keyed apart.
 */
export function cacheKeyFor(input: CacheKeyInput): CacheKey {
  const { policy, headers } = input;
  const method = input.method === 'HEAD' || input.method === 'GET' ? 'GET' : input.method;
  const querystring = selectQueryString(input.querystring, policy.queryStrings);
  const parts: unknown[] = [method, input.uri, querystring];

  const aeNormalized = policy.enableAcceptEncodingGzip || policy.enableAcceptEncodingBrotli;
  if (policy.headers.behavior === 'whitelist') {
    const keyed: Record<string, string[] | null> = {};
    for (const name of policy.headers.names) {
      // docs/cloudfront-reference.md §6.3: with gzip/br enabled the normalized value is keyed, never the raw header.
      if (aeNormalized && name === 'accept-encoding') continue;
      keyed[name] = values(headers, name) ?? null;
    }
    parts.push(keyed);
  } else parts.push(null);

  const cookieLines = policy.cookies.behavior === 'none' ? undefined : values(headers, 'cookie');
  parts.push(cookieLines === undefined ? [] : selectCookies(cookieLines, policy.cookies));

  let acceptEncoding: string | undefined;
  if (aeNormalized) {
    const raw = values(headers, 'accept-encoding');
    const n = normalizeAcceptEncoding(raw?.join(', '), policy.enableAcceptEncodingGzip, policy.enableAcceptEncodingBrotli);
    // docs/cloudfront-reference.md §6.3: "neither supported → header left out of the key".
    acceptEncoding = n === 'identity' ? undefined : n;
  }
  parts.push(acceptEncoding ?? null);
  return { key: JSON.stringify(parts), uri: input.uri, querystring, acceptEncoding };
}

/** The cache key string (see cacheKeyFor). */
export function cacheKey(input: CacheKeyInput): string {
  return cacheKeyFor(input).key;
}

/** `uri?querystring` as invalidation paths see an entry (docs/cloudfront-reference.md §6.12). */
export function invalidationPath(e: { uri: string; querystring: string }): string {
  return e.querystring === '' ? e.uri : `${e.uri}?${e.querystring}`;
}

/**
 * The key as a person reads it, for Cache-Status `key` (RFC 9211 §2.7): `/note.txt?import&url`, then
 * keyed headers (`origin=…`), cookies (`cookie:a=1`) and the normalized Accept-Encoding (`ae=br,gzip`);
 * the method only when it is not GET/HEAD. Only built when the header is on.
 */
export function describeCacheKey(key: string): string {
  let parts: unknown;
  try {
    parts = JSON.parse(key);
  } catch {
    return key;
  }
  if (!Array.isArray(parts)) return key;
  const [method, uri, qs, headers, cookies, ae] = parts as [unknown, unknown, unknown, unknown, unknown, unknown];
  let out = `${method === 'GET' ? '' : `${String(method)} `}${String(uri)}${typeof qs === 'string' && qs !== '' ? `?${qs}` : ''}`;
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, v] of Object.entries(headers as Record<string, string[] | null>)) out += ` ${name}=${v === null ? '' : v.join(',')}`;
  }
  if (Array.isArray(cookies)) for (const c of cookies) out += ` cookie:${String(c)}`;
  if (typeof ae === 'string') out += ` ae=${ae}`;
  return out;
}
