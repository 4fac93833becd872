// End to end through a real origin, the real proxy and real worker threads: the four hooks, their
// events, the skip rules of docs/cloudfront-reference.md §5.1, and CloudFront's response headers (docs/cloudfront-reference.md §5.4).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedEvent, send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const REC = 'e2e/record.mjs';
const FNS = 'e2e/fns.mjs';

describe('four hooks and their events', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      distributionId: 'E2ETEST',
      origins: [{ id: 'o', url: origin.url, customHeaders: { 'X-Origin-Secret': 's3cr3t' } }],
      functions: [
        { id: 'vr', file: REC, export: 'viewerRequest' },
        { id: 'or', file: REC, export: 'originRequest' },
        { id: 'ors', file: REC, export: 'originResponse' },
        { id: 'vrs', file: REC, export: 'viewerResponse' },
      ],
      behaviors: [
        {
          pathPattern: '*',
          origin: 'o',
          originRequestPolicy: 'AllViewerAndCloudFrontHeaders-2022-06',
          functions: { 'viewer-request': 'vr', 'origin-request': 'or', 'origin-response': 'ors', 'viewer-response': 'vrs' },
        },
      ],
      viewerHeaders: { 'CloudFront-Viewer-Country': 'DE' },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('runs all four triggers with one request id equal to X-Amz-Cf-Id', async () => {
    const r = await send(proxy.url, '/path/to/page.html?b=2&a=1', {
      headers: ['User-Agent', 'test-agent/1.0', 'Cookie', 'a=1', 'cookie', 'b=2', 'X-Custom-Thing', 'v'],
    });
    expect(r.status).toBe(200);
    const cfId = r.headers['x-amz-cf-id'];
    expect(typeof cfId).toBe('string');
    expect(cfId as string).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    const types = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];
    for (const t of types) {
      const ev = recordedEvent(r.headers, t);
      expect(ev.Records).toHaveLength(1);
      const cf = ev.Records[0]!.cf;
      expect(cf.config.eventType).toBe(t);
      expect(cf.config.requestId).toBe(cfId);
      expect(cf.config.distributionId).toBe('E2ETEST');
      expect(cf.config.distributionDomainName).toMatch(/\.cloudfront\.net$/);
      expect(cf.request.querystring).toBe('b=2&a=1');
      expect(cf.request.clientIp).toBe('127.0.0.1');
    }
  });

  it('shows viewer headers lowercase-keyed, spelling kept, one entry per line (AWS rule: headers in events)', async () => {
    const r = await send(proxy.url, '/h', { headers: ['X-MiXeD-Case', 'one', 'Cookie', 'a=1', 'Cookie', 'b=2; c=3'] });
    const vr = recordedEvent(r.headers, 'viewer-request').Records[0]!.cf;
    expect(vr.request.headers['x-mixed-case']).toEqual([{ key: 'X-MiXeD-Case', value: 'one' }]);
    expect(vr.request.headers.cookie).toEqual([
      { key: 'Cookie', value: 'a=1' },
      { key: 'Cookie', value: 'b=2; c=3' },
    ]);
    expect(vr.request.uri).toBe('/h');
    expect(vr.request.querystring).toBe('');
    expect(vr.request.method).toBe('GET');
    expect(vr.request.origin).toBeUndefined();
    // Disallowed headers never appear in events (docs/cloudfront-reference.md §1.2, §3.1).
    expect(vr.request.headers.connection).toBeUndefined();
  });

  it('gives origin events the origin-side request (AWS rule: headers CloudFront adds, removes or replaces, §1.4)', async () => {
    const r = await send(proxy.url, '/o', { headers: { 'User-Agent': 'viewer-ua', 'X-Forwarded-For': '203.0.113.9' } });
    const or = recordedEvent(r.headers, 'origin-request').Records[0]!.cf;
    const h = or.request.headers;
    expect(h['x-forwarded-for']?.[0]?.value).toBe('203.0.113.9, 127.0.0.1');
    expect(h.via?.[0]?.value).toMatch(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
    const custom = or.request.origin?.custom as Record<string, unknown>;
    expect(custom.domainName).toBe('127.0.0.1');
    expect(custom.port).toBe(origin.port);
    expect(custom.protocol).toBe('http');
    expect(custom.path).toBe('');
    expect(custom.customHeaders).toEqual({ 'x-origin-secret': [{ key: 'X-Origin-Secret', value: 's3cr3t' }] });
    // CloudFront-* viewer headers: in origin events when a policy names them, never at viewer-request (docs/cloudfront-reference.md §7).
    expect(h['cloudfront-viewer-country']?.[0]?.value).toBe('DE');
    const vr = recordedEvent(r.headers, 'viewer-request').Records[0]!.cf;
    expect(vr.request.headers['cloudfront-viewer-country']).toBeUndefined();
    // The origin received the custom header.
    const seen = origin.requests.at(-1)!;
    const idx = seen.rawHeaders.findIndex((x) => x.toLowerCase() === 'x-origin-secret');
    expect(seen.rawHeaders[idx + 1]).toBe('s3cr3t');
  });

  it('lets a viewer override an injected CloudFront-* value per request, hidden from functions', async () => {
    const r = await send(proxy.url, '/geo', { headers: { 'X-Edgeproxy-CloudFront-Viewer-Country': 'FR' } });
    const or = recordedEvent(r.headers, 'origin-request').Records[0]!.cf;
    expect(or.request.headers['cloudfront-viewer-country']?.[0]?.value).toBe('FR');
    const vr = recordedEvent(r.headers, 'viewer-request').Records[0]!.cf;
    expect(Object.keys(vr.request.headers).some((k) => k.startsWith('x-edgeproxy-'))).toBe(false);
  });

  it('gives response events a string status and the response headers', async () => {
    const r = await send(proxy.url, '/s');
    const ors = recordedEvent(r.headers, 'origin-response').Records[0]!.cf;
    expect(ors.response?.status).toBe('200');
    expect(ors.response?.headers['content-type']?.[0]?.value).toBe('application/json');
    expect(ors.request.origin?.custom).toBeDefined();
    const vrs = recordedEvent(r.headers, 'viewer-response').Records[0]!.cf;
    expect(vrs.response?.status).toBe('200');
    expect(vrs.request.origin).toBeUndefined();
    // X-Cache and friends are not shown to functions (docs/cloudfront-reference.md §1.7).
    expect(vrs.response?.headers['x-cache']).toBeUndefined();
    expect(vrs.response?.headers.via).toBeUndefined();
  });

  it('adds CloudFront response headers (AWS rule: response headers CloudFront adds)', async () => {
    const r = await send(proxy.url, '/plain');
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
    expect(r.headers.via).toMatch(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
    expect(r.headers['x-amz-cf-pop']).toMatch(/^[A-Z]{3}\d+-[CP]\d+$/);
    const names = r.rawHeaders.filter((_, i) => i % 2 === 0);
    expect(names.indexOf('X-Cache')).toBeLessThan(names.indexOf('X-Amz-Cf-Id'));
  });
});

