// Pipelined requests on one connection (RFC 9112 §9.3.2): answers go in the order of the requests, and a
// malformed request after valid ones is answered after theirs, then the connection closes. Regression
// test for the 400 that used to be written while the first request was still at the origin, so its
// answer was lost.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';
import { parseResponses, rawExchange } from './raw.js';

const H = 'Host: edge.test\r\n';

describe('pipelining', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin((req, res, body) => {
      const send = (): void => {
        const text = `${req.method} ${req.url} ${body.length}`;
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      // The first answer comes last from the origin: the proxy must still send it first.
      if (req.url?.startsWith('/slow')) setTimeout(send, 300);
      else send();
    });
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      behaviors: [{ pathPattern: '*', origin: 'o', allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'] }],
      listen: { host: '127.0.0.1', port: 0, requestHeadTimeout: 0.5 },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  function urlsSince(n: number): string[] {
    return origin.requests.slice(n).map((q) => q.url);
  }

  it('a valid request then a malformed one: the first response, then the 400, then close', async () => {
    const before = origin.requests.length;
    const r = await rawExchange(proxy.url, `GET /p1 HTTP/1.1\r\n${H}\r\nGET /p2 HTTP/1.1\r\n${H}bad header line\r\n\r\n`);
    const { responses, rest } = parseResponses(r.text);
    expect(responses.map((x) => x.status)).toEqual([200, 400]);
    expect(responses[0]?.body).toBe('GET /p1 0');
    expect(responses[1]?.headers.get('x-cache')).toBe('Error from cloudfront');
    expect(responses[1]?.headers.get('connection')).toBe('close');
    expect(rest).toBe('');
    expect(r.closed).toBe(true);
    expect(urlsSince(before)).toEqual(['/p1']);
    const id = responses[1]?.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toMatch(/BadRequest: malformed request: HPE_INVALID_HEADER_TOKEN/);
  });

  it('a slow first answer, a second, then a malformed request: all in request order', async () => {
    const before = origin.requests.length;
    const r = await rawExchange(proxy.url, `GET /slow1 HTTP/1.1\r\n${H}\r\nGET /fast2 HTTP/1.1\r\n${H}\r\nG(T /p3 HTTP/1.1\r\n${H}\r\n`);
    const { responses } = parseResponses(r.text);
    expect(responses.map((x) => `${x.status} ${x.body.slice(0, 14)}`)).toEqual(['200 GET /slow1 0', '200 GET /fast2 0', '400 <!DOCTYPE HTML']);
    expect(r.closed).toBe(true);
    expect(urlsSince(before).sort()).toEqual(['/fast2', '/slow1']);
  });

  it('a valid request then one with two Host lines: 200, then 400, then close; the second never reaches the origin', async () => {
    const before = origin.requests.length;
    const r = await rawExchange(proxy.url, `GET /slow-a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}Host: evil.test\r\n\r\nGET /c HTTP/1.1\r\n${H}\r\n`);
    const { responses } = parseResponses(r.text);
    expect(responses.map((x) => x.status)).toEqual([200, 400]);
    expect(responses[1]?.headers.get('connection')).toBe('close');
    expect(r.closed).toBe(true);
    // /c came after the refused request on a connection that closed: never answered, never forwarded.
    expect(urlsSince(before)).toEqual(['/slow-a']);
  });

  it('a valid request then an incomplete head: 200, then 408 when the head timeout passes, then close', async () => {
    const r = await rawExchange(proxy.url, `GET /slow-t HTTP/1.1\r\n${H}\r\nGET /never-finished HTTP/1.1\r\n${H}`);
    const { responses } = parseResponses(r.text);
    expect(responses.map((x) => x.status)).toEqual([200, 408]);
    expect(responses[1]?.headers.get('x-cache')).toBe('Error from cloudfront');
    expect(r.closed).toBe(true);
    const id = responses[1]?.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.find((l) => l.includes(id))).toContain('RequestTimeout: request head not complete within 500 ms');
  });

  it('a valid request then a body that turns malformed: 200, then 400, then close; the origin gets no complete second request', async () => {
    const before = origin.requests.length;
    const r = await rawExchange(proxy.url, [
      `GET /slow-b HTTP/1.1\r\n${H}\r\nPOST /up HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n`,
      'zz\r\n\r\n',
    ], { gapMs: 100 });
    const { responses } = parseResponses(r.text);
    expect(responses.map((x) => x.status)).toEqual([200, 400]);
    expect(r.closed).toBe(true);
    expect(urlsSince(before)).toEqual(['/slow-b']);
    // One line for the broken request, naming it; no origin-fetch error line for it.
    const id = responses[1]?.headers.get('x-amz-cf-id') ?? '';
    expect(proxy.logs.filter((l) => l.includes(id))).toEqual([expect.stringContaining('POST /up → 400 request: BadRequest: malformed request: HPE_INVALID_CHUNK_SIZE')]);
    expect(proxy.logs.filter((l) => l.includes('POST /up') && l.includes('origin-fetch'))).toEqual([]);
  });

  it('well-formed pipelined requests are all answered, in order, on a connection that stays open', async () => {
    const r = await rawExchange(proxy.url, `GET /slow-x HTTP/1.1\r\n${H}\r\nPOST /y HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcGET /z HTTP/1.1\r\n${H}\r\n`, {
      deadlineMs: 1500,
    });
    const { responses } = parseResponses(r.text);
    expect(responses.map((x) => x.body)).toEqual(['GET /slow-x 0', 'POST /y 3', 'GET /z 0']);
    expect(responses.map((x) => x.headers.get('connection'))).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
    // Still open when we hung up (the keep-alive timeout is the default 5 s).
    expect(r.how).toBe('deadline');
  });
});
