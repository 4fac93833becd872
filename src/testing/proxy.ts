// startEdgeProxy for tests: a whole distribution on a free loopback port, quiet, with proxy.fetch(path,
// init) whose answer carries what happened inside the exchange — which functions ran, the request the
// origin got, the cache decision, the steps and their times — so a test asserts "the origin got
// /about/index.html" without a spy origin. Read from the exchange itself (StartOptions.observe).

import { describeCacheKey } from '../cache/key.js';
import type { ResolvedConfig } from '../config/types.js';
import { loadConfig } from '../config/load.js';
import { originRequestToFetch } from '../event/origin-request.js';
import type { CfHeaders, CfRequest, EventType } from '../event/types.js';
import { type EdgeProxy, type InternalStartOptions, startProxy } from '../proxy.js';
import { createLogger, type LogFields, type Logger } from '../log.js';
import type { ExchangeObserver } from '../observe/access-log.js';
import type { Exchange } from '../pipeline/exchange.js';
import type { Step } from '../pipeline/steps.js';
import { isEventType } from './event.js';
import type { ExchangeRecord as InspectorExchange } from '../inspector/record.js';
import type { DistributionInput } from './types.js';

export type { InspectorExchange };

export interface TestProxyOptions extends Omit<InternalStartOptions, 'config' | 'log' | 'observe' | 'lambdaScheduler'> {
  /** The distribution: a config file, a config object (as in edgeproxy.config.json) or a loaded config. Listens on 127.0.0.1, port 0. */
  config: DistributionInput;
  /** Folder a config object's relative function files resolve against (default: cwd). */
  baseDir?: string;
  /** Print the proxy's and the functions' lines (default: quiet; the last ones are in proxy.logs). */
  print?: boolean;
  /**
   * Capture every exchange with the inspector (docs/inspector.md) and attach its record to each
   * proxy.fetch answer as `edge.inspector` (default true; its admin listener then runs on a free port).
   * Not applied to a config given already loaded: that one's own `inspector.capture` decides.
   */
  inspect?: boolean;
}

/** A function that ran for the exchange. */
export interface RanFunction {
  trigger: EventType;
  functionId: string;
  version: string;
}

/** What happened inside one exchange, as proxy.fetch saw it. */
export interface ExchangeRecord {
  /** X-Amz-Cf-Id, and the events' requestId. */
  requestId: string;
  /** The behavior's path pattern. */
  behavior: string;
  status: number;
  /** X-Cache's value before " from cloudfront". */
  xCache: string | undefined;
  /** The functions that ran, in order. */
  functions: RanFunction[];
  /** The viewer's request as the viewer-request function left it (what the cache key and the origin side start from). */
  viewerRequest: CfRequest;
  /** The request the origin got (after origin-request), or undefined when the origin was not asked (a hit, a generated response). */
  originRequest: (CfRequest & { url: string }) | undefined;
  /** The cache's decision; undefined when the request bypassed the cache (a method or policy that does not cache). */
  cache: { key: string; lookup: 'hit' | 'miss' | 'stale' | 'collapsed'; stored: boolean } | undefined;
  /** The failure CloudFront answered with, if any. */
  error: { code: string; message: string; stage: string | undefined; functionName: string | undefined; field: string | undefined } | undefined;
  /** Every step the driver ran, with its outcome and duration. */
  steps: Array<{ step: Step; outcome: string; ms: number }>;
  /**
   * The inspector's capture of the exchange (docs/inspector.md): each function's exact event, result,
   * diff and log lines, the cache key and TTL rule, the origin's request and answer, skipped stages.
   * Set when capture is on (`inspect`, the default).
   */
  inspector?: InspectorExchange;
}

/** A fetch Response (body already read, so the exchange is complete) with what happened inside. */
export type EdgeResponse = Response & { readonly edge: ExchangeRecord | undefined };

export interface TestProxy extends EdgeProxy, AsyncDisposable {
  /** `fetch(proxy.url + path, init)`, answered with the exchange's record in `.edge`. */
  fetch(path: string, init?: RequestInit): Promise<EdgeResponse>;
  /** The last lines the proxy and its functions logged (at most 2,000). */
  readonly logs: readonly string[];
  /** The inspector page (`<admin>/inspector/`) while capture is on: open it to see a failing test's exchanges. */
  readonly inspectorUrl: string | undefined;
}

const KEEP_LINES = 2000;
const KEEP_EXCHANGES = 256;
/** How long fetch waits, after the body, for the exchange's last step (a cache store) to finish. */
const SETTLE_MS = 5000;

