// A behavior's policies: CachePolicyConfig / OriginRequestPolicyConfig / ResponseHeadersPolicyConfig
// (API or CloudFormation form) → inline edgeproxy policies; a policy id → the managed policy's name,
// or the body the template or a --policy-file gives; legacy ForwardedValues + TTLs → an inline
// cache policy (docs/cloudfront-reference.md §6.2).
// Field names: CloudFront API Reference, CachePolicyConfig, OriginRequestPolicyConfig,
// ResponseHeadersPolicyConfig.

import { MANAGED_POLICY_IDS } from '../config/managed-policies.js';
import { managedResponseHeadersPolicy } from '../distribution/response-headers-policy.js';
import type { Behavior, CachePolicyIn, MapContext, MapSink, OriginRequestPolicyIn, ResponseHeadersPolicyIn } from './context.js';
import { bool, field, items, num, obj, type Obj, str, strings } from './json.js';

const MANAGED_NAME_BY_ID: ReadonlyMap<string, string> = new Map(Object.entries(MANAGED_POLICY_IDS).map(([name, id]) => [id, name]));

function selection(
  behavior: string | undefined,
  names: string[],
  what: string,
  at: string,
  sink: MapSink,
): { behavior: 'none' } | { behavior: 'all' } | { behavior: 'allViewer' } | { behavior: 'whitelist' | 'allExcept' | 'allViewerAndWhitelistCloudFront'; names: string[] } {
  switch (behavior ?? 'none') {
    case 'none':
      return { behavior: 'none' };
    case 'all':
      return { behavior: 'all' };
    case 'allViewer':
      return { behavior: 'allViewer' };
    case 'whitelist':
    case 'allExcept':
    case 'allViewerAndWhitelistCloudFront':
      return { behavior: behavior as 'whitelist', names };
    default:
      sink.problem(`${at}: unknown ${what} behavior ${JSON.stringify(behavior)}`);
      return { behavior: 'none' };
  }
}

/** CachePolicyConfig (API or CloudFormation) → an inline cache policy. */
function cachePolicyFromConfig(c: Obj, at: string, sink: MapSink): CachePolicyIn {
  const p = obj(c.ParametersInCacheKeyAndForwardedToOrigin) ?? {};
  const h = obj(p.HeadersConfig) ?? {};
  const k = obj(p.CookiesConfig) ?? {};
  const q = obj(p.QueryStringsConfig) ?? {};
  const out: CachePolicyIn = {};
  const name = str(c.Name);
  if (name !== undefined) out.name = name;
  const min = num(c.MinTTL);
  const def = num(c.DefaultTTL);
  const max = num(c.MaxTTL);
  if (min !== undefined) out.minTTL = min;
  if (def !== undefined) out.defaultTTL = def;
  if (max !== undefined) out.maxTTL = max;
  out.queryStrings = selection(str(q.QueryStringBehavior), strings(q.QueryStrings), 'query string', `${at}.QueryStringsConfig`, sink) as CachePolicyIn['queryStrings'];
  out.headers = selection(str(h.HeaderBehavior), strings(h.Headers), 'header', `${at}.HeadersConfig`, sink) as CachePolicyIn['headers'];
  out.cookies = selection(str(k.CookieBehavior), strings(k.Cookies), 'cookie', `${at}.CookiesConfig`, sink) as CachePolicyIn['cookies'];
  out.enableAcceptEncodingGzip = bool(p.EnableAcceptEncodingGzip) === true;
  out.enableAcceptEncodingBrotli = bool(p.EnableAcceptEncodingBrotli) === true;
  return out;
}

/** OriginRequestPolicyConfig → an inline origin request policy. */
function originRequestPolicyFromConfig(c: Obj, at: string, sink: MapSink): OriginRequestPolicyIn {
  const h = obj(c.HeadersConfig) ?? {};
  const k = obj(c.CookiesConfig) ?? {};
  const q = obj(c.QueryStringsConfig) ?? {};
  const out: OriginRequestPolicyIn = {
    queryStrings: selection(str(q.QueryStringBehavior), strings(q.QueryStrings), 'query string', `${at}.QueryStringsConfig`, sink) as OriginRequestPolicyIn['queryStrings'],
    headers: selection(str(h.HeaderBehavior), strings(h.Headers), 'header', `${at}.HeadersConfig`, sink) as OriginRequestPolicyIn['headers'],
    cookies: selection(str(k.CookieBehavior), strings(k.Cookies), 'cookie', `${at}.CookiesConfig`, sink) as OriginRequestPolicyIn['cookies'],
  };
  const name = str(c.Name);
  if (name !== undefined) out.name = name;
  return out;
}

