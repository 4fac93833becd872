// Every failure the viewer listener can answer with, in one table: code → status, X-Cache name, who
// is at fault. Codes (not classes) identify errors, because errors that cross a worker boundary lose
// their class. The admin listener's codes are in admin/errors.ts, configuration and command-line
// errors in config/errors.ts; docs/errors.md documents all of them (test/errors-catalogue.test.ts).
// Pure data and one class, no imports: the function workers check results with the same rules
// (event/validate-result.ts) and throw the same errors; the rest of edgeproxy imports it as src/errors.ts.

export type ErrorCode =
  | 'LambdaValidationError'
  | 'LambdaExecutionError'
  | 'LambdaLimitExceeded'
  | 'FunctionValidationError'
  | 'FunctionExecutionError'
  | 'FunctionThrottledError'
  | 'OriginConnectError'
  | 'OriginDnsError'
  | 'OriginTimeout'
  | 'OriginResponseError'
  | 'RequestTooLarge'
  | 'BadRequest'
  | 'RequestTimeout'
  | 'NotImplemented'
  | 'GetWithBody'
  | 'MethodNotAllowed'
  | 'SignatureMissingKey'
  | 'SignatureUnknownKey'
  | 'SignatureMalformedPolicy'
  | 'SignatureAccessDenied'
  | 'ClientGeoBlocked'
  | 'HttpsRequired'
  | 'InternalError';

interface ErrorSpec {
  status: number;
  /** Value of X-Cache before " from cloudfront". */
  xCache: string;
  /** user: the function or the request is at fault; system: the origin or edgeproxy. */
  kind: 'user' | 'system';
  /** The message line CloudFront puts into its HTML error page (docs/cloudfront-reference.md §4). */
  pageMessage: string;
  /** An unreachable or failing origin: a stale copy inside stale-if-error answers instead (docs/cloudfront-reference.md §6.6/§6.7). */
  staleOnError: boolean;
  /**
   * The answer ends the connection (`Connection: close`): the viewer's bytes after this request cannot
   * be trusted to start another one, or CloudFront closes it (docs/cloudfront-reference.md §3.5).
   */
  closesConnection?: true;
  /**
   * CloudFront answers with a small XML error document (`<Error><Code>…</Code><Message>…</Message></Error>`,
   * `Content-Type: text/xml`) instead of its HTML page: the refusals of signed URLs and cookies
   * (docs/cloudfront-reference.md §15.5). `pageMessage` is then the document's Message.
   */
  xmlCode?: string;
}

