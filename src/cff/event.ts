// The viewer's request and the response as a CloudFront Functions event ("CloudFront Functions event
// structure", functions-event-structure.html): lowercase header names, one `{ value }` per name with
// `multiValue` when it repeats, cookies and query parameters as their own objects, no Cookie or
// Set-Cookie among the headers. Values stay as the viewer sent them: query strings are not decoded.

import { setOwn } from '../event/headers.js';
import type { CfHeaders, CfRequest, CfResponse } from '../event/types.js';
import type { CffContext, CffEvent, CffRequest, CffResponse, CffSetCookie, CffValue, CffValues } from './types.js';

function addValue(into: CffValues, name: string, value: string): void {
  const had = Object.hasOwn(into, name) ? into[name] : undefined;
  if (had === undefined) {
    setOwn(into, name, { value });
    return;
  }
  // A repeated name: multiValue holds every occurrence in order, value stays the first.
  if (had.multiValue === undefined) had.multiValue = [{ value: had.value }];
  had.multiValue.push({ value });
}

/**
 * `a=1&b=&c&a=2` → { a: {value:'1', multiValue:[…]}, b: {value:''}, c: {value:''} }. Names and values
 * stay percent-encoded as sent; empty segments (`a=1&&b=2`) are not parameters.
 */
export function parseQuerystring(raw: string): CffValues {
  const out: CffValues = {};
  if (raw === '') return out;
  let at = 0;
  while (at <= raw.length) {
    let end = raw.indexOf('&', at);
    if (end < 0) end = raw.length;
    if (end > at) {
      const eq = raw.indexOf('=', at);
      if (eq < 0 || eq > end) addValue(out, raw.slice(at, end), '');
      else addValue(out, raw.slice(at, eq), raw.slice(eq + 1, end));
    }
    at = end + 1;
  }
  return out;
}

/** Every `Cookie` header line's `name=value` pairs, in order. */
export function parseCookies(lines: readonly string[]): CffValues {
  const out: CffValues = {};
  for (const line of lines) {
    for (const part of line.split(';')) {
      const p = part.trim();
      if (p === '') continue;
      const eq = p.indexOf('=');
      if (eq < 0) addValue(out, p, '');
      else addValue(out, p.slice(0, eq).trim(), p.slice(eq + 1).trim());
    }
  }
  return out;
}

/** Every `Set-Cookie` line as { value, attributes } by cookie name ("Cookie attributes"). */
export function parseSetCookies(lines: readonly string[]): Record<string, CffSetCookie> {
  const out: Record<string, CffSetCookie> = {};
  for (const line of lines) {
    const semi = line.indexOf(';');
    const pair = semi < 0 ? line : line.slice(0, semi);
    const attributes = semi < 0 ? '' : line.slice(semi + 1).trim();
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (name === '') continue;
    const one: { value: string; attributes?: string } = attributes === '' ? { value } : { value, attributes };
    const had = Object.hasOwn(out, name) ? out[name] : undefined;
    if (had === undefined) {
      setOwn<CffSetCookie>(out, name, { ...one });
      continue;
    }
    if (had.multiValue === undefined) had.multiValue = [had.attributes === undefined ? { value: had.value } : { value: had.value, attributes: had.attributes }];
    had.multiValue.push(one);
  }
  return out;
}

/** Headers as CloudFront Functions shows them, leaving out `skip` (cookie / set-cookie). */
function toCffHeaders(h: CfHeaders, skip: string): CffValues {
  const out: CffValues = {};
  for (const name in h) {
    if (name === skip) continue;
    const list = h[name];
    if (list === undefined || list.length === 0) continue;
    const first: CffValue = { value: list[0]!.value };
    if (list.length > 1) {
      const mv = new Array<{ value: string }>(list.length);
      for (let i = 0; i < list.length; i++) mv[i] = { value: list[i]!.value };
      first.multiValue = mv;
    }
    setOwn(out, name, first);
  }
  return out;
}

function headerLines(h: CfHeaders, name: string): string[] {
  const list = Object.hasOwn(h, name) ? h[name] : undefined;
  return list === undefined ? [] : list.map((e) => e.value);
}

export function toCffRequest(r: CfRequest): CffRequest {
  return {
    method: r.method,
    uri: r.uri,
    querystring: parseQuerystring(r.querystring),
    headers: toCffHeaders(r.headers, 'cookie'),
    cookies: parseCookies(headerLines(r.headers, 'cookie')),
  };
}

export function toCffResponse(r: Pick<CfResponse, 'status' | 'statusDescription' | 'headers'>): CffResponse {
  return {
    statusCode: Number(r.status),
    statusDescription: r.statusDescription,
    headers: toCffHeaders(r.headers, 'set-cookie'),
    cookies: parseSetCookies(headerLines(r.headers, 'set-cookie')),
  };
}

/**
 * The whole event. `context` omits nothing: a standard distribution has distributionDomainName
 * ("Context object"); requestId is the X-Amz-Cf-Id the rest of the request carries.
 */
export function buildCffEvent(context: CffContext, viewerIp: string, request: CffRequest, response?: CffResponse): CffEvent {
  const e: CffEvent = { version: '1.0', context, viewer: { ip: viewerIp }, request };
  if (response !== undefined) e.response = response;
  return e;
}
