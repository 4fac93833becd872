// Shared builders for the cache unit tests (not a test file itself).
import type { CachePolicy } from '../../src/config/types.js';
import type { CfHeaders } from '../../src/event/types.js';
import { buildEntry, type CacheEntry } from '../../src/cache/entry.js';
import { decideTtl } from '../../src/cache/ttl.js';

export const YEAR = 31_536_000;

export function policy(over: Partial<CachePolicy> = {}): CachePolicy {
  return {
    name: 'test',
    minTTL: 0,
    defaultTTL: 86_400,
    maxTTL: YEAR,
    queryStrings: { behavior: 'none' },
    headers: { behavior: 'none' },
    cookies: { behavior: 'none' },
    enableAcceptEncodingGzip: false,
    enableAcceptEncodingBrotli: false,
    ...over,
  };
}

/** The HTTP-caching conformance behavior: MinTTL 0, DefaultTTL 0, MaxTTL one year, all query strings. */
export const CONFORMANCE = policy({ name: 'conformance', minTTL: 0, defaultTTL: 0, maxTTL: YEAR, queryStrings: { behavior: 'all' } });

/** CfHeaders from `[name, value]` pairs; repeated names become several lines. */
export function h(...pairs: Array<[string, string]>): CfHeaders {
  const out: CfHeaders = {};
  for (const [k, v] of pairs) (out[k.toLowerCase()] ??= []).push({ key: k, value: v });
  return out;
}

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const httpDate = (ms: number): string => new Date(ms).toUTCString();

export interface EntryOpts {
  key?: string;
  uri?: string;
  querystring?: string;
  status?: number;
  headers?: CfHeaders;
  body?: Buffer;
  requestTime?: number;
  responseTime?: number;
  policy?: CachePolicy;
  requestHeaders?: CfHeaders;
  keepSetCookie?: boolean;
}

/** An entry as the pipeline would build it: TTL decided by decideTtl, stored at responseTime. */
export function entry(o: EntryOpts = {}): CacheEntry {
  const p = o.policy ?? policy();
  const responseTime = o.responseTime ?? T0;
  const headers = o.headers ?? h(['Date', httpDate(responseTime)], ['Cache-Control', 'max-age=60']);
  const status = o.status ?? 200;
  const decision = decideTtl({ status, headers, method: 'GET', policy: p, now: responseTime, errorCachingMinTtl: 10 });
  return buildEntry({
    key: o.key ?? `k:${o.uri ?? '/a'}?${o.querystring ?? ''}`,
    uri: o.uri ?? '/a',
    querystring: o.querystring ?? '',
    status,
    statusDescription: 'OK',
    headers,
    body: o.body ?? Buffer.from('hello'),
    requestTime: o.requestTime ?? responseTime,
    responseTime,
    decision,
    maxTtl: p.maxTTL,
    requestHeaders: o.requestHeaders ?? {},
    keepSetCookie: o.keepSetCookie ?? false,
  });
}
