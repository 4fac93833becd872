// What the example functions' tests share besides the public kit: where the functions are, and small
// readers for results. Not a test file itself.

import { fileURLToPath } from 'node:url';
import type { CfHeaders, EventType } from 'edgeproxy/testing';

export const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions/', import.meta.url));

/** Read-only headers per event type (docs/cloudfront-reference.md §3.2, Lambda@Edge). */
export const READ_ONLY: Readonly<Record<EventType, readonly string[]>> = {
  'viewer-request': ['cdn-loop', 'content-length', 'host', 'transfer-encoding', 'via'],
  'origin-request': [
    'accept-encoding', 'cdn-loop', 'content-length', 'if-modified-since', 'if-none-match', 'if-range',
    'if-unmodified-since', 'transfer-encoding', 'via',
  ],
  'origin-response': ['transfer-encoding', 'via'],
  'viewer-response': ['warning', 'via', 'content-length', 'content-encoding', 'transfer-encoding'],
};

/** Each read-only header of `eventType`, as it was before and after (both absent is equal). */
export function readOnlyPairs(eventType: EventType, before: CfHeaders, after: CfHeaders): [string, unknown, unknown][] {
  return READ_ONLY[eventType].map((name) => [name, before[name], after[name]]);
}

/** Narrowing helpers so tests read results without `any`. */
export function asRecord(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}
export function headersOf(v: unknown): CfHeaders {
  return asRecord(asRecord(v)['headers']) as CfHeaders;
}
