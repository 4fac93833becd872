// invoke: one call of a function in a worker thread, exactly as the proxy makes it — the same runtime
// (runtime/pool.ts: admission, workers, limits, START/END/REPORT), the same code registry (TypeScript
// compiled, $LATEST), the same event (testing/event.ts) — then CloudFront's verdict on the result
// (event/validate-result.ts) and what the viewer would get. Workers stay warm between calls on the same
// file until close().

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CFF_RUNTIME } from '../config/defaults.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { RUNTIME_COMMENT } from '../config/sources.js';
import type { ResolvedConfig, ResolvedFunction } from '../config/types.js';
import { EdgeError } from '../errors.js';
import { originRequestToFetch } from '../event/origin-request.js';
import type { CfRequest, CfResponse, EventType } from '../event/types.js';
import { validateRequestResult, validateResponseResult } from '../event/validate-result.js';
import { failureOf } from '../pipeline/invoke.js';
import { createCodeSource, type CodeRef, type LocalCodeSource } from '../runtime/code.js';
import { CffHost } from '../runtime/cff-host.js';
import { type EdgeAnswer, packEdgeCall } from '../runtime/edge-protocol.js';
import { createRuntime, type EdgeRuntime } from '../runtime/pool.js';
import { invokeCff } from './cff.js';
import { diffRequest, diffResponse } from './diff.js';
import { behaviorFor, distribution, DEFAULT_ORIGIN } from './distribution.js';
import { buildEventFull, checkTrigger, type BuiltEvent } from './event.js';
import { LogRouter } from './logs.js';
import type { AcceptedResponse, DiffEntry, EventFor, GeneratedResponse, InvokeError, InvokeOptions, InvokeResult, ViewerOutcome } from './types.js';

export interface InvokerOptions {
  /** Print every function's lines as they come (default: quiet; each result has its own `logs`). */
  print?: boolean;
  /** Where compiled TypeScript goes, as the proxy's `.edgeproxy` (default `<cwd>/.edgeproxy`). */
  stateDir?: string;
}

/** One function as it runs: its resolved settings and the build the registry gives for $LATEST. */
interface Target {
  fn: ResolvedFunction;
  /** Lambda@Edge: the build to run. */
  code: CodeRef | undefined;
  /** A CloudFront Function: the proxy's CloudFront Functions host that runs it. */
  cff: CffHost | undefined;
  /** Set when the function is one of the user's config: its own timeout applies. */
  fromConfig: boolean;
}

