// Throttling end to end (docs/cloudfront-reference.md §9.2, §4): a deliberately slow function with a concurrency limit of 1;
// the second concurrent request is 503 LambdaLimitExceeded, counted as a Throttle. Also the metrics
// and the access log after known traffic.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOG_FIELDS } from '../../src/observe/access-log.js';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

let origin: TestOrigin;
beforeAll(async () => {
  origin = await startOrigin();
});
afterAll(async () => {
  await origin?.close();
});

const open: TestProxy[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

async function proxyWith(extra: Record<string, unknown>): Promise<TestProxy> {
  const p = await startProxy({
    origins: [{ id: 'o', url: origin.url }],
    behaviors: [{ pathPattern: '/slow/*', origin: 'o', functions: { 'viewer-request': 'slow' } }, { pathPattern: '*', origin: 'o' }],
    ...extra,
  });
  open.push(p);
  return p;
}

describe('throttling', () => {
  it('reserved concurrency 1: two concurrent requests → one 200, one 503 LambdaLimitExceeded; a Throttle, not an Invocation', async () => {
    const proxy = await proxyWith({ functions: [{ id: 'slow', file: 'functions/slow-pass.js', reservedConcurrency: 1 }] });
    const replies = await Promise.all([send(proxy.url, '/slow/a?delay=400'), send(proxy.url, '/slow/b?delay=400')]);
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 503]);
    const throttled = replies.find((r) => r.status === 503);
    expect(throttled?.headers['x-cache']).toBe('LambdaLimitExceeded from cloudfront');
    expect(throttled?.text).toContain('The Lambda function associated with the CloudFront distribution was throttled.');
    const line = proxy.logs.find((l) => l.includes(String(throttled?.headers['x-amz-cf-id'])));
    expect(line).toContain('LambdaLimitExceeded: throttled: TooManyRequestsException: Rate Exceeded. (ReservedFunctionConcurrentInvocationLimitExceeded)');

    const s = proxy.metrics.snapshot();
    expect(s.lambda.functions).toEqual([
      expect.objectContaining({ FunctionName: 'slow', ExecutedVersion: '$LATEST', Invocations: 1, Errors: 0, Throttles: 1, ConcurrentExecutions: { current: 0, max: 1 } }),
    ]);
    expect(s.cloudfront).toMatchObject({ Requests: 2, LambdaLimitExceededErrors: 1, '5xxErrorRate': 50 });
    // Once the first is done, the function takes requests again.
    expect((await send(proxy.url, '/slow/c?delay=1')).status).toBe(200);
  });

  it('the account limit (runtime.accountConcurrency) throttles a function without a reservation', async () => {
    const proxy = await proxyWith({ functions: [{ id: 'slow', file: 'functions/slow-pass.js' }], runtime: { accountConcurrency: 1 } });
    const replies = await Promise.all([send(proxy.url, '/slow/a?delay=400'), send(proxy.url, '/slow/b?delay=400')]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 503]);
    expect(proxy.logs.some((l) => l.includes('(ConcurrentInvocationLimitExceeded)'))).toBe(true);
  });
});

describe('metrics and the access log after known traffic', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('counts requests, errors, cache results and bytes, and writes one CloudFront log line per request', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-e2e-access-'));
    const file = path.join(dir, 'access.log');
    const proxy = await proxyWith({
      functions: [
        { id: 'slow', file: 'functions/slow-pass.js' },
        { id: 'boom', file: 'functions/throws.js' },
      ],
      behaviors: [
        { pathPattern: '/slow/*', origin: 'o', functions: { 'viewer-request': 'slow' } },
        { pathPattern: '/boom/*', origin: 'o', functions: { 'viewer-request': 'boom' } },
        { pathPattern: '*', origin: 'o' },
      ],
      log: { accessLog: file },
    });
    const a = await send(proxy.url, '/slow/x?delay=5', { headers: { 'user-agent': 'test agent/1.0', referer: 'http://example.com/' } });
    const b = await send(proxy.url, '/boom/y');
    const c = await send(proxy.url, '/static/z.txt');
    expect([a.status, b.status, c.status]).toEqual([200, 503, 200]);

    // The access log line is written when the response closes: wait for all three.
    let lines: string[] = [];
    const deadline = Date.now() + 5_000;
    while (lines.length < 3) {
      if (Date.now() > deadline) throw new Error(`only ${lines.length} access log lines`);
      await new Promise((r) => setTimeout(r, 10));
      lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    }
    const text = await readFile(file, 'utf8');
    expect(text.split('\n').slice(0, 2)).toEqual(['#Version: 1.0', `#Fields: ${ACCESS_LOG_FIELDS.join(' ')}`]);
    const rows = lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [ACCESS_LOG_FIELDS[i], v])));
    const byId = (id: unknown) => rows.find((r) => r['x-edge-request-id'] === id);
    const ra = byId(a.headers['x-amz-cf-id']);
    expect(ra).toMatchObject({
      'x-edge-location': proxy.config.pop,
      'c-ip': '127.0.0.1',
      'cs-method': 'GET',
      'cs(Host)': proxy.config.distributionDomainName,
      'cs-uri-stem': '/slow/x',
      'cs-uri-query': 'delay=5',
      'sc-status': '200',
      'cs(Referer)': 'http://example.com/',
      'cs(User-Agent)': 'test%20agent/1.0',
      'x-edge-result-type': 'Miss',
      'cs-protocol': 'http',
      'cs-protocol-version': 'HTTP/1.1',
      'sc-content-type': 'application/json',
    });
    expect(Number(ra?.['sc-bytes'])).toBeGreaterThan(a.body.length);
    expect(Number(ra?.['time-taken'])).toBeGreaterThanOrEqual(0.005);
    expect(Number(ra?.['time-to-first-byte'])).toBeLessThanOrEqual(Number(ra?.['time-taken']));
    expect(byId(b.headers['x-amz-cf-id'])).toMatchObject({
      'sc-status': '503',
      'x-edge-result-type': 'Error',
      'x-edge-detailed-result-type': 'LambdaExecutionError',
      'sc-content-type': 'text/html',
    });

    const s = proxy.metrics.snapshot();
    expect(s.cloudfront).toMatchObject({ Requests: 3, LambdaExecutionError: 1, '5xxErrorRate': 33.333, CacheHitRate: 0 });
    expect(s.cloudfront.OriginLatency.count).toBe(2);
    expect(s.cloudfront.BytesDownloaded).toBe(rows.reduce((n, r) => n + Number(r['sc-bytes']), 0));
    expect(s.lambda.functions.map((f) => [f.FunctionName, f.Invocations, f.Errors])).toEqual([
      ['boom', 1, 1],
      ['slow', 1, 0],
    ]);
    // A second identical static request is a cache hit (or a miss if the origin's answer is not cacheable): the rate follows X-Cache.
    const again = await send(proxy.url, '/static/z.txt');
    const hit = again.headers['x-cache'] === 'Hit from cloudfront';
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.metrics.snapshot().cloudfront.CacheHitRate).toBe(hit ? 33.333 : 0);
    expect(proxy.metrics.prometheus()).toContain(`edgeproxy_cloudfront_requests_total{distribution_id="${proxy.config.distributionId}"} 4`);
  });
});
