// The cloudfront module's origin helpers (2.0): what a viewer-request function asked for, checked, as
// one origin change the pipeline applies to the origin request. Source: CloudFront Developer Guide,
// "Helper methods for origin modification" (helper-functions-origin-modification.html). Invalid
// arguments are a validation error (502 FunctionValidationError, "The CloudFront function returned an
// invalid value for origin rewrite"). Settings with no local meaning (Origin Shield, origin access
// control signing, SNI, certificate names, IP address type) are accepted and listed as ignored.

import { isIP } from 'node:net';
import { checkHeaderValue, checkLowerToken } from '../event/headers.js';
import type { CfHeaders } from '../event/types.js';
import { FAILOVER_STATUS_CODES, isForbiddenOriginCustomHeader, isOriginSslProtocol } from '../rules/cloudfront.js';
import { CffValidationError } from './result.js';

/** What edgeproxy honours of one origin's settings; everything absent is inherited. */
export interface OriginOverride {
  domainName?: string;
  hostHeader?: string;
  originPath?: string;
  /** Replaces the origin's custom headers (`{}` clears them). */
  customHeaders?: Record<string, string>;
  connectionAttempts?: number;
  /** Seconds. */
  readTimeout?: number;
  keepAliveTimeout?: number;
  connectionTimeout?: number;
  responseCompletionTimeout?: number;
  port?: number;
  protocol?: 'http' | 'https';
  sslProtocols?: string[];
  /** Settings accepted but without effect locally (logged once by the pipeline). */
  ignored: string[];
}

interface GroupMember {
  originId: string;
  override: OriginOverride;
}

export type OriginChange =
  | { kind: 'update'; override: OriginOverride }
  | { kind: 'select'; originId: string; override: OriginOverride }
  | { kind: 'group'; members: [GroupMember, GroupMember]; statusCodes: number[]; selectionCriteria: 'default' | 'media-quality-score' };

interface OriginCallContext {
  eventType: 'viewer-request' | 'viewer-response';
  /** The distribution's origin ids. */
  originIds: ReadonlySet<string>;
  /** The request's headers after the function ran (custom headers may not repeat one). */
  requestHeaders: CfHeaders;
}

/** The status codes an origin group may fail over on (docs/cloudfront-reference.md §14). */
const FAILOVER_STATUS: ReadonlySet<number> = new Set(FAILOVER_STATUS_CODES);
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const PAGE_MESSAGE = 'The CloudFront function returned an invalid value for origin rewrite.';

function fail(field: string, message: string): never {
  throw new CffValidationError(`${message} (${PAGE_MESSAGE})`, field);
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

/** A DNS name (a local emulator also allows IP addresses and localhost, which CloudFront refuses). */
function checkHost(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.includes(':') && isIP(v) === 0) fail(field, `${field} must be a domain name without ":" (≤ 253 characters), got ${describe(v)}`);
  if (isIP(v) === 0 && !HOSTNAME.test(v)) fail(field, `${field} must be a domain name (≤ 253 characters), got ${describe(v)}`);
  return v;
}

function checkInt(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `${field} must be an integer ${min}–${max}, got ${describe(v)}`);
  return v;
}

const UPDATE_KEYS = new Set([
  'domainName', 'hostHeader', 'originPath', 'customHeaders', 'connectionAttempts', 'originShield', 'originAccessControlConfig',
  'timeouts', 'customOriginConfig', 'sni', 'allowedCertificateNames', 'mTLSConfig',
]);
const OVERRIDE_KEYS = new Set(['hostHeader', 'sni', 'allowedCertificateNames']);

