// The pipeline's side of the inspector (docs/inspector.md): the few hooks the stages call when an
// exchange is captured (`ex.capture` set; with capture off it is undefined and no hook runs), and
// the summary of the exchange handed to the inspector when it ends. Not a stage: run.ts, invoke.ts,
// cff.ts, origin-fetch.ts, cache-store.ts and deliver.ts call it.

import { PassThrough, type Readable } from 'node:stream';
import type { TtlDecision } from '../cache/ttl.js';
import type { CacheKey } from '../cache/key.js';
import type { CachePolicy } from '../config/types.js';
import { EdgeError } from '../errors.js';
import { rawHeaderValue } from '../event/headers.js';
import type { CfHeaders } from '../event/types.js';
import { BodySink, type ExchangeCapture, type FinishData, type FunctionCapture, pairs, previewOf } from '../inspector/capture.js';
import type { Inspector } from '../inspector/inspector.js';
import type { CacheRecord, SkippedStage, StepTiming, Trigger } from '../inspector/record.js';
import { ttlRuleText } from '../inspector/ttl-text.js';
import type { InvokeOutcome } from '../runtime/types.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';

/** The replay header the inspector's Replay sends (an `x-edgeproxy-*` header: functions never see it). */
export const REPLAY_HEADER = 'x-edgeproxy-replay-of';

export function beginCapture(inspector: Inspector, rawHeaders: readonly string[], requestId: string): ExchangeCapture {
  return inspector.begin(requestId, rawHeaderValue(rawHeaders, REPLAY_HEADER));
}

/** A Lambda@Edge run's facts from its outcome (REPORT's figures, the returned value as JSON). */
export function noteOutcome(f: FunctionCapture, o: InvokeOutcome): void {
  f.version = o.version;
  f.durationMs = o.durationMs;
  f.cold = o.initDurationMs !== undefined;
  f.initDurationMs = o.initDurationMs;
  if (f.awsRequestId === undefined) f.awsRequestId = o.awsRequestId;
  if (o.ok) {
    f.result = o.result;
  } else {
    f.ok = false;
  }
}

/** A step failed: if it was a function's fault, that run gets the error. */
export function noteFailure(ex: Exchange, err: EdgeError): void {
  ex.capture?.failed(err.stage, { code: err.code, status: err.status, message: err.message, field: err.field });
}

/** The request body as a function's includeBody read it. */
export function noteRequestBody(ex: Exchange, body: Buffer, limit: number): void {
  const c = ex.capture;
  if (c === undefined || c.requestBody !== undefined) return;
  c.requestBody = previewOf(body.subarray(0, limit), body.length, rawHeaderValue(ex.req.rawHeaders, 'content-type'));
}

/** The viewer's streamed body, seen on its way to the origin: a pass-through that keeps a preview. */
export function teeRequestBody(ex: Exchange, c: ExchangeCapture, req: Readable): Readable {
  const sink = new BodySink(c.bodyLimit);
  const pass = new PassThrough();
  req.on('data', (chunk: Buffer) => sink.chunk(chunk));
  req.on('end', () => {
    c.requestBody = sink.preview(rawHeaderValue(ex.req.rawHeaders, 'content-type'));
  });
  req.on('error', (e) => pass.destroy(e));
  req.pipe(pass);
  return pass;
}

/** cache-store's TTL decision, in words; `entry` (when stored) keeps the words for later hits. */
export function noteTtl(env: Env, ex: Exchange, d: TtlDecision, status: number, headers: CfHeaders): string | undefined {
  const c = ex.capture;
  if (c === undefined) return undefined;
  const rule = ttlRuleText(d, { status, headers, policy: ex.behavior.cachePolicy, errorCachingMinTtl: env.config.cache.errorCachingMinTtl, customErrorTtls: env.config.cache.customErrorTtls });
  c.ttl = { ttl: d.ttl, rule, stored: d.store };
  return rule;
}

export function noteStoredEntry(env: Env, entry: object | undefined, rule: string | undefined): void {
  if (entry !== undefined && rule !== undefined) env.inspector?.ttlRules.set(entry, rule);
}

function behaviorText(b: { behavior: string; names?: readonly string[] }): string {
  return b.names === undefined ? b.behavior : `${b.behavior}: ${b.names.join(', ')}`;
}

/** What endCapture keeps of an exchange: plain values and long-lived config, never req, res or a socket. */
interface Snapshot {
  readonly rawHeaders: readonly string[];
  readonly httpVersion: string;
  readonly clientIp: string;
  readonly behavior: Exchange['behavior'];
  readonly behaviorCaches: boolean;
  readonly method: string;
  readonly viewerHeaders: CfHeaders;
  readonly cache: { key: CacheKey; collapsed: boolean; detail: string | undefined; fwd: string | undefined; fwdStatus: number | undefined; stored: boolean } | undefined;
  readonly response: { source: string; status: number; xCache: string; entryTtl: number | undefined; entryRule: string | undefined } | undefined;
  readonly errorCode: string | undefined;
  readonly error: { code: string; message: string } | undefined;
  readonly trace: Exchange['trace'];
  readonly status: number;
  readonly statusText: string;
  readonly completed: boolean;
}

