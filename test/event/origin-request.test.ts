import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { CachePolicy, OriginRequestPolicy, ResolvedBehavior, ResolvedConfig, ResolvedOrigin } from '../../src/config/types.js';
import { rawToCfHeaders } from '../../src/event/headers.js';
import { buildOriginRequest, normalizeAcceptEncoding, originHostHeader, originRequestToFetch, type OriginRequestContext } from '../../src/event/origin-request.js';
import type { CfHeaders, CfRequest } from '../../src/event/types.js';

const none = { behavior: 'none' } as const;

function cachePolicy(over: Partial<CachePolicy> = {}): CachePolicy {
  return { name: 'cp', minTTL: 0, defaultTTL: 86400, maxTTL: 31536000, queryStrings: none, headers: none, cookies: none, enableAcceptEncodingGzip: false, enableAcceptEncodingBrotli: false, ...over };
}
function orp(over: Partial<OriginRequestPolicy> = {}): OriginRequestPolicy {
  return { name: 'orp', queryStrings: none, headers: none, cookies: none, ...over };
}
function behavior(cp: CachePolicy, op?: OriginRequestPolicy): ResolvedBehavior {
  return { pathPattern: '*', matches: () => true, originId: 'o', functions: {}, cachePolicy: cp, originRequestPolicy: op, compress: false, allowedMethods: ['GET', 'HEAD'], cachedMethods: ['GET', 'HEAD'] };
}
function origin(over: Partial<ResolvedOrigin> = {}): ResolvedOrigin {
  return {
    id: 'o',
    url: 'http://origin.example.org',
    protocol: 'http',
    domainName: 'origin.example.org',
    port: 80,
    path: '',
    readTimeout: 30,
    keepaliveTimeout: 5,
    connectTimeout: 10,
    customHeaders: {},
    sslProtocols: ['TLSv1.2'],
    ...over,
  };
}
const config = { viaHost: '0123456789abcdef0123456789abcdef' } as ResolvedConfig; // only viaHost is read

function ctx(b: ResolvedBehavior, o: ResolvedOrigin = origin(), cloudFrontHeaders: CfHeaders = {}, viewerHttpVersion = '1.1'): OriginRequestContext {
  return { origin: o, behavior: b, config, clientIp: '198.51.100.23', viewerHttpVersion, cloudFrontHeaders };
}

function viewer(raw: string[], querystring = '', extra: Partial<CfRequest> = {}): CfRequest {
  return { clientIp: '198.51.100.23', method: 'GET', uri: '/img/logo.png', querystring, headers: rawToCfHeaders(raw), ...extra };
}

const basicViewer = [
  'Host', 'www.example.com',
  'User-Agent', 'curl/8.5.0',
  'Accept', '*/*',
  'Cookie', 'a=1; b=2',
  'Cookie', 'c=3',
];

