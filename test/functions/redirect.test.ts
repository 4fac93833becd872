import { describe, expect, it } from 'vitest';
import { asRecord, h, headersOf, invoke, loadHandler, readOnlyPairs, viewerRequest } from './harness.js';

const handler = loadHandler('redirect.js');

describe('functions/redirect.js (viewer-request)', () => {
  it('answers /old-blog/<path> with a generated 301 to /blog/<path>, absolute from the Host header', async () => {
    const result = asRecord(await invoke(handler, viewerRequest('/old-blog/first-post')));
    expect(result['status']).toBe('301');
    expect(typeof result['status']).toBe('string');
    expect(result['statusDescription']).toBe('Moved Permanently');
    expect(headersOf(result)['location']).toEqual([{ key: 'Location', value: 'http://127.0.0.1:8080/blog/first-post' }]);
    // A generated response, not a request (docs/cloudfront-reference.md §2.2: decided by `status`).
    expect(result).not.toHaveProperty('uri');
    expect(result).not.toHaveProperty('body');
  });

  it('maps the bare legacy prefix to the new folder and keeps the query string', async () => {
    const bare = asRecord(await invoke(handler, viewerRequest('/old-blog')));
    expect(headersOf(bare)['location']?.[0]?.value).toBe('http://127.0.0.1:8080/blog/');
    const withQuery = asRecord(await invoke(handler, viewerRequest('/old-blog/a/b', { querystring: 'ref=x&y=1' })));
    expect(headersOf(withQuery)['location']?.[0]?.value).toBe('http://127.0.0.1:8080/blog/a/b?ref=x&y=1');
  });

  it('answers /docs and /docs/ with a 302 to /about/', async () => {
    for (const uri of ['/docs', '/docs/']) {
      const result = asRecord(await invoke(handler, viewerRequest(uri, { headers: h('Host', 'www.example.com') })));
      expect(result['status']).toBe('302');
      expect(result['statusDescription']).toBe('Found');
      expect(headersOf(result)['location']).toEqual([{ key: 'Location', value: 'http://www.example.com/about/' }]);
    }
  });

  it('falls back to a relative Location when the viewer sent no Host', async () => {
    const event = viewerRequest('/docs');
    delete event.Records[0].cf.request.headers['host'];
    const result = asRecord(await invoke(handler, event));
    expect(headersOf(result)['location']?.[0]?.value).toBe('/about/');
  });

  it('passes every other request through unchanged, read-only headers included (AWS rule: read-only headers)', async () => {
    for (const uri of ['/', '/blog/first-post', '/old-blogger', '/docs/page', '/assets/style.css']) {
      const event = viewerRequest(uri, {
        querystring: 'a=1',
        headers: { ...h('Via', '1.1 proxy.example'), ...h('Content-Length', '0'), ...h('CDN-Loop', 'example') },
      });
      const before = event.Records[0].cf.request;
      const result = await invoke(handler, event);
      expect(result).toEqual(before);
      for (const [name, was, now] of readOnlyPairs('viewer-request', before.headers, headersOf(result))) {
        expect(now, name).toEqual(was);
      }
    }
  });
});
