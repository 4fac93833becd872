// buildEvent gives the event the proxy gives a function: the same request sent through a real proxy
// (record.mjs captures the four events) and built by the kit compare equal, field for field.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { buildEvent } from '../../src/testing/index.js';
import { FIXTURES, recordedEvent, send, startOrigin, type TestOrigin } from '../helpers.js';
import { startEdgeProxy, type EdgeProxy } from '../../src/index.js';
import { memoryLogger } from '../../src/log.js';

const REC = 'e2e/record.mjs';
const TRIGGERS = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const;

/** The origin's answer, exactly: these lines (plus Connection/Keep-Alive, which never reach an event). */
const ORIGIN_HEADERS = ['Date', 'Thu, 03 Dec 2026 10:00:00 GMT', 'Content-Type', 'text/plain', 'ETag', '"abc"', 'Cache-Control', 'max-age=60', 'X-Origin', 'yes', 'Content-Length', '2'];

describe('buildEvent equals what the proxy gives a function', () => {
  let origin: TestOrigin;
  let proxy: EdgeProxy;
  let config: ResolvedConfig;
  beforeAll(async () => {
    origin = await startOrigin((_req: IncomingMessage, res: ServerResponse) => {
      res.sendDate = false;
      res.writeHead(200, 'OK', ORIGIN_HEADERS);
      res.end('ok');
    });
    config = await loadConfig({
      baseDir: FIXTURES,
      object: {
        listen: { host: '127.0.0.1', port: 0 },
        distributionId: 'EKITTEST',
        origins: [{ id: 'o', url: `${origin.url}/base`, customHeaders: { 'X-Origin-Secret': 's3cr3t' } }],
        functions: [
          { id: 'vr', file: REC, export: 'viewerRequest' },
          { id: 'or', file: REC, export: 'originRequest' },
          { id: 'ors', file: REC, export: 'originResponse' },
          { id: 'vrs', file: REC, export: 'viewerResponse' },
        ],
        behaviors: [
          {
            pathPattern: '/api/*',
            origin: 'o',
            cachePolicy: 'CachingDisabled',
            originRequestPolicy: 'AllViewerAndCloudFrontHeaders-2022-06',
            functions: { 'viewer-request': { function: 'vr', includeBody: true }, 'origin-request': { function: 'or', includeBody: true }, 'origin-response': 'ors', 'viewer-response': 'vrs' },
          },
          {
            pathPattern: '*',
            origin: 'o',
            originRequestPolicy: 'AllViewerAndCloudFrontHeaders-2022-06',
            functions: { 'viewer-request': 'vr', 'origin-request': 'or', 'origin-response': 'ors', 'viewer-response': 'vrs' },
          },
        ],
        viewerHeaders: { 'CloudFront-Viewer-Country': 'DE' },
      },
    });
    proxy = await startEdgeProxy({ config, log: memoryLogger() });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  async function compare(path: string, method: string, headers: string[], body?: string): Promise<void> {
    const host = new URL(proxy.url).host;
    const sent = ['Host', host, ...headers];
    const r = await send(proxy.url, path, body === undefined ? { method, headers: sent } : { method, headers: sent, body });
    expect(r.status).toBe(200);
    for (const trigger of TRIGGERS) {
      const captured = recordedEvent(r.headers, trigger);
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < sent.length; i += 2) pairs.push([sent[i] as string, sent[i + 1] as string]);
      // Node's client adds this line itself.
      pairs.push(['Connection', 'close']);
      const built = await buildEvent(trigger, {
        config,
        uri: path,
        method,
        headers: pairs,
        defaultHeaders: false,
        clientIp: '127.0.0.1',
        requestId: captured.Records[0]!.cf.config.requestId,
        responseHeaders: Array.from({ length: ORIGIN_HEADERS.length / 2 }, (_, i) => [ORIGIN_HEADERS[2 * i] as string, ORIGIN_HEADERS[2 * i + 1] as string] as const),
        defaultResponseHeaders: false,
        ...(body === undefined ? {} : { body }),
      });
      expect(built, trigger).toEqual(captured);
    }
  }

  it('a GET with cookies, a query string, repeated lines, X-Forwarded-For and CloudFront-* headers', async () => {
    await compare('/page.html?b=2&a=1', 'GET', [
      'User-Agent', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148',
      'Accept', '*/*',
      'Accept-Encoding', 'gzip, br',
      'Cookie', 'a=1',
      'cookie', 'b=2',
      'X-Forwarded-For', '198.51.100.7',
      'X-MiXeD', 'v',
      // an override of a header only a real edge knows (docs/cloudfront-reference.md §7); never shown to functions
      'X-Edgeproxy-CloudFront-Viewer-Address', '127.0.0.1:40000',
    ]);
  });

  it('a POST with a body shown to both request triggers (includeBody) on another behavior', async () => {
    await compare('/api/items', 'POST', ['Content-Type', 'application/json', 'Content-Length', '11', 'X-Edgeproxy-CloudFront-Viewer-Address', '127.0.0.1:40000'], '{"a":"bcd"}');
  });
});

describe('buildEvent on its own', () => {
  it('defaults to a browser request on the distribution `edgeproxy --origin http://127.0.0.1:3000` runs', async () => {
    const ev = await buildEvent('viewer-request', { uri: '/docs/?page=2' });
    const cf = ev.Records[0].cf;
    expect(cf.config.eventType).toBe('viewer-request');
    expect(cf.config.requestId).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    expect(cf.request).toMatchObject({ method: 'GET', uri: '/docs/', querystring: 'page=2', clientIp: '203.0.113.10' });
    expect(Object.keys(cf.request.headers)).toEqual(['host', 'user-agent', 'accept', 'accept-encoding', 'accept-language']);
    expect(cf.request.headers.host).toEqual([{ key: 'Host', value: '127.0.0.1:8080' }]);
    expect(cf.request.origin).toBeUndefined();
  });

  it('origin-request: the origin-side headers and origin.custom of the default distribution', async () => {
    const ev = await buildEvent('origin-request', { uri: '/about', headers: { 'Accept-Language': null, Cookie: 'a=1' } });
    const req = ev.Records[0].cf.request;
    expect(req.headers.host).toEqual([{ key: 'Host', value: '127.0.0.1:3000' }]);
    expect(req.headers['x-forwarded-for']).toEqual([{ key: 'X-Forwarded-For', value: '203.0.113.10' }]);
    expect(req.headers['accept-encoding']).toEqual([{ key: 'Accept-Encoding', value: 'br,gzip' }]);
    expect(req.headers.via?.[0]?.value).toMatch(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
    expect(req.headers['accept-language']).toBeUndefined();
    expect(req.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1' }]);
    expect(req.origin).toEqual({
      custom: { customHeaders: {}, domainName: '127.0.0.1', keepaliveTimeout: 5, path: '', port: 3000, protocol: 'http', readTimeout: 30, sslProtocols: ['TLSv1.2'] },
    });
  });

  it('response triggers: the status, reason phrase and the origin\'s end-to-end header lines', async () => {
    const ev = await buildEvent('viewer-response', { status: 404, responseHeaders: { 'Cache-Control': 'no-cache', Connection: 'close' }, age: 7 });
    const res = ev.Records[0].cf.response;
    expect(res.status).toBe('404');
    expect(res.statusDescription).toBe('Not Found');
    expect(res.headers['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-cache' }]);
    expect(res.headers.connection).toBeUndefined();
    expect(res.headers.age).toEqual([{ key: 'Age', value: '7' }]);
    expect(ev.Records[0].cf.request.headers.host).toEqual([{ key: 'Host', value: '127.0.0.1:8080' }]);
  });

  it('names a bad behavior pattern and a bad uri', async () => {
    await expect(buildEvent('viewer-request', { behavior: '/ap/*', config: { origins: [{ id: 'o', url: 'http://127.0.0.1:3001' }], behaviors: [{ pathPattern: '/api/*', origin: 'o' }, { pathPattern: '*', origin: 'o' }] } })).rejects.toThrow(
      /--behavior: no behavior has the path pattern "\/ap\/\*" \(did you mean "\/api\/\*"\?\)/,
    );
    await expect(buildEvent('viewer-request', { uri: 'about' })).rejects.toThrow(/--uri: must start with "\/"/);
  });
});