function checkOverride(v: unknown, field: string, allowed: ReadonlySet<string>, ctx: OriginCallContext): OriginOverride {
  const o: OriginOverride = { ignored: [] };
  if (v === undefined) return o;
  if (!isObject(v)) fail(field, `${field} must be an object, got ${describe(v)}`);
  for (const key of Object.keys(v)) {
    const val = v[key];
    const at = `${field}.${key}`;
    if (!allowed.has(key)) fail(at, `${key} is not an origin property here (${[...allowed].join(', ')})`);
    switch (key) {
      case 'domainName':
        o.domainName = checkHost(val, at);
        break;
      case 'hostHeader':
        o.hostHeader = checkHost(val, at);
        break;
      case 'originPath': {
        if (typeof val !== 'string' || (val !== '' && (!val.startsWith('/') || val.endsWith('/') || val.length > 255 || /[\s#?]/.test(val)))) {
          fail(at, `originPath must start with "/", not end with "/", be URL-encoded and ≤ 255 characters, got ${describe(val)}`);
        }
        o.originPath = val;
        break;
      }
      case 'customHeaders':
        o.customHeaders = checkCustomHeaders(val, at, ctx.requestHeaders);
        break;
      case 'connectionAttempts':
        o.connectionAttempts = checkInt(val, at, 1, 3);
        break;
      case 'timeouts': {
        if (!isObject(val)) fail(at, `timeouts must be an object, got ${describe(val)}`);
        for (const t of Object.keys(val)) {
          const tv = val[t];
          if (t === 'readTimeout') o.readTimeout = checkInt(tv, `${at}.${t}`, 1, 120);
          else if (t === 'keepAliveTimeout') o.keepAliveTimeout = checkInt(tv, `${at}.${t}`, 1, 120);
          else if (t === 'connectionTimeout') o.connectionTimeout = checkInt(tv, `${at}.${t}`, 1, 10);
          else if (t === 'responseCompletionTimeout') o.responseCompletionTimeout = checkInt(tv, `${at}.${t}`, 1, 86_400);
          else fail(`${at}.${t}`, `unknown timeout ${JSON.stringify(t)} (readTimeout, keepAliveTimeout, connectionTimeout, responseCompletionTimeout)`);
        }
        if (o.responseCompletionTimeout !== undefined && o.readTimeout !== undefined && o.responseCompletionTimeout < o.readTimeout) {
          fail(`${at}.responseCompletionTimeout`, 'responseCompletionTimeout must be ≥ readTimeout');
        }
        break;
      }
      case 'customOriginConfig': {
        if (!isObject(val)) fail(at, `customOriginConfig must be an object { port, protocol, sslProtocols }, got ${describe(val)}`);
        o.port = checkInt(val['port'], `${at}.port`, 1, 65535);
        const protocol = val['protocol'];
        if (protocol !== 'http' && protocol !== 'https') fail(`${at}.protocol`, `protocol must be "http" or "https", got ${describe(protocol)}`);
        o.protocol = protocol;
        const ssl = val['sslProtocols'];
        if (!Array.isArray(ssl) || ssl.length === 0 || !ssl.every((s) => typeof s === 'string' && isOriginSslProtocol(s))) {
          fail(`${at}.sslProtocols`, `sslProtocols must be a non-empty array of SSLv3, TLSv1, TLSv1.1, TLSv1.2, got ${describe(ssl)}`);
        }
        o.sslProtocols = ssl as string[];
        if (val['ipAddressType'] !== undefined) o.ignored.push(`${key}.ipAddressType`);
        break;
      }
      case 'originAccessControlConfig': {
        if (!isObject(val) || typeof val['enabled'] !== 'boolean') fail(at, `originAccessControlConfig must be { enabled, signingBehavior, signingProtocol, originType }, got ${describe(val)}`);
        // Observed on CloudFront: an enabled OAC together with hostHeader fails every request with 502.
        if (val['enabled'] === true && isObject(v) && v['hostHeader'] !== undefined) fail(at, 'hostHeader cannot be combined with an enabled originAccessControlConfig');
        o.ignored.push(key);
        break;
      }
      default:
        // originShield, sni, allowedCertificateNames, mTLSConfig: nothing to do locally.
        o.ignored.push(key);
    }
  }
  return o;
}

function checkCustomHeaders(v: unknown, field: string, requestHeaders: CfHeaders): Record<string, string> {
  // A plain { name: value } map, not the event's { value } objects.
  if (!isObject(v)) fail(field, `customHeaders must be an object of name → value strings, got ${describe(v)}`);
  const out: Record<string, string> = {};
  for (const name of Object.keys(v)) {
    const at = `${field}[${JSON.stringify(name)}]`;
    if (checkLowerToken(name) !== 0) fail(at, `custom header names must be lowercase HTTP field names, got ${JSON.stringify(name)}`);
    if (isForbiddenOriginCustomHeader(name)) {
      fail(at, `${name} cannot be an origin custom header`);
    }
    if (Object.hasOwn(requestHeaders, name)) fail(at, `${name} is also in the request's headers: a custom header cannot repeat one`);
    const value = v[name];
    if (typeof value !== 'string') fail(at, `custom header values must be strings, got ${describe(value)}`);
    if (typeof checkHeaderValue(value) === 'number') fail(at, 'custom header value has a control character');
    out[name] = value;
  }
  return out;
}

function checkOriginId(v: unknown, field: string, ctx: OriginCallContext): string {
  if (typeof v !== 'string' || v === '') fail(field, `an origin id must be a non-empty string, got ${describe(v)}`);
  if (!ctx.originIds.has(v)) fail(field, `no origin ${JSON.stringify(v)} in this distribution (origins: ${[...ctx.originIds].join(', ')})`);
  return v;
}

function one(helper: string, args: unknown, ctx: OriginCallContext): OriginChange {
  const a = Array.isArray(args) ? args : [];
  const field = `cf.${helper}()`;
  switch (helper) {
    case 'updateRequestOrigin':
      if (!isObject(a[0])) fail(field, `${field} takes one object of origin properties, got ${describe(a[0])}`);
      return { kind: 'update', override: checkOverride(a[0], `${field}`, UPDATE_KEYS, ctx) };
    case 'selectRequestOriginById':
      return { kind: 'select', originId: checkOriginId(a[0], `${field} origin id`, ctx), override: checkOverride(a[1], `${field} overrides`, OVERRIDE_KEYS, ctx) };
    case 'createRequestOriginGroup': {
      const p = a[0];
      if (!isObject(p)) fail(field, `${field} takes { originIds, failoverCriteria, selectionCriteria? }, got ${describe(p)}`);
      const ids = p['originIds'];
      if (!Array.isArray(ids) || ids.length !== 2) fail(`${field}.originIds`, `originIds must list exactly two origins (primary first), got ${describe(ids)}`);
      // Both shapes are in public use: ['a', 'b'] and [{ originId: 'a', originOverrides }, …].
      const members = ids.map((m: unknown, i): GroupMember => {
        const at = `${field}.originIds[${i}]`;
        if (typeof m === 'string') return { originId: checkOriginId(m, at, ctx), override: { ignored: [] } };
        if (!isObject(m)) fail(at, `each originIds entry must be an origin id or { originId, originOverrides }, got ${describe(m)}`);
        return { originId: checkOriginId(m['originId'], `${at}.originId`, ctx), override: checkOverride(m['originOverrides'], `${at}.originOverrides`, OVERRIDE_KEYS, ctx) };
      }) as [GroupMember, GroupMember];
      if (members[0].originId === members[1].originId) fail(`${field}.originIds`, 'the two origins of a group must differ');
      const criteria = p['failoverCriteria'];
      const codes = Array.isArray(criteria) ? criteria : isObject(criteria) ? criteria['statusCodes'] : undefined;
      if (!Array.isArray(codes) || codes.length === 0) fail(`${field}.failoverCriteria`, `failoverCriteria must be { statusCodes: [...] }, got ${describe(criteria)}`);
      const statusCodes = codes.map((c: unknown, i) => {
        if (typeof c !== 'number' || !FAILOVER_STATUS.has(c)) fail(`${field}.failoverCriteria.statusCodes[${i}]`, `failover status codes are ${[...FAILOVER_STATUS].join(', ')}, got ${describe(c)}`);
        return c;
      });
      const sel = p['selectionCriteria'] ?? 'default';
      if (sel !== 'default' && sel !== 'media-quality-score' && sel !== 'media-quality-based') fail(`${field}.selectionCriteria`, `selectionCriteria must be "default" or "media-quality-score", got ${describe(sel)}`);
      return { kind: 'group', members, statusCodes, selectionCriteria: sel === 'default' ? 'default' : 'media-quality-score' };
    }
    default:
      return fail(field, `unknown origin helper ${helper}`);
  }
}

/**
 * The origin change the run's helper calls amount to (undefined: none). Helpers work at viewer-request
 * only; when a run calls them more than once, the last call wins (docs/decisions.md).
 */
export function resolveOriginCalls(calls: ReadonlyArray<{ helper: string; args: unknown }>, ctx: OriginCallContext): { change: OriginChange | undefined; warnings: string[] } {
  const warnings: string[] = [];
  if (calls.length === 0) return { change: undefined, warnings };
  if (ctx.eventType !== 'viewer-request') fail(`cf.${calls[0]!.helper}()`, `origin helpers work in viewer-request functions only (this is ${ctx.eventType})`);
  let change: OriginChange | undefined;
  for (const c of calls) change = one(c.helper, c.args, ctx);
  if (calls.length > 1) warnings.push(`${calls.length} origin helper calls in one run: the last one (cf.${calls[calls.length - 1]!.helper}) applies`);
  return { change, warnings };
}
