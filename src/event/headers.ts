// Header conversion between the wire (Node/undici raw header arrays) and CloudFront's event shape
// (docs/cloudfront-reference.md §1.2), plus the header tables every other event module shares. Runs on every request:
// no per-call regexes, lookups are Sets and a char table built once at module load.

import { isDisallowedHeader, TCHAR } from '../rules/cloudfront.js';
import type { CfHeaderEntry, CfHeaders } from './types.js';

/**
 * One raw header item: Node's `req.rawHeaders` gives strings; undici's `onHeaders` gives Buffers.
 * Buffers are decoded as latin1 because HTTP field bytes map 1:1 onto latin1 code units
 * (RFC 9110 §5.5 obs-text), which is also how Node's own parser builds `rawHeaders`.
 */
type RawHeaderItem = string | Uint8Array;

const COLON = 58;

/** Assigns even when `name` is `__proto__`, a legal token that plain assignment would swallow. */
export function setOwn<T>(obj: Record<string, T>, name: string, value: NoInfer<T>): void {
  if (name === '__proto__') Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
  else obj[name] = value;
}

function itemToString(item: RawHeaderItem): string {
  return typeof item === 'string' ? item : Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('latin1');
}

/**
 * `[name, value, name, value, …]` → CloudFront headers: lowercase map key, `key` keeps the sent
 * spelling, one entry per header line, values untouched (docs/cloudfront-reference.md §1.2).
 * HTTP/2 pseudo-headers are not headers and are dropped, except that `:authority` becomes
 * `host` when the request has no Host line, as CloudFront shows HTTP/2 requests with a Host.
 * Names `skip` answers true for (given lowercase) are left out.
 */
export function rawToCfHeaders(raw: readonly RawHeaderItem[], skip?: (lower: string) => boolean): CfHeaders {
  const h: CfHeaders = {};
  let authority: string | undefined;
  const n = raw.length - 1;
  for (let i = 0; i < n; i += 2) {
    const name = itemToString(raw[i]!);
    const value = itemToString(raw[i + 1]!);
    if (name.charCodeAt(0) === COLON) {
      if (name === ':authority') authority = value;
      continue;
    }
    const lower = name.toLowerCase();
    // Skipped while converting rather than deleted after: `delete` makes the object slow for every later use.
    if (skip !== undefined && skip(lower)) continue;
    // hasOwn: a header named `constructor` or `toString` must not find Object.prototype's.
    const list = Object.hasOwn(h, lower) ? h[lower] : undefined;
    if (list !== undefined) list.push({ key: name, value });
    else setOwn(h, lower, [{ key: name, value }]);
  }
  if (authority !== undefined && h.host === undefined) h.host = [{ key: 'host', value: authority }];
  return h;
}

/** Headers a viewer sends to inject CloudFront-* values (docs/cloudfront-reference.md §7); never shown to functions. */
export const OVERRIDE_PREFIX = 'x-edgeproxy-';

export function isOverrideHeader(lower: string): boolean {
  // Cheap gate before startsWith: 'x' then '-' then 'e'.
  return lower.charCodeAt(0) === 120 && lower.charCodeAt(2) === 101 && lower.startsWith(OVERRIDE_PREFIX);
}

function hiddenFromFunctions(lower: string): boolean {
  return isDisallowedHeader(lower) || isOverrideHeader(lower);
}

/**
 * The viewer's raw header lines as the viewer-request event shows them: disallowed ones are never
 * present (docs/cloudfront-reference.md §3.1), nor any `x-edgeproxy-*` header. The proxy converts
 * them for itself and the function's worker converts the same lines for the event (event/build.ts).
 */
export function viewerEventHeaders(raw: readonly RawHeaderItem[]): CfHeaders {
  return rawToCfHeaders(raw, hiddenFromFunctions);
}

/**
 * The first value of a header in a raw `[name, value, …]` list (`lower` in lowercase), without
 * building Node's lazy `req.headers` object: the hot path needs one or two headers of it.
 */
export function rawHeaderValue(raw: readonly string[], lower: string): string | undefined {
  const n = lower.length;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === n && name.toLowerCase() === lower) return raw[i + 1];
  }
  return undefined;
}

/** CloudFront headers → flat `[name, value, …]` for `res.writeHead(status, raw)` or undici. */
export function cfHeadersToRaw(h: CfHeaders): string[] {
  const out: string[] = [];
  for (const lower in h) {
    const list = h[lower];
    if (list === undefined) continue;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      out.push(e.key ?? defaultHeaderKey(lower), e.value);
    }
  }
  return out;
}

const KEY_CACHE_MAX = 1024;
const keyCache = new Map<string, string>();

