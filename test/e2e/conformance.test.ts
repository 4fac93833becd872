// The behavior the HTTP-caching conformance suite runs through: MinTTL 0, DefaultTTL 0,
// MaxTTL one year, all query strings, all viewer headers forwarded. Under it the cache must act as
// a plain RFC 9111 shared cache. A few representative checks; the unit tests cover the rules.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

describe('conformance behavior', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  let n = 0;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      n++;
      const url = new URL(req.url ?? '/', 'http://x');
      const h: Record<string, string> = { 'content-type': 'text/plain' };
      for (const [k, v] of url.searchParams) if (k.startsWith('h-')) h[k.slice(2)] = v;
      if (req.headers['if-none-match'] !== undefined && req.headers['if-none-match'] === h.etag) {
        res.writeHead(304, h);
        res.end();
        return;
      }
      res.writeHead(200, h);
      res.end(`#${n} ${req.headers['x-test'] ?? ''}`);
    });
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      behaviors: [
        {
          pathPattern: '*',
          origin: 'o',
          cachePolicy: {
            name: 'Conformance',
            minTTL: 0,
            defaultTTL: 0,
            maxTTL: 31536000,
            queryStrings: 'all',
            enableAcceptEncodingGzip: false,
            enableAcceptEncodingBrotli: false,
          },
          originRequestPolicy: 'AllViewer',
        },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('forwards viewer headers and keeps Host (AllViewer)', async () => {
    await send(proxy.url, '/fwd', { headers: { 'x-test': 'hello' } });
    const seen = origin.requests.at(-1)!;
    const h = (name: string) => seen.rawHeaders[seen.rawHeaders.findIndex((x) => x.toLowerCase() === name) + 1];
    expect(h('x-test')).toBe('hello');
    expect(h('host')).toBe(new URL(proxy.url).host);
  });

  it('reuses a response with explicit freshness', async () => {
    const a = await send(proxy.url, '/f?h-cache-control=max-age%3D3600');
    const b = await send(proxy.url, '/f?h-cache-control=max-age%3D3600');
    expect(b.text).toBe(a.text);
    expect(b.headers['x-cache']).toBe('Hit from cloudfront');
  });

  it('does not reuse a response without freshness (DefaultTTL 0) and revalidates one with a validator', async () => {
    const a = await send(proxy.url, '/nf');
    const b = await send(proxy.url, '/nf');
    expect(b.text).not.toBe(a.text);
    await send(proxy.url, '/v?h-etag=%22x%22');
    const r = await send(proxy.url, '/v?h-etag=%22x%22');
    expect(r.headers['x-cache']).toBe('RefreshHit from cloudfront');
  });

  it('never reuses a no-cache response without asking the origin (AWS rule: how long an object stays cached (TTL): MinTTL 0 → not stored)', async () => {
    const before = origin.hits;
    await send(proxy.url, '/nc?h-cache-control=no-cache&h-etag=%22y%22');
    const r = await send(proxy.url, '/nc?h-cache-control=no-cache&h-etag=%22y%22');
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
    expect(origin.hits).toBe(before + 2);
  });

  it('prefers s-maxage over max-age for a shared cache', async () => {
    await send(proxy.url, '/s?h-cache-control=max-age%3D3600%2C%20s-maxage%3D0');
    const r = await send(proxy.url, '/s?h-cache-control=max-age%3D3600%2C%20s-maxage%3D0');
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
  });
});
