// DistributionConfig.CacheBehaviors (in order) and DefaultCacheBehavior (last, as `*`) → edgeproxy's
// behaviors: path pattern, target origin (or origin group), viewer protocol policy, methods,
// compression, policies (policies.ts), trusted key groups (key-groups.ts) and the function
// associations — Lambda@Edge and CloudFront Functions (functions.ts).
// Field names: CloudFront API Reference, CacheBehavior and DefaultCacheBehavior.

import type { Behavior, MapContext, MapSink } from './context.js';
import type { FunctionRegistry } from './functions.js';
import type { KeyGroupRegistry } from './key-groups.js';
import { bool, isEmptyValue, items, obj, type Obj, str, strings } from './json.js';
import { mapBehaviorPolicies } from './policies.js';

const BEHAVIOR_NOTES: Readonly<Record<string, string>> = {
  TrustedSigners: 'not emulated: trusted signers are AWS accounts\' CloudFront key pairs; use TrustedKeyGroups (signed URLs are then checked)',
  FieldLevelEncryptionId: 'ignored locally: no field-level encryption',
  RealtimeLogConfigArn: 'ignored locally: use --access-log FILE',
  SmoothStreaming: 'ignored locally',
  GrpcConfig: 'ignored locally',
};
const BEHAVIOR_MAPPED = new Set([
  'PathPattern', 'TargetOriginId', 'AllowedMethods', 'CachedMethods', 'Compress', 'CachePolicyId', 'OriginRequestPolicyId',
  'ForwardedValues', 'MinTTL', 'DefaultTTL', 'MaxTTL', 'LambdaFunctionAssociations', 'FunctionAssociations', 'ResponseHeadersPolicyId',
  'ViewerProtocolPolicy', 'TrustedKeyGroups',
]);
const VIEWER_PROTOCOL_POLICIES = ['allow-all', 'redirect-to-https', 'https-only'] as const;
type ViewerProtocolPolicy = (typeof VIEWER_PROTOCOL_POLICIES)[number];

type EventType = keyof NonNullable<Behavior['functions']>;
const isEventType = (e: string | undefined): e is EventType =>
  e === 'viewer-request' || e === 'origin-request' || e === 'origin-response' || e === 'viewer-response';

function mapAssociations(b: Obj, at: string, registry: FunctionRegistry, sink: MapSink): Behavior['functions'] {
  const assoc: NonNullable<Behavior['functions']> = {};
  for (const raw of items(b.LambdaFunctionAssociations)) {
    const a = obj(raw) ?? {};
    const event = str(a.EventType);
    const arn = str(a.LambdaFunctionARN);
    if (!isEventType(event)) {
      sink.problem(`${at}.LambdaFunctionAssociations: unknown EventType ${JSON.stringify(event)}`);
      continue;
    }
    if (arn === undefined) {
      sink.problem(`${at}.LambdaFunctionAssociations[${event}]: LambdaFunctionARN is missing`);
      continue;
    }
    const id = registry.lambda(arn, `${at}.LambdaFunctionAssociations[${event}]`);
    if (id !== undefined) assoc[event] = { function: id, includeBody: bool(a.IncludeBody) === true };
  }
  // CloudFront Functions: viewer events only; the config loader says so for any other, naming the
  // field (docs/cloudfront-reference.md §21).
  for (const raw of items(b.FunctionAssociations)) {
    const a = obj(raw) ?? {};
    const event = str(a.EventType);
    const arn = str(a.FunctionARN);
    if (!isEventType(event)) {
      sink.problem(`${at}.FunctionAssociations: unknown EventType ${JSON.stringify(event)}`);
      continue;
    }
    const where = `${at}.FunctionAssociations[${event}]`;
    if (arn === undefined) {
      sink.problem(`${where}: FunctionARN is missing`);
      continue;
    }
    if (assoc[event] !== undefined) {
      sink.problem(`${where}: the behavior has a Lambda@Edge function at ${event} too; CloudFront allows one function per event type`);
      continue;
    }
    const id = registry.cff(arn, where);
    if (id !== undefined) assoc[event] = id;
  }
  return Object.keys(assoc).length > 0 ? assoc : undefined;
}

export interface Registries {
  functions: FunctionRegistry;
  keyGroups: KeyGroupRegistry;
}

export function mapBehaviors(dc: Obj, ctx: MapContext, registries: Registries, sink: MapSink): Behavior[] {
  const raws: Array<{ b: Obj; at: string }> = items(dc.CacheBehaviors).map((b, i) => {
    const o = obj(b) ?? {};
    return { b: o, at: `CacheBehaviors[${str(o.PathPattern) ?? i}]` };
  });
  raws.push({ b: obj(dc.DefaultCacheBehavior) ?? {}, at: 'DefaultCacheBehavior' });
  return raws.map(({ b, at }) => {
    const behavior: Behavior = { pathPattern: at === 'DefaultCacheBehavior' ? '*' : (str(b.PathPattern) ?? '') };
    const target = str(b.TargetOriginId);
    if (target !== undefined) behavior.origin = target;
    const allowedRaw = b.AllowedMethods;
    const allowed = strings(allowedRaw);
    if (allowed.length > 0) behavior.allowedMethods = allowed;
    const cached = strings(b.CachedMethods ?? obj(allowedRaw)?.CachedMethods);
    if (cached.length > 0) behavior.cachedMethods = cached;
    behavior.compress = bool(b.Compress) === true;
    // docs/cloudfront-reference.md §16; allow-all is edgeproxy's default too, so it makes no field.
    const vpp = str(b.ViewerProtocolPolicy);
    if (vpp !== undefined && vpp !== 'allow-all') {
      if ((VIEWER_PROTOCOL_POLICIES as readonly string[]).includes(vpp)) behavior.viewerProtocolPolicy = vpp as ViewerProtocolPolicy;
      else sink.problem(`${at}.ViewerProtocolPolicy: unknown value ${JSON.stringify(vpp)} (expected ${VIEWER_PROTOCOL_POLICIES.join(', ')})`);
    }
    mapBehaviorPolicies(b, at, behavior, ctx, sink);
    const functions = mapAssociations(b, at, registries.functions, sink);
    if (functions !== undefined) behavior.functions = functions;
    // TrustedKeyGroups (§15.1): `{ Enabled, Quantity, Items }` in the API, a list in CloudFormation.
    const tkg = b.TrustedKeyGroups;
    if (obj(tkg)?.Enabled !== false) {
      const groups = strings(tkg).flatMap((g) => registries.keyGroups.group(g, `${at}.TrustedKeyGroups`) ?? []);
      if (groups.length > 0) behavior.trustedKeyGroups = groups;
    }

    for (const [k, v] of Object.entries(b)) {
      if (BEHAVIOR_MAPPED.has(k) || isEmptyValue(v)) continue;
      if (k === 'ViewerProtocolPolicy' && v === 'allow-all') continue;
      sink.note(`${at}.${k}`, v, BEHAVIOR_NOTES[k] ?? 'ignored locally (unknown to edgeproxy)');
    }
    return behavior;
  });
}