/** ResponseHeadersPolicyConfig (API or CloudFormation) → an inline response headers policy (docs/cloudfront-reference.md §13). */
function responseHeadersPolicyFromConfig(c: Obj): ResponseHeadersPolicyIn {
  const out: ResponseHeadersPolicyIn = {};
  const name = str(c.Name);
  if (name !== undefined) out.name = name;
  const cors = obj(c.CorsConfig);
  if (cors !== undefined) {
    const cc: NonNullable<ResponseHeadersPolicyIn['corsConfig']> = {
      accessControlAllowOrigins: strings(cors.AccessControlAllowOrigins),
      accessControlAllowCredentials: bool(cors.AccessControlAllowCredentials) === true,
      originOverride: bool(cors.OriginOverride) === true,
    };
    const headers = strings(cors.AccessControlAllowHeaders);
    const methods = strings(cors.AccessControlAllowMethods);
    const expose = strings(cors.AccessControlExposeHeaders);
    const maxAge = num(cors.AccessControlMaxAgeSec);
    if (headers.length > 0) cc.accessControlAllowHeaders = headers;
    if (methods.length > 0) cc.accessControlAllowMethods = methods;
    if (expose.length > 0) cc.accessControlExposeHeaders = expose;
    if (maxAge !== undefined) cc.accessControlMaxAgeSec = maxAge;
    out.corsConfig = cc;
  }
  const sec = obj(c.SecurityHeadersConfig);
  if (sec !== undefined) {
    const sc: NonNullable<ResponseHeadersPolicyIn['securityHeadersConfig']> = {};
    const ov = (o: Obj): boolean => bool(o.Override) === true;
    const hsts = obj(sec.StrictTransportSecurity);
    if (hsts !== undefined) {
      sc.strictTransportSecurity = { accessControlMaxAgeSec: num(hsts.AccessControlMaxAgeSec) ?? 0, override: ov(hsts) };
      const sub = bool(hsts.IncludeSubdomains);
      const pre = bool(hsts.Preload);
      if (sub !== undefined) sc.strictTransportSecurity.includeSubdomains = sub;
      if (pre !== undefined) sc.strictTransportSecurity.preload = pre;
    }
    const csp = obj(sec.ContentSecurityPolicy);
    if (csp !== undefined) sc.contentSecurityPolicy = { contentSecurityPolicy: str(csp.ContentSecurityPolicy) ?? '', override: ov(csp) };
    const cto = obj(sec.ContentTypeOptions);
    if (cto !== undefined) sc.contentTypeOptions = { override: ov(cto) };
    const fo = obj(sec.FrameOptions);
    if (fo !== undefined) sc.frameOptions = { frameOption: str(fo.FrameOption) === 'DENY' ? 'DENY' : 'SAMEORIGIN', override: ov(fo) };
    const rp = obj(sec.ReferrerPolicy);
    if (rp !== undefined) sc.referrerPolicy = { referrerPolicy: str(rp.ReferrerPolicy) ?? '', override: ov(rp) };
    const xss = obj(field(sec, 'XSSProtection', 'XssProtection'));
    if (xss !== undefined) {
      sc.xssProtection = { protection: bool(xss.Protection) === true, override: ov(xss) };
      const mb = bool(xss.ModeBlock);
      const uri = str(xss.ReportUri);
      if (mb !== undefined) sc.xssProtection.modeBlock = mb;
      if (uri !== undefined) sc.xssProtection.reportUri = uri;
    }
    out.securityHeadersConfig = sc;
  }
  const custom = items(obj(c.CustomHeadersConfig)?.Items ?? c.CustomHeadersConfig).map((h) => {
    const o = obj(h) ?? {};
    return { header: str(o.Header) ?? '', value: str(o.Value) ?? '', override: bool(o.Override) === true };
  });
  if (custom.length > 0) out.customHeadersConfig = custom;
  const remove = items(obj(c.RemoveHeadersConfig)?.Items ?? c.RemoveHeadersConfig).map((h) => str(obj(h)?.Header) ?? '');
  if (remove.length > 0) out.removeHeadersConfig = remove;
  const st = obj(c.ServerTimingHeadersConfig);
  if (st !== undefined) out.serverTimingHeadersConfig = { enabled: bool(st.Enabled) === true, samplingRate: num(st.SamplingRate) ?? 0 };
  return out;
}

/**
 * Legacy cache settings (ForwardedValues + MinTTL/DefaultTTL/MaxTTL): what is forwarded is also
 * the cache key (docs/cloudfront-reference.md §6.2), so one inline cache policy and no origin
 * request policy. Forwarding all headers (`*`) makes CloudFront not cache: TTLs 0, all viewer
 * headers to the origin.
 */