function keyParts(s: Snapshot, policy: CachePolicy): NonNullable<CacheRecord['keyParts']> | undefined {
  const ctx = s.cache;
  if (ctx === undefined) return undefined;
  const h = s.viewerHeaders;
  const headers = policy.headers.behavior === 'whitelist' ? policy.headers.names.map((n) => `${n}: ${h[n]?.map((e) => e.value).join(', ') ?? '(absent)'}`) : [];
  const cookie = h.cookie?.map((e) => e.value).join('; ');
  const cookies = policy.cookies.behavior === 'none' ? [] : [`${behaviorText(policy.cookies)}${cookie === undefined ? ' (no Cookie header)' : ` from Cookie: ${cookie}`}`];
  return {
    method: s.method === 'HEAD' ? 'GET' : s.method,
    uri: ctx.key.uri,
    querystring: ctx.key.querystring,
    acceptEncoding: ctx.key.acceptEncoding,
    headers,
    cookies,
    queryStrings: behaviorText(policy.queryStrings),
  };
}

function cacheRecord(s: Snapshot, c: ExchangeCapture, stepsRun: ReadonlySet<string>): CacheRecord | undefined {
  if (!stepsRun.has('cache-lookup')) return undefined;
  const ctx = s.cache;
  const r = s.response;
  const policy = s.behavior.cachePolicy;
  if (ctx === undefined) {
    const why = s.behaviorCaches ? `bypass: ${s.method} is not in the behavior's cached methods` : `bypass: cache policy ${policy.name} caches nothing (all TTLs 0)`;
    return { key: undefined, keyParts: undefined, lookup: why, ttl: undefined, ttlRule: undefined, stored: false, storeReason: undefined };
  }
  let lookup: string;
  if (ctx.collapsed) lookup = "Hit (collapsed onto another request's origin fetch)";
  else if (r?.xCache === 'RefreshHit') lookup = 'RefreshHit (stale copy revalidated: the origin answered 304)';
  else if (ctx.detail === 'stale-while-revalidate') lookup = 'stale served (stale-while-revalidate; a background fetch refreshes it)';
  else if (ctx.detail === 'stale-if-error') lookup = `stale served (stale-if-error: the origin answered ${ctx.fwdStatus ?? '5xx'})`;
  else if (r?.source === 'cache') lookup = 'Hit';
  else if (ctx.fwd === 'stale') lookup = 'Miss (stale copy sent for revalidation)';
  else lookup = 'Miss';
  let ttl = c.ttl?.ttl;
  let ttlRule = c.ttl?.rule;
  if (c.ttl === undefined && r?.entryTtl !== undefined) {
    ttl = r.entryTtl;
    ttlRule = r.entryRule ?? `TTL ${r.entryTtl} s, decided when the object was stored`;
  }
  const storeReason =
    c.ttl === undefined
      ? r?.source === 'cache'
        ? 'served from the cache: nothing new to store'
        : undefined
      : c.ttl.stored && !ctx.stored
        ? `${c.ttl.rule}; not kept (over the object size limit, or the body did not complete)`
        : c.ttl.rule;
  return { key: ctx.key.key, keyParts: keyParts(s, policy), lookup, ttl, ttlRule, stored: ctx.stored, storeReason };
}

const TRIGGERS: readonly Trigger[] = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];

function whySkipped(s: Snapshot, trigger: Trigger | 'origin'): string {
  const r = s.response;
  const code = s.errorCode;
  if (trigger === 'viewer-request') return code === undefined ? 'not reached' : `the request was refused before functions ran (${code})`;
  if (s.cache?.collapsed && trigger !== 'viewer-response') return "collapsed onto another request's origin fetch: that request ran the origin side";
  if (trigger === 'viewer-response') {
    if (r === undefined) return code === undefined ? 'not reached' : `no response to run on (${code})`;
    if (r.source === 'viewer-generated') return 'the response was generated at viewer-request: viewer-response does not run (docs/cloudfront-reference.md §5.1)';
    if (r.source === 'error') return `CloudFront's error response (${code ?? 'error'}): viewer-response does not run`;
    if (r.status >= 400) return `status ${r.status} ≥ 400: viewer-response does not run (docs/cloudfront-reference.md §5.1)`;
    return 'not reached';
  }
  if (r?.source === 'viewer-generated') return 'the response was generated at viewer-request: the origin side does not run';
  if (r?.source === 'cache' || r?.xCache === 'RefreshHit') {
    if (r.xCache === 'RefreshHit' && trigger !== 'origin-request') return 'a 304 revalidation refreshes the stored copy: origin-response does not run for it';
    if (s.cache?.detail === 'stale-while-revalidate') return 'stale copy served; a background refresh runs the origin side';
    if (r.xCache !== 'RefreshHit') return 'cache hit: the origin side runs only when the cache goes to the origin (docs/cloudfront-reference.md §5.1)';
  }
  if (trigger === 'origin-response' && r?.source === 'origin-generated') return 'origin-request generated the response: no origin fetch, no origin-response';
  if (trigger === 'origin' && r?.source === 'origin-generated') return 'origin-request generated the response: the origin is not contacted';
  return code === undefined ? 'not reached' : `not reached (${code})`;
}

