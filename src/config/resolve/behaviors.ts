// `behaviors[]` → ResolvedBehavior[] (docs/cloudfront-reference.md §6.1): path patterns compiled
// once, origins and function associations checked against what is defined, policies resolved,
// CloudFront's method sets enforced, and the default behavior `*` appended when missing.

import { EVENT_TYPES, type EventType } from '../../event/types.js';
import { ALLOWED_METHOD_SETS, CACHED_METHOD_SETS, mayIncludeBody } from '../../rules/cloudfront.js';
import { DEFAULT_ALLOWED_METHODS, DEFAULT_CACHE_POLICY, DEFAULT_CACHED_METHODS, DEFAULT_COMPRESS, DEFAULT_VIEWER_PROTOCOL_POLICY } from '../defaults.js';
import { MANAGED_CACHE_POLICIES } from '../managed-policies.js';
import { compilePathPattern, normalizePathPattern, pathPatternProblem } from '../path-pattern.js';
import type { PathSegment, Problems } from '../problems.js';
import type { ParsedConfig } from '../schema.js';
import type { Association, CachePolicy, Failover, ResolvedBehavior, ResolvedOrigin, ResolvedOriginGroup } from '../types.js';
import type { CffRuntime } from '../../cff/limits.js';
import { checkCffAssociations } from './cff.js';
import { qualifierProblem, splitFunctionRef } from './functions.js';
import { resolveCachePolicyRef, resolveOriginRequestPolicyRef } from './policies.js';
import { resolveResponseHeadersPolicyRef } from './response-headers-policy.js';
import { resolveTrustedKeyGroupsRef, type KeyGroupRefs } from './trusted-key-groups.js';

type BehaviorInput = NonNullable<ParsedConfig['behaviors']>[number];

/** What a behavior may refer to. */
interface BehaviorContext {
  origins: ReadonlyMap<string, ResolvedOrigin>;
  originIds: readonly string[];
  /** Origin groups by id (docs/cloudfront-reference.md §14): a behavior's origin may name one. */
  originGroups: ReadonlyMap<string, ResolvedOriginGroup>;
  groupIds: readonly string[];
  functions: ReadonlySet<string>;
  functionIds: readonly string[];
  aliasNames: ReadonlyMap<string, readonly string[]>;
  /** Every function id → its CloudFront Functions runtime, undefined for a Lambda@Edge function. */
  runtimes: ReadonlyMap<string, CffRuntime | undefined>;
  /** Key groups by ID and by name (trusted-key-groups.ts). */
  keyGroups: KeyGroupRefs;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m) => b.includes(m)) && new Set(a).size === a.length;
}

/** The CloudFront method set `given` names (in CloudFront's order), or `fallback` after a problem. */
function methodSet(
  given: readonly string[],
  sets: readonly (readonly string[])[],
  fallback: readonly string[],
  at: PathSegment[],
  problems: Problems,
): readonly string[] {
  const match = sets.find((s) => sameSet(s, given));
  if (match === undefined) {
    problems.add(at, `must be one of ${sets.map((s) => JSON.stringify(s)).join(', ')} (CloudFront's fixed method sets), got ${JSON.stringify(given)}`);
    return fallback;
  }
  return match;
}

function resolveAssociations(b: BehaviorInput, at: PathSegment[], ctx: BehaviorContext, problems: Problems): Partial<Record<EventType, Association>> {
  const functions: Partial<Record<EventType, Association>> = {};
  for (const event of EVENT_TYPES) {
    const ref = b.functions?.[event];
    if (ref === undefined) continue;
    const fat = [...at, 'functions', event];
    const refAt = typeof ref === 'string' ? fat : [...fat, 'function'];
    const { functionId, qualifier } = splitFunctionRef(typeof ref === 'string' ? ref : ref.function, ctx.functions);
    const includeBody = typeof ref === 'string' ? false : ref.includeBody === true;
    if (!ctx.functions.has(functionId)) {
      const known = ctx.functionIds.length === 0 ? 'no functions are defined' : `defined: ${ctx.functionIds.map((i) => `"${i}"`).join(', ')}`;
      problems.add(refAt, `unknown function id "${functionId}" (${known})`);
    } else if (qualifier !== undefined && ctx.runtimes.get(functionId) === undefined) {
      const bad = qualifierProblem(qualifier, functionId, ctx.aliasNames.get(functionId) ?? []);
      if (bad !== undefined) problems.add(refAt, bad);
    }
    if (includeBody && !mayIncludeBody(event)) {
      problems.add([...fat, 'includeBody'], 'only viewer-request and origin-request associations can include the body (AWS rule: association rules)');
    }
    functions[event] = qualifier === undefined ? { functionId, includeBody } : { functionId, qualifier, includeBody };
  }
  checkCffAssociations(functions, ctx.runtimes, at, problems);
  return functions;
}

/** Failovers by group, so behaviors that share a group share one (made once, at start). */
const failovers = new WeakMap<ResolvedOriginGroup, Failover>();

