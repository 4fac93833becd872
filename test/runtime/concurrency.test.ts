// Concurrency limits and throttling (docs/cloudfront-reference.md §9.2), cold and warm workers, idle retirement, prewarm, and
// code generations (docs/runtime.md, docs/versions.md), against real worker threads.

import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observe/metrics.js';
import type { CodeRef } from '../../src/runtime/code-types.js';
import { expectOk, field, fnDef, FUNCTIONS, header, req, runtime, until, within } from './helpers.js';

const slow = (ms: number) => ({ headers: { 'x-delay-ms': String(ms) } });

describe('throttling (AWS rule: concurrency and throttling)', () => {
  it('reserved concurrency 1: of two concurrent invocations one runs, one is throttled and counted as a Throttle', async () => {
    const metrics = createMetrics();
    const rt = runtime({ max: 4, metrics });
    const fn = fnDef('slow.mjs', { id: 'reserved-1', reservedConcurrency: 1 });
    const [a, b] = await within(Promise.all([rt.invoke(req(fn, slow(300))), rt.invoke(req(fn, slow(300)))]), 10_000, 'two');
    expect(a?.ok).toBe(true);
    expect(b).toEqual({
      ok: false,
      reason: 'throttled',
      errorType: 'TooManyRequestsException',
      errorMessage: 'Rate Exceeded.',
      throttleReason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      durationMs: 0,
      version: '1',
    });
    const f = metrics.snapshot().lambda.functions.find((s) => s.FunctionName === 'reserved-1');
    expect(f).toMatchObject({ Invocations: 1, Errors: 0, Throttles: 1, ConcurrentExecutions: { current: 0, max: 1 } });
    // The limit is on invocations in flight: once the first is done, the next one runs.
    expect((await within(rt.invoke(req(fn, slow(1))), 10_000, 'after')).ok).toBe(true);
  });

  it('reserved concurrency 0 disables the function', async () => {
    const o = await within(runtime().invoke(req(fnDef('counter.js', { reservedConcurrency: 0 }))), 5_000, 'invoke');
    expect(o).toMatchObject({ ok: false, reason: 'throttled', throttleReason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
  });

  it('the account limit counts invocations waiting for a worker, not only running ones', async () => {
    const rt = runtime({ max: 1, accountConcurrency: 2 });
    const fn = fnDef('slow.mjs', { id: 'unreserved' });
    const running = rt.invoke(req(fn, slow(300)));
    const queued = rt.invoke(req(fn, slow(1)));
    const stats = rt.stats().functions.find((s) => s.functionId === 'unreserved');
    expect(stats).toMatchObject({ inFlight: 2, queued: 1 });
    const third = await within(rt.invoke(req(fn, slow(1))), 5_000, 'third');
    expect(third).toMatchObject({ ok: false, reason: 'throttled', throttleReason: 'ConcurrentInvocationLimitExceeded' });
    expect((await within(running, 10_000, 'running')).ok).toBe(true);
    expect((await within(queued, 10_000, 'queued')).ok).toBe(true);
  });

  it('reservations are carved out of the account limit: reserved functions keep theirs, the others share the rest', async () => {
    const reserved = fnDef('slow.mjs', { id: 'has-reservation', reservedConcurrency: 1 });
    const shared = fnDef('slow.mjs', { id: 'shares' });
    const rt = runtime({ max: 2, accountConcurrency: 2, functions: [reserved, shared] });
    expect(rt.stats()).toMatchObject({ unreservedLimit: 1 });
    const outcomes = await within(
      Promise.all([rt.invoke(req(reserved, slow(200))), rt.invoke(req(shared, slow(200))), rt.invoke(req(shared, slow(200)))]),
      10_000,
      'three',
    );
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'ok', 'throttled']);
  });
});

