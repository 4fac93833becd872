// CloudFront's geographic restriction (docs/cloudfront-reference.md §17): an allow list or a block
// list of countries. Pure rule; the pipeline reads the viewer's country (its CloudFront-Viewer-Country,
// configured or injected per request) and answers a refusal with CloudFront's 403 page.

import type { GeoRestriction } from '../config/types.js';

/**
 * Whether a viewer from `country` (ISO 3166-1 alpha-2; undefined = not known) may use the
 * distribution. An unknown country passes a block list and fails an allow list (docs/decisions.md).
 */
export function geoAllows(g: GeoRestriction, country: string | undefined): boolean {
  switch (g.restrictionType) {
    case 'none':
      return true;
    case 'whitelist':
      return country !== undefined && g.locations.has(country);
    case 'blacklist':
      return country === undefined || !g.locations.has(country);
  }
}
