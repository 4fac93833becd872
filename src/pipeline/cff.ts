// Runs a CloudFront Function at viewer-request or viewer-response (docs/cloudfront-reference.md §21–§29): the
// event in CloudFront Functions' shape, the run in its worker, the result checked and written back,
// origin helper calls applied, and every failure as CloudFront answers it — 502 FunctionValidationError,
// 503 FunctionExecutionError, 503 FunctionThrottledError (public captures of CloudFront responses).
// The function's console lines go to the log as CloudFront Functions' log group has them (a request-id
// prefix, START DistributionID and END), and only when the function logged something.
// Not a stage: viewer-request.ts and viewer-response.ts call it for a CloudFront Function association.

import { relative } from 'node:path';
import { buildCffEvent, toCffRequest, toCffResponse } from '../cff/event.js';
import { type OriginChange, type OriginOverride, resolveOriginCalls } from '../cff/origin.js';
import { applyRequestResult, applyResponseResult, CffValidationError } from '../cff/result.js';
import type { Association, ResolvedFunction, ResolvedOrigin } from '../config/types.js';
import { EdgeError, type ErrorCode } from '../errors.js';
import type { CfHeaders, CfRequest, CfResponse } from '../event/types.js';
import { cloudFrontViewerHeaders } from '../event/viewer-headers.js';
import type { CffEnvelope } from '../runtime/cff-protocol.js';
import type { CffHost } from '../runtime/cff-host.js';
import { discardBody } from './discard.js';
import type { Env } from './env.js';
import { viewerInfoOf, type Exchange, type ExchangeResponse } from './exchange.js';

type ViewerEvent = 'viewer-request' | 'viewer-response';

/** The association's function when it is a CloudFront Function (config `runtime`), else undefined. */
export function cffFunction(env: Env, assoc: Association): ResolvedFunction | undefined {
  const fn = env.config.functions.get(assoc.functionId);
  return fn?.cff !== undefined ? fn : undefined;
}

function label(fn: ResolvedFunction): string {
  return relative(process.cwd(), fn.file) || fn.file;
}

function fail(code: ErrorCode, message: string, eventType: ViewerEvent, fn: ResolvedFunction, field?: string): EdgeError {
  return new EdgeError(code, message, field === undefined ? { stage: eventType, functionName: label(fn) } : { stage: eventType, functionName: label(fn), field });
}

/** The query string after `?` in the viewer's target; undefined when there is no `?` (request.rawQueryString()). */
function rawQuery(ex: Exchange): string | undefined {
  const url = ex.req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? undefined : url.slice(q + 1);
}

const lastWarned = new WeakMap<ResolvedFunction, number>();
/** An over-budget warning at most every 10 s per function: a slow laptop would otherwise flood the log. */
const WARN_EVERY_MS = 10_000;

