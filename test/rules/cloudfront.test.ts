import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_METHOD_SETS,
  CACHED_METHOD_SETS,
  CLOUDFRONT_HEADER_KEYS,
  CLOUDFRONT_HEADERS,
  DISALLOWED_HEADERS,
  isCloudFrontHeader,
  isDeniedOriginCustomHeader,
  isDisallowedHeader,
  isForbiddenOriginCustomHeader,
  isHeaderName,
  isOriginPort,
  isOriginSslProtocol,
  mayIncludeBody,
  MAX_REQUEST_HEADER_BYTES,
  MAX_URL_LENGTH,
  ORIGIN_CUSTOM_HEADER_DENYLIST,
  ORIGIN_REQUEST_POLICY_ONLY_HEADERS,
  ORIGIN_SSL_PROTOCOLS,
  TCHAR,
  percentEncodeNonAscii,
} from '../../src/rules/cloudfront.js';

describe('header names (RFC 9110 §5.1, §5.6.2)', () => {
  it('accepts tokens and nothing else', () => {
    for (const n of ['x', 'X-Foo', "!#$%&'*+-.^_`|~", 'a1', '__proto__']) expect(isHeaderName(n), n).toBe(true);
    for (const n of ['', 'a b', 'a:b', 'a\tb', 'é', 'a(b)', 'a"b', 'a/b', 'K\u212a']) expect(isHeaderName(n), n).toBe(false);
  });

  it('has exactly the 77 tchar characters in its table', () => {
    let n = 0;
    for (let c = 0; c < 128; c++) n += TCHAR[c]!;
    expect(n).toBe(26 * 2 + 10 + 15);
  });
});

describe('§3.1 disallowed headers', () => {
  it('matches names and the X-Amz-Cf- / X-Edge- prefixes, lowercase only', () => {
    for (const n of DISALLOWED_HEADERS) expect(isDisallowedHeader(n), n).toBe(true);
    for (const n of ['x-amz-cf-pop', 'x-edge-location', 'proxy-authenticate']) expect(isDisallowedHeader(n), n).toBe(true);
    for (const n of ['x-amz-meta-a', 'x-amzn-trace-id', 'via', 'host', 'x-cached', 'x-edgeproxy', 'x-edge']) expect(isDisallowedHeader(n), n).toBe(false);
  });
});

describe('§3.4 origin custom headers', () => {
  it("refuses AWS's denylist, in any letter case, and its two prefixes", () => {
    for (const n of ORIGIN_CUSTOM_HEADER_DENYLIST) {
      expect(isDeniedOriginCustomHeader(n), n).toBe(true);
      expect(isForbiddenOriginCustomHeader(n.toUpperCase()), n).toBe(true);
    }
    for (const n of ['x-amz-date', 'x-amz-meta-a', 'x-edge-anything']) expect(isDeniedOriginCustomHeader(n), n).toBe(true);
  });

  it("has the current page's Proxy-Authenticate, which older versions of the page lack", () => {
    expect(ORIGIN_CUSTOM_HEADER_DENYLIST).toContain('proxy-authenticate');
    expect(ORIGIN_CUSTOM_HEADER_DENYLIST).toHaveLength(23);
  });

  it('also refuses every §3.1 disallowed header (they would show in request.origin.custom.customHeaders)', () => {
    for (const n of [...DISALLOWED_HEADERS, 'X-Amz-Cf-Id', 'X-Forwarded-Proto', 'X-Cache', 'Expect', 'Keep-Alive', 'X-Accel-Redirect']) {
      expect(isForbiddenOriginCustomHeader(n), n).toBe(true);
    }
    // ...while the §3.4 denylist alone does not list them
    expect(isDeniedOriginCustomHeader('x-cache')).toBe(false);
    expect(isDeniedOriginCustomHeader('x-forwarded-proto')).toBe(false);
  });

  it('allows ordinary custom headers', () => {
    for (const n of ['X-Origin-Secret', 'Authorization', 'Origin', 'X-Amzn-Trace-Id', 'X-Forwarded-Host', 'User-Agent', 'X-Edgeproxy']) {
      expect(isForbiddenOriginCustomHeader(n), n).toBe(false);
    }
  });
});

