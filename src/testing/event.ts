// buildEvent: a Lambda@Edge event exactly as the proxy builds it for a request. The options become the
// raw data the proxy reads off the wire (method, target, header lines, client address, the origin's
// status and header lines), and proxyEvent hands them to the proxy's own builders — the one place this
// kit calls them, so a change to how the proxy builds events reaches every test.

import { STATUS_CODES } from 'node:http';
import type { ResolvedBehavior, ResolvedConfig, ResolvedOrigin } from '../config/types.js';
import { ConfigError } from '../config/errors.js';
import { makeRequestBody } from '../event/body.js';
import { buildEvent as buildWireEvent, type RawRequest, type RawResponse } from '../event/build.js';
import { cfHeadersToRaw } from '../event/headers.js';
import { rawToCfHeadersEndToEnd } from '../event/hop-by-hop.js';
import { buildOriginRequest } from '../event/origin-request.js';
import { splitTarget } from '../event/target.js';
import { EVENT_TYPES, type CfRequest, type CfResponse, type EventType } from '../event/types.js';
import { cloudFrontViewerHeaders, viewerHeadersFromRaw, wantedCloudFrontHeaders } from '../event/viewer-headers.js';
import { newRequestId } from '../pipeline/run.js';
import type { EdgePack } from '../runtime/edge-protocol.js';
import { behaviorFor, distribution } from './distribution.js';
import type { EventFor, EventOptions, HeaderInput } from './types.js';

/** What the proxy reads off the wire for one exchange. */
export interface RawExchange {
  method: string;
  /** The request target: path and query, as on the request line. */
  target: string;
  /** `[name, value, …]` as Node's `req.rawHeaders`. */
  rawHeaders: string[];
  clientIp: string;
  clientPort: number;
  httpVersion: string;
  body: Buffer | undefined;
  /** The origin's answer, for the response triggers. */
  status: number;
  statusText: string;
  rawResponseHeaders: string[];
  /** Seconds, when a viewer-response runs on a cache hit. */
  age: number | undefined;
}

/** The event, its exact JSON (what the worker receives), and the request/response the function is judged against. */
export interface BuiltEvent<T extends EventType = EventType> {
  trigger: T;
  event: EventFor<T>;
  json: string;
  request: CfRequest;
  response: CfResponse | undefined;
  config: ResolvedConfig;
  behavior: ResolvedBehavior;
  /**
   * The invocation as the proxy packs it for the function's worker (runtime/edge-protocol.ts): raw
   * facts from which the worker builds `event` itself. Absent for an event given as is.
   */
  pack: EdgePack | undefined;
  /** What the viewer sent, as the proxy read it (a CloudFront Function's event is built from it too). */
  viewer: { request: CfRequest; overrides: Record<string, string>; clientPort: number; httpVersion: string; target: string };
}

/**
 * The proxy's event for `trigger` from raw exchange data, built by the proxy's own modules in the
 * proxy's order (docs/cloudfront-reference.md §0): the viewer's headers as viewer-request reads them
 * (disallowed and X-Edgeproxy-* lines left out, §3.1), the origin-side request as origin-request builds
 * it (policies, Host, Via, X-Forwarded-For, CloudFront-* headers, origin.custom: §3.3, §3.4, §6.4), the
 * origin's end-to-end headers (§5.1), the body as includeBody shows it (§1.5); then the raw facts the
 * proxy sends the function's worker, and the event built from them by event/build.ts, the builder the
 * workers use (docs/runtime.md).
 */
