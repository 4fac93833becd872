import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoOrigin, type DemoOrigin } from '../../src/demo/origin.js';
import { ConfigError } from '../../src/config/errors.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch: fetch normalises `..` away and hides HEAD bodies. */
function raw(base: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent } = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout requesting ${path}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('demo origin over the bundled demo/site', () => {
  let origin: DemoOrigin;
  beforeAll(async () => {
    origin = await startDemoOrigin({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => origin.close());

  it('listens on loopback with an ephemeral port', () => {
    expect(origin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(origin.url).not.toMatch(/:0$/);
  });

  it.each([
    ['/index.html', 'text/html; charset=utf-8'],
    ['/about/index.html', 'text/html; charset=utf-8'],
    ['/assets/style.css', 'text/css; charset=utf-8'],
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/logo.svg', 'image/svg+xml'],
  ])('serves %s as %s with Content-Length, a strong ETag, Last-Modified and no Cache-Control', async (path, type) => {
    const res = await raw(origin.url, path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.headers['etag']).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(Number.isNaN(Date.parse(res.headers['last-modified'] ?? ''))).toBe(false);
    expect(res.headers).not.toHaveProperty('cache-control');
  });

  it.each(['/', '/blog/', '/about', '/about/', '/blog/first-post', '/app/settings', '/nope.html'])(
    'answers %s with the 404 page: folders and extensionless paths are not resolved (S3 REST behaviour)',
    async (path) => {
      const res = await raw(origin.url, path);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('404');
      expect(res.headers).not.toHaveProperty('cache-control');
    },
  );

  it('answers If-None-Match with 304 (exact, weak, in a list, *) and 200 for another tag', async () => {
    const first = await raw(origin.url, '/assets/style.css');
    const etag = first.headers['etag'] ?? '';
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await raw(origin.url, '/assets/style.css', { headers: { 'If-None-Match': inm } });
      expect(res.status, inm).toBe(304);
      expect(res.body).toBe('');
      expect(res.headers['etag']).toBe(etag);
    }
    const other = await raw(origin.url, '/assets/style.css', { headers: { 'If-None-Match': '"not-it"' } });
    expect(other.status).toBe(200);
  });

  it('answers If-Modified-Since with 304 when unchanged; If-None-Match takes precedence (RFC 9110 §13.2.2)', async () => {
    const first = await raw(origin.url, '/index.html');
    const lastModified = first.headers['last-modified'] ?? '';
    expect((await raw(origin.url, '/index.html', { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    const before = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await raw(origin.url, '/index.html', { headers: { 'If-Modified-Since': before } })).status).toBe(200);
    const mixed = await raw(origin.url, '/index.html', { headers: { 'If-Modified-Since': lastModified, 'If-None-Match': '"stale"' } });
    expect(mixed.status).toBe(200);
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const get = await raw(origin.url, '/assets/app.js');
    const head = await raw(origin.url, '/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    for (const name of ['content-type', 'content-length', 'etag', 'last-modified']) {
      expect(head.headers[name], name).toBe(get.headers[name]);
    }
  });

  it.each(['PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s on a static path with 405 and Allow', async (method) => {
    const res = await raw(origin.url, '/index.html', { method, body: method === 'OPTIONS' ? undefined : 'x' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
  });

  it('serves /api/time as JSON with Cache-Control: no-store', async () => {
    const res = await raw(origin.url, '/api/time?x=1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(res.body) as { now: string };
    expect(new Date(body.now).toISOString()).toBe(body.now);
    expect((await raw(origin.url, '/api/time', { method: 'PUT', body: 'x' })).status).toBe(405);
  });

  it('echoes method, url, headers (as sent, in order) and the body on /api/echo', async () => {
    const res = await raw(origin.url, '/api/echo?a=1&b=2', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-Demo': 'hello', Via: '1.1 abc.cloudfront.net (CloudFront)' },
      body: 'name=edge&value=ü',
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const echo = JSON.parse(res.body) as {
      method: string; url: string; headers: Record<string, string>; rawHeaders: [string, string][];
      body: string; bodyEncoding: string; bodyLength: number;
    };
    expect(echo.method).toBe('POST');
    expect(echo.url).toBe('/api/echo?a=1&b=2');
    expect(echo.headers['x-demo']).toBe('hello');
    expect(echo.rawHeaders).toContainEqual(['Via', '1.1 abc.cloudfront.net (CloudFront)']);
    expect(echo.rawHeaders.findIndex(([n]) => n === 'Content-Type')).toBeLessThan(echo.rawHeaders.findIndex(([n]) => n === 'X-Demo'));
    expect(echo.bodyEncoding).toBe('text');
    expect(echo.body).toBe('name=edge&value=ü');
    expect(echo.bodyLength).toBe(Buffer.byteLength('name=edge&value=ü'));
  });

  it('echoes a body that is not UTF-8 as base64', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const res = await raw(origin.url, '/api/echo', { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.body) as { method: string; body: string; bodyEncoding: string; bodyLength: number };
    expect(echo.method).toBe('PUT');
    expect(echo.bodyEncoding).toBe('base64');
    expect(Buffer.from(echo.body, 'base64')).toEqual(bytes);
    expect(echo.bodyLength).toBe(4);
  });

  it('closes even while a keep-alive connection is idle', async () => {
    const own = await startDemoOrigin({ host: '127.0.0.1', port: 0 });
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await raw(own.url, '/index.html', { agent })).status).toBe(200);
      const closed = await Promise.race([
        own.close().then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still open'), 4000).unref()),
      ]);
      expect(closed).toBe('closed');
    } finally {
      agent.destroy();
    }
  });
});

describe('demo origin: path safety and options', () => {
  let dir: string;
  let origin: DemoOrigin;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgeproxy-demo-origin-'));
    await mkdir(join(dir, 'site', 'sub'), { recursive: true });
    await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET');
    await writeFile(join(dir, 'site', 'index.html'), '<h1>home</h1>');
    await writeFile(join(dir, 'site', 'sub', 'page.txt'), 'sub page');
    await symlink(join(dir, 'secret.txt'), join(dir, 'site', 'leak.txt'));
    origin = await startDemoOrigin({ host: '127.0.0.1', port: 0, root: join(dir, 'site') });
  });
  afterAll(async () => {
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves files under a custom root; its 404 falls back to a built-in page when 404.html is absent', async () => {
    expect((await raw(origin.url, '/sub/page.txt')).body).toBe('sub page');
    expect((await raw(origin.url, '/sub/page.txt')).headers['content-type']).toBe('text/plain; charset=utf-8');
    const missing = await raw(origin.url, '/sub/');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('listDeniedPrefixes: a missing object under a prefix is S3’s 403 AccessDenied (no s3:ListBucket); files there and paths elsewhere are unchanged', async () => {
    const s3like = await startDemoOrigin({ host: '127.0.0.1', port: 0, root: join(dir, 'site'), listDeniedPrefixes: ['/sub/'] });
    try {
      for (const p of ['/sub/', '/sub/route', '/sub/deep/er']) {
        const res = await raw(s3like.url, p);
        expect(res.status, p).toBe(403);
        expect(res.headers['content-type']).toBe('application/xml');
        expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      }
      expect((await raw(s3like.url, '/sub/page.txt')).body).toBe('sub page');
      expect((await raw(s3like.url, '/elsewhere')).status).toBe(404);
      expect((await raw(s3like.url, '/sub/route', { method: 'HEAD' })).body).toBe('');
    } finally {
      await s3like.close();
    }
  });

  it.each([
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/sub/%2E%2E%2F%2E%2E%2Fsecret.txt',
    '/..%5csecret.txt',
    '/%2e%2e%5c%2e%2e%5csecret.txt',
    '/sub/page.txt%00.html',
    '/%E0%A4%A',
    '/leak.txt',
  ])('never serves a file outside the root: %s → 400/404', async (path) => {
    const res = await raw(origin.url, path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('TOP-SECRET');
  });

  it('picks up edits while running: a changed file gets a new ETag', async () => {
    const file = join(dir, 'site', 'sub', 'page.txt');
    const before = await raw(origin.url, '/sub/page.txt');
    await writeFile(file, 'sub page, edited');
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    const after = await raw(origin.url, '/sub/page.txt');
    expect(after.body).toBe('sub page, edited');
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
    expect((await raw(origin.url, '/sub/page.txt', { headers: { 'If-None-Match': before.headers['etag'] ?? '' } })).status).toBe(200);
  });

  it('refuses a non-loopback host and a missing root with a ConfigError naming them', async () => {
    await expect(startDemoOrigin({ host: '0.0.0.0', port: 0 })).rejects.toThrow(ConfigError);
    await expect(startDemoOrigin({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/"0\.0\.0\.0"/);
    await expect(startDemoOrigin({ host: '127.0.0.1', port: 0, root: join(dir, 'nope') })).rejects.toThrow(/nope/);
  });
});
