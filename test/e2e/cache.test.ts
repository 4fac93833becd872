// The cache end to end: real origin (hit counts prove hits and collapsing), real proxy, real
// workers, and an injected clock so TTL edges are checked without sleeping (docs/cloudfront-reference.md §5, §6).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../../src/cache/clock.js';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FNS = 'e2e/fns.mjs';
const CACHE_FNS = 'e2e/cache-fns.mjs';

/** Sends `request` as is on a new connection and returns everything the proxy wrote until it closed. */
function rawRequest(base: string, request: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** Routes of the test origin: the path says what to answer. No Date header, so ages are exact. */
function route(req: IncomingMessage, res: ServerResponse): void {
  res.sendDate = false;
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname;
  const cc = url.searchParams.get('cc');
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (cc) headers['cache-control'] = cc;
  if (p.startsWith('/etag/')) {
    headers.etag = '"v1"';
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"', 'cache-control': cc ?? 'max-age=10', 'x-refreshed': 'yes' });
      res.end();
      return;
    }
  }
  if (p === '/status-flip' && flip) {
    res.writeHead(500, headers);
    res.end('origin failing');
    return;
  }
  if (p.startsWith('/status/')) {
    res.writeHead(Number(p.split('/')[2]), headers);
    res.end(`status body ${p}`);
    return;
  }
  if (p.startsWith('/vary/')) headers.vary = 'Accept-Language';
  if (p.startsWith('/vary-hidden/')) headers.vary = 'X-Variant';
  if (p.startsWith('/cookie/')) headers['set-cookie'] = `session=${url.searchParams.get('who') ?? 'x'}`;
  if (p.startsWith('/age/')) headers.age = '100';
  if (p.startsWith('/big/') || p.startsWith('/mid/')) {
    const body = 'x'.repeat(p.startsWith('/big/') ? 5000 : 2000) + '\n';
    res.writeHead(200, { ...headers, 'content-type': 'text/html', 'content-length': String(body.length) });
    res.end(body);
    return;
  }
  if (p.startsWith('/short/')) {
    res.writeHead(200, { ...headers, 'content-length': '100' });
    res.write('only part');
    setTimeout(() => res.destroy(), 10);
    return;
  }
  if (p.startsWith('/slow/')) {
    setTimeout(() => {
      res.writeHead(200, headers);
      res.end(`slow ${p} #${originHits}`);
    }, 200);
    return;
  }
  const lang = req.headers['accept-language'] ?? '';
  res.writeHead(200, headers);
  res.end(`body of ${req.url} #${originHits} ${lang}`);
}

