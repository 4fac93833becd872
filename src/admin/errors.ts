// Every refusal of the admin listener, in one table: code → status, who is at fault. The listener
// answers `{ "error": { code, message, field? } }`; docs/admin.md documents every code
// (test/errors-catalogue.test.ts keeps the two in step). Codes CloudFront's API also has
// (InvalidArgument, InconsistentQuantities, TooManyInvalidationsInProgress,
// InvalidationBatchAlreadyExists, NoSuchInvalidation) keep CloudFront's names.

import type { PublishErrorCode } from '../runtime/code.js';

export type AdminErrorCode =
  | 'BadRequest'
  | 'MissingBody'
  | 'InvalidJson'
  | 'InvalidArgument'
  | 'InconsistentQuantities'
  | 'TooManyInvalidationsInProgress'
  | 'InvalidationBatchAlreadyExists'
  | 'PublishFailed'
  | 'ForbiddenHost'
  | 'CrossOrigin'
  | 'NotFound'
  | 'NoSuchInvalidation'
  | 'UnknownFunction'
  | 'MetricsUnavailable'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'RequestTooLarge'
  | 'InternalError'
  | 'NotImplemented'
  | 'ServiceUnavailable';

interface AdminErrorSpec {
  status: number;
  /** user: the caller's request is at fault; system: this edgeproxy instance (or a bug in it). */
  kind: 'user' | 'system';
}

export const ADMIN_ERRORS: Readonly<Record<AdminErrorCode, AdminErrorSpec>> = {
  // Node's HTTP parser rejected the request (malformed request line or header, header overflow).
  BadRequest: { status: 400, kind: 'user' },
  MissingBody: { status: 400, kind: 'user' },
  InvalidJson: { status: 400, kind: 'user' },
  // A field of the request is wrong (the `field` names it), including an invalidation path that breaks
  // CloudFront's path rules (cache/invalidation.ts InvalidationPathError).
  InvalidArgument: { status: 400, kind: 'user' },
  InconsistentQuantities: { status: 400, kind: 'user' },
  TooManyInvalidationsInProgress: { status: 400, kind: 'user' },
  InvalidationBatchAlreadyExists: { status: 400, kind: 'user' },
  // The function's $LATEST code does not build (the code registry's BuildFailed).
  PublishFailed: { status: 400, kind: 'user' },
  ForbiddenHost: { status: 403, kind: 'user' },
  CrossOrigin: { status: 403, kind: 'user' },
  NotFound: { status: 404, kind: 'user' },
  NoSuchInvalidation: { status: 404, kind: 'user' },
  UnknownFunction: { status: 404, kind: 'user' },
  MetricsUnavailable: { status: 404, kind: 'system' },
  MethodNotAllowed: { status: 405, kind: 'user' },
  // A key value store change whose If-Match is not the store's current ETag (the KVS API's ConflictException).
  Conflict: { status: 409, kind: 'user' },
  RequestTooLarge: { status: 413, kind: 'user' },
  // A bug in edgeproxy: the message says what failed.
  InternalError: { status: 500, kind: 'system' },
  NotImplemented: { status: 501, kind: 'system' },
  // The code registry is closing with the proxy.
  ServiceUnavailable: { status: 503, kind: 'system' },
};

/** How the code registry's publish failures (runtime/code.ts PublishError) reach the caller. */
export const PUBLISH_ERRORS: Readonly<Record<PublishErrorCode, AdminErrorCode>> = {
  UnknownFunction: 'UnknownFunction',
  BuildFailed: 'PublishFailed',
  Closed: 'ServiceUnavailable',
};

/** A refusal the admin listener answers as `{ "error": { code, message, field? } }`. */
export class AdminError extends Error {
  readonly code: AdminErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  /** Extra response headers (`Allow` on 405). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: AdminErrorCode, message: string, field?: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'AdminError';
    this.code = code;
    this.status = ADMIN_ERRORS[code].status;
    this.field = field;
    this.headers = headers;
  }
}
