// A CloudFront DistributionConfig → edgeproxy's config input (what a config file holds), plus the
// rows of what cannot be emulated. Reads both the API form (`{ Quantity, Items }`) and the
// CloudFormation form (plain arrays) through json.ts. The result is validated by the ordinary
// config loader, so every rule of docs/config.md applies to an import too.
// One file per section of DistributionConfig: origins.ts, behaviors.ts (with policies.ts and
// functions.ts); the top-level fields and CustomErrorResponses are here.
// Field names: CloudFront API Reference, DistributionConfig; AWS::CloudFront::Distribution.

import type { ConfigInput } from '../config/schema.js';
import { mapBehaviors } from './behaviors.js';
import { type MapContext, MapSink } from './context.js';
import { FunctionRegistry } from './functions.js';
import { bool, isEmptyValue, items, num, obj, type Obj, show, str } from './json.js';
import { mapOrigins } from './origins.js';
import type { NotEmulated } from './report.js';

export type { LocalCode, MapContext } from './context.js';
export { parseLambdaArn } from './functions.js';

interface MapResult {
  config: ConfigInput;
  notEmulated: NotEmulated[];
  /** Fields that stop the import (an unmapped origin or function), one line each. */
  problems: string[];
}

/** Top-level fields with no local meaning, and what edgeproxy does instead. */
const TOP_LEVEL_NOTES: Readonly<Record<string, string>> = {
  Aliases: 'ignored locally: edgeproxy answers for any Host',
  ViewerCertificate: 'ignored locally: edgeproxy listens on plain HTTP',
  WebACLId: 'ignored locally: no AWS WAF',
  Logging: 'ignored locally: use --access-log FILE for CloudFront standard-log lines',
  PriceClass: 'ignored locally: one local edge location',
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
/** Descriptive fields and defaults that change nothing a request sees; not listed. */
const SILENT = new Set(['CallerReference', 'Comment', 'HttpVersion', 'IsIPV6Enabled', 'IPV6Enabled']);
const TOP_LEVEL_MAPPED = new Set(['Origins', 'DefaultCacheBehavior', 'CacheBehaviors', 'CustomErrorResponses']);

/** CustomErrorResponses (docs/cloudfront-reference.md §12). */
function mapCustomErrorResponses(list: unknown, sink: MapSink): NonNullable<ConfigInput['customErrorResponses']> {
  const out: NonNullable<ConfigInput['customErrorResponses']> = [];
  for (const raw of items(list)) {
    const e = obj(raw) ?? {};
    const errorCode = num(e.ErrorCode);
    if (errorCode === undefined) {
      sink.problem(`CustomErrorResponses: ErrorCode is missing or not a number (${show(e)})`);
      continue;
    }
    const r: (typeof out)[number] = { errorCode };
    const page = str(e.ResponsePagePath);
    const code = num(e.ResponseCode);
    const ttl = num(e.ErrorCachingMinTTL);
    if (page !== undefined && page !== '') r.responsePagePath = page;
    if (code !== undefined) r.responseCode = code;
    if (ttl !== undefined) r.errorCachingMinTTL = ttl;
    out.push(r);
  }
  return out;
}

export function mapDistribution(dc: Obj, ctx: MapContext): MapResult {
  const sink = new MapSink();
  for (const [k, v] of Object.entries(dc)) {
    if (TOP_LEVEL_MAPPED.has(k) || SILENT.has(k) || isEmptyValue(v)) continue;
    if (k === 'Enabled' && bool(v) === true) continue;
    if (k === 'Restrictions' && (str(obj(obj(v)?.GeoRestriction)?.RestrictionType) ?? 'none') === 'none') continue;
    sink.note(k, v, TOP_LEVEL_NOTES[k] ?? 'ignored locally (unknown to edgeproxy)');
  }
  const origins = mapOrigins(dc.Origins, ctx, sink);
  const registry = new FunctionRegistry(ctx, sink);
  const behaviors = mapBehaviors(dc, ctx, registry, sink);
  const customErrorResponses = mapCustomErrorResponses(dc.CustomErrorResponses, sink);

  const config: ConfigInput = { origins, behaviors };
  if (registry.functions.length > 0) config.functions = registry.functions;
  if (registry.keyValueStores.length > 0) config.keyValueStores = registry.keyValueStores;
  if (customErrorResponses.length > 0) config.customErrorResponses = customErrorResponses;
  return { config, notEmulated: sink.notEmulated, problems: sink.problems };
}