/** Runs the function: the result of a run that finished with one, and its compute utilization. */
async function run(env: Env, ex: Exchange, fn: ResolvedFunction, eventType: ViewerEvent, eventJson: string): Promise<{ result: unknown; origin: CffEnvelope['origin']; utilization: number | undefined }> {
  const host = env.cff as CffHost;
  const meter = host.meter(fn.id);
  const now = env.cache.clock.now();
  if (meter?.throttled(now)) {
    host.metrics?.recordCffRun(fn.id, 'throttled', undefined);
    throw fail('FunctionThrottledError', `throttled: its recent runs averaged the whole compute budget (${meter.settings.budgetMs} ms); refused for ${meter.settings.throttle.coolDownMs / 1000} s`, eventType, fn);
  }
  const captured = ex.capture?.fn(eventType, fn.id, 'cloudfront-functions', eventJson);
  const outcome = await host.invoke({ fn, eventType, nowMs: now, rawQuery: rawQuery(ex), eventJson, requestId: ex.requestId });
  if (captured !== undefined) {
    captured.version = fn.cff?.runtime;
    captured.staleCode = host.reloadProblem(fn.id);
    if (outcome.ok) {
      const e = outcome.envelope;
      captured.durationMs = e.ms;
      if (e.ok) captured.resultJson = e.result === undefined ? undefined : JSON.stringify(e.result);
      // CloudFront Functions' log group lines, as logLines prints them.
      if (e.logs.length > 0) {
        captured.logs.push(`${ex.requestId} START DistributionID: ${env.config.distributionId}`);
        for (const line of e.logs) captured.logs.push(`${ex.requestId} ${line}`);
        captured.logs.push(`${ex.requestId} END`);
      }
    }
  }
  if (!outcome.ok) {
    host.metrics?.recordCffRun(fn.id, 'execution', undefined);
    throw fail('FunctionExecutionError', `${outcome.errorType}: ${outcome.errorMessage}`, eventType, fn);
  }
  const env_ = outcome.envelope;
  logLines(env, ex, fn, env_);
  // The inspector header and the per-request log line show it, as for Lambda@Edge (invoke.ts).
  if (env.config.inspectorHeaders || env.log.quietInfo !== true) ex.executed.push(`${eventType}=${fn.id}:${fn.cff?.runtime}`);
  const verdict = meter?.record(env_.ms, now);
  const utilization = verdict?.utilization;
  if (verdict?.kind === 'over-cap') {
    host.metrics?.recordCffRun(fn.id, 'execution', utilization);
    throw fail('FunctionExecutionError', `the run took ${env_.ms.toFixed(2)} ms, over the hard cap of ${meter?.settings.hardCapMs} ms (cff.compute.mode "strict"); ComputeUtilization ${utilization}`, eventType, fn);
  }
  if (verdict?.kind === 'over-budget') {
    const last = lastWarned.get(fn) ?? -Infinity;
    if (now - last >= WARN_EVERY_MS) {
      lastWarned.set(fn, now);
      env.log.warn(
        `edgeproxy: ${eventType} (${label(fn)}): ComputeUtilization ${utilization}: the run took ${env_.ms.toFixed(3)} ms of a ${meter?.settings.budgetMs} ms budget; CloudFront throttles functions that stay over it (set cff.compute.mode "strict" to fail such runs here)`,
        { type: 'function', requestId: ex.requestId, function: fn.id, computeUtilization: utilization },
      );
    }
  }
  if (!env_.ok) {
    host.metrics?.recordCffRun(fn.id, 'execution', utilization);
    const at = env_.stack.split('\n').find((l) => l.trimStart().startsWith('at '))?.trim();
    throw fail('FunctionExecutionError', `${env_.errorType}: ${env_.errorMessage}${at === undefined ? '' : ` (${at})`}`, eventType, fn);
  }
  return { result: env_.result, origin: env_.origin, utilization };
}

/** CloudFront Functions' log group lines: `<id> START DistributionID: …`, the lines, `<id> END`. */
function logLines(env: Env, ex: Exchange, fn: ResolvedFunction, e: CffEnvelope): void {
  if (e.logs.length === 0 || env.log.quietInfo === true) return;
  const fields = { type: 'function', requestId: ex.requestId, function: fn.id };
  env.log.info(`${ex.requestId} START DistributionID: ${env.config.distributionId}`, { ...fields, event: 'start' });
  for (const line of e.logs) env.log.info(`${ex.requestId} ${line}`, { ...fields, level: 'INFO' });
  if (e.logsTruncated) env.log.info(`${ex.requestId} (logs truncated at 10 KB for this run)`, fields);
  env.log.info(`${ex.requestId} END`, { ...fields, event: 'end' });
}

function validation(env: Env, fn: ResolvedFunction, eventType: ViewerEvent, e: unknown, utilization: number | undefined): unknown {
  if (!(e instanceof CffValidationError)) return e;
  env.cff?.metrics?.recordCffRun(fn.id, 'validation', utilization);
  return fail('FunctionValidationError', e.message, eventType, fn, e.field);
}