const VIEWER: ReadonlySet<EventType> = new Set(['viewer-request', 'viewer-response']);

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `file#export` → parts (the last `#`, as the command line's FILE[#export]). */
export function splitFileExport(file: string, exportName: string | undefined): { file: string; exportName: string | undefined } {
  const at = file.lastIndexOf('#');
  if (at > 0 && exportName === undefined) return { file: file.slice(0, at), exportName: file.slice(at + 1) || undefined };
  return { file, exportName };
}

function runtimeComment(file: string): 'cloudfront-js-1.0' | 'cloudfront-js-2.0' | undefined {
  let first = '';
  try {
    first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  } catch {
    return undefined; // loadConfig names a missing file
  }
  const m = RUNTIME_COMMENT.exec(first);
  return m?.[1] === 'cloudfront-js-1.0' || m?.[1] === 'cloudfront-js-2.0' ? m[1] : undefined;
}

function functionId(file: string): string {
  const base = path.basename(file).replace(/\.[cm]?[jt]s$/, '');
  return base.replace(/[^A-Za-z0-9_-]/g, '-') || 'function';
}

/** Runs functions for tests: warm workers per file, one log router, closed by close(). */
export class Invoker implements AsyncDisposable {
  readonly #opts: InvokerOptions;
  readonly #logs: LogRouter;
  #runtime: EdgeRuntime | undefined;
  readonly #targets = new Map<string, Promise<Target>>();
  readonly #codeSources = new Map<ResolvedConfig, LocalCodeSource>();
  readonly #ids = new Set<string>();
  readonly #cffHosts = new Map<ResolvedConfig, Promise<CffHost>>();
  #closed = false;

  constructor(opts: InvokerOptions = {}) {
    this.#opts = opts;
    this.#logs = new LogRouter(opts.print === true);
  }

  async #runtimeFor(): Promise<EdgeRuntime> {
    if (this.#runtime === undefined) {
      const defaults = await distribution(undefined);
      this.#runtime ??= createRuntime({ log: this.#logs, functions: [], ...defaults.runtime, prewarm: false });
    }
    return this.#runtime;
  }

  #codeSource(config: ResolvedConfig): LocalCodeSource {
    let c = this.#codeSources.get(config);
    if (c === undefined) {
      c = createCodeSource({ config, log: this.#logs, stateDir: this.#opts.stateDir ?? path.join(process.cwd(), '.edgeproxy'), watch: false });
      this.#codeSources.set(config, c);
    }
    return c;
  }

  #target(o: InvokeOptions, file: string, exportName: string | undefined): Promise<Target> {
    const key = JSON.stringify([file, exportName ?? null, o.memorySize ?? null, typeof o.config === 'string' ? path.resolve(o.config) : o.config === undefined ? null : 'object']);
    let t = this.#targets.get(key);
    if (t === undefined) {
      t = this.#resolveTarget(o, file, exportName);
      this.#targets.set(key, t);
      t.catch(() => this.#targets.delete(key));
    }
    return t;
  }

  async #resolveTarget(o: InvokeOptions, file: string, exportName: string | undefined): Promise<Target> {
    const want = exportName ?? 'handler';
    if (o.config !== undefined) {
      // The user's own function, with its settings, when the config has one for this file and export.
      const config = await distribution(o.config);
      for (const fn of config.functions.values()) {
        if (fn.file !== file || fn.exportName !== want) continue;
        this.#ids.add(fn.id);
        if (fn.cff !== undefined) return { fn, code: undefined, cff: await this.#cffHost(config), fromConfig: true };
        const own: ResolvedFunction = { ...fn, reservedConcurrency: undefined, memorySize: o.memorySize ?? fn.memorySize };
        return { fn: own, code: this.#codeSource(config).resolve(fn.id, undefined), cff: undefined, fromConfig: true };
      }
    }
    // Otherwise the file as `edgeproxy --<trigger> FILE` runs it: resolved by the config loader.
    const cff = runtimeComment(file) ?? (o.cff === true ? DEFAULT_CFF_RUNTIME : undefined);
    let id = functionId(file);
    for (let n = 2; this.#ids.has(id); n++) id = `${functionId(file)}-${n}`;
    this.#ids.add(id);
    const fnInput: { id: string; file: string; export?: string; memorySize?: number; runtime?: string } = { id, file };
    if (cff !== undefined) fnInput.runtime = cff;
    else {
      if (exportName !== undefined) fnInput.export = exportName;
      if (o.memorySize !== undefined) fnInput.memorySize = o.memorySize;
    }
    const config = await loadConfig({ object: { origins: [{ id: 'origin', url: DEFAULT_ORIGIN }], functions: [fnInput], behaviors: [{ pathPattern: '*', origin: 'origin' }] } });
    const fn = config.functions.get(id);
    if (fn === undefined) throw new Error(`edgeproxy: function ${id} was not resolved`);
    if (cff !== undefined) return { fn, code: undefined, cff: await this.#cffHost(config), fromConfig: false };
    return { fn, code: this.#codeSource(config).resolve(id, undefined), cff: undefined, fromConfig: false };
  }

  /** The proxy's CloudFront Functions host for a config: its functions checked and loaded as at start. */
  #cffHost(config: ResolvedConfig): Promise<CffHost> {
    let h = this.#cffHosts.get(config);
    if (h === undefined) {
      h = CffHost.start({ config, log: this.#logs });
      this.#cffHosts.set(config, h);
      h.catch(() => this.#cffHosts.delete(config));
    }
    return h;
  }

  /** Runs the function once on the event the options describe (or `event`), and judges the result as CloudFront would. */
  async invoke<T extends EventType>(o: InvokeOptions<T>): Promise<InvokeResult<T>> {
    if (this.#closed) throw new Error('edgeproxy/testing: invoke after close()');
    const trigger = checkTrigger(o.trigger) as T;
    if (typeof o.file !== 'string' || o.file === '') throw new ConfigError('UsageError', 'invoke: give the function file, e.g. { file: "functions/redirect.js", trigger: "viewer-request" }');
    const split = splitFileExport(o.file, o.export);
    const file = path.resolve(split.file);
    if (o.timeout !== undefined && !(typeof o.timeout === 'number' && o.timeout > 0)) throw new ConfigError('UsageError', `--timeout: expected seconds > 0, got ${String(o.timeout)}`);
    const [target, built, runtime] = await Promise.all([this.#target(o, file, split.exportName), this.#built(trigger, o), this.#runtimeFor()]);
    const config = built.config;
    const timeoutMs =
      o.timeout !== undefined
        ? Math.round(o.timeout * 1000)
        : ((target.fromConfig ? target.fn.timeoutMs : undefined) ?? (VIEWER.has(trigger) ? config.defaultTimeouts.viewer : config.defaultTimeouts.origin));
    if (target.cff !== undefined) return this.#invokeCff(target.cff, target.fn, trigger, built, o.nowMs);
    const awsRequestId = randomUUID();
    this.#logs.open(awsRequestId, o.print ?? this.#opts.print === true);
    const code = target.code;
    // A built event goes as the proxy sends it: packed raw facts, from which the worker builds the event
    // and checks the result (edge-protocol.ts); with capture it returns the event it built and the
    // result as the handler returned it. A given event goes as JSON, as the Lambda Invoke API sends one.
    const call = built.pack === undefined ? { event: built.json, edge: false } : { event: packEdgeCall(built.pack), edge: true };
    const req = { fn: target.fn, eventType: trigger, ...call, requestId: built.event.Records[0].cf.config.requestId, timeoutMs, awsRequestId };
    const outcome = await runtime.invoke(code === undefined ? req : { ...req, code });
    const { lines, memoryUsedMb } = this.#logs.take(awsRequestId);
    const base = {
      trigger,
      event: built.event,
      logs: lines,
      durationMs: outcome.durationMs,
      memoryUsedMb,
      memorySizeMb: target.fn.memorySize,
      initDurationMs: outcome.initDurationMs,
      version: outcome.version,
      awsRequestId: outcome.awsRequestId,
    };
    if (!outcome.ok) {
      const f = failureOf(outcome);
      const error = errorOf(new EdgeError(f.code, f.message, { stage: trigger }));
      return { ...base, ok: false, result: undefined, diff: [], error, viewer: errorOutcome(error) };
    }
    if (!call.edge) return { ...base, ...judge(built, outcome.result) };
    const answer = outcome.result as EdgeAnswer;
    // The event the worker built and gave the handler, and what the handler returned, unvalidated.
    const event = answer.ev === undefined ? built.event : (JSON.parse(answer.ev) as EventFor<T>);
    const result: unknown = answer.raw === undefined ? undefined : JSON.parse(answer.raw);
    return { ...base, event, ...judge(built, result) };
  }

  async #invokeCff<T extends EventType>(host: CffHost, fn: ResolvedFunction, trigger: T, built: BuiltEvent<T>, nowMs: number | undefined): Promise<InvokeResult<T>> {
    if (trigger !== 'viewer-request' && trigger !== 'viewer-response') {
      throw new ConfigError('UsageError', `--trigger: ${path.relative(process.cwd(), fn.file) || fn.file} is a CloudFront Function (${fn.cff?.runtime}); they run at viewer-request and viewer-response only`);
    }
    const r = await invokeCff(host, fn, built as unknown as BuiltEvent<'viewer-request' | 'viewer-response'>, nowMs ?? Date.now());
    return { ...r, trigger, event: built.event, memorySizeMb: 0 } as InvokeResult<T>;
  }

  async #built<T extends EventType>(trigger: T, o: InvokeOptions<T>): Promise<BuiltEvent<T>> {
    if (o.event === undefined) return buildEventFull(trigger, o);
    // A given event is used as is: the function gets its JSON, the verdict compares with a copy.
    const event = JSON.parse(JSON.stringify(o.event)) as EventFor<T>;
    const cf = event.Records?.[0]?.cf;
    if (!isObject(cf) || !isObject(cf.request)) throw new ConfigError('UsageError', '--event: not a Lambda@Edge event: expected { "Records": [{ "cf": { "config": …, "request": … } }] }');
    const config = await distribution(o.config);
    const response = 'response' in cf && isObject(cf.response) ? (cf.response as CfResponse) : undefined;
    if ((trigger === 'origin-response' || trigger === 'viewer-response') && response === undefined) throw new ConfigError('UsageError', `--event: a ${trigger} event needs Records[0].cf.response`);
    const request = JSON.parse(JSON.stringify(cf.request)) as CfRequest;
    const { behavior } = behaviorFor(config, typeof request.uri === 'string' ? request.uri : '/', o.behavior);
    const viewer = { request, overrides: {}, clientPort: 0, httpVersion: '1.1', target: request.querystring === '' ? request.uri : `${request.uri}?${request.querystring}` };
    return { trigger, event, json: JSON.stringify(o.event), request, response: response && (JSON.parse(JSON.stringify(response)) as CfResponse), config, behavior, pack: undefined, viewer };
  }

  /** Ends every worker; later invoke() calls fail. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const runtime = this.#runtime;
    this.#runtime = undefined;
    const hosts = [...this.#cffHosts.values()];
    this.#cffHosts.clear();
    await Promise.all([
      runtime?.close(),
      ...[...this.#codeSources.values()].map((c) => c.close()),
      ...hosts.map((h) => h.then((x) => x.close(), () => undefined)),
    ]);
    this.#codeSources.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function errorOf(e: EdgeError): InvokeError {
  const out: InvokeError = { code: e.code, status: e.status, xCache: e.xCache, message: e.message };
  if (e.field !== undefined) out.field = e.field;
  return out;
}

function errorOutcome(error: InvokeError): ViewerOutcome {
  return { status: error.status, xCache: error.xCache, summary: `viewer would get ${error.status} ${error.code}: ${error.field === undefined ? '' : `${error.field}: `}${error.message}` };
}

type Verdict = Pick<InvokeResult, 'ok' | 'result' | 'request' | 'response' | 'generated' | 'diff' | 'error' | 'viewer'>;

/** CloudFront's verdict on a result (docs/cloudfront-reference.md §2.2, §2.3, §3): what goes on, or the error page. */
export function judge(built: BuiltEvent, result: unknown): Verdict {
  const trigger = built.trigger;
  try {
    if (trigger === 'viewer-request' || trigger === 'origin-request') {
      const r = validateRequestResult(trigger, built.request, result);
      if (r.kind === 'response') {
        const g = r.response;
        const generated: GeneratedResponse = { status: g.status, statusDescription: g.statusDescription, headers: g.headers, body: g.body.toString('utf8'), bodyBase64: g.body.toString('base64') };
        return {
          ok: true,
          result,
          generated,
          diff: [],
          viewer: { status: g.status, xCache: 'LambdaGeneratedResponse', summary: `viewer would get ${g.status} ${g.statusDescription} (generated at ${trigger}; X-Cache: LambdaGeneratedResponse from cloudfront)` },
        };
      }
      const next = trigger === 'viewer-request' ? 'the request goes on to the cache lookup' : `the request goes on to the origin: ${r.request.method} ${originRequestToFetch(r.request).url}`;
      return { ok: true, result, request: r.request, diff: diffRequest(built.request as unknown as Obj, r.request), viewer: { status: undefined, xCache: undefined, summary: next } };
    }
    const input = built.response as CfResponse;
    const v = validateResponseResult(trigger, input, result);
    const response: AcceptedResponse = { status: v.status, statusDescription: v.statusDescription, headers: v.headers };
    if (v.body !== undefined) response.body = v.body.toString('utf8');
    const after: Obj = { status: String(v.status), statusDescription: v.statusDescription, headers: v.headers };
    if (v.body !== undefined) after.body = v.body.toString('utf8');
    const diff: DiffEntry[] = diffResponse(input as unknown as Obj, after);
    const ignored = v.ignoredStatus === undefined ? '' : ` (its status ${JSON.stringify(v.ignoredStatus)} is ignored at viewer-response)`;
    const xCache = trigger === 'origin-response' ? (v.status >= 400 ? 'Error' : 'Miss') : undefined;
    return { ok: true, result, response, diff, viewer: { status: v.status, xCache, summary: `viewer would get ${v.status} ${v.statusDescription}${ignored}` } };
  } catch (e) {
    if (!(e instanceof EdgeError)) throw e;
    const error = errorOf(e);
    const diff = trigger === 'viewer-request' || trigger === 'origin-request' ? diffRequest(built.request as unknown as Obj, result) : diffResponse(built.response as unknown as Obj, result);
    return { ok: false, result, diff: isObject(result) ? diff : [], error, viewer: errorOutcome(error) };
  }
}
