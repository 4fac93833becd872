// The driver: one loop over the steps of spec §0, one place that turns failures into CloudFront's
// error responses and logs the precise reason.

import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { selectBehavior } from '../config/path-pattern.js';
import { ERRORS, EdgeError } from '../errors.js';
import type { ExchangeObserver, ExchangeWatch } from '../observe/access-log.js';
import type { CacheEntry } from '../cache/entry.js';
import { canServeStaleOnError } from '../cache/freshness.js';
import { cacheLookup, release, serveEntry } from './cache-lookup.js';
import { createInflight } from './edge-cache.js';
import { cacheStore } from './cache-store.js';
import { deliver } from './deliver.js';
import { discardBody } from './discard.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { originFetch } from './origin-fetch.js';
import { originRequest } from './origin-request.js';
import { originResponse } from './origin-response.js';
import { assertNever, type Step } from './steps.js';
import { errorResponse } from './synth.js';
import { buildViewerRequest, splitTarget, viewerRequest } from './viewer-request.js';
import { viewerResponse } from './viewer-response.js';

// Random bytes are drawn in bulk: one randomFillSync per 1,638 ids instead of one per request
// (a per-request randomBytes call was 10 % of a cache hit's CPU in the profile).
const ID_BYTES = 40;
const idPool = Buffer.allocUnsafe(ID_BYTES * 1638);
let idOffset = idPool.length;

/** 56 characters of URL-safe base64 ending in `==`, like CloudFront's request ids (spec §1.1 [O]). */
export function newRequestId(): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return `${id}==`;
}

