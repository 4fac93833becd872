// edgeproxy's config input → a CloudFront DistributionConfig (API form, `{ Quantity, Items }`) for
// the fields both have: origins (the URL becomes DomainName + OriginPath), behaviors in order,
// methods, managed policies by their AWS IDs, legacy ForwardedValues + TTLs, Lambda@Edge
// associations, custom error responses. What has no DistributionConfig form is reported in `notes`.

import { MANAGED_POLICY_IDS } from '../config/managed-policies.js';
import { managedResponseHeadersPolicy } from '../distribution/response-headers-policy.js';
import type { ConfigInput } from '../config/schema.js';

type Behavior = NonNullable<ConfigInput['behaviors']>[number];
type Json = Record<string, unknown>;

const list = (xs: readonly unknown[]): Json => (xs.length === 0 ? { Quantity: 0 } : { Quantity: xs.length, Items: [...xs] });

function managedId(name: string): string | undefined {
  return MANAGED_POLICY_IDS[name.startsWith('Managed-') ? name.slice('Managed-'.length) : name];
}

function namesOf(sel: unknown): { behavior: string; names: string[] } {
  if (typeof sel === 'string') return { behavior: sel, names: [] };
  if (typeof sel === 'object' && sel !== null && 'behavior' in sel) {
    const names = 'names' in sel && Array.isArray(sel.names) ? sel.names.map(String) : [];
    return { behavior: String(sel.behavior), names };
  }
  return { behavior: 'none', names: [] };
}

