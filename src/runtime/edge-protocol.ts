// A Lambda@Edge invocation across the thread boundary (docs/runtime.md: how invocations cross
// threads). The proxy packs raw facts — header lines, method, target, client IP, the origin, the
// response — into one string, without building an event object or serializing one; the worker
// builds the event from them (event/build.ts), runs the handler, validates its result for the
// trigger (event/validate-result.ts) and answers in a few bytes: unchanged, a diff
// (event/result-diff.ts), a generated response, or the validation error. With `capture` it also
// sends back the event it built and the result as the handler returned it (the inspector).
// Imported by the worker thread too: no host modules.

import type { RawRequest, RawResponse } from '../event/build.js';
import type { HeaderDiff, RequestDiff } from '../event/result-diff.js';
import type { CfBody, CfHeaders, EventType } from '../event/types.js';

/**
 * The first character of an invocation's event string that is a packed edge call: JSON text never
 * starts with it (the runtime makes sure a JSON event does not, pool.ts).
 */
export const EDGE_MARK = '\x01';
/** Between fields: Node's and undici's parsers refuse NUL in header lines and targets, and validated values cannot hold it. */
const SEP = '\0';

const TRIGGER_CODE: Readonly<Record<EventType, string>> = {
  'viewer-request': 'vq',
  'origin-request': 'oq',
  'origin-response': 'os',
  'viewer-response': 'vs',
};
const TRIGGER_OF: Readonly<Record<string, EventType>> = { vq: 'viewer-request', oq: 'origin-request', os: 'origin-response', vs: 'viewer-response' };

const CAPTURE = 1;
const AS_RECEIVED = 2;

/** One invocation's facts, as the worker unpacks them. */
export interface EdgeCall {
  eventType: EventType;
  distributionDomainName: string;
  distributionId: string;
  requestId: string;
  capture: boolean;
  request: RawRequest;
  response?: RawResponse;
}

/** What the proxy packs: `headers` are flat lines; `origin` and `body` their JSON ('' for none), cached by the caller. */
export interface EdgePack {
  eventType: EventType;
  distributionDomainName: string;
  distributionId: string;
  requestId: string;
  capture: boolean;
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: readonly string[];
  asReceived: boolean;
  originJson: string;
  bodyJson: string;
  response?: { status: string; statusDescription: string; headers: readonly string[] } | undefined;
}

export function packEdgeCall(p: EdgePack): string {
  const flags = (p.capture ? CAPTURE : 0) | (p.asReceived ? AS_RECEIVED : 0);
  const h = p.headers;
  let s = `${EDGE_MARK}${TRIGGER_CODE[p.eventType]}${SEP}${flags}${SEP}${p.distributionDomainName}${SEP}${p.distributionId}${SEP}${p.requestId}${SEP}${p.clientIp}${SEP}${p.method}${SEP}${p.uri}${SEP}${p.querystring}${SEP}${p.originJson}${SEP}${p.bodyJson}${SEP}${h.length}`;
  if (h.length > 0) s += SEP + h.join(SEP);
  const r = p.response;
  if (r !== undefined) {
    s += `${SEP}${r.status}${SEP}${r.statusDescription}${SEP}${r.headers.length}`;
    if (r.headers.length > 0) s += SEP + r.headers.join(SEP);
  }
  return s;
}

/** The call a packed string carries; undefined when it is not one. */
export function unpackEdgeCall(s: string): EdgeCall | undefined {
  if (s.charCodeAt(0) !== 1) return undefined;
  const p = s.slice(1).split(SEP);
  const eventType = TRIGGER_OF[p[0] ?? ''];
  const n = Number(p[11]);
  if (eventType === undefined || !Number.isInteger(n) || n < 0 || p.length < 12 + n) return undefined;
  const flags = Number(p[1]);
  const request: RawRequest = {
    clientIp: p[5]!,
    method: p[6]!,
    uri: p[7]!,
    querystring: p[8]!,
    headers: p.slice(12, 12 + n),
  };
  if ((flags & AS_RECEIVED) !== 0) request.asReceived = true;
  if (p[9] !== '') request.origin = JSON.parse(p[9]!) as NonNullable<RawRequest['origin']>;
  if (p[10] !== '') request.body = JSON.parse(p[10]!) as CfBody;
  const call: EdgeCall = { eventType, distributionDomainName: p[2]!, distributionId: p[3]!, requestId: p[4]!, capture: (flags & CAPTURE) !== 0, request };
  const at = 12 + n;
  if (p.length > at) {
    const m = Number(p[at + 2]);
    if (!Number.isInteger(m) || m < 0 || p.length < at + 3 + m) return undefined;
    call.response = { status: p[at]!, statusDescription: p[at + 1]!, headers: p.slice(at + 3, at + 3 + m) };
  }
  return call;
}

// ---- worker → host: the answer ----

/** What the handler returned, when the proxy asked to see it (capture): the event it got and its result, as JSON. */
export interface Captured {
  ev?: string;
  raw?: string;
}

/** Nothing changed (request or response): the answer is this one-character string. */
export const UNCHANGED = 'U';

export type EdgeAnswer =
  | ({ k: 'u' } & Captured)
  /** A request trigger's request: the diff, and the validated body when the event had one (includeBody). */
  | ({ k: 'q'; b?: CfBody } & RequestDiff & Captured)
  /** A request trigger generated a response: status, reason phrase, headers, and the body as the function gave it (`e`: base64). */
  | ({ k: 'g'; s: number; d: string; h: CfHeaders; b?: string; e?: 1 } & Captured)
  /** A response trigger's changes: status, reason phrase, headers, a replacement body; `i` the status viewer-response may not change. */
  | ({ k: 'r'; s?: number; d?: string; h?: HeaderDiff; b?: string; e?: 1; i?: string | number } & Captured)
  /** The result broke CloudFront's rules: the validator's code, field and message. */
  | ({ k: 'x'; c: string; f?: string; m: string } & Captured);

const UNCHANGED_ANSWER: EdgeAnswer = Object.freeze({ k: 'u' });

export function encodeEdgeAnswer(a: EdgeAnswer): string {
  return a.k === 'u' && a.ev === undefined && a.raw === undefined ? UNCHANGED : JSON.stringify(a);
}

/** The answer a worker sent; throws SyntaxError when it is not JSON (our own worker never does that). */
export function decodeEdgeAnswer(s: string): EdgeAnswer {
  return s === UNCHANGED ? UNCHANGED_ANSWER : (JSON.parse(s) as EdgeAnswer);
}
