// The inspector end to end: real origin, real proxy, real worker threads, the admin listener's
// /inspector/api/. What each request's record holds — the four functions' events, results, diffs and
// logs; a validation error with its field; a hit with the origin side skipped, the key and the TTL
// rule; a generated response; a collapsed request; replay; a CloudFront Function — and the API around
// it (filters, HAR, clear, the live stream, capture off).

import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeRecord, ExchangeSummary, FunctionRecord } from '../../src/inspector/record.js';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/inspector/', import.meta.url));

async function getJson<T>(base: string, path: string): Promise<{ status: number; body: T }> {
  const r = await send(base, path);
  return { status: r.status, body: JSON.parse(r.text) as T };
}

async function list(proxy: TestProxy, query = ''): Promise<ExchangeSummary[]> {
  const r = await getJson<{ exchanges: ExchangeSummary[] }>(proxy.adminUrl as string, `/inspector/api/exchanges${query}`);
  expect(r.status).toBe(200);
  return r.body.exchanges;
}

async function recordOf(proxy: TestProxy, cfId: string): Promise<ExchangeRecord> {
  // The record is filed when the exchange ends, just after the viewer has the response.
  for (let i = 0; i < 100; i++) {
    const row = (await list(proxy)).find((e) => e.requestId === cfId);
    if (row !== undefined) {
      const r = await getJson<ExchangeRecord>(proxy.adminUrl as string, `/inspector/api/exchanges/${row.id}`);
      expect(r.status).toBe(200);
      return r.body;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no exchange with X-Amz-Cf-Id ${cfId} in the inspector`);
}

function run(rec: ExchangeRecord, trigger: string): FunctionRecord {
  const f = rec.functionRuns.find((r) => r.trigger === trigger);
  if (f === undefined) throw new Error(`no ${trigger} run in exchange ${rec.id}: ${rec.functionRuns.map((r) => r.trigger).join(', ')}`);
  return f;
}

function header(lines: readonly (readonly [string, string])[], name: string): string | undefined {
  return lines.find(([n]) => n.toLowerCase() === name)?.[1];
}

describe('inspector capture through the real pipeline', () => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      const url = req.url ?? '/';
      const body = `origin body for ${url}`;
      const send = (): void => {
        res.writeHead(200, {
          'content-type': 'text/plain',
          'content-length': Buffer.byteLength(body),
          'cache-control': url.startsWith('/cached') || url.startsWith('/slow') ? 'max-age=60' : 'no-store',
          'x-remove-me': 'origin',
        });
        res.end(body);
      };
      if (url.startsWith('/slow')) setTimeout(send, 400);
      else send();
    });
    proxy = await startProxy(
      {
        origins: [{ id: 'o', url: origin.url }],
        functions: [
          { id: 'vr', file: 'fns.mjs', export: 'viewerRequest' },
          { id: 'or', file: 'fns.mjs', export: 'originRequest' },
          { id: 'ors', file: 'fns.mjs', export: 'originResponse' },
          { id: 'vrs', file: 'fns.mjs', export: 'viewerResponse' },
          { id: 'cf', file: 'cff-vreq.js', runtime: 'cloudfront-js-2.0' },
        ],
        behaviors: [
          { pathPattern: '/cff/*', origin: 'o', functions: { 'viewer-request': 'cf' } },
          // docs/cloudfront-reference.md §6.9: no collapsing when cookies are forwarded, as the default origin request policy does.
          { pathPattern: '/slow/*', origin: 'o', originRequestPolicy: null },
          { pathPattern: '/replay/*', origin: 'o', cachePolicy: 'CachingDisabled', functions: { 'viewer-request': 'vr', 'origin-request': 'or', 'origin-response': 'ors', 'viewer-response': 'vrs' } },
          { pathPattern: '*', origin: 'o', functions: { 'viewer-request': 'vr', 'origin-request': 'or', 'origin-response': 'ors', 'viewer-response': 'vrs' } },
        ],
        admin: { port: 0 },
        inspector: { capture: true },
      },
      FIXTURES,
    );
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  it('one request through all four functions: events, results, diffs and logs in its own exchange', async () => {
    const r = await send(proxy.url, '/page?x=1', { headers: ['User-Agent', 'inspector-test'] });
    expect(r.status).toBe(200);
    expect(r.headers['x-viewer-response']).toBe('1');
    const rec = await recordOf(proxy, r.headers['x-amz-cf-id'] as string);
    expect(rec.method).toBe('GET');
    expect(rec.target).toBe('/page?x=1');
    expect(rec.status).toBe(200);
    expect(rec.xCache).toBe('Miss');
    expect(rec.functionRuns.map((f) => f.trigger)).toEqual(['viewer-request', 'origin-request', 'origin-response', 'viewer-response']);
    expect(rec.request.headers).toContainEqual(['User-Agent', 'inspector-test']);
    expect(rec.behavior).toMatchObject({ pathPattern: '*', originId: 'o', cachePolicy: 'CachingOptimized' });

    const vr = run(rec, 'viewer-request');
    expect(vr).toMatchObject({ functionId: 'vr', kind: 'lambda@edge', version: '$LATEST', ok: true });
    expect(vr.durationMs).toBeGreaterThan(0);
    const ev = vr.event as { Records: Array<{ cf: { config: { eventType: string; requestId: string }; request: { uri: string; querystring: string; headers: Record<string, unknown> } } }> };
    expect(ev.Records[0]?.cf.config).toMatchObject({ eventType: 'viewer-request', requestId: rec.requestId });
    expect(ev.Records[0]?.cf.request).toMatchObject({ uri: '/page', querystring: 'x=1' });
    expect(ev.Records[0]?.cf.request.headers['x-inspected']).toBeUndefined();
    expect((vr.result as { headers: Record<string, unknown> }).headers['x-inspected']).toEqual([{ key: 'X-Inspected', value: 'yes' }]);
    expect(vr.diff?.kind).toBe('request');
    expect(vr.diff?.headers).toEqual([{ name: 'x-inspected', kind: 'added', after: ['yes'] }]);
    expect(vr.logs.some((l) => l.startsWith('START RequestId:'))).toBe(true);
    expect(vr.logs.some((l) => l.endsWith('viewer-request saw /page'))).toBe(true);
    expect(vr.logs.some((l) => l.startsWith('REPORT RequestId:'))).toBe(true);
    // Each function's lines are its own.
    expect(vr.logs.some((l) => l.includes('origin-request ran'))).toBe(false);
    expect(run(rec, 'origin-request').logs.some((l) => l.endsWith('origin-request ran'))).toBe(true);

    expect(run(rec, 'origin-request').diff?.headers).toEqual([{ name: 'x-origin-request', kind: 'added', after: ['1'] }]);
    const ors = run(rec, 'origin-response');
    expect(ors.diff?.kind).toBe('response');
    expect(ors.diff?.headers).toContainEqual({ name: 'x-origin-response', kind: 'added', after: ['1'] });
    const vrs = run(rec, 'viewer-response');
    expect(vrs.diff?.headers).toContainEqual({ name: 'x-viewer-response', kind: 'added', after: ['1'] });
    expect(vrs.diff?.headers).toContainEqual({ name: 'x-remove-me', kind: 'removed', before: ['origin'] });

    // The origin request as sent (after origin-request), the origin's answer as received (before origin-response).
    expect(rec.origin?.url).toBe(`${origin.url}/page?x=1`);
    expect(header(rec.origin?.headers ?? [], 'x-origin-request')).toBe('1');
    expect(header(rec.origin?.headers ?? [], 'x-inspected')).toBe('yes');
    expect(rec.origin?.status).toBe(200);
    expect(header(rec.origin?.responseHeaders ?? [], 'x-remove-me')).toBe('origin');
    expect(header(rec.origin?.responseHeaders ?? [], 'x-origin-response')).toBeUndefined();
    expect(rec.origin?.ttfbMs).toBeGreaterThan(0);
    // What the viewer got.
    expect(header(rec.response.headers, 'x-viewer-response')).toBe('1');
    expect(header(rec.response.headers, 'x-remove-me')).toBeUndefined();
    expect(rec.response.body).toMatchObject({ size: Buffer.byteLength('origin body for /page?x=1'), text: 'origin body for /page?x=1', truncated: false });
    expect(rec.response.completed).toBe(true);
    // The driver's steps, in order, with times.
    expect(rec.steps.map((s) => s.step)).toEqual(['request', 'viewer-request', 'cache-lookup', 'origin-request', 'origin-fetch', 'origin-response', 'cache-store', 'viewer-response', 'deliver']);
    for (const s of rec.steps) expect(s.durationMs).toBeGreaterThanOrEqual(0);
    // no-store under CachingOptimized: MinTTL 1 wins (docs/cloudfront-reference.md §6.5), and the rule says so.
    expect(rec.cache).toMatchObject({ lookup: 'Miss', stored: true, ttl: 1, ttlRule: 'Cache-Control: no-store overridden by MinTTL 1' });
    expect(rec.skipped).toEqual([]);
  });

  it('a validation error: the function, the error code and the field at fault', async () => {
    const r = await send(proxy.url, '/invalid');
    expect(r.status).toBe(502);
    const rec = await recordOf(proxy, r.headers['x-amz-cf-id'] as string);
    expect(rec.hasError).toBe(true);
    expect(rec.xCache).toBe('LambdaValidationError');
    const vr = run(rec, 'viewer-request');
    expect(vr.ok).toBe(false);
    expect(vr.error).toMatchObject({ code: 'LambdaValidationError', status: 502 });
    expect(vr.error?.field).toMatch(/x-cache/);
    // The result that was refused is there, exactly as returned.
    expect((vr.result as { headers: Record<string, unknown> }).headers['x-cache']).toEqual([{ key: 'X-Cache', value: 'nope' }]);
    expect(rec.error?.code).toBe('LambdaValidationError');
    expect(rec.skipped.map((s) => s.stage)).toEqual(expect.arrayContaining(['origin-request', 'origin-response', 'viewer-response', 'origin']));
    const errors = await list(proxy, '?error=true&status=5xx');
    expect(errors.map((e) => e.id)).toContain(rec.id);
    expect(errors.every((e) => e.hasError && e.status >= 500)).toBe(true);
  });

  it('a cache hit: origin hooks shown as skipped, with the key and the TTL rule', async () => {
    const first = await send(proxy.url, '/cached/a.css');
    expect(first.headers['x-cache']).toBe('Miss from cloudfront');
    const second = await send(proxy.url, '/cached/a.css');
    expect(second.headers['x-cache']).toBe('Hit from cloudfront');
    const miss = await recordOf(proxy, first.headers['x-amz-cf-id'] as string);
    expect(miss.cache).toMatchObject({ lookup: 'Miss', stored: true, ttl: 60, ttlRule: 'max-age=60 (within MinTTL 1 – MaxTTL 31536000)' });
    const hit = await recordOf(proxy, second.headers['x-amz-cf-id'] as string);
    expect(hit.xCache).toBe('Hit');
    expect(hit.cache?.lookup).toBe('Hit');
    expect(hit.cache?.key).toBe(miss.cache?.key);
    expect(hit.cache?.key).toContain('/cached/a.css');
    expect(hit.cache?.keyParts).toMatchObject({ method: 'GET', uri: '/cached/a.css' });
    expect(hit.cache?.ttl).toBe(60);
    expect(hit.cache?.ttlRule).toBe(miss.cache?.ttlRule);
    expect(hit.functionRuns.map((f) => f.trigger)).toEqual(['viewer-request', 'viewer-response']);
    const skipped = Object.fromEntries(hit.skipped.map((s) => [s.stage, s.reason]));
    expect(skipped['origin-request']).toMatch(/cache hit/);
    expect(skipped['origin-response']).toMatch(/cache hit/);
    expect(skipped.origin).toMatch(/cache hit/);
    expect(hit.origin).toBeUndefined();
    expect(hit.steps.map((s) => s.step)).toEqual(['request', 'viewer-request', 'cache-lookup', 'viewer-response', 'deliver']);
  });

  it('a response generated at viewer-request: the origin side and viewer-response skipped', async () => {
    const r = await send(proxy.url, '/generated');
    expect(r.text).toBe('generated at viewer-request');
    const rec = await recordOf(proxy, r.headers['x-amz-cf-id'] as string);
    expect(rec.xCache).toBe('LambdaGeneratedResponse');
    const vr = run(rec, 'viewer-request');
    expect(vr.diff?.kind).toBe('generated');
    expect(vr.diff?.bodyReplaced).toBe(true);
    expect(vr.diff?.fields).toContainEqual({ field: 'status', before: undefined, after: '200' });
    const skipped = Object.fromEntries(rec.skipped.map((s) => [s.stage, s.reason]));
    expect(skipped['viewer-response']).toMatch(/generated at viewer-request/);
    expect(skipped.origin).toMatch(/generated at viewer-request/);
    expect(rec.cache).toBeUndefined();
    expect(rec.response.body?.text).toBe('generated at viewer-request');
  });

  it('a collapsed request: it waited for the other request\'s origin fetch', async () => {
    const [a, b] = await Promise.all([send(proxy.url, '/slow/x'), new Promise((r) => setTimeout(r, 100)).then(() => send(proxy.url, '/slow/x'))]);
    expect(origin.requests.filter((q) => q.url === '/slow/x')).toHaveLength(1);
    const recs = [await recordOf(proxy, a.headers['x-amz-cf-id'] as string), await recordOf(proxy, b.headers['x-amz-cf-id'] as string)];
    const collapsed = recs.filter((r) => r.cache?.lookup.includes('collapsed'));
    expect(collapsed).toHaveLength(1);
    const c = collapsed[0] as ExchangeRecord;
    expect(c.origin).toBeUndefined();
    expect(c.skipped.find((s) => s.stage === 'origin')?.reason).toMatch(/collapsed/);
    const leader = recs.find((r) => r !== c) as ExchangeRecord;
    expect(leader.cache?.lookup).toBe('Miss');
    expect(leader.origin?.status).toBe(200);
  });

  it('replay: the same request again as a new exchange; with edits, the edited one', async () => {
    const r = await send(proxy.url, '/replay/me?q=1', { headers: ['X-Test', 'orig'] });
    const rec = await recordOf(proxy, r.headers['x-amz-cf-id'] as string);
    const before = origin.requests.length;
    const out = await send(proxy.adminUrl as string, `/inspector/api/exchanges/${rec.id}/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' });
    expect(out.status).toBe(201);
    const answer = JSON.parse(out.text) as { id: string; status: number; replayOf: string };
    expect(answer.replayOf).toBe(rec.id);
    expect(answer.status).toBe(200);
    expect(answer.id).not.toBe(rec.id);
    const again = await getJson<ExchangeRecord>(proxy.adminUrl as string, `/inspector/api/exchanges/${answer.id}`);
    expect(again.body.replayOf).toBe(rec.id);
    expect(again.body.method).toBe('GET');
    expect(again.body.target).toBe('/replay/me?q=1');
    expect(header(again.body.request.headers, 'x-test')).toBe('orig');
    expect(again.body.functionRuns.map((f) => f.trigger)).toEqual(rec.functionRuns.map((f) => f.trigger));
    expect(origin.requests.length).toBe(before + 1);
    // The replay marker is edgeproxy's: no function sees it, and it never reaches the origin.
    expect(JSON.stringify(run(again.body, 'viewer-request').event)).not.toMatch(/replay-of/i);
    expect(origin.requests.at(-1)?.rawHeaders.some((h) => /replay-of/i.test(h))).toBe(false);

    const edited = await send(proxy.adminUrl as string, `/inspector/api/exchanges/${rec.id}/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: '/replay/me?q=2', headers: [['Host', 'localhost'], ['X-Test', 'edited']] }),
    });
    expect(edited.status).toBe(201);
    const e = await getJson<ExchangeRecord>(proxy.adminUrl as string, `/inspector/api/exchanges/${(JSON.parse(edited.text) as { id: string }).id}`);
    expect(e.body.target).toBe('/replay/me?q=2');
    expect(header(e.body.request.headers, 'x-test')).toBe('edited');

    const bad = await send(proxy.adminUrl as string, `/inspector/api/exchanges/${rec.id}/replay`, { method: 'POST', body: JSON.stringify({ headers: [['Bad Name', 'x']] }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { code: 'InvalidArgument', field: 'headers[0]' } });
  });

  it('a request body streamed to the origin is seen on its way, with its size', async () => {
    const body = `name=${'x'.repeat(100)}`;
    const r = await send(proxy.url, '/replay/form', { method: 'POST', headers: ['Content-Type', 'application/x-www-form-urlencoded'], body });
    expect(r.status).toBe(200);
    expect(origin.requests.at(-1)?.body.toString()).toBe(body);
    const rec = await recordOf(proxy, r.headers['x-amz-cf-id'] as string);
    expect(rec.request.body).toEqual({ size: body.length, text: body, encoding: 'utf8', truncated: false });
    expect(rec.request.method).toBe('POST');
  });

  it('a CloudFront Function at viewer-request: its event, result, diff and console lines', async () => {
    const r = await send(proxy.url, '/cff/thing');
    expect(r.status).toBe(200);
    const rec = await recordOf(proxy, r.headers['x-amz-cf-id'] as string);
    const f = run(rec, 'viewer-request');
    expect(f).toMatchObject({ functionId: 'cf', kind: 'cloudfront-functions', version: 'cloudfront-js-2.0', ok: true });
    expect((f.event as { request: { uri: string } }).request.uri).toBe('/cff/thing');
    expect((f.result as { headers: Record<string, unknown> }).headers['x-cff']).toEqual({ value: 'on' });
    expect(f.diff?.headers).toEqual([{ name: 'x-cff', kind: 'added', after: ['on'] }]);
    expect(f.logs.some((l) => l.endsWith('cff saw /cff/thing'))).toBe(true);
  });

  it('the API: filters, one exchange, HAR 1.2 with _edgeproxy, the live stream, clear', async () => {
    await send(proxy.url, '/har-me');
    const rows = await list(proxy, '?path=har-me');
    expect(rows.length).toBe(1);
    expect(rows[0]?.target).toBe('/har-me');
    expect((await list(proxy, '?xcache=Hit')).every((e) => e.xCache === 'Hit')).toBe(true);
    expect((await getJson(proxy.adminUrl as string, '/inspector/api/exchanges/999999')).status).toBe(404);
    expect((await getJson<{ error: { field: string } }>(proxy.adminUrl as string, '/inspector/api/exchanges?status=9xx')).body.error.field).toBe('status');

    const har = await send(proxy.adminUrl as string, '/inspector/api/har');
    expect(har.headers['content-disposition']).toMatch(/edgeproxy\.har/);
    const log = (JSON.parse(har.text) as { log: { version: string; creator: { name: string }; entries: Array<Record<string, unknown>> } }).log;
    expect(log.version).toBe('1.2');
    expect(log.creator.name).toBe('edgeproxy');
    const entry = log.entries.find((e) => (e.request as { url: string }).url.endsWith('/har-me')) as Record<string, unknown>;
    expect(entry.response).toMatchObject({ status: 200 });
    expect((entry._edgeproxy as { functionRuns: unknown[] }).functionRuns).toHaveLength(4);
    expect(entry.timings).toMatchObject({ blocked: -1, dns: -1, connect: -1 });

    // The live stream: a request made after subscribing arrives as an `exchange` event.
    const admin = new URL(proxy.adminUrl as string);
    const got = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: admin.hostname, port: admin.port, path: '/inspector/api/stream', agent: false }, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          if (buf.includes('/streamed')) {
            req.destroy();
            resolve(buf);
          }
        });
        void send(proxy.url, '/streamed');
      });
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
      req.end();
      setTimeout(() => reject(new Error('no event within 10 s')), 10_000).unref();
    });
    expect(got).toMatch(/event: exchange\ndata: \{.*"target":"\/streamed"/);

    const cleared = await send(proxy.adminUrl as string, '/inspector/api/clear', { method: 'POST' });
    expect(cleared.status).toBe(200);
    expect(await list(proxy)).toEqual([]);
  });

  it('the page and its files are served from the package, with a strict content policy', async () => {
    const page = await send(proxy.adminUrl as string, '/inspector/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.text).toContain('inspector.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    expect((await send(proxy.adminUrl as string, '/inspector/inspector.js')).headers['content-type']).toMatch(/javascript/);
    expect((await send(proxy.adminUrl as string, '/inspector')).status).toBe(301);
    // The build copies the page next to the built module: the package ("files": dist/src) carries it.
    for (const f of ['index.html', 'inspector.js', 'inspector.css']) expect(existsSync(new URL(`../../dist/src/inspector/page/${f}`, import.meta.url)), f).toBe(true);
    // The admin listener's guards: a foreign Host and a cross-origin POST are refused.
    expect((await send(proxy.adminUrl as string, '/inspector/api/exchanges', { headers: { host: 'evil.example' } })).status).toBe(403);
    expect((await send(proxy.adminUrl as string, '/inspector/api/clear', { method: 'POST', headers: { origin: 'http://evil.example' } })).status).toBe(403);
  });
});

describe('inspector bounds and capture off', () => {
  let origin: TestOrigin;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('keeps at most inspector.maxExchanges, newest first', async () => {
    const proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }], admin: { port: 0 }, inspector: { capture: true, maxExchanges: 3 } }, FIXTURES);
    try {
      for (let i = 1; i <= 5; i++) await send(proxy.url, `/n${i}`);
      await new Promise((r) => setTimeout(r, 50));
      expect((await list(proxy)).map((e) => e.target)).toEqual(['/n5', '/n4', '/n3']);
    } finally {
      await proxy.close();
    }
  });

  it('with capture off there is no inspector, and its routes say how to turn it on', async () => {
    const proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }], admin: { port: 0 } }, FIXTURES);
    try {
      expect(proxy.inspector).toBeUndefined();
      expect(proxy.inspectorUrl).toBeUndefined();
      expect((await send(proxy.url, '/x')).status).toBe(200);
      const r = await send(proxy.adminUrl as string, '/inspector/');
      expect(r.status).toBe(404);
      expect(r.text).toContain('--inspector');
    } finally {
      await proxy.close();
    }
  });

  it('capture on without an admin listener starts one (9901 or the next free port)', async () => {
    const proxy = await startProxy({ origins: [{ id: 'o', url: origin.url }], inspector: { capture: true } }, FIXTURES);
    try {
      expect(proxy.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(proxy.adminUrl as string).port);
      expect(port).toBeGreaterThanOrEqual(9901);
      expect(port).toBeLessThan(10001);
      expect(proxy.inspectorUrl).toBe(`${proxy.adminUrl}/inspector/`);
      expect((await send(proxy.adminUrl as string, '/inspector/')).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});
