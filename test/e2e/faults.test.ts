// The fault matrix (docs/runtime.md), end to end, for each of the four triggers: every fault gives the
// viewer CloudFront's error for its own request within the timeout plus a margin, the proxy keeps
// serving, and the next request through the same function gets a healthy worker.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventType } from '../../src/event/types.js';
import { send, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../helpers.js';

const TRIGGERS: readonly EventType[] = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];
const TIMEOUT_S = 0.3;
/** Generous: the bound is about "not hanging", never about speed. */
const MARGIN_MS = 4_000;

function config(originUrl: string) {
  const functions = TRIGGERS.flatMap((t) => [
    { id: `f-${t}`, file: 'functions/fault.js', timeout: TIMEOUT_S },
    // Filling a 128 MB heap takes longer than the short timeout above.
    { id: `oom-${t}`, file: 'functions/fault.js', timeout: 20 },
  ]);
  const behaviors = TRIGGERS.flatMap((t) => [
    { pathPattern: `/${t}/*`, origin: 'o', functions: { [t]: `f-${t}` } },
    { pathPattern: `/oom-${t}/*`, origin: 'o', functions: { [t]: `oom-${t}` } },
  ]);
  return { origins: [{ id: 'o', url: originUrl }], functions, behaviors: [...behaviors, { pathPattern: '*', origin: 'o' }] };
}

describe.each(TRIGGERS)('faults in a %s function', (trigger) => {
  let origin: TestOrigin;
  let proxy: TestProxy;
  beforeAll(async () => {
    origin = await startOrigin();
    proxy = await startProxy(config(origin.url));
  });
  afterAll(async () => {
    await proxy?.close();
    await origin?.close();
  });

  let n = 0;
  async function healthy(prefix = trigger): Promise<void> {
    // A fresh path each time: a cached answer would not run the origin-side functions.
    const r = await send(proxy.url, `/${prefix}/ok-${++n}`);
    expect(r.status).toBe(200);
    expect(r.headers['x-cache']).toBe('Miss from cloudfront');
  }

  it.each(['loop', 'await-loop', 'never', 'exit', 'abort', 'kill', 'alloc'])(
    '/%s → 503 LambdaExecutionError within the timeout, then a healthy worker',
    async (kind) => {
      const t0 = performance.now();
      const r = await send(proxy.url, `/${trigger}/${kind}`);
      expect(performance.now() - t0).toBeLessThan(TIMEOUT_S * 1000 + MARGIN_MS);
      expect(r.status).toBe(503);
      expect(r.headers['x-cache']).toBe('LambdaExecutionError from cloudfront');
      expect(r.text).toContain('The Lambda function associated with the CloudFront distribution is invalid');
      // The proxy's error line names the function's awsRequestId: the link to its START/END/REPORT lines.
      const cfId = String(r.headers['x-amz-cf-id']);
      const line = proxy.logs.find((l) => l.includes(cfId));
      const awsId = /\[RequestId: ([0-9a-f-]{36})\]/.exec(line ?? '')?.[1];
      expect(awsId).toBeDefined();
      expect(proxy.logs).toContain(`END RequestId: ${awsId}`);
      await healthy();
      // Paths without functions never noticed.
      expect((await send(proxy.url, `/plain-${++n}`)).status).toBe(200);
    },
  );

  it('/oom → 503 LambdaExecutionError (Runtime.OutOfMemory at the 128 MB default), then a healthy worker', async () => {
    const r = await send(proxy.url, `/oom-${trigger}/oom`);
    expect(r.status).toBe(503);
    expect(r.headers['x-cache']).toBe('LambdaExecutionError from cloudfront');
    expect(proxy.logs.some((l) => l.includes(String(r.headers['x-amz-cf-id'])) && l.includes('Runtime.OutOfMemory'))).toBe(true);
    await healthy(`oom-${trigger}`);
  }, 30_000);

  it.each(['throw-later', 'reject-later'])('/%s: the request succeeds, the worker dies in the background, the next request is healthy', async (kind) => {
    const r = await send(proxy.url, `/${trigger}/${kind}`);
    expect(r.status).toBe(200);
    const deadline = Date.now() + 5_000;
    while (!proxy.logs.some((l) => l.startsWith(`function f-${trigger}: worker failed between invocations`))) {
      if (Date.now() > deadline) throw new Error('the background failure was not logged');
      await new Promise((res) => setTimeout(res, 10));
    }
    proxy.logs.splice(0); // the next case waits for its own line
    await healthy();
  });
});