function skippedStages(s: Snapshot, c: ExchangeCapture, stepsRun: ReadonlySet<string>): SkippedStage[] {
  const out: SkippedStage[] = [];
  const ran = new Set(c.functions.map((f) => f.trigger));
  for (const t of TRIGGERS) {
    if (s.behavior.functions[t] === undefined || ran.has(t)) continue;
    out.push({ stage: t, reason: whySkipped(s, t) });
  }
  if (!stepsRun.has('origin-fetch')) out.push({ stage: 'origin', reason: whySkipped(s, 'origin') });
  return out;
}

/** The record's details from the snapshot: run once, when someone first reads the record. */
function details(s: Snapshot, c: ExchangeCapture): FinishData {
  const trace = s.trace ?? [];
  const stepsRun = new Set<string>(trace.map((t) => t.step));
  const head = c.viewerHead ?? [];
  const contentType = rawHeaderValue(head as string[], 'content-type');
  if (c.origin !== undefined && c.originBodySize === undefined && s.response?.source === 'origin') {
    const cl = rawHeaderValue(c.origin.responseHeaders.flat(), 'content-length');
    c.originBodySize = cl !== undefined ? Number(cl) : c.viewerBody?.size;
  }
  const b = s.behavior;
  return {
    httpVersion: s.httpVersion,
    rawHeaders: s.rawHeaders,
    clientIp: s.clientIp,
    behavior: {
      pathPattern: b.pathPattern,
      originId: b.originId,
      cachePolicy: b.cachePolicy.name,
      originRequestPolicy: b.originRequestPolicy?.name,
      responseHeadersPolicy: b.responseHeadersPolicy?.name,
    },
    cache: cacheRecord(s, c, stepsRun),
    skipped: skippedStages(s, c, stepsRun),
    steps: trace.map((t): StepTiming => ({ step: t.step, startMs: t.startNs / 1e6, durationMs: t.durationNs / 1e6, outcome: t.outcome })),
    response: { status: s.status, statusText: s.statusText, headers: pairs(head), body: c.viewerBody?.preview(contentType), xCache: s.response?.xCache, completed: s.completed },
    error: s.error,
  };
}

/**
 * The exchange has ended (run.ts finish): its capture goes to the inspector's ring with a snapshot of
 * plain values; the record is built from them only when someone reads it.
 */
export function endCapture(env: Env, ex: Exchange, c: ExchangeCapture): void {
  const inspector = env.inspector;
  if (inspector === undefined) return;
  try {
    const res = ex.res;
    const r = ex.response;
    const ctx = ex.cache;
    const err = ex.error;
    const status = res.headersSent ? res.statusCode : 0;
    const entry = r?.entry;
    const s: Snapshot = {
      rawHeaders: ex.req.rawHeaders,
      httpVersion: ex.req.httpVersion,
      clientIp: ex.clientIp,
      behavior: ex.behavior,
      behaviorCaches: env.facts(ex.behavior).caches,
      method: ex.viewerRequest.method,
      viewerHeaders: ex.viewerRequest.headers,
      cache: ctx === undefined ? undefined : { key: ctx.key, collapsed: ctx.collapsed, detail: ctx.detail, fwd: ctx.fwd, fwdStatus: ctx.fwdStatus, stored: ctx.stored },
      response:
        r === undefined
          ? undefined
          : { source: r.source, status: r.status, xCache: r.xCache, entryTtl: entry?.ttl, entryRule: entry === undefined ? undefined : inspector.ttlRules.get(entry) },
      errorCode: ex.errorCode,
      error: err === undefined ? undefined : { code: err.code, message: err instanceof EdgeError ? err.describe() : String(err) },
      trace: ex.trace,
      status,
      statusText: res.headersSent ? res.statusMessage : '',
      completed: res.writableEnded && !res.destroyed,
    };
    inspector.end(c, {
      facts: { method: ex.req.method ?? 'GET', target: ex.req.url ?? '/', status, xCache: r?.xCache, durationMs: performance.now() - ex.startedAt, failed: err !== undefined },
      details: () => details(s, c),
    });
  } catch (e) {
    // The inspector must never break a request: the exchange is simply not recorded.
    env.log.error(`edgeproxy: inspector: the capture of ${ex.requestId} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
