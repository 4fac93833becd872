import { describe, expect, it } from 'vitest';
import { asRecord, h, headersOf, invoke, loadHandler, readOnlyPairs, responseOf, viewerResponse } from './harness.js';

const handler = loadHandler('security-headers.js');

const EXPECTED: Record<string, [string, string]> = {
  'strict-transport-security': ['Strict-Transport-Security', 'max-age=63072000; includeSubdomains; preload'],
  'x-content-type-options': ['X-Content-Type-Options', 'nosniff'],
  'x-frame-options': ['X-Frame-Options', 'DENY'],
  'x-xss-protection': ['X-XSS-Protection', '1; mode=block'],
  'referrer-policy': ['Referrer-Policy', 'same-origin'],
};

describe('functions/security-headers.js (viewer-response)', () => {
  it('adds the security headers in the {key, value} format', async () => {
    const result = asRecord(await invoke(handler, viewerResponse('/', '200', 'OK', h('Content-Type', 'text/html'))));
    const headers = headersOf(result);
    for (const [name, [key, value]] of Object.entries(EXPECTED)) {
      expect(headers[name], name).toEqual([{ key, value }]);
    }
    const csp = headers['content-security-policy']?.[0];
    expect(csp?.key).toBe('Content-Security-Policy');
    expect(csp?.value).toContain("default-src 'none'");
    // The demo app's scripts, styles, images and fetch() calls are all same-origin.
    for (const directive of ["script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      expect(csp?.value).toContain(directive);
    }
  });

  it('replaces an origin value of the same header with exactly one line', async () => {
    const result = await invoke(handler, viewerResponse('/', '200', 'OK', h('X-Frame-Options', 'SAMEORIGIN')));
    expect(headersOf(result)['x-frame-options']).toEqual([{ key: 'X-Frame-Options', value: 'DENY' }]);
  });

  it('keeps status, other headers and every viewer-response read-only header as received (AWS rule: read-only headers)', async () => {
    const event = viewerResponse('/assets/app.js', '200', 'OK', {
      ...h('Content-Type', 'text/javascript'),
      ...h('Content-Length', '1234'),
      ...h('Content-Encoding', 'gzip'),
      ...h('Via', '1.1 origin-proxy'),
      ...h('Warning', '110 - "Response is Stale"'),
      ...h('Age', '42'),
      ...h('Cache-Control', 'max-age=86400'),
    });
    const before = responseOf(event);
    const result = asRecord(await invoke(handler, event));
    expect(result['status']).toBe('200');
    expect(result['statusDescription']).toBe('OK');
    const after = headersOf(result);
    for (const [name, was, now] of readOnlyPairs('viewer-response', before.headers, after)) {
      expect(now, name).toEqual(was);
    }
    for (const name of ['content-type', 'age', 'cache-control', 'date']) expect(after[name], name).toEqual(before.headers[name]);
    // Transfer-Encoding was absent and must stay absent.
    expect(after).not.toHaveProperty('transfer-encoding');
  });
});
