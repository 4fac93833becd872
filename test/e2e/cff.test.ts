// CloudFront Functions end to end: a real origin, the real proxy, real worker threads. The fixtures
// are in test/fixtures/cff/ (docs/cloudfront-reference.md §20–§34 has the rules checked here).

import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/cache/clock.js';
import { demoConfigInput } from '../../src/config/demo.js';
import { loadConfig } from '../../src/config/load.js';
import { startProxy as startEdgeProxy, type RunningProxy as EdgeProxy } from '../../src/proxy.js';
import { memoryLogger } from '../../src/log.js';
import { FIXTURES, send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const CFF = 'cff/';
const cffFn = (id: string, file: string, runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0', extra: Record<string, unknown> = {}) => ({ id, file: CFF + file, runtime, ...extra });

/** Waits until `f` returns true, polling; bounded in time. */
async function until(f: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

describe('CloudFront Functions: events, results, generated responses', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      distributionId: 'ECFFTEST',
      viewerHeaders: { 'CloudFront-Viewer-Country': 'DE' },
      origins: [{ id: 'o', url: origin.url }],
      functions: [cffFn('ev1', 'events.js', 'cloudfront-js-1.0'), cffFn('ev2', 'vr-events.js', 'cloudfront-js-2.0'), cffFn('v1', 'v1.js', 'cloudfront-js-1.0')],
      behaviors: [
        { pathPattern: '/v1/*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'v1' } },
        { pathPattern: '/cf/*', origin: 'o', cachePolicy: 'CachingDisabled', originRequestPolicy: 'AllViewerAndCloudFrontHeaders-2022-06', functions: { 'viewer-request': 'ev1' } },
        { pathPattern: '/two/*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'ev2', 'viewer-response': 'ev2' } },
        { pathPattern: '*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'ev1', 'viewer-response': 'ev1' } },
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('viewer-request gets CloudFront Functions\' event: version, context with the request id, viewer.ip, value/multiValue headers, querystring and cookies', async () => {
    const r = await send(proxy.url, '/event?lang=en&tag=a&tag=b%2Cc&debug', {
      headers: ['Accept', 'text/html', 'Accept', '*/*', 'Cookie', 'session=abc123; pref=dark', 'Cookie', 'pref=compact', 'User-Agent', 'test'],
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-cache']).toBe('FunctionGeneratedResponse from cloudfront');
    const ev = JSON.parse(r.text) as Record<string, any>;
    expect(ev.version).toBe('1.0');
    expect(ev.context).toEqual({ distributionDomainName: expect.stringMatching(/\.cloudfront\.net$/), distributionId: 'ECFFTEST', eventType: 'viewer-request', requestId: r.headers['x-amz-cf-id'] });
    expect(ev.viewer).toEqual({ ip: '127.0.0.1' });
    expect(ev.request.method).toBe('GET');
    expect(ev.request.uri).toBe('/event');
    expect(ev.request.querystring).toEqual({ lang: { value: 'en' }, tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b%2Cc' }] }, debug: { value: '' } });
    expect(ev.request.headers.accept).toEqual({ value: 'text/html', multiValue: [{ value: 'text/html' }, { value: '*/*' }] });
    expect(ev.request.headers['user-agent']).toEqual({ value: 'test' });
    expect(ev.request.headers.cookie).toBeUndefined();
    // No policy of this behavior names a CloudFront-* header, so the function sees none.
    expect(ev.request.headers['cloudfront-viewer-country']).toBeUndefined();
    expect(ev.request.cookies).toEqual({ session: { value: 'abc123' }, pref: { value: 'dark', multiValue: [{ value: 'dark' }, { value: 'compact' }] } });
  });

  it('CloudFront-* viewer headers the behavior\'s policies name are in the viewer-request event (unlike Lambda@Edge)', async () => {
    const r = await send(proxy.url, '/cf/event');
    const ev = JSON.parse(r.text) as Record<string, any>;
    expect(ev.request.headers['cloudfront-viewer-country']).toEqual({ value: 'DE' });
    expect(ev.request.headers['cloudfront-is-desktop-viewer']).toBeDefined();
  });

  it('a viewer-request change reaches the origin (uri, header); viewer-response sees the function\'s request and the response', async () => {
    const r = await send(proxy.url, '/page?x=1');
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.text) as { url: string; rawHeaders: string[] };
    expect(seen.url).toBe('/rewritten/page?x=1');
    expect(seen.rawHeaders).toEqual(expect.arrayContaining(['X-Vr-Seen', '/page']));
    const ev = JSON.parse(decodeURIComponent(String(r.headers['x-vs-event']))) as Record<string, any>;
    expect(ev.context.eventType).toBe('viewer-response');
    expect(ev.context.requestId).toBe(r.headers['x-amz-cf-id']);
    expect(ev.request.uri).toBe('/rewritten/page');
    expect(ev.request.headers['x-vr-seen']).toEqual({ value: '/page' });
    expect(ev.response.statusCode).toBe(200);
    expect(ev.response.headers['content-type']).toEqual({ value: 'application/json' });
    expect(ev.response.cookies).toEqual({});
  });

  it('2.0 at both events: viewer-response adds a Set-Cookie through cookies', async () => {
    const r = await send(proxy.url, '/two/x');
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as { url: string }).url).toBe('/rewritten/two/x');
    expect(r.headers['set-cookie']).toEqual(['added=1; Path=/']);
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
  });

  it('1.0: require of crypto and querystring work, Promise.all is absent, arrows are there', async () => {
    const r = await send(proxy.url, '/v1/a?b=1&a=2');
    const seen = JSON.parse(r.text) as { rawHeaders: string[] };
    const h = (name: string): string | undefined => seen.rawHeaders[seen.rawHeaders.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === name) + 1];
    expect(h('x-qs')).toBe('a,b');
    // sha1('/v1/a')
    expect(h('x-hash')).toBe(createHash('sha1').update('/v1/a').digest('hex'));
    expect(h('x-has-promise-all')).toBe('undefined');
    expect(h('x-arrow')).toBe('24');
  });
});

describe('CloudFront Functions: validation and execution errors', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy({
      origins: [{ id: 'o', url: origin.url }],
      functions: [cffFn('err', 'errors.js', 'cloudfront-js-2.0')],
      cff: { runTimeout: 0.5 },
      runtime: { maxWorkersPerFunction: 2 },
      admin: { port: 0 },
      behaviors: [{ pathPattern: '*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'err' } }],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  const cases: Array<[string, number, string, RegExp]> = [
    ['/xfp', 502, 'FunctionValidationError', /FunctionValidationError: headers\["x-forwarded-proto"\]: header X-Forwarded-Proto is disallowed/],
    ['/host', 502, 'FunctionValidationError', /headers\["host"\]: read-only header Host was changed/],
    ['/cookie-header', 502, 'FunctionValidationError', /change request\.cookies instead/],
    ['/status-string', 502, 'FunctionValidationError', /statusCode: statusCode must be an integer \(a number, not a string\)/],
    ['/bad-base64', 502, 'FunctionValidationError', /body\.data: body\.data is not valid base64/],
    ['/big-body', 502, 'FunctionValidationError', /the body is 41000 bytes/],
    ['/not-object', 502, 'FunctionValidationError', /result: the function must return the request/],
    ['/method', 502, 'FunctionValidationError', /method: method is read-only/],
    ['/throw', 503, 'FunctionExecutionError', /FunctionExecutionError: TypeError: no such thing \(at handler \(.*errors\.js:4:/],
    ['/reject', 503, 'FunctionExecutionError', /FunctionExecutionError: Error: rejected/],
    ['/never', 503, 'FunctionExecutionError', /promise never settled/],
  ];
  for (const [uri, status, code, line] of cases) {
    it(`${uri} → ${status} ${code}, with CloudFront's page and a log line naming function, event and field`, async () => {
      const r = await send(proxy.url, uri);
      expect(r.status).toBe(status);
      expect(r.headers['x-cache']).toBe(`${code} from cloudfront`);
      expect(r.text).toContain(code === 'FunctionValidationError' ? 'The CloudFront function returned an invalid value.' : 'The CloudFront function associated with the CloudFront distribution is invalid or could not run.');
      const logged = proxy.logs.find((l) => l.includes(String(r.headers['x-amz-cf-id'])) && l.includes(code));
      expect(logged).toMatch(/viewer-request \(test\/fixtures\/cff\/errors\.js\)/);
      expect(logged).toMatch(line);
    });
  }

  it('a loop costs its own request only: 503 after the run timeout, other requests are answered meanwhile, the next run gets a new worker', async () => {
    const started = Date.now();
    const loop = send(proxy.url, '/loop');
    // While the loop holds one worker, the other serves: bounded count, each must answer 200.
    for (let i = 0; i < 5; i++) expect((await send(proxy.url, '/ok')).status).toBe(200);
    const r = await loop;
    expect(r.status).toBe(503);
    expect(r.headers['x-cache']).toBe('FunctionExecutionError from cloudfront');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(proxy.logs.some((l) => l.includes('did not end within 500 ms (cff.runTimeout)'))).toBe(true);
    expect((await send(proxy.url, '/ok')).status).toBe(200);
  });

  it('counts CloudFront Functions metrics as CloudWatch names them, on the admin listener', async () => {
    const admin = proxy.adminUrl;
    if (admin === undefined) throw new Error('no admin listener');
    const m = JSON.parse((await send(admin, '/metrics?format=json')).text) as { cloudfrontFunctions: { functions: Array<Record<string, unknown>> } };
    const f = m.cloudfrontFunctions.functions.find((x) => x.FunctionName === 'err');
    // 8 validation cases, 3 execution cases and the loop, the /ok runs: every run is an invocation.
    expect(f).toMatchObject({ FunctionValidationErrors: 8, FunctionExecutionErrors: 4, FunctionThrottles: 0 });
    expect(f?.FunctionInvocations).toBeGreaterThanOrEqual(8 + 4 + 6);
    const utilization = f?.FunctionComputeUtilization as { count: number } | undefined;
    expect(utilization?.count).toBeGreaterThanOrEqual(8 + 3 + 6);
  });
});

describe('CloudFront Functions: KeyValueStore', () => {
  let origin: TestOrigin;
  let proxy: EdgeProxy;
  let dir: string;
  const log = memoryLogger();
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-kvs-'));
    await copyFile(path.join(FIXTURES, 'cff/data.json'), path.join(dir, 'data.json'));
    await copyFile(path.join(FIXTURES, 'cff/kvs.js'), path.join(dir, 'kvs.js'));
    origin = await startOrigin();
    const config = await loadConfig({
      object: {
        listen: { host: '127.0.0.1', port: 0 },
        origins: [{ id: 'o', url: origin.url }],
        keyValueStores: [{ name: 'settings', file: 'data.json' }],
        functions: [{ id: 'kvs', file: 'kvs.js', runtime: 'cloudfront-js-2.0', keyValueStore: 'settings' }],
        behaviors: [{ pathPattern: '*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'kvs' } }],
      },
      baseDir: dir,
    });
    proxy = await startEdgeProxy({ config, log, watch: true, debounceMs: 20 });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('get in string, json and bytes formats; a missing key rejects; exists and meta', async () => {
    const get = async (q: string): Promise<[unknown, unknown, unknown]> => {
      const r = await send(proxy.url, `/?${q}`);
      return [r.headers['x-value'], r.headers['x-exists'], r.headers['x-keys']];
    };
    expect(await get('key=greeting')).toEqual(['string:hello', 'true', '3']);
    expect(await get('key=cfg&format=json')).toEqual(['json:{"a":1,"b":[2]}', 'true', '3']);
    expect(await get('key=bin&format=bytes')).toEqual(['bytes:4142', 'true', '3']);
    expect(await get('key=missing')).toEqual(['error:KeyNotFound', 'false', '3']);
    expect(await get('key=greeting&format=json')).toEqual(['error:SyntaxError', 'true', '3']);
  });

  it('an edit of the data file is picked up while running; a broken edit keeps the last good contents', async () => {
    await writeFile(path.join(dir, 'data.json'), JSON.stringify({ data: [{ key: 'greeting', value: 'bonjour' }] }));
    await until(async () => (await send(proxy.url, '/?key=greeting')).headers['x-value'] === 'string:bonjour', 5000, 'KVS reload');
    expect((await send(proxy.url, '/?key=greeting')).headers['x-keys']).toBe('1');
    await writeFile(path.join(dir, 'data.json'), JSON.stringify({ data: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }));
    await until(async () => log.lines.some((l) => l.includes('key value store "settings" not reloaded') && l.includes('duplicate key "a"')), 5000, 'KVS reload error');
    expect((await send(proxy.url, '/?key=greeting')).headers['x-value']).toBe('string:bonjour');
  });

  it('an edit of the function is picked up while running; code the runtime lacks keeps the previous code', async () => {
    const file = path.join(dir, 'kvs.js');
    await writeFile(file, "import cf from 'cloudfront';\nasync function handler(event) { return { statusCode: 200, headers: { 'x-value': { value: 'v2' } } }; }\n");
    await until(async () => (await send(proxy.url, '/')).headers['x-value'] === 'v2', 5000, 'function reload');
    await writeFile(file, "async function handler(event) {\n  const fs = require('fs');\n  return event.request;\n}\n");
    await until(async () => log.lines.some((l) => l.includes('not reloaded') && l.includes("kvs.js:2:22: error [module:fs]")), 5000, 'reload refusal');
    expect((await send(proxy.url, '/')).headers['x-value']).toBe('v2');
  });
});

describe('CloudFront Functions: origin helpers', () => {
  let first: TestOrigin;
  let second: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    first = await startOrigin((req, res) => {
      res.writeHead(req.url === '/group' ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ url: req.url }));
    });
    second = await startOrigin((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-origin': 'second' });
      res.end(`second ${req.url}`);
    });
    proxy = await startProxy({
      origins: [{ id: 'first', url: first.url }, { id: 'second', url: second.url }],
      functions: [cffFn('orig', 'origins.js', 'cloudfront-js-2.0')],
      behaviors: [{ pathPattern: '*', origin: 'first', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'orig' } }],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await first?.close();
    await second?.close();
  });

  it('updateRequestOrigin sends the request to the new domain, port, path, Host and custom headers', async () => {
    const r = await send(proxy.url, '/update', { headers: { 'x-port': String(second.port) } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('second /v2/update');
    const got = second.requests.at(-1);
    const h = (name: string): string | undefined => got?.rawHeaders[got.rawHeaders.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === name) + 1];
    expect(h('host')).toBe('api.example.com');
    expect(h('x-stage')).toBe('prod');
  });

  it('selectRequestOriginById switches to another origin of the distribution; an unknown id is a 502 FunctionValidationError', async () => {
    const before = first.hits;
    const r = await send(proxy.url, '/select');
    expect(r.text).toBe('second /select');
    expect(first.hits).toBe(before);
    const bad = await send(proxy.url, '/unknown');
    expect(bad.status).toBe(502);
    expect(bad.headers['x-cache']).toBe('FunctionValidationError from cloudfront');
    expect(proxy.logs.some((l) => l.includes('no origin "nope" in this distribution (origins: first, second)'))).toBe(true);
  });

  it('createRequestOriginGroup fails over to the second origin on a listed status (GET)', async () => {
    const firstBefore = first.hits;
    const r = await send(proxy.url, '/group');
    expect(r.status).toBe(200);
    expect(r.text).toBe('second /group');
    expect(first.hits).toBe(firstBefore + 1);
    // POST never fails over: the primary's 503 stands.
    const post = await send(proxy.url, '/group', { method: 'POST', body: 'x' });
    expect(post.status).toBe(503);
  });

  it('without a helper call the behavior\'s origin serves', async () => {
    const r = await send(proxy.url, '/plain');
    expect((JSON.parse(r.text) as { url: string }).url).toBe('/plain');
  });
});

describe('CloudFront Functions: configuration and load errors, before listening', () => {
  const base = { listen: { host: '127.0.0.1', port: 0 }, origins: [{ id: 'o', url: 'http://127.0.0.1:8999' }] };
  async function configError(object: Record<string, unknown>): Promise<string> {
    try {
      await loadConfig({ object: { ...base, ...object }, baseDir: FIXTURES });
    } catch (e) {
      return e instanceof Error ? `${(e as { code?: string }).code}: ${e.message}` : String(e);
    }
    throw new Error('no config error');
  }
  async function startError(object: Record<string, unknown>): Promise<string> {
    const config = await loadConfig({ object: { ...base, ...object }, baseDir: FIXTURES });
    try {
      const p = await startEdgeProxy({ config, log: memoryLogger() });
      await p.close();
    } catch (e) {
      return e instanceof Error ? `${(e as { code?: string }).code}: ${e.message}` : String(e);
    }
    throw new Error('no start error');
  }

  it('a CloudFront Function and a Lambda@Edge function on the viewer side of one behavior', async () => {
    const msg = await configError({
      functions: [cffFn('c', 'v1.js', 'cloudfront-js-1.0'), { id: 'l', file: 'cff/lambda-vr.js' }],
      behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'c', 'viewer-response': 'l' } }],
    });
    expect(msg).toMatch(/^InvalidConfig: config: behaviors\[0\]\.functions: a CloudFront Function \("c" at viewer-request\) and a Lambda@Edge function \("l" at viewer-response\) cannot both be on the viewer side of one behavior/);
  });

  it('a CloudFront Function at an origin event, with Lambda settings, or with a store in 1.0', async () => {
    expect(await configError({ functions: [cffFn('c', 'v1.js', 'cloudfront-js-1.0')], behaviors: [{ pathPattern: '*', functions: { 'origin-request': 'c' } }] })).toMatch(
      /behaviors\[0\]\.functions\.origin-request: "c" is a CloudFront Function \(cloudfront-js-1\.0\); CloudFront Functions run at viewer-request and viewer-response only/,
    );
    expect(await configError({ functions: [cffFn('c', 'v1.js', 'cloudfront-js-1.0', { memorySize: 256 })] })).toMatch(/functions\[0\]\.memorySize: not a setting of a CloudFront Function/);
    expect(await configError({ keyValueStores: [{ name: 's', file: 'cff/data.json' }], functions: [cffFn('c', 'v1.js', 'cloudfront-js-1.0', { keyValueStore: 's' })] })).toMatch(
      /functions\[0\]\.keyValueStore: key value stores need runtime "cloudfront-js-2\.0"/,
    );
    expect(await configError({ functions: [cffFn('c', 'kvs.js', 'cloudfront-js-2.0', { keyValueStore: ['a', 'b'] })] })).toMatch(/at most one key value store/);
  });

  it('a key value store data file that breaks the import format names the file and the entry', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-kvsbad-'));
    try {
      await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ data: [{ key: 'k', value: 'x'.repeat(1025) }] }));
      const msg = await configError({ keyValueStores: [{ name: 's', file: path.join(dir, 'bad.json') }] });
      expect(msg).toMatch(/^InvalidConfig: config: keyValueStores\[0\]\.file: .*bad\.json: data\[0\]\.value \(key "k"\) is 1025 bytes; values are limited to 1024 bytes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('code the runtime lacks is refused at start with file:line:column and the feature', async () => {
    const msg = await startError({ functions: [cffFn('c', 'bad-let.js', 'cloudfront-js-1.0')], behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'c' } }] });
    expect(msg).toBe("FunctionLoadError: test/fixtures/cff/bad-let.js:3:3: error [let]: cloudfront-js-1.0 does not support 'let' declarations (use var) (available in cloudfront-js-2.0)");
    const mod = await startError({ functions: [cffFn('c', 'bad-module.js', 'cloudfront-js-2.0')], behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'c' } }] });
    expect(mod).toMatch(/^FunctionLoadError: test\/fixtures\/cff\/bad-module\.js:2:16: error \[module:fs\]: module 'fs' is not available in cloudfront-js-2\.0/);
    // the same 2.0 code with a store-less cf.kvs() at top level fails when loading in its worker
    const kvs = await startError({ functions: [cffFn('c', 'kvs.js', 'cloudfront-js-2.0')], behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'c' } }] });
    expect(kvs).toMatch(/^FunctionLoadError: test\/fixtures\/cff\/kvs\.js: loading failed: KVSNamespaceNotFound: This function has no key value store associated/);
  });
});

