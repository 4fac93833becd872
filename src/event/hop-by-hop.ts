// RFC 9110 §7.6.1: connection-specific headers are never forwarded by an intermediary, nor are the
// headers the Connection header names.

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

export function stripHopByHop(h: CfHeaders): CfHeaders {
  const conn = h.connection;
  if (conn) {
    for (const entry of conn) {
      for (const token of entry.value.split(',')) {
        const name = token.trim().toLowerCase();
        if (name) delete h[name];
      }
    }
  }
  for (const name of HOP_BY_HOP) delete h[name];
  return h;
}
