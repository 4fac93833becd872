// CloudFront-* viewer headers (docs/cloudfront-reference.md §7, §3.3): computed from the viewer's request where a local
// emulator can (device type from User-Agent, address, protocol, header order), injected from
// config or a per-request `X-Edgeproxy-<Header-Name>` override where only a real edge could know
// (geo-IP, ASN, TLS).

import type { ResolvedBehavior, ViewerHeaderValues } from '../config/types.js';
import type { CfHeaders } from './types.js';
import { CLOUDFRONT_HEADER_KEYS } from '../rules/cloudfront.js';
import { defaultHeaderKey, getHeader, isOverrideHeader, OVERRIDE_PREFIX, setOwn, viewerEventHeaders } from './headers.js';
import type { TlsFacts } from '../viewer/tls-facts.js';

export interface ViewerInfo {
  /** The viewer's headers as received, as viewerHeadersFromRaw gives them (not the function-modified ones). */
  headers: CfHeaders;
  clientIp: string;
  clientPort: number;
  /** '1.0' | '1.1' | '2.0' */
  httpVersion: string;
  protocol: 'http' | 'https';
  /** The TLS connection's facts, for an HTTPS viewer (docs/cloudfront-reference.md §16). */
  tls?: TlsFacts | undefined;
}

/** Exact spellings CloudFront uses (docs/cloudfront-reference.md §7), for the `key` of headers it adds. */
const CANONICAL_KEYS: ReadonlyMap<string, string> = new Map(CLOUDFRONT_HEADER_KEYS.map((k) => [k.toLowerCase(), k]));

function cloudFrontHeaderKey(lower: string): string {
  return CANONICAL_KEYS.get(lower) ?? defaultHeaderKey(lower);
}

const CF_PREFIX = 'cloudfront-';

/**
 * The CloudFront-* header names (lowercase, deduplicated) that the behavior's cache policy or
 * origin request policy names (docs/cloudfront-reference.md §3.3, §7). Call once per behavior at start.
 * `allViewer` / `allExcept` forward viewer headers only, never CloudFront-generated ones.
 */
export function wantedCloudFrontHeaders(behavior: ResolvedBehavior): string[] {
  const out = new Set<string>();
  const add = (names: readonly string[]): void => {
    for (const n of names) {
      const lower = n.toLowerCase();
      if (lower.startsWith(CF_PREFIX)) out.add(lower);
    }
  };
  const cp = behavior.cachePolicy.headers;
  if (cp.behavior === 'whitelist') add(cp.names);
  const orp = behavior.originRequestPolicy?.headers;
  if (orp !== undefined && (orp.behavior === 'whitelist' || orp.behavior === 'allViewerAndWhitelistCloudFront')) add(orp.names);
  return [...out];
}

/**
 * The viewer's header lines as the viewer-request event shows them: disallowed ones are never present
 * (docs/cloudfront-reference.md §3.1), nor any `x-edgeproxy-*` header; those carry the overrides: lowercase name without the
 * prefix → first value, e.g. `x-edgeproxy-cloudfront-viewer-country: FR` → `{ 'cloudfront-viewer-country': 'FR' }`.
 * Left out while converting rather than deleted after: `delete` makes the object slow for every later
 * use, and every keep-alive request has a Connection header to drop.
 */
export function viewerHeadersFromRaw(raw: readonly string[]): { headers: CfHeaders; overrides: Record<string, string> } {
  const overrides: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if ((name.charCodeAt(0) | 32) !== 120 || name.length <= OVERRIDE_PREFIX.length) continue;
    const lower = name.toLowerCase();
    if (!isOverrideHeader(lower)) continue;
    const key = lower.slice(OVERRIDE_PREFIX.length);
    if (!Object.hasOwn(overrides, key)) setOwn(overrides, key, raw[i + 1] as string);
  }
  return { headers: viewerEventHeaders(raw), overrides };
}

// Device heuristics. CloudFront's device database is not public; these are simple documented
// rules (docs/decisions.md): one class among mobile / tablet / smarttv / desktop, and the
// OS flags independently.
const RE_ANDROID = /android/i;
const RE_IOS = /iphone|ipad|ipod/i;
const RE_SMARTTV = /smart-?tv|googletv|appletv|hbbtv|netcast|web0s|webos.*tv|tizen.*tv|roku|crkey|aftb|aftm|bravia|philipstv|viera/i;
const RE_TABLET = /ipad|tablet|kindle|silk\/|playbook|nexus (?:7|9|10)\b|sm-t\d/i;
const RE_MOBILE = /mobi|iphone|ipod|windows phone|blackberry|bb10|opera mini|iemobile/i;
const RE_MOBILE_WORD = /mobile/i;

