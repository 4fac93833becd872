import { describe, expect, it } from 'vitest';
import { ComputeMeter, DEFAULT_COMPUTE } from '../../src/cff/compute.js';
import { computeUtilization } from '../../src/cff/limits.js';

describe('compute utilization', () => {
  it('is an integer 0–100 of the budget', () => {
    expect(computeUtilization(0, 1)).toBe(0);
    expect(computeUtilization(0.123, 1)).toBe(12);
    expect(computeUtilization(0.5, 2)).toBe(25);
    expect(computeUtilization(7, 1)).toBe(100);
  });

  it('warns by default; strict fails a run over the hard cap only', () => {
    const warn = new ComputeMeter();
    expect(warn.record(0.2, 0)).toEqual({ kind: 'ok', utilization: 20 });
    expect(warn.record(50, 0)).toEqual({ kind: 'over-budget', utilization: 100 });
    const strict = new ComputeMeter({ ...DEFAULT_COMPUTE, mode: 'strict' });
    expect(strict.record(5, 0)).toEqual({ kind: 'over-budget', utilization: 100 });
    expect(strict.record(10.5, 0)).toEqual({ kind: 'over-cap', utilization: 100 });
  });

  it('throttles after a full window averaging the whole budget, for the cool-down (injected clock)', () => {
    const m = new ComputeMeter({ ...DEFAULT_COMPUTE, throttle: { enabled: true, window: 3, coolDownMs: 1000 } });
    m.record(2, 0);
    m.record(0.1, 0);
    m.record(2, 0);
    expect(m.throttled(0)).toBe(false);
    m.record(2, 10);
    m.record(2, 20);
    expect(m.throttled(20)).toBe(true);
    expect(m.throttled(1019)).toBe(true);
    expect(m.throttled(1020)).toBe(false);
    expect(new ComputeMeter().throttled(0)).toBe(false);
  });
});