export function proxyEvent<T extends EventType>(
  config: ResolvedConfig,
  behavior: ResolvedBehavior,
  origin: ResolvedOrigin,
  trigger: T,
  raw: RawExchange,
  requestId: string,
  includeBody: boolean,
): BuiltEvent<T> {
  const { uri, querystring } = splitTarget(raw.target);
  const { headers, overrides } = viewerHeadersFromRaw(raw.rawHeaders);
  const viewer: CfRequest = { clientIp: raw.clientIp, method: raw.method, uri, querystring, headers };
  let request: CfRequest = viewer;
  let response: CfResponse | undefined;
  if (trigger === 'origin-request' || trigger === 'origin-response') {
    const wanted = wantedCloudFrontHeaders(behavior);
    const cloudFrontHeaders =
      wanted.length === 0
        ? {}
        : cloudFrontViewerHeaders(
            { headers, clientIp: raw.clientIp, clientPort: raw.clientPort, httpVersion: raw.httpVersion, protocol: 'http' },
            wanted,
            config.viewerHeaders,
            overrides,
          );
    request = buildOriginRequest(viewer, { origin, behavior, config, clientIp: raw.clientIp, viewerHttpVersion: raw.httpVersion, cloudFrontHeaders });
  }
  if (includeBody && (trigger === 'viewer-request' || trigger === 'origin-request')) request.body = makeRequestBody(raw.body ?? Buffer.alloc(0), trigger);
  if (trigger === 'origin-response' || trigger === 'viewer-response') {
    const h = rawToCfHeadersEndToEnd(raw.rawResponseHeaders);
    if (raw.age !== undefined && trigger === 'viewer-response') h.age = [{ key: 'Age', value: String(raw.age) }];
    response = { status: String(raw.status), statusDescription: raw.statusText, headers: h };
  }
  // The viewer's own lines at viewer-request (the worker drops what the event hides), as the proxy packs them.
  const asReceived = trigger === 'viewer-request';
  const rawRequest: RawRequest = { clientIp: request.clientIp, method: request.method, uri: request.uri, querystring: request.querystring, headers: asReceived ? raw.rawHeaders : cfHeadersToRaw(request.headers) };
  if (asReceived) rawRequest.asReceived = true;
  if (request.origin !== undefined) rawRequest.origin = request.origin;
  if (request.body !== undefined) rawRequest.body = request.body;
  const rawResponse: RawResponse | undefined = response === undefined ? undefined : { status: response.status, statusDescription: response.statusDescription, headers: cfHeadersToRaw(response.headers) };
  const o = { distributionDomainName: config.distributionDomainName, distributionId: config.distributionId, requestId, request: rawRequest };
  const event = buildWireEvent(trigger, rawResponse === undefined ? o : { ...o, response: rawResponse }) as EventFor<T>;
  const pack: EdgePack = {
    eventType: trigger,
    distributionDomainName: config.distributionDomainName,
    distributionId: config.distributionId,
    requestId,
    capture: true,
    clientIp: rawRequest.clientIp,
    method: rawRequest.method,
    uri: rawRequest.uri,
    querystring: rawRequest.querystring,
    headers: rawRequest.headers,
    asReceived,
    originJson: request.origin === undefined ? '' : JSON.stringify(request.origin),
    bodyJson: request.body === undefined ? '' : JSON.stringify(request.body),
    response: rawResponse,
  };
  const seen = { request: viewer, overrides, clientPort: raw.clientPort, httpVersion: raw.httpVersion, target: raw.target };
  return { trigger, event, json: JSON.stringify(event), request, response, config, behavior, pack, viewer: seen };
}

// ---------------------------------------------------------------------------------------------
// Options → raw exchange

/** A current browser's request header lines (Chrome on Linux), Host first. */
const BROWSER_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'en-US,en;q=0.9'],
];

/** An origin's usual answer header lines. */
function originHeaders(): Array<readonly [string, string]> {
  return [
    ['Date', new Date().toUTCString()],
    ['Content-Type', 'text/html; charset=utf-8'],
    ['Content-Length', '1024'],
    ['ETag', '"5f2b-example"'],
    ['Last-Modified', 'Mon, 01 Dec 2025 00:00:00 GMT'],
  ];
}

function lines(input: HeaderInput | undefined): Array<readonly [string, string | null]> {
  if (input === undefined) return [];
  if (Array.isArray(input)) return input as ReadonlyArray<readonly [string, string]> as Array<readonly [string, string]>;
  const out: Array<readonly [string, string | null]> = [];
  for (const [name, v] of Object.entries(input as Readonly<Record<string, string | readonly string[] | null>>)) {
    if (v === null) out.push([name, null]);
    else if (typeof v === 'string') out.push([name, v]);
    else for (const line of v) out.push([name, line]);
  }
  return out;
}

