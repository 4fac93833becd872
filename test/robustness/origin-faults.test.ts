// Origins that misbehave at every point of a response — refuse, reset or close before and inside the
// head and the body, stall, send garbage or an oversized head, send interim (1xx) responses, use
// close-delimited bodies — each against what the viewer gets, that nothing partial is cached (a second
// request goes to the origin again), and that the proxy keeps serving.

import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startProxy, type TestProxy } from '../helpers.js';
import { parseResponses, rawExchange, sleep } from './raw.js';
import { startRawOrigin, type RawOrigin, type Script } from './raw-origin.js';

const CACHEABLE = 'Cache-Control: max-age=600\r\n';
const BODY = 'x'.repeat(100);
const READ_TIMEOUT_S = 0.5;

const head = (status: string, headers: string): string => `HTTP/1.1 ${status}\r\n${headers}\r\n`;
const ok = (extra = ''): string => head('200 OK', `Content-Type: text/plain\r\n${CACHEABLE}Content-Length: ${BODY.length}\r\n${extra}`) + BODY;

/** Writes, then waits a moment so the bytes leave before what the script does next. */
function later(socket: Socket, fn: () => void): void {
  setTimeout(() => {
    if (!socket.destroyed) fn();
  }, 50);
}

const SCRIPTS: Record<string, Script> = {
  '/reset-before-head': (s) => void s.resetAndDestroy(),
  '/close-before-head': (s) => void s.end(),
  '/reset-in-head': (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Le');
    later(s, () => s.resetAndDestroy());
  },
  '/garbage': (s) => void s.end('SSH-2.0-OpenSSH_9.6\r\n'),
  '/bad-status-line': (s) => void s.end('HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n'),
  '/oversized-head': (s) => void s.end(head('200 OK', `X-Big: ${'h'.repeat(30_000)}\r\nContent-Length: 2\r\n`) + 'ok'),
  '/head-19k': (s) => void s.end(head('200 OK', `X-Big: ${'h'.repeat(19_000)}\r\n${CACHEABLE}Content-Length: 2\r\n`) + 'ok'),
  '/stall-before-head': () => {},
  '/reset-in-body': (s) => {
    s.write(head('200 OK', `${CACHEABLE}Content-Length: ${BODY.length}\r\n`) + BODY.slice(0, 10));
    later(s, () => s.resetAndDestroy());
  },
  '/short-body-then-close': (s) => void s.end(head('200 OK', `${CACHEABLE}Content-Length: ${BODY.length}\r\n`) + BODY.slice(0, 10)),
  '/chunked-cut': (s) => void s.end(head('200 OK', `${CACHEABLE}Transfer-Encoding: chunked\r\n`) + '5\r\nhello\r\n'),
  '/stall-in-body': (s) => void s.write(head('200 OK', `${CACHEABLE}Content-Length: ${BODY.length}\r\n`) + BODY.slice(0, 10)),
  '/close-delimited': (s) => void s.end(head('200 OK', `${CACHEABLE}Connection: close\r\n`) + BODY),
  '/close-delimited-reset': (s) => {
    s.write(head('200 OK', `${CACHEABLE}Connection: close\r\n`) + BODY.slice(0, 10));
    later(s, () => s.resetAndDestroy());
  },
  '/continue': (s) => void s.end(head('100 Continue', '') + ok()),
  '/continue-twice': (s) => void s.end(head('100 Continue', '') + head('100 Continue', '') + ok()),
  '/early-hints': (s) => void s.end(head('103 Early Hints', 'Link: </style.css>; rel=preload\r\n') + ok()),
  '/processing': (s) => void s.end(head('102 Processing', '') + ok()),
  '/continue-then-hints': (s) => void s.end(head('100 Continue', '') + head('103 Early Hints', 'Link: </a.js>; rel=preload\r\n') + ok()),
  '/continue-late': (s) => {
    // The interim response first, the final one a moment later (as a framework that sends 100 while it works).
    s.write(head('100 Continue', ''));
    later(s, () => s.end(ok()));
  },
  '/switching-protocols': (s) => void s.end(head('101 Switching Protocols', 'Upgrade: h2c\r\nConnection: Upgrade\r\n')),
  '/length-and-chunked': (s) => void s.end(head('200 OK', `${CACHEABLE}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`) + '5\r\nhello\r\n0\r\n\r\n'),
  '/ok': (s) => {
    s.write(ok());
    return 'keep';
  },
};