describe('CloudFront Functions: compute utilization and the injected clock', () => {
  let origin: TestOrigin;
  let proxy: TestProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await origin?.close();
  });

  it('Date.now() inside the function is the proxy clock (tests inject it)', async () => {
    origin = await startOrigin();
    const dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-clock-'));
    try {
      await writeFile(path.join(dir, 'clock.js'), 'function handler(e) { return { statusCode: 200, headers: { "x-now": { value: String(Date.now()) } } }; }\n');
      const clock = manualClock(Date.UTC(2030, 0, 1));
      proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }], functions: [{ id: 'c', file: 'clock.js', runtime: 'cloudfront-js-1.0' }], behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'c' } }] }, dir, { clock });
      expect((await send(proxy.url, '/')).headers['x-now']).toBe(String(Date.UTC(2030, 0, 1)));
      clock.advance(61_000);
      expect((await send(proxy.url, '/')).headers['x-now']).toBe(String(Date.UTC(2030, 0, 1) + 61_000));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('strict compute mode fails a run over the hard cap with 503 FunctionExecutionError; throttling then refuses with 503 FunctionThrottledError', async () => {
    origin = await startOrigin();
    const dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-compute-'));
    try {
      // Any run exceeds a 0.002 ms hard cap; a million additions make sure of it.
      await writeFile(path.join(dir, 'slow.js'), 'function handler(e) { var x = 0; for (var i = 0; i < 1e6; i++) x += i; e.request.headers["x-x"] = { value: String(x > 0) }; return e.request; }\n');
      proxy = await startProxy(
        {
          origins: [{ id: 'o', url: origin.url }],
          functions: [{ id: 's', file: 'slow.js', runtime: 'cloudfront-js-1.0' }],
          cff: { compute: { budgetMs: 0.001, mode: 'strict', hardCapMs: 0.002, throttle: true } },
          behaviors: [{ pathPattern: '*', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 's' } }],
        },
        dir,
      );
      const first = await send(proxy.url, '/');
      expect(first.status).toBe(503);
      expect(first.headers['x-cache']).toBe('FunctionExecutionError from cloudfront');
      expect(proxy.logs.some((l) => /over the hard cap of 0\.002 ms \(cff\.compute\.mode "strict"\); ComputeUtilization 100/.test(l))).toBe(true);
      // 20 runs (the throttle window) all at 100 → throttled for the cool-down; bounded loop.
      let throttled: { status: number; xCache: unknown; text: string } | undefined;
      for (let i = 0; i < 25 && throttled === undefined; i++) {
        const r = await send(proxy.url, '/');
        if (r.headers['x-cache'] !== 'FunctionExecutionError from cloudfront') throttled = { status: r.status, xCache: r.headers['x-cache'], text: r.text };
      }
      expect(throttled?.status).toBe(503);
      expect(throttled?.xCache).toBe('FunctionThrottledError from cloudfront');
      expect(throttled?.text).toContain('The CloudFront function associated with the CloudFront distribution was throttled.');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the demo CloudFront Function (functions/short-links.js) with its key value store', () => {
  let origin: TestOrigin;
  let proxy: EdgeProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    const root = path.resolve(import.meta.dirname, '..', '..');
    const config = await loadConfig({ object: { ...demoConfigInput(origin.url, root), listen: { host: '127.0.0.1', port: 0 } }, baseDir: root });
    proxy = await startEdgeProxy({ config, log: memoryLogger() });
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('normalises the name and redirects from the store; an unknown name is a 404 generated at the edge', async () => {
    const hits = origin.hits;
    const r = await send(proxy.url, '/go/About/');
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/about/');
    expect(r.headers['x-cache']).toBe('FunctionGeneratedResponse from cloudfront');
    expect((await send(proxy.url, '/go//first-post')).headers.location).toBe('/blog/first-post/');
    const missing = await send(proxy.url, '/go/nope');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('No short link named "nope"\n');
    expect(origin.hits).toBe(hits);
  });
});

describe('the start banner names a CloudFront Function with its runtime', () => {
  it('behaviorLine', async () => {
    const { behaviorLine } = await import('../../src/observe/start-lines.js');
    const config = await loadConfig({
      object: { origins: [{ id: 'o', url: 'http://127.0.0.1:8999' }], functions: [cffFn('c', 'v1.js', 'cloudfront-js-1.0'), { id: 'l', file: 'cff/lambda-vr.js' }], behaviors: [{ pathPattern: '*', functions: { 'viewer-request': 'c', 'origin-request': 'l' } }] },
      baseDir: FIXTURES,
    });
    const line = behaviorLine(config, config.behaviors[0]!);
    expect(line).toMatch(/· viewer-request c \(cloudfront-js-1\.0\), origin-request l$/);
  });
});
