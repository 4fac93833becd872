// functions/security-headers.js through the public test kit (edgeproxy/testing): viewer-response events,
// the function in a worker, CloudFront's verdict.
import { afterAll, describe, expect, it } from 'vitest';
import { closeWorkers, invoke, type InvokeOptions } from 'edgeproxy/testing';
import { asRecord, FUNCTIONS_DIR, headersOf, readOnlyPairs } from './support.js';

const FILE = `${FUNCTIONS_DIR}security-headers.js`;
const run = (o: Omit<InvokeOptions<'viewer-response'>, 'file' | 'trigger'>) => invoke({ file: FILE, trigger: 'viewer-response', ...o });

afterAll(() => closeWorkers());

const EXPECTED: Record<string, [string, string]> = {
  'strict-transport-security': ['Strict-Transport-Security', 'max-age=63072000; includeSubdomains; preload'],
  'x-content-type-options': ['X-Content-Type-Options', 'nosniff'],
  'x-frame-options': ['X-Frame-Options', 'DENY'],
  'x-xss-protection': ['X-XSS-Protection', '1; mode=block'],
  'referrer-policy': ['Referrer-Policy', 'same-origin'],
};

describe('functions/security-headers.js (viewer-response)', () => {
  it('adds the security headers in the {key, value} format', async () => {
    const r = await run({ uri: '/', responseHeaders: { 'Content-Type': 'text/html' } });
    expect(r.ok).toBe(true);
    const headers = headersOf(r.result);
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
    expect(r.diff.map((d) => d.field)).toEqual(expect.arrayContaining(Object.keys(EXPECTED).map((n) => `headers[${JSON.stringify(n)}]`)));
  });

  it('replaces an origin value of the same header with exactly one line', async () => {
    const r = await run({ uri: '/', responseHeaders: { 'X-Frame-Options': 'SAMEORIGIN' } });
    expect(headersOf(r.result)['x-frame-options']).toEqual([{ key: 'X-Frame-Options', value: 'DENY' }]);
    expect(r.diff).toContainEqual({ op: 'changed', field: 'headers["x-frame-options"]', before: ['SAMEORIGIN'], after: ['DENY'] });
  });

  it('keeps status, other headers and every viewer-response read-only header as received (AWS rule: read-only headers)', async () => {
    const r = await run({
      uri: '/assets/app.js',
      statusDescription: 'OK',
      responseHeaders: {
        'Content-Type': 'text/javascript',
        'Content-Length': '1234',
        'Content-Encoding': 'gzip',
        Via: '1.1 origin-proxy',
        Warning: '110 - "Response is Stale"',
        'Cache-Control': 'max-age=86400',
      },
      age: 42,
    });
    expect(r.ok).toBe(true);
    const before = r.event.Records[0].cf.response;
    expect(Object.keys(before.headers)).toEqual(expect.arrayContaining(['content-length', 'content-encoding', 'via', 'warning', 'age', 'date']));
    const result = asRecord(r.result);
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
