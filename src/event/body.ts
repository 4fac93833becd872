// request.body for includeBody associations (docs/cloudfront-reference.md §1.5, §3.6). Sizes use binary units
// (1 KB = 1024 bytes), as AWS's Lambda quotas do (6 MB payload = 6,291,456 bytes);
// see docs/decisions.md.

import { EdgeError } from '../rules/errors.js';
import type { CfBody } from './types.js';

type BodyEventType = 'viewer-request' | 'origin-request';

const KiB = 1024;
const MiB = 1024 * 1024;

/** Spec §1.5 / §3.6: how much of the body a function sees. */
const EXPOSED_BODY_LIMIT: Readonly<Record<BodyEventType, number>> = {
  'viewer-request': 40 * KiB,
  'origin-request': 1 * MiB,
};
/** Spec §3.6: largest replacement body, `encoding: text` (UTF-8 bytes). */
const TEXT_BODY_LIMIT: Readonly<Record<BodyEventType, number>> = {
  'viewer-request': 40 * KiB,
  'origin-request': 1 * MiB,
};
/** Spec §3.6: largest replacement body, `encoding: base64` (characters of the base64 text). */
export const BASE64_BODY_LIMIT: Readonly<Record<BodyEventType, number>> = {
  'viewer-request': Math.floor(53.2 * KiB),
  'origin-request': Math.floor(1.33 * MiB),
};

/**
 * The body object a function sees: always base64 and read-only (docs/cloudfront-reference.md §1.5), truncated at the
 * event's limit. A request without a body gets `data: ""` (docs/cloudfront-reference.md §10.13).
 */
export function makeRequestBody(raw: Buffer, eventType: BodyEventType): CfBody {
  const limit = EXPOSED_BODY_LIMIT[eventType];
  const truncated = raw.length > limit;
  return {
    inputTruncated: truncated,
    action: 'read-only',
    encoding: 'base64',
    data: (truncated ? raw.subarray(0, limit) : raw).toString('base64'),
  };
}

/** Strict RFC 4648 §4 base64: padded, standard alphabet, no whitespace. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isStrictBase64(s: string): boolean {
  return s.length % 4 === 0 && BASE64.test(s);
}

/**
 * Body objects validateRequestResult already checked, so applyBodyResult does not run the
 * base64 check on up to 1.33 MB twice.
 */
const checked = new WeakSet<object>();

function fail(field: string, message: string): never {
  throw new EdgeError('LambdaValidationError', message, { field });
}

/**
 * Validates a function's `body` result (shape, encoding, size; docs/cloudfront-reference.md §1.5, §3.6) against the body
 * the function was given, and returns a fresh normalized body: `read-only` (edits to
 * `encoding`/`data` ignored, docs/cloudfront-reference.md §1.5) or `replace` with a checked `data`. `inputTruncated`
 * is read-only and always comes from `input`. `field` prefixes error paths.
 */
export function checkBodyResult(result: unknown, input: CfBody, eventType: BodyEventType, field = 'body'): CfBody {
  if (result === undefined || result === null) return readOnly(input);
  if (typeof result !== 'object' || Array.isArray(result)) fail(field, `body must be an object { action, encoding, data }, got ${describe(result)} (AWS rule: request.body (includeBody))`);
  const b = result as Record<string, unknown>;
  const action = b.action;
  if (action === undefined || action === 'read-only') return readOnly(input);
  if (action !== 'replace') fail(`${field}.action`, `body.action must be "read-only" or "replace", got ${describe(action)}`);
  const encoding = b.encoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'text') fail(`${field}.encoding`, `body.encoding must be "base64" or "text", got ${describe(encoding)}`);
  const data = b.data;
  if (typeof data !== 'string') fail(`${field}.data`, `body.data must be a string, got ${describe(data)}`);
  if (encoding === 'text') {
    const limit = TEXT_BODY_LIMIT[eventType];
    const size = Buffer.byteLength(data, 'utf8');
    if (size > limit) fail(`${field}.data`, `replacement body is ${size} bytes; the ${eventType} limit for text is ${limit} (AWS rule: size limits)`);
  } else {
    const limit = BASE64_BODY_LIMIT[eventType];
    if (data.length > limit) fail(`${field}.data`, `replacement body is ${data.length} base64 characters; the ${eventType} limit is ${limit} (AWS rule: size limits)`);
    if (!isStrictBase64(data)) fail(`${field}.data`, 'body.data is not valid base64 (encoding "base64", AWS rule: request.body (includeBody))');
  }
  const out: CfBody = { inputTruncated: input.inputTruncated, action: 'replace', encoding, data };
  checked.add(out);
  return out;
}

function readOnly(input: CfBody): CfBody {
  return { inputTruncated: input.inputTruncated, action: 'read-only', encoding: input.encoding, data: input.data };
}

/**
 * The body to send on after a request function ran: `read-only` (or no body object) → the full
 * original, even when the function saw a truncated copy (docs/cloudfront-reference.md §1.5); `replace` → the decoded
 * `data`. Throws EdgeError LambdaValidationError (field `body.*`) on a bad body. Bodies that came
 * out of validateRequestResult are not checked twice.
 */
export function applyBodyResult(original: Buffer, result: CfBody | undefined, eventType: BodyEventType): Buffer {
  if (result === undefined) return original;
  const body = checked.has(result) ? result : checkBodyResult(result, NO_INPUT, eventType);
  if (body.action !== 'replace') return original;
  return Buffer.from(body.data, body.encoding === 'text' ? 'utf8' : 'base64');
}

const NO_INPUT: CfBody = { inputTruncated: false, action: 'read-only', encoding: 'base64', data: '' };

export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
