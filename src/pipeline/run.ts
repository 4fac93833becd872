// The driver: one loop over the steps of steps.ts TRANSITIONS (docs/lifecycle.md), the only module
// that knows their order. A step that throws hands its failure to the synth step; the driver records
// the timings Server-Timing and the metrics read, and every step of a traced exchange.

import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { release } from '../cache/edge-cache.js';
import type { CacheEntry } from '../cache/entry.js';
import { createInflight } from '../cache/inflight.js';
import { selectBehavior } from '../config/path-pattern.js';
import { EdgeError } from '../errors.js';
import { splitTarget } from '../event/target.js';
import type { ExchangeObserver } from '../observe/access-log.js';
import { cacheLookup } from './cache-lookup.js';
import { cacheStore } from './cache-store.js';
import { customErrorAfterSynth, customErrorStep } from './custom-error.js';
import { deliver } from './deliver.js';
import type { Env } from './env.js';
import { createCacheContext, createExchange, type Exchange } from './exchange.js';
import { beginCapture, endCapture, noteFailure } from './inspect.js';
import { originFetch } from './origin-fetch.js';
import { originRequest } from './origin-request.js';
import { originResponse } from './origin-response.js';
import { request } from './request.js';
import { restrictViewerAccess } from './restrict-viewer-access.js';
import { assertNever, TIMED, type Next, type Step, type StepResult } from './steps.js';
import { synth } from './synth.js';
import { viewerRequest } from './viewer-request.js';
import { viewerResponse } from './viewer-response.js';

/** A stage as the driver calls it: its result is typed by its row of TRANSITIONS. */
export type Stage<S extends Step> = (env: Env, ex: Exchange) => StepResult<S>;

/**
 * Every step's stage. The type is where the table is enforced: a stage whose return type names a step
 * its row does not list does not compile here (test/pipeline/transitions.test.ts).
 */
const STAGES: { readonly [S in Step]: Stage<S> } = {
  request,
  'restrict-viewer-access': restrictViewerAccess,
  'viewer-request': viewerRequest,
  'cache-lookup': cacheLookup,
  'origin-request': originRequest,
  'origin-fetch': originFetch,
  'origin-response': originResponse,
  'cache-store': cacheStore,
  'viewer-response': viewerResponse,
  deliver,
  synth,
};

// Random bytes are drawn in bulk: one randomFillSync per 1,638 ids instead of one per request
// (a per-request randomBytes call was 10 % of a cache hit's CPU in the profile).
const ID_BYTES = 40;
const idPool = Buffer.allocUnsafe(ID_BYTES * 1638);
let idOffset = idPool.length;

/** 56 characters of URL-safe base64 ending in `==`, like CloudFront's request ids (docs/cloudfront-reference.md §1.1 [O]). */
export function newRequestId(): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return `${id}==`;
}

