// CloudFront's rules for what a CloudFront Function may return, and the write-back of the result into
// the request or response the pipeline carries on with. Every violation throws CffValidationError
// naming the exact field (the viewer gets 502 FunctionValidationError). Sources: CloudFront Developer
// Guide, "CloudFront Functions event structure" (functions-event-structure.html: multiValue rules,
// status code and body, cookie attributes) and "Restrictions on edge functions"
// (edge-functions-restrictions.html: disallowed and read-only headers).

import { STATUS_CODES } from 'node:http';
import {
  checkHeaderValue,
  checkLowerToken,
  defaultHeaderKey,
  HAS_UPPER,
  NOT_TOKEN,
  setOwn,
  toWireValue,
} from '../event/headers.js';
import type { CfHeaderEntry, CfHeaders, CfRequest } from '../event/types.js';
import { isDisallowedHeader, MAX_REQUEST_HEADER_BYTES, MAX_URL_LENGTH, percentEncodeNonAscii } from '../rules/cloudfront.js';
import type { GeneratedResponse, ValidatedResponse } from '../event/validate-result.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './limits.js';
import type { CffRequest, CffResponse, CffSetCookie, CffValue, CffValues } from './types.js';

export class CffValidationError extends Error {
  constructor(
    message: string,
    /** The field at fault, e.g. `headers["x-forwarded-proto"]`. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'CffValidationError';
  }
}

function fail(field: string, message: string): never {
  throw new CffValidationError(message, field);
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const f = (prefix: string, name: string): string => `${prefix}[${JSON.stringify(name)}]`;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

interface ResultOptions {
  /** Largest generated or replacement body, bytes (docs/decisions.md). */
  bodyLimitBytes?: number;
  /** Whether a viewer-response function may change statusCode (default true, current AWS docs). */
  viewerResponseStatusChange?: boolean;
  /** Largest URL + headers of the request a viewer-request function returns (CloudFront's 20,480 bytes). */
  maxRequestBytes?: number;
}

/** Findings that do not fail the request; the pipeline logs them. */
export type Warnings = string[];

/** Read-only headers per event ("Restrictions on edge functions", CloudFront Functions column). */
const READ_ONLY_REQUEST = ['cdn-loop', 'content-length', 'host', 'transfer-encoding', 'via'] as const;
const READ_ONLY_RESPONSE = ['via', 'warning'] as const;
const MAX_URL = MAX_URL_LENGTH;
const MAX_REQUEST_BYTES = MAX_REQUEST_HEADER_BYTES;

// ---------------------------------------------------------------------------------------------
// Value maps (querystring, headers, cookies)

/** The lines one entry stands for after the function ran (the multiValue write-back rules). */
function linesOf(out: unknown, sent: CffValue | undefined, field: string): string[] {
  if (!isObject(out)) fail(field, `${field} must be an object { value: string }, got ${describe(out)}`);
  const value = own(out, 'value');
  const mv = own(out, 'multiValue');
  let outMv: string[] | undefined;
  if (mv !== undefined) {
    if (!Array.isArray(mv)) fail(`${field}.multiValue`, `${field}.multiValue must be an array of { value }, got ${describe(mv)}`);
    outMv = mv.map((e: unknown, i) => {
      const v = isObject(e) ? own(e, 'value') : undefined;
      if (typeof v !== 'string') fail(`${field}.multiValue[${i}].value`, `${field}.multiValue[${i}] must be { value: string }, got ${describe(e)}`);
      return v;
    });
  }
  const sentLines = sent === undefined ? [] : sent.multiValue === undefined ? [sent.value] : sent.multiValue.map((e) => e.value);
  // 1. A changed multiValue wins; value is then ignored.
  if (outMv !== undefined && !sameStrings(outMv, sentLines)) return outMv;
  if (typeof value !== 'string') fail(`${field}.value`, `${field}.value must be a string, got ${describe(value)}`);
  if (sent === undefined) return outMv ?? [value];
  // 2. Otherwise a changed value replaces the first occurrence; later ones stay.
  if (value !== sent.value) return [value, ...sentLines.slice(1)];
  return sentLines;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkMap(v: unknown, field: string): Obj {
  if (v === undefined) return {};
  if (!isObject(v)) fail(field, `${field} must be an object of name → { value }, got ${describe(v)}`);
  return v;
}

function checkLine(v: string, field: string, what: string): string {
  const chk = checkHeaderValue(v);
  if (typeof chk === 'number') fail(field, `${what} has a forbidden control character 0x${chk.toString(16).padStart(2, '0')} (RFC 9110 §5.5)`);
  return chk === 'wide' ? toWireValue(v) : v;
}

/**
 * Headers back into lines. Unchanged headers keep the viewer's lines (and spelling); changed and new
 * ones are spelled the way CloudFront writes them, each hyphenated word capitalised.
 */
function writeHeaders(out: unknown, sent: CffValues, before: CfHeaders, cookieName: 'cookie' | 'set-cookie', warnings: Warnings): CfHeaders {
  const map = checkMap(out, 'headers');
  const result: CfHeaders = {};
  for (const key of Object.keys(map)) {
    let name = key;
    const tok = checkLowerToken(key);
    if (tok === NOT_TOKEN) fail(f('headers', key), `header name ${JSON.stringify(key)} is not a valid HTTP field name (RFC 9110 §5.1)`);
    if (tok === HAS_UPPER) {
      name = key.toLowerCase();
      warnings.push(`headers[${JSON.stringify(key)}]: header names must be lowercase; used as ${JSON.stringify(name)}`);
    }
    if (name === cookieName) {
      fail(f('headers', key), `${cookieName === 'cookie' ? 'Cookie' : 'Set-Cookie'} is not a header in CloudFront Functions: change ${cookieName === 'cookie' ? 'request' : 'response'}.cookies instead`);
    }
    const had = Object.hasOwn(sent, name) ? sent[name] : undefined;
    if (had === undefined && isDisallowedHeader(name)) fail(f('headers', key), `header ${defaultHeaderKey(name)} is disallowed: a function cannot add it`);
    const lines = linesOf(map[key], had, f('headers', key));
    if (lines.length === 0) continue;
    const unchanged = had !== undefined && Object.hasOwn(before, name) && sameStrings(lines, (before[name] ?? []).map((e) => e.value));
    if (unchanged) {
      setOwn(result, name, before[name]!);
      continue;
    }
    const spelled = defaultHeaderKey(name);
    const entries: CfHeaderEntry[] = lines.map((line, i) => ({ key: spelled, value: checkLine(line, f('headers', key) + (lines.length > 1 ? `.multiValue[${i}]` : '.value'), `header ${spelled} value`) }));
    setOwn(result, name, entries);
  }
  return result;
}

function checkReadOnly(names: readonly string[], eventType: string, before: CfHeaders, after: CfHeaders): void {
  for (const name of names) {
    const a = (Object.hasOwn(before, name) ? before[name] : undefined)?.map((e) => e.value) ?? [];
    const b = (Object.hasOwn(after, name) ? after[name] : undefined)?.map((e) => e.value) ?? [];
    if (sameStrings(a, b)) continue;
    const what = a.length === 0 ? 'added' : b.length === 0 ? 'removed' : 'changed';
    fail(f('headers', name), `read-only header ${defaultHeaderKey(name)} was ${what} (${eventType})`);
  }
}

/** Query parameters back into a query string; unchanged → the viewer's own spelling. */
function writeQuerystring(out: unknown, sent: CffValues, raw: string): string {
  // Seen in public functions: assigning the whole query string as a string (e.g. after
  // querystring.stringify) is accepted.
  if (typeof out === 'string') return checkTarget(out.startsWith('?') ? out.slice(1) : out, 'querystring');
  const map = checkMap(out, 'querystring');
  const parts: string[] = [];
  let changed = Object.keys(map).length !== Object.keys(sent).length;
  for (const name of Object.keys(map)) {
    const had = Object.hasOwn(sent, name) ? sent[name] : undefined;
    const lines = linesOf(map[name], had, f('querystring', name));
    if (!changed && (had === undefined || !sameStrings(lines, had.multiValue === undefined ? [had.value] : had.multiValue.map((e) => e.value)))) changed = true;
    for (const v of lines) parts.push(v === '' ? name : `${name}=${v}`);
  }
  if (!changed) return raw;
  return checkTarget(parts.join('&'), 'querystring');
}

/** Characters a request target cannot carry: controls, space, DEL, `#` (RFC 9112 §3.2); non-ASCII is sent percent-encoded UTF-8. */
function checkTarget(s: string, field: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 35) fail(field, `${field} has a forbidden character ${JSON.stringify(s[i])} at ${i}: percent-encode it`);
    if (c > 126) ascii = false;
  }
  if (ascii) return s;
  return percentEncodeNonAscii(s) ?? fail(field, `${field} has an unpaired UTF-16 surrogate`);
}

