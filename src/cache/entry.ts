// The stored object and the pure operations on it: what is kept of a response (RFC 9111 §3.1),
// how a 304 refreshes it (RFC 9111 §3.2, §4.3.4, docs/cloudfront-reference.md §6.8), which validators revalidation sends.

import type { CfHeaders } from '../event/types.js';
import { firstHeader, headerValues, parseAge, parseHttpDate, splitList, stripFields, type TtlDecision } from './ttl.js';
import { parseVary, variantKey } from './vary.js';

export type Encoding = 'identity' | 'gzip' | 'br';

export interface CacheEntry {
  /** The cache key it was stored under (key.ts). */
  readonly key: string;
  /** Path and the query string as it is in the key (after the policy's selection): invalidation matches these. */
  readonly uri: string;
  readonly querystring: string;
  readonly status: number;
  readonly statusDescription: string;
  /** Headers as stored: after origin-response, without hop-by-hop fields, Age, or stripped fields. */
  readonly headers: CfHeaders;
  readonly body: Buffer;
  /** ms epoch (our clock) when the origin request was sent: RFC 9111 §4.2.3 request_time. */
  readonly requestTime: number;
  /** ms epoch (our clock) when the response arrived: RFC 9111 §4.2.3 response_time. */
  readonly storedAt: number;
  /** The origin's Date in ms, when valid. */
  readonly dateValue: number | undefined;
  /** The origin's Age in seconds (0 when absent or invalid). */
  readonly ageValue: number;
  /** CloudFront TTL (freshness lifetime) decided at store time, seconds. */
  readonly ttl: number;
  /** The behavior's MaxTTL at store time (never below ttl): no stale use beyond it (docs/cloudfront-reference.md §6.7). */
  readonly maxTtl: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number | undefined;
  readonly mustRevalidate: boolean;
  /** RFC 9111 §3.5: may be served to requests carrying Authorization. */
  readonly sharedWithAuthorization: boolean;
  /** The origin's validators, as the origin sent them (ETag before any edge weakening). */
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  /** Lowercase names from the response's Vary (RFC 9111 §4.1); `*` included when present. */
  readonly varyNames: readonly string[];
  /** The nominated request header values of the request that caused it (vary.ts). */
  readonly variantKey: string;
  readonly encoding: Encoding;
  /** Bytes counted against the store bound: body + headers + key + fixed overhead. */
  readonly size: number;
  /** Times served as a hit; the only mutable field. */
  hits: number;
}

/** Fixed per-entry overhead in bytes (object, index and lru-cache bookkeeping), counted in size. */
export const ENTRY_OVERHEAD = 256;

/** RFC 9111 §3.1: never stored. Age is kept as ageValue instead and regenerated on hits. */
const NOT_STORED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
  'age',
]);

interface StorableOptions {
  /** Fields named by qualified no-cache / private (TtlDecision.stripFields). */
  stripFields: readonly string[];
  /**
   * Keep Set-Cookie in the stored copy. Only when the cache policy keys on cookies: otherwise one
   * viewer's cookie would be replayed to others (docs/cloudfront-reference.md §6.13, §10.11).
   */
  keepSetCookie: boolean;
}

/** The headers of a response as the cache keeps them. Returns a new object; input untouched. */
export function storableHeaders(headers: CfHeaders, opts: StorableOptions): CfHeaders {
  const drop = new Set(opts.stripFields);
  for (const line of headerValues(headers, 'connection')) {
    for (const n of splitList(line)) {
      const t = n.trim().toLowerCase();
      if (t !== '') drop.add(t);
    }
  }
  if (!opts.keepSetCookie) drop.add('set-cookie');
  const out: CfHeaders = {};
  for (const name of Object.keys(headers)) {
    if (NOT_STORED.has(name) || drop.has(name)) continue;
    const v = headers[name];
    if (v !== undefined) out[name] = v.map((e) => ({ ...e }));
  }
  return out;
}

