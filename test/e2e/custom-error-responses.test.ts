// Custom error responses end to end (docs/cloudfront-reference.md §12): real origins, real proxy,
// real worker threads. The SPA case, ResponseCode, page fetch failures, unreachable origins, what is
// never replaced (function-generated responses, function errors), caching of page and error, and
// stale-if-error winning over the page (§6.7).

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/cache/clock.js';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FNS = 'e2e/distribution-fns.mjs';
const INDEX = '<html>index</html>';

/** An origin serving /index.html, /errors/*.html and answering 404 for everything else (403 for /private/*). */
function site(): Promise<TestOrigin> {
  return startOrigin((req, res) => {
    const url = req.url ?? '/';
    if (url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'max-age=300', 'content-length': Buffer.byteLength(INDEX) });
      res.end(INDEX);
    } else if (url === '/errors/500.html') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': 9 });
      res.end('oops page');
    } else if (url.startsWith('/private/')) {
      res.writeHead(403, { 'content-type': 'text/plain', 'content-length': 9 });
      res.end('forbidden');
    } else if (url.startsWith('/boom')) {
      res.writeHead(500, { 'content-type': 'text/plain', 'content-length': 4 });
      res.end('boom');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 9 });
      res.end('not found');
    }
  });
}

/** A port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function hitsFor(o: TestOrigin, path: string): number {
  return o.requests.filter((r) => r.url === path).length;
}

describe('custom error responses', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });
  async function proxy(config: Record<string, unknown>, opts = {}): Promise<TestProxy> {
    const p = await startProxy(config, undefined, opts);
    open.push(p);
    return p;
  }
  async function origin(o: Promise<TestOrigin>): Promise<TestOrigin> {
    const x = await o;
    open.push(x);
    return x;
  }

  it('SPA: 403 and 404 from the origin become /index.html with 200; page and error are cached', async () => {
    const o = await origin(site());
    const p = await proxy({
      origins: [{ id: 'o', url: o.url }],
      customErrorResponses: [
        { errorCode: 404, responsePagePath: '/index.html', responseCode: 200 },
        { errorCode: 403, responsePagePath: '/index.html', responseCode: 200, errorCachingMinTTL: 60 },
      ],
    });
    const a = await send(p.url, '/app/settings');
    expect(a.status).toBe(200);
    expect(a.text).toBe(INDEX);
    expect(a.headers['content-type']).toBe('text/html');
    expect(a.headers['x-cache']).toBe('Error from cloudfront');
    const b = await send(p.url, '/private/x');
    expect(b.status).toBe(200);
    expect(b.text).toBe(INDEX);
    // Again: the 404 is cached for the error caching minimum TTL, the page like any object.
    const c = await send(p.url, '/app/settings');
    expect(c.status).toBe(200);
    expect(c.text).toBe(INDEX);
    expect(hitsFor(o, '/app/settings')).toBe(1);
    expect(hitsFor(o, '/index.html')).toBe(1);
    // The page is an object of its own: a direct request is a hit.
    const d = await send(p.url, '/index.html');
    expect(d.status).toBe(200);
    expect(d.headers['x-cache']).toBe('Hit from cloudfront');
  });

  it('without ResponseCode the viewer gets the page with the error status; HEAD gets no body', async () => {
    const o = await origin(site());
    const p = await proxy({ origins: [{ id: 'o', url: o.url }], customErrorResponses: [{ errorCode: 500, responsePagePath: '/errors/500.html' }] });
    const a = await send(p.url, '/boom');
    expect(a.status).toBe(500);
    expect(a.text).toBe('oops page');
    const h = await send(p.url, '/boom2', { method: 'HEAD' });
    expect(h.status).toBe(500);
    expect(h.body.length).toBe(0);
  });

  it('a status without a page, or with only a TTL, passes through unchanged', async () => {
    const o = await origin(site());
    const p = await proxy({ origins: [{ id: 'o', url: o.url }], customErrorResponses: [{ errorCode: 404, errorCachingMinTTL: 0 }] });
    const a = await send(p.url, '/nothing');
    expect(a.status).toBe(404);
    expect(a.text).toBe('not found');
    await send(p.url, '/nothing');
    expect(hitsFor(o, '/nothing')).toBe(2);
  });

  it('page fetch failing: the viewer gets the status CloudFront got for the page', async () => {
    const o = await origin(site());
    const p = await proxy({ origins: [{ id: 'o', url: o.url }], customErrorResponses: [{ errorCode: 500, responsePagePath: '/errors/missing.html', responseCode: 200 }] });
    const a = await send(p.url, '/boom');
    expect(a.status).toBe(404);
    expect(a.text).toBe('not found');
  });

  it('the page comes through the behavior matching its path (its origin, its origin-response function)', async () => {
    const app = await origin(site());
    const pages = await origin(
      startOrigin((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': 10 });
        res.end('pages page');
      }),
    );
    const p = await proxy({
      origins: [
        { id: 'app', url: app.url },
        { id: 'pages', url: pages.url },
      ],
      functions: [{ id: 'tag', file: FNS, export: 'tagOriginResponse' }],
      behaviors: [
        { pathPattern: '/errors/*', origin: 'pages', functions: { 'origin-response': 'tag' } },
        { pathPattern: '*', origin: 'app' },
      ],
      customErrorResponses: [{ errorCode: 404, responsePagePath: '/errors/404.html', responseCode: 200 }],
    });
    const a = await send(p.url, '/nope');
    expect(a.status).toBe(200);
    expect(a.text).toBe('pages page');
    expect(a.headers['x-origin-response']).toBe('/errors/404.html');
    expect(pages.requests.map((r) => r.url)).toEqual(['/errors/404.html']);
  });

  it('the page fetch failing on an unreachable origin gives CloudFront 502', async () => {
    const app = await origin(site());
    const port = await deadPort();
    const p = await proxy({
      origins: [
        { id: 'app', url: app.url },
        { id: 'gone', url: `http://127.0.0.1:${port}`, connectTimeout: 1 },
      ],
      behaviors: [{ pathPattern: '/errors/*', origin: 'gone' }, { pathPattern: '*', origin: 'app' }],
      customErrorResponses: [{ errorCode: 404, responsePagePath: '/errors/404.html', responseCode: 200 }],
    });
    const a = await send(p.url, '/nope');
    expect(a.status).toBe(502);
    expect(a.text).toContain('502 ERROR');
  });

  it('an unreachable origin: CloudFront 502 replaced by the page from another origin', async () => {
    const pages = await origin(site());
    const port = await deadPort();
    const p = await proxy({
      origins: [
        { id: 'gone', url: `http://127.0.0.1:${port}`, connectTimeout: 1 },
        { id: 'pages', url: pages.url },
      ],
      behaviors: [{ pathPattern: '/errors/*', origin: 'pages' }, { pathPattern: '*', origin: 'gone' }],
      customErrorResponses: [{ errorCode: 502, responsePagePath: '/errors/500.html', responseCode: 503 }],
    });
    const a = await send(p.url, '/x');
    expect(a.status).toBe(503);
    expect(a.text).toBe('oops page');
  });

  it('never replaces function-generated responses or function errors; viewer-response does not run on the page', async () => {
    const o = await origin(site());
    const p = await proxy({
      origins: [{ id: 'o', url: o.url }],
      functions: [
        { id: 'gen', file: FNS, export: 'generate404' },
        { id: 'boom', file: FNS, export: 'throws' },
        { id: 'mark', file: FNS, export: 'markViewerResponse' },
      ],
      behaviors: [
        { pathPattern: '/gen/*', functions: { 'viewer-request': 'gen' } },
        { pathPattern: '/gen-origin/*', functions: { 'origin-request': 'gen' } },
        { pathPattern: '/fail/*', functions: { 'viewer-request': 'boom' } },
        { pathPattern: '*', functions: { 'viewer-response': 'mark' } },
      ],
      customErrorResponses: [
        { errorCode: 404, responsePagePath: '/index.html', responseCode: 200 },
        { errorCode: 503, responsePagePath: '/index.html', responseCode: 200 },
      ],
    });
    const g = await send(p.url, '/gen/x');
    expect(g.status).toBe(404);
    expect(g.text).toBe('generated 404');
    const go = await send(p.url, '/gen-origin/x');
    expect(go.status).toBe(404);
    expect(go.text).toBe('generated 404');
    const f = await send(p.url, '/fail/x');
    expect(f.status).toBe(503);
    expect(f.headers['x-cache']).toBe('LambdaExecutionError from cloudfront');
    const page = await send(p.url, '/app/route');
    expect(page.status).toBe(200);
    expect(page.text).toBe(INDEX);
    expect(page.headers['x-viewer-response']).toBeUndefined();
    // The same page requested directly is an ordinary response: viewer-response runs.
    const direct = await send(p.url, '/index.html');
    expect(direct.headers['x-viewer-response']).toBe('ran');
  });

  it('a stale copy inside stale-if-error wins over the custom error page (§6.7)', async () => {
    let fail = false;
    const o = await origin(
      startOrigin((_req, res) => {
        if (fail) {
          res.writeHead(500, { 'content-length': 4 });
          res.end('down');
          return;
        }
        res.writeHead(200, { 'cache-control': 'max-age=10, stale-if-error=600', 'content-length': 5 });
        res.end('fresh');
      }),
    );
    const clock = manualClock(Date.now());
    const p = await proxy(
      {
        origins: [{ id: 'o', url: o.url }],
        customErrorResponses: [{ errorCode: 500, responsePagePath: '/page', responseCode: 200 }],
      },
      { clock },
    );
    expect((await send(p.url, '/obj')).text).toBe('fresh');
    fail = true;
    clock.advance(20_000);
    const a = await send(p.url, '/obj');
    expect(a.status).toBe(200);
    expect(a.text).toBe('fresh');
  });
});
