// A raw-socket corpus of malformed viewer requests (framing, smuggling, header syntax, Host, request
// target, limits): each gets CloudFront's error page with its status and code, on a connection that
// closes after it; no function runs and the origin never receives the request (or a request smuggled
// inside it); the proxy keeps serving. docs/errors.md ("Malformed and slow viewer requests") lists the
// same cases.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';
import { parseResponses, rawExchange } from './raw.js';

const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

interface Case {
  name: string;
  bytes: string;
  status: number;
  code: string;
}

const H = 'Host: edge.test\r\n';

const FRAMING: Case[] = [
  // CL.TE and TE.CL: the classic desync pairs (the smuggled request is the G… after the first body).
  { name: 'CL.TE (Content-Length and Transfer-Encoding)', bytes: `POST /s HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'TE.CL (Transfer-Encoding then Content-Length)', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n1e\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'two different Content-Length values', bytes: `POST /s HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde`, status: 400, code: 'BadRequest' },
  { name: 'a Content-Length list', bytes: `POST /s HTTP/1.1\r\n${H}Content-Length: 3, 3\r\n\r\nabc`, status: 400, code: 'BadRequest' },
  { name: 'a signed Content-Length', bytes: `POST /s HTTP/1.1\r\n${H}Content-Length: +3\r\n\r\nabc`, status: 400, code: 'BadRequest' },
  { name: 'an obfuscated coding (xchunked)', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a space before the colon of Transfer-Encoding', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'chunked twice', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'chunked not the final coding', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'chunked, then a second Transfer-Encoding line', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'Transfer-Encoding in HTTP/1.0', bytes: `POST /s HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a coding other than chunked (gzip, chunked)', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, status: 501, code: 'NotImplemented' },
  { name: 'an invalid chunk size', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a chunk size that overflows', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nabc\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'chunk data longer than its size', bytes: `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n`, status: 400, code: 'BadRequest' },
];

const SYNTAX: Case[] = [
  { name: 'a header line without a colon', bytes: `GET / HTTP/1.1\r\n${H}bad header line\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a space inside a header name', bytes: `GET / HTTP/1.1\r\n${H}X Bad: 1\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a NUL in a header value', bytes: `GET / HTTP/1.1\r\n${H}X-Bad: a\x00b\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a bare CR in a header value', bytes: `GET / HTTP/1.1\r\n${H}X-Bad: a\rb\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'an obsolete line fold', bytes: `GET / HTTP/1.1\r\n${H}X-Folded: a\r\n b\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'an invalid method token', bytes: `G(T / HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a lowercase protocol name', bytes: `GET / http/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a space inside the request target', bytes: `GET /a b HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a control character in the request target', bytes: `GET /a\x01b HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
];

const HOST: Case[] = [
  { name: 'HTTP/1.1 without Host', bytes: 'GET / HTTP/1.1\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'two Host lines', bytes: `GET / HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`, status: 400, code: 'BadRequest' },
  { name: 'two Host lines with the same value', bytes: `GET / HTTP/1.1\r\n${H}${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'an empty Host', bytes: 'GET / HTTP/1.1\r\nHost:\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a Host with a space', bytes: 'GET / HTTP/1.1\r\nHost: edge test\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a Host with a non-numeric port', bytes: 'GET / HTTP/1.1\r\nHost: edge.test:abc\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a Host with a port over 65535', bytes: 'GET / HTTP/1.1\r\nHost: edge.test:70000\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a Host with userinfo', bytes: 'GET / HTTP/1.1\r\nHost: user@edge.test\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'a Host with a path', bytes: 'GET / HTTP/1.1\r\nHost: edge.test/x\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'an unclosed IPv6 literal', bytes: 'GET / HTTP/1.1\r\nHost: [::1\r\n\r\n', status: 400, code: 'BadRequest' },
  { name: 'an invalid IPv6 literal', bytes: 'GET / HTTP/1.1\r\nHost: [zz::1]\r\n\r\n', status: 400, code: 'BadRequest' },
];

const TARGET: Case[] = [
  { name: 'asterisk-form with GET', bytes: `GET * HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'asterisk-form with OPTIONS', bytes: `OPTIONS * HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'authority-form with GET', bytes: `GET edge.test:80 HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a relative target', bytes: `GET index.html HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'a fragment in the target', bytes: `GET /page#frag HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'absolute-form with userinfo', bytes: `GET http://user@edge.test/x HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'absolute-form with an invalid port', bytes: `GET http://edge.test:99999/x HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'absolute-form with another scheme', bytes: `GET ftp://edge.test/x HTTP/1.1\r\n${H}\r\n`, status: 400, code: 'BadRequest' },
  { name: 'CONNECT', bytes: 'CONNECT edge.test:443 HTTP/1.1\r\nHost: edge.test:443\r\n\r\n', status: 400, code: 'BadRequest' },
];

const LIMITS: Case[] = [
  { name: 'a URL over 8,192 bytes', bytes: `GET /${'u'.repeat(9000)} HTTP/1.1\r\n${H}\r\n`, status: 413, code: 'RequestTooLarge' },
  { name: 'headers over 20,480 bytes', bytes: `GET / HTTP/1.1\r\n${H}X-Big: ${'b'.repeat(25_000)}\r\n\r\n`, status: 413, code: 'RequestTooLarge' },
  { name: 'headers over the 64 KiB parser limit', bytes: `GET / HTTP/1.1\r\n${H}X-Big: ${'b'.repeat(70 * 1024)}\r\n\r\n`, status: 413, code: 'RequestTooLarge' },
];

describe('malformed viewer requests (raw sockets)', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      // Host reaches the origin, so a bad Host would show there; every method is allowed, so nothing
      // is refused for its method instead of its framing.
      behaviors: [{ pathPattern: '*', origin: 'o', allowedMethods: ALL_METHODS, originRequestPolicy: 'AllViewer' }],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  const groups: Array<[string, Case[]]> = [
    ['framing and smuggling', FRAMING],
    ['header syntax', SYNTAX],
    ['Host (RFC 9112 §3.2)', HOST],
    ['request target (RFC 9112 §3.2)', TARGET],
    ['limits (docs/cloudfront-reference.md §3.5)', LIMITS],
  ];
  for (const [group, cases] of groups) {
    describe(group, () => {
      it.each(cases)('$name → $status $code, closed; nothing reaches the origin', async (c) => {
        const before = origin.requests.length;
        const r = await rawExchange(proxy.url, c.bytes);
        expect(r.closed).toBe(true);
        const { responses, rest } = parseResponses(r.text);
        // Exactly one answer: a smuggled request never gets one of its own.
        expect(responses).toHaveLength(1);
        expect(rest).toBe('');
        const res = responses[0]!;
        expect(res.status).toBe(c.status);
        expect(res.headers.get('x-cache')).toBe('Error from cloudfront');
        expect(res.headers.get('server')).toBe('CloudFront');
        expect(res.headers.get('content-type')).toBe('text/html');
        expect(res.headers.get('connection')).toBe('close');
        expect(res.body).toContain(`<H1>${c.status} ERROR</H1>`);
        const id = res.headers.get('x-amz-cf-id') ?? '';
        expect(res.body).toContain(`Request ID: ${id}`);
        // One log line for the request, with its code: no function ran, no origin fetch was started.
        const lines = proxy.logs.filter((l) => l.includes(id));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(c.code);
        expect(proxy.logs.filter((l) => l.includes('origin-fetch') && l.includes(' /s '))).toEqual([]);
        expect(origin.requests.slice(before)).toEqual([]);
      });
    });
  }

  it('a transfer coding other than chunked is NotImplemented (RFC 9112 §6.1), named in the log', async () => {
    const r = await rawExchange(proxy.url, `POST /s HTTP/1.1\r\n${H}Transfer-Encoding: deflate, chunked\r\n\r\n0\r\n\r\n`);
    const res = parseResponses(r.text).responses[0];
    expect(res?.status).toBe(501);
    const id = res?.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toMatch(/→ 501 request: NotImplemented: headers\.transfer-encoding: /);
  });

  it('a bad Host is BadRequest, and the log line names the field', async () => {
    const r = await rawExchange(proxy.url, 'GET /bad-host HTTP/1.1\r\nHost: a b\r\n\r\n');
    const id = parseResponses(r.text).responses[0]?.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toContain('GET /bad-host → 400 request: BadRequest: headers.host: the Host header "a b" is not a valid host[:port]');
  });

  it('an Upgrade (WebSocket) request is checked too: two Host lines → 400, closed, never proxied', async () => {
    const before = origin.requests.length;
    const r = await rawExchange(
      proxy.url,
      `GET /ws HTTP/1.1\r\n${H}Host: evil.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(r.closed).toBe(true);
    const res = parseResponses(r.text).responses[0];
    expect(res?.status).toBe(400);
    expect(res?.headers.get('x-cache')).toBe('Error from cloudfront');
    const id = res?.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toContain('GET /ws → 400 request: BadRequest: headers.host: 2 Host header lines');
    expect(origin.requests.length).toBe(before);
  });

  it('no request of the corpus (nor one smuggled inside it) ever reached the origin', () => {
    expect(origin.requests.filter((q) => q.url.includes('smuggled'))).toEqual([]);
  });

  it('keeps serving after the corpus', async () => {
    const r = await send(proxy.url, '/after-corpus');
    expect(r.status).toBe(200);
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
  });
});

describe('valid heads the checks let through', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      behaviors: [{ pathPattern: '*', origin: 'o', allowedMethods: ALL_METHODS, originRequestPolicy: 'AllViewer', cachePolicy: 'CachingDisabled' }],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  async function one(bytes: string): Promise<{ status: number; host: string | undefined; url: string | undefined }> {
    const before = origin.requests.length;
    const r = await rawExchange(proxy.url, bytes);
    const res = parseResponses(r.text).responses[0];
    const seen = origin.requests[before];
    const host = seen?.rawHeaders.find((_, i, a) => i % 2 === 1 && (a[i - 1] as string).toLowerCase() === 'host');
    return { status: res?.status ?? 0, host, url: seen?.url };
  }

  it('absolute-form: the target\'s authority replaces the Host header (RFC 9112 §3.2.2)', async () => {
    const r = await one('GET http://other.test:8443/abs?q=1 HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n');
    expect(r).toEqual({ status: 200, host: 'other.test:8443', url: '/abs?q=1' });
  });

  it('absolute-form with an upper-case scheme', async () => {
    const r = await one('GET HTTP://other.test/abs2 HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n');
    expect(r).toEqual({ status: 200, host: 'other.test', url: '/abs2' });
  });

  it.each([
    ['a port', 'edge.test:8080'],
    ['an IPv4 address', '127.0.0.1'],
    ['an IPv6 literal with a port', '[::1]:8080'],
    ['a trailing dot', 'edge.test.'],
  ])('a Host with %s', async (_what, host) => {
    const r = await one(`GET /h HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(r).toEqual({ status: 200, host, url: '/h' });
  });

  it('an Expect other than 100-continue is ignored (RFC 9110 §10.1.1), not answered with Node\'s bare 417', async () => {
    const r = await one('GET /expect HTTP/1.1\r\nHost: edge.test\r\nExpect: something-else\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(200);
    expect(r.url).toBe('/expect');
  });

  it('Expect: 100-continue gets 100 Continue, then the answer', async () => {
    const r = await rawExchange(proxy.url, ['POST /cont HTTP/1.1\r\nHost: edge.test\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\n', 'abc'], { gapMs: 100 });
    expect(r.text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
  });

  it('HTTP/1.0 without Host', async () => {
    const r = await one('GET /old HTTP/1.0\r\n\r\n');
    expect(r.status).toBe(200);
    expect(r.url).toBe('/old');
  });

  it('a plain chunked body reaches the origin whole', async () => {
    const before = origin.requests.length;
    const r = await rawExchange(proxy.url, 'POST /up HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    expect(parseResponses(r.text).responses[0]?.status).toBe(200);
    expect(origin.requests.slice(before).map((q) => [q.method, q.url, q.body.toString()])).toEqual([['POST', '/up', 'abc']]);
  });
});