let originHits = 0;
/** When set, /status-flip answers 500: an origin that starts failing. */
let flip = false;
/** When set, /status-flip answers 500: an origin that starts failing. */
describe('cache (CachingOptimized-like policy: MinTTL 0 so origin directives decide)', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  let clock: ManualClock;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      originHits++;
      route(req, res);
    });
    clock = manualClock(Date.now());
    const policy = {
      name: 'test',
      minTTL: 0,
      defaultTTL: 86400,
      maxTTL: 31536000,
      queryStrings: 'all',
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    };
    proxy = await startProxy(
      {
        origins: [{ id: 'o', url: origin.url }],
        functions: [
          { id: 'mark', file: FNS, export: 'markViewerResponse' },
          { id: 'gen', file: FNS, export: 'generate' },
          { id: 'rewrite', file: CACHE_FNS, export: 'rewriteToCanonical' },
          { id: 'count-or', file: CACHE_FNS, export: 'countOriginRequest' },
          { id: 'count-ors', file: CACHE_FNS, export: 'countOriginResponse' },
          { id: 'throws', file: FNS, export: 'throws' },
          { id: 'pin-age', file: CACHE_FNS, export: 'pinAge' },
        ],
        behaviors: [
          { pathPattern: '/rewrite/*', origin: 'o', cachePolicy: policy, functions: { 'viewer-request': 'rewrite' } },
          {
            pathPattern: '/hooks/*',
            origin: 'o',
            cachePolicy: policy,
            functions: { 'origin-request': 'count-or', 'origin-response': 'count-ors', 'viewer-response': 'mark' },
          },
          { pathPattern: '/orgen/*', origin: 'o', cachePolicy: policy, functions: { 'origin-request': 'gen' } },
          { pathPattern: '/pin-age/*', origin: 'o', cachePolicy: policy, functions: { 'viewer-response': 'pin-age' } },
          { pathPattern: '/vrgen/*', origin: 'o', cachePolicy: policy, functions: { 'viewer-request': 'gen' } },
          { pathPattern: '/fnerr/*', origin: 'o', cachePolicy: policy, functions: { 'origin-response': 'throws' } },
          { pathPattern: '/disabled/*', origin: 'o', cachePolicy: 'CachingDisabled' },
          // docs/cloudfront-reference.md §6.9: collapsing is off when cookies are forwarded, as the default origin request policy does.
          { pathPattern: '/slow/*', origin: 'o', cachePolicy: policy, originRequestPolicy: null },
          // No viewer header is forwarded: Vary members reach viewers only if CloudFront always keeps them.
          { pathPattern: '/vary-hidden/*', origin: 'o', cachePolicy: policy, originRequestPolicy: null },
          { pathPattern: '*', origin: 'o', cachePolicy: policy, compress: true },
        ],
        cache: { cacheStatusHeader: true, maxObjectSize: 4096 },
        customErrorResponses: [{ errorCode: 503, errorCachingMinTTL: 2 }],
      },
      undefined,
      { clock },
    );
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });
  beforeEach(() => {
    proxy.cache.clear();
  });

  it('misses, then hits without going to the origin; Age counts from the clock', async () => {
    const before = originHits;
    const a = await send(proxy.url, '/a?cc=max-age=60');
    expect(a.headers['x-cache']).toBe('Miss from cloudfront');
    expect(a.headers.age).toBeUndefined();
    clock.advance(5_000);
    const b = await send(proxy.url, '/a?cc=max-age=60');
    expect(b.headers['x-cache']).toBe('Hit from cloudfront');
    expect(b.headers.age).toBe('5');
    expect(b.text).toBe(a.text);
    expect(originHits).toBe(before + 1);
    expect(b.headers['cache-status']).toMatch(/^edgeproxy; hit; ttl=55/);
  });

  it('repeated hits of one entry: the same stored headers, and per response its own X-Amz-Cf-Id, Age and Via version', async () => {
    await send(proxy.url, '/per-hit?cc=max-age=600');
    clock.advance(2_000);
    const one = await send(proxy.url, '/per-hit?cc=max-age=600');
    clock.advance(3_000);
    const two = await send(proxy.url, '/per-hit?cc=max-age=600');
    for (const r of [one, two]) {
      expect(r.headers['x-cache']).toBe('Hit from cloudfront');
      expect(r.headers['content-type']).toBe('text/plain');
      expect(r.headers.via).toMatch(/^1\.1 [0-9a-f]+\.cloudfront\.net \(CloudFront\)$/);
      expect(r.headers['x-amz-cf-id']).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    }
    expect(one.headers.age).toBe('2');
    expect(two.headers.age).toBe('5');
    expect(two.headers['x-amz-cf-id']).not.toBe(one.headers['x-amz-cf-id']);
    // The same entry to an HTTP/1.0 viewer: Via carries the viewer's version (docs/decisions.md; docs/cloudfront-reference.md §1 notes Via: 2.0 from an HTTP/2 viewer).
    const raw = await rawRequest(proxy.url, 'GET /per-hit?cc=max-age=600 HTTP/1.0\r\nHost: x\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw).toMatch(/\r\nX-Cache: Hit from cloudfront\r\n/);
    expect(raw).toMatch(/\r\nVia: 1\.0 [0-9a-f]+\.cloudfront\.net \(CloudFront\)\r\n/);
    expect(raw).toMatch(/\r\nAge: 5\r\n/);
    // And back to HTTP/1.1: the head built for 1.0 is not reused.
    const three = await send(proxy.url, '/per-hit?cc=max-age=600');
    expect(three.headers.via).toMatch(/^1\.1 /);
  });

  it('expires at exactly max-age (RFC 9111 §4.2)', async () => {
    const before = originHits;
    await send(proxy.url, '/edge?cc=max-age=10');
    clock.advance(9_999);
    expect((await send(proxy.url, '/edge?cc=max-age=10')).headers['x-cache']).toBe('Hit from cloudfront');
    clock.advance(1);
    expect((await send(proxy.url, '/edge?cc=max-age=10')).headers['x-cache']).toBe('Miss from cloudfront');
    expect(originHits).toBe(before + 2);
  });

  it('counts the origin Age into Age on hits (RFC 9111 §4.2.3)', async () => {
    await send(proxy.url, '/age/x?cc=max-age=1000');
    clock.advance(3_000);
    const r = await send(proxy.url, '/age/x?cc=max-age=1000');
    expect(r.headers['x-cache']).toBe('Hit from cloudfront');
    expect(r.headers.age).toBe('103');
  });

  it('keys on the query string as given: order matters (AWS rule: cache key and cache policies)', async () => {
    const before = originHits;
    await send(proxy.url, '/q?a=1&b=2&cc=max-age=60');
    await send(proxy.url, '/q?b=2&a=1&cc=max-age=60');
    expect(originHits).toBe(before + 2);
    expect((await send(proxy.url, '/q?a=1&b=2&cc=max-age=60')).headers['x-cache']).toBe('Hit from cloudfront');
  });

  it('uses the uri rewritten at viewer-request as the key (AWS rule: when each trigger runs)', async () => {
    const before = originHits;
    await send(proxy.url, '/rewrite/one?cc=max-age=60');
    const r = await send(proxy.url, '/rewrite/two?cc=max-age=60');
    expect(r.headers['x-cache']).toBe('Hit from cloudfront');
    expect(originHits).toBe(before + 1);
  });

  it('on a hit origin-request and origin-response do not run; viewer-response does, and its changes are not stored', async () => {
    const miss = await send(proxy.url, '/hooks/x?cc=max-age=60');
    expect(miss.headers['x-origin-request-count']).toBe('1');
    expect(miss.headers['x-viewer-response']).toBe('ran');
    const hit = await send(proxy.url, '/hooks/x?cc=max-age=60');
    expect(hit.headers['x-cache']).toBe('Hit from cloudfront');
    // The stored copy is the origin-response result (its header is there), no second origin-side run.
    expect(hit.headers['x-origin-response-ran']).toBe('yes');
    expect(hit.headers['x-viewer-response']).toBe('ran');
    const listing = proxy.cache.list();
    expect(listing).toHaveLength(1);
  });

  it('a viewer-response function sees Age on a hit but cannot set the Age the viewer gets; its changes to a streamed miss are not stored', async () => {
    const miss = await send(proxy.url, '/pin-age/x?cc=max-age=600');
    expect(miss.headers['x-cache']).toBe('Miss from cloudfront');
    expect(miss.headers['x-age-seen']).toBe('none');
    expect(miss.headers['x-only-on-miss']).toBe('yes');
    expect(miss.headers.age).toBeUndefined();
    clock.advance(7_000);
    const hit = await send(proxy.url, '/pin-age/x?cc=max-age=600');
    expect(hit.headers['x-cache']).toBe('Hit from cloudfront');
    expect(hit.headers['x-age-seen']).toBe('7');
    expect(hit.headers.age).toBe('7');
    // The miss's body was stored after its delivery, when viewer-response had already run (docs/cloudfront-reference.md §5.1).
    expect(hit.headers['x-only-on-miss']).toBeUndefined();
  });

  it('a stored copy keeps every Vary name, also one filtered from what viewers see (AWS rule: other response handling, docs/cache.md)', async () => {
    const path = '/vary-hidden/x?cc=max-age=600';
    const a = await send(proxy.url, path, { headers: { 'x-variant': 'a' } });
    // X-Variant is not a forwarded header: viewers get no Vary (docs/cloudfront-reference.md §6.13)…
    expect(a.headers.vary).toBeUndefined();
    // …but the body was streamed and stored after delivery; it still answers only its own variant.
    const b = await send(proxy.url, path, { headers: { 'x-variant': 'b' } });
    expect(b.headers['x-cache']).toBe('Miss from cloudfront');
    const a2 = await send(proxy.url, path, { headers: { 'x-variant': 'a' } });
    expect(a2.headers['x-cache']).toBe('Hit from cloudfront');
    expect(a2.text).toBe(a.text);
    expect(a2.headers.vary).toBeUndefined();
  });

  it('stores a response generated at origin-request; later hits skip the function', async () => {
    const a = await send(proxy.url, '/orgen/x');
    expect(a.headers['x-cache']).toBe('LambdaGeneratedResponse from cloudfront');
    const b = await send(proxy.url, '/orgen/x');
    expect(b.headers['x-cache']).toBe('Hit from cloudfront');
    expect(b.text).toBe('generated at the edge');
  });

  it('never stores a response generated at viewer-request, nor a function error', async () => {
    await send(proxy.url, '/vrgen/x');
    const e1 = await send(proxy.url, '/fnerr/x?cc=max-age=60');
    expect(e1.status).toBe(503);
    const e2 = await send(proxy.url, '/fnerr/x?cc=max-age=60');
    expect(e2.status).toBe(503);
    expect(proxy.cache.list()).toHaveLength(0);
  });

  it('answers HEAD from a stored GET', async () => {
    const before = originHits;
    await send(proxy.url, '/head?cc=max-age=60');
    const h = await send(proxy.url, '/head?cc=max-age=60', { method: 'HEAD' });
    expect(h.headers['x-cache']).toBe('Hit from cloudfront');
    expect(h.body.length).toBe(0);
    expect(originHits).toBe(before + 1);
  });

  it('does not store no-store / private, and CachingDisabled never stores', async () => {
    for (const path of ['/ns?cc=no-store', '/pv?cc=private', '/disabled/x?cc=max-age=60']) {
      await send(proxy.url, path);
      expect((await send(proxy.url, path)).headers['x-cache']).toBe('Miss from cloudfront');
    }
  });

  it('does not store a body that ends short of its Content-Length', async () => {
    await send(proxy.url, '/short/x?cc=max-age=60').catch(() => undefined);
    expect(proxy.cache.list()).toHaveLength(0);
  });

  it('streams a response over the per-object cap through unstored', async () => {
    const r = await send(proxy.url, '/big/x?cc=max-age=60', { headers: { 'accept-encoding': 'identity' } });
    expect(r.body.length).toBe(5001);
    expect(proxy.cache.list()).toHaveLength(0);
  });

  it('revalidates a stale entry with If-None-Match: 304 → RefreshHit with refreshed headers', async () => {
    const before = originHits;
    await send(proxy.url, '/etag/x?cc=max-age=10');
    clock.advance(11_000);
    const r = await send(proxy.url, '/etag/x?cc=max-age=10');
    expect(r.headers['x-cache']).toBe('RefreshHit from cloudfront');
    expect(r.status).toBe(200);
    expect(r.text).toContain('body of /etag/x');
    expect(r.headers['x-refreshed']).toBe('yes');
    expect(originHits).toBe(before + 2);
    const seen = origin.requests.at(-1)!;
    expect(seen.rawHeaders.map((h) => h.toLowerCase())).toContain('if-none-match');
    expect((await send(proxy.url, '/etag/x?cc=max-age=10')).headers['x-cache']).toBe('Hit from cloudfront');
  });

  it('serves stale while revalidating in the background, once (AWS rule: stale content)', async () => {
    const before = originHits;
    await send(proxy.url, '/swr?cc=max-age=1,stale-while-revalidate=60');
    clock.advance(2_000);
    const r = await send(proxy.url, '/swr?cc=max-age=1,stale-while-revalidate=60');
    expect(r.headers['x-cache']).toBe('Hit from cloudfront');
    expect(r.text).toContain(`#${before + 1}`);
    // The background refresh lands shortly.
    for (let i = 0; i < 100 && originHits < before + 2; i++) await new Promise((res) => setTimeout(res, 10));
    expect(originHits).toBe(before + 2);
    const fresh = await send(proxy.url, '/swr?cc=max-age=1,stale-while-revalidate=60');
    expect(fresh.text).toContain(`#${before + 2}`);
  });

  it('serves the stale copy when the origin answers 5xx, unless must-revalidate', async () => {
    // First fill, then make the origin fail for that path by switching the query-less route.
    await send(proxy.url, '/status-flip?cc=max-age=1,stale-if-error=60');
    clock.advance(2_000);
    flip = true;
    const r = await send(proxy.url, '/status-flip?cc=max-age=1,stale-if-error=60');
    expect(r.status).toBe(200);
    expect(r.headers['x-cache']).toBe('Hit from cloudfront');
    await send(proxy.url, '/status-flip?cc=max-age=1,must-revalidate');
    clock.advance(2_000);
    const m = await send(proxy.url, '/status-flip?cc=max-age=1,must-revalidate');
    expect(m.status).toBe(500);
    flip = false;
  });

  it('caches a 404 for the error caching minimum TTL (10 s), and a configured 503 TTL', async () => {
    const before = originHits;
    await send(proxy.url, '/status/404');
    const again = await send(proxy.url, '/status/404');
    expect(again.status).toBe(404);
    expect(again.headers['x-cache']).toBe('Error from cloudfront');
    expect(originHits).toBe(before + 1);
    clock.advance(10_000);
    await send(proxy.url, '/status/404');
    expect(originHits).toBe(before + 2);

    await send(proxy.url, '/status/503');
    clock.advance(1_999);
    await send(proxy.url, '/status/503');
    expect(originHits).toBe(before + 3);
    clock.advance(1);
    await send(proxy.url, '/status/503');
    expect(originHits).toBe(before + 4);
  });

  it('does not cache a 401 without explicit freshness', async () => {
    const before = originHits;
    await send(proxy.url, '/status/401');
    await send(proxy.url, '/status/401');
    expect(originHits).toBe(before + 2);
  });

  it('collapses concurrent misses into one origin request (AWS rule: request collapsing)', async () => {
    const before = originHits;
    const replies = await Promise.all(Array.from({ length: 8 }, () => send(proxy.url, '/slow/c?cc=max-age=60')));
    expect(originHits).toBe(before + 1);
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    expect(replies.filter((r) => r.headers['x-cache'] === 'Miss from cloudfront')).toHaveLength(1);
    expect(replies.filter((r) => r.headers['x-cache'] === 'Hit from cloudfront')).toHaveLength(7);
  });

  it('releases collapsed waiters to the origin when the answer is not storable', async () => {
    const before = originHits;
    const replies = await Promise.all(Array.from({ length: 4 }, () => send(proxy.url, '/slow/n?cc=no-store')));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(originHits).toBe(before + 4);
  });

  it('never serves a Vary variant to a request it does not match (RFC 9111 §4.1)', async () => {
    const en = await send(proxy.url, '/vary/x?cc=max-age=60', { headers: { 'accept-language': 'en' } });
    const de = await send(proxy.url, '/vary/x?cc=max-age=60', { headers: { 'accept-language': 'de' } });
    expect(de.text).toContain(' de');
    expect(de.headers['x-cache']).toBe('Miss from cloudfront');
    const en2 = await send(proxy.url, '/vary/x?cc=max-age=60', { headers: { 'accept-language': 'en' } });
    expect(en2.text).toBe(en.text);
    expect(en2.headers['x-cache']).toBe('Hit from cloudfront');
  });

  it('does not replay one viewer\'s Set-Cookie to another when the policy does not key on cookies', async () => {
    const a = await send(proxy.url, '/cookie/x?who=alice&cc=max-age=60');
    expect(a.headers['set-cookie']).toEqual(['session=alice']);
    const b = await send(proxy.url, '/cookie/x?who=alice&cc=max-age=60');
    expect(b.headers['x-cache']).toBe('Hit from cloudfront');
    expect(b.headers['set-cookie']).toBeUndefined();
  });

  it('does not serve a shared entry to a request with Authorization (RFC 9111 §3.5)', async () => {
    const before = originHits;
    await send(proxy.url, '/auth?cc=max-age=60');
    const r = await send(proxy.url, '/auth?cc=max-age=60', { headers: { authorization: 'Bearer x' } });
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
    expect(originHits).toBe(before + 2);
  });

  it('invalidates the stored URL after a successful unsafe request (RFC 9111 §4.4)', async () => {
    await send(proxy.url, '/thing?cc=max-age=60');
    expect((await send(proxy.url, '/thing?cc=max-age=60')).headers['x-cache']).toBe('Hit from cloudfront');
    await send(proxy.url, '/thing?cc=max-age=60', { method: 'POST', body: 'x' });
    expect((await send(proxy.url, '/thing?cc=max-age=60')).headers['x-cache']).toBe('Miss from cloudfront');
  });

  it('compresses with br or gzip by Accept-Encoding, stored per encoding, never twice (AWS rule: compression at the edge)', async () => {
    const before = originHits;
    const br = await send(proxy.url, '/mid/z', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(`${'x'.repeat(2000)}\n`);
    const gz = await send(proxy.url, '/mid/z', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString().length).toBe(2001);
    const br2 = await send(proxy.url, '/mid/z', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br2.headers['x-cache']).toBe('Hit from cloudfront');
    expect(originHits).toBe(before + 2);
  });

  it('answers ranges from a stored object: 206, multipart, 416', async () => {
    await send(proxy.url, '/r?cc=max-age=60');
    const full = (await send(proxy.url, '/r?cc=max-age=60')).body;
    const one = await send(proxy.url, '/r?cc=max-age=60', { headers: { range: 'bytes=0-3' } });
    expect(one.status).toBe(206);
    expect(one.headers['content-range']).toBe(`bytes 0-3/${full.length}`);
    expect(one.body.equals(full.subarray(0, 4))).toBe(true);
    const multi = await send(proxy.url, '/r?cc=max-age=60', { headers: { range: 'bytes=0-1,4-5' } });
    expect(multi.status).toBe(206);
    expect(String(multi.headers['content-type'])).toMatch(/^multipart\/byteranges; boundary=/);
    const bad = await send(proxy.url, '/r?cc=max-age=60', { headers: { range: `bytes=${full.length + 10}-` } });
    expect(bad.status).toBe(416);
  });

  it('answers a matching conditional request from the cache with 304', async () => {
    await send(proxy.url, '/etag/c?cc=max-age=60');
    const r = await send(proxy.url, '/etag/c?cc=max-age=60', { headers: { 'if-none-match': '"v1"' } });
    expect(r.status).toBe(304);
    expect(r.headers['x-cache']).toBe('Hit from cloudfront');
  });
});


