// `restrictions.geoRestriction` → GeoRestriction (docs/cloudfront-reference.md §17): an allow list
// (`whitelist`) or block list (`blacklist`) of ISO 3166-1 alpha-2 country codes, or `none`.

import { COUNTRY_CODE } from '../../rules/cloudfront.js';
import type { PathSegment, Problems } from '../problems.js';
import type { ParsedConfig } from '../schema.js';
import type { GeoRestriction } from '../types.js';

const NONE: GeoRestriction = { restrictionType: 'none' };

export function resolveGeoRestriction(data: ParsedConfig, problems: Problems): GeoRestriction {
  const g = data.restrictions?.geoRestriction;
  if (g === undefined) return NONE;
  const at: PathSegment[] = ['restrictions', 'geoRestriction', 'locations'];
  const locations = g.locations ?? [];
  if (g.restrictionType === 'none') {
    if (locations.length > 0) problems.add(at, 'must be empty when restrictionType is "none" (CloudFront: Quantity 0)');
    return NONE;
  }
  if (locations.length === 0) problems.add(at, `must list at least one country code when restrictionType is "${g.restrictionType}"`);
  const set = new Set<string>();
  locations.forEach((c, i) => {
    if (!COUNTRY_CODE.test(c)) problems.add([...at, i], `must be an ISO 3166-1 alpha-2 country code in upper case, like "DE"; got ${JSON.stringify(c)}`);
    else if (set.has(c)) problems.add([...at, i], `duplicate country code "${c}"`);
    set.add(c);
  });
  return { restrictionType: g.restrictionType, locations: set };
}
