// Every error class through the real proxy: validation (502), execution (503), origin failures
// (502/504), request limits — each with CloudFront's page and X-Cache, and one precise log line.

import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FNS = 'e2e/fns.mjs';

function fnConfig(originUrl: string) {
  const fn = (id: string, exp: string, extra: Record<string, unknown> = {}) => ({ id, file: FNS, export: exp, ...extra });
  return {
    origins: [{ id: 'o', url: originUrl }],
    functions: [
      fn('disallowed', 'addDisallowedHeader'),
      fn('host', 'changeHost'),
      fn('baduri', 'badUri'),
      fn('crlf', 'crlfValue'),
      fn('nothing', 'returnsNothing'),
      fn('throws', 'throws'),
      fn('rejects', 'rejects'),
      fn('spin', 'spin', { timeout: 0.5 }),
      fn('slow', 'slowOk'),
      fn('body', 'echoBody'),
      { id: 'cb', file: 'e2e/callback.cjs' },
    ],
    behaviors: [
      { pathPattern: '/v/disallowed', origin: 'o', functions: { 'viewer-request': 'disallowed' } },
      { pathPattern: '/v/host', origin: 'o', functions: { 'viewer-request': 'host' } },
      { pathPattern: '/v/baduri', origin: 'o', functions: { 'viewer-request': 'baduri' } },
      { pathPattern: '/v/nothing', origin: 'o', functions: { 'viewer-request': 'nothing' } },
      { pathPattern: '/o/crlf', origin: 'o', functions: { 'origin-response': 'crlf' } },
      { pathPattern: '/x/throws', origin: 'o', functions: { 'viewer-request': 'throws' } },
      { pathPattern: '/x/rejects', origin: 'o', functions: { 'origin-request': 'rejects' } },
      { pathPattern: '/x/spin', origin: 'o', functions: { 'viewer-request': 'spin' } },
      { pathPattern: '/x/slow', origin: 'o', functions: { 'viewer-request': 'slow' } },
      { pathPattern: '/body/*', origin: 'o', functions: { 'viewer-request': { function: 'body', includeBody: true } } },
      { pathPattern: '/cb/*', origin: 'o', functions: { 'viewer-request': 'cb' } },
      { pathPattern: '*', origin: 'o' },
    ],
  };
}

describe('function errors', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy(fnConfig(origin.url));
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  const cases: Array<[string, number, string, RegExp]> = [
    ['/v/disallowed', 502, 'LambdaValidationError', /viewer-request \(.*fns\.mjs\).*x-cache/i],
    ['/v/host', 502, 'LambdaValidationError', /viewer-request \(.*fns\.mjs\).*host/i],
    ['/v/baduri', 502, 'LambdaValidationError', /viewer-request .*uri/],
    ['/v/nothing', 502, 'LambdaValidationError', /viewer-request .*object/i],
    ['/o/crlf', 502, 'LambdaValidationError', /origin-response .*x-bad/i],
    ['/x/throws', 503, 'LambdaExecutionError', /viewer-request .*boom from the function/],
    ['/x/rejects', 503, 'LambdaExecutionError', /origin-request .*rejected on purpose/],
    ['/x/spin', 503, 'LambdaExecutionError', /viewer-request .*timed out/i],
    ['/cb/fail', 503, 'LambdaExecutionError', /callback error/],
  ];

  for (const [path, status, xcache, logLine] of cases) {
    it(`${path} → ${status} ${xcache}`, async () => {
      const r = await send(proxy.url, path);
      expect(r.status).toBe(status);
      expect(r.headers['x-cache']).toBe(`${xcache} from cloudfront`);
      expect(r.headers['content-type']).toBe('text/html');
      expect(r.text).toContain(`<H1>${status} ERROR</H1>`);
      expect(r.text).toContain(`Request ID: ${r.headers['x-amz-cf-id']}`);
      const lines = proxy.logs.filter((l) => l.includes(String(r.headers['x-amz-cf-id'])));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(logLine);
      expect(lines[0]).toContain(xcache);
    });
  }

  it('callback-style CommonJS works and its worker stays warm', async () => {
    const one = await send(proxy.url, '/cb/a');
    const two = await send(proxy.url, '/cb/b');
    expect(one.status).toBe(200);
    const calls = (r: typeof one) => {
      const seen = JSON.parse(r.text) as { rawHeaders: string[] };
      const i = seen.rawHeaders.findIndex((x) => x.toLowerCase() === 'x-calls');
      return Number(seen.rawHeaders[i + 1]);
    };
    expect(calls(two)).toBeGreaterThan(calls(one));
  });

  it('a wedged function does not delay requests that do not use it, and is replaced', async () => {
    const spinning = send(proxy.url, '/x/spin');
    // While the spin function's worker is stuck, plain requests and other functions are served.
    const started = Date.now();
    const plain = await send(proxy.url, '/plain');
    const other = await send(proxy.url, '/x/slow');
    expect(plain.status).toBe(200);
    expect(other.status).toBe(200);
    const s = await spinning;
    expect(s.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(20_000);
    // The next invocation gets a fresh worker (and times out again, rather than hanging).
    const again = await send(proxy.url, '/x/spin');
    expect(again.status).toBe(503);
  });

  it('includeBody: the function sees the body base64, and may replace it', async () => {
    const r = await send(proxy.url, '/body/echo', { method: 'POST', body: 'name1=a&name2=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.text) as { rawHeaders: string[]; body: string };
    const h = (n: string) => seen.rawHeaders[seen.rawHeaders.findIndex((x) => x.toLowerCase() === n) + 1];
    expect(h('x-body-encoding')).toBe('base64');
    expect(h('x-body-truncated')).toBe('false');
    expect(h('x-body-length')).toBe('15');
    expect(Buffer.from(seen.body, 'base64').toString()).toBe('name1=a&name2=b');

    const replaced = await send(proxy.url, '/body/echo?replace=text', { method: 'POST', body: 'original' });
    const seen2 = JSON.parse(replaced.text) as { body: string };
    expect(Buffer.from(seen2.body, 'base64').toString()).toBe('replaced by the function');

    const bad = await send(proxy.url, '/body/echo?replace=badbase64', { method: 'POST', body: 'x' });
    expect(bad.status).toBe(502);
    expect(bad.headers['x-cache']).toBe('LambdaValidationError from cloudfront');
  });

  it('truncates the exposed body at the viewer-request limit but forwards all of it', async () => {
    const big = Buffer.alloc(100 * 1024, 'a');
    const r = await send(proxy.url, '/body/big', { method: 'POST', body: big });
    const seen = JSON.parse(r.text) as { rawHeaders: string[]; body: string };
    const h = (n: string) => seen.rawHeaders[seen.rawHeaders.findIndex((x) => x.toLowerCase() === n) + 1];
    expect(h('x-body-truncated')).toBe('true');
    expect(Number(h('x-body-length'))).toBeLessThan(big.length);
    expect(Buffer.from(seen.body, 'base64').length).toBe(big.length);
  });
});

describe('request limits', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }] });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('a GET with a body is refused with 403 (spec §3.4)', async () => {
    const r = await send(proxy.url, '/g', { method: 'GET', body: 'x', headers: { 'content-length': '1' } });
    expect(r.status).toBe(403);
  });

  it('a URL over 8,192 bytes is 413 (spec §3.5)', async () => {
    const r = await send(proxy.url, `/${'a'.repeat(9000)}`);
    expect(r.status).toBe(413);
  });
});

