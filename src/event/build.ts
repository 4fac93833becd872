// The Lambda@Edge event (docs/cloudfront-reference.md §1.1–§1.5), built from the raw facts the proxy
// has: header lines as flat `[name, value, …]` lists, method, target, client IP, and for origin-side
// triggers the origin and the response. This is the one builder: the function workers call it for
// every invocation (runtime/worker/edge.ts, from what runtime/edge-protocol.ts carries across), and
// tests build the events a function receives with it. Imported by the function workers: no host modules.

import { rawToCfHeaders, viewerEventHeaders } from './headers.js';
import type { CfBody, CfEvent, CfOrigin, CfRequest, CfResponse, EventType } from './types.js';

/** The request half of an event, raw. */
export interface RawRequest {
  clientIp: string;
  method: string;
  uri: string;
  /** Without the `?`; '' for none. */
  querystring: string;
  /** Header lines, flat `[name, value, name, value, …]`, in order (one entry per line). */
  headers: readonly string[];
  /**
   * The lines are the viewer's as received (Node's `req.rawHeaders`): disallowed and `x-edgeproxy-*`
   * lines are left out and `:authority` stands in for a missing Host, as the viewer-request event shows
   * them (docs/cloudfront-reference.md §3.1). Otherwise the lines are taken as they are.
   */
  asReceived?: boolean;
  /** origin-request, origin-response: `request.origin` (docs/cloudfront-reference.md §1.4). */
  origin?: CfOrigin;
  /** includeBody associations (docs/cloudfront-reference.md §1.5): event/body.ts makeRequestBody. */
  body?: CfBody;
}

/** The response half of an origin-response or viewer-response event, raw. */
export interface RawResponse {
  status: string;
  statusDescription: string;
  headers: readonly string[];
}

export interface BuildEventOptions {
  distributionDomainName: string;
  distributionId: string;
  /** CloudFront's request id (X-Amz-Cf-Id), `config.requestId`. */
  requestId: string;
  request: RawRequest;
  /** Required for origin-response and viewer-response, ignored otherwise. */
  response?: RawResponse;
}

/** `request` as the event shows it: fresh objects a function may change freely. Keys in CloudFront's order. */
export function buildRequest(r: RawRequest): CfRequest {
  const req: CfRequest = {
    clientIp: r.clientIp,
    method: r.method,
    uri: r.uri,
    querystring: r.querystring,
    headers: r.asReceived === true ? viewerEventHeaders(r.headers) : rawToCfHeaders(r.headers),
  };
  if (r.origin !== undefined) req.origin = structuredClone(r.origin);
  if (r.body !== undefined) req.body = { ...r.body };
  return req;
}

export function buildResponse(r: RawResponse): CfResponse {
  return { status: r.status, statusDescription: r.statusDescription, headers: rawToCfHeaders(r.headers) };
}

const RESPONSE_TRIGGERS: ReadonlySet<EventType> = new Set(['origin-response', 'viewer-response']);

/**
 * The whole event for `eventType`: `{ Records: [{ cf: { config, request, response? } }] }`, keys in
 * the order CloudFront sends them (docs/cloudfront-reference.md §1.1).
 */
export function buildEvent(eventType: EventType, o: BuildEventOptions): CfEvent {
  const config = { distributionDomainName: o.distributionDomainName, distributionId: o.distributionId, eventType, requestId: o.requestId };
  const request = buildRequest(o.request);
  if (!RESPONSE_TRIGGERS.has(eventType)) return { Records: [{ cf: { config, request } }] };
  if (o.response === undefined) throw new TypeError(`buildEvent: a ${eventType} event needs a response`);
  return { Records: [{ cf: { config, request, response: buildResponse(o.response) } }] };
}
