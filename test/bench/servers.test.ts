import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLimit } from '../../bench/servers/limit.js';
import { startOrigin } from '../../bench/servers/origin.js';
import { startPassthrough } from '../../bench/servers/passthrough.js';

interface Got {
  status: number;
  raw: string[];
  body: Buffer;
}

function fetchRaw(base: string, path: string, method = 'GET', body?: Buffer): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const header = (g: Got, name: string): string | undefined => {
  const i = g.raw.findIndex((h, j) => j % 2 === 0 && h.toLowerCase() === name);
  return i === -1 ? undefined : g.raw[i + 1];
};

describe('bench origin', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(() => origin.close());

  it('serves cacheable bodies of the size in the path', async () => {
    const g = await fetchRaw(origin.url, '/cache/1024/obj/7');
    expect(g.status).toBe(200);
    expect(g.body.length).toBe(1024);
    expect(header(g, 'cache-control')).toBe('public, max-age=86400');
    expect(header(g, 'content-length')).toBe('1024');
  });

  it('serves no-store bodies', async () => {
    const g = await fetchRaw(origin.url, '/nostore/65536');
    expect(g.body.length).toBe(65536);
    expect(header(g, 'cache-control')).toBe('no-store');
  });

  it('echoes the POST body length', async () => {
    const g = await fetchRaw(origin.url, '/echo', 'POST', Buffer.alloc(16384, 'b'));
    expect(JSON.parse(g.body.toString())).toEqual({ received: 16384 });
  });

  it('answers 404 for unknown paths and absurd sizes', async () => {
    expect((await fetchRaw(origin.url, '/nope')).status).toBe(404);
    expect((await fetchRaw(origin.url, '/cache/99999999')).status).toBe(404);
  });
});

describe('bench limit server', () => {
  it('replays the given status, headers in order and body, for any path', async () => {
    const limit = await startLimit({
      status: 203,
      headers: [
        ['Content-Type', 'text/plain'],
        ['X-Cache', 'Hit from cloudfront'],
        ['Age', '0'],
      ],
      bodyBase64: Buffer.from('hello').toString('base64'),
    });
    try {
      for (const path of ['/', '/cache/512/obj/42']) {
        const g = await fetchRaw(limit.url, path);
        expect(g.status).toBe(203);
        expect(g.body.toString()).toBe('hello');
        const names = g.raw.filter((_, i) => i % 2 === 0);
        expect(names.slice(0, 4)).toEqual(['Content-Type', 'X-Cache', 'Age', 'Content-Length']);
        expect(header(g, 'content-length')).toBe('5');
      }
    } finally {
      await limit.close();
    }
  });
});

describe('bench passthrough', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let proxy: Awaited<ReturnType<typeof startPassthrough>>;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startPassthrough(origin.url);
  });
  afterAll(async () => {
    await proxy.close();
    await origin.close();
  });

  it('forwards GET with the origin status, headers and body', async () => {
    const g = await fetchRaw(proxy.url, '/nostore/2048');
    expect(g.status).toBe(200);
    expect(g.body.length).toBe(2048);
    expect(header(g, 'cache-control')).toBe('no-store');
  });

  it('streams a POST body to the origin', async () => {
    const g = await fetchRaw(proxy.url, '/echo', 'POST', Buffer.alloc(16384, 'b'));
    expect(JSON.parse(g.body.toString())).toEqual({ received: 16384 });
  });

  it('passes the origin 404 through', async () => {
    expect((await fetchRaw(proxy.url, '/missing')).status).toBe(404);
  });
});
