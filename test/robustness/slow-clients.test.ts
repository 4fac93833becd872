// Slow and incomplete viewers against the listener's limits (listen.requestHeadTimeout,
// keepAliveTimeout, requestBodyTimeout, maxPendingConnections), with short limits so the suite stays
// fast. The deadlines below are generous bounds on "does not hang", never speed assertions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';
import { parseResponses, rawExchange, sleep } from './raw.js';
import { createServer as createHttpServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const H = 'Host: edge.test\r\n';
const LIMIT_S = 0.4;
/** Far above every limit here: reaching it means the proxy held the connection. */
const DEADLINE_MS = 8_000;

describe('slow viewers', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      behaviors: [{ pathPattern: '*', origin: 'o', allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'] }],
      listen: { host: '127.0.0.1', port: 0, requestHeadTimeout: LIMIT_S, keepAliveTimeout: LIMIT_S, requestBodyTimeout: LIMIT_S },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('a connection that sends nothing is closed without an answer', async () => {
    const r = await rawExchange(proxy.url, [], { deadlineMs: DEADLINE_MS });
    expect(r.closed).toBe(true);
    expect(r.text).toBe('');
  });

  it('a head sent one byte at a time (slowloris) gets 408 RequestTimeout and is closed before it finishes', async () => {
    // 400 pieces 50 ms apart would take 20 s; the head timeout is 0.4 s.
    const head = `GET /slowloris HTTP/1.1\r\n${H}X-Padding: ${'p'.repeat(400)}\r\n\r\n`;
    const r = await rawExchange(proxy.url, [...head], { gapMs: 50, deadlineMs: DEADLINE_MS, stopOnClose: true });
    expect(r.closed).toBe(true);
    const { responses } = parseResponses(r.text);
    expect(responses.map((x) => x.status)).toEqual([408]);
    const res = responses[0]!;
    expect(res.headers.get('x-cache')).toBe('Error from cloudfront');
    expect(res.headers.get('connection')).toBe('close');
    expect(res.body).toContain('<H1>408 ERROR</H1>');
    const id = res.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toContain('(unparsed request) → 408 request: RequestTimeout: request head not complete within 400 ms');
    expect(origin.requests.some((q) => q.url === '/slowloris')).toBe(false);
  });

  it('a request line without a version (HTTP/0.9) gets 408 when the head timeout passes', async () => {
    const r = await rawExchange(proxy.url, 'GET /\r\n', { deadlineMs: DEADLINE_MS });
    expect(r.closed).toBe(true);
    expect(parseResponses(r.text).responses.map((x) => x.status)).toEqual([408]);
  });

  it('an idle keep-alive connection is closed after keepAliveTimeout, without another answer', async () => {
    const r = await rawExchange(proxy.url, `GET /ka HTTP/1.1\r\n${H}\r\n`, { deadlineMs: DEADLINE_MS });
    expect(r.closed).toBe(true);
    const { responses, rest } = parseResponses(r.text);
    expect(responses.map((x) => x.status)).toEqual([200]);
    expect(rest).toBe('');
  });

  it('a body that stops gets 408 RequestTimeout; the origin never receives a complete request', async () => {
    const before = origin.requests.length;
    const r = await rawExchange(proxy.url, `POST /stalled HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`, { deadlineMs: DEADLINE_MS });
    expect(r.closed).toBe(true);
    const { responses } = parseResponses(r.text);
    expect(responses.map((x) => x.status)).toEqual([408]);
    expect(responses[0]?.headers.get('x-cache')).toBe('Error from cloudfront');
    const id = responses[0]?.headers.get('x-amz-cf-id') ?? '';
    // One line, naming the request; the aborted origin upload is not reported as an origin error.
    expect(proxy.logs.filter((l) => l.includes(id))).toEqual([
      expect.stringContaining('POST /stalled → 408 request: RequestTimeout: no request body bytes for 400 ms'),
    ]);
    await sleep(100);
    expect(proxy.logs.filter((l) => l.includes('/stalled') && /origin-fetch|Origin[A-Za-z]*Error/.test(l))).toEqual([]);
    expect(origin.requests.slice(before)).toEqual([]);
  });

  it('a chunked body that stops gets 408 too', async () => {
    const r = await rawExchange(proxy.url, `POST /stalled-chunked HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n`, { deadlineMs: DEADLINE_MS });
    expect(r.closed).toBe(true);
    expect(parseResponses(r.text).responses.map((x) => x.status)).toEqual([408]);
  });

  it('a slow but steady body (every gap under the limit) is forwarded whole, however long it takes in total', async () => {
    const before = origin.requests.length;
    const body = 'abcdefghij';
    // 10 pieces 100 ms apart: 1 s in total, over the 0.4 s limit, but no gap is.
    const r = await rawExchange(proxy.url, [`POST /steady HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`, ...body], {
      gapMs: 100,
      deadlineMs: DEADLINE_MS,
    });
    expect(parseResponses(r.text).responses.map((x) => x.status)).toEqual([200]);
    expect(origin.requests.slice(before).map((q) => q.body.toString())).toEqual([body]);
  });

  it('keeps serving', async () => {
    const r = await send(proxy.url, '/after-slow');
    expect(r.status).toBe(200);
  });
});

describe('the cap on connections waiting for a request', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  const held: Socket[] = [];
  const CAP = 4;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      listen: { host: '127.0.0.1', port: 0, requestHeadTimeout: 1, maxPendingConnections: CAP },
    });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await proxy?.close();
    await origin?.close();
  });

  function open(): Promise<Socket> {
    const u = new URL(proxy.url);
    return new Promise((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () => resolve(s));
      s.on('error', reject);
    });
  }

  it('refuses new connections while the cap is full of silent ones, says so in the log, and accepts again once they time out', async () => {
    for (let i = 0; i < CAP; i++) held.push(await open());
    // A fifth connection is closed at once, before it can send anything.
    const refused = await rawExchange(proxy.url, `GET /refused HTTP/1.1\r\n${H}\r\n`, { deadlineMs: DEADLINE_MS });
    expect(refused.closed).toBe(true);
    expect(refused.text).toBe('');
    expect(proxy.logs.filter((l) => l.includes('viewer listener:'))).toEqual([
      expect.stringMatching(new RegExp(`^viewer listener: ${CAP} connections are waiting for a request \\(limit listen\\.maxPendingConnections = ${CAP}\\); refused 1 new connection\\(s\\), the last from 127\\.0\\.0\\.1:\\d+$`)),
    ]);
    expect(origin.requests.some((q) => q.url === '/refused')).toBe(false);
    // The silent ones are closed by the head timeout (1 s); then the listener takes connections again.
    const closed = await Promise.all(held.map((s) => new Promise<boolean>((r) => (s.destroyed ? r(true) : s.once('close', () => r(true))))));
    expect(closed).toEqual([true, true, true, true]);
    const r = await send(proxy.url, '/after-cap');
    expect(r.status).toBe(200);
  });

  it('upgraded (WebSocket) connections do not count: they are tunnels, not connections waiting for a request', async () => {
    const wsOrigin = createHttpServer((_req, res) => res.end('plain'));
    const originTunnels: Duplex[] = [];
    wsOrigin.on('upgrade', (_req, socket) => {
      originTunnels.push(socket);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(d));
    });
    await new Promise<void>((r) => wsOrigin.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(wsOrigin.address() as AddressInfo).port}`;
    const p3 = await startProxy({ origins: [{ id: 'o', url }], listen: { host: '127.0.0.1', port: 0, maxPendingConnections: 2 } });
    const tunnels: Socket[] = [];
    try {
      const u = new URL(p3.url);
      for (let i = 0; i < 3; i++) {
        const s = connect(Number(u.port), u.hostname);
        tunnels.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.once('close', () => reject(new Error(`tunnel ${i + 1} was closed before its 101`)));
          s.once('data', (d: Buffer) => (d.toString().startsWith('HTTP/1.1 101') ? resolve() : reject(new Error(d.toString()))));
          s.write(`GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        });
      }
      const r = await send(p3.url, '/plain');
      expect(r.text).toBe('plain');
      expect(p3.logs.filter((l) => l.includes('viewer listener:'))).toEqual([]);
    } finally {
      for (const s of tunnels) s.destroy();
      await p3.close();
      for (const s of originTunnels) s.destroy();
      wsOrigin.closeAllConnections();
      await new Promise<void>((r) => wsOrigin.close(() => r()));
    }
  });

  it('connections with a request in progress do not count', async () => {
    // CAP keep-alive clients each in the middle of a request (the origin holds /hold): new ones still get in.
    const slow = await startOrigin((_req, res) => setTimeout(() => res.end('late'), 500));
    const p2 = await startProxy({ origins: [{ id: 'o', url: slow.url }], behaviors: [{ pathPattern: '*', origin: 'o', cachePolicy: 'CachingDisabled' }], listen: { host: '127.0.0.1', port: 0, maxPendingConnections: 2 } });
    try {
      const inFlight = [send(p2.url, '/hold-1'), send(p2.url, '/hold-2'), send(p2.url, '/hold-3')];
      await sleep(100);
      const extra = await send(p2.url, '/extra');
      expect(extra.text).toBe('late');
      expect((await Promise.all(inFlight)).map((x) => x.status)).toEqual([200, 200, 200]);
      expect(p2.logs.filter((l) => l.includes('viewer listener:'))).toEqual([]);
    } finally {
      await p2.close();
      await slow.close();
    }
  });
});