/**
 * The spelling Lambda@Edge gives a header whose `key` a function left out: each hyphen-separated
 * part capitalised, the rest lowercase (docs/cloudfront-reference.md §1.2: `x-foo-bar` → `X-Foo-Bar`). Acronyms follow the
 * same rule (`X-Xss-Protection`, docs/cloudfront-reference.md §10.18 — see docs/decisions.md).
 * Cached because it runs per header; the cache is cleared when full so it stays bounded.
 */
export function defaultHeaderKey(lower: string): string {
  const hit = keyCache.get(lower);
  if (hit !== undefined) return hit;
  let out = '';
  let upper = true;
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!;
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(lower, out);
  return out;
}

/** Fills every missing `key` in place (docs/cloudfront-reference.md §1.2). */
export function fillKeys(h: CfHeaders): void {
  for (const lower in h) {
    const list = h[lower];
    if (list === undefined) continue;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.key === undefined) e.key = defaultHeaderKey(lower);
    }
  }
}

/** Value of the first line of a header, or undefined. */
export function getHeader(h: CfHeaders, lower: string): string | undefined {
  return Object.hasOwn(h, lower) ? h[lower]?.[0]?.value : undefined;
}

/** All values of a header, one per line. */
export function getHeaderValues(h: CfHeaders, lower: string): string[] {
  const list = Object.hasOwn(h, lower) ? h[lower] : undefined;
  if (list === undefined) return [];
  const out: string[] = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i]!.value;
  return out;
}

/** Replaces every line of a header with one line. */
export function setHeader(h: CfHeaders, lower: string, key: string, value: string): void {
  setOwn<CfHeaderEntry[]>(h, lower, [{ key, value }]);
}

/** Appends one line to a header. */
export function appendHeader(h: CfHeaders, lower: string, key: string, value: string): void {
  const list = Object.hasOwn(h, lower) ? h[lower] : undefined;
  if (list !== undefined) list.push({ key, value });
  else setOwn<CfHeaderEntry[]>(h, lower, [{ key, value }]);
}

export function deleteHeader(h: CfHeaders, lower: string): void {
  delete h[lower];
}

// ---------------------------------------------------------------------------------------------
// Header-name checks shared by origin-request.ts and validate-result.ts (the rules themselves are
// in rules/cloudfront.ts)

/** RFC 9110 token verdicts for a header map key: 0 = a lowercase token. */
export const NOT_TOKEN = 1;
export const HAS_UPPER = 2;

/** 0 when `name` is a lowercase RFC 9110 token, else why not; one pass, no lowercased copy. */
export function checkLowerToken(name: string): 0 | typeof NOT_TOKEN | typeof HAS_UPPER {
  if (name.length === 0) return NOT_TOKEN;
  let upper = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return NOT_TOKEN;
    if (c <= 90 && c >= 65) upper = true;
  }
  return upper ? HAS_UPPER : 0;
}

/**
 * True when `key` is the lowercase token `lower` in any ASCII letter case (a header entry's `key` against
 * its map key). Compared code by code rather than by `toLowerCase()`: no copy per entry, and no
 * Unicode folding (the Kelvin sign U+212A lowercases to `k` but is not a token character).
 */
export function sameTokenIgnoringCase(key: string, lower: string): boolean {
  if (key.length !== lower.length) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const l = lower.charCodeAt(i);
    if (c !== l && !(c <= 90 && c >= 65 && c + 32 === l)) return false;
  }
  return true;
}

/** A field value of HTAB, visible ASCII, space and obs-text only: the plain case of checkHeaderValue. */
const PLAIN_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Checks a field value (RFC 9110 §5.5): 'ok'; 'wide' when it is legal but has characters above
 * U+00FF that HTTP/1.1 cannot carry as-is; or the offending char code when it has CR, LF, NUL or
 * another control char (HTAB allowed).
 */
export function checkHeaderValue(value: string): 'ok' | 'wide' | number {
  // The common case, a plain latin1 value, by one native regex scan: ~3× faster than the loop below on
  // a browser's long values (User-Agent, Accept); short ones are quicker in the loop.
  if (value.length > 16 && PLAIN_VALUE.test(value)) return 'ok';
  let wide = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32) {
      if (c !== 9) return c;
    } else if (c === 127) return c;
    else if (c > 255) wide = true;
  }
  return wide ? 'wide' : 'ok';
}

/** A value with chars above U+00FF as the latin1 view of its UTF-8 bytes: what goes on the wire. */
export function toWireValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** A header value from any text: printable ASCII kept, the rest percent-encoded (RFC 9110 §5.5), at most 2 KiB. */
export function headerSafe(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    out += c >= 0x20 && c <= 0x7e ? ch : c === 0x0a || c === 0x09 ? ' ' : encodeURIComponent(ch);
    if (out.length >= 2048) return `${out.slice(0, 2045)}...`;
  }
  return out;
}
