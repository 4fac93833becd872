// CloudFront's own rules that more than one part of edgeproxy applies: the config loader checks a
// distribution against them at start, the event validator checks what a function returns, the
// pipeline checks what a viewer sends. One home per rule, so the parts cannot drift apart.
// Pure data and predicates: no imports at all, so the worker side may use it too.
// Section numbers are those of docs/cloudfront-reference.md.

// ---- header names ----------------------------------------------------------------------------

/** RFC 9110 §5.6.2 tchar, indexed by char code < 128: 1 = a token character. */
export const TCHAR: Readonly<Uint8Array> = (() => {
  const t = new Uint8Array(128);
  const extra = "!#$%&'*+-.^_`|~";
  for (let c = 48; c <= 57; c++) t[c] = 1;
  for (let c = 65; c <= 90; c++) t[c] = 1;
  for (let c = 97; c <= 122; c++) t[c] = 1;
  for (let i = 0; i < extra.length; i++) t[extra.charCodeAt(i)] = 1;
  return t;
})();

/** A header name is an RFC 9110 §5.1 field-name: a non-empty token. */
export function isHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

// ---- §3.1 disallowed headers -----------------------------------------------------------------

/** §3.1: never exposed to functions; a function adding one gets a LambdaValidationError. Lowercase. */
export const DISALLOWED_HEADERS: readonly string[] = [
  'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'trailer', 'upgrade', 'x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate', 'x-accel-redirect',
  'x-amzn-auth', 'x-amzn-cf-billing', 'x-amzn-cf-id', 'x-amzn-cf-xff', 'x-amzn-errortype', 'x-amzn-fle-profile',
  'x-amzn-header-count', 'x-amzn-header-order', 'x-amzn-lambda-integration-tag', 'x-amzn-requestid', 'x-cache',
  'x-forwarded-proto', 'x-real-ip',
];
/** §3.1's prefix entries (`X-Amz-Cf-*`, `X-Edge-*`), lowercase. */
const DISALLOWED_HEADER_PREFIXES: readonly string[] = ['x-amz-cf-', 'x-edge-'];

const DISALLOWED = new Set(DISALLOWED_HEADERS);

/** §3.1. `lower` must already be lowercase. Runs per header: a Set lookup and a first-char gate. */
export function isDisallowedHeader(lower: string): boolean {
  if (DISALLOWED.has(lower)) return true;
  // Both prefixes start with `x-`.
  if (lower.charCodeAt(0) !== 120 || lower.charCodeAt(1) !== 45) return false;
  for (const p of DISALLOWED_HEADER_PREFIXES) if (lower.startsWith(p)) return true;
  return false;
}

// ---- §3.4 origin custom headers --------------------------------------------------------------

/**
 * §3.4 and AWS's "Custom headers that CloudFront can't add to origin requests"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html#add-origin-custom-headers-denylist),
 * as the current page lists them (it has `Proxy-Authenticate`, which older versions lack). Lowercase.
 */
export const ORIGIN_CUSTOM_HEADER_DENYLIST: readonly string[] = [
  'cache-control', 'connection', 'content-length', 'cookie', 'host', 'if-match', 'if-modified-since',
  'if-none-match', 'if-range', 'if-unmodified-since', 'max-forwards', 'pragma', 'proxy-authenticate',
  'proxy-authorization', 'proxy-connection', 'range', 'request-range', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'via', 'x-real-ip',
];
/** The denylist's prefix entries: "headers that begin with `X-Amz-`" and "with `X-Edge-`". */
const ORIGIN_CUSTOM_HEADER_DENIED_PREFIXES: readonly string[] = ['x-amz-', 'x-edge-'];

const DENIED = new Set(ORIGIN_CUSTOM_HEADER_DENYLIST);

/** On AWS's origin custom header denylist (§3.4). `lower` must already be lowercase. */
export function isDeniedOriginCustomHeader(lower: string): boolean {
  if (DENIED.has(lower)) return true;
  for (const p of ORIGIN_CUSTOM_HEADER_DENIED_PREFIXES) if (lower.startsWith(p)) return true;
  return false;
}

/**
 * A name no origin custom header may have, anywhere: the §3.4 denylist, and the §3.1 disallowed
 * headers, because custom headers appear in `request.origin.custom.customHeaders`, which may not
 * contain those either (§1.4). Any letter case.
 */
export function isForbiddenOriginCustomHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return isDeniedOriginCustomHeader(lower) || isDisallowedHeader(lower);
}

// ---- §7 CloudFront-* viewer headers ----------------------------------------------------------

/** §7: the CloudFront-* headers CloudFront can add to a request, spelt as CloudFront sends them. */
export const CLOUDFRONT_HEADER_KEYS: readonly string[] = [
  'CloudFront-Is-Android-Viewer',
  'CloudFront-Is-Desktop-Viewer',
  'CloudFront-Is-IOS-Viewer',
  'CloudFront-Is-Mobile-Viewer',
  'CloudFront-Is-SmartTV-Viewer',
  'CloudFront-Is-Tablet-Viewer',
  'CloudFront-Viewer-Address',
  'CloudFront-Viewer-ASN',
  'CloudFront-Viewer-Country',
  'CloudFront-Viewer-City',
  'CloudFront-Viewer-Country-Name',
  'CloudFront-Viewer-Country-Region',
  'CloudFront-Viewer-Country-Region-Name',
  'CloudFront-Viewer-Latitude',
  'CloudFront-Viewer-Longitude',
  'CloudFront-Viewer-Metro-Code',
  'CloudFront-Viewer-Postal-Code',
  'CloudFront-Viewer-Time-Zone',
  'CloudFront-Viewer-Header-Order',
  'CloudFront-Viewer-Header-Count',
  'CloudFront-Forwarded-Proto',
  'CloudFront-Viewer-Http-Version',
  'CloudFront-Viewer-JA3-Fingerprint',
  'CloudFront-Viewer-JA4-Fingerprint',
  'CloudFront-Viewer-TLS',
];