function keepingLogger(print: boolean): Logger & { lines: string[] } {
  const lines: string[] = [];
  const out = print ? createLogger() : undefined;
  const keep = (level: 'info' | 'warn' | 'error') => (msg: string, fields?: LogFields) => {
    lines.push(msg);
    if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
    out?.[level](msg, fields);
  };
  // Not quiet: the functions' START/END/REPORT lines are kept, and the exchange notes which functions ran.
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

interface Watched {
  ex: Exchange;
  done: Promise<void>;
}

function tap(): ExchangeObserver & { take(requestId: string): Watched | undefined } {
  const watched = new Map<string, Watched>();
  return {
    watch(ex) {
      const done = new Promise<void>((resolve) => ex.res.once('close', () => resolve()));
      watched.set(ex.requestId, { ex, done });
      // Exchanges nobody fetched through proxy.fetch (another client) are forgotten past a bound.
      if (watched.size > KEEP_EXCHANGES) {
        const oldest = watched.keys().next().value;
        if (oldest !== undefined) watched.delete(oldest);
      }
    },
    take(requestId) {
      const w = watched.get(requestId);
      watched.delete(requestId);
      return w;
    },
  };
}

function copyHeaders(h: CfHeaders): CfHeaders {
  return JSON.parse(JSON.stringify(h)) as CfHeaders;
}

function ran(executed: readonly string[]): RanFunction[] {
  const out: RanFunction[] = [];
  for (const e of executed) {
    // `viewer-request=auth:3` (pipeline/invoke.ts), `viewer-request=fn` for a CloudFront Function.
    const eq = e.indexOf('=');
    const trigger = e.slice(0, eq);
    const rest = e.slice(eq + 1);
    const colon = rest.lastIndexOf(':');
    if (!isEventType(trigger)) continue;
    out.push(colon === -1 ? { trigger, functionId: rest, version: '' } : { trigger, functionId: rest.slice(0, colon), version: rest.slice(colon + 1) });
  }
  return out;
}

/** The record of a finished exchange. */
export function exchangeRecord(ex: Exchange): ExchangeRecord {
  const steps = (ex.trace ?? []).map((t) => ({ step: t.step, outcome: t.outcome, ms: t.durationNs / 1e6 }));
  const fetched = steps.some((s) => s.step === 'origin-fetch');
  const o = ex.originRequest;
  const ctx = ex.cache;
  const source = ex.response?.source;
  const err = ex.error;
  return {
    requestId: ex.requestId,
    behavior: ex.behavior.pathPattern,
    status: ex.res.statusCode,
    xCache: ex.response?.xCache,
    functions: ran(ex.executed),
    viewerRequest: { ...ex.viewerRequest, headers: copyHeaders(ex.viewerRequest.headers) },
    originRequest: fetched && o !== undefined ? { ...o, headers: copyHeaders(o.headers), url: originRequestToFetch(o).url } : undefined,
    cache:
      ctx === undefined
        ? undefined
        : {
            key: describeCacheKey(ctx.key.key),
            lookup: ctx.collapsed ? 'collapsed' : source === 'cache' ? (ctx.fwd === 'stale' ? 'stale' : 'hit') : ctx.stale !== undefined ? 'stale' : 'miss',
            stored: ctx.stored || ex.storeOnEnd !== undefined,
          },
    error: err === undefined ? undefined : { code: err.code, message: err.message, stage: err.stage, functionName: err.functionName, field: err.field },
    steps,
  };
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A distribution for end-to-end tests, on 127.0.0.1 and a free port, quiet: `const proxy = await
 * startEdgeProxy({ config: 'edgeproxy.config.json' })`, then `await proxy.fetch('/about')`.
 */
export async function startEdgeProxy(opts: TestProxyOptions): Promise<TestProxy> {
  const { config: input, baseDir, print, inspect, ...rest } = opts;
  // Loopback and a free port; with capture, the inspector's admin listener on a free port too.
  const flags = { port: 0, host: '127.0.0.1', ...(inspect === false ? {} : { inspector: true, adminPort: 0 }) };
  let config: ResolvedConfig;
  if (typeof input === 'string') config = await loadConfig({ file: input, flags });
  else if ((input as { origins?: unknown }).origins instanceof Map) config = input as ResolvedConfig;
  else config = await loadConfig({ object: input, flags, ...(baseDir === undefined ? {} : { baseDir }) });
  const log = keepingLogger(print === true);
  const exchanges = tap();
  const proxy = await startProxy({ ...rest, config, log, observe: exchanges });
  const fetchThrough = async (path: string, init?: RequestInit): Promise<EdgeResponse> => {
    const res = await fetch(new URL(path, proxy.url), init);
    const body = new Uint8Array(await res.arrayBuffer());
    const id = res.headers.get('x-amz-cf-id');
    const w = id === null ? undefined : exchanges.take(id);
    if (w !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([w.done, new Promise<void>((r) => (timer = setTimeout(r, SETTLE_MS)))]);
      clearTimeout(timer);
    }
    const captured = id === null || proxy.inspector === undefined ? undefined : await proxy.inspector.waitFor(id, SETTLE_MS);
    const nullBody = NULL_BODY.has(res.status) || (init?.method ?? 'GET').toUpperCase() === 'HEAD';
    const answer = new Response(nullBody ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
    let edge: ExchangeRecord | undefined;
    if (w !== undefined) {
      edge = exchangeRecord(w.ex);
      if (captured !== undefined) edge.inspector = captured.record();
    }
    return Object.assign(answer, { edge });
  };
  return {
    url: proxy.url,
    https: proxy.https,
    adminUrl: proxy.adminUrl,
    lambdaUrl: proxy.lambdaUrl,
    config: proxy.config,
    close: (graceMs?: number) => proxy.close(graceMs),
    fetch: fetchThrough,
    logs: log.lines,
    inspectorUrl: proxy.inspectorUrl,
    [Symbol.asyncDispose]: () => proxy.close(),
  };
}
