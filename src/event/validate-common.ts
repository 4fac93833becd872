// What the result validators share (validate-result.ts, validate-origin.ts): the one `fail()`, object
// access that never reaches Object.prototype, and the header and request-target checks
// (docs/cloudfront-reference.md §1.2, §3.5). Imported by the function workers too: no host modules.

import { EdgeError } from '../rules/errors.js';
import type { CfHeaderEntry, CfHeaders } from './types.js';
import { checkHeaderValue, checkLowerToken, defaultHeaderKey, HAS_UPPER, NOT_TOKEN, sameTokenIgnoringCase, setOwn, toWireValue } from './headers.js';
import { describe } from './body.js';
import { isDisallowedHeader } from '../rules/cloudfront.js';

export function fail(field: string, message: string): never {
  throw new EdgeError('LambdaValidationError', message, { field });
}

export type Obj = Record<string, unknown>;
export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function own(o: Obj, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

export const hf = (prefix: string, name: string): string => `${prefix}[${JSON.stringify(name)}]`;

// ---------------------------------------------------------------------------------------------
// Headers

/**
 * Checks the §1.2 shape and RFC 9110 syntax and returns a fresh copy with every `key` filled.
 * Map keys must be lowercase and each entry's `key` must match its map key ignoring case
 * (docs/cloudfront-reference.md §10.9, decisions). An empty array removes the header. Values with characters above
 * U+00FF are converted to the latin1 view of their UTF-8 bytes (decisions).
 */
export function checkHeaders(value: unknown, prefix: string, before?: CfHeaders): CfHeaders {
  if (!isObject(value)) fail(prefix, `${prefix} must be an object of lowercase name → [{ key, value }], got ${describe(value)} (AWS rule: headers in events)`);
  const out: CfHeaders = {};
  // Field paths are built only on failure: this loop runs for every header of every result.
  for (const name of Object.keys(value)) {
    const nameCheck = checkLowerToken(name);
    if (nameCheck === NOT_TOKEN) fail(hf(prefix, name), `header name ${JSON.stringify(name)} is not a valid HTTP field name (RFC 9110 §5.1)`);
    if (nameCheck === HAS_UPPER) fail(hf(prefix, name), `header map key ${JSON.stringify(name)} must be lowercase (${JSON.stringify(name.toLowerCase())}) (AWS rule: headers in events)`);
    const list = value[name];
    if (!Array.isArray(list)) fail(hf(prefix, name), `header ${defaultHeaderKey(name)} must be an array of { key, value }, got ${describe(list)} (AWS rule: headers in events)`);
    if (list.length === 0) continue;
    // Spec §3.1 forbids *adding* one. Events never contain them, but if one slipped into the
    // input, returning it is not the function's fault.
    if (isDisallowedHeader(name) && (before === undefined || !Object.hasOwn(before, name))) {
      fail(hf(prefix, name), `header ${defaultHeaderKey(name)} is disallowed (AWS rule: disallowed headers)`);
    }
    const entries: CfHeaderEntry[] = new Array<CfHeaderEntry>(list.length);
    for (let i = 0; i < list.length; i++) {
      const e: unknown = list[i];
      if (!isObject(e)) fail(`${hf(prefix, name)}[${i}]`, `header ${defaultHeaderKey(name)} entry ${i} must be an object { key, value }, got ${describe(e)}`);
      const v = own(e, 'value');
      if (typeof v !== 'string') fail(`${hf(prefix, name)}[${i}].value`, `header ${defaultHeaderKey(name)} value must be a string, got ${describe(v)}`);
      const k = own(e, 'key');
      if (k !== undefined && k !== name) {
        if (typeof k !== 'string') fail(`${hf(prefix, name)}[${i}].key`, `header ${defaultHeaderKey(name)} key must be a string, got ${describe(k)}`);
        // `name` is a checked lowercase token here, so a key of the same letters is a token too.
        if (!sameTokenIgnoringCase(k, name)) {
          fail(`${hf(prefix, name)}[${i}].key`, `header key ${JSON.stringify(k)} does not match its map key ${JSON.stringify(name)} (AWS rule: headers in events)`);
        }
      }
      const chk = checkHeaderValue(v);
      let wire = v;
      if (typeof chk === 'number') {
        fail(`${hf(prefix, name)}[${i}].value`, `header ${defaultHeaderKey(name)} value has a forbidden control character 0x${chk.toString(16).padStart(2, '0')} (RFC 9110 §5.5)`);
      } else if (chk === 'wide') wire = toWireValue(v);
      entries[i] = { key: typeof k === 'string' ? k : defaultHeaderKey(name), value: wire };
    }
    setOwn(out, name, entries);
  }
  return out;
}

/**
 * Index of the first char that cannot appear in a request target even percent-encoded-aware:
 * controls, space, DEL, `#` (docs/cloudfront-reference.md §3.5); -1 when fine. Chars above `~` are percent-encoded as
 * UTF-8 instead (docs/cloudfront-reference.md §3.5: changed values are sent as UTF-8).
 */
export function badTargetChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 35) return i;
  }
  return -1;
}

export function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 126) return true;
  return false;
}
