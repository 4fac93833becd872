// RFC 9110 §7.6.1: connection-specific headers are never forwarded by an intermediary, nor are the
// headers the Connection header names.

import { rawToCfHeaders } from './headers.js';
import type { CfHeaders } from './types.js';

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * A response's raw header lines as CloudFront headers without the hop-by-hop ones, nor those its
 * Connection header names (skipped while converting, not deleted after: this runs on every origin response).
 */
export function rawToCfHeadersEndToEnd(raw: readonly string[]): CfHeaders {
  let skip: ReadonlySet<string> = HOP_BY_HOP;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const listed = token.trim().toLowerCase();
      if (listed === '' || skip.has(listed)) continue;
      if (skip === HOP_BY_HOP) skip = new Set(HOP_BY_HOP);
      (skip as Set<string>).add(listed);
    }
  }
  if (skip === HOP_BY_HOP) return rawToCfHeaders(raw, isHopByHop);
  const names = skip;
  return rawToCfHeaders(raw, (lower) => names.has(lower));
}

// The common case (no extra names in Connection) needs no closure per response.
function isHopByHop(lower: string): boolean {
  return HOP_BY_HOP.has(lower);
}
