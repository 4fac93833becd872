// invoke for a CloudFront Function: the request the options describe, read as the proxy reads it,
// turned into CloudFront Functions' event (cff/event.ts, with the CloudFront-* headers the behavior's
// policies name, docs/cloudfront-reference.md §21), run by the proxy's CloudFront Functions host
// (runtime/cff-host.ts: the checked code, the sandboxed worker, the run timeout), and judged by
// CloudFront Functions' result rules (cff/result.ts, cff/origin.ts). The answer is the same
// InvokeResult as for Lambda@Edge, plus CloudFront's TestFunction fields, so a run compares with
// `aws cloudfront test-function`.

import type { ResolvedFunction } from '../config/types.js';
import { buildCffEvent, toCffRequest, toCffResponse } from '../cff/event.js';
import { computeUtilization } from '../cff/limits.js';
import { resolveOriginCalls } from '../cff/origin.js';
import { applyRequestResult, applyResponseResult, CffValidationError } from '../cff/result.js';
import { EdgeError, type ErrorCode } from '../errors.js';
import type { CfHeaders, CfRequest, CfResponse } from '../event/types.js';
import { cloudFrontViewerHeaders, wantedCloudFrontHeaders } from '../event/viewer-headers.js';
import type { CffHost } from '../runtime/cff-host.js';
import { diffRequest, diffResponse } from './diff.js';
import type { BuiltEvent } from './event.js';
import type { CffDetails, InvokeError, InvokeResult } from './types.js';

type Obj = Record<string, unknown>;

function errorOf(code: ErrorCode, message: string, field?: string): InvokeError {
  const e = new EdgeError(code, message, field === undefined ? {} : { field });
  const out: InvokeError = { code: e.code, status: e.status, xCache: e.xCache, message: e.message };
  if (field !== undefined) out.field = field;
  return out;
}

function summary(error: InvokeError): string {
  return `viewer would get ${error.status} ${error.code}: ${error.field === undefined ? '' : `${error.field}: `}${error.message}`;
}

/** The viewer request with the CloudFront-* headers the policies name, as a CloudFront Function sees it at viewer-request. */
function withCloudFrontHeaders(built: BuiltEvent): { request: CfRequest; added: string[] } {
  const v = built.viewer;
  const wanted = wantedCloudFrontHeaders(built.behavior);
  if (wanted.length === 0) return { request: v.request, added: [] };
  const extra: CfHeaders = cloudFrontViewerHeaders(
    { headers: v.request.headers, clientIp: v.request.clientIp, clientPort: v.clientPort, httpVersion: v.httpVersion, protocol: 'http' },
    wanted,
    built.config.viewerHeaders,
    v.overrides,
  );
  const added = Object.keys(extra).filter((n) => !Object.hasOwn(v.request.headers, n));
  return added.length === 0 ? { request: v.request, added } : { request: { ...v.request, headers: { ...v.request.headers, ...extra } }, added };
}

