// Names that refer to something, checked on the raw input when its shape check failed. The resolvers
// need typed input, so a type error elsewhere would otherwise hide a misspelt policy name until the
// next run; this pass runs the same lookups (the same messages, with "did you mean") on whatever
// string values are there, so one run reports every mistake.

import type { PathSegment, Problems } from '../problems.js';
import { resolveCachePolicyRef, resolveOriginRequestPolicyRef } from './policies.js';
import { resolveResponseHeadersPolicyRef } from './response-headers-policy.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Managed policy names in `behaviors[]`, for paths the shape check did not already report (`reported`, formatted). */
export function checkNameReferences(raw: unknown, reported: ReadonlySet<string>, problems: Problems): void {
  const behaviors = isRecord(raw) ? raw.behaviors : undefined;
  if (!Array.isArray(behaviors)) return;
  behaviors.forEach((b: unknown, i) => {
    if (!isRecord(b)) return;
    const check = (key: string, lookup: (ref: string, at: PathSegment[]) => unknown): void => {
      const v = b[key];
      if (typeof v === 'string' && !reported.has(`behaviors[${i}].${key}`)) lookup(v, ['behaviors', i, key]);
    };
    check('cachePolicy', (ref, at) => resolveCachePolicyRef(ref, at, problems));
    check('originRequestPolicy', (ref, at) => resolveOriginRequestPolicyRef(ref, at, problems));
    check('responseHeadersPolicy', (ref, at) => resolveResponseHeadersPolicyRef(ref, at, problems));
  });
}
