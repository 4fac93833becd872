// CloudFront's rules for what a Lambda@Edge function may return (docs/cloudfront-reference.md §2.2, §2.3, §3.1–§3.6).
// Every violation throws EdgeError('LambdaValidationError') naming the exact field. Runs after
// every function call: tables are module constants, the checks are plain loops.
// The shared checks are in validate-common.ts, the origin's in validate-origin.ts. Imported by the
// function workers too (they validate there): no host modules.

import { STATUS_CODES } from 'node:http';
import type { CfHeaderEntry, CfHeaders, CfRequest, CfResponse } from './types.js';
import { defaultHeaderKey, checkHeaderValue, toWireValue } from './headers.js';
import { checkBodyResult, describe, isStrictBase64 } from './body.js';
import { MAX_URL_LENGTH, percentEncodeNonAscii } from '../rules/cloudfront.js';
import { badTargetChar, checkHeaders, fail, hasNonAscii, hf, isObject, type Obj, own } from './validate-common.js';
import { checkOrigin } from './validate-origin.js';

type RequestEventType = 'viewer-request' | 'origin-request';
export type ResponseEventType = 'origin-response' | 'viewer-response';

export interface GeneratedResponse {
  status: number;
  statusDescription: string;
  headers: CfHeaders;
  body: Buffer;
}
type RequestResult = { kind: 'request'; request: CfRequest } | { kind: 'response'; response: GeneratedResponse };

export interface ValidatedResponse {
  status: number;
  statusDescription: string;
  headers: CfHeaders;
  /** undefined = keep the origin/cached body; Buffer = replace it (origin-response; viewer-response too, see decisions). */
  body: Buffer | undefined;
  /** viewer-response only: the status the function set, which CloudFront ignores (§10.5); undefined when unchanged. */
  ignoredStatus?: string | number | undefined;
}

const KiB = 1024;
const MiB = 1024 * 1024;
/** Spec §2.3 / §3.6: generated or modified response incl. headers and body. */
const RESPONSE_SIZE_LIMIT: Readonly<Record<RequestEventType | ResponseEventType, number>> = {
  'viewer-request': 40 * KiB,
  'viewer-response': 40 * KiB,
  'origin-request': 1 * MiB,
  'origin-response': 1 * MiB,
};

/** Spec §3.2: adding, changing or removing these → error; returning them unchanged is fine. */
export const READ_ONLY: Readonly<Record<RequestEventType | ResponseEventType, readonly string[]>> = {
  'viewer-request': ['cdn-loop', 'content-length', 'host', 'transfer-encoding', 'via'],
  'origin-request': [
    'accept-encoding',
    'cdn-loop',
    'content-length',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'transfer-encoding',
    'via',
  ],
  'origin-response': ['transfer-encoding', 'via'],
  'viewer-response': ['warning', 'via', 'content-length', 'content-encoding', 'transfer-encoding'],
};

const STATUS_STRING = /^[0-9]{3}$/;

/**
 * The usual mistakes first, in words: nothing returned, the whole event returned, or the other half
 * of the event (a request from a response trigger, a response from a request trigger).
 */