describe('§7 CloudFront-* headers', () => {
  it('keeps CloudFront’s spelling and a lowercase twin of each name', () => {
    expect(CLOUDFRONT_HEADERS).toEqual(CLOUDFRONT_HEADER_KEYS.map((k) => k.toLowerCase()));
    expect(new Set(CLOUDFRONT_HEADERS).size).toBe(CLOUDFRONT_HEADERS.length);
    for (const k of CLOUDFRONT_HEADER_KEYS) expect(k.startsWith('CloudFront-'), k).toBe(true);
    expect(CLOUDFRONT_HEADER_KEYS).toContain('CloudFront-Is-SmartTV-Viewer');
    expect(CLOUDFRONT_HEADER_KEYS).toContain('CloudFront-Viewer-JA4-Fingerprint');
  });

  it('recognises lowercase names only, and not other CloudFront- names', () => {
    expect(isCloudFrontHeader('cloudfront-viewer-country')).toBe(true);
    expect(isCloudFrontHeader('CloudFront-Viewer-Country')).toBe(false);
    expect(isCloudFrontHeader('cloudfront-viewer-planet')).toBe(false);
  });

  it('lists the origin-request-policy-only headers among them', () => {
    for (const n of ORIGIN_REQUEST_POLICY_ONLY_HEADERS) expect(isCloudFrontHeader(n), n).toBe(true);
  });
});

describe('sizes, origins, methods, associations', () => {
  it('has §3.5’s URL and header limits', () => {
    expect(MAX_URL_LENGTH).toBe(8192);
    expect(MAX_REQUEST_HEADER_BYTES).toBe(20480);
  });

  it('allows origin ports 80, 443 and 1024–65535 only', () => {
    for (const p of [80, 443, 1024, 3000, 65535]) expect(isOriginPort(p), String(p)).toBe(true);
    for (const p of [0, 1, 79, 81, 442, 444, 1023, 65536, 1024.5, -80]) expect(isOriginPort(p), String(p)).toBe(false);
  });

  it('knows the four origin SSL protocols', () => {
    expect([...ORIGIN_SSL_PROTOCOLS]).toEqual(['TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3']);
    expect(isOriginSslProtocol('TLSv1.2')).toBe(true);
    expect(isOriginSslProtocol('TLSv1.3')).toBe(false);
    expect(isOriginSslProtocol('tlsv1.2')).toBe(false);
  });

  it('has three allowed-method sets and two cached ones, each cached set within an allowed one', () => {
    expect(ALLOWED_METHOD_SETS).toHaveLength(3);
    expect(CACHED_METHOD_SETS).toHaveLength(2);
    for (const c of CACHED_METHOD_SETS) expect(ALLOWED_METHOD_SETS.some((a) => c.every((m) => a.includes(m)))).toBe(true);
  });

  it('lets only viewer-request and origin-request include the body (§3.9)', () => {
    expect(['viewer-request', 'origin-request', 'origin-response', 'viewer-response'].filter(mayIncludeBody)).toEqual(['viewer-request', 'origin-request']);
  });
});

describe('the module is usable on the worker side', () => {
  it('imports nothing', () => {
    const src = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'rules', 'cloudfront.ts'), 'utf8');
    expect(src.match(/^\s*(import|export)\s.*\sfrom\s/gm) ?? []).toEqual([]);
    expect(src).not.toMatch(/\bimport\(|\brequire\(/);
  });
});

describe('percentEncodeNonAscii', () => {
  it('encodes each char above ~ as UTF-8 and leaves ASCII as given', () => {
    expect(percentEncodeNonAscii('/café?q=ü%20~')).toBe('/caf%C3%A9?q=%C3%BC%20~');
    expect(percentEncodeNonAscii('/😀')).toBe('/%F0%9F%98%80');
  });
  it('has no answer for an unpaired surrogate', () => {
    expect(percentEncodeNonAscii('/a\uD800b')).toBeUndefined();
  });
});