/** Request cookies back into one Cookie line; unchanged → the viewer's own lines. */
function writeRequestCookies(out: unknown, sent: CffValues, before: CfHeaders, headers: CfHeaders): void {
  const map = checkMap(out, 'cookies');
  const pairs: string[] = [];
  let changed = Object.keys(map).length !== Object.keys(sent).length;
  for (const name of Object.keys(map)) {
    const had = Object.hasOwn(sent, name) ? sent[name] : undefined;
    const lines = linesOf(map[name], had, f('cookies', name));
    if (!changed && (had === undefined || !sameStrings(lines, had.multiValue === undefined ? [had.value] : had.multiValue.map((e) => e.value)))) changed = true;
    for (const v of lines) pairs.push(`${name}=${v}`);
  }
  if (!changed) {
    if (Object.hasOwn(before, 'cookie')) setOwn(headers, 'cookie', before['cookie']!);
    return;
  }
  if (pairs.length > 0) setOwn(headers, 'cookie', [{ key: 'Cookie', value: checkLine(pairs.join('; '), 'cookies', 'the Cookie header') }]);
}

/** Response cookies back into Set-Cookie lines (`name=value; attributes`); unchanged → the origin's lines. */
function writeSetCookies(out: unknown, sent: Record<string, CffSetCookie>, before: CfHeaders, headers: CfHeaders): void {
  const map = checkMap(out, 'cookies');
  const lines: string[] = [];
  let changed = Object.keys(map).length !== Object.keys(sent).length;
  for (const name of Object.keys(map)) {
    const field = f('cookies', name);
    const c = map[name];
    if (!isObject(c)) fail(field, `${field} must be an object { value, attributes? }, got ${describe(c)}`);
    const had = Object.hasOwn(sent, name) ? sent[name] : undefined;
    const items = setCookieItems(c, had, field);
    if (!changed && (had === undefined || JSON.stringify(items) !== JSON.stringify(setCookieItems(had as unknown as Obj, had, field)))) changed = true;
    for (const it of items) lines.push(it.attributes === undefined || it.attributes === '' ? `${name}=${it.value}` : `${name}=${it.value}; ${it.attributes}`);
  }
  if (!changed) {
    if (Object.hasOwn(before, 'set-cookie')) setOwn(headers, 'set-cookie', before['set-cookie']!);
    return;
  }
  if (lines.length > 0) setOwn(headers, 'set-cookie', lines.map((l, i) => ({ key: 'Set-Cookie', value: checkLine(l, `cookies.set-cookie[${i}]`, 'a Set-Cookie line') })));
}

