// The function runtime against real worker threads and the fixtures in test/fixtures/functions.

import { describe, expect, it } from 'vitest';
import { expectOk, field, fnDef, header, memoryLogger, req, runtime, until, within } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('handler styles (AWS rule: handler styles (Node.js))', () => {
  it.each([
    ['async-ok.mjs', 'async-ok'],
    ['callback-ok.js', 'callback-ok'],
    ['cjs.cjs', 'cjs'],
    ['esm-in-type-module/index.js', 'esm-in-type-module'],
  ])('%s runs and returns its result', async (file, tag) => {
    const rt = runtime();
    const o = await within(rt.invoke(req(fnDef(file))), 10_000, file);
    const result = expectOk(o);
    expect(header(result, 'x-fixture')).toBe(tag);
    expect(field(result, 'uri')).toBe('/index.html');
    expect(o.durationMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['throws.js', 'Error', 'boom from throws.js'],
    ['rejects.mjs', 'TypeError', 'rejected from rejects.mjs'],
    ['callback-error.js', 'RangeError', 'callback error from callback-error.js'],
  ])('%s fails with its error', async (file, errorType, errorMessage) => {
    const rt = runtime();
    const o = await within(rt.invoke(req(fnDef(file))), 10_000, file);
    expect(o).toMatchObject({ ok: false, reason: 'error', errorType, errorMessage });
  });

  it('an async handler resolving undefined gives result null', async () => {
    const o = await within(runtime().invoke(req(fnDef('returns-undefined.js'))), 10_000, 'invoke');
    expect(o.ok).toBe(true);
    expect(expectOk(o)).toBeNull();
  });

  it('a non-async handler that returns without calling back gives null once its event loop is idle', async () => {
    const o = await within(runtime().invoke(req(fnDef('returns-without-callback.js'))), 10_000, 'invoke');
    expect(expectOk(o)).toBeNull();
  });

  it('a non-async handler that calls back from a timer after returning delivers that result, not null', async () => {
    const o = await within(runtime().invoke(req(fnDef('callback-after-timer.js'))), 10_000, 'invoke');
    expect(header(expectOk(o), 'x-fixture')).toBe('callback-after-timer');
  });

  it('the first callback call wins', async () => {
    const o = await within(runtime().invoke(req(fnDef('callback-twice.js'))), 10_000, 'invoke');
    expect(expectOk(o)).toEqual({ which: 'first' });
  });

  it('a result JSON cannot serialise is an error outcome', async () => {
    const o = await within(runtime().invoke(req(fnDef('bigint-result.js'))), 10_000, 'invoke');
    expect(o).toMatchObject({ ok: false, reason: 'error', errorType: 'Runtime.JSONStringifyError' });
    if (!o.ok) expect(o.errorMessage).toMatch(/Unable to stringify response body.*BigInt/);
  });
});

describe('context (AWS rule: context (Node.js))', () => {
  it('carries the Lambda@Edge replica fields, a fresh awsRequestId per invocation and no user environment', async () => {
    const rt = runtime({ max: 1 });
    const fn = fnDef('context.js', { id: 'ctx-fn', memorySize: 256 });
    const a = expectOk(await within(rt.invoke(req(fn)), 10_000, 'first'));
    const b = expectOk(await within(rt.invoke(req(fn)), 10_000, 'second'));
    const ca = field(a, 'context');
    expect(ca).toMatchObject({
      functionName: 'us-east-1.ctx-fn',
      functionVersion: '1',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ctx-fn:1',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/us-east-1.ctx-fn',
      identity: 'undefined',
      clientContext: 'undefined',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(String(field(ca, 'logStreamName'))).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[1\][0-9a-f]{32}$/);
    const ida = String(field(ca, 'awsRequestId'));
    const idb = String(field(field(b, 'context'), 'awsRequestId'));
    expect(ida).toMatch(UUID);
    expect(idb).toMatch(UUID);
    expect(ida).not.toBe(idb);
    expect(ida).not.toBe('cf-req-id');
    expect(field(a, 'env')).toEqual({ AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'us-east-1.ctx-fn', HOME: 'undefined' });
  });

  it('getRemainingTimeInMillis() starts at most at the timeout and decreases', async () => {
    const o = await within(runtime().invoke(req(fnDef('remaining-time.js'), { timeoutMs: 1_000 })), 10_000, 'invoke');
    const r = expectOk(o);
    const before = Number(header(r, 'x-remaining-before'));
    const after = Number(header(r, 'x-remaining-after'));
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThanOrEqual(1_000);
    expect(after).toBeLessThan(before);
    expect(after).toBeGreaterThanOrEqual(0);
  });
});

describe('console capture (AWS rule: log lines (Node.js runtime))', () => {
  it('prints each console line as <ISO time>\\t<awsRequestId>\\t<LEVEL>\\t<text>, raw stdout included', async () => {
    const log = memoryLogger();
    const rt = runtime({ log });
    const o = await within(rt.invoke(req(fnDef('console-log.js'))), 10_000, 'invoke');
    const id = String(field(expectOk(o), 'awsRequestId'));
    expect(id).toMatch(UUID);
    await until(() => log.lines.some((l) => l.endsWith('raw stdout line')), 2_000, 'raw stdout forwarded');
    const mine = log.lines.filter((l) => l.split('\t')[1] === id);
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const l of mine) expect(l.split('\t')[0]).toMatch(iso);
    const rest = mine.map((l) => l.split('\t').slice(2).join('\t'));
    expect(rest).toEqual(
      expect.arrayContaining(['INFO\thello from console-log.js { n: 1 }', 'WARN\ta warning', 'ERROR\tan error', 'INFO\traw stdout line']),
    );
  });

  it("logs Lambda's Invoke Error line for a failed invocation", async () => {
    const log = memoryLogger();
    const o = await within(runtime({ log }).invoke(req(fnDef('throws.js'))), 10_000, 'invoke');
    expect(o.ok).toBe(false);
    await until(() => log.lines.some((l) => l.includes('\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"boom from throws.js"')), 2_000, 'Invoke Error line');
  });
});

describe('timeouts and crashes (AWS rule: timeout and memory, §4)', () => {
  it('an infinite loop times out, the worker is replaced and the next invocation works', async () => {
    const log = memoryLogger();
    const rt = runtime({ max: 1, log });
    const fn = fnDef('infinite-loop.js');
    await rt.check(fn); // warm, so the measured time is the function's alone
    const t0 = performance.now();
    const o = await within(rt.invoke(req(fn, { timeoutMs: 300 })), 10_000, 'timeout');
    const waited = performance.now() - t0;
    expect(o).toMatchObject({ ok: false, reason: 'timeout', errorType: 'Sandbox.Timedout' });
    if (!o.ok) expect(o.errorMessage).toMatch(/^Task timed out after 0\.3\d seconds$/);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(300 + 5_000);
    expect(log.lines.some((l) => / [0-9a-f-]{36} Task timed out after 0\.3\d seconds$/.test(l))).toBe(true);
    const next = await within(rt.invoke(req(fn, { headers: { 'x-fixture-behave': '1' } })), 10_000, 'next');
    expect(field(expectOk(next), 'uri')).toBe('/index.html');
  });

  it('on a warm worker each invocation gets its own full timeout, not what is left of the previous one', async () => {
    const rt = runtime({ max: 1 });
    const fn = fnDef('infinite-loop.js');
    await rt.check(fn);
    const behave = { headers: { 'x-fixture-behave': '1' } };
    expectOk(await within(rt.invoke(req(fn, { ...behave, timeoutMs: 300 })), 10_000, 'first'));
    // Started 200 ms into the first one's 300 ms: a timer left over from it would stop this one at ~100 ms.
    await new Promise((r) => setTimeout(r, 200));
    let t0 = performance.now();
    const same = await within(rt.invoke(req(fn, { timeoutMs: 300 })), 10_000, 'same duration');
    expect(same).toMatchObject({ ok: false, reason: 'timeout' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    // A different duration on the replacement worker, after a short one ran on it.
    expectOk(await within(rt.invoke(req(fn, { ...behave, timeoutMs: 150 })), 10_000, 'short'));
    t0 = performance.now();
    const longer = await within(rt.invoke(req(fn, { timeoutMs: 400 })), 10_000, 'longer');
    expect(longer).toMatchObject({ ok: false, reason: 'timeout' });
    if (!longer.ok) expect(longer.errorMessage).toMatch(/^Task timed out after 0\.4\d seconds$/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
  });

  it('a promise that never settles ends by timeout', async () => {
    const o = await within(runtime().invoke(req(fnDef('never-resolves.mjs'), { timeoutMs: 200 })), 10_000, 'invoke');
    expect(o).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('an infinite loop in function A delays neither function B nor the main thread', async () => {
    const rt = runtime();
    const a = fnDef('infinite-loop.js', { id: 'spinner' });
    const b = fnDef('counter.js', { id: 'other' });
    await Promise.all([rt.check(a), rt.check(b)]);
    let aSettled = false;
    const aDone = rt.invoke(req(a, { timeoutMs: 3_000 })).then((o) => {
      aSettled = true;
      return o;
    });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      const ob = await within(rt.invoke(req(b)), 2_500, 'B while A spins');
      expect(header(expectOk(ob), 'x-counter')).toBe('1');
      expect(aSettled).toBe(false);
      await until(() => ticks >= 3, 2_500, 'main-thread timer while A spins');
      expect(aSettled).toBe(false);
    } finally {
      clearInterval(ticker);
    }
    expect(await within(aDone, 10_000, 'A')).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('process.exit() in a handler is a crash, and the next invocation gets a fresh worker', async () => {
    const rt = runtime({ max: 1 });
    const fn = fnDef('process-exit.js');
    const o = await within(rt.invoke(req(fn)), 10_000, 'exit');
    expect(o).toMatchObject({ ok: false, reason: 'crash', errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 3' });
    const next = await within(rt.invoke(req(fn, { headers: { 'x-fixture-behave': '1' } })), 10_000, 'next');
    expect(field(expectOk(next), 'uri')).toBe('/index.html');
  });

  it('an unhandled rejection during an invocation is a crash', async () => {
    const o = await within(runtime().invoke(req(fnDef('unhandled-rejection.mjs'))), 10_000, 'invoke');
    expect(o).toMatchObject({ ok: false, reason: 'crash', errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: nobody catches me' });
  });

  it('a throw in background work between invocations kills only that worker; the next invocation works', async () => {
    const log = memoryLogger();
    const rt = runtime({ max: 1, log });
    const fn = fnDef('background-throw.js');
    expectOk(await within(rt.invoke(req(fn)), 10_000, 'first'));
    await until(() => log.lines.some((l) => l.includes('worker failed between invocations: Error: background boom')), 5_000, 'background failure logged');
    const next = await within(rt.invoke(req(fn)), 10_000, 'next');
    expect(field(expectOk(next), 'uri')).toBe('/index.html');
  });

  it('running out of heap (resourceLimits from memorySize) is a crash', async () => {
    const o = await within(runtime().invoke(req(fnDef('oom.js', { memorySize: 32 }), { timeoutMs: 20_000 })), 25_000, 'oom');
    expect(o).toMatchObject({ ok: false, reason: 'crash', errorType: 'Runtime.OutOfMemory' });
  }, 30_000);

  it.each([
    ['no-handler.js', 'Runtime.HandlerNotFound', 'no-handler.handler is undefined or not exported'],
    ['syntax-error.js', 'Runtime.UserCodeSyntaxError', "SyntaxError: Unexpected token ';'"],
    ['missing.js', 'Runtime.ImportModuleError', "Error: Cannot find module '"],
    ['top-level-throw.js', 'Error', 'init failed in top-level-throw.js'],
  ])('load failure of %s at invoke time is an error outcome', async (file, errorType, message) => {
    const o = await within(runtime().invoke(req(fnDef(file))), 10_000, file);
    expect(o).toMatchObject({ ok: false, reason: 'error', errorType });
    if (!o.ok) expect(o.errorMessage).toContain(message);
  });
});

describe('worker pool', () => {
  it('reuses a warm worker: module scope survives between invocations', async () => {
    const rt = runtime({ max: 4 });
    const fn = fnDef('counter.js');
    const r1 = expectOk(await within(rt.invoke(req(fn)), 10_000, 'first'));
    const r2 = expectOk(await within(rt.invoke(req(fn)), 10_000, 'second'));
    const r3 = expectOk(await within(rt.invoke(req(fn)), 10_000, 'third'));
    expect([header(r1, 'x-counter'), header(r2, 'x-counter'), header(r3, 'x-counter')]).toEqual(['1', '2', '3']);
    expect(new Set([header(r1, 'x-thread'), header(r2, 'x-thread'), header(r3, 'x-thread')]).size).toBe(1);
  });

  it('grows to maxWorkersPerFunction and queues beyond it', async () => {
    const rt = runtime({ max: 2 });
    const fn = fnDef('slow.mjs');
    const outcomes = await within(
      Promise.all([1, 2, 3, 4].map(() => rt.invoke(req(fn, { headers: { 'x-delay-ms': '300' } })))),
      15_000,
      'four slow invocations',
    );
    const runs = outcomes.map((o) => {
      const r = expectOk(o);
      return { start: Number(field(r, 'start')), end: Number(field(r, 'end')), thread: Number(field(r, 'threadId')) };
    });
    expect(new Set(runs.map((r) => r.thread)).size).toBe(2);
    // How many ran at each start instant: never more than two, and two at some point.
    const concurrency = runs.map((r) => runs.filter((o) => o.start <= r.start && r.start < o.end).length);
    expect(Math.max(...concurrency)).toBe(2);
  });

  it('serves queued invocations in FIFO order', async () => {
    const rt = runtime({ max: 1 });
    const fn = fnDef('slow.mjs');
    const outcomes = await within(
      Promise.all([1, 2, 3, 4].map(() => rt.invoke(req(fn, { headers: { 'x-delay-ms': '20' } })))),
      15_000,
      'queued invocations',
    );
    const runs = outcomes.map((o) => ({ start: Number(field(expectOk(o), 'start')), end: Number(field(expectOk(o), 'end')) }));
    // Each started after the one invoked before it had ended: one worker, served in call order.
    runs.reduce((prev, r) => {
      expect(r.start).toBeGreaterThanOrEqual(prev.end);
      return r;
    });
  });
});

describe('close()', () => {
  it('lets an invocation in flight finish, then refuses new ones without throwing', async () => {
    const rt = runtime();
    const fn = fnDef('slow.mjs');
    await rt.check(fn);
    const inFlight = rt.invoke(req(fn, { headers: { 'x-delay-ms': '150' } }));
    await within(rt.close(), 5_000, 'close');
    expect((await inFlight).ok).toBe(true);
    const after = await within(rt.invoke(req(fn)), 1_000, 'after close');
    expect(after).toMatchObject({ ok: false, reason: 'crash', errorType: 'Edgeproxy.Shutdown' });
  });

  it('ends a spinning worker after the grace period', async () => {
    const rt = runtime();
    const fn = fnDef('infinite-loop.js');
    await rt.check(fn);
    const spinning = rt.invoke(req(fn, { timeoutMs: 60_000 }));
    await within(rt.close(), 8_000, 'close');
    expect(await within(spinning, 1_000, 'spinning outcome')).toMatchObject({ ok: false, reason: 'crash', errorType: 'Edgeproxy.Shutdown' });
  });
});