describe('cold and warm starts', () => {
  it('without prewarm, check() loads the module and retires the worker: the first invocation is a cold start with an Init Duration', async () => {
    const rt = runtime();
    const fn = fnDef('init-slow.js');
    await rt.check(fn);
    expect(rt.stats().functions[0]).toMatchObject({ workers: { starting: 0, idle: 0, busy: 0 }, started: 1 });
    const cold = await within(rt.invoke(req(fn)), 10_000, 'cold');
    expect(cold.initDurationMs).toBeGreaterThanOrEqual(70);
    const warm = await within(rt.invoke(req(fn)), 10_000, 'warm');
    expect(warm.ok).toBe(true);
    expect(warm.initDurationMs).toBeUndefined();
    expect(rt.stats().functions[0]).toMatchObject({ started: 2, coldStarts: 1 });
  });

  it('with prewarm, the checked worker stays warm: no Init Duration on the first request, and it is never retired when idle', async () => {
    const rt = runtime({ prewarm: true, idleTimeoutMs: 50 });
    const fn = fnDef('init-slow.js', { id: 'prewarmed' });
    await rt.check(fn);
    expect(rt.stats().functions[0]).toMatchObject({ workers: { idle: 1 }, started: 1 });
    const first = await within(rt.invoke(req(fn)), 10_000, 'first');
    expect(first.ok).toBe(true);
    expect(first.initDurationMs).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(rt.stats().functions[0]).toMatchObject({ workers: { idle: 1 }, started: 1, retiredIdle: 0, coldStarts: 0 });
  });

  it('grows on demand and retires idle workers after idleTimeoutMs; the next invocation is cold again', async () => {
    const rt = runtime({ max: 3, idleTimeoutMs: 150 });
    const fn = fnDef('slow.mjs', { id: 'grows' });
    await within(Promise.all([1, 2, 3].map(() => rt.invoke(req(fn, slow(100))))), 10_000, 'three at once');
    expect(rt.stats().functions[0]).toMatchObject({ workers: { idle: 3 }, started: 3 });
    await until(() => rt.stats().functions[0]?.retiredIdle === 3, 5_000, 'idle workers retired');
    expect(rt.stats().functions[0]).toMatchObject({ workers: { starting: 0, idle: 0, busy: 0 } });
    const again = await within(rt.invoke(req(fn, slow(1))), 10_000, 'again');
    expect(again.initDurationMs).toBeDefined();
  });
});

describe('code generations and versions (CodeRef)', () => {
  const ref = (version: string, generation: number, file = 'counter.js'): CodeRef =>
    Object.freeze({ functionId: 'coded', version, file: FUNCTIONS + file, exportName: 'handler', generation });

  it('a newer generation gets fresh workers (fresh module state); the old idle worker retires; the version is reported', async () => {
    const rt = runtime({ max: 2 });
    const fn = fnDef('counter.js', { id: 'coded' });
    const g1 = ref('$LATEST', 1);
    const a = await within(rt.invoke(req(fn, { code: g1 })), 10_000, 'g1 a');
    const b = await within(rt.invoke(req(fn, { code: g1 })), 10_000, 'g1 b');
    expect([header(expectOk(a), 'x-counter'), header(expectOk(b), 'x-counter')]).toEqual(['1', '2']);
    expect(a.version).toBe('$LATEST');
    const c = await within(rt.invoke(req(fn, { code: ref('$LATEST', 2) })), 10_000, 'g2');
    expect(header(expectOk(c), 'x-counter')).toBe('1');
    expect(header(expectOk(c), 'x-thread')).not.toBe(header(expectOk(a), 'x-thread'));
    expect(rt.stats().functions[0]).toMatchObject({ retiredStale: 1, workers: { idle: 1 } });
  });

  it('an invocation in flight finishes on the old code; its worker retires afterwards', async () => {
    const rt = runtime({ max: 2 });
    const fn = fnDef('slow.mjs', { id: 'coded' });
    const old = rt.invoke(req(fn, { ...slow(300), code: ref('$LATEST', 1, 'slow.mjs') }));
    await until(() => rt.stats().functions[0]?.workers.busy === 1, 5_000, 'old code running');
    const fresh = await within(rt.invoke(req(fn, { ...slow(1), code: ref('$LATEST', 2, 'slow.mjs') })), 10_000, 'new code');
    expect(fresh.ok).toBe(true);
    const o = await within(old, 10_000, 'old');
    expect(o.ok).toBe(true);
    expect(field(expectOk(o), 'threadId')).not.toBe(field(expectOk(fresh), 'threadId'));
    expect(rt.stats().functions[0]).toMatchObject({ retiredStale: 1, workers: { idle: 1, busy: 0 } });
  });

  it('two published versions run side by side in their own workers and carry their version in context', async () => {
    const rt = runtime({ max: 2 });
    const fn = fnDef('context.js', { id: 'coded' });
    const v2 = { ...ref('2', 0, 'context.js') };
    const v3 = { ...ref('3', 0, 'context.js') };
    const o2 = await within(rt.invoke(req(fn, { code: v2 })), 10_000, 'v2');
    const o3 = await within(rt.invoke(req(fn, { code: v3 })), 10_000, 'v3');
    expect(field(field(expectOk(o2), 'context'), 'functionVersion')).toBe('2');
    expect(field(field(expectOk(o3), 'context'), 'invokedFunctionArn')).toBe('arn:aws:lambda:us-east-1:123456789012:function:coded:3');
    expect([o2.version, o3.version]).toEqual(['2', '3']);
    expect(rt.stats().functions[0]).toMatchObject({ started: 2, retiredStale: 0 });
  });
});
