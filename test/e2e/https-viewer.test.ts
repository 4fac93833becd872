// The HTTPS viewer listener and the viewer protocol policy end to end (docs/cloudfront-reference.md §16):
// a self-signed certificate that verifies against the file it is kept in, HTTP/1.1 and HTTP/2 over TLS,
// httpVersion http1.1 keeping HTTP/2 off, CloudFront-Forwarded-Proto and CloudFront-Viewer-TLS at the
// origin and in origin-request's event, redirect-to-https for every method, https-only, and
// configured certificate files.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as http2Connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ACCESS_LOG_FIELDS } from '../../src/observe/access-log.js';
import { startEdgeProxy } from '../../src/index.js';
import { memoryLogger } from '../../src/log.js';
import { FIXTURES, recordedEvent, send, startOrigin, type TestOrigin } from '../helpers.js';

let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-https-'));
});
afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const TLS_HEADERS = ['CloudFront-Forwarded-Proto', 'CloudFront-Viewer-TLS', 'CloudFront-Viewer-Http-Version'];
const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  httpVersion: string;
}

/** One HTTPS/1.1 request trusting only `ca`, on a fresh connection unless an agent is given. */
function h1(url: string, p: string, ca: Buffer, opts: { method?: string; body?: string; agent?: import('node:https').Agent } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: u.hostname, port: u.port, path: p, method: opts.method ?? 'GET', ca, servername: 'localhost', agent: opts.agent ?? false, ALPNProtocols: ['http/1.1'] },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString(), httpVersion: res.httpVersion }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('https request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One HTTP/2 request on `session`. */
function h2(session: ClientHttp2Session, p: string, opts: { method?: string; body?: string } = {}): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const s = session.request({ ':path': p, ':method': opts.method ?? 'GET' });
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    s.on('response', (h) => {
      headers = h;
    });
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve({ status: Number(headers[':status']), headers, text: Buffer.concat(chunks).toString() }));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.close());
    s.end(opts.body);
  });
}

