// The inspector's record of one viewer request (docs/inspector.md): plain JSON data, the same objects
// `GET /inspector/api/exchanges/{id}` answers with and the HAR export carries in `_edgeproxy`. This is
// the one module that defines it; other code (the page, the HAR writer, test kits) reads these types.
// Nothing here holds a request, a response or a socket: a record outlives its exchange by design.

/** A header line as sent or received: [name as written, value]. */
export type HeaderLine = readonly [name: string, value: string];

/** A body kept up to the inspector's body limit (64 KiB by default), with its full size. */
export interface BodyPreview {
  /** The body's full size in bytes; undefined when it was not read (streamed and never seen). */
  readonly size: number | undefined;
  /** The first bytes: UTF-8 text for text types, base64 otherwise. */
  readonly text: string;
  readonly encoding: 'utf8' | 'base64';
  /** True when `text` holds fewer bytes than `size`. */
  readonly truncated: boolean;
}

/** The viewer's request as it reached the viewer listener. */
export interface ViewerRequestRecord {
  readonly method: string;
  /** The request target as sent (`/path?query`). */
  readonly target: string;
  /** `1.1`, `2.0`. */
  readonly httpVersion: string;
  /** Every header line, in order, as the viewer wrote it. */
  readonly headers: readonly HeaderLine[];
  readonly clientIp: string;
  /** The body, when one was read (a function's `includeBody`, or as it streamed to the origin); undefined when there was none or it was never read. */
  readonly body: BodyPreview | undefined;
}

/** The cache behavior the request was routed by (docs/cloudfront-reference.md §0). */
export interface BehaviorRecord {
  readonly pathPattern: string;
  readonly originId: string;
  readonly cachePolicy: string;
  readonly originRequestPolicy: string | undefined;
  readonly responseHeadersPolicy: string | undefined;
}

export type Trigger = 'viewer-request' | 'origin-request' | 'origin-response' | 'viewer-response';

/** One header's change between an event and the result. */
export interface HeaderChange {
  /** Lowercase header name. */
  readonly name: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** Values before (absent for `added`). */
  readonly before?: readonly string[];
  /** Values after (absent for `removed`). */
  readonly after?: readonly string[];
}

