import { describe, expect, it } from 'vitest';
import { asRecord, h, headersOf, invoke, loadHandler, originRequest, readOnlyPairs } from './harness.js';

const handler = loadHandler('directory-index.js');

async function rewritten(uri: string): Promise<unknown> {
  return asRecord(await invoke(handler, originRequest(uri)))['uri'];
}

describe('functions/directory-index.js (origin-request)', () => {
  it.each([
    ['/', '/index.html'],
    ['/blog/', '/blog/index.html'],
    ['/about/', '/about/index.html'],
    ['/v1.2/', '/v1.2/index.html'],
  ])('appends index.html to a directory path: %s → %s', async (uri, expected) => {
    expect(await rewritten(uri)).toBe(expected);
  });

  it.each([
    ['/about', '/about/index.html'],
    ['/blog/first-post', '/blog/first-post/index.html'],
  ])('treats an extensionless path as a directory: %s → %s', async (uri, expected) => {
    expect(await rewritten(uri)).toBe(expected);
  });

  it.each([
    ['/app', '/app/index.html'],
    ['/app/', '/app/index.html'],
    ['/app/settings', '/app/index.html'],
    ['/app/users/42/edit', '/app/index.html'],
  ])('falls back to the single-page app shell: %s → %s', async (uri, expected) => {
    expect(await rewritten(uri)).toBe(expected);
  });

  it.each(['/index.html', '/assets/style.css', '/assets/logo.svg', '/app/missing.png', '/blog/first-post/index.html'])(
    'leaves a path with a file extension alone: %s',
    async (uri) => {
      expect(await rewritten(uri)).toBe(uri);
    },
  );

  it.each(['/api/time', '/api/echo', '/api/echo/deeper'])('leaves the dynamic route %s alone', async (uri) => {
    expect(await rewritten(uri)).toBe(uri);
  });

  it('does not treat /apple as part of the app', async () => {
    expect(await rewritten('/apple')).toBe('/apple/index.html');
  });

  it('changes only the uri: headers (read-only ones included), origin and the rest stay as received', async () => {
    const event = originRequest('/about', {
      ...h('If-None-Match', '"abc"'),
      ...h('If-Modified-Since', 'Wed, 26 Nov 2026 10:00:00 GMT'),
      ...h('CDN-Loop', 'cloudfront'),
    });
    const before = event.Records[0].cf.request;
    const result = asRecord(await invoke(handler, event));
    expect(result).toEqual({ ...before, uri: '/about/index.html' });
    for (const [name, was, now] of readOnlyPairs('origin-request', before.headers, headersOf(result))) {
      expect(now, name).toEqual(was);
    }
  });
});
