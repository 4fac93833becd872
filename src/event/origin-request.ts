// The origin-side request (docs/cloudfront-reference.md §1.3, §1.7, §3.3, §3.4, §6.2–§6.4): what the origin-request
// event shows and what is sent to the origin. Per-behavior decisions (which viewer headers a
// policy forwards) are compiled once into a plan and cached by behavior object.

import { HOP_BY_HOP } from './hop-by-hop.js';
import type { CachePolicy, ResolvedBehavior, ResolvedConfig, ResolvedOrigin } from '../config/types.js';
import type { CfCustomOrigin, CfHeaders, CfRequest } from './types.js';
import { DEFAULT_ORIGIN_KEEPALIVE_TIMEOUT_S, DEFAULT_ORIGIN_READ_TIMEOUT_S, DEFAULT_ORIGIN_SSL_PROTOCOLS } from '../config/defaults.js';
import { isDisallowedHeader } from '../rules/cloudfront.js';
import { cfHeadersToRaw, defaultHeaderKey, getHeaderValues, setOwn } from './headers.js';
import { selectCookiesUnion, selectQueryStringUnion } from './select.js';
import { wantedCloudFrontHeaders } from './viewer-headers.js';

export interface OriginRequestContext {
  origin: ResolvedOrigin;
  behavior: ResolvedBehavior;
  config: ResolvedConfig;
  clientIp: string;
  /** '1.1', '1.0', '2.0' */
  viewerHttpVersion: string;
  /** From viewer-headers.ts, already limited to what the policies name. */
  cloudFrontHeaders: CfHeaders;
}

/**
 * Spec §3.4 "never forwarded" + RFC 9110 §7.6.1 hop-by-hop fields. (§3.1 disallowed names are
 * checked separately with isDisallowedHeader.) Transfer-Encoding is connection framing: the
 * origin client re-frames the body itself.
 */
const NEVER_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'expect', 'x-forwarded-proto', 'x-real-ip']);

/**
 * Viewer headers that reach the origin in policy mode without being named by a policy
 * (docs/cloudfront-reference.md §10.17, docs/decisions.md): what the request body and range semantics need.
 * If-None-Match / If-Modified-Since are not here: CloudFront revalidates with its own
 * conditionals (docs/cloudfront-reference.md §6.8).
 */
const PROTOCOL_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'content-md5', 'range', 'if-range', 'if-match', 'if-unmodified-since']);

/** Headers this module builds itself rather than copying. */
const SPECIAL = new Set(['host', 'user-agent', 'x-forwarded-for', 'via', 'cookie', 'accept-encoding']);

const CF_PREFIX = 'cloudfront-';
const NONE = { behavior: 'none' } as const;

interface OriginRequestPlan {
  /** Does a policy forward this (lowercase) viewer header? */
  forwards: (lower: string) => boolean;
  forwardsHost: boolean;
  forwardsUserAgent: boolean;
  /** Accept-Encoding is normalised (docs/cloudfront-reference.md §6.3) instead of forwarded as a plain header. */
  normaliseAE: boolean;
  gzip: boolean;
  br: boolean;
  /** CloudFront-* names the policies ask CloudFront to add (docs/cloudfront-reference.md §3.3). */
  cloudFrontNames: ReadonlySet<string>;
}

function compilePlan(b: ResolvedBehavior): OriginRequestPlan {
  const cp: CachePolicy = b.cachePolicy;
  const cpNames = new Set(cp.headers.behavior === 'whitelist' ? cp.headers.names.map((n) => n.toLowerCase()) : []);
  const orp = b.originRequestPolicy?.headers ?? { behavior: 'none' as const };
  let orpForwards: (lower: string) => boolean;
  switch (orp.behavior) {
    case 'none':
      orpForwards = () => false;
      break;
    case 'allViewer':
    case 'allViewerAndWhitelistCloudFront':
      orpForwards = () => true;
      break;
    case 'whitelist': {
      const s = new Set(orp.names.map((n) => n.toLowerCase()));
      orpForwards = (n) => s.has(n);
      break;
    }
    case 'allExcept': {
      const s = new Set(orp.names.map((n) => n.toLowerCase()));
      orpForwards = (n) => !s.has(n);
      break;
    }
  }
  const forwards = (n: string): boolean => cpNames.has(n) || orpForwards(n);
  const gzip = cp.enableAcceptEncodingGzip;
  const br = cp.enableAcceptEncodingBrotli;
  return {
    forwards,
    forwardsHost: forwards('host'),
    forwardsUserAgent: forwards('user-agent'),
    normaliseAE: gzip || br,
    gzip,
    br,
    cloudFrontNames: new Set(wantedCloudFrontHeaders(b)),
  };
}

