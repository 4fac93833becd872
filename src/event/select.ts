// What a cache policy / origin request policy picks out of a viewer request (docs/cloudfront-reference.md §6.2, §6.4).
// Shared by the cache key and the origin request. Names are compared exactly (case-sensitive for
// query strings and cookies, docs/cloudfront-reference.md §6.2); header names are lowercase map keys.

import type { CookieBehavior, QueryStringBehavior } from '../config/types.js';
import type { CfHeaders } from './types.js';
import { setOwn } from './headers.js';

type NameBehavior = QueryStringBehavior; // CookieBehavior is the same shape

/**
 * Name lists come from the frozen config, so the same array object arrives on every request:
 * build its Set once and keep it as long as the config lives.
 */
const nameSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function nameSet(names: readonly string[]): ReadonlySet<string> {
  let s = nameSets.get(names);
  if (s === undefined) {
    s = new Set(names);
    nameSets.set(names, s);
  }
  return s;
}

/** Does behavior `b` select the item called `name`? */
export function selects(b: NameBehavior, name: string): boolean {
  switch (b.behavior) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'whitelist':
      return nameSet(b.names).has(name);
    case 'allExcept':
      return !nameSet(b.names).has(name);
  }
}

function paramName(part: string): string {
  const eq = part.indexOf('=');
  return eq === -1 ? part : part.slice(0, eq);
}

/**
 * Filters `qs` (no leading `?`) to the parameters `b` selects, keeping their order, case and raw
 * (still percent-encoded) text (docs/cloudfront-reference.md §6.2: order and case are part of the key). Names are compared
 * as sent, not decoded. Empty segments (`a=1&&b=2`) are dropped unless the behavior is `all`,
 * which returns `qs` untouched.
 */
export function selectQueryString(qs: string, b: QueryStringBehavior): string {
  if (b.behavior === 'all') return qs;
  if (b.behavior === 'none' || qs === '') return '';
  return selectQueryStringUnion(qs, b, NONE);
}

const NONE: QueryStringBehavior = { behavior: 'none' };

/**
 * Parameters selected by `a` or `b` (docs/cloudfront-reference.md §6.4: the origin request gets the cache policy's
 * selection ∪ the origin request policy's), in sent order.
 */
export function selectQueryStringUnion(qs: string, a: QueryStringBehavior, b: QueryStringBehavior): string {
  if (a.behavior === 'all' || b.behavior === 'all') return qs;
  if ((a.behavior === 'none' && b.behavior === 'none') || qs === '') return '';
  let out = '';
  let start = 0;
  while (start <= qs.length) {
    let end = qs.indexOf('&', start);
    if (end === -1) end = qs.length;
    if (end > start) {
      const part = qs.slice(start, end);
      const name = paramName(part);
      if (selects(a, name) || selects(b, name)) out = out === '' ? part : `${out}&${part}`;
    }
    start = end + 1;
  }
  return out;
}

/** Splits Cookie header values into trimmed `name=value` items, in sent order. */
export function cookieItems(cookieHeaderValues: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of cookieHeaderValues) {
    let start = 0;
    while (start <= v.length) {
      let end = v.indexOf(';', start);
      if (end === -1) end = v.length;
      const item = v.slice(start, end).trim();
      if (item !== '') out.push(item);
      start = end + 1;
    }
  }
  return out;
}

/** `name=value` items `b` selects from the viewer's Cookie lines, in sent order (docs/cloudfront-reference.md §6.2). */
export function selectCookies(cookieHeaderValues: readonly string[], b: CookieBehavior): string[] {
  if (b.behavior === 'none' || cookieHeaderValues.length === 0) return [];
  const items = cookieItems(cookieHeaderValues);
  if (b.behavior === 'all') return items;
  return items.filter((item) => selects(b, paramName(item)));
}

/** Cookie items selected by `a` or `b`, in sent order (docs/cloudfront-reference.md §6.4). */
export function selectCookiesUnion(cookieHeaderValues: readonly string[], a: CookieBehavior, b: CookieBehavior): string[] {
  if (cookieHeaderValues.length === 0 || (a.behavior === 'none' && b.behavior === 'none')) return [];
  const items = cookieItems(cookieHeaderValues);
  if (a.behavior === 'all' || b.behavior === 'all') return items;
  return items.filter((item) => {
    const name = paramName(item);
    return selects(a, name) || selects(b, name);
  });
}

/**
 * The headers named in `lowerNames` that `headers` has, in `lowerNames` order. Arrays are new;
 * entry objects are shared with `headers` (nothing here mutates entries in place).
 */
export function selectHeaders(headers: CfHeaders, lowerNames: readonly string[]): CfHeaders {
  const out: CfHeaders = {};
  for (const name of lowerNames) {
    const list = Object.hasOwn(headers, name) ? headers[name] : undefined;
    if (list !== undefined && list.length > 0) setOwn(out, name, list.slice());
  }
  return out;
}