function clientIpOf(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '127.0.0.1';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** One step: a switch of direct calls (cheaper than a call through the table), each through its typed entry. */
function runStep(env: Env, ex: Exchange, step: Step): StepResult<Step> {
  switch (step) {
    case 'request':
      return STAGES.request(env, ex);
    case 'restrict-viewer-access':
      return STAGES['restrict-viewer-access'](env, ex);
    case 'viewer-request':
      return STAGES['viewer-request'](env, ex);
    case 'cache-lookup':
      return STAGES['cache-lookup'](env, ex);
    case 'origin-request':
      return STAGES['origin-request'](env, ex);
    case 'origin-fetch':
      return STAGES['origin-fetch'](env, ex);
    case 'origin-response':
      return STAGES['origin-response'](env, ex);
    case 'cache-store':
      return STAGES['cache-store'](env, ex);
    case 'viewer-response':
      // docs/cloudfront-reference.md §12: an origin error with a custom error page is swapped for the page
      // first; custom-error.ts runs the page's fetch with the driver it is given (it does not import it).
      return customErrorStep(env, ex, runSteps) ?? STAGES['viewer-response'](env, ex);
    case 'deliver':
      return STAGES.deliver(env, ex);
    case 'synth': {
      const next = STAGES.synth(env, ex);
      // §12: CloudFront's 502/504 for an unreachable or failing origin gets its custom error page.
      return next === 'deliver' ? (customErrorAfterSynth(env, ex, runSteps) ?? next) : next;
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

/** Where a failed step goes: synth, with the failure on the exchange. */
function failure(ex: Exchange, step: Step, e: unknown): 'synth' | 'done' {
  // synth itself failing is a fault in edgeproxy: the caller cuts the connection and logs it.
  if (step === 'synth') throw e;
  if (ex.response?.source === 'error') {
    // The error page could not be written: nothing is left to answer with.
    ex.res.destroy();
    return 'done';
  }
  const err = asEdgeError(e);
  if (ex.capture !== undefined) noteFailure(ex, err);
  ex.error = err;
  ex.errorCode ??= err.code;
  return 'synth';
}

function traceStep(ex: Exchange, trace: NonNullable<Exchange['trace']>, step: Step, started: number, outcome: Next<Step> | 'error'): void {
  trace.push({ step, startNs: Math.round((started - ex.startedAt) * 1e6), durationNs: Math.round((performance.now() - started) * 1e6), outcome });
}

/**
 * Runs the steps from `first`. Steps that have nothing to wait for answer synchronously (a cache hit
 * with no functions never awaits), so the loop stays synchronous until a step returns a promise: on the
 * hot path an `await` per step was a promise and a microtask each, for nothing. Without a trace the
 * loop reads no clock and allocates nothing.
 */
function runSteps(env: Env, ex: Exchange, first: Step): Promise<void> | undefined {
  let step: Step = first;
  for (;;) {
    // A background refresh has no viewer: it ends once the cache has the new copy.
    if (ex.background && step === 'viewer-response') return undefined;
    const trace = ex.trace;
    const started = trace === undefined ? 0 : performance.now();
    let next: Step | 'done';
    try {
      const result = runStep(env, ex, step);
      if (typeof result !== 'string') return waitFor(env, ex, step, result, started);
      next = result;
      if (trace !== undefined) traceStep(ex, trace, step, started, result);
    } catch (e) {
      next = failure(ex, step, e);
      if (trace !== undefined) traceStep(ex, trace, step, started, 'error');
    }
    if (next === 'done') return undefined;
    step = next;
  }
}

/**
 * A step that returned a promise: its wait is timed (steps.ts TIMED) from here to its settling, then
 * the loop goes on.
 */
async function waitFor(env: Env, ex: Exchange, step: Step, pending: Promise<Next<Step>>, started: number): Promise<void> {
  const timed = TIMED[step];
  const waitStart = timed === undefined ? 0 : performance.now();
  let next: Step | 'done';
  let outcome: Next<Step> | 'error';
  try {
    next = outcome = await pending;
  } catch (e) {
    next = failure(ex, step, e);
    outcome = 'error';
  }
  if (timed === 'settled' || (timed === 'resolved' && outcome !== 'error')) ex.timings.push({ stage: step, ms: performance.now() - waitStart });
  if (ex.trace !== undefined) traceStep(ex, ex.trace, step, started, outcome);
  if (next === 'done') return;
  const more = runSteps(env, ex, next);
  if (more !== undefined) await more;
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
  const clientIp = clientIpOf(req);
  // [A] docs/cloudfront-reference.md §0/§6.1: the behavior (and so the origin) is chosen once, from the viewer's original path.
  const target = splitTarget(req.url ?? '/');
  const behavior = selectBehavior(env.config.behaviors, target.uri);
  const origin = env.config.origins.get(behavior.originId);
  if (!origin) throw new Error(`behavior ${behavior.pathPattern}: origin ${behavior.originId} missing`);
  const requestId = newRequestId();
  // The one check capture costs when it is off.
  const capture = env.inspector === undefined ? undefined : beginCapture(env.inspector, req.rawHeaders, requestId);
  const ex = createExchange({
    requestId,
    req,
    res,
    clientIp,
    behavior,
    origin,
    startedAt,
    // The request step reads the headers into it.
    viewerRequest: { clientIp, method: req.method ?? 'GET', uri: target.uri, querystring: target.querystring, headers: {} },
    trace: env.trace || capture !== undefined,
    capture,
  });
  observe?.watch(ex, startedAt);
  let running: Promise<void> | undefined;
  try {
    running = runSteps(env, ex, 'request');
  } catch (e) {
    finish(env, ex);
    throw e;
  }
  if (running === undefined) {
    finish(env, ex);
    return undefined;
  }
  return running.finally(() => finish(env, ex));
}

function finish(env: Env, ex: Exchange): void {
  // Whatever happened, waiters on this request's origin fetch must not hang (docs/cloudfront-reference.md §6.9).
  release(env.cache, ex.cache, undefined);
  if (ex.capture !== undefined) endCapture(env, ex, ex.capture);
  if (ex.refresh) refreshInBackground(env, ex, ex.refresh);
}

/**
 * stale-while-revalidate (docs/cloudfront-reference.md §6.7): the viewer already has the stale copy; one
 * fetch through origin-request → origin → origin-response → cache-store refreshes it, with no viewer attached.
 */
function refreshInBackground(env: Env, ex: Exchange, entry: CacheEntry): void {
  const ctx = ex.cache;
  if (!ctx || env.cache.inflight.has(ctx.key.key)) return;
  const leader = createInflight();
  env.cache.inflight.set(ctx.key.key, leader);
  const cache = createCacheContext(ctx.key, ctx.variantHeaders, ctx.hasAuthorization);
  cache.stale = entry;
  cache.leader = leader;
  cache.fwd = 'stale';
  const bg = createExchange({
    requestId: ex.requestId,
    req: ex.req,
    res: ex.res,
    clientIp: ex.clientIp,
    behavior: ex.behavior,
    origin: ex.origin,
    startedAt: performance.now(),
    viewerRequest: ex.viewerRequest,
    trace: ex.trace !== undefined,
    background: { receivedHeaders: ex.receivedHeaders, viewerOverrides: ex.viewerOverrides, cache },
  });
  Promise.resolve()
    .then(() => runSteps(env, bg, 'origin-request'))
    .catch((e: unknown) => env.log.error(`${ex.requestId} background refresh of ${ex.viewerRequest.uri} failed unexpectedly: ${asEdgeError(e).describe()}`))
    .finally(() => release(env.cache, bg.cache, undefined));
}
