// What a function changed: its event's request or response against the one it returned, field by
// field. Header lines are compared by value (CloudFront sends the key's spelling as given, but a
// changed spelling is not a change a test asserts on).

import type { CfHeaders } from '../event/types.js';
import type { DiffEntry } from './types.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function values(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const e of list) if (isObject(e) && typeof e.value === 'string') out.push(e.value);
  return out;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function diffHeaders(before: CfHeaders, after: unknown, base = 'headers'): DiffEntry[] {
  const field = (name: string): string => `${base}[${JSON.stringify(name)}]`;
  const out: DiffEntry[] = [];
  const a: Obj = isObject(after) ? after : {};
  for (const name of Object.keys(before)) {
    const b = values(before[name]);
    const now = Object.hasOwn(a, name) ? values(a[name]) : [];
    if (b.length === 0 && now.length === 0) continue;
    if (now.length === 0) out.push({ op: 'removed', field: field(name), before: b });
    else if (b.length === 0) out.push({ op: 'added', field: field(name), after: now });
    else if (!same(b, now)) out.push({ op: 'changed', field: field(name), before: b, after: now });
  }
  for (const name of Object.keys(a)) {
    if (Object.hasOwn(before, name)) continue;
    const now = values(a[name]);
    if (now.length > 0) out.push({ op: 'added', field: field(name), after: now });
  }
  return out;
}

function scalar(v: unknown): string | number | undefined {
  return typeof v === 'string' || typeof v === 'number' ? v : v === undefined || v === null ? undefined : JSON.stringify(v);
}

function diffScalar(out: DiffEntry[], name: string, before: unknown, after: unknown): void {
  const b = scalar(before);
  const a = scalar(after);
  if (b === a || (b !== undefined && a !== undefined && String(b) === String(a))) return;
  if (a === undefined) out.push({ op: 'removed', field: name, before: b as string | number });
  else if (b === undefined) out.push({ op: 'added', field: name, after: a });
  else out.push({ op: 'changed', field: name, before: b, after: a });
}

/** The request a request trigger passed on against the event's (uri, querystring, headers, body, origin). */
export function diffRequest(before: Obj, after: unknown): DiffEntry[] {
  const a: Obj = isObject(after) ? after : {};
  const out: DiffEntry[] = [];
  diffScalar(out, 'uri', before.uri, a.uri);
  diffScalar(out, 'querystring', before.querystring ?? '', a.querystring ?? '');
  out.push(...diffHeaders(isObject(before.headers) ? (before.headers as CfHeaders) : {}, a.headers));
  const bb = isObject(before.body) ? before.body : undefined;
  const ab = isObject(a.body) ? a.body : undefined;
  if (ab !== undefined && ab.action === 'replace') out.push({ op: 'changed', field: 'body', before: scalar(bb?.data) ?? '', after: `${String(ab.encoding ?? 'base64')}:${String(ab.data ?? '')}` });
  diffOrigin(out, isObject(before.origin) ? before.origin : {}, isObject(a.origin) ? a.origin : {});
  return out;
}

function diffOrigin(out: DiffEntry[], before: Obj, after: Obj): void {
  for (const kind of ['custom', 's3'] as const) {
    const b = isObject(before[kind]) ? (before[kind] as Obj) : undefined;
    const a = isObject(after[kind]) ? (after[kind] as Obj) : undefined;
    if (b === undefined && a === undefined) continue;
    if (a === undefined) {
      out.push({ op: 'removed', field: `origin.${kind}`, before: scalar(b?.domainName) ?? '' });
      continue;
    }
    for (const k of new Set([...Object.keys(b ?? {}), ...Object.keys(a)])) {
      if (k === 'customHeaders') out.push(...diffHeaders(isObject(b?.customHeaders) ? (b.customHeaders as CfHeaders) : {}, a.customHeaders, `origin.${kind}.customHeaders`));
      else diffScalar(out, `origin.${kind}.${k}`, b?.[k], a[k]);
    }
  }
}

/** The response a response trigger returned against the event's (status, statusDescription, headers, body). */
export function diffResponse(before: Obj, after: unknown): DiffEntry[] {
  const a: Obj = isObject(after) ? after : {};
  const out: DiffEntry[] = [];
  diffScalar(out, 'status', before.status, a.status);
  diffScalar(out, 'statusDescription', before.statusDescription, a.statusDescription ?? before.statusDescription);
  out.push(...diffHeaders(isObject(before.headers) ? (before.headers as CfHeaders) : {}, a.headers));
  if (typeof a.body === 'string') out.push({ op: 'added', field: 'body', after: a.bodyEncoding === 'base64' ? `base64:${a.body}` : a.body });
  return out;
}

/** `~ uri: "/a" → "/a/index.html"` … one line per change, for the CLI. */
export function formatDiff(d: readonly DiffEntry[]): string[] {
  const show = (v: DiffEntry['before']): string => (Array.isArray(v) ? v.map((x) => JSON.stringify(x)).join(', ') : JSON.stringify(v));
  return d.map((e) =>
    e.op === 'added' ? `+ ${e.field}: ${show(e.after)}` : e.op === 'removed' ? `- ${e.field}: ${show(e.before)}` : `~ ${e.field}: ${show(e.before)} → ${show(e.after)}`,
  );
}
