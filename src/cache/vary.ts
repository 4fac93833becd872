// Vary, twice: what CloudFront lets through to the viewer (docs/cloudfront-reference.md §6.13) and which stored response
// may answer which request (RFC 9111 §4.1).

import type { ResolvedBehavior } from '../config/types.js';
import type { CfHeaders } from '../event/types.js';
import { CLOUDFRONT_HEADERS } from '../rules/cloudfront.js';
import { headerValues, splitList } from './ttl.js';

/** Lowercase field names nominated by the response's Vary lines, de-duplicated, in order; `*` kept. */
export function parseVary(h: CfHeaders): string[] {
  const out: string[] = [];
  for (const line of headerValues(h, 'vary')) {
    for (const m of splitList(line)) {
      const n = m.trim().toLowerCase();
      if (n !== '' && !out.includes(n)) out.push(n);
    }
  }
  return out;
}

/**
 * A request header's value for Vary matching: lines combined, whitespace around commas normalized
 * (RFC 9111 §4.1 allows normalizing); null when the header is absent, which differs from empty.
 */
function normalizedValue(h: CfHeaders, name: string): string | null {
  const lines = h[name];
  if (lines === undefined || lines.length === 0) return null;
  const parts: string[] = [];
  for (const e of lines) for (const p of e.value.split(',')) parts.push(p.trim());
  return parts.join(',');
}

/**
 * The values of the nominated request headers, as one comparable string ('' when nothing varies).
 * Pass the request as the origin saw it in the respects the cache can know at lookup: the viewer's
 * headers after viewer-request, with Accept-Encoding replaced by the normalized value (docs/cloudfront-reference.md §6.3).
 */
export function variantKey(varyNames: readonly string[], requestHeaders: CfHeaders): string {
  if (varyNames.length === 0) return '';
  const values: Array<string | null> = [];
  for (const n of varyNames) values.push(normalizedValue(requestHeaders, n));
  return JSON.stringify(values);
}

/** RFC 9111 §4.1: the stored response may answer this request; `Vary: *` never matches. */
export function variantMatches(e: { varyNames: readonly string[]; variantKey: string }, requestHeaders: CfHeaders): boolean {
  if (e.varyNames.length === 0) return true;
  if (e.varyNames.includes('*')) return false;
  return variantKey(e.varyNames, requestHeaders) === e.variantKey;
}

/** Which Vary members reach the viewer (docs/cloudfront-reference.md §6.13), computed once per behavior. */
export interface VaryFilter {
  /** Every viewer header is forwarded (all viewer headers / all except): keep all but `except`. */
  readonly all: boolean;
  readonly except: ReadonlySet<string>;
  readonly keep: ReadonlySet<string>;
}

/** The device-type headers (`CloudFront-Is-*-Viewer`), which CloudFront computes from User-Agent (docs/cloudfront-reference.md §7). */
const DEVICE_HEADERS: readonly string[] = CLOUDFRONT_HEADERS.filter((n) => n.startsWith('cloudfront-is-'));

/**
 * docs/cloudfront-reference.md §6.13: CloudFront keeps `Accept-Encoding`, `Cookie`, the names of forwarded headers, and
 * `User-Agent` when device-type headers are forwarded; it removes the rest.
 */
export function varyFilterFor(behavior: Pick<ResolvedBehavior, 'cachePolicy' | 'originRequestPolicy'>): VaryFilter {
  const keep = new Set<string>(['accept-encoding', 'cookie']);
  const names: string[] = [];
  const cp = behavior.cachePolicy.headers;
  if (cp.behavior === 'whitelist') names.push(...cp.names);
  let all = false;
  let except: ReadonlySet<string> = new Set();
  const orp = behavior.originRequestPolicy?.headers;
  if (orp !== undefined) {
    switch (orp.behavior) {
      case 'none':
        break;
      case 'allViewer':
        all = true;
        break;
      case 'allViewerAndWhitelistCloudFront':
        all = true;
        names.push(...orp.names);
        break;
      case 'whitelist':
        names.push(...orp.names);
        break;
      case 'allExcept':
        all = true;
        except = new Set(orp.names.map((n) => n.toLowerCase()).filter((n) => !names.includes(n)));
        break;
      default: {
        const never: never = orp;
        throw new Error(`unknown origin request header behavior ${JSON.stringify(never)}`);
      }
    }
  }
  for (const n of names) keep.add(n.toLowerCase());
  if (names.some((n) => DEVICE_HEADERS.includes(n.toLowerCase()))) keep.add('user-agent');
  return { all, except, keep };
}

/**
 * The Vary value to send to the viewer, or undefined to drop the header. `*` survives only when
 * every viewer header is forwarded (it then names "forwarded headers" too).
 */
export function filterVaryForViewer(varyLines: readonly string[], f: VaryFilter): string | undefined {
  const kept: string[] = [];
  const seen = new Set<string>();
  for (const line of varyLines) {
    for (const m of splitList(line)) {
      const name = m.trim();
      const lower = name.toLowerCase();
      if (name === '' || seen.has(lower)) continue;
      seen.add(lower);
      const ok = f.keep.has(lower) || (f.all && !f.except.has(lower));
      if (ok) kept.push(name);
    }
  }
  return kept.length === 0 ? undefined : kept.join(', ');
}
