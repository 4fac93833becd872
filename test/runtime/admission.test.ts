// Lambda's concurrency limits (docs/cloudfront-reference.md §9.2) as the runtime decides them
// (src/runtime/admission.ts), without threads: what is admitted, what is throttled and why, and that
// invocations waiting for a worker count as long as they are not settled.

import { describe, expect, it } from 'vitest';
import { Admission, type FunctionConcurrency } from '../../src/runtime/admission.js';

const fn = (reservedConcurrency?: number) => ({ reservedConcurrency });
const counter = (): FunctionConcurrency => ({ inFlight: 0 });

describe('Admission', () => {
  it('carves every reservation out of the account limit up front', () => {
    expect(new Admission(10, [fn(3), fn(), fn(2), fn(0)]).unreservedLimit).toBe(5);
    expect(new Admission(1000, []).unreservedLimit).toBe(1000);
    expect(new Admission(4, [fn(4)]).unreservedLimit).toBe(0);
  });

  it('reserved concurrency N admits N in flight, throttles the next with the reserved reason, and admits again once one has left', () => {
    const a = new Admission(10, [fn(2)]);
    const f = counter();
    expect(a.admit(f, 2)).toBeUndefined();
    expect(a.admit(f, 2)).toBeUndefined();
    expect(f.inFlight).toBe(2);
    expect(a.admit(f, 2)).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(f.inFlight).toBe(2);
    a.leave(f, 2);
    expect(f.inFlight).toBe(1);
    expect(a.admit(f, 2)).toBeUndefined();
  });

  it('reserved concurrency 0 throttles every invocation', () => {
    const a = new Admission(10, [fn(0)]);
    const f = counter();
    for (let i = 0; i < 3; i++) expect(a.admit(f, 0)).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(f.inFlight).toBe(0);
  });

  it('functions without a reservation share what is left, across functions, and get the account reason beyond it', () => {
    const a = new Admission(5, [fn(3), fn(), fn()]);
    const x = counter();
    const y = counter();
    expect(a.admit(x, undefined)).toBeUndefined();
    expect(a.admit(y, undefined)).toBeUndefined();
    expect(a.unreservedInFlight).toBe(2);
    expect(a.admit(x, undefined)).toBe('ConcurrentInvocationLimitExceeded');
    expect(a.admit(y, undefined)).toBe('ConcurrentInvocationLimitExceeded');
    expect([x.inFlight, y.inFlight, a.unreservedInFlight]).toEqual([1, 1, 2]);
    a.leave(x, undefined);
    expect(a.unreservedInFlight).toBe(1);
    expect(a.admit(y, undefined)).toBeUndefined();
    expect([x.inFlight, y.inFlight]).toEqual([0, 2]);
  });

  it('a reserved function keeps its reservation when the shared part is exhausted, and does not use the shared part', () => {
    const a = new Admission(3, [fn(2), fn()]);
    const reserved = counter();
    const shared = counter();
    expect(a.admit(shared, undefined)).toBeUndefined();
    expect(a.admit(shared, undefined)).toBe('ConcurrentInvocationLimitExceeded');
    expect(a.admit(reserved, 2)).toBeUndefined();
    expect(a.admit(reserved, 2)).toBeUndefined();
    expect(a.unreservedInFlight).toBe(1);
    expect(a.admit(reserved, 2)).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
  });

  it('counts admitted invocations until they leave, however many are still waiting for a worker (queueing does not free a place)', () => {
    // Ten requests for a function whose pool has one worker: all are in flight for Lambda, running or queued.
    const a = new Admission(10, []);
    const f = counter();
    for (let i = 0; i < 10; i++) expect(a.admit(f, undefined)).toBeUndefined();
    expect(a.admit(f, undefined)).toBe('ConcurrentInvocationLimitExceeded');
    for (let i = 0; i < 10; i++) a.leave(f, undefined);
    expect([f.inFlight, a.unreservedInFlight]).toEqual([0, 0]);
    expect(a.admit(f, undefined)).toBeUndefined();
  });

  it('a throttled invocation counts nothing, so it needs no leave()', () => {
    const a = new Admission(1, []);
    const f = counter();
    expect(a.admit(f, undefined)).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(a.admit(f, undefined)).toBe('ConcurrentInvocationLimitExceeded');
    a.leave(f, undefined);
    expect([f.inFlight, a.unreservedInFlight]).toEqual([0, 0]);
    expect(a.admit(f, undefined)).toBeUndefined();
  });
});