describe('buildOriginRequest', () => {
  it('matches the AWS rule: example events sample for a policy that forwards nothing', () => {
    const cf: CfHeaders = { 'cloudfront-viewer-country': [{ key: 'CloudFront-Viewer-Country', value: 'DE' }] };
    const req = buildOriginRequest(viewer(basicViewer, 'v=3&lang=en'), ctx(behavior(cachePolicy()), origin({ protocol: 'https', port: 443 }), cf));
    expect(req).toEqual({
      clientIp: '198.51.100.23',
      method: 'GET',
      uri: '/img/logo.png',
      querystring: '',
      headers: {
        host: [{ key: 'Host', value: 'origin.example.org' }],
        'user-agent': [{ key: 'User-Agent', value: 'Amazon CloudFront' }],
        'x-forwarded-for': [{ key: 'X-Forwarded-For', value: '198.51.100.23' }],
        via: [{ key: 'Via', value: '1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)' }],
        'cloudfront-viewer-country': [{ key: 'CloudFront-Viewer-Country', value: 'DE' }],
      },
      origin: {
        custom: { customHeaders: {}, domainName: 'origin.example.org', keepaliveTimeout: 5, path: '', port: 443, protocol: 'https', readTimeout: 30, sslProtocols: ['TLSv1.2'] },
      },
    });
  });

  it('query string and cookies: union of cache policy and origin request policy, sent order kept', () => {
    const b = behavior(
      cachePolicy({ queryStrings: { behavior: 'whitelist', names: ['lang'] }, cookies: { behavior: 'whitelist', names: ['c'] } }),
      orp({ queryStrings: { behavior: 'whitelist', names: ['v'] }, cookies: { behavior: 'whitelist', names: ['a'] } }),
    );
    const req = buildOriginRequest(viewer(basicViewer, 'x=0&v=3&lang=en'), ctx(b));
    expect(req.querystring).toBe('v=3&lang=en');
    expect(req.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1; c=3' }]);
    const all = buildOriginRequest(viewer(basicViewer, 'x=0&v=3'), ctx(behavior(cachePolicy(), orp({ queryStrings: { behavior: 'all' }, cookies: { behavior: 'all' } }))));
    expect(all.querystring).toBe('x=0&v=3');
    expect(all.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1; b=2; c=3' }]);
  });

  it('cache-policy headers and whitelisted ORP headers are forwarded; others are not', () => {
    const b = behavior(cachePolicy({ headers: { behavior: 'whitelist', names: ['accept'] } }), orp({ headers: { behavior: 'whitelist', names: ['x-custom'] } }));
    const req = buildOriginRequest(viewer([...basicViewer, 'X-Custom', '1', 'X-Other', '2', 'Accept-Language', 'de']), ctx(b));
    expect(req.headers.accept).toEqual([{ key: 'Accept', value: '*/*' }]);
    expect(req.headers['x-custom']).toEqual([{ key: 'X-Custom', value: '1' }]);
    expect(req.headers['x-other']).toBeUndefined();
    expect(req.headers['accept-language']).toBeUndefined();
  });

  it('AllViewer forwards the viewer Host and User-Agent; AllViewerExceptHost rewrites Host', () => {
    const all = buildOriginRequest(viewer(basicViewer), ctx(behavior(cachePolicy(), orp({ headers: { behavior: 'allViewer' } }))));
    expect(all.headers.host).toEqual([{ key: 'Host', value: 'www.example.com' }]);
    expect(all.headers['user-agent']).toEqual([{ key: 'User-Agent', value: 'curl/8.5.0' }]);
    expect(all.headers.accept).toEqual([{ key: 'Accept', value: '*/*' }]);
    const exceptHost = buildOriginRequest(viewer(basicViewer), ctx(behavior(cachePolicy(), orp({ headers: { behavior: 'allExcept', names: ['host'] } }))));
    expect(exceptHost.headers.host).toEqual([{ key: 'Host', value: 'origin.example.org' }]);
    expect(exceptHost.headers.accept).toBeDefined();
  });

  it('Host carries the port only when it is not the protocol default', () => {
    expect(buildOriginRequest(viewer(basicViewer), ctx(behavior(cachePolicy()), origin({ domainName: '127.0.0.1', port: 3000 }))).headers.host).toEqual([{ key: 'Host', value: '127.0.0.1:3000' }]);
    expect(originHostHeader('::1', 'http', 8080)).toBe('[::1]:8080');
    expect(originHostHeader('a.example', 'https', 443)).toBe('a.example');
    expect(originHostHeader('a.example', 'http', 443)).toBe('a.example:443');
  });

  it('appends to the viewer X-Forwarded-For and Via', () => {
    const req = buildOriginRequest(viewer([...basicViewer, 'X-Forwarded-For', '203.0.113.9', 'Via', '1.1 proxy']), ctx(behavior(cachePolicy()), origin(), {}, '2.0'));
    expect(req.headers['x-forwarded-for']).toEqual([{ key: 'X-Forwarded-For', value: '203.0.113.9, 198.51.100.23' }]);
    expect(req.headers.via).toEqual([{ key: 'Via', value: '1.1 proxy, 2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)' }]);
  });

  it('never forwards hop-by-hop, Connection-named, disallowed or override headers, even under AllViewer', () => {
    const raw = [
      ...basicViewer,
      'Connection', 'keep-alive, X-Hop',
      'X-Hop', '1',
      'Keep-Alive', 'timeout=5',
      'TE', 'trailers',
      'Transfer-Encoding', 'chunked',
      'Upgrade', 'websocket',
      'Proxy-Authorization', 'x',
      'X-Real-IP', '1.2.3.4',
      'X-Forwarded-Proto', 'https',
      'X-Amz-Cf-Id', 'spoof',
      'X-Cache', 'Hit',
      'X-Edge-Thing', '1',
      'Expect', '100-continue',
      'X-Kept', 'yes',
    ];
    const req = buildOriginRequest(viewer(raw), ctx(behavior(cachePolicy(), orp({ headers: { behavior: 'allViewer' } }))));
    expect(Object.keys(req.headers).sort()).toEqual(['accept', 'host', 'user-agent', 'via', 'x-forwarded-for', 'x-kept']);
  });

  it('protocol headers pass in policy mode; If-None-Match does not (CloudFront revalidates itself)', () => {
    const raw = [...basicViewer, 'Content-Type', 'application/json', 'Content-Length', '2', 'Range', 'bytes=0-1', 'If-None-Match', '"x"', 'If-Match', '"y"'];
    const req = buildOriginRequest(viewer(raw, '', { method: 'PUT' }), ctx(behavior(cachePolicy())));
    expect(req.headers['content-type']).toBeDefined();
    expect(req.headers['content-length']).toBeDefined();
    expect(req.headers.range).toBeDefined();
    expect(req.headers['if-match']).toBeDefined();
    expect(req.headers['if-none-match']).toBeUndefined();
    expect(req.headers.authorization).toBeUndefined();
  });

  it('Authorization reaches the origin only when a policy forwards it', () => {
    const raw = [...basicViewer, 'Authorization', 'Bearer t'];
    expect(buildOriginRequest(viewer(raw), ctx(behavior(cachePolicy()))).headers.authorization).toBeUndefined();
    expect(buildOriginRequest(viewer(raw), ctx(behavior(cachePolicy({ headers: { behavior: 'whitelist', names: ['authorization'] } })))).headers.authorization).toEqual([
      { key: 'Authorization', value: 'Bearer t' },
    ]);
  });

  it('CloudFront-* values replace the viewer-sent ones the policy asks for (AWS rule: CloudFront-generated request headers in functions)', () => {
    const raw = [...basicViewer, 'CloudFront-Viewer-Country', 'XX', 'CloudFront-Other', 'kept'];
    const cf: CfHeaders = { 'cloudfront-viewer-country': [{ key: 'CloudFront-Viewer-Country', value: 'DE' }] };
    const req = buildOriginRequest(viewer(raw), ctx(behavior(cachePolicy(), orp({ headers: { behavior: 'allViewer' } })), origin(), cf));
    expect(req.headers['cloudfront-viewer-country']).toEqual([{ key: 'CloudFront-Viewer-Country', value: 'DE' }]);
    expect(req.headers['cloudfront-other']).toEqual([{ key: 'CloudFront-Other', value: 'kept' }]);
  });

  it('a viewer-sent CloudFront-* header a policy names is dropped even without a CloudFront value', () => {
    const raw = [...basicViewer, 'CloudFront-Viewer-City', 'Spoofville'];
    const b = behavior(cachePolicy(), orp({ headers: { behavior: 'allViewerAndWhitelistCloudFront', names: ['cloudfront-viewer-city'] } }));
    expect(buildOriginRequest(viewer(raw), ctx(b)).headers['cloudfront-viewer-city']).toBeUndefined();
  });

  it('Accept-Encoding is normalised when the cache policy enables compression (AWS rule: accept-Encoding normalisation)', () => {
    const b = behavior(cachePolicy({ enableAcceptEncodingGzip: true, enableAcceptEncodingBrotli: true }));
    const withAE = (v: string, ver = '1.1') => buildOriginRequest(viewer([...basicViewer, 'Accept-Encoding', v]), ctx(b, origin(), {}, ver)).headers['accept-encoding'];
    expect(withAE('gzip, deflate, br')).toEqual([{ key: 'Accept-Encoding', value: 'br,gzip' }]);
    expect(withAE('deflate')).toEqual([{ key: 'Accept-Encoding', value: 'identity' }]);
    expect(withAE('gzip', '1.0')).toBeUndefined(); // docs/cloudfront-reference.md §6.10: HTTP/1.0 viewers
    expect(buildOriginRequest(viewer(basicViewer), ctx(b)).headers['accept-encoding']).toBeUndefined();
    // Compression off: an ordinary header, forwarded only when named.
    const off = behavior(cachePolicy(), orp({ headers: { behavior: 'whitelist', names: ['accept-encoding'] } }));
    expect(buildOriginRequest(viewer([...basicViewer, 'Accept-Encoding', 'gzip, deflate']), ctx(off)).headers['accept-encoding']).toEqual([{ key: 'Accept-Encoding', value: 'gzip, deflate' }]);
  });

  it('origin custom headers go to origin.custom.customHeaders and replace same-named viewer headers', () => {
    const o = origin({ customHeaders: { 'X-Origin-Secret': 's3cr3t' } });
    const req = buildOriginRequest(viewer([...basicViewer, 'x-origin-secret', 'forged']), ctx(behavior(cachePolicy(), orp({ headers: { behavior: 'allViewer' } })), o));
    expect(req.headers['x-origin-secret']).toBeUndefined();
    expect(req.origin).toMatchObject({ custom: { customHeaders: { 'x-origin-secret': [{ key: 'X-Origin-Secret', value: 's3cr3t' }] } } });
    // Each call gets its own origin object.
    const again = buildOriginRequest(viewer(basicViewer), ctx(behavior(cachePolicy()), o));
    expect(again.origin).not.toBe(req.origin);
  });

  it('leaves body to the caller (it depends on the origin-request association)', () => {
    const body = { inputTruncated: false, action: 'read-only' as const, encoding: 'base64' as const, data: 'aGk=' };
    expect('body' in buildOriginRequest(viewer(basicViewer, '', { method: 'POST', body }), ctx(behavior(cachePolicy())))).toBe(false);
  });
});

describe('normalizeAcceptEncoding (AWS rule: accept-Encoding normalisation)', () => {
  it.each<[string | undefined, boolean, boolean, string | undefined]>([
    [undefined, true, true, undefined],
    ['gzip, br', true, true, 'br,gzip'],
    ['br;q=1.0, gzip;q=0.8, *', true, true, 'br,gzip'],
    ['gzip, br', true, false, 'gzip'],
    ['gzip, br', false, true, 'br'],
    ['deflate, compress', true, true, 'identity'],
    ['GZIP', true, true, 'gzip'],
    ['gzip;q=0, br', true, true, 'br'],
    ['', true, true, undefined],
  ])('%j gzip=%s br=%s → %j', (v, g, b, want) => {
    expect(normalizeAcceptEncoding(v, g, b)).toBe(want);
  });
});

describe('originRequestToFetch against a real origin', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('sends to protocol://domain:port + path + uri + ?qs with request and custom headers', async () => {
    let got: { url: string | undefined; headers: CfHeaders } | undefined;
    server = createServer((req: IncomingMessage, res) => {
      got = { url: req.url, headers: rawToCfHeaders(req.rawHeaders) };
      res.end('ok');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const o = origin({ domainName: '127.0.0.1', port, path: '/base', customHeaders: { 'X-Origin-Secret': 's' } });
    const b = behavior(cachePolicy({ queryStrings: { behavior: 'all' } }));
    const req = buildOriginRequest(viewer(basicViewer, 'a=1&b=%20'), ctx(b, o));
    const f = originRequestToFetch(req, 'Q1x9r0vLbYkz7mTn2oPc4aHdE6fGi8jKs3uVw5yXz_AbCdEfGhIjKl==');
    expect(f.url).toBe(`http://127.0.0.1:${port}/base/img/logo.png?a=1&b=%20`);
    const res = await request(f.url, { method: 'GET', headers: f.headers });
    await res.body.text();
    expect(got?.url).toBe('/base/img/logo.png?a=1&b=%20');
    // undici writes the Host name itself (lowercase); the value is ours.
    expect(got?.headers.host?.map((e) => e.value)).toEqual([`127.0.0.1:${port}`]);
    expect(got?.headers['user-agent']).toEqual([{ key: 'User-Agent', value: 'Amazon CloudFront' }]);
    expect(got?.headers['x-origin-secret']).toEqual([{ key: 'X-Origin-Secret', value: 's' }]);
    expect(got?.headers['x-amz-cf-id']?.[0]?.value).toBe('Q1x9r0vLbYkz7mTn2oPc4aHdE6fGi8jKs3uVw5yXz_AbCdEfGhIjKl==');
    expect(got?.headers.via?.[0]?.value).toBe('1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)');
  });

  it('an s3 origin is fetched as HTTPS on 443; IPv6 hosts are bracketed', () => {
    const base: CfRequest = { clientIp: '1.1.1.1', method: 'GET', uri: '/k', querystring: '', headers: {} };
    const s3 = originRequestToFetch({ ...base, origin: { s3: { authMethod: 'none', customHeaders: {}, domainName: 'b.s3.us-east-1.amazonaws.com', path: '/p' } } });
    expect(s3.url).toBe('https://b.s3.us-east-1.amazonaws.com:443/p/k');
    expect(s3.origin.protocol).toBe('https');
    const v6 = originRequestToFetch({ ...base, origin: { custom: { customHeaders: {}, domainName: '::1', keepaliveTimeout: 5, path: '', port: 8080, protocol: 'http', readTimeout: 30, sslProtocols: ['TLSv1.2'] } } });
    expect(v6.url).toBe('http://[::1]:8080/k');
    expect(() => originRequestToFetch(base)).toThrow(/no origin/);
  });
});