export function headersSize(h: CfHeaders): number {
  let n = 0;
  for (const name of Object.keys(h)) {
    for (const e of h[name] ?? []) n += name.length + e.value.length + 4; // ": " + CRLF
  }
  return n;
}

interface BuildEntryInput {
  key: string;
  uri: string;
  /** The query string as selected into the key. */
  querystring: string;
  status: number;
  statusDescription: string;
  /** Response headers after origin-response (not yet filtered). */
  headers: CfHeaders;
  body: Buffer;
  requestTime: number;
  responseTime: number;
  decision: TtlDecision;
  /** The behavior's cache policy MaxTTL. */
  maxTtl: number;
  /** Headers of the request that caused the response, for Vary (see vary.ts for which ones). */
  requestHeaders: CfHeaders;
  keepSetCookie: boolean;
  encoding?: Encoding;
}

/** Builds the stored object from a response the TTL decision said to store. */
export function buildEntry(i: BuildEntryInput): CacheEntry {
  const headers = storableHeaders(i.headers, { stripFields: i.decision.stripFields, keepSetCookie: i.keepSetCookie });
  const dateRaw = firstHeader(headers, 'date');
  const varyNames = parseVary(headers);
  return makeEntry(i, headers, {
    // The origin's Age is not stored as a header (it is regenerated on hits) but counts (RFC 9111 §4.2.3).
    ageValue: parseAge(i.headers) ?? 0,
    dateValue: dateRaw === undefined ? undefined : parseHttpDate(dateRaw, i.responseTime),
    encoding: i.encoding ?? 'identity',
    hits: 0,
    etag: firstHeader(headers, 'etag'),
    lastModified: firstHeader(headers, 'last-modified'),
    varyNames,
    variantKey: variantKey(varyNames, i.requestHeaders),
  });
}

interface EntryFacts {
  ageValue: number;
  dateValue: number | undefined;
  encoding: Encoding;
  hits: number;
  etag: string | undefined;
  lastModified: string | undefined;
  varyNames: readonly string[];
  variantKey: string;
}

type EntryBase = Pick<
  BuildEntryInput,
  'key' | 'uri' | 'querystring' | 'status' | 'statusDescription' | 'body' | 'requestTime' | 'responseTime' | 'decision' | 'maxTtl'
>;

function makeEntry(i: EntryBase, headers: CfHeaders, f: EntryFacts): CacheEntry {
  return {
    key: i.key,
    uri: i.uri,
    querystring: i.querystring,
    status: i.status,
    statusDescription: i.statusDescription,
    headers,
    body: i.body,
    requestTime: i.requestTime,
    storedAt: i.responseTime,
    dateValue: f.dateValue,
    ageValue: f.ageValue,
    ttl: i.decision.ttl,
    maxTtl: Math.max(i.maxTtl, i.decision.ttl),
    staleWhileRevalidate: i.decision.staleWhileRevalidate,
    staleIfError: i.decision.staleIfError,
    mustRevalidate: i.decision.mustRevalidate,
    sharedWithAuthorization: i.decision.sharedWithAuthorization,
    etag: f.etag,
    lastModified: f.lastModified,
    varyNames: f.varyNames,
    variantKey: f.variantKey,
    encoding: f.encoding,
    size: ENTRY_OVERHEAD + i.key.length * 2 + headersSize(headers) + i.body.length,
    hits: f.hits,
  };
}

/** Conditional request headers for revalidating a stale entry (docs/cloudfront-reference.md §6.8, RFC 9111 §4.3.1). */
export function revalidationHeaders(e: CacheEntry): CfHeaders {
  const h: CfHeaders = {};
  if (e.etag !== undefined) h['if-none-match'] = [{ key: 'If-None-Match', value: e.etag }];
  if (e.lastModified !== undefined) h['if-modified-since'] = [{ key: 'If-Modified-Since', value: e.lastModified }];
  return h;
}

function opaqueTag(etag: string): string {
  const t = etag.trim();
  return t.startsWith('W/') ? t.slice(2) : t;
}