function failoverOf(g: ResolvedOriginGroup): Failover {
  let f = failovers.get(g);
  if (f === undefined) {
    f = { origin: g.secondary, statusCodes: new Set(g.statusCodes) };
    failovers.set(g, f);
  }
  return f;
}

function resolveBehavior(b: BehaviorInput, at: PathSegment[], ctx: BehaviorContext, problems: Problems): ResolvedBehavior {
  let originId = b.origin;
  // docs/cloudfront-reference.md §14: TargetOriginId names an origin or an origin group.
  const group = originId === undefined ? undefined : ctx.originGroups.get(originId);
  if (group !== undefined) originId = group.primary.id;
  else if (originId === undefined) {
    if (ctx.originIds.length === 1) originId = ctx.originIds[0];
    else problems.add([...at, 'origin'], 'is required when there is more than one origin');
  } else if (!ctx.originIds.includes(originId) && !ctx.groupIds.includes(originId)) {
    const groups = ctx.groupIds.length === 0 ? '' : `; origin groups: ${ctx.groupIds.map((i) => `"${i}"`).join(', ')}`;
    problems.add([...at, 'origin'], `unknown origin id "${originId}" (defined: ${ctx.originIds.map((i) => `"${i}"`).join(', ')}${groups})`);
  }

  const functions = resolveAssociations(b, at, ctx, problems);
  const cachePolicy = resolveCachePolicyRef(b.cachePolicy, [...at, 'cachePolicy'], problems);
  const originRequestPolicy = resolveOriginRequestPolicyRef(b.originRequestPolicy, [...at, 'originRequestPolicy'], problems);

  const allowedMethods = methodSet(b.allowedMethods ?? DEFAULT_ALLOWED_METHODS, ALLOWED_METHOD_SETS, ALLOWED_METHOD_SETS[2]!, [...at, 'allowedMethods'], problems);
  const cachedMethods = methodSet(b.cachedMethods ?? DEFAULT_CACHED_METHODS, CACHED_METHOD_SETS, CACHED_METHOD_SETS[0]!, [...at, 'cachedMethods'], problems);
  if (!cachedMethods.every((m) => allowedMethods.includes(m))) {
    problems.add([...at, 'cachedMethods'], `must be a subset of allowedMethods ${JSON.stringify(allowedMethods)}`);
  }

  return {
    pathPattern: b.pathPattern,
    matches: compilePathPattern(b.pathPattern),
    originId: originId ?? '',
    originGroupId: group?.id,
    failover: group === undefined ? undefined : failoverOf(group),
    functions,
    // Placeholder only when a problem was recorded; the caller throws before returning a config.
    cachePolicy: cachePolicy ?? (MANAGED_CACHE_POLICIES.get(DEFAULT_CACHE_POLICY) as CachePolicy),
    originRequestPolicy,
    compress: b.compress ?? DEFAULT_COMPRESS,
    allowedMethods,
    cachedMethods,
    responseHeadersPolicy: b.responseHeadersPolicy === undefined ? undefined : resolveResponseHeadersPolicyRef(b.responseHeadersPolicy, [...at, 'responseHeadersPolicy'], problems),
    trustedKeyGroups: resolveTrustedKeyGroupsRef(b.trustedKeyGroups, [...at, 'trustedKeyGroups'], ctx.keyGroups, problems),
    viewerProtocolPolicy: b.viewerProtocolPolicy ?? DEFAULT_VIEWER_PROTOCOL_POLICY,
  };
}

/**
 * All behaviors, in order, the default behavior `*` last. CloudFront always has a default
 * behavior: when the config has none, one is appended with the first origin, no functions and
 * the default policies.
 */
export function resolveBehaviors(data: ParsedConfig, ctx: BehaviorContext, problems: Problems): ResolvedBehavior[] {
  const inputs = data.behaviors ?? [];
  const behaviors: ResolvedBehavior[] = [];
  const patterns = new Map<string, number>();
  inputs.forEach((b, i) => {
    const at: PathSegment[] = ['behaviors', i];
    const bad = pathPatternProblem(b.pathPattern);
    if (bad !== undefined) problems.add([...at, 'pathPattern'], bad);
    // docs/cloudfront-reference.md §6.1: the default behavior `*` is always last.
    if (b.pathPattern === '*' && i !== inputs.length - 1) {
      problems.add([...at, 'pathPattern'], 'the default behavior "*" must be the last behavior');
    }
    const norm = normalizePathPattern(b.pathPattern);
    const dup = patterns.get(norm);
    if (dup !== undefined) problems.add([...at, 'pathPattern'], `duplicate path pattern (same as behaviors[${dup}])`);
    else patterns.set(norm, i);
    behaviors.push(resolveBehavior(b, at, ctx, problems));
  });
  const last = inputs[inputs.length - 1];
  if (last === undefined || last.pathPattern !== '*') {
    const fallbackOrigin = data.origins[0]?.id ?? '';
    behaviors.push(resolveBehavior({ pathPattern: '*', origin: fallbackOrigin }, ['behaviors', inputs.length], ctx, problems));
  }
  return behaviors;
}