describe('generated responses and skip rules (AWS rule: when each trigger runs)', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('nope');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`origin saw ${req.url}`);
    });
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      functions: [
        { id: 'gen', file: FNS, export: 'generate' },
        { id: 'redirect', file: FNS, export: 'redirect' },
        { id: 'mark', file: FNS, export: 'markViewerResponse' },
        { id: 'status', file: FNS, export: 'setStatusNumber' },
        { id: 'replace', file: FNS, export: 'replaceBody' },
      ],
      behaviors: [
        { pathPattern: '/vr-gen/*', origin: 'o', functions: { 'viewer-request': 'gen', 'viewer-response': 'mark' } },
        { pathPattern: '/or-gen/*', origin: 'o', functions: { 'origin-request': 'gen', 'origin-response': 'status', 'viewer-response': 'mark' } },
        { pathPattern: '/replace/*', origin: 'o', functions: { 'origin-response': 'replace' } },
        { pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'redirect', 'origin-response': 'status', 'viewer-response': 'mark' } },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('viewer-request generated response: no origin, no viewer-response, LambdaGeneratedResponse', async () => {
    const before = origin.hits;
    const r = await send(proxy.url, '/vr-gen/x');
    expect(r.status).toBe(200);
    expect(r.text).toBe('generated at the edge');
    expect(r.headers['x-made-by']).toBe('generator');
    expect(r.headers['x-viewer-response']).toBeUndefined();
    expect(r.headers['x-cache']).toBe('LambdaGeneratedResponse from cloudfront');
    expect(r.headers.server).toBe('CloudFront');
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength('generated at the edge')));
    expect(origin.hits).toBe(before);
  });

  it('a redirect with a numeric status from viewer-request', async () => {
    const r = await send(proxy.url, '/old');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('/new');
  });

  it('origin-request generated response: no origin, no origin-response, viewer-response runs', async () => {
    const before = origin.hits;
    const r = await send(proxy.url, '/or-gen/x');
    expect(r.text).toBe('generated at the edge');
    expect(r.headers['x-origin-response']).toBeUndefined();
    expect(r.headers['x-viewer-response']).toBe('ran');
    expect(origin.hits).toBe(before);
  });

  it('origin 404: origin-response runs; once it makes the status 200, viewer-response runs too', async () => {
    const r = await send(proxy.url, '/missing');
    expect(r.status).toBe(200); // the origin-response function turned it into a 200
    expect(r.headers['x-origin-response']).toBe('ran');
    // Status after origin-response is < 400, so viewer-response runs (decision: post-origin-response status).
    expect(r.headers['x-viewer-response']).toBe('ran');
  });

  it('origin 2xx: all of origin-response and viewer-response run, body streams through', async () => {
    const r = await send(proxy.url, '/page');
    expect(r.status).toBe(200);
    expect(r.text).toBe('origin saw /page');
    expect(r.headers['x-origin-response']).toBe('ran');
    expect(r.headers['x-viewer-response']).toBe('ran');
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
  });

  it('origin-response may replace the body', async () => {
    const r = await send(proxy.url, '/replace/x');
    expect(r.text).toBe('replaced body');
    expect(r.headers['content-length']).toBe(String('replaced body'.length));
    expect(r.headers['content-type']).toBe('text/plain');
  });
});

