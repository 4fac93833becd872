// A CloudFront DistributionConfig → edgeproxy's config input (what a config file holds), plus the
// rows of what cannot be emulated. Reads both the API form (`{ Quantity, Items }`) and the
// CloudFormation form (plain arrays) through json.ts. The result is validated by the ordinary
// config loader, so every rule of docs/config.md applies to an import too.
// Field names: CloudFront API Reference, DistributionConfig; AWS::CloudFront::Distribution.

import type { ConfigInput } from '../config/schema.js';
import { MANAGED_POLICY_IDS } from '../config/managed-policies.js';
import { managedResponseHeadersPolicy } from '../distribution/response-headers-policy.js';
import { bool, field, isEmptyValue, items, num, obj, type Obj, show, str, strings } from './json.js';
import type { NotEmulated } from './report.js';

type Behavior = NonNullable<ConfigInput['behaviors']>[number];
type Origin = ConfigInput['origins'][number];
type FunctionDef = NonNullable<ConfigInput['functions']>[number];
type CachePolicyIn = Exclude<NonNullable<Behavior['cachePolicy']>, string>;
type ResponseHeadersPolicyIn = Exclude<NonNullable<Behavior['responseHeadersPolicy']>, string>;
type OriginRequestPolicyIn = Exclude<NonNullable<Behavior['originRequestPolicy']>, string | null>;

/** A Lambda function's code on this machine: from --function-map or from the template. */
export interface LocalCode {
  file: string;
  export?: string;
}

export interface MapContext {
  /** Origin DomainName (or Id) → local URL (--origin-map). */
  originMap: ReadonlyMap<string, string>;
  /** Function ARN (with or without its version) → local code (--function-map). */
  functionMap: ReadonlyMap<string, LocalCode>;
  /** Policies and code defined in the same CloudFormation template, by the value their Ref gives. */
  cachePolicies?: ReadonlyMap<string, Obj>;
  originRequestPolicies?: ReadonlyMap<string, Obj>;
  responseHeadersPolicies?: ReadonlyMap<string, Obj>;
  templateCode?: ReadonlyMap<string, LocalCode>;
}

export interface MapResult {
  config: ConfigInput;
  notEmulated: NotEmulated[];
  /** Fields that stop the import (an unmapped origin or function), one line each. */
  problems: string[];
}

const MANAGED_NAME_BY_ID: ReadonlyMap<string, string> = new Map(Object.entries(MANAGED_POLICY_IDS).map(([name, id]) => [id, name]));

/** Top-level fields with no local meaning, and what edgeproxy does instead. */
const TOP_LEVEL_NOTES: Readonly<Record<string, string>> = {
  Aliases: 'ignored locally: edgeproxy answers for any Host',
  ViewerCertificate: 'ignored locally: edgeproxy listens on plain HTTP',
  WebACLId: 'ignored locally: no AWS WAF',
  Logging: 'ignored locally: use --access-log FILE for CloudFront standard-log lines',
  PriceClass: 'ignored locally: one local edge location',
  HttpVersion: 'ignored locally: HTTP/1.1 to the viewer',
  IsIPV6Enabled: 'ignored locally: listens where --host says',
  Enabled: 'ignored locally: a running edgeproxy serves',
  DefaultRootObject: 'not emulated: request "/" reaches the origin as "/"',
  OriginGroups: 'not mapped yet: each behavior uses its target origin only (no failover)',
  Restrictions: 'not mapped yet: no geo restriction',
  ContinuousDeploymentPolicyId: 'ignored locally: no staging distribution',
  Staging: 'ignored locally: no staging distribution',
  AnycastIpListId: 'ignored locally',
  TenantConfig: 'ignored locally',
  ConnectionMode: 'ignored locally',
};
/** Descriptive fields that change nothing a request sees; not listed. */
const METADATA = new Set(['CallerReference', 'Comment']);
const TOP_LEVEL_MAPPED = new Set(['Origins', 'DefaultCacheBehavior', 'CacheBehaviors', 'CustomErrorResponses']);

