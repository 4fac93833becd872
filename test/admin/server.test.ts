// The admin listener on a real port with a real cache store: every route, every refusal.
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdmin, type AdminDeps } from '../../src/admin/server.js';
import { memoryLogger } from '../../src/log.js';
import { call, fakeMetrics, fakePublisher, filledStore, obj, post, T0, type Filled } from './fixtures.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function admin(over: Partial<AdminDeps> = {}, host = '127.0.0.1') {
  const filled = filledStore();
  const log = memoryLogger();
  const metrics = fakeMetrics();
  const code = new Map([['auth', 'v1 code']]);
  const publisher = fakePublisher(code);
  const deps: AdminDeps = {
    store: filled.store,
    clock: filled.clock,
    log,
    metrics,
    publish: publisher.publish,
    distributionId: 'EDFDVBD6EXAMPLE',
    ...over,
  };
  const server = await startAdmin(deps, { host, port: 0 });
  opened.push(server);
  return { url: server.url, server, filled, log, metrics, code, publisher };
}

/** The usual content: two images, an index, two query variants of one image, and an unrelated page. */
function fill(f: Filled): Record<'a' | 'b' | 'index' | 'w1' | 'w2' | 'other', string> {
  return {
    a: f.put('/images/a.png'),
    b: f.put('/images/b.png'),
    index: f.put('/index.html'),
    w1: f.put('/img.jpg', { qs: 'w=1' }),
    w2: f.put('/img.jpg', { qs: 'w=2' }),
    other: f.put('/other'),
  };
}

const paths = (f: Filled) => f.store.list().map((e) => e.path).sort();
const errorOf = (v: unknown) => obj(obj(v).error);