function warn(env: Env, ex: Exchange, fn: ResolvedFunction, eventType: ViewerEvent, warnings: readonly string[]): void {
  for (const w of warnings) env.log.warn(`edgeproxy: ${eventType} (${label(fn)}): ${w}`, { type: 'function', requestId: ex.requestId, function: fn.id });
}

/** A copy of `base` with what an origin helper changed. */
function overridden(base: ResolvedOrigin, o: OriginOverride): ResolvedOrigin {
  const protocol = o.protocol ?? base.protocol;
  const domainName = o.domainName ?? base.domainName;
  const port = o.port ?? (o.protocol !== undefined && o.protocol !== base.protocol ? (protocol === 'https' ? 443 : 80) : base.port);
  const next: ResolvedOrigin = {
    ...base,
    protocol,
    domainName,
    port,
    path: o.originPath ?? base.path,
    readTimeout: o.readTimeout ?? base.readTimeout,
    keepaliveTimeout: o.keepAliveTimeout ?? base.keepaliveTimeout,
    connectTimeout: o.connectionTimeout ?? base.connectTimeout,
    customHeaders: o.customHeaders ?? base.customHeaders,
    sslProtocols: o.sslProtocols ?? base.sslProtocols,
    url: `${protocol}://${domainName}:${port}${o.originPath ?? base.path}`,
  };
  // "If this is not provided, the value from the domainName parameter is used."
  const host = o.hostHeader ?? (o.domainName !== undefined ? o.domainName : base.hostHeader);
  if (host !== undefined) next.hostHeader = host;
  else delete next.hostHeader;
  return next;
}

function applyOriginChange(env: Env, ex: Exchange, fn: ResolvedFunction, change: OriginChange): void {
  const byId = (id: string): ResolvedOrigin => env.config.origins.get(id) as ResolvedOrigin;
  const ignored: string[] = [];
  switch (change.kind) {
    // An origin chosen by a helper replaces the behavior's origin group too (docs/decisions.md).
    case 'update':
      ex.failover = undefined;
      ex.origin = overridden(ex.origin, change.override);
      ignored.push(...change.override.ignored);
      break;
    case 'select':
      ex.failover = undefined;
      ex.origin = overridden(byId(change.originId), change.override);
      ignored.push(...change.override.ignored);
      break;
    case 'group': {
      const [primary, secondary] = change.members;
      ex.origin = overridden(byId(primary.originId), primary.override);
      ex.failover = { origin: overridden(byId(secondary.originId), secondary.override), statusCodes: new Set(change.statusCodes) };
      ignored.push(...primary.override.ignored, ...secondary.override.ignored);
      if (change.selectionCriteria !== 'default') ignored.push('selectionCriteria');
      break;
    }
    default: {
      const never: never = change;
      void never;
    }
  }
  if (ignored.length > 0) warn(env, ex, fn, 'viewer-request', [`origin settings with no effect locally: ${[...new Set(ignored)].join(', ')}`]);
}

/**
 * viewer-request: the request to continue with goes into `ex.viewerRequest` ('cache-lookup'); a
 * generated response into `ex.response` ('deliver': no cache, no viewer-response).
 */
/**
 * The CloudFront-* headers the behavior's policies name: a CloudFront Function sees them at
 * viewer-request (unlike Lambda@Edge; docs/cloudfront-reference.md §21). CloudFront adds its own
 * copies again on the origin side, so what the function leaves of them is not sent on.
 */
function withCloudFrontHeaders(env: Env, ex: Exchange): { request: CfRequest; added: readonly string[] } {
  const wanted = env.facts(ex.behavior).cloudFrontHeaders;
  if (wanted.length === 0) return { request: ex.viewerRequest, added: [] };
  const extra: CfHeaders = cloudFrontViewerHeaders(
    viewerInfoOf(ex),
    wanted,
    env.config.viewerHeaders,
    ex.viewerOverrides,
  );
  const added = Object.keys(extra).filter((n) => !Object.hasOwn(ex.viewerRequest.headers, n));
  if (added.length === 0) return { request: ex.viewerRequest, added };
  return { request: { ...ex.viewerRequest, headers: { ...ex.viewerRequest.headers, ...extra } }, added };
}

