// What a function changed, as a small diff: the function's worker validates the result against the
// event it built (validate-result.ts) and diffs the validated request or response against that
// event's; the proxy, which holds the same request or response, applies the diff. Applying it gives
// what the validator returned, field for field, without sending or parsing the whole of it. Both
// halves live here so they cannot drift apart. Imported by the function workers: no host modules.

import { setOwn } from './headers.js';
import type { CfHeaderEntry, CfHeaders, CfOrigin, CfRequest } from './types.js';

/**
 * Headers: `f` replaces them all (the function reordered them); otherwise `r` names removed headers,
 * `c` replaces the lines of headers that stay where they were, `a` appends new ones in order.
 */
export type HeaderDiff = { f: CfHeaders } | { r?: string[]; c?: Array<[string, CfHeaderEntry[]]>; a?: Array<[string, CfHeaderEntry[]]> };

function sameEntries(a: readonly CfHeaderEntry[], b: readonly CfHeaderEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.value !== y.value || x.key !== y.key) return false;
  }
  return true;
}

/** undefined when `after` has the same headers, lines and order as `before`. */
export function diffHeaders(before: CfHeaders, after: CfHeaders): HeaderDiff | undefined {
  let position: Map<string, number> | undefined;
  let last = -1;
  let appended = false;
  let changed: Array<[string, CfHeaderEntry[]]> | undefined;
  let added: Array<[string, CfHeaderEntry[]]> | undefined;
  for (const name in after) {
    const list = after[name]!;
    if (!Object.hasOwn(before, name)) {
      if (added === undefined) added = [];
      added.push([name, list]);
      appended = true;
      continue;
    }
    if (position === undefined) {
      position = new Map();
      let i = 0;
      for (const n in before) position.set(n, i++);
    }
    const at = position.get(name)!;
    // A kept header after a new one, or out of its old order: the diff cannot say it, send all.
    if (appended || at < last) return { f: after };
    last = at;
    if (!sameEntries(before[name]!, list)) {
      if (changed === undefined) changed = [];
      changed.push([name, list]);
    }
  }
  let removed: string[] | undefined;
  for (const name in before) {
    if (Object.hasOwn(after, name)) continue;
    if (removed === undefined) removed = [];
    removed.push(name);
  }
  if (removed === undefined && changed === undefined && added === undefined) return undefined;
  const d: { r?: string[]; c?: Array<[string, CfHeaderEntry[]]>; a?: Array<[string, CfHeaderEntry[]]> } = {};
  if (removed !== undefined) d.r = removed;
  if (changed !== undefined) d.c = changed;
  if (added !== undefined) d.a = added;
  return d;
}

/** `before` with the diff applied; `before` itself when there is none (it is never changed). */
export function applyHeaderDiff(before: CfHeaders, d: HeaderDiff | undefined): CfHeaders {
  if (d === undefined) return before;
  if ('f' in d) return d.f;
  const removed = d.r === undefined ? undefined : new Set(d.r);
  const changed = d.c === undefined ? undefined : new Map(d.c);
  const out: CfHeaders = {};
  for (const name in before) {
    if (removed?.has(name)) continue;
    setOwn(out, name, changed?.get(name) ?? before[name]!);
  }
  if (d.a !== undefined) for (const [name, list] of d.a) setOwn(out, name, list);
  return out;
}

/** A request function's changes: uri, querystring, headers, origin (origin-request). */
export interface RequestDiff {
  u?: string;
  q?: string;
  h?: HeaderDiff;
  o?: CfOrigin;
}

/** undefined when `next` (the validated result, without its body) is `input` field for field. */
export function diffRequest(input: CfRequest, next: CfRequest): RequestDiff | undefined {
  const d: RequestDiff = {};
  let any = false;
  if (next.uri !== input.uri) {
    d.u = next.uri;
    any = true;
  }
  if (next.querystring !== input.querystring) {
    d.q = next.querystring;
    any = true;
  }
  const h = diffHeaders(input.headers, next.headers);
  if (h !== undefined) {
    d.h = h;
    any = true;
  }
  if (next.origin !== undefined && JSON.stringify(next.origin) !== JSON.stringify(input.origin)) {
    d.o = next.origin;
    any = true;
  }
  return any ? d : undefined;
}

/**
 * The request to continue with: what validateRequestResult returned for the result the diff was
 * made from, without its body (the caller applies that). `input` is never changed.
 */
export function applyRequestDiff(input: CfRequest, d: RequestDiff | undefined): CfRequest {
  const next: CfRequest = {
    clientIp: input.clientIp,
    method: input.method,
    uri: d?.u ?? input.uri,
    querystring: d?.q ?? input.querystring,
    headers: applyHeaderDiff(input.headers, d?.h),
  };
  if (input.origin !== undefined) next.origin = d?.o ?? input.origin;
  return next;
}