function setCookieItems(c: Obj, had: CffSetCookie | undefined, field: string): Array<{ value: string; attributes?: string }> {
  const mv = own(c, 'multiValue');
  const sentItems = had === undefined ? [] : had.multiValue ?? [{ value: had.value, ...(had.attributes === undefined ? {} : { attributes: had.attributes }) }];
  const item = (e: unknown, where: string): { value: string; attributes?: string } => {
    if (!isObject(e)) fail(where, `${where} must be { value, attributes? }, got ${describe(e)}`);
    const value = own(e, 'value');
    if (typeof value !== 'string') fail(`${where}.value`, `${where}.value must be a string, got ${describe(value)}`);
    const attributes = own(e, 'attributes');
    if (attributes !== undefined && typeof attributes !== 'string') fail(`${where}.attributes`, `${where}.attributes must be a string, got ${describe(attributes)}`);
    return attributes === undefined ? { value } : { value, attributes };
  };
  if (mv !== undefined) {
    if (!Array.isArray(mv)) fail(`${field}.multiValue`, `${field}.multiValue must be an array, got ${describe(mv)}`);
    const items = mv.map((e: unknown, i) => item(e, `${field}.multiValue[${i}]`));
    if (JSON.stringify(items) !== JSON.stringify(sentItems)) return items;
  }
  const first = item(c, field);
  if (had === undefined) return [first];
  return [first, ...sentItems.slice(1)];
}

