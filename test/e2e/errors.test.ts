// Every error class through the real proxy: validation (502), execution (503), origin failures
// (502/504), request limits — each with CloudFront's page and X-Cache, and one precise log line.

import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
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
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      behaviors: [
        { pathPattern: '/read-only/*', origin: 'o', allowedMethods: ['GET', 'HEAD'] },
        { pathPattern: '*', origin: 'o' },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  /** The one log line of the request that got `r`. */
  const logLine = (r: { headers: Record<string, string | string[] | undefined> }): string | undefined => {
    const lines = proxy.logs.filter((l) => l.includes(String(r.headers['x-amz-cf-id'])));
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it('a GET with a body is refused with 403 (AWS rule: headers CloudFront adds, removes or replaces)', async () => {
    const r = await send(proxy.url, '/g', { method: 'GET', body: 'x', headers: { 'content-length': '1' } });
    expect(r.status).toBe(403);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(logLine(r)).toMatch(/request: GetWithBody: GET request carries a body/);
  });

  it('a URL over 8,192 bytes is 413 (AWS rule: URI and query string)', async () => {
    const r = await send(proxy.url, `/${'a'.repeat(9000)}`);
    expect(r.status).toBe(413);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(logLine(r)).toMatch(/request: RequestTooLarge: request URL is 9001 bytes, over 8192/);
  });

  it('a method outside the behavior\'s allowedMethods → 403 MethodNotAllowed with CloudFront\'s page; the origin never sees it', async () => {
    const hits = origin.hits;
    const r = await send(proxy.url, '/read-only/form', { method: 'POST', body: 'a=1' });
    expect(r.status).toBe(403);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('<H1>403 ERROR</H1>');
    expect(r.text).toContain('This distribution is not configured to allow the HTTP request method that was used for this request.');
    expect(logLine(r)).toMatch(/request: MethodNotAllowed: method POST is not in the behavior's allowed methods/);
    expect(origin.hits).toBe(hits);
    // The same path with an allowed method goes through.
    expect((await send(proxy.url, '/read-only/form')).status).toBe(200);
  });
});

describe('origin failures (AWS rule: errors the viewer sees)', () => {
  let proxy: TestProxy;
  let slow: Server;
  let junk: NetServer;
  beforeAll(async () => {
    // Answers every connection with bytes that are not HTTP, and keeps it open (a close would be a
    // connection error, not a response error).
    junk = createNetServer((socket) => {
      socket.once('data', () => socket.write('this is not HTTP\r\n\r\n'));
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => junk.listen(0, '127.0.0.1', r));
    const junkPort = (junk.address() as AddressInfo).port;
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
        // RFC 6761 §6.4: names under .invalid never resolve, with or without a network.
        { id: 'nowhere', url: 'http://nonexistent.invalid' },
        { id: 'junk', url: `http://127.0.0.1:${junkPort}` },
      ],
      behaviors: [
        { pathPattern: '/slow/*', origin: 'slow' },
        { pathPattern: '/dns/*', origin: 'nowhere' },
        { pathPattern: '/junk/*', origin: 'junk' },
        { pathPattern: '*', origin: 'dead' },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
    await new Promise<void>((r) => junk.close(() => r()));
  });

  /** The one log line of the request that got `r`: an error line (the origin is at fault). */
  const logLine = (r: { headers: Record<string, string | string[] | undefined> }): string | undefined => {
    const lines = proxy.logs.filter((l) => l.includes(String(r.headers['x-amz-cf-id'])));
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it('origin refusing connections → 502 Error from cloudfront', async () => {
    const r = await send(proxy.url, '/x');
    expect(r.status).toBe(502);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('502 ERROR');
    expect(logLine(r)).toMatch(/origin-fetch: OriginConnectError: cannot connect to origin .*ECONNREFUSED/);
  });

  it('origin not answering within its read timeout → 504', async () => {
    const r = await send(proxy.url, '/slow/x');
    expect(r.status).toBe(504);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('504 ERROR');
    expect(logLine(r)).toMatch(/origin-fetch: OriginTimeout: origin .* did not answer in time \(UND_ERR_HEADERS_TIMEOUT\)/);
  });

  it('an origin domain name that does not resolve → 502 OriginDnsError', async () => {
    const r = await send(proxy.url, '/dns/x');
    expect(r.status).toBe(502);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('<H1>502 ERROR</H1>');
    expect(r.text).toContain("CloudFront wasn't able to resolve the origin domain name.");
    expect(logLine(r)).toMatch(/origin-fetch: OriginDnsError: cannot resolve origin .*nonexistent\.invalid/);
  });

  it('an origin that answers with bytes that are not HTTP → 502 OriginResponseError', async () => {
    const r = await send(proxy.url, '/junk/x');
    expect(r.status).toBe(502);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('CloudFront received an invalid response from the origin.');
    const line = logLine(r);
    expect(line).toMatch(/origin-fetch: OriginResponseError: origin http:\/\/127\.0\.0\.1:\d+ failed: HTTPParserError: Response does not match the HTTP\/1\.1 protocol/);
    // Regression: an undici HTTPParserError without a code was logged as "failed: undefined …".
    expect(line).not.toContain('undefined');
  });
});

describe('a fault inside edgeproxy (InternalError)', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  // The cache's injected clock (StartOptions.clock) is edgeproxy's own part the pipeline calls on
  // every cacheable request: made to throw, it is a bug in edgeproxy as the viewer would meet one.
  let broken = false;
  const clock = {
    now(): number {
      if (broken) throw new Error('the clock failed on purpose');
      return Date.now();
    },
  };
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }] }, undefined, { clock });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('→ 500 with CloudFront\'s page, one error line naming the fault, and the proxy keeps serving', async () => {
    broken = true;
    let r: Awaited<ReturnType<typeof send>>;
    try {
      r = await send(proxy.url, '/internal');
    } finally {
      broken = false;
    }
    expect(r.status).toBe(500);
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
    expect(r.text).toContain('<H1>500 ERROR</H1>');
    const lines = proxy.logs.filter((l) => l.includes(String(r.headers['x-amz-cf-id'])));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/→ 500 InternalError: Error: the clock failed on purpose/);
    expect((await send(proxy.url, '/internal')).status).toBe(200);
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
