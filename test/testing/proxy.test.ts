// startEdgeProxy from edgeproxy/testing: a distribution of the example functions on port 0, and
// proxy.fetch's record of each exchange — what the origin got, which functions ran, the cache decision.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeProxy, type TestProxy } from '../../src/testing/index.js';
import { startOrigin, type TestOrigin } from '../helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('startEdgeProxy + proxy.fetch', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      const found = req.url === '/about/index.html';
      const body = found ? '<h1>About</h1>' : 'not found';
      res.writeHead(found ? 200 : 404, { 'content-type': found ? 'text/html' : 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    proxy = await startEdgeProxy({
      baseDir: ROOT,
      config: {
        origins: [{ id: 'site', url: origin.url }],
        functions: [
          { id: 'redirect', file: 'functions/redirect.js' },
          { id: 'index', file: 'functions/directory-index.js' },
          { id: 'cc', file: 'functions/cache-control.js' },
          { id: 'bad', file: 'test/fixtures/testing/verdicts.mjs', export: 'changeHost' },
        ],
        behaviors: [
          { pathPattern: '/broken/*', origin: 'site', functions: { 'viewer-request': 'bad' } },
          { pathPattern: '*', origin: 'site', functions: { 'viewer-request': 'redirect', 'origin-request': 'index', 'origin-response': 'cc' } },
        ],
      },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('listens on a free loopback port', () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proxy.url).not.toBe('http://127.0.0.1:8080');
  });

  it('a miss: the origin got the rewritten uri, three functions ran, the response was stored', async () => {
    const res = await proxy.fetch('/about');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1>About</h1>');
    expect(res.headers.get('x-cache')).toBe('Miss from cloudfront');
    const edge = res.edge;
    expect(edge?.requestId).toBe(res.headers.get('x-amz-cf-id'));
    expect(edge?.behavior).toBe('*');
    expect(edge?.originRequest?.uri).toBe('/about/index.html');
    expect(edge?.originRequest?.url).toBe(`${origin.url}/about/index.html`);
    expect(edge?.originRequest?.headers.via?.[0]?.value).toMatch(/\(CloudFront\)$/);
    expect(edge?.functions).toEqual([
      { trigger: 'viewer-request', functionId: 'redirect', version: '$LATEST' },
      { trigger: 'origin-request', functionId: 'index', version: '$LATEST' },
      { trigger: 'origin-response', functionId: 'cc', version: '$LATEST' },
    ]);
    // fetch sends Accept-Encoding: gzip, deflate; the policy keys on the normalized gzip (docs/cloudfront-reference.md §6.3).
    expect(edge?.cache).toEqual({ key: '/about ae=gzip', lookup: 'miss', stored: true });
    expect(edge?.steps.map((s) => s.step)).toEqual(['request', 'viewer-request', 'cache-lookup', 'origin-request', 'origin-fetch', 'origin-response', 'cache-store', 'viewer-response', 'deliver']);
    expect(edge?.error).toBeUndefined();
    // The origin saw the same thing the record says.
    expect(origin.requests.at(-1)?.url).toBe('/about/index.html');
    // The inspector's capture of the same exchange rides along.
    const captured = edge?.inspector;
    expect(captured?.requestId).toBe(edge?.requestId);
    expect(captured?.origin?.url).toBe(`${origin.url}/about/index.html`);
    expect(captured?.origin?.status).toBe(200);
    expect(captured?.functionRuns.map((f) => `${f.trigger}=${f.functionId}`)).toEqual(['viewer-request=redirect', 'origin-request=index', 'origin-response=cc']);
    expect(captured?.functionRuns[1]?.diff?.fields).toContainEqual(expect.objectContaining({ field: 'uri', before: '/about', after: '/about/index.html' }));
    expect(captured?.cache).toMatchObject({ lookup: 'Miss', stored: true });
    expect(captured?.cache?.ttlRule).toMatch(/max-age=60/);
  });

  it('the inspector page of the test distribution is on a free loopback port', () => {
    expect(proxy.inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inspector\/$/);
  });

  it('with inspect: false there is no capture and no admin listener, and the record still comes', async () => {
    const plain = await startEdgeProxy({ baseDir: ROOT, inspect: false, config: { origins: [{ id: 'site', url: origin.url }], functions: [{ id: 'index', file: 'functions/directory-index.js' }], behaviors: [{ pathPattern: '*', origin: 'site', functions: { 'origin-request': 'index' } }] } });
    try {
      expect(plain.inspectorUrl).toBeUndefined();
      expect(plain.adminUrl).toBeUndefined();
      const res = await plain.fetch('/about');
      expect(res.edge?.originRequest?.uri).toBe('/about/index.html');
      expect(res.edge?.inspector).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('the same again: a hit, no origin request, only viewer-request ran', async () => {
    const hitsBefore = origin.hits;
    const res = await proxy.fetch('/about');
    expect(res.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(res.edge?.originRequest).toBeUndefined();
    expect(res.edge?.cache?.lookup).toBe('hit');
    expect(res.edge?.functions.map((f) => f.functionId)).toEqual(['redirect']);
    expect(origin.hits).toBe(hitsBefore);
  });

  it('a generated response: no cache, no origin', async () => {
    const res = await proxy.fetch('/old-blog/first-post/', { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toMatch(/\/blog\/first-post\/$/);
    expect(res.edge?.xCache).toBe('LambdaGeneratedResponse');
    expect(res.edge?.originRequest).toBeUndefined();
    expect(res.edge?.cache).toBeUndefined();
  });

  it('a function CloudFront refuses: the error with its field, the 502 the viewer got', async () => {
    const res = await proxy.fetch('/broken/x');
    expect(res.status).toBe(502);
    expect(res.edge?.error).toMatchObject({ code: 'LambdaValidationError', stage: 'viewer-request', field: 'headers["host"]' });
    expect(res.edge?.steps.map((s) => s.outcome)).toContain('error');
  });

  it('keeps the functions\' lines in proxy.logs, printing nothing', () => {
    expect(proxy.logs.some((l) => /^REPORT RequestId: /.test(l))).toBe(true);
  });
});
