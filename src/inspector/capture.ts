// What the pipeline tells the inspector about one exchange while it runs (the capture object on the
// exchange, `Exchange.capture`, undefined when capture is off), and how it becomes an ExchangeRecord
// (record.ts). Capture keeps strings and small facts only; the record — parsed event and result JSON,
// diffs — is built when someone asks for it (the page, the API, the HAR export), not per request.
// The event and result come as the JSON that crosses the worker boundary: the exact text the function
// received and the exact value it returned.

import { diffResult } from './diff.js';
import type {
  BehaviorRecord,
  BodyPreview,
  CacheRecord,
  ExchangeRecord,
  ExchangeSummary,
  FunctionError,
  FunctionRecord,
  HeaderLine,
  OriginRecord,
  SkippedStage,
  StepTiming,
  Trigger,
  ViewerResponseRecord,
} from './record.js';

/** One function run as it is captured. */
export interface FunctionCapture {
  readonly trigger: Trigger;
  readonly functionId: string;
  readonly kind: FunctionRecord['kind'];
  /** The event text: for Lambda@Edge, the JSON of the event its worker built and the function received. */
  eventJson: string;
  /** JSON of the returned value, as the function returned it; undefined until (unless) it returned. */
  resultJson: string | undefined;
  /**
   * The returned value itself, when no JSON of it came (a call whose worker answered with the whole
   * result): the host's own copy, which validation reads without changing; serialized only when the
   * record is built.
   */
  result: unknown;
  /** Memory size in MB (Lambda@Edge), for the lifecycle lines made when the log kept none. */
  memorySizeMb: number | undefined;
  version: string | undefined;
  cold: boolean;
  initDurationMs: number | undefined;
  durationMs: number | undefined;
  ok: boolean;
  error: FunctionError | undefined;
  /** The run's awsRequestId (Lambda@Edge): its log lines carry it. */
  awsRequestId: string | undefined;
  /** Why the run used the function's previous code: its file's last save did not load. */
  staleCode: string | undefined;
  readonly logs: string[];
}

/** Collects up to `limit` bytes of a body while counting all of it; the preview is made when asked for. */
export class BodySink {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  size = 0;

  constructor(private readonly limit: number) {}

  chunk(c: Buffer): void {
    this.size += c.length;
    if (this.kept >= this.limit) return;
    // A whole chunk is kept as it is (bodies are not written to after they are sent); a slice of a
    // larger one is copied, so the ring never keeps a big buffer alive for its first bytes.
    const part = c.length <= this.limit - this.kept ? c : Buffer.from(c.subarray(0, this.limit - this.kept));
    this.chunks.push(part);
    this.kept += part.length;
  }

  preview(contentType: string | undefined): BodyPreview {
    return previewOf(Buffer.concat(this.chunks, this.kept), this.size, contentType);
  }
}

const TEXT_TYPE = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|x-www-form-urlencoded)|image\/svg\+xml)/i;

function isTextType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPE.test(contentType);
}

/** `kept` is at most the body limit; `size` the body's full size. */
export function previewOf(kept: Buffer, size: number | undefined, contentType: string | undefined): BodyPreview {
  const text = isTextType(contentType) || (contentType === undefined && !kept.includes(0));
  return { size, text: kept.toString(text ? 'utf8' : 'base64'), encoding: text ? 'utf8' : 'base64', truncated: size !== undefined && kept.length < size };
}

/** What the list row needs, known when the exchange ends. */
export interface FinishFacts {
  readonly method: string;
  readonly target: string;
  readonly status: number;
  readonly xCache: string | undefined;
  readonly durationMs: number;
  /** The pipeline answered with an error. */
  readonly failed: boolean;
}

/**
 * The end of an exchange as the pipeline hands it over (src/pipeline/inspect.ts): the row's facts,
 * and the rest built on first use from a snapshot of plain values (never the request, response or
 * socket), so a finished exchange costs little until someone looks at it.
 */
export interface Finish {
  readonly facts: FinishFacts;
  details(): FinishData;
}

/** The rest of the record, built when it is first read. */
export interface FinishData {
  readonly httpVersion: string;
  readonly rawHeaders: readonly string[];
  readonly clientIp: string;
  readonly behavior: BehaviorRecord;
  readonly cache: CacheRecord | undefined;
  readonly skipped: readonly SkippedStage[];
  readonly steps: readonly StepTiming[];
  readonly response: ViewerResponseRecord;
  readonly error: { readonly code: string; readonly message: string } | undefined;
}

/** The origin exchange as origin-fetch saw it. */
export interface OriginCapture {
  method: string;
  url: string;
  headers: HeaderLine[];
  sentAt: number;
  status: number | undefined;
  responseHeaders: HeaderLine[];
  ttfbMs: number | undefined;
  error: string | undefined;
}