/** The raw answer to bytes sent on a plain TCP connection. */
function raw(url: string, bytes: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(u.port), u.hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

function header(o: TestOrigin, i: number, name: string): string | undefined {
  const rh = o.requests[i]?.rawHeaders ?? [];
  const k = rh.findIndex((h, j) => j % 2 === 0 && h.toLowerCase() === name);
  return k === -1 ? undefined : rh[k + 1];
}

describe('HTTPS viewer listener', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });
  async function start(object: Record<string, unknown>, https: Record<string, unknown> = {}) {
    const config = await loadConfig({ object: { listen: { host: '127.0.0.1', port: 0, https: { port: 0, ...https } }, ...object }, baseDir: FIXTURES });
    const log = memoryLogger();
    const p = await startEdgeProxy({ config, log, stateDir });
    open.push(p);
    if (p.https === undefined) throw new Error('no HTTPS listener');
    return { p, httpsUrl: p.https.url, logs: log.lines };
  }
  async function origin(): Promise<TestOrigin> {
    const o = await startOrigin();
    open.push(o);
    return o;
  }

  it('serves HTTP/1.1 over TLS with a self-signed localhost certificate that verifies against its kept file', async () => {
    const o = await origin();
    const { p, httpsUrl } = await start({ origins: [{ id: 'o', url: o.url }], behaviors: [{ pathPattern: '*', originRequestPolicy: { headers: { behavior: 'allViewerAndWhitelistCloudFront', names: TLS_HEADERS } } }] });
    const self = p.https?.selfSigned;
    expect(self?.certFile).toBe(path.join(stateDir, 'https', 'localhost-cert.pem'));
    expect(self?.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const ca = await readFile(self?.certFile ?? '');
    const r = await h1(httpsUrl, '/tls?x=1', ca);
    expect(r.status).toBe(200);
    expect(r.httpVersion).toBe('1.1');
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
    expect(header(o, 0, 'cloudfront-forwarded-proto')).toBe('https');
    expect(header(o, 0, 'cloudfront-viewer-http-version')).toBe('1.1');
    expect(header(o, 0, 'cloudfront-viewer-tls')).toMatch(/^TLSv1\.[23]:TLS_[A-Z0-9_]+:fullHandshake$/);
    // The same distribution over plain HTTP: http, and no TLS header.
    await send(p.url, '/plain');
    expect(header(o, 1, 'cloudfront-forwarded-proto')).toBe('http');
    expect(header(o, 1, 'cloudfront-viewer-tls')).toBeUndefined();
  });

  it('a certificate that is not trusted is refused by a verifying client', async () => {
    const o = await origin();
    const { httpsUrl } = await start({ origins: [{ id: 'o', url: o.url }] });
    const u = new URL(httpsUrl);
    const err = await new Promise<Error>((resolve) => {
      const s = tlsConnect({ host: u.hostname, port: Number(u.port), servername: 'localhost' }, () => resolve(new Error('connected without trusting the certificate')));
      s.on('error', resolve);
    });
    expect(String((err as Error & { code?: string }).code)).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
  });

  it('offers HTTP/2 through ALPN: CloudFront-Viewer-Http-Version 2.0, Via 2.0, connectionReused on the second request', async () => {
    const o = await origin();
    const { p, httpsUrl } = await start({
      origins: [{ id: 'o', url: o.url }],
      behaviors: [{ pathPattern: '*', cachePolicy: 'CachingDisabled', allowedMethods: ALL_METHODS, originRequestPolicy: { headers: { behavior: 'allViewerAndWhitelistCloudFront', names: TLS_HEADERS } } }],
    });
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    const session = http2Connect(httpsUrl, { ca, servername: 'localhost' });
    try {
      const first = await h2(session, '/h2');
      expect(first.status).toBe(200);
      expect(first.headers['x-cache']).toBe('Miss from cloudfront');
      expect(String(first.headers.via)).toMatch(/^2\.0 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
      expect(first.headers.connection).toBeUndefined();
      expect(JSON.parse(first.text).url).toBe('/h2');
      expect(header(o, 0, 'cloudfront-viewer-http-version')).toBe('2.0');
      expect(header(o, 0, 'cloudfront-forwarded-proto')).toBe('https');
      // The origin gets a Host from :authority.
      expect(header(o, 0, 'host')).toBeDefined();
      const second = await h2(session, '/h2-again');
      expect(second.status).toBe(200);
      expect(header(o, 1, 'cloudfront-viewer-tls')).toMatch(/:connectionReused$/);
      // A request body without Content-Length reaches the origin.
      const post = await h2(session, '/upload', { method: 'POST', body: 'h2 body' });
      expect(post.status).toBe(200);
      expect(o.requests[2]?.body.toString()).toBe('h2 body');
    } finally {
      session.close();
    }
  });

  it('over HTTP/2: CloudFront’s error page for an unreachable origin, HEAD without a body, 413 for an over-long head, and the session goes on', async () => {
    const { p, httpsUrl } = await start({ origins: [{ id: 'o', url: 'http://127.0.0.1:1024' }], behaviors: [{ pathPattern: '*', cachePolicy: 'CachingDisabled' }] });
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    const session = http2Connect(httpsUrl, { ca, servername: 'localhost' });
    try {
      const down = await h2(session, '/down');
      expect(down.status).toBe(502);
      expect(down.headers['x-cache']).toBe('Error from cloudfront');
      expect(down.text).toContain('<H1>502 ERROR</H1>');
      const head = await h2(session, '/down', { method: 'HEAD' });
      expect(head.status).toBe(502);
      expect(head.text).toBe('');
      const big = await new Promise<number>((resolve, reject) => {
        const s = session.request({ ':path': '/big', 'x-big': 'a'.repeat(25_000) });
        s.on('response', (h) => resolve(Number(h[':status'])));
        s.on('error', reject);
        s.resume();
        s.end();
      });
      expect(big).toBe(413);
      expect((await h2(session, '/after')).status).toBe(502);
    } finally {
      session.close();
    }
  });

  it('survives plain HTTP sent to the HTTPS port and an HTTP/2 client that goes away mid-response', async () => {
    const slow = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part');
      setTimeout(() => res.end('rest'), 300);
    });
    open.push(slow);
    const { p, httpsUrl } = await start({ origins: [{ id: 'o', url: slow.url }], behaviors: [{ pathPattern: '*', cachePolicy: 'CachingDisabled' }] });
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    // Not TLS at all: the connection is closed, nothing else happens.
    const answer = await raw(httpsUrl.replace('https:', 'http:'), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer.startsWith('HTTP/1.1 200')).toBe(false);
    const gone = http2Connect(httpsUrl, { ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      const s = gone.request({ ':path': '/slow' });
      s.on('data', () => {
        gone.destroy();
        resolve();
      });
      s.on('error', () => resolve());
      gone.on('error', reject);
      s.end();
    });
    await new Promise((r) => setTimeout(r, 500));
    const again = http2Connect(httpsUrl, { ca, servername: 'localhost' });
    try {
      const r = await h2(again, '/slow');
      expect(r.status).toBe(200);
      expect(r.text).toBe('partrest');
    } finally {
      again.close();
    }
  });

  it('httpVersion http1.1 keeps the HTTPS listener to HTTP/1.1', async () => {
    const o = await origin();
    const { p, httpsUrl } = await start({ origins: [{ id: 'o', url: o.url }], httpVersion: 'http1.1' });
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    const u = new URL(httpsUrl);
    const alpn = await new Promise<string | false>((resolve, reject) => {
      const s = tlsConnect({ host: u.hostname, port: Number(u.port), servername: 'localhost', ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
        resolve(s.alpnProtocol ?? false);
        s.end();
      });
      s.on('error', reject);
    });
    expect(alpn).toBe('http/1.1');
    expect((await h1(httpsUrl, '/one', ca)).status).toBe(200);
  });

  it('origin-request sees CloudFront-Forwarded-Proto and CloudFront-Viewer-TLS in its event', async () => {
    const o = await origin();
    const { p, httpsUrl } = await start({
      origins: [{ id: 'o', url: o.url }],
      functions: [
        { id: 'or', file: 'e2e/record.mjs', export: 'originRequest' },
        { id: 'ors', file: 'e2e/record.mjs', export: 'originResponse' },
      ],
      behaviors: [
        {
          pathPattern: '*',
          functions: { 'origin-request': 'or', 'origin-response': 'ors' },
          originRequestPolicy: { headers: { behavior: 'allViewerAndWhitelistCloudFront', names: TLS_HEADERS } },
        },
      ],
    });
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    const r = await h1(httpsUrl, '/ev', ca);
    const ev = recordedEvent(r.headers, 'origin-request').Records[0]?.cf.request.headers ?? {};
    expect(ev['cloudfront-forwarded-proto']?.[0]).toEqual({ key: 'CloudFront-Forwarded-Proto', value: 'https' });
    expect(ev['cloudfront-viewer-tls']?.[0]?.value).toMatch(/^TLSv1\.[23]:/);
  });

  it('a CloudFront Function at viewer-request sees CloudFront-Forwarded-Proto https and the TLS facts', async () => {
    const o = await origin();
    const { p, httpsUrl } = await start({
      origins: [{ id: 'o', url: o.url }],
      functions: [{ id: 'ev', file: 'cff/events.js', runtime: 'cloudfront-js-1.0' }],
      behaviors: [{ pathPattern: '*', cachePolicy: 'CachingDisabled', originRequestPolicy: 'AllViewerAndCloudFrontHeaders-2022-06', functions: { 'viewer-request': 'ev' } }],
    });
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    const tls = JSON.parse((await h1(httpsUrl, '/cf/event', ca)).text) as { request: { headers: Record<string, { value: string }> } };
    expect(tls.request.headers['cloudfront-forwarded-proto']).toEqual({ value: 'https' });
    expect(tls.request.headers['cloudfront-viewer-tls']?.value).toMatch(/^TLSv1\.[23]:TLS_[A-Z0-9_]+:fullHandshake$/);
    const plain = JSON.parse((await send(p.url, '/cf/event')).text) as { request: { headers: Record<string, { value: string }> } };
    expect(plain.request.headers['cloudfront-forwarded-proto']).toEqual({ value: 'http' });
    expect(plain.request.headers['cloudfront-viewer-tls']).toBeUndefined();
  });

  it('the standard log has cs-protocol https and the ssl-protocol and ssl-cipher of the connection', async () => {
    const o = await origin();
    const file = path.join(stateDir, `access-${Date.now()}.log`);
    const { p, httpsUrl } = await start({ origins: [{ id: 'o', url: o.url }], log: { accessLog: file } });
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    await h1(httpsUrl, '/logged-tls', ca);
    await send(p.url, '/logged-plain');
    await p.close();
    const rows = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => Object.fromEntries(l.split('\t').map((v, i) => [ACCESS_LOG_FIELDS[i], v])));
    const tls = rows.find((r) => r['cs-uri-stem'] === '/logged-tls');
    const plain = rows.find((r) => r['cs-uri-stem'] === '/logged-plain');
    expect(tls?.['cs-protocol']).toBe('https');
    expect(tls?.['ssl-protocol']).toMatch(/^TLSv1\.[23]$/);
    expect(tls?.['ssl-cipher']).toMatch(/^TLS_[A-Z0-9_]+$/);
    expect(plain?.['cs-protocol']).toBe('http');
    expect(plain?.['ssl-protocol']).toBe('-');
  });

  it('uses configured certificate and key files', async () => {
    const o = await origin();
    // The first start made the self-signed pair; a second distribution is given the same files explicitly.
    await start({ origins: [{ id: 'o', url: o.url }] });
    const cert = path.join(stateDir, 'https', 'localhost-cert.pem');
    const key = path.join(stateDir, 'https', 'localhost-key.pem');
    const { p, httpsUrl } = await start({ origins: [{ id: 'o', url: o.url }] }, { cert, key });
    expect(p.https?.selfSigned).toBeUndefined();
    expect((await h1(httpsUrl, '/files', await readFile(cert))).status).toBe(200);
  });
});