describe('cache size bound (--cache-size)', () => {
  it('evicts the least recently used objects once the byte bound is reached, headers counted', async () => {
    let hits = 0;
    const body = Buffer.alloc(20 * 1024, 'z');
    const origin = await startOrigin((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', 'content-length': body.length });
      res.end(body);
    });
    const proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }], cache: { maxSize: 64 * 1024 } });
    try {
      for (const p of ['/1', '/2', '/3', '/4']) await send(proxy.url, p);
      expect(hits).toBe(4);
      // Three 20 KiB objects fit in 64 KiB with their headers; the fourth pushed out the oldest.
      expect(proxy.cache.list().map((e) => e.path).sort()).toEqual(['/2', '/3', '/4']);
      expect(proxy.cache.stats().bytes).toBeLessThanOrEqual(64 * 1024);
      expect((await send(proxy.url, '/4')).headers['x-cache']).toBe('Hit from cloudfront');
      expect((await send(proxy.url, '/1')).headers['x-cache']).toBe('Miss from cloudfront');
      expect(hits).toBe(5);
    } finally {
      await proxy.close();
      await origin.close();
    }
  });
});

describe('revalidation answered 200, and an origin that goes away', () => {
  it('a 200 to a revalidation replaces the stored object; an unreachable origin is answered from the stale copy', async () => {
    let version = 1;
    const origin = await startOrigin((req, res) => {
      res.sendDate = false;
      const etag = `"v${version}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'max-age=10' });
        res.end();
        return;
      }
      res.writeHead(200, { etag, 'cache-control': 'max-age=10', 'content-type': 'text/plain' });
      res.end(`version ${version}`);
    });
    const clock = manualClock(Date.now());
    const proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }] }, undefined, { clock });
    try {
      expect((await send(proxy.url, '/doc')).text).toBe('version 1');
      version = 2;
      clock.advance(11_000);
      const replaced = await send(proxy.url, '/doc');
      expect(replaced.text).toBe('version 2');
      expect(replaced.headers['x-cache']).toBe('Miss from cloudfront');
      expect((await send(proxy.url, '/doc')).headers['x-cache']).toBe('Hit from cloudfront');

      // The origin goes away: once stale, the object is still served (docs/cloudfront-reference.md §6.6), not a 502.
      await origin.close();
      clock.advance(11_000);
      const stale = await send(proxy.url, '/doc');
      expect(stale.status).toBe(200);
      expect(stale.text).toBe('version 2');
      expect(stale.headers['x-cache']).toBe('Hit from cloudfront');
    } finally {
      await proxy.close();
    }
  });
});
