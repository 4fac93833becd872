// `edgeproxy test-function` and testFunction(): one run of a CloudFront Function on a given event,
// answered in the shape `aws cloudfront test-function` prints (the API's TestResult,
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_TestResult.html), so the two compare
// side by side (docs/cloudfront-reference.md §32). `Extensions.edgeproxy` adds what CloudFront's test
// does not say: the verdict of CloudFront's result rules, the origin helper calls, KVS reads and the
// check's warnings.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../config/errors.js';
import { defaultHeaderKey } from '../event/headers.js';
import type { CfHeaders, CfRequest } from '../event/types.js';
import { encodeCffEvent, isCffEnvelope, type CffEnvelope, type CffWorkerInit, type KvsSnapshot } from '../runtime/cff-protocol.js';
import { cffWorkerScript } from '../runtime/cff-host.js';
import { decodeWorkerMessage, encodeInvoke } from '../runtime/protocol.js';
import { createRingBuffer, RingReader } from '../runtime/ring.js';
import { checkCff, formatFinding } from './check.js';
import { computeUtilization, DEFAULT_COMPUTE_BUDGET_MS, type CffRuntime } from './limits.js';
import { kvsArn, kvsIdFor, parseKvsData } from './kvs.js';
import { resolveOriginCalls } from './origin.js';
import { applyRequestResult, applyResponseResult, CffValidationError } from './result.js';
import type { CffRequest, CffResponse, CffValue, CffValues } from './types.js';

export interface TestFunctionOptions {
  file: string;
  runtime: CffRuntime;
  /** The event as a test event file has it (context fields and collections may be missing). */
  event: unknown;
  /** A data file in CloudFront's import format, as the function's key value store. */
  kvsFile?: string;
  /** What Date.now() returns in the run (ms); default: now. */
  nowMs?: number;
  stage?: 'DEVELOPMENT' | 'LIVE';
  strict?: boolean;
  budgetMs?: number;
  /** Milliseconds before a run that does not end is stopped. */
  timeoutMs?: number;
}

