// edgeproxy's inline policies → CloudFront's CachePolicyConfig / OriginRequestPolicyConfig /
// ResponseHeadersPolicyConfig (API form, `{ Quantity, Items }`), the inverse of policies.ts, for
// `config --to-distribution --policy-out DIR`: a DistributionConfig names a custom policy by ID, so
// each is written as the JSON `aws cloudfront get-*-policy` prints, which --policy-file reads back.
// Field names: CloudFront API Reference, CachePolicyConfig, OriginRequestPolicyConfig,
// ResponseHeadersPolicyConfig.

import { createHash } from 'node:crypto';
import type { CachePolicyIn, OriginRequestPolicyIn, ResponseHeadersPolicyIn } from './context.js';

type Json = Record<string, unknown>;

export const list = (xs: readonly unknown[]): Json => (xs.length === 0 ? { Quantity: 0 } : { Quantity: xs.length, Items: [...xs] });

/** What --policy-out writes: custom policies, and the key groups and public keys of trusted key groups. */
export type PolicyKind = 'CachePolicy' | 'OriginRequestPolicy' | 'ResponseHeadersPolicy' | 'KeyGroup' | 'PublicKey';

export interface ExportedPolicy {
  kind: PolicyKind;
  id: string;
  config: Json;
}

/** `"none"` or `{ behavior, names }` → its parts. */
export function namesOf(sel: unknown): { behavior: string; names: string[] } {
  if (typeof sel === 'string') return { behavior: sel, names: [] };
  if (typeof sel === 'object' && sel !== null && 'behavior' in sel) {
    const names = 'names' in sel && Array.isArray(sel.names) ? sel.names.map(String) : [];
    return { behavior: String(sel.behavior), names };
  }
  return { behavior: 'none', names: [] };
}

/** A policy's ID: a UUID derived from its kind and contents, so one policy shared by behaviors gets one ID. */
export function policyId(kind: PolicyKind, config: Json): string {
  const h = createHash('sha256').update(`${kind}\n${JSON.stringify(config)}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function selectionConfig(sel: unknown, behaviorKey: string, listKey: string): Json {
  const s = namesOf(sel ?? 'none');
  const out: Json = { [behaviorKey]: s.behavior };
  if (s.names.length > 0) out[listKey] = list(s.names);
  return out;
}

export function cachePolicyConfig(p: CachePolicyIn, fallbackName: string): Json {
  const out: Json = { Name: p.name ?? fallbackName };
  if (p.minTTL !== undefined) out.MinTTL = p.minTTL;
  if (p.defaultTTL !== undefined) out.DefaultTTL = p.defaultTTL;
  if (p.maxTTL !== undefined) out.MaxTTL = p.maxTTL;
  out.ParametersInCacheKeyAndForwardedToOrigin = {
    EnableAcceptEncodingGzip: p.enableAcceptEncodingGzip === true,
    EnableAcceptEncodingBrotli: p.enableAcceptEncodingBrotli === true,
    HeadersConfig: selectionConfig(p.headers, 'HeaderBehavior', 'Headers'),
    CookiesConfig: selectionConfig(p.cookies, 'CookieBehavior', 'Cookies'),
    QueryStringsConfig: selectionConfig(p.queryStrings, 'QueryStringBehavior', 'QueryStrings'),
  };
  return out;
}

export function originRequestPolicyConfig(p: OriginRequestPolicyIn, fallbackName: string): Json {
  return {
    Name: p.name ?? fallbackName,
    HeadersConfig: selectionConfig(p.headers, 'HeaderBehavior', 'Headers'),
    CookiesConfig: selectionConfig(p.cookies, 'CookieBehavior', 'Cookies'),
    QueryStringsConfig: selectionConfig(p.queryStrings, 'QueryStringBehavior', 'QueryStrings'),
  };
}

/** docs/cloudfront-reference.md §13. */
export function responseHeadersPolicyConfig(p: ResponseHeadersPolicyIn, fallbackName: string): Json {
  const out: Json = { Name: p.name ?? fallbackName };
  const cors = p.corsConfig;
  if (cors !== undefined) {
    const c: Json = {
      AccessControlAllowOrigins: list(cors.accessControlAllowOrigins),
      AccessControlAllowCredentials: cors.accessControlAllowCredentials,
      OriginOverride: cors.originOverride,
    };
    if (cors.accessControlAllowHeaders !== undefined) c.AccessControlAllowHeaders = list(cors.accessControlAllowHeaders);
    if (cors.accessControlAllowMethods !== undefined) c.AccessControlAllowMethods = list(cors.accessControlAllowMethods);
    if (cors.accessControlExposeHeaders !== undefined) c.AccessControlExposeHeaders = list(cors.accessControlExposeHeaders);
    if (cors.accessControlMaxAgeSec !== undefined) c.AccessControlMaxAgeSec = cors.accessControlMaxAgeSec;
    out.CorsConfig = c;
  }
  const sec = p.securityHeadersConfig;
  if (sec !== undefined) {
    const s: Json = {};
    const hsts = sec.strictTransportSecurity;
    if (hsts !== undefined) {
      const h: Json = { AccessControlMaxAgeSec: hsts.accessControlMaxAgeSec, Override: hsts.override };
      if (hsts.includeSubdomains !== undefined) h.IncludeSubdomains = hsts.includeSubdomains;
      if (hsts.preload !== undefined) h.Preload = hsts.preload;
      s.StrictTransportSecurity = h;
    }
    if (sec.contentSecurityPolicy !== undefined) s.ContentSecurityPolicy = { ContentSecurityPolicy: sec.contentSecurityPolicy.contentSecurityPolicy, Override: sec.contentSecurityPolicy.override };
    if (sec.contentTypeOptions !== undefined) s.ContentTypeOptions = { Override: sec.contentTypeOptions.override };
    if (sec.frameOptions !== undefined) s.FrameOptions = { FrameOption: sec.frameOptions.frameOption, Override: sec.frameOptions.override };
    if (sec.referrerPolicy !== undefined) s.ReferrerPolicy = { ReferrerPolicy: sec.referrerPolicy.referrerPolicy, Override: sec.referrerPolicy.override };
    const xss = sec.xssProtection;
    if (xss !== undefined) {
      const x: Json = { Protection: xss.protection, Override: xss.override };
      if (xss.modeBlock !== undefined) x.ModeBlock = xss.modeBlock;
      if (xss.reportUri !== undefined) x.ReportUri = xss.reportUri;
      s.XSSProtection = x;
    }
    out.SecurityHeadersConfig = s;
  }
  if (p.customHeadersConfig !== undefined) out.CustomHeadersConfig = list(p.customHeadersConfig.map((h) => ({ Header: h.header, Value: h.value, Override: h.override })));
  if (p.removeHeadersConfig !== undefined) out.RemoveHeadersConfig = list(p.removeHeadersConfig.map((Header) => ({ Header })));
  if (p.serverTimingHeadersConfig !== undefined) out.ServerTimingHeadersConfig = { Enabled: p.serverTimingHeadersConfig.enabled, SamplingRate: p.serverTimingHeadersConfig.samplingRate };
  return out;
}

/** The JSON `aws cloudfront get-cache-policy` (…, `get-key-group`, `get-public-key`) prints for one; --policy-file reads it. */
export function policyFileJson(p: ExportedPolicy): Json {
  return { [p.kind]: { Id: p.id, [`${p.kind}Config`]: p.config } };
}