export function clientIpOf(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '127.0.0.1';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * Runs the steps from `first`. Steps that have nothing to wait for answer synchronously (a cache hit
 * with no functions never awaits), so the loop stays synchronous until a step returns a promise: on the
 * hot path an `await` per step was a promise and a microtask each, for nothing.
 */
function runSteps(env: Env, ex: Exchange, first: Step): Promise<void> | undefined {
  let step: Step = first;
  for (;;) {
    const next = runStep(env, ex, step);
    if (next === undefined) return undefined;
    if (typeof next !== 'string') return next.then((s) => (s === undefined ? undefined : runSteps(env, ex, s)));
    step = next;
  }
}

/** One step: the next step, undefined when the exchange is over, or a promise of either. */
function runStep(env: Env, ex: Exchange, step: Step): Step | undefined | Promise<Step | undefined> {
  // A background refresh has no viewer: it ends once the cache has the new copy.
  if (ex.background && step === 'viewer-response') return undefined;
  switch (step) {
    case 'viewer-request':
      return viewerRequest(env, ex);
    case 'cache-lookup':
      return cacheLookup(env, ex);
    case 'origin-request':
      return originRequest(env, ex);
    case 'origin-fetch':
      return originFetch(env, ex);
    case 'origin-response':
      return originResponse(env, ex);
    case 'cache-store':
      return cacheStore(env, ex);
    case 'viewer-response':
      return viewerResponse(env, ex);
    case 'deliver': {
      const done = deliver(env, ex);
      return done === undefined ? undefined : done.then(() => undefined);
    }
    default:
      return assertNever(step);
  }
}

function asEdgeError(e: unknown): EdgeError {
  if (e instanceof EdgeError) return e;
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new EdgeError('InternalError', msg, { cause: e });
}

function logError(env: Env, ex: { requestId: string; req: IncomingMessage }, err: EdgeError): void {
  const line = `${ex.requestId} ${ex.req.method} ${ex.req.url} → ${err.status} ${err.describe()}`;
  if (err.kind === 'user') env.log.warn(line);
  else env.log.error(err.code === 'InternalError' && err.cause instanceof Error && process.env.EDGEPROXY_DEBUG ? `${line}\n${err.cause.stack}` : line);
}

/**
 * `observe` (metrics, access log) hears about the request when its response has ended
 * (observe/access-log.ts). Returns undefined when the request was answered synchronously (a cache hit
 * with no functions), else a promise that settles when it is done. Every pipeline failure becomes
 * CloudFront's error response; a throw or a rejection means an internal fault (the caller cuts the
 * connection).
 */
export function handleRequest(env: Env, req: IncomingMessage, res: ServerResponse, observe?: ExchangeObserver): Promise<void> | undefined {
  const startedAt = performance.now();
  const requestId = newRequestId();
  const clientIp = clientIpOf(req);
  // [A] spec §0/§6.1: the behavior (and so the origin) is chosen once, from the viewer's original path.
  const target = splitTarget(req.url ?? '/');
  const behavior = selectBehavior(env.config.behaviors, target.uri);
  const origin = env.config.origins.get(behavior.originId);
  if (!origin) throw new Error(`behavior ${behavior.pathPattern}: origin ${behavior.originId} missing`);
  const ex: Exchange = {
    requestId,
    req,
    res,
    clientIp,
    behavior,
    origin,
    viewerRequest: { clientIp, method: req.method ?? 'GET', uri: target.uri, querystring: target.querystring, headers: {} },
    requestBody: STREAMED,
    viewerOverrides: NO_OVERRIDES,
    receivedHeaders: {},
    originRequest: undefined,
    response: undefined,
    cache: undefined,
    storeOnEnd: undefined,
    refresh: undefined,
    background: false,
    executed: [],
    timings: [],
  };
  const watch = observe?.watch(ex, startedAt);
  let running: Promise<void> | undefined;
  try {
    const built = buildViewerRequest(env, ex, target);
    ex.viewerRequest = built.request;
    ex.viewerOverrides = built.overrides;
    ex.receivedHeaders = built.request.headers;
    running = runSteps(env, ex, 'viewer-request');
  } catch (e) {
    return failed(env, ex, watch, e);
  }
  if (running === undefined) {
    finish(env, ex);
    return undefined;
  }
  return running.then(
    () => finish(env, ex),
    (e: unknown) => failed(env, ex, watch, e),
  );
}

const STREAMED: Exchange['requestBody'] = Object.freeze({ kind: 'stream' });
const NO_OVERRIDES: Readonly<Record<string, string>> = Object.freeze({});

async function failed(env: Env, ex: Exchange, watch: ExchangeWatch | undefined, e: unknown): Promise<void> {
  const err = asEdgeError(e);
  if (watch !== undefined) watch.errorCode = err.code;
  try {
    await fail(env, ex, err);
  } finally {
    finish(env, ex);
  }
}

function finish(env: Env, ex: Exchange): void {
  // Whatever happened, waiters on this request's origin fetch must not hang (spec §6.9).
  release(env, ex.cache, undefined);
  if (ex.refresh) refreshInBackground(env, ex, ex.refresh);
}

async function fail(env: Env, ex: Exchange, err: EdgeError): Promise<void> {
  const res = ex.res;
  logError(env, ex, err);
  if (res.headersSent) {
    // Too late for an error page: cut the connection so the viewer sees a truncated response.
    res.destroy();
    return;
  }
  discardBody(ex.response);
  const stale = ex.cache?.stale;
  if (stale && ERRORS[err.code].staleOnError && canServeStaleOnError(stale, env.cache.clock.now())) {
    // spec §6.6/§6.7: an unreachable or failing origin is answered from the stale copy.
    if (ex.cache) ex.cache.detail = 'stale-if-error';
    serveEntry(env, ex, stale, 'Hit');
    try {
      await runSteps(env, ex, 'viewer-response');
      return;
    } catch (e) {
      err = asEdgeError(e);
      logError(env, ex, err);
    }
  }
  ex.response = errorResponse(err, ex.requestId);
  try {
    await deliver(env, ex);
  } catch {
    res.destroy();
  }
}

/**
 * stale-while-revalidate (spec §6.7): the viewer already has the stale copy; one fetch through
 * origin-request → origin → origin-response → cache-store refreshes it, with no viewer attached.
 */
function refreshInBackground(env: Env, ex: Exchange, entry: CacheEntry): void {
  const ctx = ex.cache;
  if (!ctx || env.cache.inflight.has(ctx.key.key)) return;
  const leader = createInflight();
  env.cache.inflight.set(ctx.key.key, leader);
  const bg: Exchange = {
    ...ex,
    originRequest: undefined,
    response: undefined,
    storeOnEnd: undefined,
    refresh: undefined,
    background: true,
    requestBody: { kind: 'stream' },
    executed: [],
    timings: [],
    cache: { ...ctx, stale: entry, leader, fwd: 'stale', fwdStatus: undefined, stored: false, collapsed: false, detail: undefined },
  };
  Promise.resolve()
    .then(() => runSteps(env, bg, 'origin-request'))
    .catch((e: unknown) => {
      const err = asEdgeError(e);
      env.log.warn(`${ex.requestId} background refresh of ${ex.viewerRequest.uri} failed: ${err.describe()}`);
      discardBody(bg.response);
    })
    .finally(() => release(env, bg.cache, undefined));
}
