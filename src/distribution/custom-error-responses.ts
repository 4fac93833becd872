// CloudFront's custom error responses (docs/cloudfront-reference.md §12): per error code, a page to
// fetch in place of the error (ResponsePagePath), the status to answer it with (ResponseCode), and
// how long the error is cached (ErrorCachingMinTTL, §6.6). Pure rules; the pipeline wiring is in
// pipeline/custom-error.ts.

/** The error codes CloudFront accepts a custom error response for (§12). */
export const CUSTOM_ERROR_CODES: readonly number[] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/** The statuses CloudFront lets a custom error response answer with (§12). */
export const CUSTOM_RESPONSE_CODES: readonly number[] = [200, ...CUSTOM_ERROR_CODES];

/** §12: ResponsePagePath is at most 4,000 characters and starts with `/`. */
export const MAX_RESPONSE_PAGE_PATH = 4000;

export interface CustomErrorResponse {
  errorCode: number;
  /** A path starting with `/`; undefined = only the caching TTL is customized. */
  responsePagePath: string | undefined;
  /** The status the viewer gets with the page; undefined = the error's own status. */
  responseCode: number | undefined;
  /** Seconds; undefined = the distribution's default error caching minimum TTL (§6.6). */
  errorCachingMinTTL: number | undefined;
}

export type CustomErrorTable = ReadonlyMap<number, CustomErrorResponse>;

/** Where a ≥ 400 response the viewer is about to get came from. */
export type ErrorOrigin =
  /** The origin (or a cached copy of its answer), after origin-response. */
  | 'origin'
  /** CloudFront could not get an answer: unreachable origin, timeout, invalid response (§4). */
  | 'origin-failure'
  /** A Lambda@Edge function generated it (viewer-request or origin-request). */
  | 'function-generated'
  /** A function failed: CloudFront's 502/503 Lambda errors (§4). */
  | 'function-error'
  /** CloudFront refused the request itself (method not allowed, too large, GET with a body, …). */
  | 'request-refused'
  /** The geographic restriction refused the viewer's country (§17): AWS offers a custom error page for it. */
  | 'geo-restriction';

/**
 * The custom error response that replaces this error, if any (§12). Only errors from the origin side
 * (the origin's own status, or CloudFront's 502/504 when it cannot reach the origin) and the geographic
 * restriction's 403 (§17) are replaced;
 * function-generated responses, function errors and CloudFront's own refusals go out as they are
 * (docs/decisions.md, custom error responses).
 */
export function customErrorFor(table: CustomErrorTable, status: number, from: ErrorOrigin): CustomErrorResponse | undefined {
  if (status < 400 || table.size === 0) return undefined;
  if (from !== 'origin' && from !== 'origin-failure' && from !== 'geo-restriction') return undefined;
  const c = table.get(status);
  return c?.responsePagePath === undefined ? undefined : c;
}

/**
 * The status the viewer gets when the page fetch answered `pageStatus` (§12): the configured
 * ResponseCode (else the error's own status) when the page is available; when it is not, the status
 * CloudFront got fetching the page.
 */
export function customErrorStatus(c: CustomErrorResponse, pageStatus: number): { status: number; pageUsable: boolean } {
  if (pageStatus >= 400) return { status: pageStatus, pageUsable: false };
  return { status: c.responseCode ?? c.errorCode, pageUsable: true };
}
