// functions/directory-index.js through the public test kit (edgeproxy/testing): the origin-request event
// the proxy builds, the function in a worker, CloudFront's verdict and the diff.
import { afterAll, describe, expect, it } from 'vitest';
import { closeWorkers, invoke, type InvokeOptions } from 'edgeproxy/testing';
import { asRecord, FUNCTIONS_DIR, headersOf, readOnlyPairs } from './support.js';

const FILE = `${FUNCTIONS_DIR}directory-index.js`;
const run = (o: Omit<InvokeOptions<'origin-request'>, 'file' | 'trigger'>) => invoke({ file: FILE, trigger: 'origin-request', ...o });

afterAll(() => closeWorkers());

async function rewritten(uri: string): Promise<unknown> {
  const r = await run({ uri });
  expect(r.ok).toBe(true);
  return asRecord(r.result)['uri'];
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
    const r = await run({
      uri: '/about',
      headers: { 'If-None-Match': '"abc"', 'If-Modified-Since': 'Wed, 26 Nov 2026 10:00:00 GMT', 'CDN-Loop': 'cloudfront' },
    });
    const before = r.event.Records[0].cf.request;
    // The origin-side request carries them (the default policy forwards every viewer header).
    expect(Object.keys(before.headers)).toEqual(expect.arrayContaining(['if-none-match', 'if-modified-since', 'cdn-loop', 'via', 'accept-encoding']));
    expect(before.origin).toBeDefined();
    const result = asRecord(r.result);
    expect(result).toEqual({ ...before, uri: '/about/index.html' });
    expect(r.ok).toBe(true);
    expect(r.diff).toEqual([{ op: 'changed', field: 'uri', before: '/about', after: '/about/index.html' }]);
    for (const [name, was, now] of readOnlyPairs('origin-request', before.headers, headersOf(result))) {
      expect(now, name).toEqual(was);
    }
  });
});