describe('misbehaving origins', () => {
  let origin: RawOrigin;
  let proxy: TestProxy;
  let deadPort: number;
  beforeAll(async () => {
    origin = await startRawOrigin(SCRIPTS);
    // A port nobody listens on: take one and let it go.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    proxy = await startProxy({
      origins: [
        { id: 'raw', url: origin.url, readTimeout: READ_TIMEOUT_S },
        { id: 'dead', url: `http://127.0.0.1:${deadPort}` },
      ],
      behaviors: [
        { pathPattern: '/refused', origin: 'dead' },
        { pathPattern: '*', origin: 'raw', allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'] },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  /** One request on its own connection; the raw answer. */
  async function get(path: string): Promise<{ status: number; xCache: string | undefined; body: string; rest: string; text: string; id: string }> {
    const r = await rawExchange(proxy.url, `GET ${path} HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n`, { deadlineMs: 10_000 });
    expect(r.closed).toBe(true);
    const { responses, rest } = parseResponses(r.text);
    const res = responses[0];
    const statusOnly = /^HTTP\/1\.1 (\d{3})/.exec(r.text);
    return {
      status: res?.status ?? Number(statusOnly?.[1] ?? 0),
      xCache: res?.headers.get('x-cache') ?? /\r\nX-Cache: ([^\r]*)/i.exec(r.text)?.[1],
      body: res?.body ?? '',
      rest,
      text: r.text,
      id: res?.headers.get('x-amz-cf-id') ?? /\r\nX-Amz-Cf-Id: ([^\r]*)/i.exec(r.text)?.[1] ?? '',
    };
  }

  function logFor(id: string): string {
    return proxy.logs.find((l) => l.includes(id)) ?? '';
  }

  describe('failures before the response head: CloudFront\'s error page', () => {
    it.each([
      ['/reset-before-head', 502, 'OriginConnectError'],
      ['/close-before-head', 502, 'OriginConnectError'],
      ['/reset-in-head', 502, 'OriginConnectError'],
      ['/garbage', 502, 'OriginResponseError'],
      ['/bad-status-line', 502, 'OriginResponseError'],
      ['/oversized-head', 502, 'OriginResponseError'],
      ['/switching-protocols', 502, 'OriginConnectError'],
      ['/length-and-chunked', 502, 'OriginResponseError'],
      ['/continue-twice', 502, 'OriginResponseError'],
    ])('%s → %i %s', async (path, status, code) => {
      const r = await get(path);
      expect(r.status).toBe(status);
      expect(r.xCache).toBe('Error from cloudfront');
      expect(r.body).toContain(`<H1>${status} ERROR</H1>`);
      expect(logFor(r.id)).toContain(code);
    });

    it('a refused connection → 502 OriginConnectError', async () => {
      const r = await get('/refused');
      expect(r.status).toBe(502);
      expect(logFor(r.id)).toContain('OriginConnectError');
    });

    it('an origin that never answers → 504 OriginTimeout after its read timeout', async () => {
      const r = await get('/stall-before-head');
      expect(r.status).toBe(504);
      expect(r.xCache).toBe('Error from cloudfront');
      expect(logFor(r.id)).toContain('OriginTimeout');
    });

    it('two 100 Continue before the answer is CloudFront\'s documented error (docs/cloudfront-reference.md §6.13)', async () => {
      const r = await get('/continue-twice');
      expect(logFor(r.id)).toContain('OriginResponseError: origin http://127.0.0.1');
      expect(logFor(r.id)).toContain('more than one 100 Continue');
    });
  });

  describe('interim (1xx) responses before the answer are read and dropped (RFC 9110 §15.2)', () => {
    it.each(['/continue', '/early-hints', '/processing', '/continue-then-hints', '/continue-late'])('%s → 200 with the final response', async (path) => {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.xCache).toBe('Miss from cloudfront');
      expect(r.body).toBe(BODY);
      // Only the final response reaches the viewer: no interim head, none of its headers.
      expect(r.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      expect(r.text).not.toMatch(/\r\nLink:/i);
      // It was complete, so it was stored.
      const again = await get(path);
      expect(again.xCache).toBe('Hit from cloudfront');
      expect(again.body).toBe(BODY);
    });

    it('a POST answered with 100 Continue and then 200', async () => {
      const r = await rawExchange(proxy.url, 'POST /continue HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc');
      const res = parseResponses(r.text).responses[0];
      expect(res?.status).toBe(200);
      expect(res?.body).toBe(BODY);
    });

    it('an origin head of 19 KB (under CloudFront\'s 20,480-byte cap, over undici\'s 16 KiB default) is accepted', async () => {
      const r = await get('/head-19k');
      expect(r.status).toBe(200);
      expect(r.body).toBe('ok');
    });
  });

  describe('failures inside the body: the viewer\'s response is cut, nothing is cached', () => {
    it.each(['/reset-in-body', '/short-body-then-close', '/chunked-cut', '/close-delimited-reset'])('%s', async (path) => {
      const before = origin.count(path);
      const r = await get(path);
      // The head went out (200), then the connection was cut: no complete response.
      expect(r.status).toBe(200);
      expect(parseResponses(r.text).responses.filter((x) => x.body === BODY)).toEqual([]);
      expect(r.text).not.toContain(BODY);
      await sleep(50);
      // Not stored: the next request goes to the origin again.
      const again = await get(path);
      expect(again.xCache).not.toBe('Hit from cloudfront');
      expect(origin.count(path)).toBe(before + 2);
    });

    it('a body that stalls is cut after the read timeout, and not cached', async () => {
      const t0 = performance.now();
      const r = await get('/stall-in-body');
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(BODY);
      expect(performance.now() - t0).toBeLessThan(READ_TIMEOUT_S * 1000 + 8_000);
      const again = await get('/stall-in-body');
      expect(again.xCache).not.toBe('Hit from cloudfront');
      expect(origin.count('/stall-in-body')).toBe(2);
    });
  });

  it('a close-delimited body that ends cleanly is complete: served whole and cached', async () => {
    const r = await get('/close-delimited');
    expect(r.status).toBe(200);
    expect(r.body).toBe(BODY);
    const again = await get('/close-delimited');
    expect(again.xCache).toBe('Hit from cloudfront');
    expect(again.body).toBe(BODY);
    expect(origin.count('/close-delimited')).toBe(1);
  });

  it('keeps serving after every fault', async () => {
    const r = await send(proxy.url, '/ok');
    expect(r.status).toBe(200);
    expect(r.text).toBe(BODY);
  });
});