const BEHAVIOR_NOTES: Readonly<Record<string, string>> = {
  ViewerProtocolPolicy: 'not mapped yet: edgeproxy serves HTTP and never redirects to HTTPS',
  FunctionAssociations: 'not mapped yet: CloudFront Functions are not run by an import',
  TrustedKeyGroups: 'not mapped yet: signed URLs/cookies are not checked',
  TrustedSigners: 'not mapped yet: signed URLs/cookies are not checked',
  FieldLevelEncryptionId: 'ignored locally: no field-level encryption',
  RealtimeLogConfigArn: 'ignored locally: use --access-log FILE',
  SmoothStreaming: 'ignored locally',
  GrpcConfig: 'ignored locally',
};
const BEHAVIOR_MAPPED = new Set([
  'PathPattern', 'TargetOriginId', 'AllowedMethods', 'CachedMethods', 'Compress', 'CachePolicyId', 'OriginRequestPolicyId',
  'ForwardedValues', 'MinTTL', 'DefaultTTL', 'MaxTTL', 'LambdaFunctionAssociations', 'ResponseHeadersPolicyId',
]);

const ORIGIN_NOTES: Readonly<Record<string, string>> = {
  S3OriginConfig: 'ignored locally: the mapped URL is fetched without S3 signing',
  OriginAccessControlId: 'ignored locally: the mapped URL is fetched unsigned',
  ConnectionAttempts: 'not emulated: one connection attempt',
  OriginShield: 'ignored locally: no regional cache',
  VpcOriginConfig: 'ignored locally: the mapped URL is fetched directly',
  ResponseCompletionTimeout: 'not emulated',
};
const ORIGIN_MAPPED = new Set(['Id', 'DomainName', 'OriginPath', 'CustomHeaders', 'OriginCustomHeaders', 'CustomOriginConfig', 'ConnectionTimeout']);
const CUSTOM_ORIGIN_MAPPED = new Set(['OriginReadTimeout', 'OriginKeepaliveTimeout', 'OriginSslProtocols', 'OriginSSLProtocols']);

/** `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` → its parts. */
export function parseLambdaArn(arn: string): { name: string; qualifier: string | undefined; unqualified: string } | undefined {
  const m = /^(arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+))(?::([^:]+))?$/.exec(arn);
  if (m === null) return undefined;
  return { name: m[2] ?? '', qualifier: m[3], unqualified: m[1] ?? arn };
}

/** A function id edgeproxy accepts (no `:`, which separates a qualifier). */
function functionIdFor(arn: string, taken: Set<string>): string {
  const p = parseLambdaArn(arn);
  let base = p === undefined ? arn.replace(/^cfn:/, '') : p.qualifier === undefined || p.qualifier === '$LATEST' ? p.name : `${p.name}-${p.qualifier}`;
  base = base.replace(/[^A-Za-z0-9._-]/g, '-');
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

function selection(
  behavior: string | undefined,
  names: string[],
  what: string,
  at: string,
  problems: string[],
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
      problems.push(`${at}: unknown ${what} behavior ${JSON.stringify(behavior)}`);
      return { behavior: 'none' };
  }
}

/** CachePolicyConfig (API or CloudFormation) → an inline cache policy. */
export function cachePolicyFromConfig(c: Obj, at: string, problems: string[]): CachePolicyIn {
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
  out.queryStrings = selection(str(q.QueryStringBehavior), strings(q.QueryStrings), 'query string', `${at}.QueryStringsConfig`, problems) as CachePolicyIn['queryStrings'];
  out.headers = selection(str(h.HeaderBehavior), strings(h.Headers), 'header', `${at}.HeadersConfig`, problems) as CachePolicyIn['headers'];
  out.cookies = selection(str(k.CookieBehavior), strings(k.Cookies), 'cookie', `${at}.CookiesConfig`, problems) as CachePolicyIn['cookies'];
  out.enableAcceptEncodingGzip = bool(p.EnableAcceptEncodingGzip) === true;
  out.enableAcceptEncodingBrotli = bool(p.EnableAcceptEncodingBrotli) === true;
  return out;
}