const plans = new WeakMap<ResolvedBehavior, OriginRequestPlan>();
/** The behavior's compiled forwarding plan; call at start to warm, it is cached per behavior. */
export function originRequestPlan(b: ResolvedBehavior): OriginRequestPlan {
  let p = plans.get(b);
  if (p === undefined) {
    p = compilePlan(b);
    plans.set(b, p);
  }
  return p;
}

/**
 * Spec §6.3. Returns the Accept-Encoding for the cache key and the origin request when the cache
 * policy enables gzip and/or br: `br,gzip`, `gzip`, `br`, `identity` (viewer sent some encoding,
 * none of it enabled) or undefined (viewer sent none). Tokens with `q=0` are refused, not
 * accepted. With both flags off the caller treats the header as an ordinary one.
 */
export function normalizeAcceptEncoding(value: string | undefined, gzip: boolean, br: boolean): string | undefined {
  if (value === undefined) return undefined;
  let hasGzip = false;
  let hasBr = false;
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end === -1) end = value.length;
    const item = value.slice(start, end);
    const semi = item.indexOf(';');
    const coding = (semi === -1 ? item : item.slice(0, semi)).trim().toLowerCase();
    if ((coding === 'gzip' && gzip) || (coding === 'br' && br)) {
      if (semi === -1 || !isQZero(item.slice(semi + 1))) {
        if (coding === 'gzip') hasGzip = true;
        else hasBr = true;
      }
    }
    start = end + 1;
  }
  if (hasBr && hasGzip) return 'br,gzip';
  if (hasGzip) return 'gzip';
  if (hasBr) return 'br';
  return value.trim() === '' ? undefined : 'identity';
}

function isQZero(params: string): boolean {
  for (const p of params.split(';')) {
    const t = p.trim().toLowerCase();
    if (t.startsWith('q=')) return Number(t.slice(2)) === 0;
  }
  return false;
}

function isDefaultPort(protocol: 'http' | 'https', port: number): boolean {
  return (protocol === 'http' && port === 80) || (protocol === 'https' && port === 443);
}

/** `Host` for an origin: the domain name, plus `:port` when not the protocol's default. */
export function originHostHeader(domainName: string, protocol: 'http' | 'https', port: number): string {
  const host = domainName.includes(':') && !domainName.startsWith('[') ? `[${domainName}]` : domainName;
  return isDefaultPort(protocol, port) ? host : `${host}:${port}`;
}

const customOrigins = new WeakMap<ResolvedOrigin, { origin: CfCustomOrigin; customNames: ReadonlySet<string> }>();
function customTemplate(o: ResolvedOrigin): { origin: CfCustomOrigin; customNames: ReadonlySet<string> } {
  let t = customOrigins.get(o);
  if (t === undefined) {
    const customHeaders: CfHeaders = {};
    for (const [name, value] of Object.entries(o.customHeaders)) setOwn(customHeaders, name.toLowerCase(), [{ key: name, value }]);
    t = {
      origin: {
        customHeaders,
        domainName: o.domainName,
        keepaliveTimeout: o.keepaliveTimeout,
        path: o.path,
        port: o.port,
        protocol: o.protocol,
        readTimeout: o.readTimeout,
        sslProtocols: [...o.sslProtocols],
      },
      customNames: new Set(Object.keys(customHeaders)),
    };
    customOrigins.set(o, t);
  }
  return t;
}

/**
 * `request.origin.custom` of every origin request to `o`: one object per origin, shared, never changed
 * (a function gets its own copy in its worker; a result that changes it comes back as a new object),
 * so a miss copies nothing and its JSON is made once (pipeline/invoke.ts).
 */
export function sharedCustomOrigin(o: ResolvedOrigin): CfCustomOrigin {
  return customTemplate(o).origin;
}

/** A fresh `origin.custom` for the event (fresh so a consumer may mutate it). */
export function customOriginFor(o: ResolvedOrigin): CfCustomOrigin {
  const t = customTemplate(o).origin;
  const customHeaders: CfHeaders = {};
  for (const k in t.customHeaders) setOwn(customHeaders, k, t.customHeaders[k]!.map((e) => ({ ...e })));
  return { ...t, customHeaders, sslProtocols: [...t.sslProtocols] };
}

/** Lowercase names listed in the viewer's `Connection` header: hop-by-hop (RFC 9110 §7.6.1). */
function connectionOptions(h: CfHeaders): ReadonlySet<string> | undefined {
  const values = getHeaderValues(h, 'connection');
  if (values.length === 0) return undefined;
  const s = new Set<string>();
  for (const v of values) for (const t of v.split(',')) s.add(t.trim().toLowerCase());
  return s;
}

