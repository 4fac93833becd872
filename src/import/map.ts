// A CloudFront DistributionConfig → edgeproxy's config input (what a config file holds), plus the
// rows of what cannot be emulated. Reads both the API form (`{ Quantity, Items }`) and the
// CloudFormation form (plain arrays) through json.ts. The result is validated by the ordinary
// config loader, so every rule of docs/config.md applies to an import too.
// One file per section of DistributionConfig: origins.ts, origin-groups.ts, behaviors.ts (with
// policies.ts, functions.ts and key-groups.ts), restrictions.ts; the other top-level fields and
// CustomErrorResponses are here.
// Field names: CloudFront API Reference, DistributionConfig; AWS::CloudFront::Distribution.

import type { ConfigInput } from '../config/schema.js';
import { mapBehaviors } from './behaviors.js';
import { type Behavior, type MapContext, MapSink } from './context.js';
import { FunctionRegistry } from './functions.js';
import { KeyGroupRegistry } from './key-groups.js';
import { bool, isEmptyValue, items, num, obj, type Obj, show, str } from './json.js';
import { mapOriginGroups } from './origin-groups.js';
import { mapOrigins } from './origins.js';
import { mapRestrictions } from './restrictions.js';
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
  ViewerCertificate: 'ignored locally: edgeproxy listens on plain HTTP (add listen.https for an HTTPS listener)',
  WebACLId: 'ignored locally: no AWS WAF',
  Logging: 'ignored locally: use --access-log FILE for CloudFront standard-log lines',
  PriceClass: 'ignored locally: one local edge location',
  Enabled: 'ignored locally: a running edgeproxy serves',
  DefaultRootObject: 'not emulated: request "/" reaches the origin as "/"',
  ContinuousDeploymentPolicyId: 'ignored locally: no staging distribution',
  Staging: 'ignored locally: no staging distribution',
  AnycastIpListId: 'ignored locally',
  TenantConfig: 'ignored locally',
  ConnectionMode: 'ignored locally',
};
/** Descriptive fields and defaults that change nothing a request sees; not listed. */
const SILENT = new Set(['CallerReference', 'Comment', 'IsIPV6Enabled', 'IPV6Enabled']);
const TOP_LEVEL_MAPPED = new Set(['Origins', 'OriginGroups', 'DefaultCacheBehavior', 'CacheBehaviors', 'CustomErrorResponses', 'Restrictions', 'HttpVersion', 'ViewerCertificate']);
const HTTP_VERSIONS = ['http1.1', 'http2', 'http2and3', 'http3'] as const;

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

/**
 * HttpVersion and ViewerCertificate (docs/cloudfront-reference.md §16): the HTTP versions the HTTPS
 * listener offers; an HTTPS listener with a self-signed localhost certificate when a behavior
 * redirects to or requires HTTPS — else nothing could reach that behavior — instead of the ACM or
 * IAM certificate, which stays in AWS.
 */
function mapViewerSide(dc: Obj, behaviors: readonly Behavior[], config: ConfigInput, sink: MapSink): void {
  const hv = str(dc.HttpVersion);
  if (hv !== undefined) {
    if ((HTTP_VERSIONS as readonly string[]).includes(hv)) config.httpVersion = hv as (typeof HTTP_VERSIONS)[number];
    else sink.problem(`HttpVersion: unknown value ${JSON.stringify(hv)} (expected ${HTTP_VERSIONS.join(', ')})`);
    if (hv === 'http2and3' || hv === 'http3') sink.note('HttpVersion', hv, 'HTTP/3 is not emulated: the HTTPS listener offers HTTP/2 and HTTP/1.1');
  }
  const cert = dc.ViewerCertificate;
  const needsHttps = behaviors.some((b) => b.viewerProtocolPolicy !== undefined && b.viewerProtocolPolicy !== 'allow-all');
  if (needsHttps) {
    config.listen = { https: {} };
    sink.note('ViewerCertificate', cert ?? '(none)', 'an HTTPS listener (listen.https) with a self-signed localhost certificate instead; give listen.https.cert/key for your own');
  } else if (!isEmptyValue(cert)) {
    sink.note('ViewerCertificate', cert, TOP_LEVEL_NOTES.ViewerCertificate ?? '');
  }
}

export function mapDistribution(dc: Obj, ctx: MapContext): MapResult {
  const sink = new MapSink();
  for (const [k, v] of Object.entries(dc)) {
    if (TOP_LEVEL_MAPPED.has(k) || SILENT.has(k) || isEmptyValue(v)) continue;
    if (k === 'Enabled' && bool(v) === true) continue;
    sink.note(k, v, TOP_LEVEL_NOTES[k] ?? 'ignored locally (unknown to edgeproxy)');
  }
  const origins = mapOrigins(dc.Origins, ctx, sink);
  const originGroups = mapOriginGroups(dc.OriginGroups, sink);
  const functions = new FunctionRegistry(ctx, sink);
  const keyGroups = new KeyGroupRegistry(ctx, sink);
  const behaviors = mapBehaviors(dc, ctx, { functions, keyGroups }, sink);
  const customErrorResponses = mapCustomErrorResponses(dc.CustomErrorResponses, sink);
  const restrictions = mapRestrictions(dc.Restrictions);

  const config: ConfigInput = { origins, behaviors };
  if (originGroups.length > 0) config.originGroups = originGroups;
  if (functions.functions.length > 0) config.functions = functions.functions;
  if (functions.keyValueStores.length > 0) config.keyValueStores = functions.keyValueStores;
  if (keyGroups.publicKeys.length > 0) config.publicKeys = keyGroups.publicKeys;
  if (keyGroups.keyGroups.length > 0) config.keyGroups = keyGroups.keyGroups;
  if (restrictions !== undefined) config.restrictions = restrictions;
  if (customErrorResponses.length > 0) config.customErrorResponses = customErrorResponses;
  mapViewerSide(dc, behaviors, config, sink);
  return { config, notEmulated: sink.notEmulated, problems: sink.problems };
}
