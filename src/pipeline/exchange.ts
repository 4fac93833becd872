// One viewer request's state as it moves through the pipeline. Plain fields, filled stage by stage;
// docs/lifecycle.md says which step reads and writes which. createExchange is the one place an
// exchange is made (the viewer's, a background refresh's, a custom error page's fetch), so every
// exchange has every field, in one order.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ForwardReason } from '../cache/cache-status.js';
import type { CacheEntry } from '../cache/entry.js';
import type { Inflight } from '../cache/inflight.js';
import type { CacheKey } from '../cache/key.js';
import type { Failover, ResolvedBehavior, ResolvedOrigin } from '../config/types.js';
import type { EdgeError, ErrorCode } from '../errors.js';
import type { CfHeaders, CfRequest } from '../event/types.js';
import type { ExchangeCapture } from '../inspector/capture.js';
import type { OriginBody } from '../origin/client.js';
import type { ViewerInfo } from '../event/viewer-headers.js';
import { tlsFactsOf } from '../viewer/tls-facts.js';
import type { Step, StepTrace } from './steps.js';

/** Where the response being delivered came from; decides which later hooks run (docs/cloudfront-reference.md §5.1). */
export type ResponseSource = 'origin' | 'cache' | 'viewer-generated' | 'origin-generated' | 'error';

type ResponseBody =
  | { kind: 'none' }
  | { kind: 'buffer'; buf: Buffer }
  /** Streamed from the origin; never buffered whole (a 100 MB download streams). */
  | { kind: 'stream'; stream: OriginBody };

export interface ExchangeResponse {
  status: number;
  statusDescription: string;
  headers: CfHeaders;
  body: ResponseBody;
  source: ResponseSource;
  /** X-Cache value before " from cloudfront". */
  xCache: string;
  /** Seconds, for `Age` on cache hits. */
  age?: number;
  /** The stored entry this response was served from (source 'cache'). */
  entry?: CacheEntry;
}

/** The viewer's request body: left in the socket (streamed to the origin) or read whole. */
type RequestBody = { kind: 'stream' } | { kind: 'buffer'; buf: Buffer };

/** What the cache lookup decided for one request. */
export interface CacheContext {
  readonly key: CacheKey;
  /** Viewer headers after viewer-request with Accept-Encoding normalized: what Vary variants compare. */
  readonly variantHeaders: CfHeaders;
  readonly hasAuthorization: boolean;
  /** ms, our clock, when the origin request went out (RFC 9111 §4.2.3 request_time). */
  requestTime: number;
  /** A stored entry past its freshness: revalidated, or served when the origin fails (docs/cloudfront-reference.md §6.6–§6.8). */
  stale: CacheEntry | undefined;
  /** Set when this request leads a collapsed fetch; settled exactly once. */
  leader: Inflight | undefined;
  /** For Cache-Status (RFC 9211). */
  fwd: ForwardReason | undefined;
  fwdStatus: number | undefined;
  stored: boolean;
  collapsed: boolean;
  detail: string | undefined;
}

export function createCacheContext(key: CacheKey, variantHeaders: CfHeaders, hasAuthorization: boolean): CacheContext {
  return {
    key,
    variantHeaders,
    hasAuthorization,
    requestTime: 0,
    stale: undefined,
    leader: undefined,
    fwd: undefined,
    fwdStatus: undefined,
    stored: false,
    collapsed: false,
    detail: undefined,
  };
}