export async function runCffViewerRequest(env: Env, ex: Exchange, fn: ResolvedFunction): Promise<'cache-lookup' | 'deliver'> {
  const eventType = 'viewer-request';
  const { request: before, added } = withCloudFrontHeaders(env, ex);
  const sent = toCffRequest(before);
  const context = { distributionDomainName: env.config.distributionDomainName, distributionId: env.config.distributionId, eventType, requestId: ex.requestId } as const;
  const e = await run(env, ex, fn, eventType, JSON.stringify(buildCffEvent(context, ex.clientIp, sent)));
  const utilization = e.utilization;
  try {
    const r = applyRequestResult(before, sent, e.result, { bodyLimitBytes: env.config.cff.maxBodyBytes, maxRequestBytes: env.config.limits.maxRequestHeaderBytes });
    warn(env, ex, fn, eventType, r.warnings);
    if (r.kind === 'response') {
      if (e.origin.length > 0) warn(env, ex, fn, eventType, ['origin helper calls are ignored: the function generated a response']);
      env.cff?.metrics?.recordCffRun(fn.id, 'ok', utilization);
      ex.response = {
        status: r.response.status,
        statusDescription: r.response.statusDescription,
        headers: r.response.headers,
        body: { kind: 'buffer', buf: r.response.body },
        source: 'viewer-generated',
        xCache: 'FunctionGeneratedResponse',
      };
      return 'deliver';
    }
    const origin = resolveOriginCalls(e.origin, { eventType, originIds: new Set(env.config.origins.keys()), requestHeaders: r.request.headers });
    warn(env, ex, fn, eventType, origin.warnings);
    env.cff?.metrics?.recordCffRun(fn.id, 'ok', utilization);
    if (origin.change !== undefined) applyOriginChange(env, ex, fn, origin.change);
    for (const name of added) delete r.request.headers[name];
    ex.viewerRequest = r.request;
    return 'cache-lookup';
  } catch (err) {
    throw validation(env, fn, eventType, err, utilization);
  }
}

/** viewer-response: the function's status, headers, cookies and body replace `r`'s (never stored). */
export async function runCffViewerResponse(env: Env, ex: Exchange, fn: ResolvedFunction, r: ExchangeResponse, input: CfResponse): Promise<void> {
  const eventType = 'viewer-response';
  const sentRequest = toCffRequest(ex.viewerRequest);
  const sent = toCffResponse(input);
  const context = { distributionDomainName: env.config.distributionDomainName, distributionId: env.config.distributionId, eventType, requestId: ex.requestId } as const;
  const e = await run(env, ex, fn, eventType, JSON.stringify(buildCffEvent(context, ex.clientIp, sentRequest, sent)));
  const utilization = e.utilization;
  try {
    if (e.origin.length > 0) resolveOriginCalls(e.origin, { eventType, originIds: new Set(), requestHeaders: {} });
    const v = applyResponseResult({ status: r.status, statusDescription: r.statusDescription, headers: input.headers }, sent, e.result, {
      bodyLimitBytes: env.config.cff.maxBodyBytes,
      viewerResponseStatusChange: env.config.cff.viewerResponseStatusChange,
    });
    warn(env, ex, fn, eventType, v.warnings);
    env.cff?.metrics?.recordCffRun(fn.id, 'ok', utilization);
    r.status = v.status;
    r.statusDescription = v.statusDescription;
    r.headers = v.headers;
    if (v.body !== undefined) {
      discardBody(r);
      r.body = { kind: 'buffer', buf: v.body };
      // The function owns the new body's framing ("align the corresponding headers"); the length is ours to send right.
      if (Object.hasOwn(r.headers, 'content-length')) r.headers['content-length'] = [{ key: 'Content-Length', value: String(v.body.length) }];
    }
  } catch (err) {
    throw validation(env, fn, eventType, err, utilization);
  }
}
