// Lambda's log lines per invocation (docs/cloudfront-reference.md §9.5): START, the function's console lines, END, REPORT
// (Init Duration on a cold start), the timeout line; and the same facts as fields for JSON logs.

import { describe, expect, it } from 'vitest';
import { createLogger, type LogStream } from '../../src/log.js';
import { reportLine } from '../../src/runtime/platform-log.js';
import { fnDef, memoryLogger, req, runtime, until, within } from './helpers.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const REPORT = new RegExp(
  `^REPORT RequestId: (${UUID})\\tDuration: (\\d+\\.\\d{2}) ms\\tBilled Duration: (\\d+) ms\\tMemory Size: 128 MB\\tMax Memory Used: (\\d+) MB(\\tInit Duration: (\\d+\\.\\d{2}) ms)?`,
);

function linesOf(lines: string[], id: string): string[] {
  return lines.filter((l) => l.includes(id));
}

describe('START / END / REPORT (AWS rule: log lines (Node.js runtime))', () => {
  it('brackets the console lines of each invocation; Init Duration only on the cold start', async () => {
    const log = memoryLogger();
    const rt = runtime({ log, max: 1 });
    const fn = fnDef('init-slow.js');
    const cold = await within(rt.invoke(req(fn)), 10_000, 'cold');
    const warm = await within(rt.invoke(req(fn)), 10_000, 'warm');
    const coldId = String(cold.awsRequestId);
    await until(() => log.lines.some((l) => l.startsWith(`REPORT RequestId: ${String(warm.awsRequestId)}`)), 2_000, 'warm REPORT');

    const mine = linesOf(log.lines, coldId);
    expect(mine[0]).toBe(`START RequestId: ${coldId} Version: 1`);
    expect(mine.slice(1, 3).map((l) => l.split('\t').slice(1).join('\t'))).toEqual([`${coldId}\tINFO\thandling /index.html`, `${coldId}\tWARN\ta warning`]);
    expect(mine[3]).toBe(`END RequestId: ${coldId}`);
    const m = REPORT.exec(mine[4] ?? '');
    expect(m).not.toBeNull();
    const [, , duration, billed, used, , init] = m ?? [];
    expect(Number(billed)).toBe(Math.max(1, Math.ceil(Number(duration))));
    expect(Number(used)).toBeGreaterThanOrEqual(1);
    expect(Number(used)).toBeLessThanOrEqual(128);
    // init-slow.js spends ~80 ms at its top level.
    expect(Number(init)).toBeGreaterThanOrEqual(70);
    expect(Number(init)).toBe(Math.round(Number(cold.initDurationMs) * 100) / 100);
    // The module's own top-level line came before START, with "undefined" as Lambda prints it.
    expect(log.lines.findIndex((l) => l.endsWith('\tundefined\tINFO\tinit done'))).toBeLessThan(log.lines.indexOf(mine[0] ?? ''));

    const warmReport = linesOf(log.lines, String(warm.awsRequestId)).find((l) => l.startsWith('REPORT'));
    expect(warmReport).toMatch(REPORT);
    expect(warmReport).not.toContain('Init Duration');
  });

  it("REPORT's Max Memory Used is the worker's measured high-water mark (it grows with what the handler kept)", async () => {
    const log = memoryLogger();
    const rt = runtime({ log, max: 1 });
    const fn = fnDef('heap-mb.js');
    const o = await within(rt.invoke(req(fn, { headers: { 'x-mb': '24' } })), 10_000, 'heap-mb');
    expect(o.ok).toBe(true);
    const id = String(o.awsRequestId);
    await until(() => log.lines.some((l) => l.startsWith(`REPORT RequestId: ${id}`)), 2_000, 'REPORT');
    const m = REPORT.exec(linesOf(log.lines, id).find((l) => l.startsWith('REPORT')) ?? '');
    expect(m).not.toBeNull();
    // 24 MB of doubles were alive when the handler returned: a figure below that was not measured.
    expect(Number(m?.[4])).toBeGreaterThanOrEqual(24);
  });

  it('a timeout prints the timeout line, then END and REPORT with Status: timeout', async () => {
    const log = memoryLogger();
    const rt = runtime({ log });
    const fn = fnDef('fault.js', { id: 'spins' });
    await rt.check(fn);
    const o = await within(rt.invoke(req(fn, { uri: '/loop', timeoutMs: 250 })), 10_000, 'timeout');
    const id = String(o.awsRequestId);
    const mine = linesOf(log.lines, id);
    expect(mine[0]).toBe(`START RequestId: ${id} Version: 1`);
    expect(mine[1]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z ${id} Task timed out after 0\\.2\\d seconds$`));
    expect(mine[2]).toBe(`END RequestId: ${id}`);
    expect(mine[3]).toMatch(/^REPORT RequestId: .*\tDuration: 2\d\d\.\d\d ms\tBilled Duration: 2\d\d ms\t.*\tStatus: timeout$/);
  });

  it('a crash ends with Status: error and the error type; a throttled invocation prints nothing', async () => {
    const log = memoryLogger();
    const rt = runtime({ log });
    const o = await within(rt.invoke(req(fnDef('process-exit.js'))), 10_000, 'exit');
    const report = linesOf(log.lines, String(o.awsRequestId)).find((l) => l.startsWith('REPORT'));
    expect(report).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
    const before = log.lines.length;
    const t = await within(rt.invoke(req(fnDef('counter.js', { reservedConcurrency: 0 }))), 5_000, 'throttled');
    expect(t).toMatchObject({ reason: 'throttled' });
    expect(t.awsRequestId).toBeUndefined();
    expect(log.lines.length).toBe(before);
  });

  it('gives every line structured fields: platform events and function lines with level, request id, function and version', async () => {
    const log = memoryLogger();
    const rt = runtime({ log });
    const fn = fnDef('init-slow.js', { id: 'structured' });
    const o = await within(rt.invoke(req(fn, { requestId: 'CF-ID-1' })), 10_000, 'invoke');
    const id = String(o.awsRequestId);
    await until(() => log.records.some((r) => r.fields?.event === 'report' && r.fields.requestId === id), 2_000, 'report record');
    const mine = log.records.filter((r) => r.fields?.requestId === id);
    expect(mine.map((r) => `${String(r.fields?.type)}:${String(r.fields?.event ?? r.fields?.level)}`)).toEqual([
      'platform:start',
      'function:INFO',
      'function:WARN',
      'platform:end',
      'platform:report',
    ]);
    expect(mine[0]?.fields).toMatchObject({ cfRequestId: 'CF-ID-1', function: 'structured', version: '1' });
    expect(mine[2]?.fields).toMatchObject({ message: 'a warning', level: 'WARN' });
    expect(mine[4]?.fields).toMatchObject({ memorySizeMB: 128, initDurationMs: expect.any(Number), billedDurationMs: expect.any(Number) });
  });

  it('reportLine formats like Lambda: two decimals, billed rounded up to the next ms', () => {
    expect(reportLine({ awsRequestId: 'id', durationMs: 12.341, memorySizeMb: 128, maxMemoryUsedMb: 64, initDurationMs: 150.123 })).toBe(
      'REPORT RequestId: id\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tInit Duration: 150.12 ms',
    );
    expect(reportLine({ awsRequestId: 'id', durationMs: 0.2, memorySizeMb: 256, maxMemoryUsedMb: 3 })).toBe(
      'REPORT RequestId: id\tDuration: 0.20 ms\tBilled Duration: 1 ms\tMemory Size: 256 MB\tMax Memory Used: 3 MB',
    );
  });
});

describe('createLogger (log.format)', () => {
  function sink(isTTY = false): LogStream & { text: string } {
    const s = { text: '', isTTY, write: (c: string) => void (s.text += c) };
    return s;
  }

  it('json: one object per line with time, level, the fields and the message (a function line keeps its own level and text)', () => {
    const out = sink();
    const err = sink();
    const log = createLogger({ format: 'json', out, err });
    log.info('2025-01-01T00:00:00.000Z\tabc\tWARN\tcareful', { type: 'function', level: 'WARN', requestId: 'abc', function: 'auth', version: '3', message: 'careful' });
    log.error('boom happened', { cfRequestId: 'CF1' });
    const [line] = out.text.split('\n');
    const o = JSON.parse(line ?? '') as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(['time', 'level', 'type', 'requestId', 'function', 'version', 'message']);
    expect(o).toMatchObject({ level: 'WARN', type: 'function', requestId: 'abc', function: 'auth', version: '3', message: 'careful' });
    expect(String(o.time)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(JSON.parse(err.text.trim())).toMatchObject({ level: 'error', cfRequestId: 'CF1', message: 'boom happened' });
  });

  it('text: plain lines; colour only on a terminal (or when forced), never in JSON', () => {
    const plain = sink(false);
    createLogger({ out: plain }).info('START RequestId: x Version: 1', { type: 'platform' });
    expect(plain.text).toBe('START RequestId: x Version: 1\n');
    const tty = sink(true);
    const ttyErr = sink(true);
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      const log = createLogger({ out: tty, err: ttyErr });
      log.info('fn line', { level: 'ERROR' });
      log.warn('careful');
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
    expect(tty.text).toBe('\x1b[31mfn line\x1b[0m\n');
    expect(ttyErr.text).toBe('\x1b[33mcareful\x1b[0m\n');
    const json = sink(true);
    createLogger({ format: 'json', out: json, color: true }).info('x');
    expect(json.text).not.toContain('\x1b');
  });

  it('drops lines below the minimum level', () => {
    const out = sink();
    const err = sink();
    const log = createLogger({ level: 'warn', out, err });
    log.info('quiet');
    log.warn('loud');
    expect(out.text).toBe('');
    expect(err.text).toBe('loud\n');
    // Callers may skip building info lines nobody prints (the runtime's START/END/REPORT).
    expect(log.quietInfo).toBe(true);
    expect(createLogger({ out, err }).quietInfo).toBe(false);
  });
});

describe('worker → host channel under a flood (ring.ts)', () => {
  it('more console output than the ring holds, one line over its record limit: every line arrives whole, in order, before END', async () => {
    const log = memoryLogger();
    const rt = runtime({ log, max: 1 });
    const fn = fnDef('console-flood.js');
    for (const round of [1, 2]) {
      const o = await within(rt.invoke(req(fn, { headers: { 'x-lines': '6000', 'x-big': '100000', 'x-pad': '200' }, timeoutMs: 20_000 })), 20_000, `flood ${round}`);
      expect(o.ok, `round ${round}`).toBe(true);
      const id = String(o.awsRequestId);
      await until(() => log.lines.some((l) => l.startsWith(`REPORT RequestId: ${id}`)), 5_000, 'REPORT');
      const mine = linesOf(log.lines, id);
      expect(mine[0]).toBe(`START RequestId: ${id} Version: 1`);
      const texts = mine.slice(1, 6001).map((l) => l.split('\t').slice(3).join('\t'));
      expect(texts.length).toBe(6000);
      texts.forEach((t, i) => {
        if (i === 3000) expect(t).toBe(`line 3000 ${'x'.repeat(100_000)}`);
        else expect(t).toBe(`line ${i}${'.'.repeat(200)}`);
      });
      expect(mine[6001]).toBe(`END RequestId: ${id}`);
      expect(mine[6002]).toMatch(REPORT);
    }
  }, 40_000);
});

