// The test kit's public shapes (edgeproxy/testing): what buildEvent takes and gives, what invoke answers.
// Events are edgeproxy's own wire shapes (event/types.ts), which stay assignable to @types/aws-lambda's
// CloudFront types (testing/aws-compat.ts checks it at compile time).

import type { ConfigInput } from '../config/schema.js';
import type { ResolvedConfig } from '../config/types.js';
import type { ErrorCode } from '../errors.js';
import type { CffEvent } from '../cff/types.js';
import type { CfConfig, CfHeaders, CfRequest, CfResponse, EventType } from '../event/types.js';

export type { CffEvent, CffRequest, CffResponse, CffValue } from '../cff/types.js';

export type { CfBody, CfConfig, CfCustomOrigin, CfHeaderEntry, CfHeaders, CfOrigin, CfRequest, CfResponse, CfResultResponse, CfS3Origin, EventType } from '../event/types.js';

export type RequestTrigger = 'viewer-request' | 'origin-request';
export type ResponseTrigger = 'origin-response' | 'viewer-response';

/** A viewer-request or origin-request event (docs/cloudfront-reference.md §1.1). */
export interface RequestEvent {
  Records: [{ cf: { config: CfConfig; request: CfRequest } }];
}
/** An origin-response or viewer-response event: the request and the response's status and headers. */
export interface ResponseEvent {
  Records: [{ cf: { config: CfConfig; request: CfRequest; response: CfResponse } }];
}
export type EdgeEvent = RequestEvent | ResponseEvent;
/** The event a trigger's function receives. */
export type EventFor<T extends EventType> = T extends RequestTrigger ? RequestEvent : ResponseEvent;

/**
 * Header lines: `{ 'Accept-Language': 'fr' }`, several lines as an array, `null` to drop one of the
 * defaults; or `[name, value]` pairs in order. Names keep their spelling, as a client sends them.
 */
export type HeaderInput = Readonly<Record<string, string | readonly string[] | null>> | ReadonlyArray<readonly [string, string]>;

/** The distribution an event is built in: a config file, a config object, or a loaded config. */
export type DistributionInput = string | ConfigInput | ResolvedConfig;

/** What the viewer sends (and, for the response triggers, what the origin answered). */
export interface EventOptions {
  /** Path, optionally with `?query`: `/blog/post?x=1`. Default `/`. */
  uri?: string;
  /** Query string without `?` (replaces one in `uri`). */
  querystring?: string;
  /** Default GET, or POST when a body is given. */
  method?: string;
  /** The viewer's header lines, over the defaults (a browser's: Host, User-Agent, Accept, Accept-Encoding, Accept-Language). */
  headers?: HeaderInput;
  /** false: only the headers given (and Host). */
  defaultHeaders?: boolean;
  /** Default 203.0.113.10 (a documentation address, RFC 5737). */
  clientIp?: string;
  clientPort?: number;
  /** The viewer's HTTP version: 1.0, 1.1 (default) or 2.0. */
  httpVersion?: '1.0' | '1.1' | '2.0';
  /** The request body; the event shows it only with `includeBody` (viewer-request, origin-request). */
  body?: string | Uint8Array;
  includeBody?: boolean;
  /** origin-response / viewer-response: the origin's status (default 200) and reason phrase. */
  status?: number;
  statusDescription?: string;
  /** origin-response / viewer-response: the origin's header lines, over the defaults (Date, Content-Type, ETag …). */
  responseHeaders?: HeaderInput;
  defaultResponseHeaders?: boolean;
  /** viewer-response of a cache hit: the Age it carries (seconds). */
  age?: number;
  /** The distribution (origins, policies, behaviors) the proxy would run: a config file, object or loaded config. */
  config?: DistributionInput;
  /** The behavior's path pattern; default: the one the proxy selects for `uri`. */
  behavior?: string;
  /** X-Amz-Cf-Id / event requestId; default: a new one, as the proxy makes them. */
  requestId?: string;
}

/** What the function changed, field by field (an empty list: nothing). Header values are compared as lines; key spelling is ignored. */
export interface DiffEntry {
  op: 'added' | 'removed' | 'changed';
  /** `uri`, `querystring`, `status`, `statusDescription`, `headers["x-foo"]`, `body`, `origin.custom.domainName` … */
  field: string;
  before?: string | number | readonly string[];
  after?: string | number | readonly string[];
}

