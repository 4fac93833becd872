// The Lambda API listener's error catalogue: every code it can answer with, its HTTP status and the
// body member its message goes in. One table, documented in docs/lambda-api.md ("Error codes") and
// kept in step with it by test/lambda/errors-catalogue.test.ts (both directions).
//
// The wire shape is restJson1 as AWS sends it and @aws-sdk/client-lambda reads it: the code in the
// `X-Amzn-ErrorType` header, a JSON body with `Type` and `message` (or `Message`, per the model), and
// `x-amzn-RequestId` (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html).

type LambdaErrorCode =
  | 'ResourceNotFoundException'
  | 'InvalidRequestContentException'
  | 'InvalidParameterValueException'
  | 'ValidationException'
  | 'RequestEntityTooLargeException'
  | 'UnsupportedMediaTypeException'
  | 'TooManyRequestsException'
  | 'ResourceConflictException'
  | 'PreconditionFailedException'
  | 'ServiceException'
  | 'AccessDeniedException'
  | 'UnknownOperationException';

interface LambdaErrorSpec {
  status: number;
  /** `Type` in the body: `User` for the caller's fault, `Service` for Lambda's (edgeproxy's). */
  type: 'User' | 'Service';
  /** The member the SDK's model reads the message from (ResourceNotFoundException and ServiceException use `Message`). */
  messageKey: 'message' | 'Message';
  /** One line for docs/lambda-api.md: when the listener answers with it. */
  when: string;
}

export const LAMBDA_ERRORS: Readonly<Record<LambdaErrorCode, LambdaErrorSpec>> = {
  ResourceNotFoundException: { status: 404, type: 'User', messageKey: 'Message', when: 'no such function, version, alias or event-invoke config' },
  InvalidRequestContentException: { status: 400, type: 'User', messageKey: 'message', when: 'the Invoke payload or a control-plane body is not JSON' },
  InvalidParameterValueException: { status: 400, type: 'User', messageKey: 'message', when: 'a value is out of range or contradicts another (qualifier twice, bad routing weights, bad destination ARN)' },
  ValidationException: { status: 400, type: 'User', messageKey: 'message', when: 'a value breaks its pattern, length or enum (invocation type, log type, names)' },
  RequestEntityTooLargeException: { status: 413, type: 'User', messageKey: 'message', when: 'the payload is over 6 MB (RequestResponse) or 1 MB (Event)' },
  UnsupportedMediaTypeException: { status: 415, type: 'User', messageKey: 'message', when: 'a control-plane body is sent with a content type other than JSON' },
  TooManyRequestsException: { status: 429, type: 'User', messageKey: 'message', when: 'a synchronous invoke found the account or the reserved concurrency full (`Reason` says which)' },
  ResourceConflictException: { status: 409, type: 'User', messageKey: 'message', when: 'CreateAlias for an alias that exists' },
  PreconditionFailedException: { status: 412, type: 'User', messageKey: 'message', when: 'a `RevisionId` that is not the current one' },
  AccessDeniedException: { status: 403, type: 'User', messageKey: 'message', when: 'a loopback listener got a request addressed to a non-loopback name (DNS rebinding)' },
  ServiceException: { status: 500, type: 'Service', messageKey: 'Message', when: 'edgeproxy failed (the log says why), or is shutting down' },
  UnknownOperationException: { status: 404, type: 'User', messageKey: 'message', when: 'a path or method that is not one of the emulated operations' },
};

/** A refusal of the Lambda API listener. Identified by `code` (never by class), like every edgeproxy error. */
export class LambdaApiError extends Error {
  readonly code: LambdaErrorCode;
  readonly status: number;
  /** Extra body members (`Reason` of a throttle). */
  readonly extra: Readonly<Record<string, string>>;
  /** Extra headers (`Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: LambdaErrorCode, message: string, opts: { extra?: Record<string, string>; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'LambdaApiError';
    this.code = code;
    this.status = LAMBDA_ERRORS[code].status;
    this.extra = opts.extra ?? {};
    this.headers = opts.headers ?? {};
  }
}

/** The JSON body Lambda sends with an error: `{"Type":"User","message":"…"}` plus any extra members. */
export function errorBody(e: LambdaApiError): string {
  const spec = LAMBDA_ERRORS[e.code];
  return JSON.stringify({ ...e.extra, Type: spec.type, [spec.messageKey]: e.message });
}
