// RFC 9211 Cache-Status, an opt-in debugging header: `edgeproxy; hit; ttl=42` or
// `edgeproxy; fwd=stale; fwd-status=304; stored`.

/** RFC 9211 §2.2 forward reasons. */
export type ForwardReason = 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale' | 'partial';

interface CacheStatusInput {
  /** Served from the cache without going forward (RFC 9211 §2.1). */
  hit?: boolean;
  fwd?: ForwardReason;
  /** Status the next hop answered (RFC 9211 §2.3), e.g. 304 on a revalidation. */
  fwdStatus?: number;
  /** Seconds of freshness left, negative when stale (RFC 9211 §2.4). */
  ttl?: number;
  /** The forwarded response was stored (RFC 9211 §2.5). */
  stored?: boolean;
  /** Collapsed with another request (RFC 9211 §2.6). */
  collapsed?: boolean;
  /** The cache key (RFC 9211 §2.7). */
  key?: string;
  /** Why (RFC 9211 §2.8), e.g. a TTL decision reason. */
  detail?: string;
}

const CACHE_NAME = 'edgeproxy';

const SF_TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;

/** An RFC 8941 sf-string; characters outside printable ASCII are percent-escaped. */
function sfString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c <= 0x7e) out += ch;
    else out += encodeURIComponent(ch);
  }
  return `${out}"`;
}

/** One Cache-Status list member for this cache (RFC 9211 §2). */
export function cacheStatus(i: CacheStatusInput, name: string = CACHE_NAME): string {
  let s = SF_TOKEN.test(name) ? name : sfString(name);
  if (i.hit === true) s += '; hit';
  else if (i.fwd !== undefined) s += `; fwd=${i.fwd}`;
  if (i.fwdStatus !== undefined) s += `; fwd-status=${Math.trunc(i.fwdStatus)}`;
  if (i.ttl !== undefined) s += `; ttl=${Math.trunc(i.ttl)}`;
  if (i.stored === true) s += '; stored';
  if (i.collapsed === true) s += '; collapsed';
  if (i.key !== undefined) s += `; key=${sfString(i.key)}`;
  if (i.detail !== undefined) s += `; detail=${SF_TOKEN.test(i.detail) ? i.detail : sfString(i.detail)}`;
  return s;
}

/** Adds our member after an upstream Cache-Status (RFC 9211 §2: caches nearer the user append). */
export function appendCacheStatus(upstream: string | undefined, member: string): string {
  return upstream === undefined || upstream.trim() === '' ? member : `${upstream}, ${member}`;
}
