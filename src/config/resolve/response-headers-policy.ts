// behaviors[].responseHeadersPolicy → a compiled policy (docs/cloudfront-reference.md §13): a managed
// policy by name or ID, or a custom one checked against CloudFront's rules (methods, origins with
// `*`, referrer policies, the X-XSS-Protection pairing, CSP length, headers that cannot be removed).

import {
  CORS_METHODS,
  CSP_MAX_LENGTH,
  MANAGED_RESPONSE_HEADERS_POLICIES,
  managedResponseHeadersPolicy,
  REFERRER_POLICIES,
  unremovable,
  type PolicyHeader,
  type ResponseHeadersPolicy,
} from '../../distribution/response-headers-policy.js';
import { isHeaderName } from '../../rules/cloudfront.js';
import { unknownName } from '../../suggest.js';
import type { PathSegment, Problems } from '../problems.js';
import type { ResponseHeadersPolicyInput } from '../schema.js';

/** §13: `*`, or scheme://host[:port] where `*` may only be the leftmost label. */
function originProblem(o: string): string | undefined {
  if (o === '*') return undefined;
  const m = /^(https?:\/\/)?([^/:]+)(:\d+)?$/.exec(o);
  if (!m) return `not an origin like "https://www.example.com" or "*": ${JSON.stringify(o)}`;
  const host = m[2] as string;
  const labels = host.split('.');
  if (labels.some((l, i) => l.includes('*') && !(i === 0 && l === '*' && labels.length > 2))) {
    return `"*" may only be the leftmost label of the domain (like "*.example.org"): ${JSON.stringify(o)}`;
  }
  return undefined;
}

export function resolveResponseHeadersPolicyRef(ref: string | ResponseHeadersPolicyInput, at: PathSegment[], problems: Problems): ResponseHeadersPolicy | undefined {
  if (typeof ref === 'string') {
    const p = managedResponseHeadersPolicy(ref);
    if (p === undefined) {
      problems.add(at, `${unknownName('managed response headers policy', ref, MANAGED_RESPONSE_HEADERS_POLICIES.map((m) => m.name))} (or their IDs); or give an inline policy object`);
    }
    return p;
  }
  return resolveCustom(ref, at, problems);
}

function resolveCustom(p: ResponseHeadersPolicyInput, at: PathSegment[], problems: Problems): ResponseHeadersPolicy {
  let cors: ResponseHeadersPolicy['cors'];
  const c = p.corsConfig;
  if (c !== undefined) {
    const cat = [...at, 'corsConfig'];
    c.accessControlAllowOrigins.forEach((o, i) => {
      const bad = originProblem(o);
      if (bad !== undefined) problems.add([...cat, 'accessControlAllowOrigins', i], bad);
    });
    const methods = new Set<string>();
    (c.accessControlAllowMethods ?? []).forEach((m, i) => {
      if (m === 'ALL') for (const x of CORS_METHODS) methods.add(x);
      else if (CORS_METHODS.includes(m)) methods.add(m);
      else problems.add([...cat, 'accessControlAllowMethods', i], `must be one of ${[...CORS_METHODS, 'ALL'].join(', ')}; got ${JSON.stringify(m)}`);
    });
    for (const key of ['accessControlAllowHeaders', 'accessControlExposeHeaders'] as const) {
      (c[key] ?? []).forEach((h, i) => {
        if (h !== '*' && !isHeaderName(h)) problems.add([...cat, key, i], `not a header name or "*": ${JSON.stringify(h)}`);
      });
    }
    cors = {
      allowOrigins: c.accessControlAllowOrigins,
      allowHeaders: c.accessControlAllowHeaders ?? [],
      allowMethods: [...methods],
      allowCredentials: c.accessControlAllowCredentials,
      exposeHeaders: c.accessControlExposeHeaders ?? [],
      maxAgeSec: c.accessControlMaxAgeSec,
      originOverride: c.originOverride,
    };
  }
  const headers: PolicyHeader[] = [];
  const s = p.securityHeadersConfig;
  const sat = [...at, 'securityHeadersConfig'];
  if (s?.strictTransportSecurity !== undefined) {
    const h = s.strictTransportSecurity;
    const value = `max-age=${h.accessControlMaxAgeSec}${h.includeSubdomains === true ? '; includeSubDomains' : ''}${h.preload === true ? '; preload' : ''}`;
    headers.push({ name: 'Strict-Transport-Security', value, override: h.override });
  }
  if (s?.contentSecurityPolicy !== undefined) {
    const v = s.contentSecurityPolicy.contentSecurityPolicy;
    if (v.length > CSP_MAX_LENGTH) problems.add([...sat, 'contentSecurityPolicy', 'contentSecurityPolicy'], `must be at most ${CSP_MAX_LENGTH} characters, got ${v.length}`);
    headers.push({ name: 'Content-Security-Policy', value: v, override: s.contentSecurityPolicy.override });
  }
  if (s?.contentTypeOptions !== undefined) headers.push({ name: 'X-Content-Type-Options', value: 'nosniff', override: s.contentTypeOptions.override });
  if (s?.frameOptions !== undefined) headers.push({ name: 'X-Frame-Options', value: s.frameOptions.frameOption, override: s.frameOptions.override });
  if (s?.referrerPolicy !== undefined) {
    const v = s.referrerPolicy.referrerPolicy;
    if (!REFERRER_POLICIES.includes(v)) problems.add([...sat, 'referrerPolicy', 'referrerPolicy'], `must be one of ${REFERRER_POLICIES.join(', ')}; got ${JSON.stringify(v)}`);
    headers.push({ name: 'Referrer-Policy', value: v, override: s.referrerPolicy.override });
  }
  if (s?.xssProtection !== undefined) {
    const x = s.xssProtection;
    if (x.modeBlock === true && x.reportUri !== undefined) problems.add([...sat, 'xssProtection'], 'modeBlock and reportUri cannot be set together (CloudFront allows one or the other)');
    const value = !x.protection ? '0' : `1${x.modeBlock === true ? '; mode=block' : ''}${x.reportUri !== undefined ? `; report=${x.reportUri}` : ''}`;
    headers.push({ name: 'X-XSS-Protection', value, override: x.override });
  }
  const seen = new Set(headers.map((h) => h.name.toLowerCase()));
  (p.customHeadersConfig ?? []).forEach((h, i) => {
    const hat = [...at, 'customHeadersConfig', i, 'header'];
    const lower = h.header.toLowerCase();
    if (!isHeaderName(h.header)) problems.add(hat, `not a valid header name: ${JSON.stringify(h.header)}`);
    else if (seen.has(lower)) problems.add(hat, `"${h.header}" is already set by this policy (names are case-insensitive)`);
    else headers.push({ name: h.header, value: h.value, override: h.override });
    seen.add(lower);
  });
  const remove: string[] = [];
  (p.removeHeadersConfig ?? []).forEach((h, i) => {
    if (unremovable(h)) problems.add([...at, 'removeHeadersConfig', i], `CloudFront cannot remove "${h}" with a response headers policy`);
    else remove.push(h.toLowerCase());
  });
  const st = p.serverTimingHeadersConfig;
  if (!cors && headers.length === 0 && remove.length === 0 && st?.enabled !== true) {
    problems.add(at, 'configures nothing: give at least one of corsConfig, securityHeadersConfig, customHeadersConfig, removeHeadersConfig, serverTimingHeadersConfig');
  }
  return {
    name: p.name ?? 'custom',
    id: undefined,
    cors,
    headers,
    remove,
    serverTimingSamplingRate: st?.enabled === true ? st.samplingRate : undefined,
  };
}
