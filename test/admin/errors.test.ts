// The admin listener's refusals by code (src/admin/errors.ts): each one produced through the real
// listener, with the status its table entry gives.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_ERRORS } from '../../src/admin/errors.js';
import { startAdmin, type AdminDeps } from '../../src/admin/server.js';
import { memoryLogger } from '../../src/log.js';
import { call, fakeMetrics, fakePublisher, filledStore, obj, post } from './fixtures.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function admin(over: Partial<AdminDeps> = {}) {
  const filled = filledStore();
  const log = memoryLogger();
  const metrics = fakeMetrics();
  const code = new Map([['auth', 'v1 code']]);
  const deps: AdminDeps = { store: filled.store, clock: filled.clock, log, metrics, publish: fakePublisher(code).publish, distributionId: 'E1', ...over };
  const server = await startAdmin(deps, { host: '127.0.0.1', port: 0 });
  opened.push(server);
  return { url: server.url, log, metrics, code };
}

const errorOf = (v: unknown) => obj(obj(v).error);

/** Writes `bytes` on a fresh connection; everything the listener sends until it closes. */
function rawExchange(base: string, bytes: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('the listener did not close the connection within 10 s')), 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(bytes);
  });
}

describe('admin error codes', () => {
  it('a request Node cannot parse → 400 BadRequest as JSON, and the connection closes', async () => {
    const { url } = await admin();
    const text = await rawExchange(url, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nbad header line\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(text).toMatch(/\r\nConnection: close\r\n/);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown;
    expect(errorOf(body)).toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/^malformed request: HPE_INVALID_HEADER_TOKEN: /) });
    // The listener still serves well-formed requests.
    expect((await call(url, 'GET', '/')).status).toBe(200);
  });

  it('Quantity that disagrees with Items → 400 InconsistentQuantities naming Quantity', async () => {
    const { url } = await admin();
    const r = await post(url, '/invalidations', { Paths: { Quantity: 3, Items: ['/a', '/b'] } });
    expect(r.status).toBe(ADMIN_ERRORS.InconsistentQuantities.status);
    expect(errorOf(r.json)).toMatchObject({ code: 'InconsistentQuantities', field: 'Paths.Quantity', message: 'Paths.Quantity: is 3 but Paths.Items has 2 paths' });
  });

  it('code that does not build → 400 PublishFailed naming the function', async () => {
    const { url, code } = await admin();
    code.set('broken', 'BROKEN');
    const r = await call(url, 'POST', '/functions/broken/versions');
    expect(r.status).toBe(400);
    expect(errorOf(r.json)).toMatchObject({ code: 'PublishFailed', field: 'name' });
  });

  it('the code registry\'s BuildFailed is a PublishFailed, by its code', async () => {
    const buildFailed = Object.assign(new Error('cannot publish "auth": functions/auth.ts: Expected ";"'), { code: 'BuildFailed' });
    const { url } = await admin({ publish: () => Promise.reject(buildFailed) });
    const r = await call(url, 'POST', '/functions/auth/versions');
    expect(r.status).toBe(400);
    expect(errorOf(r.json)).toMatchObject({ code: 'PublishFailed', message: 'publishing "auth" failed: cannot publish "auth": functions/auth.ts: Expected ";"' });
  });

  it('an unknown route → 404 NotFound; a known route with another method → 405 MethodNotAllowed with Allow', async () => {
    const { url } = await admin();
    const nf = await call(url, 'GET', '/nope');
    expect(nf.status).toBe(404);
    expect(errorOf(nf.json).code).toBe('NotFound');
    const del = await call(url, 'DELETE', '/cache');
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD');
    expect(errorOf(del.json)).toMatchObject({ code: 'MethodNotAllowed', message: 'DELETE /cache: method not allowed (allowed: GET, HEAD)' });
  });

  it('a part of edgeproxy that throws → 500 InternalError with its message, logged as an error', async () => {
    const { url, metrics, log } = await admin();
    metrics.fail = true;
    const r = await call(url, 'GET', '/metrics');
    expect(r.status).toBe(500);
    expect(errorOf(r.json)).toMatchObject({ code: 'InternalError', message: 'admin GET /metrics: metrics exploded' });
    expect(log.lines.filter((l) => l.includes('admin GET /metrics: metrics exploded'))).toHaveLength(1);
  });
});
