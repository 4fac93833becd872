// Transport: bodies stream both ways without being buffered whole, WebSocket upgrades pass through,
// and close() lets in-flight requests finish.

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

/** Bytes the test origin has written of /large so far. */
let largeSent = 0;

describe('streaming', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  let release: (() => void) | undefined;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      if (req.url === '/held') {
        // First chunk now, the rest only when the test says so: proves the proxy does not wait for the whole body.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first-chunk;');
        release = () => res.end('rest');
        return;
      }
      if (req.url === '/large') {
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        let left = 100;
        largeSent = 0;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length * left) });
        const pump = () => {
          while (left > 0) {
            left--;
            largeSent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }] });
  });
  afterAll(async () => {
    release?.();
    await proxy?.close();
    await origin?.close();
  });

  it('passes the first chunk to the viewer before the origin has finished', async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/held`, (res) => {
        res.once('data', (c: Buffer) => {
          resolve(c.toString());
          res.resume();
        });
      });
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error('no first chunk')));
      req.end();
    });
    expect(first).toContain('first-chunk;');
    release?.();
  });

  it('streams a 100 MB body without holding it in memory: a stalled viewer stalls the origin', async () => {
    let sentWhileStalled = 0;
    const total = await new Promise<number>((resolve, reject) => {
      let n = 0;
      const req = httpRequest(`${proxy.url}/large`, (res) => {
        res.once('data', () => {
          // The viewer stops reading. Had the proxy buffered the body, the origin would write all of it.
          res.pause();
          setTimeout(() => {
            sentWhileStalled = largeSent;
            res.resume();
          }, 500);
        });
        res.on('data', (c: Buffer) => {
          n += c.length;
        });
        res.on('end', () => resolve(n));
      });
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error('download timed out')));
      req.end();
    });
    expect(total).toBe(100 * 1024 * 1024);
    // Backpressure reached the origin: only socket and stream buffers' worth was written ahead.
    expect(sentWhileStalled).toBeGreaterThan(0);
    expect(sentWhileStalled).toBeLessThan(32 * 1024 * 1024);
  });

  it('streams a request body to the origin', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 'y');
    const echo = await startOrigin();
    const p = await startProxy({ origins: [{ id: 'o', url: echo.url }] });
    try {
      const r = await send(p.url, '/upload', { method: 'POST', body });
      expect(r.status).toBe(200);
      expect(echo.requests.at(-1)?.body.length).toBe(body.length);
    } finally {
      await p.close();
      await echo.close();
    }
  });
});

describe('WebSocket upgrade passthrough', () => {
  it('connects an Upgrade request to the origin', async () => {
    const { createServer } = await import('node:http');
    const wsOrigin = createServer();
    const originSockets: Array<{ destroy(): void }> = [];
    wsOrigin.on('upgrade', (_req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(d));
      socket.on('end', () => socket.end());
      originSockets.push(socket);
    });
    await new Promise<void>((r) => wsOrigin.listen(0, '127.0.0.1', r));
    const port = (wsOrigin.address() as { port: number }).port;
    const p = await startProxy({ origins: [{ id: 'o', url: `http://127.0.0.1:${port}` }] });
    try {
      const echoed = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${p.url}/socket`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
        req.on('upgrade', (res, socket) => {
          expect(res.statusCode).toBe(101);
          socket.once('data', (d: Buffer) => {
            resolve(d.toString());
            socket.destroy();
          });
          socket.write('ping');
        });
        req.on('error', reject);
        req.setTimeout(10_000, () => req.destroy(new Error('upgrade timed out')));
        req.end();
      });
      expect(echoed).toBe('ping');
    } finally {
      await p.close();
      for (const s of originSockets) s.destroy();
      wsOrigin.closeAllConnections();
      await new Promise<void>((r) => wsOrigin.close(() => r()));
    }
  });
});

describe('close()', () => {
  it('lets an in-flight request finish, then stops listening', async () => {
    let release: (() => void) | undefined;
    const origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      release = () => res.end('finished');
    });
    const proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }] });
    const inflight = send(proxy.url, '/slow');
    // Wait until the origin has the request.
    for (let i = 0; i < 200 && !release; i++) await new Promise((r) => setTimeout(r, 10));
    const closing = proxy.close();
    release?.();
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.text).toBe('finished');
    await closing;
    await expect(send(proxy.url, '/after', { timeoutMs: 2000 })).rejects.toThrow();
    await origin.close();
  });
});