/**
 * Does a 304 refer to this stored entry? RFC 9111 §4.3.4: select by the 304's ETag (weak
 * comparison), else by its Last-Modified; a 304 without validators refreshes the entry it answered.
 */
export function notModifiedMatches(e: CacheEntry, h304: CfHeaders): boolean {
  const etag = firstHeader(h304, 'etag');
  if (etag !== undefined) return e.etag !== undefined && opaqueTag(etag) === opaqueTag(e.etag);
  const lm = firstHeader(h304, 'last-modified');
  if (lm !== undefined) return e.lastModified !== undefined && lm.trim() === e.lastModified.trim();
  return true;
}

/** Never taken from a 304 (RFC 9111 §3.2): framing and fields the stored body depends on. */
const NOT_UPDATED: ReadonlySet<string> = new Set(['content-length']);
/** When the edge compressed the body, these describe our transformation, not the origin's. */
const NOT_UPDATED_TRANSFORMED: ReadonlySet<string> = new Set(['content-length', 'content-encoding', 'etag']);

/**
 * The stored headers updated by a 304 (RFC 9111 §3.2): each field in the 304 replaces the stored
 * one, except hop-by-hop fields, Content-Length, and (for edge-compressed entries) the fields that
 * describe the compression. Set-Cookie in a 304 is dropped unless `keepSetCookie`.
 */
export function mergeNotModifiedHeaders(e: CacheEntry, h304: CfHeaders, keepSetCookie: boolean): CfHeaders {
  const skip = e.encoding === 'identity' ? NOT_UPDATED : NOT_UPDATED_TRANSFORMED;
  const fresh = storableHeaders(h304, { stripFields: [], keepSetCookie });
  const out: CfHeaders = { ...e.headers };
  for (const name of Object.keys(fresh)) {
    const v = fresh[name];
    if (v === undefined || skip.has(name)) continue;
    out[name] = v;
  }
  return out;
}

/**
 * The entry after a successful revalidation: merged headers, new timing (the 304's Date and Age
 * restart the age calculation), and the TTL decided again on the merged headers (pass
 * `decideTtl({ status: e.status, headers: mergeNotModifiedHeaders(...) ... })`).
 */
export function refreshEntry(
  e: CacheEntry,
  h304: CfHeaders,
  decision: TtlDecision,
  t: { requestTime: number; responseTime: number; maxTtl: number; keepSetCookie: boolean },
): CacheEntry {
  const headers = stripFields(mergeNotModifiedHeaders(e, h304, t.keepSetCookie), decision.stripFields);
  const date304 = firstHeader(h304, 'date');
  return makeEntry(
    {
      key: e.key,
      uri: e.uri,
      querystring: e.querystring,
      status: e.status,
      statusDescription: e.statusDescription,
      body: e.body,
      requestTime: t.requestTime,
      responseTime: t.responseTime,
      decision,
      maxTtl: t.maxTtl,
    },
    headers,
    {
      ageValue: parseAge(h304) ?? 0,
      // The stored Date is the old response's; without a Date in the 304 the arrival time stands in.
      dateValue: date304 === undefined ? undefined : parseHttpDate(date304, t.responseTime),
      encoding: e.encoding,
      hits: e.hits,
      // Revalidate next time with what the origin last said (not the weakened tag a compressed copy shows).
      etag: e.encoding === 'identity' ? firstHeader(headers, 'etag') : (firstHeader(h304, 'etag') ?? e.etag),
      lastModified: firstHeader(headers, 'last-modified'),
      // The variant is the one that was revalidated: its request-side values do not change.
      varyNames: e.varyNames,
      variantKey: e.variantKey,
    },
  );
}

/** RFC 9111 §3.5: a request with Authorization may only use entries that allow it. */
export function usableWithAuthorization(e: CacheEntry, requestHasAuthorization: boolean): boolean {
  return !requestHasAuthorization || e.sharedWithAuthorization;
}
