// The structured diff between what a function received and what it returned (docs/inspector.md):
// uri, querystring, method, status and reason phrase, each header added / removed / changed, cookies
// (CloudFront Functions), and whether the body was replaced. Works on both event shapes — Lambda@Edge's
// `Records[0].cf` with `{ key, value }` header lists (docs/cloudfront-reference.md §1.2) and CloudFront
// Functions' `{ value, multiValue }` objects (docs/cloudfront-reference.md §21) — so the page needs one
// renderer. Pure: plain JSON in, plain JSON out.

import type { FieldChange, FunctionDiff, HeaderChange } from './record.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** lowercase name → values, from either header shape. */
export function headerValues(h: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!isObject(h)) return out;
  for (const [name, v] of Object.entries(h)) {
    const lower = name.toLowerCase();
    const values: string[] = [];
    if (Array.isArray(v)) {
      // Lambda@Edge: [{ key, value }].
      for (const e of v) if (isObject(e) && typeof e.value === 'string') values.push(e.value);
    } else if (isObject(v)) {
      // CloudFront Functions: { value, multiValue: [{ value }] }; multiValue repeats value as its first.
      if (Array.isArray(v.multiValue)) {
        for (const e of v.multiValue) if (isObject(e) && typeof e.value === 'string') values.push(e.value);
      } else if (typeof v.value === 'string') values.push(v.value);
      else if (v.value !== undefined) values.push(String(v.value));
    } else if (typeof v === 'string') values.push(v);
    const had = out.get(lower);
    if (had === undefined) out.set(lower, values);
    else had.push(...values);
  }
  return out;
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function diffHeaders(before: unknown, after: unknown): HeaderChange[] {
  const a = headerValues(before);
  const b = headerValues(after);
  const out: HeaderChange[] = [];
  for (const [name, was] of a) {
    const now = b.get(name);
    if (now === undefined) out.push({ name, kind: 'removed', before: was });
    else if (!sameValues(was, now)) out.push({ name, kind: 'changed', before: was, after: now });
  }
  for (const [name, now] of b) if (!a.has(name)) out.push({ name, kind: 'added', after: now });
  return out;
}

/** A querystring as text: Lambda@Edge's string, or CloudFront Functions' object as canonical JSON. */
function queryText(q: unknown): string | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'string') return q;
  return JSON.stringify(q);
}

function scalar(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
}

function field(out: FieldChange[], name: string, before: unknown, after: unknown, text: (v: unknown) => string | undefined = scalar): void {
  // A field the result leaves out keeps the event's value (docs/cloudfront-reference.md §2.2): not a change.
  if (after === undefined) return;
  const b = text(before);
  const a = text(after);
  if (a !== b) out.push({ field: name, before: b, after: a });
}

function bodyData(b: unknown): string | undefined {
  if (b === undefined || b === null) return undefined;
  if (typeof b === 'string') return b;
  if (isObject(b)) return typeof b.data === 'string' ? `${String(b.encoding ?? '')}:${b.data}` : undefined;
  return undefined;
}

/** The request or response object the function received, from either event shape. */
function eventObjects(event: unknown): { request: unknown; response: unknown } {
  if (!isObject(event)) return { request: undefined, response: undefined };
  const records = event.Records;
  if (Array.isArray(records)) {
    const cf = isObject(records[0]) ? records[0].cf : undefined;
    if (isObject(cf)) return { request: cf.request, response: cf.response };
  }
  return { request: event.request, response: event.response };
}

/**
 * What `result` changed of the object `event` gave the function at `trigger`. A request trigger whose
 * result carries a status generated a response: everything in it is new.
 */
export function diffResult(trigger: string, event: unknown, result: unknown): FunctionDiff | undefined {
  if (!isObject(result)) return undefined;
  const { request, response } = eventObjects(event);
  const fields: FieldChange[] = [];
  const requestTrigger = trigger === 'viewer-request' || trigger === 'origin-request';
  if (requestTrigger && result.status !== undefined) {
    field(fields, 'status', undefined, result.status);
    field(fields, 'statusDescription', undefined, result.statusDescription);
    return {
      kind: 'generated',
      fields,
      headers: diffHeaders(undefined, result.headers),
      cookies: diffHeaders(undefined, result.cookies),
      bodyReplaced: result.body !== undefined,
    };
  }
  if (requestTrigger) {
    const before = isObject(request) ? request : {};
    field(fields, 'method', before.method, result.method);
    field(fields, 'uri', before.uri, result.uri);
    field(fields, 'querystring', before.querystring, result.querystring, queryText);
    if (result.origin !== undefined) field(fields, 'origin', before.origin, result.origin);
    const body = isObject(result.body) ? result.body : undefined;
    const bodyReplaced = body !== undefined && (body.action === 'replace' || (body.action === undefined && bodyData(body) !== bodyData(before.body)));
    return {
      kind: 'request',
      fields,
      headers: result.headers === undefined ? [] : diffHeaders(before.headers, result.headers),
      cookies: result.cookies === undefined ? [] : diffHeaders(before.cookies, result.cookies),
      bodyReplaced,
    };
  }
  const before = isObject(response) ? response : {};
  field(fields, 'status', before.status, result.status, (v) => (v === undefined ? undefined : String(v)));
  field(fields, 'statusDescription', before.statusDescription, result.statusDescription);
  return {
    kind: 'response',
    fields,
    headers: result.headers === undefined ? [] : diffHeaders(before.headers, result.headers),
    cookies: result.cookies === undefined ? [] : diffHeaders(before.cookies, result.cookies),
    bodyReplaced: result.body !== undefined,
  };
}
