// CloudFront's rules for `request.origin` in an origin-request function's result
// (docs/cloudfront-reference.md §1.4, §2.2): a custom or an S3 origin, each field checked, and
// values the function left as they were accepted even where CloudFront's own checks would refuse
// them (a local emulator reaches 127.0.0.1). Imported by the function workers too: no host modules.

import { isIP } from 'node:net';
import type { CfCustomOrigin, CfHeaders, CfOrigin, CfS3Origin } from './types.js';
import { defaultHeaderKey } from './headers.js';
import { describe } from './body.js';
import { isDeniedOriginCustomHeader, isOriginPort, isOriginSslProtocol, MAX_ORIGIN_PATH_LENGTH } from '../rules/cloudfront.js';
import { badTargetChar, checkHeaders, fail, hasNonAscii, hf, isObject, own } from './validate-common.js';

/** DNS name: labels of letters, digits, `-` (and `_`, seen in real service names), dot-separated. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function isValidDomain(d: string): boolean {
  // A local emulator must reach 127.0.0.1, ::1 and localhost, which CloudFront forbids (decisions).
  return isIP(d) !== 0 || HOSTNAME.test(d);
}

function checkPath(v: unknown, field: string, before: string | undefined): string {
  if (typeof v !== 'string') fail(field, `path must be a string, got ${describe(v)} (AWS rule: request.origin)`);
  if (v === before || v === '') return v;
  if (v.charCodeAt(0) !== 47 || v.endsWith('/') || v.length > MAX_ORIGIN_PATH_LENGTH || badTargetChar(v) !== -1 || hasNonAscii(v)) {
    fail(field, `path must be "" or start with "/", have no trailing "/", be URL-encoded and ≤ 255 chars, got ${describe(v)} (AWS rule: request.origin)`);
  }
  return v;
}

function checkIntRange(v: unknown, field: string, min: number, max: number, before: number | undefined, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, `${what} must be an integer, got ${describe(v)} (AWS rule: request.origin)`);
  if (v !== before && (v < min || v > max)) fail(field, `${what} must be ${min}–${max}, got ${v} (AWS rule: request.origin)`);
  return v;
}

function checkCustomHeaders(v: unknown, prefix: string, before: CfHeaders | undefined, requestHeaders: CfHeaders): CfHeaders {
  const out = checkHeaders(v ?? {}, prefix, before);
  for (const name in out) {
    const field = hf(prefix, name);
    const configured = before !== undefined && Object.hasOwn(before, name);
    if (!configured && isDeniedOriginCustomHeader(name)) {
      fail(field, `${defaultHeaderKey(name)} cannot be an origin custom header (AWS rule: headers CloudFront adds, removes or replaces)`);
    }
    if (Object.hasOwn(requestHeaders, name) && (requestHeaders[name]?.length ?? 0) > 0) {
      fail(field, `origin custom header ${defaultHeaderKey(name)} is also in request.headers (AWS rule: request.origin)`);
    }
  }
  return out;
}

export function checkOrigin(v: unknown, before: CfOrigin | undefined, requestHeaders: CfHeaders): CfOrigin {
  if (!isObject(v)) fail('origin', `origin must be an object with one of "custom" or "s3", got ${describe(v)} (AWS rule: request.origin)`);
  const custom = own(v, 'custom');
  const s3 = own(v, 's3');
  if ((custom === undefined) === (s3 === undefined)) fail('origin', 'origin must have exactly one of "custom" or "s3" (AWS rule: request.origin)');
  if (custom !== undefined) {
    const b = before !== undefined && 'custom' in before ? before.custom : undefined;
    return { custom: checkCustom(custom, b, requestHeaders) };
  }
  const b = before !== undefined && 's3' in before ? before.s3 : undefined;
  return { s3: checkS3(s3, b, requestHeaders) };
}

function checkCustom(v: unknown, before: CfCustomOrigin | undefined, requestHeaders: CfHeaders): CfCustomOrigin {
  const p = 'origin.custom';
  if (!isObject(v)) fail(p, `origin.custom must be an object, got ${describe(v)} (AWS rule: request.origin)`);
  const domainName = own(v, 'domainName');
  if (typeof domainName !== 'string' || (domainName !== before?.domainName && !isValidDomain(domainName))) {
    fail(`${p}.domainName`, `domainName must be a DNS name (≤ 253 chars) or an IP address, got ${describe(domainName)} (AWS rule: request.origin)`);
  }
  const protocol = own(v, 'protocol');
  if (protocol !== 'http' && protocol !== 'https') fail(`${p}.protocol`, `protocol must be "http" or "https", got ${describe(protocol)} (AWS rule: request.origin)`);
  const port = own(v, 'port');
  if (typeof port !== 'number' || !Number.isInteger(port)) fail(`${p}.port`, `port must be an integer, got ${describe(port)} (AWS rule: request.origin)`);
  if (port !== before?.port && !isOriginPort(port)) {
    fail(`${p}.port`, `port must be 80, 443 or 1024–65535, got ${port} (AWS rule: request.origin)`);
  }
  const sslProtocols = own(v, 'sslProtocols');
  if (!Array.isArray(sslProtocols) || sslProtocols.length === 0 || !sslProtocols.every((s) => typeof s === 'string' && isOriginSslProtocol(s))) {
    fail(`${p}.sslProtocols`, `sslProtocols must be a non-empty array of "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3", got ${describe(sslProtocols)} (AWS rule: request.origin)`);
  }
  return {
    customHeaders: checkCustomHeaders(own(v, 'customHeaders'), `${p}.customHeaders`, before?.customHeaders, requestHeaders),
    domainName,
    keepaliveTimeout: checkIntRange(own(v, 'keepaliveTimeout'), `${p}.keepaliveTimeout`, 1, 60, before?.keepaliveTimeout, 'keepaliveTimeout'),
    path: checkPath(own(v, 'path'), `${p}.path`, before?.path),
    port,
    protocol,
    readTimeout: checkIntRange(own(v, 'readTimeout'), `${p}.readTimeout`, 4, 60, before?.readTimeout, 'readTimeout'),
    sslProtocols: sslProtocols as string[],
  };
}

function checkS3(v: unknown, before: CfS3Origin | undefined, requestHeaders: CfHeaders): CfS3Origin {
  const p = 'origin.s3';
  if (!isObject(v)) fail(p, `origin.s3 must be an object, got ${describe(v)} (AWS rule: request.origin)`);
  const domainName = own(v, 'domainName');
  if (
    typeof domainName !== 'string' ||
    (domainName !== before?.domainName && (domainName.length > 128 || domainName !== domainName.toLowerCase() || !isValidDomain(domainName)))
  ) {
    fail(`${p}.domainName`, `domainName must be a lowercase DNS name ≤ 128 chars, got ${describe(domainName)} (AWS rule: request.origin)`);
  }
  const authMethod = own(v, 'authMethod');
  if (authMethod !== 'origin-access-identity' && authMethod !== 'none') {
    fail(`${p}.authMethod`, `authMethod must be "origin-access-identity" or "none", got ${describe(authMethod)} (AWS rule: request.origin)`);
  }
  const region = own(v, 'region');
  if (region !== undefined && typeof region !== 'string') fail(`${p}.region`, `region must be a string, got ${describe(region)} (AWS rule: request.origin)`);
  if (authMethod === 'origin-access-identity' && (region === undefined || region === '')) {
    fail(`${p}.region`, 'region is required when authMethod is "origin-access-identity" (AWS rule: request.origin)');
  }
  const base = {
    customHeaders: checkCustomHeaders(own(v, 'customHeaders'), `${p}.customHeaders`, before?.customHeaders, requestHeaders),
    domainName,
    path: checkPath(own(v, 'path'), `${p}.path`, before?.path),
  };
  if (authMethod === 'origin-access-identity') return { ...base, authMethod, region: region as string };
  // A region given with authMethod "none" is ignored, as CloudFront only reads it for an OAI.
  return { ...base, authMethod };
}
