// edgeproxy's config input → a CloudFront DistributionConfig (API form, `{ Quantity, Items }`) for
// the fields both have: origins (the URL becomes DomainName + OriginPath), behaviors in order,
// methods, managed policies by their AWS IDs, custom policies by generated IDs (their bodies in
// `policies`, for --policy-out), legacy ForwardedValues + TTLs, Lambda@Edge and CloudFront Function
// associations, viewer protocol policies, trusted key groups (their groups and keys in `policies`),
// origin groups, geo restriction, HttpVersion, custom error responses. What has no DistributionConfig
// form is reported in `notes`.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MANAGED_POLICY_IDS } from '../config/managed-policies.js';
import { managedResponseHeadersPolicy } from '../distribution/response-headers-policy.js';
import type { ConfigInput } from '../config/schema.js';
import {
  cachePolicyConfig,
  type ExportedPolicy,
  list,
  namesOf,
  originRequestPolicyConfig,
  type PolicyKind,
  policyId,
  responseHeadersPolicyConfig,
} from './export-policies.js';

type Behavior = NonNullable<ConfigInput['behaviors']>[number];
type Json = Record<string, unknown>;

/** The account and region the exported ARNs name (the import's pseudo parameters, docs/import.md). */
const ACCOUNT = '123456789012';
export const lambdaArnFor = (id: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${id}`;
export const cffArnFor = (id: string): string => `arn:aws:cloudfront::${ACCOUNT}:function/${id}`;

function managedId(name: string): string | undefined {
  return MANAGED_POLICY_IDS[name.startsWith('Managed-') ? name.slice('Managed-'.length) : name];
}

interface ToDistributionOptions {
  /** Give custom policies IDs and return their bodies (`config --to-distribution --policy-out DIR`). */
  exportPolicies?: boolean;
  /** Where a public key's `file` is relative to (the config file's directory). */
  baseDir?: string;
}

export function toDistributionConfig(c: ConfigInput, opts: ToDistributionOptions = {}): { distributionConfig: Json; notes: string[]; policies: ExportedPolicy[] } {
  const notes: string[] = [];
  const policies = new Map<string, ExportedPolicy>();
  /** A custom policy → its generated ID (the same body, the same ID), or undefined with a note. */
  const custom = (kind: PolicyKind, config: Json, at: string, create: string): string | undefined => {
    if (opts.exportPolicies !== true) {
      notes.push(`${at}: an inline ${create.replace(/-/g, ' ')} has no ID in a DistributionConfig; write it with --policy-out DIR (and import with --policy-file DIR), or create it (aws cloudfront create-${create}) and set its ID`);
      return undefined;
    }
    const id = policyId(kind, config);
    policies.set(id, { kind, id, config });
    return id;
  };
  const runtimeOf = new Map((c.functions ?? []).map((f) => [f.id, f.runtime]));
  (c.functions ?? []).forEach((f, i) => {
    if (f.keyValueStore !== undefined) {
      notes.push(`functions[${i}].keyValueStore: a CloudFront Function's key value store is in its FunctionConfig, not in the DistributionConfig; import again with --kvs-map ${cffArnFor(f.id)}=FILE`);
    }
  });
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
    out.ViewerProtocolPolicy = b.viewerProtocolPolicy ?? 'allow-all';
    const tkg = b.trustedKeyGroups ?? [];
    out.TrustedKeyGroups = tkg.length === 0 ? { Enabled: false, Quantity: 0 } : { Enabled: true, ...list(tkg) };
    if (tkg.length > 0) trusted = true;
    const lambdas: Json[] = [];
    const cffs: Json[] = [];
    for (const [EventType, ref] of Object.entries(b.functions ?? {})) {
      if (ref === undefined) continue;
      const id = typeof ref === 'string' ? ref : ref.function;
      if (runtimeOf.get(id)?.startsWith('cloudfront-js-') === true) {
        cffs.push({ FunctionARN: cffArnFor(id), EventType });
        continue;
      }
      const arn = lambdaArnFor(id);
      if (!runtimeOf.has(id)) notes.push(`${at}.functions.${EventType}: "${id}" is a qualified reference; written as ${arn}`);
      lambdas.push({ LambdaFunctionARN: arn, EventType, IncludeBody: typeof ref === 'string' ? false : ref.includeBody === true });
    }
    out.LambdaFunctionAssociations = list(lambdas);
    out.FunctionAssociations = list(cffs);
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
      const id = custom('CachePolicy', cachePolicyConfig(cp, `edgeproxy-${at}-cache`), `${at}.cachePolicy`, 'cache-policy');
      if (id !== undefined) out.CachePolicyId = id;
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
      const id = custom('OriginRequestPolicy', originRequestPolicyConfig(orp, `edgeproxy-${at}-origin-request`), `${at}.originRequestPolicy`, 'origin-request-policy');
      if (id !== undefined) out.OriginRequestPolicyId = id;
    }
    const rhp = b.responseHeadersPolicy;
    if (typeof rhp === 'string') {
      const m = managedResponseHeadersPolicy(rhp);
      if (m === undefined) notes.push(`${at}.responseHeadersPolicy: "${rhp}" is not a managed policy; no ResponseHeadersPolicyId written`);
      else out.ResponseHeadersPolicyId = m.id;
    } else if (rhp !== undefined) {
      const id = custom('ResponseHeadersPolicy', responseHeadersPolicyConfig(rhp, `edgeproxy-${at}-headers`), `${at}.responseHeadersPolicy`, 'response-headers-policy');
      if (id !== undefined) out.ResponseHeadersPolicyId = id;
    }
    return out;
  };
  let trusted = false;
  const behaviors = c.behaviors ?? [];
  const def = behaviors.findIndex((b) => b.pathPattern === '*');
  const dc: Json = {
    Origins: list(origins),
    DefaultCacheBehavior: def === -1 ? { TargetOriginId: c.origins[0]?.id } : behaviorOut(behaviors[def] as Behavior, def),
    CacheBehaviors: list(behaviors.flatMap((b, i) => (i === def ? [] : [behaviorOut(b, i)]))),
    OriginGroups: list(
      (c.originGroups ?? []).map((g) => {
        const members = g.members.map((m) => ({ OriginId: typeof m === 'string' ? m : m.originId }));
        const out: Json = { Id: g.id, FailoverCriteria: { StatusCodes: list(g.failoverCriteria.statusCodes) }, Members: list(members) };
        if (g.selectionCriteria !== undefined) out.SelectionCriteria = g.selectionCriteria;
        return out;
      }),
    ),
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
  const geo = c.restrictions?.geoRestriction;
  if (geo !== undefined) dc.Restrictions = { GeoRestriction: { RestrictionType: geo.restrictionType, ...list(geo.locations ?? []) } };
  if (c.httpVersion !== undefined) dc.HttpVersion = c.httpVersion;
  // Key groups and public keys are named by ID like policies (docs/cloudfront-reference.md §15.1).
  if (trusted || (c.keyGroups ?? []).length > 0) {
    if (opts.exportPolicies !== true) {
      notes.push('keyGroups, publicKeys: a DistributionConfig names key groups by ID; write them with --policy-out DIR (and import with --policy-file DIR)');
    } else {
      for (const g of c.keyGroups ?? []) {
        const config: Json = { Name: g.name ?? g.id, Items: [...g.items] };
        if (g.comment !== undefined) config.Comment = g.comment;
        policies.set(`KeyGroup:${g.id}`, { kind: 'KeyGroup', id: g.id, config });
      }
      for (const k of c.publicKeys ?? []) {
        const encodedKey = k.encodedKey ?? readFileSync(path.resolve(opts.baseDir ?? '.', k.file ?? ''), 'utf8');
        const config: Json = { CallerReference: `edgeproxy-${k.id}`, Name: k.name ?? k.id, EncodedKey: encodedKey };
        if (k.comment !== undefined) config.Comment = k.comment;
        policies.set(`PublicKey:${k.id}`, { kind: 'PublicKey', id: k.id, config });
      }
    }
  }
  return { distributionConfig: dc, notes, policies: [...policies.values()] };
}