describe('origin failures (spec §4)', () => {
  let proxy: TestProxy;
  let slow: Server;
  beforeAll(async () => {
    // A port nobody listens on: bind, read the port, close.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    slow = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowPort = (slow.address() as AddressInfo).port;
    proxy = await startProxy({
      origins: [
        { id: 'dead', url: `http://127.0.0.1:${deadPort}` },
        { id: 'slow', url: `http://127.0.0.1:${slowPort}`, readTimeout: 0.5 },
      ],
      behaviors: [
        { pathPattern: '/slow/*', origin: 'slow' },
        { pathPattern: '*', origin: 'dead' },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
  });

  it('origin refusing connections → 502 Error from cloudfront', async () => {
    const r = await send(proxy.url, '/x');
    expect(r.status).toBe(502);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('502 ERROR');
  });

  it('origin not answering within its read timeout → 504', async () => {
    const r = await send(proxy.url, '/slow/x');
    expect(r.status).toBe(504);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('504 ERROR');
  });
});

/** Writes `bytes` on a fresh connection and returns everything the proxy sends until it closes it. */
function rawExchange(base: string, bytes: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('the proxy did not close the connection within 10 s')), 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(bytes);
  });
}

function parseRaw(text: string): { status: number; headers: Map<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = new Map<string, string>();
  for (const l of lines) {
    const i = l.indexOf(':');
    headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

describe('requests Node cannot parse get CloudFront\'s error page (clientError)', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }] });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('a malformed header line → 400 BadRequest with the error page, X-Cache, Via, Pop and id; the connection closes', async () => {
    const hits = origin.hits;
    const r = parseRaw(await rawExchange(proxy.url, 'GET / HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.headers.get('x-cache')).toBe('Error from cloudfront');
    expect(r.headers.get('server')).toBe('CloudFront');
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(r.headers.get('connection')).toBe('close');
    expect(r.headers.get('via')).toMatch(/^1\.1 [0-9a-f]+\.cloudfront\.net \(CloudFront\)$/);
    expect(r.headers.get('x-amz-cf-pop')).toBe(proxy.config.pop);
    const id = r.headers.get('x-amz-cf-id') ?? '';
    expect(id).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.body, 'latin1'));
    expect(r.body).toContain('<H1>400 ERROR</H1>');
    expect(r.body).toContain('Bad request.');
    expect(r.body).toContain(`Request ID: ${id}`);
    expect(origin.hits).toBe(hits);
    const lines = proxy.logs.filter((l) => l.includes(id));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/request: BadRequest: malformed request: HPE_INVALID_HEADER_TOKEN/);
  });

  it('an invalid method → 400 BadRequest', async () => {
    const r = parseRaw(await rawExchange(proxy.url, 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.headers.get('x-cache')).toBe('Error from cloudfront');
    const id = r.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toMatch(/BadRequest: malformed request: HPE_INVALID_METHOD/);
  });

  it('request headers over the listener\'s 64 KiB parser limit → 413 RequestTooLarge as CloudFront answers (not 431)', async () => {
    const r = parseRaw(await rawExchange(proxy.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`));
    expect(r.status).toBe(413);
    expect(r.headers.get('x-cache')).toBe('Error from cloudfront');
    expect(r.body).toContain('<H1>413 ERROR</H1>');
    const id = r.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toMatch(/RequestTooLarge: malformed request: HPE_HEADER_OVERFLOW/);
  });

  it('the listener keeps serving after malformed requests', async () => {
    const r = await send(proxy.url, '/after');
    expect(r.status).toBe(200);
  });
});
