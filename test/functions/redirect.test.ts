// functions/redirect.js through the public test kit (edgeproxy/testing), as a user tests theirs: each
// call runs in a worker thread like the proxy's, and CloudFront's verdict comes with the result.
import { afterAll, describe, expect, it } from 'vitest';
import { closeWorkers, invoke, type InvokeOptions } from 'edgeproxy/testing';
import { FUNCTIONS_DIR, headersOf, readOnlyPairs } from './support.js';

const FILE = `${FUNCTIONS_DIR}redirect.js`;
const run = (o: Omit<InvokeOptions<'viewer-request'>, 'file' | 'trigger'>) => invoke({ file: FILE, trigger: 'viewer-request', ...o });

afterAll(() => closeWorkers());

describe('functions/redirect.js (viewer-request)', () => {
  it('answers /old-blog/<path> with a generated 301 to /blog/<path>, absolute from the Host header', async () => {
    const r = await run({ uri: '/old-blog/first-post' });
    expect(r.ok).toBe(true);
    const result = r.result as Record<string, unknown>;
    expect(result['status']).toBe('301');
    expect(typeof result['status']).toBe('string');
    expect(result['statusDescription']).toBe('Moved Permanently');
    expect(headersOf(result)['location']).toEqual([{ key: 'Location', value: 'http://127.0.0.1:8080/blog/first-post' }]);
    // A generated response, not a request (docs/cloudfront-reference.md §2.2: decided by `status`).
    expect(result).not.toHaveProperty('uri');
    expect(result).not.toHaveProperty('body');
    expect(r.generated).toMatchObject({ status: 301, statusDescription: 'Moved Permanently', body: '' });
    expect(r.viewer).toMatchObject({ status: 301, xCache: 'LambdaGeneratedResponse' });
  });

  it('maps the bare legacy prefix to the new folder and keeps the query string', async () => {
    const bare = await run({ uri: '/old-blog' });
    expect(bare.generated?.headers['location']?.[0]?.value).toBe('http://127.0.0.1:8080/blog/');
    const withQuery = await run({ uri: '/old-blog/a/b', querystring: 'ref=x&y=1' });
    expect(withQuery.generated?.headers['location']?.[0]?.value).toBe('http://127.0.0.1:8080/blog/a/b?ref=x&y=1');
  });

  it('answers /docs and /docs/ with a 302 to /about/', async () => {
    for (const uri of ['/docs', '/docs/']) {
      const r = await run({ uri, headers: { Host: 'www.example.com' } });
      expect(r.ok).toBe(true);
      const result = r.result as Record<string, unknown>;
      expect(result['status']).toBe('302');
      expect(result['statusDescription']).toBe('Found');
      expect(headersOf(result)['location']).toEqual([{ key: 'Location', value: 'http://www.example.com/about/' }]);
    }
  });

  it('falls back to a relative Location when the viewer sent no Host', async () => {
    const r = await run({ uri: '/docs', headers: { Host: null } });
    expect(r.event.Records[0].cf.request.headers['host']).toBeUndefined();
    expect(r.generated?.headers['location']?.[0]?.value).toBe('/about/');
  });

  it('passes every other request through unchanged, read-only headers included (AWS rule: read-only headers)', async () => {
    for (const uri of ['/', '/blog/first-post', '/old-blogger', '/docs/page', '/assets/style.css']) {
      const r = await run({ uri, querystring: 'a=1', headers: { Via: '1.1 proxy.example', 'Content-Length': '0', 'CDN-Loop': 'example' } });
      const before = r.event.Records[0].cf.request;
      expect(Object.keys(before.headers)).toEqual(expect.arrayContaining(['via', 'content-length', 'cdn-loop']));
      expect(r.result).toEqual(before);
      expect(r.ok).toBe(true);
      expect(r.diff).toEqual([]);
      for (const [name, was, now] of readOnlyPairs('viewer-request', before.headers, headersOf(r.result))) {
        expect(now, name).toEqual(was);
      }
    }
  });
});