export const ERRORS: Readonly<Record<ErrorCode, ErrorSpec>> = {
  LambdaValidationError: {
    status: 502,
    xCache: 'LambdaValidationError',
    kind: 'user',
    pageMessage: 'The Lambda function returned invalid JSON: The JSON output is not parsable.',
    staleOnError: false,
  },
  LambdaExecutionError: {
    status: 503,
    xCache: 'LambdaExecutionError',
    kind: 'user',
    pageMessage:
      "The Lambda function associated with the CloudFront distribution is invalid or doesn't have the required permissions.",
    staleOnError: false,
  },
  LambdaLimitExceeded: {
    status: 503,
    xCache: 'LambdaLimitExceeded',
    kind: 'user',
    pageMessage: 'The Lambda function associated with the CloudFront distribution was throttled.',
    staleOnError: false,
  },
  // CloudFront Functions (docs/cloudfront-reference.md §29): their own codes, statuses and X-Cache names,
  // as public captures of real CloudFront responses show them; the page lines are the ones seen there.
  FunctionValidationError: {
    status: 502,
    xCache: 'FunctionValidationError',
    kind: 'user',
    pageMessage: 'The CloudFront function returned an invalid value.',
    staleOnError: false,
  },
  FunctionExecutionError: {
    status: 503,
    xCache: 'FunctionExecutionError',
    kind: 'user',
    pageMessage: 'The CloudFront function associated with the CloudFront distribution is invalid or could not run.',
    staleOnError: false,
  },
  FunctionThrottledError: {
    status: 503,
    xCache: 'FunctionThrottledError',
    kind: 'user',
    pageMessage: 'The CloudFront function associated with the CloudFront distribution was throttled.',
    staleOnError: false,
  },
  OriginConnectError: {
    status: 502,
    xCache: 'Error',
    kind: 'system',
    pageMessage: 'CloudFront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection.',
    staleOnError: true,
  },
  OriginDnsError: {
    status: 502,
    xCache: 'Error',
    kind: 'system',
    pageMessage: 'CloudFront wasn\'t able to resolve the origin domain name.',
    staleOnError: true,
  },
  OriginTimeout: {
    status: 504,
    xCache: 'Error',
    kind: 'system',
    pageMessage: 'CloudFront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection.',
    staleOnError: true,
  },
  OriginResponseError: {
    status: 502,
    xCache: 'Error',
    kind: 'system',
    pageMessage: 'CloudFront received an invalid response from the origin.',
    staleOnError: true,
  },
  RequestTooLarge: {
    status: 413,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Bad request.',
    staleOnError: false,
    closesConnection: true,
  },
  // A request Node's HTTP parser rejects (malformed request line or header, bad framing): the
  // listener's clientError handler answers it (pipeline/client-error.ts). A parsed request with a
  // bad Host, request target or Transfer-Encoding is refused before anything runs (viewer/guard.ts).
  BadRequest: {
    status: 400,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Bad request.',
    staleOnError: false,
    closesConnection: true,
  },
  // The viewer did not send its request head, or the next piece of its body, in time (RFC 9110
  // §15.5.9); the listener's limits are in viewer/listener.ts.
  RequestTimeout: {
    status: 408,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Bad request.',
    staleOnError: false,
    closesConnection: true,
  },
  // A transfer coding other than chunked (RFC 9112 §6.1: 501 for a coding the server does not understand).
  NotImplemented: {
    status: 501,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Bad request.',
    staleOnError: false,
    closesConnection: true,
  },
  GetWithBody: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Bad request.',
    staleOnError: false,
  },
  // A method outside the behavior's allowed methods (docs/cloudfront-reference.md §6.1 behavior settings): CloudFront answers 403.
  MethodNotAllowed: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.',
    staleOnError: false,
  },
  // Signed URLs and signed cookies (docs/cloudfront-reference.md §15.5): a behavior with trusted key groups
  // refuses with 403 and one of CloudFront's four XML errors; the log line says exactly which check failed.
  SignatureMissingKey: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Missing Key-Pair-Id query parameter or cookie value',
    staleOnError: false,
    xmlCode: 'MissingKey',
  },
  SignatureUnknownKey: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Unknown Key',
    staleOnError: false,
    xmlCode: 'InvalidKey',
  },
  SignatureMalformedPolicy: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Malformed Policy',
    staleOnError: false,
    xmlCode: 'MalformedPolicy',
  },
  SignatureAccessDenied: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Access denied',
    staleOnError: false,
    xmlCode: 'AccessDenied',
  },
  // Geographic restriction (docs/cloudfront-reference.md §17): the viewer's country is not allowed. The
  // code is the standard log's x-edge-detailed-result-type for it.
  ClientGeoBlocked: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'The Amazon CloudFront distribution is configured to block access from your country.',
    staleOnError: false,
  },
  // An HTTP request to a behavior whose viewer protocol policy is https-only, or a non-GET/HEAD HTTP/1.0
  // one under redirect-to-https (docs/cloudfront-reference.md §16). The page's message line is not documented [U].
  HttpsRequired: {
    status: 403,
    xCache: 'Error',
    kind: 'user',
    pageMessage: 'Bad request.',
    staleOnError: false,
  },
  // A bug in edgeproxy itself; the log line says what.
  InternalError: {
    status: 500,
    xCache: 'Error',
    kind: 'system',
    pageMessage: 'An internal error occurred.',
    staleOnError: false,
  },
};

/** Where in the pipeline an error arose; for the log line, never for the viewer. */
export type Stage =
  | 'viewer-request'
  | 'origin-request'
  | 'origin-response'
  | 'viewer-response'
  | 'origin-fetch'
  | 'request'
  | 'cache';

export class EdgeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly xCache: string;
  readonly kind: 'user' | 'system';
  /** The exact field at fault, e.g. `headers.x-cache[0]` — for the log. */
  readonly field: string | undefined;
  stage: Stage | undefined;
  /** Which function (file) was running, when a function is at fault. */
  functionName: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { field?: string; stage?: Stage; functionName?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    const spec = ERRORS[code];
    this.name = 'EdgeError';
    this.code = code;
    this.status = spec.status;
    this.xCache = spec.xCache;
    this.kind = spec.kind;
    this.field = opts.field;
    this.stage = opts.stage;
    this.functionName = opts.functionName;
  }

  /** One log line: `viewer-request (functions/auth.js): LambdaValidationError: headers.x-cache: header is disallowed`. */
  describe(): string {
    const where = this.stage ? `${this.stage}${this.functionName ? ` (${this.functionName})` : ''}: ` : '';
    const field = this.field ? `${this.field}: ` : '';
    return `${where}${this.code}: ${field}${this.message}`;
  }
}

export function isEdgeError(e: unknown): e is EdgeError {
  return e instanceof EdgeError;
}