/** CLOUDFRONT_HEADER_KEYS in lowercase. */
export const CLOUDFRONT_HEADERS: readonly string[] = CLOUDFRONT_HEADER_KEYS.map((k) => k.toLowerCase());

const CLOUDFRONT_SET = new Set(CLOUDFRONT_HEADERS);

/** One of §7's CloudFront-* headers. `lower` must already be lowercase. */
export function isCloudFrontHeader(lower: string): boolean {
  return CLOUDFRONT_SET.has(lower);
}

/** §6.2: CloudFront headers an origin request policy may name but a cache policy may not. Lowercase. */
export const ORIGIN_REQUEST_POLICY_ONLY_HEADERS: readonly string[] = [
  'cloudfront-viewer-address', 'cloudfront-viewer-asn', 'cloudfront-viewer-ja3-fingerprint', 'cloudfront-viewer-tls',
];

// ---- §3.5 request size -----------------------------------------------------------------------

/** §3.5: a viewer's URL may be at most 8,192 bytes; a function's `uri` + query string must stay under it. */
export const MAX_URL_LENGTH = 8_192;
/** §3.5: a viewer's request line and headers may be at most 20,480 bytes. */
export const MAX_REQUEST_HEADER_BYTES = 20_480;
/** §3.5 [C]: the current quota page gives an origin response's headers the same 20,480-byte cap. */
export const MAX_ORIGIN_RESPONSE_HEADER_BYTES = 20_480;

// ---- §1.4 origins ----------------------------------------------------------------------------

/** §1.4: the origin SSL protocols CloudFront offers, newest first. */
export const ORIGIN_SSL_PROTOCOLS = ['TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'] as const;
type OriginSslProtocol = (typeof ORIGIN_SSL_PROTOCOLS)[number];

const SSL_SET: ReadonlySet<string> = new Set(ORIGIN_SSL_PROTOCOLS);

export function isOriginSslProtocol(s: string): s is OriginSslProtocol {
  return SSL_SET.has(s);
}

/** §1.4: an origin's port is 80, 443, or 1024–65535. */
export function isOriginPort(port: number): boolean {
  return port === 80 || port === 443 || (Number.isInteger(port) && port >= 1024 && port <= 65535);
}

/** §1.4: an origin path is at most 255 characters. */
export const MAX_ORIGIN_PATH_LENGTH = 255;

// ---- §5.2, §6.2 behaviors and cache policies -------------------------------------------------

/** CloudFront's three allowed-method sets, in CloudFront's order. */
export const ALLOWED_METHOD_SETS: readonly (readonly string[])[] = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
  ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
];
/** CloudFront's two cached-method sets (§5.2). */
export const CACHED_METHOD_SETS: readonly (readonly string[])[] = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
];

/** §6.2: at most this many names per list in a cache policy. */
export const MAX_CACHE_POLICY_NAMES = 10;

// ---- §14 origin groups, §16 viewer protocol policy, §17 geo restriction ------------------------

/** §14: the status codes an origin group may fail over on (OriginGroupFailoverCriteria.StatusCodes). */
export const FAILOVER_STATUS_CODES: readonly number[] = [400, 403, 404, 416, 500, 502, 503, 504];

/** §14: the methods CloudFront fails over for; any other method goes to the primary only. */
export const FAILOVER_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/** §14: OriginGroup.SelectionCriteria. */
export const ORIGIN_GROUP_SELECTION_CRITERIA = ['default', 'media-quality-based'] as const;

/** §16: CacheBehavior.ViewerProtocolPolicy. */
export const VIEWER_PROTOCOL_POLICIES = ['allow-all', 'redirect-to-https', 'https-only'] as const;
export type ViewerProtocolPolicy = (typeof VIEWER_PROTOCOL_POLICIES)[number];

/** §16: DistributionConfig.HttpVersion, the highest HTTP version viewers may use. */
export const HTTP_VERSIONS = ['http1.1', 'http2', 'http2and3', 'http3'] as const;
export type HttpVersionSetting = (typeof HTTP_VERSIONS)[number];

/** §17: GeoRestriction.RestrictionType (`whitelist` = allow list, `blacklist` = block list). */
export const GEO_RESTRICTION_TYPES = ['none', 'whitelist', 'blacklist'] as const;

/** §17: a location is an ISO 3166-1 alpha-2 country code, upper case. */
export const COUNTRY_CODE = /^[A-Z]{2}$/;

// ---- §3.9 associations -----------------------------------------------------------------------

/** §3.9: only viewer-request and origin-request associations may include the request body. */
export function mayIncludeBody(eventType: string): boolean {
  return eventType === 'viewer-request' || eventType === 'origin-request';
}

/**
 * CloudFront sends a URI or query string with non-ASCII characters percent-encoded as UTF-8
 * (docs/cloudfront-reference.md §3.5): each char above `~` encoded, everything else as given.
 * Undefined when the string holds an unpaired UTF-16 surrogate, which has no UTF-8 form.
 */
export function percentEncodeNonAscii(s: string): string | undefined {
  let out = '';
  for (const ch of s) {
    if (ch.charCodeAt(0) <= 126) out += ch;
    else {
      try {
        out += encodeURIComponent(ch);
      } catch {
        return undefined;
      }
    }
  }
  return out;
}