/** OriginRequestPolicyConfig → an inline origin request policy. */
export function originRequestPolicyFromConfig(c: Obj, at: string, problems: string[]): OriginRequestPolicyIn {
  const h = obj(c.HeadersConfig) ?? {};
  const k = obj(c.CookiesConfig) ?? {};
  const q = obj(c.QueryStringsConfig) ?? {};
  const out: OriginRequestPolicyIn = {
    queryStrings: selection(str(q.QueryStringBehavior), strings(q.QueryStrings), 'query string', `${at}.QueryStringsConfig`, problems) as OriginRequestPolicyIn['queryStrings'],
    headers: selection(str(h.HeaderBehavior), strings(h.Headers), 'header', `${at}.HeadersConfig`, problems) as OriginRequestPolicyIn['headers'],
    cookies: selection(str(k.CookieBehavior), strings(k.Cookies), 'cookie', `${at}.CookiesConfig`, problems) as OriginRequestPolicyIn['cookies'],
  };
  const name = str(c.Name);
  if (name !== undefined) out.name = name;
  return out;
}

/** ResponseHeadersPolicyConfig (API or CloudFormation) → an inline response headers policy (docs/cloudfront-reference.md §13). */
export function responseHeadersPolicyFromConfig(c: Obj): ResponseHeadersPolicyIn {
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

export function mapDistribution(dc: Obj, ctx: MapContext): MapResult {
  const problems: string[] = [];
  const notEmulated: NotEmulated[] = [];
  const note = (f: string, v: unknown, n: string): void => {
    notEmulated.push({ field: f, value: show(v), note: n });
  };

  for (const [k, v] of Object.entries(dc)) {
    if (TOP_LEVEL_MAPPED.has(k) || METADATA.has(k) || isEmptyValue(v)) continue;
    if (k === 'Enabled' && bool(v) === true) continue;
    if (k === 'IsIPV6Enabled' || k === 'HttpVersion') continue; // no effect on what a request sees
    if (k === 'Restrictions' && (str(obj(obj(v)?.GeoRestriction)?.RestrictionType) ?? 'none') === 'none') continue;
    note(k, v, TOP_LEVEL_NOTES[k] ?? 'ignored locally (unknown to edgeproxy)');
  }

  // ---- origins ----
  const origins: Origin[] = [];
  items(dc.Origins).forEach((raw, i) => {
    const o = obj(raw) ?? {};
    const id = str(o.Id) ?? `origin${i}`;
    const at = `Origins[${id}]`;
    const domain = str(o.DomainName) ?? '';
    const mapped = ctx.originMap.get(domain) ?? ctx.originMap.get(id);
    if (mapped === undefined) {
      const key = domain !== '' && !domain.includes('<') ? domain : id;
      problems.push(`${at}: origin "${domain || id}" has no local URL; map it with --origin-map ${key}=http://127.0.0.1:3000`);
    }
    const originPath = str(o.OriginPath) ?? '';
    const origin: Origin = { id, url: `${(mapped ?? 'http://127.0.0.1').replace(/\/+$/, '')}${originPath}` };
    const headers: Record<string, string> = {};
    for (const h of items(field(o, 'CustomHeaders', 'OriginCustomHeaders'))) {
      const ho = obj(h) ?? {};
      const name = str(ho.HeaderName);
      if (name !== undefined) headers[name] = str(ho.HeaderValue) ?? '';
    }
    if (Object.keys(headers).length > 0) origin.customHeaders = headers;
    const connect = num(o.ConnectionTimeout);
    if (connect !== undefined) origin.connectTimeout = connect;
    const custom = obj(o.CustomOriginConfig);
    if (custom !== undefined) {
      const read = num(custom.OriginReadTimeout);
      const keep = num(custom.OriginKeepaliveTimeout);
      if (read !== undefined) origin.readTimeout = read;
      if (keep !== undefined) origin.keepaliveTimeout = keep;
      const ssl = strings(field(custom, 'OriginSslProtocols', 'OriginSSLProtocols'));
      if (ssl.length > 0) origin.sslProtocols = ssl as NonNullable<Origin['sslProtocols']>;
      const wire = Object.entries(custom).filter(([k, v]) => !CUSTOM_ORIGIN_MAPPED.has(k) && !isEmptyValue(v));
      if (wire.length > 0) {
        note(`${at}.CustomOriginConfig`, Object.fromEntries(wire), 'the --origin-map URL decides scheme and port');
      }
    }
    for (const [k, v] of Object.entries(o)) {
      if (ORIGIN_MAPPED.has(k) || isEmptyValue(v)) continue;
      if (k === 'ConnectionAttempts' && num(v) === 1) continue;
      note(`${at}.${k}`, v, ORIGIN_NOTES[k] ?? 'ignored locally (unknown to edgeproxy)');
    }
    origins.push(origin);
  });

  // ---- functions, shared by every behavior that names the same ARN ----
  const functions: FunctionDef[] = [];
  const functionIds = new Map<string, string>();
  const takenIds = new Set<string>();
  const functionFor = (arn: string, at: string): string | undefined => {
    const known = functionIds.get(arn);
    if (known !== undefined) return known;
    const parsed = parseLambdaArn(arn);
    const code = ctx.templateCode?.get(arn) ?? ctx.functionMap.get(arn) ?? (parsed === undefined ? undefined : ctx.functionMap.get(parsed.unqualified));
    if (code === undefined) {
      const shown = arn.startsWith('cfn:') ? `the template's ${arn.slice(4)}` : arn;
      problems.push(`${at}: function ${shown} has no local code; map it with --function-map ${arn.startsWith('cfn:') ? arn.slice(4) : arn}=functions/handler.js`);
      return undefined;
    }
    const id = functionIdFor(arn, takenIds);
    functionIds.set(arn, id);
    functions.push(code.export === undefined ? { id, file: code.file } : { id, file: code.file, export: code.export });
    if (parsed?.qualifier !== undefined && parsed.qualifier !== '$LATEST') {
      note(`${at}.LambdaFunctionARN`, arn, `runs ${code.file} as $LATEST (version ${parsed.qualifier} is not published locally)`);
    }
    return id;
  };

  // ---- behaviors, in CloudFront's order, the default last ----
  const raws: Array<{ b: Obj; at: string }> = items(dc.CacheBehaviors).map((b, i) => {
    const o = obj(b) ?? {};
    return { b: o, at: `CacheBehaviors[${str(o.PathPattern) ?? i}]` };
  });
  raws.push({ b: obj(dc.DefaultCacheBehavior) ?? {}, at: 'DefaultCacheBehavior' });
  const behaviors: Behavior[] = raws.map(({ b, at }) => {
    const behavior: Behavior = { pathPattern: at === 'DefaultCacheBehavior' ? '*' : (str(b.PathPattern) ?? '') };
    const target = str(b.TargetOriginId);
    if (target !== undefined) behavior.origin = target;
    const allowedRaw = b.AllowedMethods;
    const allowed = strings(allowedRaw);
    if (allowed.length > 0) behavior.allowedMethods = allowed;
    const cached = strings(b.CachedMethods ?? obj(allowedRaw)?.CachedMethods);
    if (cached.length > 0) behavior.cachedMethods = cached;
    const compress = bool(b.Compress) === true;
    behavior.compress = compress;

    const cpId = str(b.CachePolicyId);
    if (cpId !== undefined) {
      const managed = MANAGED_NAME_BY_ID.get(cpId);
      const inTemplate = ctx.cachePolicies?.get(cpId);
      if (managed !== undefined) behavior.cachePolicy = managed;
      else if (inTemplate !== undefined) behavior.cachePolicy = cachePolicyFromConfig(inTemplate, `${at}.CachePolicyId`, problems);
      else problems.push(`${at}.CachePolicyId: "${cpId}" is neither an AWS managed cache policy nor defined in this file; import the CloudFormation template that defines it, or run edgeproxy config --print and write the policy into the config`);
      const orpId = str(b.OriginRequestPolicyId);
      if (orpId === undefined) behavior.originRequestPolicy = null;
      else {
        const m = MANAGED_NAME_BY_ID.get(orpId);
        const t = ctx.originRequestPolicies?.get(orpId);
        if (m !== undefined) behavior.originRequestPolicy = m;
        else if (t !== undefined) behavior.originRequestPolicy = originRequestPolicyFromConfig(t, `${at}.OriginRequestPolicyId`, problems);
        else problems.push(`${at}.OriginRequestPolicyId: "${orpId}" is neither an AWS managed origin request policy nor defined in this file`);
      }
    } else {
      const legacy = legacyPolicies(b, at, compress);
      behavior.cachePolicy = legacy.cachePolicy;
      behavior.originRequestPolicy = legacy.originRequestPolicy;
    }

    const rhpId = str(b.ResponseHeadersPolicyId);
    if (rhpId !== undefined && rhpId !== '') {
      const managed = managedResponseHeadersPolicy(rhpId);
      const inTemplate = ctx.responseHeadersPolicies?.get(rhpId);
      if (managed !== undefined) behavior.responseHeadersPolicy = managed.name;
      else if (inTemplate !== undefined) behavior.responseHeadersPolicy = responseHeadersPolicyFromConfig(inTemplate);
      else problems.push(`${at}.ResponseHeadersPolicyId: "${rhpId}" is neither an AWS managed response headers policy nor defined in this file; import the CloudFormation template that defines it, or run edgeproxy config --print and write the policy into the config`);
    }

    const assoc: NonNullable<Behavior['functions']> = {};
    for (const raw of items(b.LambdaFunctionAssociations)) {
      const a = obj(raw) ?? {};
      const event = str(a.EventType);
      const arn = str(a.LambdaFunctionARN);
      if (event !== 'viewer-request' && event !== 'origin-request' && event !== 'origin-response' && event !== 'viewer-response') {
        problems.push(`${at}.LambdaFunctionAssociations: unknown EventType ${JSON.stringify(event)}`);
        continue;
      }
      if (arn === undefined) {
        problems.push(`${at}.LambdaFunctionAssociations[${event}]: LambdaFunctionARN is missing`);
        continue;
      }
      const id = functionFor(arn, `${at}.LambdaFunctionAssociations[${event}]`);
      if (id !== undefined) assoc[event] = { function: id, includeBody: bool(a.IncludeBody) === true };
    }
    if (Object.keys(assoc).length > 0) behavior.functions = assoc;

    for (const [k, v] of Object.entries(b)) {
      if (BEHAVIOR_MAPPED.has(k) || isEmptyValue(v)) continue;
      if (k === 'ViewerProtocolPolicy' && v === 'allow-all') continue;
      note(`${at}.${k}`, v, BEHAVIOR_NOTES[k] ?? 'ignored locally (unknown to edgeproxy)');
    }
    return behavior;
  });

  // ---- custom error responses (docs/cloudfront-reference.md §12) ----
  const customErrorResponses: NonNullable<ConfigInput['customErrorResponses']> = [];
  for (const raw of items(dc.CustomErrorResponses)) {
    const e = obj(raw) ?? {};
    const errorCode = num(e.ErrorCode);
    if (errorCode === undefined) {
      problems.push(`CustomErrorResponses: ErrorCode is missing or not a number (${show(e)})`);
      continue;
    }
    const r: (typeof customErrorResponses)[number] = { errorCode };
    const page = str(e.ResponsePagePath);
    const code = num(e.ResponseCode);
    const ttl = num(e.ErrorCachingMinTTL);
    if (page !== undefined && page !== '') r.responsePagePath = page;
    if (code !== undefined) r.responseCode = code;
    if (ttl !== undefined) r.errorCachingMinTTL = ttl;
    customErrorResponses.push(r);
  }

  const config: ConfigInput = { origins, behaviors };
  if (functions.length > 0) config.functions = functions;
  if (customErrorResponses.length > 0) config.customErrorResponses = customErrorResponses;
  return { config, notEmulated, problems };
}