export interface Exchange {
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly clientIp: string;
  /** The viewer's HTTP version (`1.1`, `2.0`), read once for Via, CloudFront-Viewer-Http-Version and compression. */
  readonly viewerHttpVersion: string;
  /** `https` when the viewer came in on the HTTPS listener (docs/cloudfront-reference.md §16). */
  readonly viewerProtocol: 'http' | 'https';
  readonly behavior: ResolvedBehavior;
  /**
   * The origin of the behavior, chosen from the viewer's original path; a uri rewrite never changes it
   * (docs/cloudfront-reference.md §0). Only a CloudFront Function's origin helpers replace it, at
   * viewer-request (docs/cloudfront-reference.md §26), before the origin side reads it.
   */
  origin: ResolvedOrigin;
  /**
   * The origin group's failover (docs/cloudfront-reference.md §14): the behavior's configured group, or
   * one a CloudFront Function made for this request (§26.3); cleared once the secondary is chosen.
   */
  failover: Failover | undefined;
  /** performance.now() when the exchange began: trace times count from it. */
  readonly startedAt: number;
  /** The viewer-side request: as received, then as the viewer-request function left it. */
  viewerRequest: CfRequest;
  requestBody: RequestBody;
  /** `X-Edgeproxy-CloudFront-*` values the viewer sent to inject CloudFront-* headers (docs/cloudfront-reference.md §7); never shown to functions. */
  viewerOverrides: Readonly<Record<string, string>>;
  /** The viewer's headers as received (CloudFront-Viewer-Header-Order/-Count describe these, docs/cloudfront-reference.md §7). */
  receivedHeaders: CfHeaders;
  /** The origin-side request (docs/cloudfront-reference.md §3.4), then as the origin-request function left it. */
  originRequest: CfRequest | undefined;
  response: ExchangeResponse | undefined;
  /** What the cache lookup decided; undefined when the request bypasses the cache. */
  cache: CacheContext | undefined;
  /** Set by cache-store for a streamed body: called with the whole body at its end (undefined if cut short). */
  storeOnEnd: ((body: Buffer | undefined) => void) | undefined;
  /** A stale entry served under stale-while-revalidate: refresh it in the background after delivery. */
  refresh: CacheEntry | undefined;
  /** No viewer (a background refresh, a custom error page's fetch): the driver stops it before viewer-response. */
  readonly background: boolean;
  /** The failure synth is answering (set by the driver when a step throws). */
  error: EdgeError | undefined;
  /** The first failure's code, for the access log (a later one, e.g. in the stale copy's viewer-response, does not replace it). */
  errorCode: ErrorCode | undefined;
  /** `viewer-request=auth:3` per function that ran, for the inspector header. */
  readonly executed: string[];
  /** Per-step timings in ms (steps.ts TIMED), recorded by the driver: Server-Timing and the origin-latency metric. */
  readonly timings: Array<{ stage: Step; ms: number }>;
  /** Every step the driver ran, when tracing was asked for at start (Env.trace); undefined otherwise. */
  readonly trace: StepTrace[] | undefined;
  /** The inspector's capture of this exchange (docs/inspector.md); undefined when capture is off, and then no hook runs. */
  readonly capture: ExchangeCapture | undefined;
}

interface ExchangeInit {
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly clientIp: string;
  readonly behavior: ResolvedBehavior;
  readonly origin: ResolvedOrigin;
  readonly startedAt: number;
  readonly viewerRequest: CfRequest;
  readonly trace: boolean;
  readonly capture?: ExchangeCapture | undefined;
  /**
   * For an exchange with no viewer of its own (a background refresh, a custom error page's fetch): what
   * the viewer's exchange learned — its headers, overrides and, for a refresh, the cache context.
   */
  readonly background?: {
    readonly receivedHeaders: CfHeaders;
    readonly viewerOverrides: Readonly<Record<string, string>>;
    readonly cache: CacheContext | undefined;
  };
}

const STREAMED: RequestBody = Object.freeze({ kind: 'stream' });
const NO_OVERRIDES: Readonly<Record<string, string>> = Object.freeze({});
/** Until viewer-request reads the viewer's headers (nothing writes into it). */
const NOT_READ: CfHeaders = Object.freeze({}) as CfHeaders;

export function createExchange(i: ExchangeInit): Exchange {
  const bg = i.background;
  return {
    requestId: i.requestId,
    req: i.req,
    res: i.res,
    clientIp: i.clientIp,
    viewerHttpVersion: i.req.httpVersion,
    viewerProtocol: (i.req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http',
    behavior: i.behavior,
    origin: i.origin,
    failover: i.behavior.failover,
    startedAt: i.startedAt,
    viewerRequest: i.viewerRequest,
    requestBody: STREAMED,
    viewerOverrides: bg === undefined ? NO_OVERRIDES : bg.viewerOverrides,
    receivedHeaders: bg === undefined ? NOT_READ : bg.receivedHeaders,
    originRequest: undefined,
    response: undefined,
    cache: bg === undefined ? undefined : bg.cache,
    storeOnEnd: undefined,
    refresh: undefined,
    background: bg !== undefined,
    error: undefined,
    errorCode: undefined,
    executed: [],
    timings: [],
    trace: i.trace ? [] : undefined,
    capture: i.capture,
  };
}

/** The viewer's connection as CloudFront-* headers describe it (docs/cloudfront-reference.md §7, §16). */
export function viewerInfoOf(ex: Exchange): ViewerInfo {
  return {
    headers: ex.receivedHeaders,
    clientIp: ex.clientIp,
    clientPort: ex.req.socket.remotePort ?? 0,
    httpVersion: ex.viewerHttpVersion,
    protocol: ex.viewerProtocol,
    tls: ex.viewerProtocol === 'https' ? tlsFactsOf(ex.req) : undefined,
  };
}
