// CloudFront's standard access log (legacy format, version 1.0): one tab-separated line per viewer
// request with the 33 documented fields, after `#Version` and `#Fields` header lines, appended to
// `log.accessLogFile`. Also the per-request observer that feeds this log and the request metrics when
// a response has ended (src/pipeline/run.ts calls it).

import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { rawHeaderValue } from '../event/headers.js';
import type { Logger } from '../log.js';
import type { Exchange } from '../pipeline/exchange.js';
import type { RequestMetrics } from './metrics.js';
import { tlsFactsOf } from '../viewer/tls-facts.js';

/** The fields, in CloudFront's order (standard-logs-reference, "Log file fields"). */
export const ACCESS_LOG_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

export const ACCESS_LOG_HEADER = `#Version: 1.0\n#Fields: ${ACCESS_LOG_FIELDS.join(' ')}\n`;

/** What one viewer request contributes to its log line. Strings as the viewer sent them; absent = `-`. */
export interface AccessRecord {
  /** When the response ended. */
  end: Date;
  edgeLocation: string;
  /** Bytes sent to the viewer, headers included. */
  scBytes: number;
  clientIp: string;
  method: string;
  /** The distribution's domain name (cs(Host) is CloudFront's name, x-host-header the viewer's Host). */
  distributionDomainName: string;
  uriStem: string;
  /** 0 when nothing was sent (logged as 000, as CloudFront does for a viewer that went away). */
  status: number;
  referer?: string | undefined;
  userAgent?: string | undefined;
  query?: string | undefined;
  cookie?: string | undefined;
  /** X-Cache without " from cloudfront"; undefined when no response was built. */
  xCache: string | undefined;
  /** The EdgeError code when the request failed (OriginConnectError, LambdaExecutionError…). */
  errorCode?: string | undefined;
  requestId: string;
  hostHeader?: string | undefined;
  protocol: 'http' | 'https';
  csBytes: number;
  timeTakenMs: number;
  forwardedFor?: string | undefined;
  /** ssl-protocol and ssl-cipher of an HTTPS viewer (`TLSv1.3`, `TLS_AES_128_GCM_SHA256`); absent over HTTP. */
  sslProtocol?: string | undefined;
  sslCipher?: string | undefined;
  /** False when the connection closed before the response was complete. */
  completed: boolean;
  /** `1.1`, `1.0`. */
  httpVersion: string;
  clientPort: number;
  ttfbMs?: number | undefined;
  contentType?: string | undefined;
  contentLength?: string | undefined;
  contentRange?: string | undefined;
}

function percent(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate: U+FFFD, as a UTF-8 decoder would make of it
  }
}

/**
 * CloudFront URL-encodes spaces, controls and non-ASCII in log values (a User-Agent reads
 * `Mozilla/5.0%20(…)`); in the query it also encodes `%`, as observed in real logs (`%253D`).
 */
export function logEncode(v: string | undefined, encodePercent = false): string {
  if (v === undefined || v === '') return '-';
  let out = '';
  for (const ch of v) {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x20 || c >= 0x7f || ch === '"' || ch === '\\' || (encodePercent && ch === '%')) out += percent(ch);
    else out += ch;
  }
  return out;
}

/**
 * x-edge-result-type from X-Cache (docs/cloudfront-reference.md §4, §5.4): Hit, RefreshHit, Miss pass through; every error
 * (Error, LambdaExecutionError, LambdaValidationError, LambdaLimitExceeded) is `Error`; a function-generated
 * answer never reached the cache: `Miss` [U] (docs/decisions.md).
 */
export function resultType(xCache: string | undefined): string {
  switch (xCache) {
    case 'Hit':
    case 'RefreshHit':
    case 'Miss':
      return xCache;
    case 'LambdaGeneratedResponse':
      return 'Miss';
    // CloudFront's HTTP→HTTPS redirect (docs/cloudfront-reference.md §16).
    case 'Redirect':
      return 'Redirect';
    default:
      return 'Error';
  }
}

