// functions/cache-control.js through the public test kit (edgeproxy/testing): origin-response events with
// the origin's header lines, the function in a worker, CloudFront's verdict.
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvent, closeWorkers, invoke, type InvokeOptions } from 'edgeproxy/testing';
import { asRecord, FUNCTIONS_DIR, headersOf, readOnlyPairs } from './support.js';

const FILE = `${FUNCTIONS_DIR}cache-control.js`;
const run = (o: Omit<InvokeOptions<'origin-response'>, 'file' | 'trigger'>) => invoke({ file: FILE, trigger: 'origin-response', ...o });

afterAll(() => closeWorkers());

/** The origin answered `status Whatever` with exactly these header lines (and a Date). */
async function runWith(status: number, headers: Array<[string, string]>): Promise<Record<string, unknown>> {
  const r = await run({ uri: '/x', status, statusDescription: 'Whatever', responseHeaders: [['Date', 'Thu, 27 Nov 2026 04:00:00 GMT'], ...headers], defaultResponseHeaders: false });
  expect(r.ok).toBe(true);
  return asRecord(r.result);
}

describe('functions/cache-control.js (origin-response)', () => {
  it.each([
    ['text/html; charset=utf-8', 'max-age=60'],
    ['TEXT/HTML', 'max-age=60'],
    ['text/css; charset=utf-8', 'max-age=86400'],
    ['text/javascript; charset=utf-8', 'max-age=86400'],
    ['application/javascript', 'max-age=86400'],
    ['image/svg+xml', 'max-age=86400'],
    ['image/png', 'max-age=86400'],
    ['font/woff2', 'max-age=86400'],
  ])('adds Cache-Control for %s: %s', async (type, expected) => {
    const result = await runWith(200, [['Content-Type', type]]);
    expect(headersOf(result)['cache-control']).toEqual([{ key: 'Cache-Control', value: expected }]);
    expect(result['status']).toBe('200');
  });

  it("keeps the origin's own Cache-Control", async () => {
    const result = await runWith(200, [['Content-Type', 'application/json'], ['Cache-Control', 'no-store']]);
    expect(headersOf(result)['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
    const html = await runWith(200, [['Content-Type', 'text/html'], ['cache-control', 'max-age=5']]);
    expect(headersOf(html)['cache-control']).toEqual([{ key: 'cache-control', value: 'max-age=5' }]);
  });

  it('leaves other content types without Cache-Control', async () => {
    for (const type of ['application/json', 'application/octet-stream', 'text/plain']) {
      expect(headersOf(await runWith(200, [['Content-Type', type]]))).not.toHaveProperty('cache-control');
    }
    expect(headersOf(await runWith(200, []))).not.toHaveProperty('cache-control');
  });

  it('leaves error responses alone and never changes the status', async () => {
    for (const [status, description] of [[404, 'Not Found'], [500, 'Internal Server Error'], [503, 'Service Unavailable']] as const) {
      const r = await run({ uri: '/missing', status, statusDescription: description, responseHeaders: { 'Content-Type': 'text/html; charset=utf-8' } });
      const before = r.event.Records[0].cf.response;
      expect(r.result).toEqual(before);
      expect(headersOf(r.result)).not.toHaveProperty('cache-control');
      expect(r.diff).toEqual([]);
      expect(r.viewer.status).toBe(status);
    }
  });

  it('reads a numeric status too, and leaves 3xx alone', async () => {
    const event = await buildEvent('origin-response', { uri: '/x', responseHeaders: { 'Content-Type': 'text/css' } });
    // AWS examples assign numbers to status (docs/cloudfront-reference.md §2.3); the function must not depend on the type.
    Object.assign(event.Records[0].cf.response, { status: 200 });
    const r = await run({ event });
    expect(headersOf(r.result)['cache-control']?.[0]?.value).toBe('max-age=86400');
    expect(headersOf(await runWith(301, [['Content-Type', 'text/html']]))).not.toHaveProperty('cache-control');
  });

  it('keeps the read-only headers of origin-response (AWS rule: read-only headers)', async () => {
    const event = await buildEvent('origin-response', { uri: '/x', statusDescription: 'OK', responseHeaders: { 'Content-Type': 'text/html', Via: '1.1 origin-proxy' } });
    // Transfer-Encoding is hop-by-hop, so the proxy never puts it into an event; a hand-made event may.
    event.Records[0].cf.response.headers['transfer-encoding'] = [{ key: 'Transfer-Encoding', value: 'chunked' }];
    const before = event.Records[0].cf.response;
    const r = await run({ event });
    expect(r.ok).toBe(true);
    const result = asRecord(r.result);
    expect(result['statusDescription']).toBe('OK');
    expect(before.headers['via']).toEqual([{ key: 'Via', value: '1.1 origin-proxy' }]);
    for (const [name, was, now] of readOnlyPairs('origin-response', before.headers, headersOf(result))) {
      expect(now, name).toEqual(was);
    }
  });
});