function asResultObject(eventType: RequestEventType | ResponseEventType, result: unknown): Obj {
  const wants = eventType === 'viewer-request' || eventType === 'origin-request' ? 'request' : 'response';
  const how = `return event.Records[0].cf.${wants} (or call callback(null, ${wants}))`;
  if (result === undefined || result === null) {
    fail('result', `The JSON output must be an object type: the handler returned nothing (${String(result)}); did you forget to return the ${wants}? End it with ${how}`);
  }
  if (!isObject(result)) fail('result', `The JSON output must be an object type (got ${describe(result)}): ${how} (AWS rule: what each trigger may return)`);
  if (Object.hasOwn(result, 'Records')) fail('result', `the handler returned the whole event; return its ${wants} instead: ${how}`);
  if (wants === 'response' && own(result, 'status') === undefined && (own(result, 'uri') !== undefined || own(result, 'clientIp') !== undefined)) {
    fail('result', `a ${eventType} function must return the response, not the request: ${how}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Read-only headers and sizes

function sameValues(a: readonly CfHeaderEntry[] | undefined, b: readonly CfHeaderEntry[] | undefined): boolean {
  const la = a?.length ?? 0;
  const lb = b?.length ?? 0;
  if (la !== lb) return false;
  for (let i = 0; i < la; i++) if (a![i]!.value !== b![i]!.value) return false;
  return true;
}

function headerList(h: CfHeaders, name: string): CfHeaderEntry[] | undefined {
  return Object.hasOwn(h, name) ? h[name] : undefined;
}

function checkReadOnly(eventType: RequestEventType | ResponseEventType, before: CfHeaders, after: CfHeaders): void {
  for (const name of READ_ONLY[eventType]) {
    const a = headerList(before, name);
    const b = headerList(after, name);
    if (sameValues(a, b)) continue;
    const what = (a?.length ?? 0) === 0 ? 'added' : (b?.length ?? 0) === 0 ? 'removed' : 'changed';
    fail(hf('headers', name), `read-only header ${defaultHeaderKey(name)} was ${what} (AWS rule: read-only headers, ${eventType})`);
  }
}

function headerBytes(h: CfHeaders): number {
  let n = 0;
  for (const name in h) for (const e of h[name]!) n += (e.key ?? name).length + e.value.length + 4; // `: ` and CRLF
  return n;
}

// ---------------------------------------------------------------------------------------------
// Status

function checkStatus(v: unknown, field: string): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && STATUS_STRING.test(v)) n = Number(v);
  else fail(field, `status must be an integer 200–599 (number or numeric string), got ${describe(v)} (AWS rule: generated responses (viewer-request, origin-request))`);
  if (!Number.isInteger(n) || n < 200 || n > 599) fail(field, `status must be an integer 200–599, got ${describe(v)} (AWS rule: generated responses (viewer-request, origin-request))`);
  return n;
}

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? '';
}

function checkStatusDescription(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(field, `statusDescription must be a string, got ${describe(v)}`);
  const chk = checkHeaderValue(v);
  if (typeof chk === 'number') fail(field, `statusDescription has a forbidden control character 0x${chk.toString(16).padStart(2, '0')} (RFC 9112 §4)`);
  return chk === 'wide' ? toWireValue(v) : v;
}

// ---------------------------------------------------------------------------------------------
// Response bodies (generated responses, origin-response / viewer-response replacements)

function checkResponseBody(r: Obj): Buffer | undefined {
  const body = own(r, 'body');
  const enc = own(r, 'bodyEncoding');
  if (enc !== undefined && enc !== 'text' && enc !== 'base64') fail('bodyEncoding', `bodyEncoding must be "text" or "base64", got ${describe(enc)} (AWS rule: generated responses (viewer-request, origin-request))`);
  if (body === undefined) return undefined;
  if (typeof body !== 'string') fail('body', `The body is not a string (got ${describe(body)}) (AWS rule: generated responses (viewer-request, origin-request))`);
  if (enc === 'base64') {
    if (!isStrictBase64(body)) fail('body', 'body is not valid base64 (bodyEncoding "base64", AWS rule: generated responses (viewer-request, origin-request))');
    return Buffer.from(body, 'base64');
  }
  return Buffer.from(body, 'utf8');
}

function checkSize(eventType: RequestEventType | ResponseEventType, headers: CfHeaders, body: Buffer | undefined): void {
  const limit = RESPONSE_SIZE_LIMIT[eventType];
  const size = headerBytes(headers) + (body?.length ?? 0);
  if (size > limit) fail(body === undefined || body.length === 0 ? 'headers' : 'body', `${eventType} response is ${size} bytes (headers + body); the limit is ${limit} (AWS rule: size limits)`);
}

function checkGenerated(eventType: RequestEventType, r: Obj): GeneratedResponse {
  const status = checkStatus(own(r, 'status'), 'status');
  const statusDescription = checkStatusDescription(own(r, 'statusDescription'), 'statusDescription') ?? reasonPhrase(status);
  const h = own(r, 'headers');
  const headers = h === undefined ? {} : checkHeaders(h, 'headers');
  // Spec §2.3: a viewer-request 204 must not have a body field (CloudFront: "No Content response contains body field").
  if (eventType === 'viewer-request' && status === 204 && own(r, 'body') !== undefined) {
    fail('body', 'a viewer-request generated 204 response must not have a body (AWS rule: generated responses (viewer-request, origin-request))');
  }
  const body = checkResponseBody(r) ?? EMPTY;
  checkSize(eventType, headers, body);
  return { status, statusDescription, headers, body };
}

const EMPTY = Buffer.alloc(0);

// ---------------------------------------------------------------------------------------------
// URI and query string

function encodeNonAscii(s: string, field: string): string {
  return percentEncodeNonAscii(s) ?? fail(field, `${field} has an unpaired UTF-16 surrogate`);
}

function checkUri(v: unknown): string {
  if (typeof v !== 'string' || v.charCodeAt(0) !== 47) fail('uri', `uri must be a string starting with "/", got ${describe(v)} (AWS rule: URI and query string)`);
  const bad = badTargetChar(v);
  if (bad !== -1) fail('uri', `uri has a forbidden character ${JSON.stringify(v[bad])} at ${bad}: percent-encode it (AWS rule: URI and query string)`);
  return hasNonAscii(v) ? encodeNonAscii(v, 'uri') : v;
}

function checkQuerystring(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') fail('querystring', `querystring must be a string, got ${describe(v)} (AWS rule: request fields)`);
  const bad = badTargetChar(v);
  if (bad !== -1) fail('querystring', `querystring has a forbidden character ${JSON.stringify(v[bad])} at ${bad}: no spaces, control characters or "#" (AWS rule: URI and query string)`);
  return hasNonAscii(v) ? encodeNonAscii(v, 'querystring') : v;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * Validates what a viewer-request or origin-request function returned. A result with `status`
 * is a generated response (even if it also has `uri`, docs/cloudfront-reference.md §10.8); otherwise it is the request
 * to continue with. `clientIp` and `method` are read-only and always taken from `input`.
 */
export function validateRequestResult(eventType: RequestEventType, input: CfRequest, result: unknown): RequestResult {
  const r = asResultObject(eventType, result);
  if (own(r, 'status') !== undefined) return { kind: 'response', response: checkGenerated(eventType, r) };

  const uri = checkUri(own(r, 'uri'));
  const querystring = checkQuerystring(own(r, 'querystring'));
  const urlLength = uri.length + (querystring === '' ? 0 : querystring.length + 1);
  if (urlLength >= MAX_URL_LENGTH) fail('uri', `uri + querystring is ${urlLength} characters; it must be under ${MAX_URL_LENGTH} (AWS rule: URI and query string)`);

  const headers = checkHeaders(own(r, 'headers'), 'headers', input.headers);
  checkReadOnly(eventType, input.headers, headers);
  // Spec §3.3: CloudFront adds CloudFront-Viewer-Country after viewer-request; a function may not.
  if (eventType === 'viewer-request' && headers['cloudfront-viewer-country'] !== undefined && !Object.hasOwn(input.headers, 'cloudfront-viewer-country')) {
    fail(hf('headers', 'cloudfront-viewer-country'), 'a viewer-request function may not add CloudFront-Viewer-Country (AWS rule: CloudFront-generated request headers in functions)');
  }

  const request: CfRequest = { clientIp: input.clientIp, method: input.method, uri, querystring, headers };
  // Without includeBody the event has no body, and a body the function invents is ignored.
  if (input.body !== undefined) request.body = checkBodyResult(own(r, 'body'), input.body, eventType);
  if (eventType === 'origin-request') request.origin = checkOrigin(own(r, 'origin'), input.origin, headers);
  return { kind: 'request', request };
}

/**
 * Validates what an origin-response or viewer-response function returned. origin-response may
 * change status (200–599), statusDescription, headers and body; viewer-response may change
 * headers and body, and a changed status or statusDescription is ignored (docs/cloudfront-reference.md §2.2, §10.5).
 */
export function validateResponseResult(eventType: ResponseEventType, input: CfResponse, result: unknown): ValidatedResponse {
  const r = asResultObject(eventType, result);
  const inputStatus = Number(input.status);
  let status = inputStatus;
  let statusDescription = input.statusDescription;
  if (eventType === 'origin-response') {
    status = checkStatus(own(r, 'status'), 'status');
    const desc = checkStatusDescription(own(r, 'statusDescription'), 'statusDescription');
    // A status changed while the description was left as the origin's ("200 Not Found") gets the
    // standard reason phrase (decisions: reason phrases are not contractual, docs/cloudfront-reference.md §5.4).
    statusDescription = status === inputStatus ? (desc ?? input.statusDescription) : desc === undefined || desc === input.statusDescription ? reasonPhrase(status) : desc;
  }
  const headers = checkHeaders(own(r, 'headers'), 'headers', input.headers);
  checkReadOnly(eventType, input.headers, headers);
  const body = checkResponseBody(r);
  if (body !== undefined) checkSize(eventType, headers, body);
  if (eventType === 'viewer-response') {
    const asked = own(r, 'status');
    if (asked !== undefined && String(asked) !== String(input.status)) {
      return { status, statusDescription, headers, body, ignoredStatus: typeof asked === 'number' ? asked : String(asked) };
    }
  }
  return { status, statusDescription, headers, body };
}