/** A scalar field's change (uri, querystring, method, status, statusDescription). */
export interface FieldChange {
  readonly field: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** What a function changed: event (request or response) → result. */
export interface FunctionDiff {
  /** `request` or `response`: which object the result is; `generated` when a request trigger answered with a response. */
  readonly kind: 'request' | 'response' | 'generated';
  readonly fields: readonly FieldChange[];
  readonly headers: readonly HeaderChange[];
  /** Cookies of a CloudFront Function's event/result (CloudFront Functions keep them apart from headers). */
  readonly cookies: readonly HeaderChange[];
  /** True when the result carries a body that replaces the one the event had (or a generated response's body). */
  readonly bodyReplaced: boolean;
}

/** Why a function run failed, as the viewer's error says it. */
export interface FunctionError {
  /** edgeproxy's error code: LambdaValidationError, LambdaExecutionError, FunctionValidationError… */
  readonly code: string;
  /** The status CloudFront answers with (502, 503). */
  readonly status: number;
  readonly message: string;
  /** For a validation error: the field of the result at fault (`headers.x-cache`, `status`…). */
  readonly field: string | undefined;
}

/** One function run at one trigger. */
export interface FunctionRecord {
  readonly trigger: Trigger;
  readonly functionId: string;
  /** `lambda@edge` or `cloudfront-functions`. */
  readonly kind: 'lambda@edge' | 'cloudfront-functions';
  /** The version that ran (`$LATEST`, `3`; a CloudFront Function's runtime, `cloudfront-js-2.0`). */
  readonly version: string | undefined;
  /** Lambda@Edge: the run waited for its worker's module to load. */
  readonly cold: boolean;
  /** Init Duration in ms, when cold. */
  readonly initDurationMs: number | undefined;
  /** The handler's duration in ms, as REPORT says it. */
  readonly durationMs: number | undefined;
  /** The exact event JSON the function received (as sent to its worker). */
  readonly event: unknown;
  /** The exact value the function returned, as JSON; undefined when it failed before returning. */
  readonly result: unknown;
  readonly ok: boolean;
  readonly error: FunctionError | undefined;
  /** Event → result; undefined when there is no result to compare. */
  readonly diff: FunctionDiff | undefined;
  /** Set when the run used the function's previous code because its file's last save did not load: the load error. */
  readonly staleCode: string | undefined;
  /** The function's console lines and its START/END/REPORT lines, in order, as the text log prints them. */
  readonly logs: readonly string[];
}

/** A stage that did not run, and why (docs/cloudfront-reference.md §5.1). */
export interface SkippedStage {
  readonly stage: string;
  readonly reason: string;
}

/** The cache's decision for the request (docs/cloudfront-reference.md §6). */
export interface CacheRecord {
  /** The key as the cache stores it (as `GET /cache` shows it). */
  readonly key: string | undefined;
  /** What the policy put in the key. */
  readonly keyParts:
    | {
        readonly method: string;
        readonly uri: string;
        readonly querystring: string;
        readonly acceptEncoding: string | undefined;
        readonly headers: readonly string[];
        readonly cookies: readonly string[];
        readonly queryStrings: string;
      }
    | undefined;
  /** Miss, Hit, RefreshHit, stale served, collapsed, bypass… */
  readonly lookup: string;
  /** The freshness lifetime decided when the response was stored (or found), seconds. */
  readonly ttl: number | undefined;
  /** The rule that set it, in words (`max-age=60 clamped to MaxTTL 31536000`). */
  readonly ttlRule: string | undefined;
  readonly stored: boolean;
  /** Why it was or was not stored. */
  readonly storeReason: string | undefined;
}

export interface OriginRecord {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly HeaderLine[];
  readonly status: number | undefined;
  readonly responseHeaders: readonly HeaderLine[];
  /** ms from sending the request to the response head. */
  readonly ttfbMs: number | undefined;
  /** Bytes of the body as it reached the viewer or the cache; undefined when not known. */
  readonly bodySize: number | undefined;
  /** The connection or timeout failure, when the origin could not answer. */
  readonly error: string | undefined;
}

export interface ViewerResponseRecord {
  readonly status: number;
  readonly statusText: string;
  readonly headers: readonly HeaderLine[];
  /** The body the viewer got; preview for text types only. */
  readonly body: BodyPreview | undefined;
  /** X-Cache without " from cloudfront". */
  readonly xCache: string | undefined;
  /** False when the connection closed before the response was complete. */
  readonly completed: boolean;
}

/** One step the pipeline driver ran (src/pipeline/run.ts), times in ms from the request's start. */
export interface StepTiming {
  readonly step: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly outcome: string;
}

/** The list row: what the page shows before a record is opened. */
export interface ExchangeSummary {
  /** The inspector's own id: a number as text, counting from 1 per edgeproxy run. */
  readonly id: string;
  /** CloudFront's request id (X-Amz-Cf-Id). */
  readonly requestId: string;
  /** ISO time the request arrived. */
  readonly startedAt: string;
  readonly method: string;
  readonly target: string;
  readonly status: number;
  readonly xCache: string | undefined;
  readonly durationMs: number;
  /** `viewer-request=redirect` per function that ran, with `ok`. */
  readonly functions: ReadonlyArray<{ readonly trigger: Trigger; readonly functionId: string; readonly ok: boolean }>;
  readonly hasError: boolean;
  /** The id of the exchange this one replayed, when it was a replay. */
  readonly replayOf: string | undefined;
}

/** Everything captured for one viewer request. */
export interface ExchangeRecord extends ExchangeSummary {
  readonly request: ViewerRequestRecord;
  readonly behavior: BehaviorRecord;
  readonly functionRuns: readonly FunctionRecord[];
  readonly skipped: readonly SkippedStage[];
  readonly cache: CacheRecord | undefined;
  readonly origin: OriginRecord | undefined;
  readonly response: ViewerResponseRecord;
  readonly steps: readonly StepTiming[];
  /** The error the pipeline answered, when one did (code and message). */
  readonly error: { readonly code: string; readonly message: string } | undefined;
}

export function summaryOf(r: ExchangeRecord): ExchangeSummary {
  return {
    id: r.id,
    requestId: r.requestId,
    startedAt: r.startedAt,
    method: r.method,
    target: r.target,
    status: r.status,
    xCache: r.xCache,
    durationMs: r.durationMs,
    functions: r.functions,
    hasError: r.hasError,
    replayOf: r.replayOf,
  };
}