export function toDistributionConfig(c: ConfigInput): { distributionConfig: Json; notes: string[] } {
  const notes: string[] = [];
  const origins = c.origins.map((o) => {
    const u = new URL(o.url);
    const originPath = u.pathname.replace(/\/+$/, '');
    const custom: Json = {
      HTTPPort: u.protocol === 'http:' ? Number(u.port || 80) : 80,
      HTTPSPort: u.protocol === 'https:' ? Number(u.port || 443) : 443,
      OriginProtocolPolicy: u.protocol === 'https:' ? 'https-only' : 'http-only',
    };
    if (o.sslProtocols !== undefined) custom.OriginSslProtocols = list(o.sslProtocols);
    if (o.readTimeout !== undefined) custom.OriginReadTimeout = o.readTimeout;
    if (o.keepaliveTimeout !== undefined) custom.OriginKeepaliveTimeout = o.keepaliveTimeout;
    const out: Json = {
      Id: o.id,
      DomainName: u.hostname,
      OriginPath: originPath,
      CustomHeaders: list(Object.entries(o.customHeaders ?? {}).map(([HeaderName, HeaderValue]) => ({ HeaderName, HeaderValue }))),
      CustomOriginConfig: custom,
    };
    if (o.connectTimeout !== undefined) out.ConnectionTimeout = o.connectTimeout;
    return out;
  });
  const behaviorOut = (b: Behavior, i: number): Json => {
    const at = `behaviors[${i}]`;
    const out: Json = {};
    if (b.pathPattern !== '*') out.PathPattern = b.pathPattern;
    out.TargetOriginId = b.origin ?? c.origins[0]?.id;
    if (b.allowedMethods !== undefined) {
      const am: Json = list(b.allowedMethods);
      if (b.cachedMethods !== undefined) am.CachedMethods = list(b.cachedMethods);
      out.AllowedMethods = am;
    }
    if (b.compress !== undefined) out.Compress = b.compress;
    const assocs = Object.entries(b.functions ?? {}).flatMap(([EventType, ref]) => {
      if (ref === undefined) return [];
      const id = typeof ref === 'string' ? ref : ref.function;
      const fn = (c.functions ?? []).find((f) => f.id === id);
      const arn = `arn:aws:lambda:us-east-1:123456789012:function:${id}`;
      if (fn === undefined) notes.push(`${at}.functions.${EventType}: "${id}" is a qualified reference; written as ${arn}`);
      return [{ LambdaFunctionARN: arn, EventType, IncludeBody: typeof ref === 'string' ? false : ref.includeBody === true }];
    });
    out.LambdaFunctionAssociations = list(assocs);
    const cp = b.cachePolicy;
    if (typeof cp === 'string') {
      const id = managedId(cp);
      if (id === undefined) notes.push(`${at}.cachePolicy: "${cp}" is not a managed policy; no CachePolicyId written`);
      else out.CachePolicyId = id;
    } else if (cp !== undefined && cp.name?.startsWith('legacy ForwardedValues') === true) {
      const q = namesOf(cp.queryStrings);
      const h = namesOf(cp.headers);
      const k = namesOf(cp.cookies);
      out.ForwardedValues = {
        QueryString: q.behavior !== 'none',
        Cookies: k.behavior === 'whitelist' ? { Forward: 'whitelist', WhitelistedNames: list(k.names) } : { Forward: k.behavior === 'all' ? 'all' : 'none' },
        Headers: list(h.names),
        QueryStringCacheKeys: list(q.names),
      };
      out.MinTTL = cp.minTTL;
      out.DefaultTTL = cp.defaultTTL;
      out.MaxTTL = cp.maxTTL;
    } else if (cp !== undefined) {
      notes.push(`${at}.cachePolicy: an inline cache policy has no ID in a DistributionConfig; create it (aws cloudfront create-cache-policy) and set CachePolicyId`);
    }
    const orp = b.originRequestPolicy;
    if (typeof orp === 'string') {
      const id = managedId(orp);
      if (id === undefined) notes.push(`${at}.originRequestPolicy: "${orp}" is not a managed policy; no OriginRequestPolicyId written`);
      else out.OriginRequestPolicyId = id;
    } else if (orp !== undefined && orp !== null && orp.name?.startsWith('legacy ForwardedValues') === true) {
      // Forwarding all headers: legacy `Headers: ["*"]`; all query strings is already QueryString true.
      if (namesOf(orp.headers).behavior === 'allViewer') (out.ForwardedValues as Json).Headers = list(['*']);
    } else if (orp !== undefined && orp !== null) {
      notes.push(`${at}.originRequestPolicy: an inline origin request policy has no ID in a DistributionConfig`);
    }
    const rhp = b.responseHeadersPolicy;
    if (typeof rhp === 'string') {
      const m = managedResponseHeadersPolicy(rhp);
      if (m === undefined) notes.push(`${at}.responseHeadersPolicy: "${rhp}" is not a managed policy; no ResponseHeadersPolicyId written`);
      else out.ResponseHeadersPolicyId = m.id;
    } else if (rhp !== undefined) {
      notes.push(`${at}.responseHeadersPolicy: an inline response headers policy has no ID in a DistributionConfig; create it (aws cloudfront create-response-headers-policy) and set ResponseHeadersPolicyId`);
    }
    return out;
  };
  const behaviors = c.behaviors ?? [];
  const def = behaviors.findIndex((b) => b.pathPattern === '*');
  const dc: Json = {
    Origins: list(origins),
    DefaultCacheBehavior: def === -1 ? { TargetOriginId: c.origins[0]?.id } : behaviorOut(behaviors[def] as Behavior, def),
    CacheBehaviors: list(behaviors.flatMap((b, i) => (i === def ? [] : [behaviorOut(b, i)]))),
    CustomErrorResponses: list(
      (c.customErrorResponses ?? []).map((e) => {
        const r: Json = { ErrorCode: e.errorCode };
        if (e.responsePagePath !== undefined) r.ResponsePagePath = e.responsePagePath;
        if (e.responseCode !== undefined) r.ResponseCode = String(e.responseCode);
        if (e.errorCachingMinTTL !== undefined) r.ErrorCachingMinTTL = e.errorCachingMinTTL;
        return r;
      }),
    ),
  };
  return { distributionConfig: dc, notes };
}
