// `originGroups[]` → ResolvedOriginGroup (docs/cloudfront-reference.md §14): exactly two distinct
// origins of the distribution, primary first; failover status codes from CloudFront's allowed set;
// group ids distinct from each other and from origin ids (a behavior's `origin` names either).

import { FAILOVER_STATUS_CODES } from '../../rules/cloudfront.js';
import type { PathSegment, Problems } from '../problems.js';
import type { ParsedConfig } from '../schema.js';
import type { ResolvedOrigin, ResolvedOriginGroup } from '../types.js';

type GroupInput = NonNullable<ParsedConfig['originGroups']>[number];

function resolveGroup(g: GroupInput, at: PathSegment[], origins: ReadonlyMap<string, ResolvedOrigin>, originIds: readonly string[], problems: Problems): ResolvedOriginGroup | undefined {
  let ok = true;
  const bad = (where: PathSegment[], msg: string): void => {
    problems.add(where, msg);
    ok = false;
  };
  const ids = g.members.map((m) => (typeof m === 'string' ? m : m.originId));
  if (ids.length !== 2) bad([...at, 'members'], `must list exactly two origin ids, the primary first (CloudFront's OriginGroupMembers); got ${ids.length}`);
  ids.forEach((id, i) => {
    const where: PathSegment[] = typeof g.members[i] === 'string' ? [...at, 'members', i] : [...at, 'members', i, 'originId'];
    if (!originIds.includes(id)) bad(where, `unknown origin id "${id}" (defined: ${originIds.map((o) => `"${o}"`).join(', ')}); a group's members are origins, not groups`);
  });
  if (ids.length === 2 && ids[0] === ids[1]) bad([...at, 'members', 1], `the secondary must differ from the primary ("${ids[0]}")`);
  const codes = g.failoverCriteria.statusCodes;
  if (codes.length === 0) bad([...at, 'failoverCriteria', 'statusCodes'], `must list at least one of ${FAILOVER_STATUS_CODES.join(', ')}`);
  const seen = new Set<number>();
  codes.forEach((c, i) => {
    if (!FAILOVER_STATUS_CODES.includes(c)) bad([...at, 'failoverCriteria', 'statusCodes', i], `CloudFront fails over only on ${FAILOVER_STATUS_CODES.join(', ')}; got ${c}`);
    else if (seen.has(c)) bad([...at, 'failoverCriteria', 'statusCodes', i], `duplicate status code ${c}`);
    seen.add(c);
  });
  const primary = origins.get(ids[0] ?? '');
  const secondary = origins.get(ids[1] ?? '');
  if (!ok || primary === undefined || secondary === undefined) return undefined;
  return { id: g.id, primary, secondary, statusCodes: [...seen], selectionCriteria: g.selectionCriteria ?? 'default' };
}

/** Every group by id; problems for each group (and each id that repeats an origin's or another group's). */
export function resolveOriginGroups(data: ParsedConfig, origins: ReadonlyMap<string, ResolvedOrigin>, problems: Problems): Map<string, ResolvedOriginGroup> {
  const out = new Map<string, ResolvedOriginGroup>();
  const originIds = data.origins.map((o) => o.id);
  const seen = new Map<string, number>();
  (data.originGroups ?? []).forEach((g, i) => {
    const at: PathSegment[] = ['originGroups', i];
    const dup = seen.get(g.id);
    if (originIds.includes(g.id)) problems.add([...at, 'id'], `"${g.id}" is already an origin id: a behavior's origin names an origin or a group, so the two must differ`);
    else if (dup !== undefined) problems.add([...at, 'id'], `duplicate id "${g.id}" (also originGroups[${dup}])`);
    else seen.set(g.id, i);
    const r = resolveGroup(g, at, origins, originIds, problems);
    if (r !== undefined && !out.has(r.id)) out.set(r.id, r);
  });
  return out;
}