export async function invokeCff(
  host: CffHost,
  fn: ResolvedFunction,
  built: BuiltEvent<'viewer-request' | 'viewer-response'>,
  nowMs: number,
): Promise<Omit<InvokeResult<'viewer-request' | 'viewer-response'>, 'trigger' | 'event' | 'memorySizeMb'>> {
  const trigger = built.trigger;
  const config = built.config;
  const requestId = built.event.Records[0].cf.config.requestId;
  const { request: before, added } = trigger === 'viewer-request' ? withCloudFrontHeaders(built) : { request: built.viewer.request, added: [] };
  const sent = toCffRequest(before);
  const input: CfResponse | undefined = built.response;
  const sentResponse = trigger === 'viewer-response' && input !== undefined ? toCffResponse(input) : undefined;
  const context = { distributionDomainName: config.distributionDomainName, distributionId: config.distributionId, eventType: trigger, requestId } as const;
  const event = buildCffEvent(context, before.clientIp, sent, sentResponse);
  const q = built.viewer.target.indexOf('?');
  const outcome = await host.invoke({ fn, eventType: trigger, nowMs, rawQuery: q < 0 ? undefined : built.viewer.target.slice(q + 1), eventJson: JSON.stringify(event), requestId });
  const runtime = fn.cff?.runtime;
  const cff: CffDetails = { event, computeUtilization: 0, warnings: [], testResult: { FunctionOutput: '', FunctionExecutionLogs: [], FunctionErrorMessage: '', ComputeUtilization: '0' } };
  const base = { logs: [] as string[], durationMs: 0, memoryUsedMb: undefined, initDurationMs: undefined, version: runtime, awsRequestId: undefined, cff };
  if (!outcome.ok) {
    const error = errorOf('FunctionExecutionError', `${outcome.errorType}: ${outcome.errorMessage}`);
    cff.testResult.FunctionErrorMessage = error.message;
    return { ...base, ok: false, result: undefined, diff: [], error, viewer: { status: error.status, xCache: error.xCache, summary: summary(error) } };
  }
  const e = outcome.envelope;
  const utilization = computeUtilization(e.ms, config.cff.compute.budgetMs);
  cff.computeUtilization = utilization;
  cff.testResult.ComputeUtilization = String(utilization);
  cff.testResult.FunctionExecutionLogs = e.logs;
  // CloudFront Functions' log group lines, as the proxy writes them (only when the function logged).
  const logs = e.logs.length === 0 ? [] : [`${requestId} START DistributionID: ${config.distributionId}`, ...e.logs.map((l) => `${requestId} ${l}`), `${requestId} END`];
  const ran = { ...base, logs, durationMs: e.ms };
  if (!e.ok) {
    const at = e.stack.split('\n').find((l) => l.trimStart().startsWith('at '))?.trim();
    const error = errorOf('FunctionExecutionError', `${e.errorType}: ${e.errorMessage}${at === undefined ? '' : ` (${at})`}`);
    cff.testResult.FunctionErrorMessage = `${e.errorType}: ${e.errorMessage}`;
    return { ...ran, ok: false, result: undefined, diff: [], error, viewer: { status: error.status, xCache: error.xCache, summary: summary(error) } };
  }
  const result = e.result;
  cff.testResult.FunctionOutput = JSON.stringify(trigger === 'viewer-response' || (typeof result === 'object' && result !== null && 'statusCode' in result) ? { response: result } : { request: result });
  try {
    if (trigger === 'viewer-request') {
      const r = applyRequestResult(before, sent, result, { bodyLimitBytes: config.cff.maxBodyBytes, maxRequestBytes: config.limits.maxRequestHeaderBytes });
      cff.warnings.push(...r.warnings);
      if (r.kind === 'response') {
        const g = r.response;
        return {
          ...ran,
          ok: true,
          result,
          generated: { status: g.status, statusDescription: g.statusDescription, headers: g.headers, body: g.body.toString('utf8'), bodyBase64: g.body.toString('base64') },
          diff: [],
          viewer: { status: g.status, xCache: 'FunctionGeneratedResponse', summary: `viewer would get ${g.status} ${g.statusDescription} (generated at viewer-request; X-Cache: FunctionGeneratedResponse from cloudfront)` },
        };
      }
      const origin = resolveOriginCalls(e.origin, { eventType: trigger, originIds: new Set(config.origins.keys()), requestHeaders: r.request.headers });
      cff.warnings.push(...origin.warnings);
      // CloudFront adds its own CloudFront-* headers again on the origin side: what the function left of them goes.
      for (const name of added) delete r.request.headers[name];
      const next = origin.change === undefined ? 'the request goes on to the cache lookup' : `the request goes on to the cache lookup, to the origin the function chose (${origin.change.kind})`;
      return { ...ran, ok: true, result, request: r.request, diff: diffRequest(built.viewer.request as unknown as Obj, r.request), viewer: { status: undefined, xCache: undefined, summary: next } };
    }
    if (e.origin.length > 0) resolveOriginCalls(e.origin, { eventType: trigger, originIds: new Set(), requestHeaders: {} });
    const res = input as CfResponse;
    const v = applyResponseResult({ status: Number(res.status), statusDescription: res.statusDescription, headers: res.headers }, sentResponse ?? toCffResponse(res), result, {
      bodyLimitBytes: config.cff.maxBodyBytes,
      viewerResponseStatusChange: config.cff.viewerResponseStatusChange,
    });
    cff.warnings.push(...v.warnings);
    const after: Obj = { status: String(v.status), statusDescription: v.statusDescription, headers: v.headers };
    if (v.body !== undefined) after.body = v.body.toString('utf8');
    const response = v.body === undefined ? { status: v.status, statusDescription: v.statusDescription, headers: v.headers } : { status: v.status, statusDescription: v.statusDescription, headers: v.headers, body: v.body.toString('utf8') };
    return { ...ran, ok: true, result, response, diff: diffResponse(res as unknown as Obj, after), viewer: { status: v.status, xCache: undefined, summary: `viewer would get ${v.status} ${v.statusDescription}` } };
  } catch (err) {
    if (!(err instanceof CffValidationError)) throw err;
    const error = errorOf('FunctionValidationError', err.message, err.field);
    return { ...ran, ok: false, result, diff: [], error, viewer: { status: error.status, xCache: error.xCache, summary: summary(error) } };
  }
}
