// One viewer request's state as it moves through the pipeline. Plain fields, filled stage by stage.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CacheEntry } from '../cache/entry.js';
import type { ResolvedBehavior, ResolvedOrigin } from '../config/types.js';
import type { CfHeaders, CfRequest } from '../event/types.js';
import type { OriginBody } from '../origin/client.js';
import type { CacheContext } from './edge-cache.js';

/** Where the response being delivered came from; decides which later hooks run (spec §5.1). */
export type ResponseSource = 'origin' | 'cache' | 'viewer-generated' | 'origin-generated' | 'error';

export type ResponseBody =
  | { kind: 'none' }
  | { kind: 'buffer'; buf: Buffer }
  /** Streamed from the origin; never buffered whole (issue: a 100 MB download must stream). */
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
export type RequestBody = { kind: 'stream' } | { kind: 'buffer'; buf: Buffer };

export interface Exchange {
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly clientIp: string;
  readonly behavior: ResolvedBehavior;
  /** The origin of the behavior, chosen from the viewer's original path; a uri rewrite never changes it (spec §0). */
  readonly origin: ResolvedOrigin;
  /** The viewer-side request: as received, then as the viewer-request function left it. */
  viewerRequest: CfRequest;
  requestBody: RequestBody;
  /** `X-Edgeproxy-CloudFront-*` values the viewer sent to inject CloudFront-* headers (spec §7); never shown to functions. */
  viewerOverrides: Readonly<Record<string, string>>;
  /** The viewer's headers as received (CloudFront-Viewer-Header-Order/-Count describe these, spec §7). */
  receivedHeaders: CfHeaders;
  /** The origin-side request (spec §3.4), then as the origin-request function left it. */
  originRequest: CfRequest | undefined;
  response: ExchangeResponse | undefined;
  /** What the cache lookup decided; undefined when the request bypasses the cache. */
  cache: CacheContext | undefined;
  /** Set by cache-store for a streamed body: called with the whole body at its end (undefined if cut short). */
  storeOnEnd: ((body: Buffer | undefined) => void) | undefined;
  /** A stale entry served under stale-while-revalidate: refresh it in the background after delivery. */
  refresh: CacheEntry | undefined;
  /** A background refresh: no viewer, stops after cache-store. */
  readonly background: boolean;
  /** `viewer-request=auth:3` per function that ran, for the inspector header. */
  readonly executed: string[];
  /** Per-stage timings in ms, for the inspector and the log. */
  readonly timings: Array<{ stage: string; ms: number }>;
}