/** A response a viewer-request or origin-request function generated, as CloudFront accepted it. */
export interface GeneratedResponse {
  status: number;
  statusDescription: string;
  headers: CfHeaders;
  /** The body's bytes as text (UTF-8); `bodyBase64` has them exactly. */
  body: string;
  bodyBase64: string;
}

/** A response trigger's result as CloudFront accepted it. */
export interface AcceptedResponse {
  /** What the viewer gets: at viewer-response, a changed status is ignored (docs/cloudfront-reference.md §10.5). */
  status: number;
  statusDescription: string;
  headers: CfHeaders;
  /** The replacement body (UTF-8 text), when the function set one. */
  body?: string;
}

/** Why the viewer would get CloudFront's error page instead. */
export interface InvokeError {
  code: ErrorCode;
  status: number;
  /** X-Cache's value before " from cloudfront". */
  xCache: string;
  message: string;
  /** The result's field at fault, for a validation error: `headers["host"]`, `uri`, `status` … */
  field?: string;
}

export interface ViewerOutcome {
  /** The status the viewer gets; undefined when the request goes on (to the cache or the origin). */
  status: number | undefined;
  xCache: string | undefined;
  /** One line: `viewer would get 502 LambdaValidationError: headers["host"]: …`, or where the request goes next. */
  summary: string;
}

export interface InvokeResult<T extends EventType = EventType> {
  /** The function succeeded and CloudFront would accept its result. */
  ok: boolean;
  trigger: T;
  /** The event the function received. */
  event: EventFor<T>;
  /** What the function returned, as it crossed the worker boundary (JSON); undefined when it failed. */
  result: unknown;
  /** Request triggers: the request that goes on, as CloudFront accepted it. */
  request?: CfRequest;
  /** Response triggers: the response as CloudFront accepted it. */
  response?: AcceptedResponse;
  /** Request triggers: the response the function generated instead of passing the request on. */
  generated?: GeneratedResponse;
  /** What changed from the event's request (request triggers) or response (response triggers). */
  diff: DiffEntry[];
  error?: InvokeError;
  viewer: ViewerOutcome;
  /** START, the function's console lines, END, REPORT (and the timeout line), as Lambda prints them. */
  logs: string[];
  /** The handler's run, as REPORT's Duration. */
  durationMs: number;
  /** REPORT's Max Memory Used, MB. */
  memoryUsedMb: number | undefined;
  memorySizeMb: number;
  /** Set on a cold start (the worker loaded the module for this call): REPORT's Init Duration. */
  initDurationMs: number | undefined;
  /** The executed version ($LATEST for a file; a CloudFront Function's runtime, `cloudfront-js-2.0`). */
  version: string | undefined;
  awsRequestId: string | undefined;
  /** Set for a CloudFront Function: its own event (`event` is then the Lambda@Edge event of the same request) and CloudFront's TestFunction fields. */
  cff?: CffDetails;
}

/** What a CloudFront Function's run adds (docs/cloudfront-functions.md). */
export interface CffDetails {
  /** The event the function received, in CloudFront Functions' shape. */
  event: CffEvent;
  /** CloudFront's ComputeUtilization, 0–100, against the configured budget (cff.compute.budgetMs). */
  computeUtilization: number;
  /** Notes on the result that are not errors (ignored fields, origin settings with no local effect). */
  warnings: string[];
  /** The fields `aws cloudfront test-function` prints, to compare runs side by side. */
  testResult: { FunctionOutput: string; FunctionExecutionLogs: string[]; FunctionErrorMessage: string; ComputeUtilization: string };
}

export interface InvokeOptions<T extends EventType = EventType> extends EventOptions {
  /** The function's file (.js, .mjs, .cjs, .ts); `file#export` or `export` names the handler (default `handler`). */
  file: string;
  export?: string;
  trigger: T;
  /** Use this event as is instead of building one from the options. */
  event?: EventFor<T>;
  /** Seconds (default: the trigger's, 5 viewer / 30 origin, or the config's function's). */
  timeout?: number;
  /** MB (default 128, or the config's function's). */
  memorySize?: number;
  /** Print START/END/REPORT and console lines as they come (default: quiet, they are in `logs`). */
  print?: boolean;
  /** The file is a CloudFront Function even without a runtime comment on its first line (as `--cff`). */
  cff?: boolean;
  /** CloudFront Functions: what Date.now() returns in the run (ms since the epoch); default now. */
  nowMs?: number;
}
