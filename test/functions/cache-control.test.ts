import { describe, expect, it } from 'vitest';
import type { CfHeaders } from '../../src/event/types.js';
import { asRecord, h, headersOf, invoke, loadHandler, originResponse, readOnlyPairs, responseOf } from './harness.js';

const handler = loadHandler('cache-control.js');

async function run(status: string, headers: CfHeaders): Promise<Record<string, unknown>> {
  return asRecord(await invoke(handler, originResponse('/x', status, 'Whatever', headers)));
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
    const result = await run('200', h('Content-Type', type));
    expect(headersOf(result)['cache-control']).toEqual([{ key: 'Cache-Control', value: expected }]);
    expect(result['status']).toBe('200');
  });

  it("keeps the origin's own Cache-Control", async () => {
    const result = await run('200', { ...h('Content-Type', 'application/json'), ...h('Cache-Control', 'no-store') });
    expect(headersOf(result)['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
    const html = await run('200', { ...h('Content-Type', 'text/html'), ...h('cache-control', 'max-age=5') });
    expect(headersOf(html)['cache-control']).toEqual([{ key: 'cache-control', value: 'max-age=5' }]);
  });

  it('leaves other content types without Cache-Control', async () => {
    for (const type of ['application/json', 'application/octet-stream', 'text/plain']) {
      expect(headersOf(await run('200', h('Content-Type', type)))).not.toHaveProperty('cache-control');
    }
    expect(headersOf(await run('200', {}))).not.toHaveProperty('cache-control');
  });

  it('leaves error responses alone and never changes the status', async () => {
    for (const [status, description] of [['404', 'Not Found'], ['500', 'Internal Server Error'], ['503', 'Service Unavailable']] as const) {
      const event = originResponse('/missing', status, description, h('Content-Type', 'text/html; charset=utf-8'));
      const before = responseOf(event);
      const result = asRecord(await invoke(handler, event));
      expect(result).toEqual(before);
      expect(headersOf(result)).not.toHaveProperty('cache-control');
    }
  });

  it('reads a numeric status too, and leaves 3xx alone', async () => {
    const event = originResponse('/x', '200', 'OK', h('Content-Type', 'text/css'));
    // AWS examples assign numbers to status (docs/cloudfront-reference.md §2.3); the function must not depend on the type.
    Object.assign(responseOf(event), { status: 200 });
    expect(headersOf(await invoke(handler, event))['cache-control']?.[0]?.value).toBe('max-age=86400');
    expect(headersOf(await run('301', h('Content-Type', 'text/html')))).not.toHaveProperty('cache-control');
  });

  it('keeps the read-only headers of origin-response (AWS rule: read-only headers)', async () => {
    const event = originResponse('/x', '200', 'OK', {
      ...h('Content-Type', 'text/html'),
      ...h('Transfer-Encoding', 'chunked'),
      ...h('Via', '1.1 origin-proxy'),
    });
    const before = responseOf(event);
    const result = asRecord(await invoke(handler, event));
    expect(result['statusDescription']).toBe('OK');
    for (const [name, was, now] of readOnlyPairs('origin-response', before.headers, headersOf(result))) {
      expect(now, name).toEqual(was);
    }
  });
});