/** x-edge-detailed-result-type: the result type, or the specific error (CloudFront's list has OriginDnsError, OriginConnectError…). */
export function detailedResultType(xCache: string | undefined, errorCode: string | undefined): string {
  if (xCache === 'LambdaGeneratedResponse') return 'MissGeneratedResponse';
  const r = resultType(xCache);
  if (r !== 'Error') return r;
  return errorCode ?? (xCache !== undefined && xCache !== 'Error' ? xCache : 'Error');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `bytes 0-99/1000` → ['0', '99']. */
function rangeOf(contentRange: string | undefined): [string, string] {
  const m = contentRange === undefined ? null : /^bytes\s+(\d+)-(\d+)\//i.exec(contentRange);
  return m?.[1] !== undefined && m[2] !== undefined ? [m[1], m[2]] : ['-', '-'];
}

/** One log line (no newline): the 33 fields, tab-separated, `-` for an empty value. */
export function formatAccessLogLine(r: AccessRecord): string {
  const e = r.end;
  const result = r.completed ? resultType(r.xCache) : 'Error';
  const [rangeStart, rangeEnd] = rangeOf(r.contentRange);
  const fields = [
    `${e.getUTCFullYear()}-${two(e.getUTCMonth() + 1)}-${two(e.getUTCDate())}`,
    `${two(e.getUTCHours())}:${two(e.getUTCMinutes())}:${two(e.getUTCSeconds())}`,
    r.edgeLocation,
    String(r.scBytes),
    r.clientIp,
    r.method,
    r.distributionDomainName,
    logEncode(r.uriStem),
    r.status === 0 ? '000' : String(r.status),
    logEncode(r.referer),
    logEncode(r.userAgent),
    logEncode(r.query, true),
    logEncode(r.cookie),
    resultType(r.xCache),
    r.requestId,
    logEncode(r.hostHeader),
    r.protocol,
    String(r.csBytes),
    seconds(r.timeTakenMs),
    logEncode(r.forwardedFor),
    r.sslProtocol ?? '-',
    r.sslCipher ?? '-',
    result,
    `HTTP/${r.httpVersion}`,
    '-',
    '-',
    String(r.clientPort),
    r.ttfbMs === undefined ? '-' : seconds(r.ttfbMs),
    r.completed ? detailedResultType(r.xCache, r.errorCode) : 'ClientCommError',
    logEncode(r.contentType),
    r.contentLength ?? '-',
    rangeStart,
    rangeEnd,
  ];
  return fields.join('\t');
}

interface AccessLog {
  write(r: AccessRecord): void;
  close(): Promise<void>;
}

/** Appends to `file`; writes the header lines when the file is new or empty. */
export function createAccessLog(file: string, log: Logger): AccessLog {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // A new file.
  }
  const stream: WriteStream = createWriteStream(file, { flags: 'a' });
  let broken = false;
  stream.on('error', (e) => {
    if (broken) return;
    broken = true;
    log.error(`edgeproxy: access log ${file}: ${e.message}; no more access log lines will be written`);
  });
  if (size === 0) stream.write(ACCESS_LOG_HEADER);
  return {
    write(r) {
      if (!broken) stream.write(`${formatAccessLogLine(r)}\n`);
    },
    close() {
      return new Promise<void>((resolve) => {
        if (stream.destroyed) return resolve();
        stream.end(() => resolve());
      });
    },
  };
}

// ---- the per-request observer ----

export interface ExchangeObserver {
  /** Called once per viewer request, before its steps run; reports when the response has ended. */
  watch(ex: Exchange, startedAt: number): void;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function headerValue(ex: Exchange, name: string): string | undefined {
  return ex.response?.headers[name]?.[0]?.value;
}

/** Bytes of the request line and headers as the viewer sent them (CRLFs included). */
function requestHeadBytes(ex: Exchange): number {
  const req = ex.req;
  let n = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 13; // "M U HTTP/1.1\r\n"
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) n += (raw[i] as string).length + (raw[i + 1] as string).length + 4;
  return n + 2;
}

function originLatency(ex: Exchange): number {
  for (const t of ex.timings) if (t.stage === 'origin-fetch') return t.ms;
  return -1;
}

/** One request being watched; hangs off its ServerResponse so one shared 'close' listener serves all. */
interface Watched {
  readonly ex: Exchange;
  /** Kept: `req.socket` is gone by the time a destroyed connection's response closes. */
  readonly socket: Socket;
  readonly startedAt: number;
  readonly written0: number;
  ttfb: number | undefined;
  readonly report: (w: Watched) => void;
}

const kWatched = Symbol('edgeproxy.watched');
type WatchedResponse = ServerResponse & { [kWatched]?: Watched };

// One function for every response, not a closure (and no `once` wrapper) per request: the observer
// runs on every cache hit, where each allocation shows (docs/benchmarks.md).
function onResponseClose(this: WatchedResponse): void {
  const w = this[kWatched];
  if (w === undefined) return;
  // Let go of the exchange: a response object can outlive its request (measured: keeping the link
  // cost ~2 KB per cached object and 4× the p99 of scenario g in the bench).
  this[kWatched] = undefined;
  w.report(w);
}

/**
 * The one info line per viewer request, for people: `GET /app.js?v=2 200 Hit 0.4 ms`, then the
 * functions that ran (`· viewer-request=auth:$LATEST`). JSON carries the same as fields.
 */