interface DeviceFlags {
  android: boolean;
  ios: boolean;
  mobile: boolean;
  tablet: boolean;
  smarttv: boolean;
  desktop: boolean;
}

export function deviceFlags(userAgent: string | undefined): DeviceFlags {
  const ua = userAgent ?? '';
  const android = RE_ANDROID.test(ua);
  const ios = RE_IOS.test(ua);
  const smarttv = RE_SMARTTV.test(ua);
  // Android without "Mobile" is a tablet by Google's own UA convention.
  const tablet = !smarttv && (RE_TABLET.test(ua) || (android && !RE_MOBILE_WORD.test(ua)));
  const mobile = !smarttv && !tablet && (RE_MOBILE.test(ua) || android);
  const desktop = !mobile && !tablet && !smarttv;
  return { android, ios, mobile, tablet, smarttv, desktop };
}

const HEADER_ORDER_MAX = 7680; // docs/cloudfront-reference.md §7

function headerOrder(h: CfHeaders): { order: string; count: number } {
  let order = '';
  let count = 0;
  for (const lower in h) {
    const list = h[lower];
    if (list === undefined) continue;
    for (const e of list) {
      const name = e.key ?? lower;
      order = count === 0 ? name : `${order}:${name}`;
      count++;
    }
  }
  if (order.length > HEADER_ORDER_MAX) order = order.slice(0, HEADER_ORDER_MAX);
  return { order, count };
}

type ComputedCache = { device?: DeviceFlags; order?: { order: string; count: number } };

/** Header order and count are computed once per request, when the first of the two is asked for. */
function orderOf(cache: ComputedCache, req: ViewerInfo): { order: string; count: number } {
  if (cache.order === undefined) cache.order = headerOrder(req.headers);
  return cache.order;
}

function computed(lower: string, req: ViewerInfo, cache: { device?: DeviceFlags; order?: { order: string; count: number } }): string | undefined {
  const dev = (): DeviceFlags => (cache.device ??= deviceFlags(getHeader(req.headers, 'user-agent')));
  switch (lower) {
    case 'cloudfront-is-android-viewer':
      return String(dev().android);
    case 'cloudfront-is-ios-viewer':
      return String(dev().ios);
    case 'cloudfront-is-mobile-viewer':
      return String(dev().mobile);
    case 'cloudfront-is-tablet-viewer':
      return String(dev().tablet);
    case 'cloudfront-is-smarttv-viewer':
      return String(dev().smarttv);
    case 'cloudfront-is-desktop-viewer':
      return String(dev().desktop);
    // `ip:port`, IPv6 unbracketed, as CloudFront sends it.
    case 'cloudfront-viewer-address':
      return `${req.clientIp}:${req.clientPort}`;
    case 'cloudfront-forwarded-proto':
      return req.protocol;
    case 'cloudfront-viewer-http-version':
      return req.httpVersion;
    // HTTPS only: `TLSv1.3:TLS_AES_128_GCM_SHA256:fullHandshake` (docs/cloudfront-reference.md §7, §16).
    case 'cloudfront-viewer-tls':
      return req.tls === undefined ? undefined : `${req.tls.version}:${req.tls.cipher}:${req.tls.handshake}`;
    case 'cloudfront-viewer-header-order':
      return orderOf(cache, req).order;
    case 'cloudfront-viewer-header-count':
      return String(orderOf(cache, req).count);
    default:
      return undefined; // geo, ASN, JA3/JA4: only a real edge knows
  }
}

/**
 * The CloudFront-* headers named in `wanted` (lowercase), as origin-side events and the origin
 * see them (docs/cloudfront-reference.md §7). Each value comes from, in order: the per-request override
 * (`X-Edgeproxy-<Name>`, as returned by viewerHeadersFromRaw), the configured `viewerHeaders`
 * (`injected`), then what edgeproxy can compute from the viewer's request. A wanted header with
 * none of these (e.g. a geo header nobody injected) is left out.
 */
export function cloudFrontViewerHeaders(
  req: ViewerInfo,
  wanted: readonly string[],
  injected: ViewerHeaderValues,
  overrides?: Readonly<Record<string, string>>,
): CfHeaders {
  const out: CfHeaders = {};
  const cache: { device?: DeviceFlags; order?: { order: string; count: number } } = {};
  for (const lower of wanted) {
    const value =
      (overrides !== undefined && Object.hasOwn(overrides, lower) ? overrides[lower] : undefined) ??
      (Object.hasOwn(injected, lower) ? injected[lower] : undefined) ??
      computed(lower, req, cache);
    if (value !== undefined) setOwn(out, lower, [{ key: cloudFrontHeaderKey(lower), value }]);
  }
  return out;
}