export function pairs(raw: readonly string[]): HeaderLine[] {
  const out: HeaderLine[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

export class ExchangeCapture {
  readonly functions: FunctionCapture[] = [];
  requestBody: BodyPreview | undefined;
  origin: OriginCapture | undefined;
  /** cache-store's TTL decision in words, when one was made. */
  ttl: { ttl: number; rule: string; stored: boolean } | undefined;
  /** The response head as written to the viewer (flat name, value list). */
  viewerHead: readonly string[] | undefined;
  viewerBody: BodySink | undefined;
  /** Bytes of the origin's body as it went on (to the viewer or the cache). */
  originBodySize: number | undefined;

  constructor(
    readonly id: string,
    readonly requestId: string,
    /** Date.now() when the request arrived. */
    readonly startedWall: number,
    readonly replayOf: string | undefined,
    readonly bodyLimit: number,
  ) {}

  /** A function is about to run with this event text. */
  fn(trigger: Trigger, functionId: string, kind: FunctionRecord['kind'], eventJson: string): FunctionCapture {
    const f: FunctionCapture = {
      trigger,
      functionId,
      kind,
      eventJson,
      resultJson: undefined,
      result: undefined,
      memorySizeMb: undefined,
      version: undefined,
      cold: false,
      initDurationMs: undefined,
      durationMs: undefined,
      ok: true,
      error: undefined,
      awsRequestId: undefined,
      staleCode: undefined,
      logs: [],
    };
    this.functions.push(f);
    return f;
  }

  /** A pipeline failure: it belongs to the last function of that stage that has no error yet. */
  failed(stage: string | undefined, error: FunctionError): void {
    for (let i = this.functions.length - 1; i >= 0; i--) {
      const f = this.functions[i] as FunctionCapture;
      if (f.trigger !== stage) continue;
      if (f.error === undefined) {
        f.ok = false;
        f.error = error;
      }
      return;
    }
  }

  /** Rough bytes this capture holds (the ring's byte bound counts it). */
  bytes(): number {
    let n = 2048;
    for (const f of this.functions) {
      // A result is about its event's size: counted so without serializing it.
      n += f.eventJson.length * (f.resultJson === undefined && f.result !== undefined ? 2 : 1) + (f.resultJson?.length ?? 0) + 256;
      for (const l of f.logs) n += l.length;
    }
    n += this.requestBody?.text.length ?? 0;
    if (this.viewerBody !== undefined) n += Math.min(this.viewerBody.size, this.bodyLimit);
    if (this.origin !== undefined) for (const [a, b] of this.origin.headers) n += a.length + b.length;
    if (this.viewerHead !== undefined) for (const s of this.viewerHead) n += s.length;
    return n;
  }
}

/** The value as JSON would carry it (what the function's result is on the wire). */
function roundTrip(v: unknown): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(v)) as unknown;
  } catch {
    return String(v);
  }
}

/**
 * START / END / REPORT for a run whose lines the log did not build (`--log-level warn` builds none):
 * the same text from the run's own facts; Max Memory Used is not measured then, and console lines are not kept.
 */
function lifecycleLines(f: FunctionCapture): string[] {
  if (f.awsRequestId === undefined) return [];
  const id = f.awsRequestId;
  const d = f.durationMs ?? 0;
  let report = `REPORT RequestId: ${id}\tDuration: ${d.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(d))} ms`;
  if (f.memorySizeMb !== undefined) report += `\tMemory Size: ${f.memorySizeMb} MB`;
  if (f.initDurationMs !== undefined) report += `\tInit Duration: ${f.initDurationMs.toFixed(2)} ms`;
  return [`START RequestId: ${id} Version: ${f.version ?? '$LATEST'}`, `END RequestId: ${id}`, report, '(the log level drops info lines: console lines and Max Memory Used were not kept)'];
}

function parse(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

/** A finished exchange in the ring: its list row and full record, each made on first use. */
export class StoredExchange {
  private row: ExchangeSummary | undefined;
  private built: ExchangeRecord | undefined;

  constructor(
    private readonly c: ExchangeCapture,
    private readonly f: Finish,
  ) {}

  get id(): string {
    return this.c.id;
  }

  get requestId(): string {
    return this.c.requestId;
  }

  get summary(): ExchangeSummary {
    const { c, f } = this;
    this.row ??= {
      id: c.id,
      requestId: c.requestId,
      startedAt: new Date(c.startedWall).toISOString(),
      method: f.facts.method,
      target: f.facts.target,
      status: f.facts.status,
      xCache: f.facts.xCache,
      durationMs: Math.round(f.facts.durationMs * 1000) / 1000,
      functions: c.functions.map((fn) => ({ trigger: fn.trigger, functionId: fn.functionId, ok: fn.ok })),
      hasError: f.facts.failed || c.functions.some((fn) => !fn.ok),
      replayOf: c.replayOf,
    };
    return this.row;
  }

  record(): ExchangeRecord {
    this.built ??= this.build();
    return this.built;
  }

  private build(): ExchangeRecord {
    const c = this.c;
    const d = this.f.details();
    const summary = this.summary;
    const functionRuns: FunctionRecord[] = c.functions.map((f) => {
      const event = parse(f.eventJson);
      const result = f.resultJson === undefined ? roundTrip(f.result) : parse(f.resultJson);
      const returned = f.resultJson !== undefined || f.result !== undefined;
      return {
        trigger: f.trigger,
        functionId: f.functionId,
        kind: f.kind,
        version: f.version,
        cold: f.cold,
        initDurationMs: f.initDurationMs,
        durationMs: f.durationMs,
        event,
        result,
        ok: f.ok,
        error: f.error,
        diff: returned ? diffResult(f.trigger, event, result) : undefined,
        staleCode: f.staleCode,
        logs: f.logs.length > 0 || f.kind !== 'lambda@edge' ? f.logs : lifecycleLines(f),
      };
    });
    const o = c.origin;
    const origin: OriginRecord | undefined =
      o === undefined
        ? undefined
        : { method: o.method, url: o.url, headers: o.headers, status: o.status, responseHeaders: o.responseHeaders, ttfbMs: o.ttfbMs, bodySize: c.originBodySize, error: o.error };
    return {
      ...summary,
      request: { method: summary.method, target: summary.target, httpVersion: d.httpVersion, headers: pairs(d.rawHeaders), clientIp: d.clientIp, body: c.requestBody },
      behavior: d.behavior,
      functionRuns,
      skipped: d.skipped,
      cache: d.cache,
      origin,
      response: d.response,
      steps: d.steps,
      error: d.error,
    };
  }
}