function headerBytes(h: CfHeaders): number {
  let n = 0;
  for (const name in h) for (const e of h[name]!) n += (e.key ?? name).length + e.value.length + 4;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Status and body

function checkStatusCode(v: unknown, field: string): number {
  // "This value is an integer, not a string" (Response object).
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, `statusCode must be an integer (a number, not a string), got ${describe(v)}`);
  if (v < 200 || v > 599) fail(field, `statusCode must be 200–599, got ${v}`);
  return v;
}

function checkStatusDescription(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail('statusDescription', `statusDescription must be a string, got ${describe(v)}`);
  return checkLine(v, 'statusDescription', 'statusDescription');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `body`: a string (text) or { data, encoding: 'text' | 'base64' } ("Response object"). */
function checkBody(v: unknown, limit: number): Buffer | undefined {
  if (v === undefined) return undefined;
  let buf: Buffer;
  if (typeof v === 'string') buf = Buffer.from(v, 'utf8');
  else if (isObject(v)) {
    const data = own(v, 'data');
    const encoding = own(v, 'encoding') ?? 'text';
    if (typeof data !== 'string') fail('body.data', `body.data must be a string, got ${describe(data)}`);
    if (encoding === 'text') buf = Buffer.from(data, 'utf8');
    else if (encoding === 'base64') {
      // "If you specify encoding as base64 but the body is not valid base64, CloudFront returns an error."
      if (data.length % 4 !== 0 || !BASE64.test(data)) fail('body.data', 'body.data is not valid base64 (encoding "base64")');
      buf = Buffer.from(data, 'base64');
    } else fail('body.encoding', `body.encoding must be "text" or "base64", got ${describe(encoding)}`);
  } else fail('body', `body must be a string or { data, encoding }, got ${describe(v)}`);
  if (buf.length > limit) fail('body', `the body is ${buf.length} bytes; edgeproxy's limit for a function's body is ${limit} bytes`);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Entry points

type CffRequestResult =
  | { kind: 'request'; request: CfRequest; warnings: Warnings }
  | { kind: 'response'; response: GeneratedResponse; warnings: Warnings };

/**
 * A viewer-request function's result: the request to continue with, or a response to send now (an
 * object with `statusCode`). `before` is the pipeline's request the event was built from, `sent` the
 * event's request as the function got it.
 */
export function applyRequestResult(before: CfRequest, sent: CffRequest, result: unknown, opts: ResultOptions = {}): CffRequestResult {
  const warnings: Warnings = [];
  if (!isObject(result)) fail('result', `the function must return the request (event.request) or a response object, got ${describe(result)}`);
  if (own(result, 'statusCode') !== undefined) return { kind: 'response', response: generated(result, opts, warnings), warnings };

  const method = own(result, 'method');
  // "This is the only read-only field in the request object."
  if (method !== undefined && method !== before.method) fail('method', `method is read-only: the request's method is ${before.method}, the function returned ${describe(method)}`);
  const uriIn = own(result, 'uri');
  if (typeof uriIn !== 'string' || uriIn.charCodeAt(0) !== 47) fail('uri', `uri must be a string starting with "/", got ${describe(uriIn)}`);
  const uri = checkTarget(uriIn, 'uri');
  const querystring = writeQuerystring(own(result, 'querystring'), sent.querystring, before.querystring);
  const url = uri.length + (querystring === '' ? 0 : querystring.length + 1);
  if (url > MAX_URL) fail('uri', `the URL (uri + querystring) is ${url} bytes; CloudFront's limit is ${MAX_URL}`);

  const headers = writeHeaders(own(result, 'headers'), sent.headers, before.headers, 'cookie', warnings);
  writeRequestCookies(own(result, 'cookies'), sent.cookies, before.headers, headers);
  checkReadOnly(READ_ONLY_REQUEST, 'viewer-request', before.headers, headers);
  const max = opts.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const size = url + headerBytes(headers);
  if (size > max) fail('headers', `the request the function returned is ${size} bytes (URL + headers); CloudFront's limit is ${max}`);
  return { kind: 'request', request: { clientIp: before.clientIp, method: before.method, uri, querystring, headers }, warnings };
}

function generated(r: Obj, opts: ResultOptions, warnings: Warnings): GeneratedResponse {
  const status = checkStatusCode(own(r, 'statusCode'), 'statusCode');
  const statusDescription = checkStatusDescription(own(r, 'statusDescription')) ?? STATUS_CODES[status] ?? '';
  const headers = writeHeaders(own(r, 'headers'), {}, {}, 'set-cookie', warnings);
  writeSetCookies(own(r, 'cookies'), {}, {}, headers);
  const body = checkBody(own(r, 'body'), opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES) ?? Buffer.alloc(0);
  return { status, statusDescription, headers, body };
}

/**
 * A viewer-response function's result: the response to deliver. Status changes are allowed (current
 * AWS docs; `viewerResponseStatusChange: false` ignores them); omitting `body` keeps the original one.
 */
export function applyResponseResult(
  before: { status: number; statusDescription: string; headers: CfHeaders },
  sent: CffResponse,
  result: unknown,
  opts: ResultOptions = {},
): ValidatedResponse & { warnings: Warnings } {
  const warnings: Warnings = [];
  if (!isObject(result)) fail('result', `the function must return the response (event.response), got ${describe(result)}`);
  let status = before.status;
  let statusDescription = before.statusDescription;
  const sc = own(result, 'statusCode');
  if (sc !== undefined && sc !== before.status) {
    const n = checkStatusCode(sc, 'statusCode');
    if (opts.viewerResponseStatusChange === false) warnings.push(`statusCode ${n} ignored: cff.viewerResponseStatusChange is off`);
    else {
      status = n;
      statusDescription = STATUS_CODES[n] ?? '';
    }
  }
  const desc = checkStatusDescription(own(result, 'statusDescription'));
  if (desc !== undefined && desc !== sent.statusDescription) statusDescription = desc;
  const headers = writeHeaders(own(result, 'headers'), sent.headers, before.headers, 'set-cookie', warnings);
  writeSetCookies(own(result, 'cookies'), sent.cookies, before.headers, headers);
  checkReadOnly(READ_ONLY_RESPONSE, 'viewer-response', before.headers, headers);
  const body = checkBody(own(result, 'body'), opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES);
  return { status, statusDescription, headers, body, warnings };
}