describe('startAdmin', () => {
  it('listens on the given loopback host and answers GET / with the route index', async () => {
    const { url } = await admin();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await call(url, 'GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const body = obj(r.json);
    expect(body.distributionId).toBe('EDFDVBD6EXAMPLE');
    const routes = (body.routes as Array<{ method: string; path: string }>).map((x) => `${x.method} ${x.path}`);
    expect(routes).toEqual(
      expect.arrayContaining(['POST /invalidations', 'GET /cache', 'GET /metrics', 'POST /functions/{name}/versions', 'GET /invalidations/{id}']),
    );
  });

  it('a port already in use rejects with a message naming the admin listener', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    const f = filledStore();
    try {
      await expect(
        startAdmin({ store: f.store, clock: f.clock, log: memoryLogger(), metrics: undefined, publish: undefined, distributionId: 'E1' }, { host: '127.0.0.1', port }),
      ).rejects.toThrow(new RegExp(`admin listener: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      blocker.close();
    }
  });
});

describe('POST /invalidations', () => {
  it('removes wildcard and exact paths, answers 201 with CloudFront\'s Invalidation and the removed keys', async () => {
    const { url, filled, log } = await admin();
    const k = fill(filled);
    const r = await post(url, '/invalidations', { paths: ['/images/*', '/index.html'] });
    expect(r.status).toBe(201);
    const body = obj(r.json);
    const inv = obj(body.Invalidation);
    expect(inv.Id).toMatch(/^I[A-Z0-9]{14}$/);
    expect(inv.Status).toBe('Completed');
    expect(inv.CreateTime).toBe(new Date(T0).toISOString());
    expect(obj(inv.InvalidationBatch).Paths).toEqual({ Quantity: 2, Items: ['/images/*', '/index.html'] });
    expect(r.headers.location).toBe(`/invalidations/${String(inv.Id)}`);
    expect((body.removed as string[]).slice().sort()).toEqual([k.a, k.b, k.index].sort());
    expect(body.removedCount).toBe(3);
    expect(paths(filled)).toEqual(['/img.jpg?w=1', '/img.jpg?w=2', '/other']);
    expect(log.lines.some((l) => l.includes(String(inv.Id)) && l.includes('removed 3 objects'))).toBe(true);
  });

  it('query strings are part of the path: "?w=1" removes one variant, "/img.jpg*" all of them', async () => {
    const { url, filled } = await admin();
    const k = fill(filled);
    const one = await post(url, '/invalidations', { paths: ['/img.jpg?w=1'] });
    expect(obj(one.json).removed).toEqual([k.w1]);
    expect(paths(filled)).toContain('/img.jpg?w=2');
    filled.put('/img.jpg', { qs: 'w=1' });
    const all = await post(url, '/invalidations', { paths: ['/img.jpg*'] });
    expect(obj(all.json).removedCount).toBe(2);
    expect(paths(filled).some((p) => p.startsWith('/img.jpg'))).toBe(false);
    // Without a query string the exact path does not match the variants that have one.
    filled.put('/img.jpg', { qs: 'w=3' });
    const exact = await post(url, '/invalidations', { paths: ['/img.jpg'] });
    expect(obj(exact.json).removedCount).toBe(0);
  });

  it('removes every encoding variant of a path; paths are case-sensitive', async () => {
    const { url, filled } = await admin();
    const gz = filled.put('/app.js', { acceptEncoding: 'gzip' });
    const br = filled.put('/app.js', { acceptEncoding: 'br, gzip' });
    const plain = filled.put('/app.js');
    expect(new Set([gz, br, plain]).size).toBe(3);
    const miss = await post(url, '/invalidations', { paths: ['/APP.js'] });
    expect(obj(miss.json).removedCount).toBe(0);
    const r = await post(url, '/invalidations', { paths: ['/app.js'] });
    expect((obj(r.json).removed as string[]).sort()).toEqual([gz, br, plain].sort());
    expect(filled.store.stats().entries).toBe(0);
  });

  it("accepts CloudFront's API shape and the AWS CLI's bare InvalidationBatch", async () => {
    const { url, filled } = await admin();
    const k = fill(filled);
    const r = await post(url, '/invalidations', {
      InvalidationBatch: { Paths: { Quantity: 1, Items: ['/images/a.png'] }, CallerReference: 'deploy-1' },
    });
    expect(r.status).toBe(201);
    expect(obj(r.json).removed).toEqual([k.a]);
    expect(obj(obj(obj(r.json).Invalidation).InvalidationBatch).CallerReference).toBe('deploy-1');
    const bare = await post(url, '/invalidations', { Paths: { Quantity: 1, Items: ['/other'] }, CallerReference: 'deploy-2' });
    expect(obj(bare.json).removed).toEqual([k.other]);
  });

  it('a repeated CallerReference with the same paths returns the earlier invalidation and removes nothing; with other paths it is refused', async () => {
    const { url, filled } = await admin();
    fill(filled);
    const first = await post(url, '/invalidations', { paths: ['/images/*'], callerReference: 'r1' });
    const id = obj(obj(first.json).Invalidation).Id;
    filled.put('/images/a.png');
    const again = await post(url, '/invalidations', { paths: ['/images/*'], callerReference: 'r1' });
    expect(again.status).toBe(201);
    expect(obj(obj(again.json).Invalidation).Id).toBe(id);
    expect(obj(again.json).removedCount).toBe(0);
    expect(paths(filled)).toContain('/images/a.png');
    const other = await post(url, '/invalidations', { paths: ['/index.html'], callerReference: 'r1' });
    expect(other.status).toBe(400);
    expect(errorOf(other.json).code).toBe('InvalidationBatchAlreadyExists');
    expect(paths(filled)).toContain('/index.html');
  });

  it('one bad path (a "*" not at the end) → 400 naming paths[1], and nothing is removed', async () => {
    const { url, filled } = await admin();
    fill(filled);
    const before = paths(filled);
    const r = await post(url, '/invalidations', { paths: ['/index.html', '/images/*.png', '/other'] });
    expect(r.status).toBe(400);
    const err = errorOf(r.json);
    expect(err.field).toBe('paths[1]');
    expect(err.code).toBe('InvalidArgument');
    expect(String(err.message)).toMatch(/^paths\[1\]: "\*" is allowed only as the last character/);
    expect(paths(filled)).toEqual(before);
  });

  it.each([
    [{ paths: ['index.html'] }, 'paths[0]', /must start with "\/"/],
    [{ paths: ['/a b'] }, 'paths[0]', /U\+0020 at 2 must be URL-encoded/],
    [{ paths: ['/ok', 7] }, 'paths[1]', /must be a string/],
    [{ paths: '/index.html' }, 'paths', /must be an array of paths \(got string\)/],
    [{ paths: [] }, 'paths', /at least one path/],
    [{ path: ['/index.html'] }, 'path', /unknown field \(did you mean "paths"\?\)/],
    [{}, 'paths', /missing/],
    [{ paths: ['/a'], callerReference: 5 }, 'callerReference', /non-empty string/],
    [{ InvalidationBatch: { Paths: { Quantity: 2, Items: ['/a'] }, CallerReference: 'x' } }, 'InvalidationBatch.Paths.Quantity', /is 2 but .*Items has 1/],
    [{ InvalidationBatch: { Paths: { Quantity: 1, Items: ['/a*b'] }, CallerReference: 'x' } }, 'InvalidationBatch.Paths.Items[0]', /last character/],
    [{ InvalidationBatch: { Paths: ['/a'] } }, 'InvalidationBatch.Paths', /must be an object/],
  ])('%j → 400 naming %s', async (body, field, message) => {
    const { url, filled } = await admin();
    fill(filled);
    const before = paths(filled);
    const r = await post(url, '/invalidations', body);
    expect(r.status).toBe(400);
    expect(errorOf(r.json).field).toBe(field);
    expect(String(errorOf(r.json).message)).toMatch(message);
    expect(paths(filled)).toEqual(before);
  });

  it('a request body that is not an object → 400', async () => {
    const { url } = await admin();
    const r = await post(url, '/invalidations', ['/a']);
    expect(r.status).toBe(400);
    expect(String(errorOf(r.json).message)).toMatch(/must be a JSON object .*\(got array\)/);
  });

  it('quotas (AWS rule: invalidation): 3,000 file paths pass, 3,001 do not; at most 15 wildcard paths', async () => {
    const { url, filled } = await admin();
    fill(filled);
    const files = (n: number) => Array.from({ length: n }, (_, i) => `/f/${i}`);
    const over = await post(url, '/invalidations', { paths: [...files(3001), '/other'] });
    expect(over.status).toBe(400);
    expect(errorOf(over.json).code).toBe('TooManyInvalidationsInProgress');
    expect(String(errorOf(over.json).message)).toMatch(/3002 file paths; CloudFront allows 3000/);
    expect(paths(filled)).toContain('/other');
    const max = await post(url, '/invalidations', { paths: [...files(2999), '/other', '/images/*'] });
    expect(max.status).toBe(201);
    expect(obj(max.json).removedCount).toBe(3);
    const wild = await post(url, '/invalidations', { paths: Array.from({ length: 16 }, (_, i) => `/w${i}/*`) });
    expect(wild.status).toBe(400);
    expect(String(errorOf(wild.json).message)).toMatch(/16 wildcard paths; CloudFront allows 15/);
  });

  it('invalid JSON → 400 giving the parse position; an empty body → 400', async () => {
    const { url } = await admin();
    const bad = await call(url, 'POST', '/invalidations', { body: '{"paths": }' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad.json)).toMatchObject({ code: 'InvalidJson' });
    expect(String(errorOf(bad.json).message)).toBe('invalid JSON at position 10 (line 1, column 11): unexpected "}"');
    const cut = await call(url, 'POST', '/invalidations', { body: '{"paths": ["/a"' });
    expect(String(errorOf(cut.json).message)).toBe('invalid JSON: unexpected end of input at position 15 (line 1, column 16)');
    const lines = await call(url, 'POST', '/invalidations', { body: '{\n  "paths": [\n    "/a",\n  ]\n}' });
    expect(String(errorOf(lines.json).message)).toMatch(/line 4, column 3\): unexpected "\]"/);
    const empty = await call(url, 'POST', '/invalidations', { body: '' });
    expect(empty.status).toBe(400);
    expect(errorOf(empty.json).code).toBe('MissingBody');
  });

  it('a body over 1 MiB → 413, and the listener keeps serving', async () => {
    const { url, filled } = await admin();
    fill(filled);
    const big = JSON.stringify({ paths: ['/other'], pad: 'x'.repeat(1024 * 1024) });
    const r = await call(url, 'POST', '/invalidations', { body: big });
    expect(r.status).toBe(413);
    expect(errorOf(r.json).code).toBe('RequestTooLarge');
    expect(paths(filled)).toContain('/other');
    expect((await call(url, 'GET', '/')).status).toBe(200);
  });

  it('GET /invalidations lists past invalidations newest first; GET /invalidations/{id} returns one; unknown id → 404', async () => {
    const { url } = await admin();
    const a = obj(obj((await post(url, '/invalidations', { paths: ['/a'] })).json).Invalidation);
    const b = obj(obj((await post(url, '/invalidations', { paths: ['/b'] })).json).Invalidation);
    const list = obj(obj((await call(url, 'GET', '/invalidations')).json).InvalidationList);
    expect(list.Quantity).toBe(2);
    expect((list.Items as Array<{ Id: string }>).map((x) => x.Id)).toEqual([b.Id, a.Id]);
    const one = await call(url, 'GET', `/invalidations/${String(a.Id)}`);
    expect(obj(one.json).Invalidation).toEqual(a);
    const none = await call(url, 'GET', '/invalidations/INOPE');
    expect(none.status).toBe(404);
    expect(errorOf(none.json).code).toBe('NoSuchInvalidation');
  });
});

describe('GET /cache', () => {
  it('lists key, size, age, TTL left and hits per entry, with store stats; age follows the injected clock', async () => {
    const { url, filled } = await admin();
    const k = fill(filled);
    filled.clock.advance(25_000);
    const hit = filled.store.get(k.index, {});
    if (hit === undefined) throw new Error('fixture missing');
    filled.store.markHit(hit);
    const r = await call(url, 'GET', '/cache');
    expect(r.status).toBe(200);
    const body = obj(r.json);
    const entries = body.entries as Array<Record<string, unknown>>;
    expect(entries.map((e) => e.path)).toEqual(['/images/a.png', '/images/b.png', '/img.jpg?w=1', '/img.jpg?w=2', '/index.html', '/other']);
    const index = entries.find((e) => e.key === k.index);
    expect(index).toMatchObject({ path: '/index.html', status: 200, age: 25, ttlLeft: 35, hits: 1, encoding: 'identity' });
    expect(index?.size).toBeGreaterThan('body of /index.html'.length);
    expect(obj(body.stats)).toMatchObject({ entries: 6, hits: 1, maxBytes: 10_000_000 });
  });

  it('?path=/prefix filters; a prefix without "/" → 400 naming path', async () => {
    const { url, filled } = await admin();
    fill(filled);
    const r = await call(url, 'GET', '/cache?path=/images/');
    expect((obj(r.json).entries as Array<{ path: string }>).map((e) => e.path)).toEqual(['/images/a.png', '/images/b.png']);
    const q = await call(url, 'GET', `/cache?path=${encodeURIComponent('/img.jpg?w=2')}`);
    expect((obj(q.json).entries as Array<{ path: string }>).map((e) => e.path)).toEqual(['/img.jpg?w=2']);
    const bad = await call(url, 'GET', '/cache?path=images');
    expect(bad.status).toBe(400);
    expect(errorOf(bad.json).field).toBe('path');
  });
});

describe('GET /metrics', () => {
  it('Prometheus text by default, JSON on ?format=json or Accept: application/json', async () => {
    const { url } = await admin();
    const text = await call(url, 'GET', '/metrics');
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.text).toContain('edgeproxy_requests_total 7');
    const json = await call(url, 'GET', '/metrics?format=json');
    expect(json.json).toEqual({ requests: 7 });
    const accept = await call(url, 'GET', '/metrics', { headers: { accept: 'application/json' } });
    expect(accept.json).toEqual({ requests: 7 });
    const bad = await call(url, 'GET', '/metrics?format=xml');
    expect(bad.status).toBe(400);
    expect(errorOf(bad.json).field).toBe('format');
  });

  it('404 with a clear message when metrics are not collected', async () => {
    const { url } = await admin({ metrics: undefined });
    const r = await call(url, 'GET', '/metrics');
    expect(r.status).toBe(404);
    expect(errorOf(r.json)).toMatchObject({ code: 'MetricsUnavailable', message: 'metrics are not collected by this edgeproxy instance' });
  });

  it('a failing metrics source → 500 with its message, logged; the listener keeps serving', async () => {
    const { url, metrics, log } = await admin();
    metrics.fail = true;
    const r = await call(url, 'GET', '/metrics');
    expect(r.status).toBe(500);
    expect(String(errorOf(r.json).message)).toMatch(/metrics exploded/);
    expect(log.lines.some((l) => /metrics exploded/.test(l))).toBe(true);
    metrics.fail = false;
    expect((await call(url, 'GET', '/metrics')).status).toBe(200);
  });
});

describe('POST /functions/{name}/versions', () => {
  it('201 with the new version; 200 with created false when the code is unchanged; 201 again after a change', async () => {
    const { url, code } = await admin();
    const first = await call(url, 'POST', '/functions/auth/versions');
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ FunctionName: 'auth', Version: '1', created: true });
    const same = await call(url, 'POST', '/functions/auth/versions');
    expect(same.status).toBe(200);
    expect(same.json).toEqual({ FunctionName: 'auth', Version: '1', created: false });
    code.set('auth', 'v2 code');
    const next = await call(url, 'POST', '/functions/auth/versions');
    expect(next.json).toEqual({ FunctionName: 'auth', Version: '2', created: true });
  });

  it('an unknown function → 404 naming it; a failing publish → 400 with its message; names are percent-decoded', async () => {
    const { url, code, publisher } = await admin();
    const unknown = await call(url, 'POST', '/functions/nope/versions');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.json)).toMatchObject({ code: 'UnknownFunction', message: 'unknown function "nope"' });
    code.set('broken', 'BROKEN');
    const broken = await call(url, 'POST', '/functions/broken/versions');
    expect(broken.status).toBe(400);
    expect(String(errorOf(broken.json).message)).toMatch(/publishing "broken" failed: .*SyntaxError/);
    await call(url, 'POST', '/functions/my%20fn/versions');
    expect(publisher.calls).toContain('my fn');
    const badEscape = await call(url, 'POST', '/functions/%E0%A4%A/versions');
    expect(badEscape.status).toBe(400);
  });

  it('a registry that is shutting down (PublishError code Closed) → 503', async () => {
    const closed = Object.assign(new Error('cannot publish "auth": the code registry is closed'), { code: 'Closed' });
    const { url } = await admin({ publish: () => Promise.reject(closed) });
    const r = await call(url, 'POST', '/functions/auth/versions');
    expect(r.status).toBe(503);
    expect(errorOf(r.json)).toMatchObject({ code: 'ServiceUnavailable', message: 'cannot publish "auth": the code registry is closed' });
  });

  it('501 when publishing is not available', async () => {
    const { url } = await admin({ publish: undefined });
    const r = await call(url, 'POST', '/functions/auth/versions');
    expect(r.status).toBe(501);
    expect(errorOf(r.json).code).toBe('NotImplemented');
  });
});

describe('routing and guards', () => {
  it('unknown route → 404; wrong method → 405 with Allow', async () => {
    const { url } = await admin();
    const nf = await call(url, 'GET', '/nope');
    expect(nf.status).toBe(404);
    expect(String(errorOf(nf.json).message)).toMatch(/no admin route "\/nope"; GET \/ lists the routes/);
    const del = await call(url, 'DELETE', '/cache');
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD');
    const put = await call(url, 'PUT', '/invalidations', { body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('POST, GET, HEAD');
    const getPublish = await call(url, 'GET', '/functions/auth/versions');
    expect(getPublish.status).toBe(405);
    expect(getPublish.headers.allow).toBe('POST');
  });

  it('HEAD answers GET routes without a body', async () => {
    const { url } = await admin();
    const r = await call(url, 'HEAD', '/cache');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
  });

  it('refuses a non-loopback Host (DNS rebinding) and a cross-origin browser POST; nothing is removed', async () => {
    const { url, filled } = await admin();
    fill(filled);
    const port = new URL(url).port;
    const rebound = await call(url, 'GET', '/cache', { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(errorOf(rebound.json).code).toBe('ForbiddenHost');
    const csrf = await post(url, '/invalidations', { paths: ['/*'] }, { origin: 'http://evil.example' });
    expect(csrf.status).toBe(403);
    expect(errorOf(csrf.json).code).toBe('CrossOrigin');
    expect(filled.store.stats().entries).toBe(6);
    const sameOrigin = await post(url, '/invalidations', { paths: ['/other'] }, { origin: `http://127.0.0.1:${port}` });
    expect(sameOrigin.status).toBe(201);
    const localhost = await call(url, 'GET', '/cache', { headers: { host: `localhost:${port}` } });
    expect(localhost.status).toBe(200);
  });

  it('close() stops listening', async () => {
    const { url, server } = await admin();
    await server.close();
    await expect(call(url, 'GET', '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