function requestLine(
  log: Logger,
  r: { method: string; url: string; status: number; xCache: string | undefined; ms: number; executed: readonly string[]; cfRequestId: string; completed: boolean },
): void {
  const status = r.status === 0 ? '000' : String(r.status);
  const xCache = r.xCache ?? 'Error';
  let line = `${r.method} ${r.url} ${status} ${xCache} ${r.ms < 10 ? r.ms.toFixed(1) : Math.round(r.ms)} ms`;
  if (!r.completed) line += ' (connection closed early)';
  if (r.executed.length > 0) line += ` · ${r.executed.join(', ')}`;
  log.info(line, {
    type: 'request',
    method: r.method,
    url: r.url,
    status: r.status,
    xCache,
    durationMs: Math.round(r.ms * 100) / 100,
    functions: r.executed.length > 0 ? r.executed.join(', ') : undefined,
    cfRequestId: r.cfRequestId,
    completed: r.completed,
  });
}

export function createExchangeObserver(opts: {
  metrics: RequestMetrics | undefined;
  accessLog: AccessLog | undefined;
  edgeLocation: string;
  distributionDomainName: string;
  /** Gets one info line per request; leave it out (or give a logger that drops info) for none. */
  log?: Logger | undefined;
}): ExchangeObserver {
  const { metrics, accessLog } = opts;
  // Decided once: with --log-level warn the per-request line is not even built.
  const log = opts.log !== undefined && opts.log.quietInfo !== true ? opts.log : undefined;
  const report = (w: Watched): void => {
    const ex = w.ex;
    const res = ex.res;
    const socket = w.socket;
    const bytesOut = socket.bytesWritten - w.written0;
    const method = ex.req.method ?? 'GET';
    const status = res.headersSent ? res.statusCode : 0;
    const xCache = ex.response?.xCache;
    // From the raw lines: `req.headers` is built on first use, and this runs for every request.
    const contentLength = rawHeaderValue(ex.req.rawHeaders, 'content-length');
    const bytesIn = contentLength === undefined ? 0 : Number(contentLength) || 0;
    metrics?.recordRequest(method, status, xCache ?? 'Error', bytesOut, bytesIn, originLatency(ex));
    if (log !== undefined) {
      const ms = performance.now() - w.startedAt;
      requestLine(log, { method, url: ex.req.url ?? '/', status, xCache, ms, executed: ex.executed, cfRequestId: ex.requestId, completed: res.writableFinished });
    }
    if (accessLog === undefined) return;
    const url = ex.req.url ?? '/';
    const q = url.indexOf('?');
    const tls = ex.viewerProtocol === 'https' ? tlsFactsOf(ex.req) : undefined;
    accessLog.write({
      end: new Date(),
      edgeLocation: opts.edgeLocation,
      scBytes: bytesOut,
      clientIp: ex.clientIp,
      method,
      distributionDomainName: opts.distributionDomainName,
      uriStem: q < 0 ? url : url.slice(0, q),
      status,
      referer: first(ex.req.headers.referer),
      userAgent: first(ex.req.headers['user-agent']),
      query: q < 0 ? undefined : url.slice(q + 1),
      // CloudFront logs cookies only with cookie logging on; edgeproxy has no such switch: never.
      cookie: undefined,
      xCache,
      // The first failure's code (the driver keeps it on the exchange).
      errorCode: ex.errorCode,
      requestId: ex.requestId,
      hostHeader: first(ex.req.headers.host),
      protocol: ex.viewerProtocol,
      csBytes: requestHeadBytes(ex) + bytesIn,
      timeTakenMs: performance.now() - w.startedAt,
      forwardedFor: first(ex.req.headers['x-forwarded-for']),
      sslProtocol: tls?.version,
      sslCipher: tls?.cipher,
      completed: res.writableFinished,
      httpVersion: ex.req.httpVersion,
      clientPort: socket.remotePort ?? 0,
      ttfbMs: w.ttfb,
      contentType: headerValue(ex, 'content-type'),
      contentLength: headerValue(ex, 'content-length'),
      contentRange: headerValue(ex, 'content-range'),
    });
  };
  return {
    watch(ex, startedAt) {
      const res: WatchedResponse = ex.res;
      const socket = ex.req.socket;
      const w: Watched = { ex, socket, startedAt, written0: socket.bytesWritten, ttfb: undefined, report };
      if (accessLog !== undefined) {
        // Only when someone reads the access log: note when the head goes out (time-to-first-byte).
        const writeHead = res.writeHead;
        res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
          w.ttfb ??= performance.now() - startedAt;
          return writeHead.apply(this, args);
        } as typeof res.writeHead;
      }
      res[kWatched] = w;
      res.on('close', onResponseClose);
    },
  };
}