/** Defaults, then the given lines: a given name replaces every default line of that name (null: removes it). */
function mergeHeaders(defaults: ReadonlyArray<readonly [string, string]>, given: HeaderInput | undefined): string[] {
  const extra = lines(given);
  const named = new Set(extra.map(([n]) => n.toLowerCase()));
  const raw: string[] = [];
  for (const [n, v] of defaults) if (!named.has(n.toLowerCase())) raw.push(n, v);
  for (const [n, v] of extra) if (v !== null) raw.push(n, v);
  return raw;
}

function hasHeader(raw: readonly string[], lower: string): boolean {
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === lower) return true;
  return false;
}

/** The raw exchange the options describe, as a viewer (and origin) would send it to the proxy. */
export function rawExchange(config: ResolvedConfig, o: EventOptions): RawExchange {
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? Buffer.from(o.body, 'utf8') : Buffer.from(o.body);
  let target = o.uri ?? '/';
  if (!target.startsWith('/')) throw new ConfigError('UsageError', `--uri: must start with "/", got ${JSON.stringify(target)}`);
  if (o.querystring !== undefined) {
    const q = target.indexOf('?');
    target = `${q === -1 ? target : target.slice(0, q)}${o.querystring === '' ? '' : `?${o.querystring.replace(/^\?/, '')}`}`;
  }
  const host = `${config.listen.host}:${config.listen.port}`;
  const defaults: Array<readonly [string, string]> = [['Host', host], ...(o.defaultHeaders === false ? [] : BROWSER_HEADERS)];
  const rawHeaders = mergeHeaders(defaults, o.headers);
  if (body !== undefined && !hasHeader(rawHeaders, 'content-length') && !hasHeader(rawHeaders, 'transfer-encoding')) rawHeaders.push('Content-Length', String(body.length));
  const status = o.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new ConfigError('UsageError', `--status: expected an HTTP status 100-599, got ${String(o.status)}`);
  return {
    method: (o.method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase(),
    target,
    rawHeaders,
    clientIp: o.clientIp ?? '203.0.113.10',
    clientPort: o.clientPort ?? 52814,
    httpVersion: o.httpVersion ?? '1.1',
    body,
    status,
    statusText: o.statusDescription ?? STATUS_CODES[status] ?? '',
    rawResponseHeaders: mergeHeaders(o.defaultResponseHeaders === false ? [] : originHeaders(), o.responseHeaders),
    age: o.age,
  };
}

export function isEventType(t: unknown): t is EventType {
  return typeof t === 'string' && (EVENT_TYPES as readonly string[]).includes(t);
}

export function checkTrigger(t: unknown): EventType {
  if (isEventType(t)) return t;
  throw new ConfigError('UsageError', `trigger: expected one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(t)}`);
}

/** The event and what the function is judged against; `includeBody` defaults to the behavior's association. */
export async function buildEventFull<T extends EventType>(trigger: T, o: EventOptions = {}): Promise<BuiltEvent<T>> {
  checkTrigger(trigger);
  const config = await distribution(o.config);
  const raw = rawExchange(config, o);
  const { behavior, origin } = behaviorFor(config, splitTarget(raw.target).uri, o.behavior);
  const includeBody = o.includeBody ?? behavior.functions[trigger]?.includeBody ?? false;
  return proxyEvent(config, behavior, origin, trigger, raw, o.requestId ?? newRequestId(), includeBody);
}

/**
 * The Lambda@Edge event the proxy would give `trigger`'s function for the request the options
 * describe: `await buildEvent('origin-request', { uri: '/about', config: 'edgeproxy.config.json' })`.
 */
export async function buildEvent<T extends EventType>(trigger: T, options: EventOptions = {}): Promise<EventFor<T>> {
  return (await buildEventFull(trigger, options)).event;
}