describe('viewer protocol policy', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });

  it('redirect-to-https: 301 for GET and HEAD, 307 for the other methods, to the HTTPS listener; HTTPS is served', async () => {
    const o = await startOrigin();
    open.push(o);
    const config = await loadConfig({
      object: {
        listen: { host: '127.0.0.1', port: 0, https: { port: 0 } },
        origins: [{ id: 'o', url: o.url }],
        functions: [{ id: 'gen', file: 'e2e/distribution-fns.mjs', export: 'generate404' }],
        inspector: { headers: true },
        behaviors: [
          { pathPattern: '/fn/*', viewerProtocolPolicy: 'redirect-to-https', functions: { 'viewer-request': 'gen' } },
          { pathPattern: '*', viewerProtocolPolicy: 'redirect-to-https', allowedMethods: ALL_METHODS },
        ],
      },
      baseDir: FIXTURES,
    });
    const p = await startEdgeProxy({ config, log: memoryLogger(), stateDir });
    open.push(p);
    const httpsPort = new URL(p.https?.url ?? '').port;
    for (const method of ['GET', 'HEAD']) {
      const r = await send(p.url, '/page?x=1&y=2', { method });
      expect(r.status, method).toBe(301);
      expect(r.headers.location, method).toBe(`https://127.0.0.1:${httpsPort}/page?x=1&y=2`);
      expect(r.headers['x-cache'], method).toBe('Redirect from cloudfront');
      expect(r.headers.server, method).toBe('CloudFront');
    }
    const get = await send(p.url, '/page');
    expect(get.text).toContain('301 Moved Permanently');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const r = await send(p.url, '/form', { method, body: 'x' });
      expect(r.status, method).toBe(307);
      expect(r.headers.location, method).toBe(`https://127.0.0.1:${httpsPort}/form`);
    }
    // The Host the viewer used is kept (without its port).
    const named = await send(p.url, '/n', { headers: { host: 'www.example.test:8080' } });
    expect(named.headers.location).toBe(`https://www.example.test:${httpsPort}/n`);
    // HTTP/1.0 and a method other than GET/HEAD: refused.
    const old = await raw(p.url, 'POST /form HTTP/1.0\r\nContent-Length: 1\r\n\r\nx');
    expect(old).toMatch(/^HTTP\/1\.1 403 /);
    expect(old).toContain('X-Cache: Error from cloudfront');
    // No function ran for the redirect, and nothing reached the origin.
    const fn = await send(p.url, '/fn/a');
    expect(fn.status).toBe(301);
    expect(fn.headers['x-edgeproxy-executed-version']).toBeUndefined();
    expect(o.hits).toBe(0);
    // Over HTTPS the same request is served (and the function runs).
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    expect((await h1(p.https?.url ?? '', '/page', ca)).status).toBe(200);
    const fnTls = await h1(p.https?.url ?? '', '/fn/a', ca);
    expect(fnTls.status).toBe(404);
    expect(fnTls.text).toBe('generated 404');
    expect(o.hits).toBe(1);
  });

  it('redirect-to-https without an HTTPS listener points at https:// with no port, as CloudFront does', async () => {
    const o = await startOrigin();
    open.push(o);
    const config = await loadConfig({ object: { listen: { host: '127.0.0.1', port: 0 }, origins: [{ id: 'o', url: o.url }], behaviors: [{ pathPattern: '*', viewerProtocolPolicy: 'redirect-to-https' }] } });
    const p = await startEdgeProxy({ config, log: memoryLogger(), stateDir });
    open.push(p);
    const r = await send(p.url, '/x', { headers: { host: 'd111111abcdef8.cloudfront.net' } });
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('https://d111111abcdef8.cloudfront.net/x');
  });

  it('https-only: 403 over HTTP, served over HTTPS; allow-all serves both', async () => {
    const o = await startOrigin();
    open.push(o);
    const config = await loadConfig({
      object: {
        listen: { host: '127.0.0.1', port: 0, https: { port: 0 } },
        origins: [{ id: 'o', url: o.url }],
        inspector: { headers: true },
        behaviors: [{ pathPattern: '/secure/*', viewerProtocolPolicy: 'https-only' }, { pathPattern: '*' }],
      },
    });
    const p = await startEdgeProxy({ config, log: memoryLogger(), stateDir });
    open.push(p);
    const refused = await send(p.url, '/secure/a');
    expect(refused.status).toBe(403);
    expect(refused.headers['x-cache']).toBe('Error from cloudfront');
    expect(refused.text).toContain('<H1>403 ERROR</H1>');
    expect(refused.headers['x-edgeproxy-error']).toContain('HttpsRequired');
    expect(o.hits).toBe(0);
    const ca = await readFile(p.https?.selfSigned?.certFile ?? '');
    expect((await h1(p.https?.url ?? '', '/secure/a', ca)).status).toBe(200);
    expect((await send(p.url, '/open')).status).toBe(200);
    expect(o.hits).toBe(2);
  });
});
