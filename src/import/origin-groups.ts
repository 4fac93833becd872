// DistributionConfig.OriginGroups → edgeproxy's originGroups (docs/cloudfront-reference.md §14): a
// primary and a secondary origin and the statuses that fail over; a behavior's TargetOriginId may
// name a group. The config loader checks members, codes and methods, naming the field.
// Field names: CloudFront API Reference, OriginGroup (AWS::CloudFront::Distribution OriginGroup).

import type { ConfigInput } from '../config/schema.js';
import type { MapSink } from './context.js';
import { items, num, obj, str } from './json.js';

type OriginGroupDef = NonNullable<ConfigInput['originGroups']>[number];

export function mapOriginGroups(list: unknown, sink: MapSink): OriginGroupDef[] {
  return items(list).map((raw, i) => {
    const g = obj(raw) ?? {};
    const id = str(g.Id) ?? `group${i}`;
    const members = items(obj(g.Members) ?? g.Members).flatMap((m) => str(obj(m)?.OriginId) ?? []);
    const statusCodes = items(obj(obj(g.FailoverCriteria)?.StatusCodes) ?? obj(g.FailoverCriteria)?.StatusCodes).flatMap((c) => num(c) ?? []);
    if (statusCodes.length === 0) sink.problem(`OriginGroups[${id}].FailoverCriteria.StatusCodes: lists no status code`);
    const out: OriginGroupDef = { id, members, failoverCriteria: { statusCodes } };
    const selection = str(g.SelectionCriteria);
    if (selection !== undefined) out.selectionCriteria = selection as NonNullable<OriginGroupDef['selectionCriteria']>;
    return out;
  });
}