/**
 * The origin-side request for a viewer request (after viewer-request): policy-selected query
 * string, cookies and headers, CloudFront's own headers (Host, User-Agent, X-Forwarded-For, Via,
 * CloudFront-*), never-forwarded and disallowed headers removed, and `origin.custom` from the
 * configured origin. Origin custom headers stay in `origin.custom.customHeaders` (the fetch adds
 * them); a viewer header with the same name is dropped, as CloudFront overwrites it.
 * No `body`: it depends on the origin-request association's includeBody — the caller sets it with
 * makeRequestBody(currentBody, 'origin-request') (docs/cloudfront-reference.md §1.5: 1 MB exposure, not viewer's 40 KB).
 */
export function buildOriginRequest(viewer: CfRequest, ctx: OriginRequestContext): CfRequest {
  const { behavior, origin, config } = ctx;
  const plan = originRequestPlan(behavior);
  const cp = behavior.cachePolicy;
  const orp = behavior.originRequestPolicy;
  const vh = viewer.headers;
  const hopByHop = connectionOptions(vh);
  const customNames = customTemplate(origin).customNames;
  const cfh = ctx.cloudFrontHeaders;

  const headers: CfHeaders = {};
  let hostDone = false;
  for (const lower in vh) {
    const list = vh[lower];
    if (list === undefined || list.length === 0) continue;
    if (SPECIAL.has(lower)) {
      // Keep the viewer's position for Host (CloudFront's sample lists it first).
      if (lower === 'host') {
        addHost(headers, plan, vh, origin);
        hostDone = true;
      }
      continue;
    }
    if (NEVER_FORWARDED.has(lower) || isDisallowedHeader(lower)) continue;
    if (hopByHop?.has(lower)) continue;
    // CloudFront owns the CloudFront-* names the policies ask for (docs/cloudfront-reference.md §3.3): its values win,
    // and a viewer's copy never reaches the origin even when edgeproxy has no value for it.
    if (lower.startsWith(CF_PREFIX) && (plan.cloudFrontNames.has(lower) || Object.hasOwn(cfh, lower))) continue;
    if (!plan.forwards(lower) && !PROTOCOL_HEADERS.has(lower)) continue;
    setOwn(headers, lower, list.slice());
  }
  if (!hostDone) addHost(headers, plan, vh, origin);

  // User-Agent (docs/cloudfront-reference.md §3.4)
  const ua = Object.hasOwn(vh, 'user-agent') ? vh['user-agent'] : undefined;
  if (plan.forwardsUserAgent) {
    if (ua !== undefined && ua.length > 0) headers['user-agent'] = ua.slice();
  } else headers['user-agent'] = [{ key: 'User-Agent', value: 'Amazon CloudFront' }];

  // Accept-Encoding (docs/cloudfront-reference.md §6.3; HTTP/1.0 viewers get none, docs/cloudfront-reference.md §6.10)
  const ae = ctx.viewerHttpVersion === '1.0' ? [] : getHeaderValues(vh, 'accept-encoding');
  if (plan.normaliseAE) {
    const norm = normalizeAcceptEncoding(ae.length === 0 ? undefined : ae.join(','), plan.gzip, plan.br);
    if (norm !== undefined) headers['accept-encoding'] = [{ key: 'Accept-Encoding', value: norm }];
  } else if (ae.length > 0 && plan.forwards('accept-encoding')) {
    headers['accept-encoding'] = vh['accept-encoding']!.slice();
  }

  // Cookie: the selected items, rebuilt as one line (docs/cloudfront-reference.md §6.2, §6.4)
  const cookieLines = getHeaderValues(vh, 'cookie');
  if (cookieLines.length > 0) {
    const items = selectCookiesUnion(cookieLines, cp.cookies, orp?.cookies ?? NONE);
    if (items.length > 0) headers.cookie = [{ key: vh.cookie![0]!.key ?? 'Cookie', value: items.join('; ') }];
  }

  // X-Forwarded-For (docs/cloudfront-reference.md §3.4): viewer's list + client IP
  const xff = getHeaderValues(vh, 'x-forwarded-for');
  headers['x-forwarded-for'] = [{ key: 'X-Forwarded-For', value: xff.length === 0 ? ctx.clientIp : `${xff.join(', ')}, ${ctx.clientIp}` }];

  // Via (docs/cloudfront-reference.md §3.4, §5.4)
  const ourVia = `${ctx.viewerHttpVersion} ${config.viaHost}.cloudfront.net (CloudFront)`;
  const via = getHeaderValues(vh, 'via');
  headers.via = [{ key: 'Via', value: via.length === 0 ? ourVia : `${via.join(', ')}, ${ourVia}` }];

  // CloudFront-* (docs/cloudfront-reference.md §3.3, §7)
  for (const lower in cfh) {
    const list = cfh[lower];
    if (list !== undefined && list.length > 0) setOwn(headers, lower, list.slice());
  }

  // An origin custom header replaces a request header of the same name (and a clash would fail
  // validation of an unchanged request, docs/cloudfront-reference.md §1.4).
  for (const name of customNames) delete headers[name];

  const req: CfRequest = {
    clientIp: viewer.clientIp,
    method: viewer.method,
    uri: viewer.uri,
    querystring: selectQueryStringUnion(viewer.querystring, cp.queryStrings, orp?.queryStrings ?? NONE),
    headers,
    origin: { custom: sharedCustomOrigin(origin) },
  };
  return req;
}

