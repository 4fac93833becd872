// Origin groups end to end (docs/cloudfront-reference.md §14): real origins, real proxy, real worker
// threads. Failover on a configured status and on connection failure or timeout; none for other
// statuses, nor for methods CloudFront does not fail over; origin-request runs again and sees the
// secondary; origin-response runs once, on the answer the viewer gets; hits skip both origins.

import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FNS = 'e2e/distribution-fns.mjs';

/** An origin answering `status` with a body naming it. */
function answering(name: string, status: number, cacheControl = 'no-store'): Promise<TestOrigin> {
  return startOrigin((_req, res) => {
    const body = `${name} ${status}`;
    res.writeHead(status, { 'content-type': 'text/plain', 'cache-control': cacheControl, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

/** A port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

describe('origin groups', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });
  async function origin(name: string, status: number, cacheControl?: string): Promise<TestOrigin> {
    const o = await answering(name, status, cacheControl);
    open.push(o);
    return o;
  }
  async function proxy(primaryUrl: string, secondary: TestOrigin, extra: { statusCodes?: number[]; behavior?: Record<string, unknown>; primary?: Record<string, unknown> } = {}): Promise<TestProxy> {
    const p = await startProxy({
      origins: [{ id: 'primary', url: primaryUrl, ...extra.primary }, { id: 'secondary', url: secondary.url }],
      originGroups: [{ id: 'group', members: ['primary', 'secondary'], failoverCriteria: { statusCodes: extra.statusCodes ?? [500, 502, 503, 504] } }],
      functions: [
        { id: 'tagReq', file: FNS, export: 'tagOriginRequest' },
        { id: 'tagStatus', file: FNS, export: 'tagOriginStatus' },
      ],
      inspector: { headers: true },
      behaviors: [{ pathPattern: '*', origin: 'group', cachePolicy: 'CachingDisabled', allowedMethods: ALL_METHODS, ...extra.behavior }],
    });
    open.push(p);
    return p;
  }

  it('fails over on a configured status: the secondary answers, origin-request ran again and saw it, origin-response ran once', async () => {
    const primary = await origin('primary', 503);
    const secondary = await origin('secondary', 200);
    const p = await proxy(primary.url, secondary, { behavior: { functions: { 'origin-request': 'tagReq', 'origin-response': 'tagStatus' } } });
    const r = await send(p.url, '/page');
    expect(r.status).toBe(200);
    expect(r.text).toBe('secondary 200');
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
    expect(primary.hits).toBe(1);
    expect(secondary.hits).toBe(1);
    // The origin-request function ran for each origin and saw the one the request went to.
    const tag = (o: TestOrigin): string | undefined => {
      const raw = o.requests[0]?.rawHeaders ?? [];
      const i = raw.findIndex((h, k) => k % 2 === 0 && h.toLowerCase() === 'x-origin-request');
      return i === -1 ? undefined : raw[i + 1];
    };
    expect(tag(primary)).toBe(`127.0.0.1:${primary.port}`);
    expect(tag(secondary)).toBe(`127.0.0.1:${secondary.port}`);
    // origin-response: once, on the secondary's answer.
    expect(r.headers['x-origin-status']).toBe('200');
    const executed = String(r.headers['x-edgeproxy-executed-version']);
    expect(executed.match(/origin-request=/g)?.length).toBe(2);
    expect(executed.match(/origin-response=/g)?.length).toBe(1);
  });

  it('does not fail over on a status the group does not list, nor on success', async () => {
    const primary = await origin('primary', 404);
    const secondary = await origin('secondary', 200);
    const p = await proxy(primary.url, secondary);
    const r = await send(p.url, '/missing');
    expect(r.status).toBe(404);
    expect(r.text).toBe('primary 404');
    expect(secondary.hits).toBe(0);

    const ok = await origin('ok', 200);
    const p2 = await proxy(ok.url, secondary, { statusCodes: [404] });
    const r2 = await send(p2.url, '/fine');
    expect(r2.text).toBe('ok 200');
    expect(secondary.hits).toBe(0);
  });

  it('fails over on a 4xx the group lists', async () => {
    const primary = await origin('primary', 404);
    const secondary = await origin('secondary', 200);
    const p = await proxy(primary.url, secondary, { statusCodes: [403, 404] });
    const r = await send(p.url, '/moved-to-secondary');
    expect(r.text).toBe('secondary 200');
    expect(primary.hits).toBe(1);
  });

  it('fails over when the primary refuses the connection', async () => {
    const secondary = await origin('secondary', 200);
    const p = await proxy(`http://127.0.0.1:${await deadPort()}`, secondary);
    const r = await send(p.url, '/x');
    expect(r.status).toBe(200);
    expect(r.text).toBe('secondary 200');
    expect(secondary.hits).toBe(1);
  });

  it('fails over when the primary does not answer within its response timeout', async () => {
    const silent = await startOrigin(() => {
      /* never answers */
    });
    open.push(silent);
    const secondary = await origin('secondary', 200);
    const p = await proxy(silent.url, secondary, { primary: { readTimeout: 0.3 } });
    const r = await send(p.url, '/slow');
    expect(r.status).toBe(200);
    expect(r.text).toBe('secondary 200');
    expect(silent.hits).toBe(1);
  });

  it('HEAD and OPTIONS fail over; POST, PUT, PATCH and DELETE go to the primary only', async () => {
    const primary = await origin('primary', 503);
    const secondary = await origin('secondary', 200);
    const p = await proxy(primary.url, secondary);
    const head = await send(p.url, '/h', { method: 'HEAD' });
    expect(head.status).toBe(200);
    const options = await send(p.url, '/o', { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.text).toBe('secondary 200');
    expect(secondary.hits).toBe(2);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await send(p.url, '/w', { method, body: 'data' });
      expect(r.status, method).toBe(503);
      expect(r.text, method).toBe('primary 503');
    }
    expect(secondary.hits).toBe(2);
    // The unsafe methods' bodies reached the primary intact.
    expect(primary.requests.filter((q) => q.method === 'POST').map((q) => q.body.toString())).toEqual(['data']);
  });

  it('when the secondary fails too, the viewer gets the secondary’s answer', async () => {
    const primary = await origin('primary', 500);
    const secondary = await origin('secondary', 503);
    const p = await proxy(primary.url, secondary);
    const r = await send(p.url, '/both');
    expect(r.status).toBe(503);
    expect(r.text).toBe('secondary 503');
    expect(primary.hits).toBe(1);
    expect(secondary.hits).toBe(1);

    const p2 = await proxy(primary.url, { url: `http://127.0.0.1:${await deadPort()}` } as TestOrigin);
    const r2 = await send(p2.url, '/both-down');
    expect(r2.status).toBe(502);
    expect(r2.headers['x-cache']).toBe('Error from cloudfront');
  });

  it('a cached answer from the secondary is a hit: neither origin is asked again', async () => {
    const primary = await origin('primary', 502);
    const secondary = await origin('secondary', 200, 'max-age=60');
    const p = await proxy(primary.url, secondary, { behavior: { cachePolicy: 'CachingOptimized' } });
    const first = await send(p.url, '/cached');
    expect(first.text).toBe('secondary 200');
    const second = await send(p.url, '/cached');
    expect(second.headers['x-cache']).toBe('Hit from cloudfront');
    expect(second.text).toBe('secondary 200');
    expect(primary.hits).toBe(1);
    expect(secondary.hits).toBe(1);
  });
});