export interface TestFunctionOutput {
  TestResult: {
    FunctionSummary: {
      Name: string;
      Status: 'UNPUBLISHED';
      FunctionConfig: { Comment: string; Runtime: CffRuntime; KeyValueStoreAssociations?: { Quantity: number; Items: Array<{ KeyValueStoreARN: string }> } };
      FunctionMetadata: { FunctionARN: string; Stage: 'DEVELOPMENT' | 'LIVE'; CreatedTime: string; LastModifiedTime: string };
    };
    /** A string integer 0–100, as the CLI prints it. */
    ComputeUtilization: string;
    FunctionExecutionLogs: string[];
    FunctionErrorMessage: string;
    /** JSON of `{"request": …}` or `{"response": …}`; empty when the run failed. */
    FunctionOutput: string;
  };
  Extensions: {
    edgeproxy: {
      /** "ok", or CloudFront's objection to the result (a 502 FunctionValidationError at the edge). */
      validation: string;
      originCalls: Array<{ helper: string; args: unknown }>;
      kvsReads: number;
      warnings: string[];
      runMs: number;
    };
  };
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function values(v: unknown): CffValues {
  return isObject(v) ? (v as CffValues) : {};
}

/** A test event with CloudFront's defaults filled in: collections `{}`, context fields made up. */
function normalize(event: unknown, name: string): { event: Obj; eventType: 'viewer-request' | 'viewer-response' } {
  if (!isObject(event)) throw new ConfigError('UsageError', `--event: the event must be a JSON object with "request" (and "response" for viewer-response), got ${Array.isArray(event) ? 'an array' : typeof event}`);
  const context = isObject(event['context']) ? { ...event['context'] } : {};
  const request = isObject(event['request']) ? { ...event['request'] } : undefined;
  if (request === undefined) throw new ConfigError('UsageError', '--event: the event has no "request" object');
  const eventType = context['eventType'] === 'viewer-response' || (context['eventType'] === undefined && isObject(event['response'])) ? 'viewer-response' : 'viewer-request';
  context['eventType'] = eventType;
  context['distributionDomainName'] ??= 'd111111abcdef8.cloudfront.net';
  context['distributionId'] ??= 'EDFDVBD6EXAMPLE';
  context['requestId'] ??= `test-${name}`;
  request['method'] ??= 'GET';
  request['uri'] ??= '/';
  for (const k of ['querystring', 'headers', 'cookies']) if (!isObject(request[k])) request[k] = {};
  const out: Obj = { version: '1.0', context, viewer: isObject(event['viewer']) ? event['viewer'] : { ip: '1.2.3.4' }, request };
  if (eventType === 'viewer-response') {
    const response: Obj = isObject(event['response']) ? { ...event['response'] } : { statusCode: 200 };
    for (const k of ['headers', 'cookies']) if (!isObject(response[k])) response[k] = {};
    out['response'] = response;
  }
  return { event: out, eventType };
}

function lines(v: CffValue): string[] {
  return v.multiValue === undefined ? [v.value] : v.multiValue.map((m) => m.value);
}

/** The pipeline-side request a CloudFront Functions request stands for (to judge a result against it). */
function toCfRequest(r: CffRequest): CfRequest {
  const headers: CfHeaders = {};
  for (const [name, v] of Object.entries(r.headers)) headers[name] = lines(v).map((value) => ({ key: defaultHeaderKey(name), value }));
  const cookies = Object.entries(r.cookies).flatMap(([n, v]) => lines(v).map((x) => `${n}=${x}`));
  if (cookies.length > 0) headers['cookie'] = [{ key: 'Cookie', value: cookies.join('; ') }];
  const qs = Object.entries(r.querystring).flatMap(([n, v]) => lines(v).map((x) => (x === '' ? n : `${n}=${x}`))).join('&');
  return { clientIp: '1.2.3.4', method: r.method, uri: r.uri, querystring: qs, headers };
}

/** Runs the function once in a fresh worker; the envelope, or why the run did not finish. */
function runOnce(file: string, init: CffWorkerInit, eventJson: string, eventType: 'viewer-request' | 'viewer-response', nowMs: number, timeoutMs: number): Promise<CffEnvelope | { loadError: string } | { timeout: true }> {
  return new Promise((resolve) => {
    const ring = createRingBuffer();
    const reader = new RingReader(ring);
    const worker = new Worker(cffWorkerScript(), {
      workerData: { file, exportName: 'handler', handlerName: 'handler', context: {}, ring, reportMemory: false, cff: init },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    let timer: NodeJS.Timeout | undefined;
    const done = (v: CffEnvelope | { loadError: string } | { timeout: true }): void => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(v);
    };
    worker.on('message', (m: unknown) => {
      reader.received(m);
      for (let t = reader.next(); t !== undefined; t = reader.next()) {
        const msg = decodeWorkerMessage(t);
        if (msg?.t === 'ready') {
          timer = setTimeout(() => done({ timeout: true }), timeoutMs);
          worker.postMessage(encodeInvoke(1, timeoutMs, 'test', encodeCffEvent({ eventType, nowMs, rawQuery: undefined }, eventJson)));
        } else if (msg?.t === 'init-error') done({ loadError: `${msg.errorType}: ${msg.errorMessage}${msg.location === undefined ? '' : ` (${msg.location})`}` });
        else if (msg?.t === 'done' && msg.ok) {
          const env: unknown = JSON.parse(msg.result);
          done(isCffEnvelope(env) ? env : { loadError: 'the worker answered with no run outcome' });
        }
      }
    });
    worker.on('error', (e) => done({ loadError: e instanceof Error ? e.message : String(e) }));
  });
}

export async function testFunction(o: TestFunctionOptions): Promise<TestFunctionOutput> {
  const name = path.basename(o.file).replace(/\.[cm]?js$/, '');
  const rel = path.relative(process.cwd(), o.file) || o.file;
  const source = await readFile(o.file, 'utf8').catch((e: unknown) => {
    throw new ConfigError('FunctionLoadError', `${rel}: cannot read the function: ${e instanceof Error ? e.message : String(e)}`);
  });
  const checked = checkCff(source, o.runtime, { strict: o.strict === true });
  const findings = checked.findings.map((f) => formatFinding(rel, f));
  // CloudFront refuses such code at UpdateFunction, before any test can run.
  if (!checked.ok || checked.script === undefined) throw new ConfigError('FunctionLoadError', findings.filter((l) => l.includes(': error [')).join('\n'));
  const warnings = findings.filter((l) => l.includes(': warning ['));

  const init: CffWorkerInit = { runtime: o.runtime, script: checked.script, edgeLocation: { name: 'SEA', serverIp: '1.2.3.4', region: 'us-west-2' } };
  const now = new Date(o.nowMs ?? Date.now()).toISOString();
  const config: TestFunctionOutput['TestResult']['FunctionSummary']['FunctionConfig'] = { Comment: '', Runtime: o.runtime };
  if (o.kvsFile !== undefined) {
    const text = await readFile(o.kvsFile, 'utf8');
    let data: ReturnType<typeof parseKvsData>;
    try {
      data = parseKvsData(text);
    } catch (e) {
      throw new ConfigError('InvalidConfig', `--kvs: ${o.kvsFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const id = kvsIdFor(path.basename(o.kvsFile).replace(/\.json$/i, ''));
    const snapshot: KvsSnapshot = { id, entries: [...data.entries], creationDateTime: now, lastUpdatedDateTime: now };
    init.kvs = snapshot;
    config.KeyValueStoreAssociations = { Quantity: 1, Items: [{ KeyValueStoreARN: kvsArn(id) }] };
  }
  const { event, eventType } = normalize(o.event, name);
  const run = await runOnce(o.file, init, JSON.stringify(event), eventType, o.nowMs ?? Date.now(), o.timeoutMs ?? 5000);

  const result: TestFunctionOutput = {
    TestResult: {
      FunctionSummary: {
        Name: name,
        Status: 'UNPUBLISHED',
        FunctionConfig: config,
        FunctionMetadata: { FunctionARN: `arn:aws:cloudfront::123456789012:function/${name}`, Stage: o.stage ?? 'DEVELOPMENT', CreatedTime: now, LastModifiedTime: now },
      },
      ComputeUtilization: '0',
      FunctionExecutionLogs: [],
      FunctionErrorMessage: '',
      FunctionOutput: '',
    },
    Extensions: { edgeproxy: { validation: 'not checked (the run failed)', originCalls: [], kvsReads: 0, warnings, runMs: 0 } },
  };
  const t = result.TestResult;
  const ext = result.Extensions.edgeproxy;
  if ('loadError' in run) {
    t.FunctionErrorMessage = run.loadError;
    return result;
  }
  if ('timeout' in run) {
    t.ComputeUtilization = '100';
    t.FunctionErrorMessage = `The function did not finish within ${o.timeoutMs ?? 5000} ms`;
    return result;
  }
  t.ComputeUtilization = String(computeUtilization(run.ms, o.budgetMs ?? DEFAULT_COMPUTE_BUDGET_MS));
  t.FunctionExecutionLogs = run.logs;
  ext.originCalls = run.origin;
  ext.kvsReads = run.kvsReads;
  ext.runMs = run.ms;
  if (!run.ok) {
    t.FunctionErrorMessage = `${run.errorType}: ${run.errorMessage}`;
    return result;
  }
  const out = run.result;
  const isResponse = eventType === 'viewer-response' || (isObject(out) && out['statusCode'] !== undefined);
  // Absent collections are printed as {} (TestFunction's FunctionOutput).
  const shown = isObject(out) ? { ...out } : out;
  if (isObject(shown)) for (const k of isResponse ? ['headers', 'cookies'] : ['headers', 'querystring', 'cookies']) if (shown[k] === undefined) shown[k] = {};
  t.FunctionOutput = JSON.stringify(isResponse ? { response: shown } : { request: shown });
  const sentRequest = (event['request'] ?? {}) as CffRequest;
  try {
    if (eventType === 'viewer-request') {
      const r = applyRequestResult(toCfRequest({ ...sentRequest, querystring: values(sentRequest.querystring), headers: values(sentRequest.headers), cookies: values(sentRequest.cookies) }), sentRequest, out);
      ext.warnings.push(...r.warnings);
      if (r.kind === 'request') {
        const origins = new Set(run.origin.flatMap((c) => (Array.isArray(c.args) && typeof c.args[0] === 'string' ? [c.args[0]] : [])));
        resolveOriginCalls(run.origin, { eventType, originIds: origins, requestHeaders: r.request.headers });
      }
    } else {
      const sent = event['response'] as CffResponse;
      const before = toCfRequest({ method: 'GET', uri: '/', querystring: {}, headers: values(sent.headers), cookies: {} });
      applyResponseResult({ status: sent.statusCode, statusDescription: sent.statusDescription ?? '', headers: before.headers }, sent, out);
    }
    ext.validation = 'ok';
  } catch (e) {
    if (!(e instanceof CffValidationError)) throw e;
    ext.validation = `FunctionValidationError: ${e.field}: ${e.message}`;
  }
  return result;
}