function addHost(headers: CfHeaders, plan: OriginRequestPlan, vh: CfHeaders, origin: ResolvedOrigin): void {
  // A CloudFront Function's hostHeader wins over the viewer's Host (helper-functions-origin-modification.html).
  if (origin.hostHeader !== undefined) {
    headers.host = [{ key: 'Host', value: origin.hostHeader }];
    return;
  }
  const viewerHost = Object.hasOwn(vh, 'host') ? vh.host : undefined;
  if (plan.forwardsHost && viewerHost !== undefined && viewerHost.length > 0) headers.host = viewerHost.slice();
  else headers.host = [{ key: 'Host', value: originHostHeader(origin.domainName, origin.protocol, origin.port) }];
}

/** What the origin client sends for a (possibly function-modified) origin request. */
export interface OriginFetch {
  url: string;
  /** Flat `[name, value, …]`: request headers, then origin custom headers, then X-Amz-Cf-Id. */
  headers: string[];
  origin: CfCustomOrigin;
}

/** Settings for an S3 origin a function switched to: S3 speaks HTTPS on 443; the rest are a custom origin's defaults. */
const S3_AS_CUSTOM = {
  port: 443,
  protocol: 'https',
  readTimeout: DEFAULT_ORIGIN_READ_TIMEOUT_S,
  keepaliveTimeout: DEFAULT_ORIGIN_KEEPALIVE_TIMEOUT_S,
  sslProtocols: DEFAULT_ORIGIN_SSL_PROTOCOLS,
} as const;

/**
 * Turns a validated origin request into the fetch: URL = protocol://domain:port + origin path +
 * uri (+ ?querystring). An `s3` origin is fetched as a custom HTTPS origin on its domainName
 * (no S3 request signing in a local emulator). `requestId`, when given, is sent as X-Amz-Cf-Id
 * (docs/cloudfront-reference.md §3.4), which functions never see. Request headers named in `omit`
 * (lowercase) are left out.
 */
export function originRequestToFetch(req: CfRequest, requestId?: string, omit?: ReadonlySet<string>): OriginFetch {
  const o = req.origin;
  if (o === undefined) throw new TypeError('originRequestToFetch: the origin request has no origin');
  const origin: CfCustomOrigin =
    'custom' in o
      ? o.custom
      : {
          customHeaders: o.s3.customHeaders,
          domainName: o.s3.domainName,
          path: o.s3.path,
          port: S3_AS_CUSTOM.port,
          protocol: S3_AS_CUSTOM.protocol,
          readTimeout: S3_AS_CUSTOM.readTimeout,
          keepaliveTimeout: S3_AS_CUSTOM.keepaliveTimeout,
          sslProtocols: [...S3_AS_CUSTOM.sslProtocols],
        };
  const host = origin.domainName.includes(':') && !origin.domainName.startsWith('[') ? `[${origin.domainName}]` : origin.domainName;
  const qs = req.querystring;
  const url = `${origin.protocol}://${host}:${origin.port}${origin.path}${req.uri}${qs === '' ? '' : `?${qs}`}`;
  const headers = omit === undefined ? cfHeadersToRaw(req.headers) : rawWithout(req.headers, omit);
  const ch = origin.customHeaders;
  for (const lower in ch) {
    const list = ch[lower];
    if (list === undefined) continue;
    for (const e of list) headers.push(e.key ?? defaultHeaderKey(lower), e.value);
  }
  if (requestId !== undefined) headers.push('X-Amz-Cf-Id', requestId);
  return { url, headers, origin };
}

/** cfHeadersToRaw without the (lowercase) names in `omit`: map keys are lowercase, so no line is lowercased. */
function rawWithout(h: CfHeaders, omit: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const lower in h) {
    const list = h[lower];
    if (list === undefined || omit.has(lower)) continue;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      out.push(e.key ?? defaultHeaderKey(lower), e.value);
    }
  }
  return out;
}
