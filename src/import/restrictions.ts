// DistributionConfig.Restrictions.GeoRestriction → edgeproxy's restrictions.geoRestriction
// (docs/cloudfront-reference.md §17). The API lists countries as `Items` (with Quantity),
// CloudFormation as `Locations`. `none` maps to nothing.

import type { ConfigInput } from '../config/schema.js';
import { obj, str, strings } from './json.js';

type Restrictions = NonNullable<ConfigInput['restrictions']>;
type GeoType = Restrictions['geoRestriction']['restrictionType'];

export function mapRestrictions(v: unknown): Restrictions | undefined {
  const geo = obj(obj(v)?.GeoRestriction);
  const type = str(geo?.RestrictionType) ?? 'none';
  if (geo === undefined || type === 'none') return undefined;
  const locations = strings(geo.Locations ?? geo);
  return { geoRestriction: { restrictionType: type as GeoType, locations } };
}
