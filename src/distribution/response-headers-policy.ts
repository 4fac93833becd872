// CloudFront response headers policies (docs/cloudfront-reference.md §13): CORS, security headers,
// custom headers, headers to remove and Server-Timing, added to every response CloudFront sends for
// the behavior — from the cache or the origin. Compiled once at start into a function over the flat
// [name, value, …] head that delivery writes.

export interface CorsConfig {
  allowOrigins: readonly string[];
  allowHeaders: readonly string[];
  allowMethods: readonly string[];
  allowCredentials: boolean;
  exposeHeaders: readonly string[];
  maxAgeSec: number | undefined;
  originOverride: boolean;
}

export interface PolicyHeader {
  name: string;
  value: string;
  override: boolean;
}

export interface ResponseHeadersPolicy {
  name: string;
  id: string | undefined;
  cors: CorsConfig | undefined;
  /** Security headers and custom headers, as name/value/override (security ones built from their settings). */
  headers: readonly PolicyHeader[];
  /** Lowercase names removed before anything is added (§13). */
  remove: readonly string[];
  /** Percentage 0–100 of responses that get Server-Timing; undefined = off. */
  serverTimingSamplingRate: number | undefined;
}

/** §13: the methods a CORS policy may list; ALL stands for every one of them. */
export const CORS_METHODS: readonly string[] = ['GET', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
export const REFERRER_POLICIES: readonly string[] = [
  'no-referrer', 'no-referrer-when-downgrade', 'origin', 'origin-when-cross-origin', 'same-origin', 'strict-origin',
  'strict-origin-when-cross-origin', 'unsafe-url',
];
/** §13: headers a policy cannot remove (lowercase; `*` ends a prefix). */
const UNREMOVABLE_HEADERS: readonly string[] = [
  'connection', 'content-encoding', 'content-length', 'expect', 'host', 'keep-alive', 'proxy-authenticate',
  'proxy-authorization', 'proxy-connection', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'warning',
  'x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate', 'x-accel-redirect', 'x-amz-cf-*', 'x-amzn-auth',
  'x-amzn-cf-billing', 'x-amzn-cf-id', 'x-amzn-cf-xff', 'x-amzn-errortype', 'x-amzn-fle-profile', 'x-amzn-header-count',
  'x-amzn-header-order', 'x-amzn-lambda-integration-tag', 'x-amzn-requestid', 'x-cache', 'x-edge-*', 'x-forwarded-proto',
  'x-real-ip',
];
export const CSP_MAX_LENGTH = 1783;

export function unremovable(name: string): boolean {
  const n = name.toLowerCase();
  return UNREMOVABLE_HEADERS.some((u) => (u.endsWith('*') ? n.startsWith(u.slice(0, -1)) : n === u));
}

/** §13: `*`, an exact origin, or `*.` as the leftmost label of the host (`https://*.example.org`). */
function originAllowed(allow: readonly string[], origin: string): boolean {
  for (const a of allow) {
    if (a === '*' || a === origin) return true;
    const star = a.indexOf('*.');
    if (star !== -1) {
      const prefix = a.slice(0, star);
      const suffix = a.slice(star + 1); // ".example.org"
      if (origin.startsWith(prefix) && origin.endsWith(suffix) && origin.length > prefix.length + suffix.length) {
        const label = origin.slice(prefix.length, origin.length - suffix.length);
        if (!label.includes('/')) return true;
      }
    }
  }
  return false;
}

/** What the policy needs to know about the request and the response it shapes. */
export interface PolicyRequest {
  method: string;
  /** The viewer's Origin header; undefined = not a CORS request. */
  origin: string | undefined;
  /** Access-Control-Request-Method: with OPTIONS and Origin, the request is a preflight. */
  requestMethod: string | undefined;
  /** The viewer sent `Pragma: server-timing` (§13: Server-Timing regardless of the sampling rate). */
  pragmaServerTiming: boolean;
}

function isPreflight(r: PolicyRequest): boolean {
  return r.method === 'OPTIONS' && r.origin !== undefined && r.requestMethod !== undefined;
}

/** The CORS headers for this request (§13), in CloudFront's sense: none when it is not a CORS request or the origin is not allowed. */
function corsHeaders(c: CorsConfig, r: PolicyRequest): PolicyHeader[] {
  if (r.origin === undefined || !originAllowed(c.allowOrigins, r.origin)) return [];
  const o = c.originOverride;
  const allowOrigin = c.allowOrigins.includes('*') && !c.allowCredentials ? '*' : r.origin;
  const out: PolicyHeader[] = [{ name: 'Access-Control-Allow-Origin', value: allowOrigin, override: o }];
  if (c.allowCredentials) out.push({ name: 'Access-Control-Allow-Credentials', value: 'true', override: o });
  if (isPreflight(r)) {
    if (c.allowMethods.length > 0) out.push({ name: 'Access-Control-Allow-Methods', value: c.allowMethods.join(', '), override: o });
    if (c.allowHeaders.length > 0) out.push({ name: 'Access-Control-Allow-Headers', value: c.allowHeaders.join(', '), override: o });
    if (c.maxAgeSec !== undefined) out.push({ name: 'Access-Control-Max-Age', value: String(c.maxAgeSec), override: o });
  } else if (c.exposeHeaders.length > 0) {
    out.push({ name: 'Access-Control-Expose-Headers', value: c.exposeHeaders.join(', '), override: o });
  }
  return out;
}

function indexOfHeader(out: readonly string[], lower: string): number {
  for (let i = 0; i < out.length; i += 2) if ((out[i] as string).toLowerCase() === lower) return i;
  return -1;
}

function removeAll(out: string[], lower: string): void {
  for (let i = out.length - 2; i >= 0; i -= 2) if ((out[i] as string).toLowerCase() === lower) out.splice(i, 2);
}

/** Adds `h` to the flat head: replaces the received one when `override`, else keeps it (§13). */
export function addHeader(out: string[], h: PolicyHeader): void {
  const lower = h.name.toLowerCase();
  if (indexOfHeader(out, lower) !== -1) {
    if (!h.override) return;
    removeAll(out, lower);
  }
  out.push(h.name, h.value);
}

/** Applies the policy to a flat head (names as written, values): remove first, then add (§13). */
export function applyPolicy(p: ResponseHeadersPolicy, out: string[], r: PolicyRequest): void {
  for (const name of p.remove) removeAll(out, name);
  if (p.cors !== undefined) for (const h of corsHeaders(p.cors, r)) addHeader(out, h);
  for (const h of p.headers) addHeader(out, h);
}

/** §13: whether this response gets Server-Timing (sampling rate, or the viewer's Pragma: server-timing). */
export function serverTimingSampled(p: ResponseHeadersPolicy, r: PolicyRequest, random: () => number = Math.random): boolean {
  const rate = p.serverTimingSamplingRate;
  if (rate === undefined) return false;
  if (r.pragmaServerTiming) return true;
  return rate >= 100 || random() * 100 < rate;
}

/** §13's metrics for a hit, a refresh hit or a miss; the origin's own value is kept on a miss only. */
export function serverTimingValue(kind: 'hit' | 'refresh' | 'miss', pop: string, requestId: string, upstreamFblMs: number | undefined, originValue: string | undefined): string {
  const rid = `cdn-pop;desc="${pop}",cdn-rid;desc="${requestId}"`;
  if (kind === 'hit') return `cdn-cache-hit,${rid},cdn-hit-layer;desc="EDGE"`;
  const upstream = `cdn-upstream-layer;desc="EDGE"${upstreamFblMs === undefined ? '' : `,cdn-upstream-fbl;dur=${Math.round(upstreamFblMs)}`}`;
  const metric = kind === 'refresh' ? 'cdn-cache-refresh' : 'cdn-cache-miss';
  return `${upstream},${metric},${rid}${originValue === undefined || originValue === '' ? '' : `,${originValue}`}`;
}

// ---- managed policies (§13), attached by name or by ID ----------------------------------------

const ALLOW_ALL_CORS: CorsConfig = {
  allowOrigins: ['*'],
  allowHeaders: ['*'],
  allowMethods: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'],
  allowCredentials: false,
  exposeHeaders: ['*'],
  maxAgeSec: undefined,
  originOverride: false,
};
const SIMPLE_CORS: CorsConfig = { ...ALLOW_ALL_CORS, allowHeaders: [], allowMethods: [], exposeHeaders: [] };
const SECURITY_HEADERS: readonly PolicyHeader[] = [
  { name: 'Strict-Transport-Security', value: 'max-age=31536000', override: false },
  { name: 'X-Content-Type-Options', value: 'nosniff', override: true },
  { name: 'X-Frame-Options', value: 'SAMEORIGIN', override: false },
  { name: 'Referrer-Policy', value: 'strict-origin-when-cross-origin', override: false },
  { name: 'X-XSS-Protection', value: '1; mode=block', override: false },
];

function managed(name: string, id: string, cors: CorsConfig | undefined, headers: readonly PolicyHeader[]): ResponseHeadersPolicy {
  return { name, id, cors, headers, remove: [], serverTimingSamplingRate: undefined };
}

export const MANAGED_RESPONSE_HEADERS_POLICIES: readonly ResponseHeadersPolicy[] = [
  managed('CORS-and-SecurityHeadersPolicy', 'e61eb60c-9c35-4d20-a928-2b84e02af89c', SIMPLE_CORS, SECURITY_HEADERS),
  managed('CORS-With-Preflight', '5cc3b908-e619-4b99-88e5-2cf7f45965bd', ALLOW_ALL_CORS, []),
  managed('CORS-with-preflight-and-SecurityHeadersPolicy', 'eaab4381-ed33-4a86-88ca-d9558dc6cd63', ALLOW_ALL_CORS, SECURITY_HEADERS),
  managed('SecurityHeadersPolicy', '67f7725c-6f97-4210-82d7-5512b31e9d03', undefined, SECURITY_HEADERS),
  managed('SimpleCORS', '60669652-455b-4ae9-85a4-c4c02393f86c', SIMPLE_CORS, []),
];

export function managedResponseHeadersPolicy(nameOrId: string): ResponseHeadersPolicy | undefined {
  return MANAGED_RESPONSE_HEADERS_POLICIES.find((p) => p.name === nameOrId || p.id === nameOrId);
}
