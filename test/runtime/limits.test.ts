// Memory limits and fault isolation against real worker threads.

import { describe, expect, it } from 'vitest';
import { heapLimits } from '../../src/runtime/memory.js';
import { expectOk, field, fnDef, header, memoryLogger, req, runtime, until, within } from './helpers.js';

describe('memory (AWS rule: timeout and memory)', () => {
  it('splits memorySize between the young and old generation, the whole heap bounded by it', () => {
    for (const mb of [128, 256, 1024, 3008, 10240]) {
      const l = heapLimits(mb);
      expect(l.maxOldGenerationSizeMb + l.maxYoungGenerationSizeMb).toBe(mb);
      expect(l.maxYoungGenerationSizeMb).toBeGreaterThanOrEqual(1);
      expect(l.maxYoungGenerationSizeMb).toBeLessThanOrEqual(48);
    }
    expect(heapLimits(128)).toEqual({ maxYoungGenerationSizeMb: 3, maxOldGenerationSizeMb: 125 });
  });

  it('150 MB of heap fits a 256 MB function and crashes a 128 MB one; the worker is replaced', async () => {
    const rt = runtime({ max: 1 });
    const small = fnDef('heap-mb.js', { id: 'heap-128', memorySize: 128 });
    const big = fnDef('heap-mb.js', { id: 'heap-256', memorySize: 256 });
    const fits = await within(rt.invoke(req(big, { headers: { 'x-mb': '150' }, timeoutMs: 20_000 })), 25_000, '256 MB');
    expect(header(expectOk(fits), 'x-kept')).toBe('150');
    const crashed = await within(rt.invoke(req(small, { headers: { 'x-mb': '150' }, timeoutMs: 20_000 })), 25_000, '128 MB');
    expect(crashed).toMatchObject({ ok: false, reason: 'crash', errorType: 'Runtime.OutOfMemory' });
    if (!crashed.ok) expect(crashed.errorMessage).toContain('memorySize 128 MB');
    const after = await within(rt.invoke(req(small, { headers: { 'x-mb': '10' } })), 10_000, 'after');
    expect(header(expectOk(after), 'x-kept')).toBe('10');
  }, 40_000);

  it('one allocation beyond the memory size outside the heap (ArrayBuffer) fails with a RangeError, not the machine', async () => {
    const o = await within(runtime().invoke(req(fnDef('fault.js'), { uri: '/alloc' })), 10_000, 'alloc');
    expect(o).toMatchObject({ ok: false, reason: 'error', errorType: 'RangeError' });
    if (!o.ok) expect(o.errorMessage).toMatch(/Array buffer allocation failed: 4294967296 bytes exceed the function's memory size \(128 MB\)/);
  });
});

describe('fault isolation', () => {
  const fault = (id: string) => fnDef('fault.js', { id });

  it.each([
    ['loop', 'timeout', 'Sandbox.Timedout'],
    ['await-loop', 'timeout', 'Sandbox.Timedout'],
    ['never', 'timeout', 'Sandbox.Timedout'],
    ['exit', 'crash', 'Runtime.ExitError'],
    ['abort', 'crash', 'Runtime.ExitError'],
    ['kill', 'crash', 'Runtime.ExitError'],
  ])('/%s → %s (%s) within the timeout plus a margin, then a healthy worker', async (kind, reason, errorType) => {
    const rt = runtime({ max: 1 });
    const fn = fault(`fault-${kind}`);
    await rt.check(fn);
    const t0 = performance.now();
    const o = await within(rt.invoke(req(fn, { uri: `/${kind}`, timeoutMs: 300 })), 10_000, kind);
    expect(performance.now() - t0).toBeLessThan(300 + 5_000);
    expect(o).toMatchObject({ ok: false, reason, errorType });
    const next = await within(rt.invoke(req(fn, { uri: '/ok' })), 10_000, 'next');
    expect(field(expectOk(next), 'uri')).toBe('/ok');
  });

  it('process.abort() and process.kill(process.pid) end only the worker, reported as signals', async () => {
    const rt = runtime();
    const a = await within(rt.invoke(req(fault('abort'), { uri: '/abort' })), 10_000, 'abort');
    const k = await within(rt.invoke(req(fault('kill'), { uri: '/kill' })), 10_000, 'kill');
    expect(a).toMatchObject({ ok: false, errorMessage: 'Runtime exited with signal: SIGABRT' });
    expect(k).toMatchObject({ ok: false, errorMessage: 'Runtime exited with signal: SIGKILL' });
    // Still here: this test process would be gone had either reached the OS process.
    expect(process.exitCode ?? 0).toBe(0);
  });

  it.each(['throw-later', 'reject-later'])('%s: the invocation succeeds, the worker dies afterwards, the next invocation gets a fresh one', async (kind) => {
    const log = memoryLogger();
    const rt = runtime({ max: 1, log });
    const fn = fault(`bg-${kind}`);
    const first = await within(rt.invoke(req(fn, { uri: `/${kind}` })), 10_000, 'first');
    expect(field(expectOk(first), 'uri')).toBe(`/${kind}`);
    await until(() => log.lines.some((l) => l.includes(`function bg-${kind}: worker failed between invocations`)), 5_000, 'background failure logged');
    const next = await within(rt.invoke(req(fn, { uri: '/ok' })), 10_000, 'next');
    expect(field(expectOk(next), 'uri')).toBe('/ok');
    expect(rt.stats().functions.find((f) => f.functionId === `bg-${kind}`)?.started).toBe(2);
  });

  it('a function cannot reach the host port, its init data, the proxy globals or another function module state', async () => {
    (globalThis as Record<string, unknown>).__edgeproxyShared = 1;
    try {
      const rt = runtime();
      const a = fnDef('isolation.mjs', { id: 'iso-a' });
      const b = fnDef('isolation.mjs', { id: 'iso-b' });
      const ra = expectOk(await within(rt.invoke(req(a, { headers: { 'x-mark': 'a' } })), 10_000, 'a'));
      const rb = expectOk(await within(rt.invoke(req(b, { headers: { 'x-mark': 'b' } })), 10_000, 'b'));
      const ra2 = expectOk(await within(rt.invoke(req(a, { headers: { 'x-mark': 'a2' } })), 10_000, 'a2'));
      const seen = (r: unknown) => JSON.parse(String(field(r, 'body'))) as Record<string, unknown>;
      expect(seen(ra)).toEqual({ marks: 'a', esmParentPort: true, cjsParentPort: true, workerData: true, sharedMemory: 'undefined' });
      expect(seen(rb).marks).toBe('b');
      // Same function, warm worker: its own module state survives; the other function's never shows up.
      expect(seen(ra2).marks).toBe('a,a2');
    } finally {
      delete (globalThis as Record<string, unknown>).__edgeproxyShared;
    }
  });

  it('a spinning function does not delay another function running at the same time', async () => {
    const rt = runtime();
    const spin = fault('spinner');
    const other = fault('other');
    await Promise.all([rt.check(spin), rt.check(other)]);
    const spinning = rt.invoke(req(spin, { uri: '/loop', timeoutMs: 2_000 }));
    const ok = await within(rt.invoke(req(other, { uri: '/ok' })), 1_900, 'other while spinning');
    expect(field(expectOk(ok), 'uri')).toBe('/ok');
    expect(await within(spinning, 10_000, 'spinner')).toMatchObject({ ok: false, reason: 'timeout' });
  });
});