describe('viewer-response is skipped for errors', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    });
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      functions: [{ id: 'mark', file: FNS, export: 'markViewerResponse' }],
      behaviors: [{ pathPattern: '*', origin: 'o', functions: { 'viewer-response': 'mark' } }],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('does not run viewer-response on an origin 404, and says Error from cloudfront', async () => {
    const r = await send(proxy.url, '/x');
    expect(r.status).toBe(404);
    expect(r.text).toBe('not here');
    expect(r.headers['x-viewer-response']).toBeUndefined();
    expect(r.headers['x-cache']).toBe('Error from cloudfront');
  });
});

describe('uri rewrites and origin switching (AWS rule: the request pipeline at a glance, §1.4)', () => {
  let a: TestOrigin;
  let b: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    a = await startOrigin();
    b = await startOrigin();
    proxy = await startProxy({
      origins: [
        { id: 'a', url: a.url },
        { id: 'b', url: b.url },
      ],
      functions: [
        { id: 'rewrite', file: FNS, export: 'rewriteAtoB' },
        { id: 'switch', file: FNS, export: 'switchOrigin' },
      ],
      behaviors: [
        { pathPattern: '/a/*', origin: 'a', functions: { 'viewer-request': 'rewrite' } },
        { pathPattern: '/b/*', origin: 'b' },
        { pathPattern: '*', origin: 'a', functions: { 'origin-request': 'switch' } },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await a?.close();
    await b?.close();
  });

  it('a uri rewrite at viewer-request keeps the behavior and origin chosen from the original path', async () => {
    const aBefore = a.hits;
    const bBefore = b.hits;
    const r = await send(proxy.url, '/a/file.txt?q=1');
    expect(r.status).toBe(200);
    expect(a.hits).toBe(aBefore + 1);
    expect(b.hits).toBe(bBefore);
    expect(a.requests.at(-1)?.url).toBe('/b/file.txt?q=1');
  });

  it('request.origin changed at origin-request redirects the fetch, with its custom headers', async () => {
    const bBefore = b.hits;
    const r = await send(proxy.url, '/switch/me', { headers: { 'X-Target-Port': String(b.port) } });
    expect(r.status).toBe(200);
    expect(b.hits).toBe(bBefore + 1);
    const seen = b.requests.at(-1)!;
    expect(seen.url).toBe('/prefix/switch/me');
    const i = seen.rawHeaders.findIndex((x) => x.toLowerCase() === 'x-from-function');
    expect(seen.rawHeaders[i + 1]).toBe('yes');
  });
});

describe('inspector headers (opt-in)', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      functions: [{ id: 'mark', file: FNS, export: 'markViewerResponse' }],
      behaviors: [{ pathPattern: '/plain', origin: 'o' }, { pathPattern: '*', origin: 'o', functions: { 'viewer-response': 'mark' } }],
      inspector: { headers: true },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('names the executed version of each function and times each stage', async () => {
    const r = await send(proxy.url, '/x');
    expect(r.headers['x-edgeproxy-executed-version']).toBe('viewer-response=mark:$LATEST');
    expect(String(r.headers['server-timing'])).toMatch(/origin-fetch;dur=\d+\.\d\d, viewer-response;dur=\d+\.\d\d/);
  });

  it('are absent unless asked for', async () => {
    const p = await startProxy({ origins: [{ id: 'o', url: origin.url }] });
    try {
      const r = await send(p.url, '/x');
      expect(r.headers['x-edgeproxy-executed-version']).toBeUndefined();
      expect(r.headers['server-timing']).toBeUndefined();
    } finally {
      await p.close();
    }
  });
});
