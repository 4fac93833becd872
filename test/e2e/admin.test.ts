// The admin listener through the real proxy: it lists and invalidates what the viewer listener cached.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

describe('admin listener', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin((_q, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': 2 });
      res.end('ok');
    });
    proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }], admin: { port: 0 } });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('listens on loopback and lists cached objects', async () => {
    expect(proxy.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await send(proxy.url, '/listed');
    const r = await send(proxy.adminUrl as string, '/cache');
    const listing = JSON.parse(r.text) as { entries: Array<{ path: string; hits: number }> };
    expect(listing.entries.map((e) => e.path)).toContain('/listed');
  });

  it('POST /invalidations removes the object; the next request goes to the origin', async () => {
    await send(proxy.url, '/a');
    await send(proxy.url, '/a');
    const before = origin.hits;
    const r = await send(proxy.adminUrl as string, '/invalidations', {
      method: 'POST',
      body: '{"paths":["/a"]}',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(201);
    expect((JSON.parse(r.text) as { removedCount: number }).removedCount).toBe(1);
    await send(proxy.url, '/a');
    expect(origin.hits).toBe(before + 1);
  });

  it('serves metrics in Prometheus text format, counting the viewer requests it answered', async () => {
    const count = async (): Promise<number> => {
      const r = await send(proxy.adminUrl as string, '/metrics');
      expect(r.status).toBe(200);
      const line = r.text.split('\n').find((l) => l.startsWith('edgeproxy_cloudfront_requests_total'));
      expect(line, 'no edgeproxy_cloudfront_requests_total sample').toBeDefined();
      return Number(line?.split(' ').pop());
    };
    const before = await count();
    await send(proxy.url, '/m1');
    await send(proxy.url, '/m2');
    expect(await count()).toBe(before + 2);
  });
});