function legacyPolicies(b: Obj, at: string, compress: boolean): { cachePolicy: CachePolicyIn; originRequestPolicy: OriginRequestPolicyIn | null } {
  const fv = obj(b.ForwardedValues) ?? {};
  const qs = bool(fv.QueryString) === true;
  const qsKeys = strings(fv.QueryStringCacheKeys);
  const cookies = obj(fv.Cookies) ?? {};
  const forward = str(cookies.Forward) ?? 'none';
  const cookieNames = strings(field(cookies, 'WhitelistedNames'));
  const headers = strings(fv.Headers);
  const allHeaders = headers.includes('*');
  const cachePolicy: CachePolicyIn = {
    name: `legacy ForwardedValues (${at})`,
    minTTL: num(b.MinTTL) ?? 0,
    defaultTTL: num(b.DefaultTTL) ?? 86_400,
    maxTTL: num(b.MaxTTL) ?? 31_536_000,
    queryStrings: !qs ? 'none' : qsKeys.length > 0 ? { behavior: 'whitelist', names: qsKeys } : 'all',
    headers: allHeaders || headers.length === 0 ? 'none' : { behavior: 'whitelist', names: headers },
    cookies: forward === 'all' ? 'all' : forward === 'whitelist' && cookieNames.length > 0 ? { behavior: 'whitelist', names: cookieNames } : 'none',
    enableAcceptEncodingGzip: compress,
    enableAcceptEncodingBrotli: compress,
  };
  // QueryString true with QueryStringCacheKeys: every query string reaches the origin, only the
  // listed ones are keyed (CloudFront Developer Guide, "Cache content based on query string parameters").
  const allQueries = qs && qsKeys.length > 0;
  if (!allHeaders && !allQueries) return { cachePolicy, originRequestPolicy: null };
  const originRequestPolicy: OriginRequestPolicyIn = {
    name: `legacy ForwardedValues (${at})`,
    queryStrings: qs ? 'all' : 'none',
    headers: allHeaders ? 'allViewer' : 'none',
    cookies: 'none',
  };
  if (!allHeaders) return { cachePolicy, originRequestPolicy };
  return { cachePolicy: { ...cachePolicy, minTTL: 0, defaultTTL: 0, maxTTL: 0 }, originRequestPolicy: { ...originRequestPolicy, cookies: cachePolicy.cookies ?? 'none' } };
}


const POLICY_KIND = {
  CachePolicyId: { what: 'cache policy', command: 'get-cache-policy' },
  OriginRequestPolicyId: { what: 'origin request policy', command: 'get-origin-request-policy' },
  ResponseHeadersPolicyId: { what: 'response headers policy', command: 'get-response-headers-policy' },
} as const;

function unknownPolicy(field: keyof typeof POLICY_KIND, id: string, at: string, sink: MapSink): void {
  const k = POLICY_KIND[field];
  sink.problem(
    `${at}.${field}: "${id}" is neither an AWS managed ${k.what} nor defined in this file; supply it with --policy-file FILE (the JSON of aws cloudfront ${k.command} --id ${id}), or import the CloudFormation template that defines it`,
  );
}

/**
 * A behavior's CachePolicyId / OriginRequestPolicyId / ResponseHeadersPolicyId — a managed policy by
 * its AWS ID, or a custom one from the template or a --policy-file — or, without a CachePolicyId,
 * its legacy settings. Without an OriginRequestPolicyId beside a CachePolicyId only the cache key
 * reaches the origin (`originRequestPolicy: null`), as in CloudFront.
 */
export function mapBehaviorPolicies(b: Obj, at: string, behavior: Behavior, ctx: MapContext, sink: MapSink): void {
  const cpId = str(b.CachePolicyId);
  if (cpId !== undefined && cpId !== '') {
    const managed = MANAGED_NAME_BY_ID.get(cpId);
    const custom = ctx.policies?.cachePolicies?.get(cpId);
    if (managed !== undefined) behavior.cachePolicy = managed;
    else if (custom !== undefined) behavior.cachePolicy = cachePolicyFromConfig(custom, `${at}.CachePolicyId`, sink);
    else unknownPolicy('CachePolicyId', cpId, at, sink);
    const orpId = str(b.OriginRequestPolicyId);
    if (orpId === undefined || orpId === '') behavior.originRequestPolicy = null;
    else {
      const m = MANAGED_NAME_BY_ID.get(orpId);
      const t = ctx.policies?.originRequestPolicies?.get(orpId);
      if (m !== undefined) behavior.originRequestPolicy = m;
      else if (t !== undefined) behavior.originRequestPolicy = originRequestPolicyFromConfig(t, `${at}.OriginRequestPolicyId`, sink);
      else unknownPolicy('OriginRequestPolicyId', orpId, at, sink);
    }
  } else {
    const legacy = legacyPolicies(b, at, behavior.compress === true);
    behavior.cachePolicy = legacy.cachePolicy;
    behavior.originRequestPolicy = legacy.originRequestPolicy;
  }

  const rhpId = str(b.ResponseHeadersPolicyId);
  if (rhpId !== undefined && rhpId !== '') {
    const managed = managedResponseHeadersPolicy(rhpId);
    const custom = ctx.policies?.responseHeadersPolicies?.get(rhpId);
    if (managed !== undefined) behavior.responseHeadersPolicy = managed.name;
    else if (custom !== undefined) behavior.responseHeadersPolicy = responseHeadersPolicyFromConfig(custom);
    else unknownPolicy('ResponseHeadersPolicyId', rhpId, at, sink);
  }
}
