// `viewerHeaders` → the injected CloudFront-* viewer header values (docs/cloudfront-reference.md §7),
// keyed by lowercase name. Only §7's names are accepted, and the few values with a fixed format are
// checked, so that a typo does not silently do nothing.

import { isCloudFrontHeader } from '../../rules/cloudfront.js';
import type { Problems } from '../problems.js';
import { CTL } from './origins.js';

/** Value checks for the CloudFront-* headers whose format is fixed (§7). */
function viewerHeaderValueProblem(name: string, value: string): string | undefined {
  if (CTL.test(value)) return 'value must not contain control characters';
  if (name === 'cloudfront-viewer-country' && !/^[A-Z]{2}$/.test(value)) return `must be an ISO 3166-1 alpha-2 code like "DE", got ${JSON.stringify(value)}`;
  if (name.startsWith('cloudfront-is-') && value !== 'true' && value !== 'false') return `must be "true" or "false", got ${JSON.stringify(value)}`;
  if (name === 'cloudfront-forwarded-proto' && value !== 'http' && value !== 'https') return `must be "http" or "https", got ${JSON.stringify(value)}`;
  return undefined;
}

export function resolveViewerHeaders(input: Readonly<Record<string, string>> | undefined, problems: Problems): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input ?? {})) {
    const at = ['viewerHeaders', name];
    const lower = name.toLowerCase();
    if (!isCloudFrontHeader(lower)) {
      problems.add(at, 'not a CloudFront-* viewer header (the AWS rule on CloudFront-added viewer headers lists the names, e.g. CloudFront-Viewer-Country)');
      continue;
    }
    if (lower in out) {
      problems.add(at, 'duplicate header name (names are case-insensitive)');
      continue;
    }
    const bad = viewerHeaderValueProblem(lower, value);
    if (bad !== undefined) problems.add(at, bad);
    else out[lower] = value;
  }
  return out;
}
