// Lambda's concurrency limits as counters (docs/cloudfront-reference.md §9.2): reserved concurrency both
// guarantees and caps a function; the functions without one share what the reservations leave of the
// account limit. The limits count invocations in flight — running, or admitted and waiting for a worker
// — because in Lambda each of them would be running in its own execution environment. How many worker
// threads serve them is the pool's business (docs/runtime.md explains how the two relate).
//
// Pure: no threads, no timers, no clock. The runtime asks admit() before an invocation is queued and
// calls leave() once when it has settled; the config layer has already checked that the reservations
// fit in the account limit.

import type { ThrottleReason } from './types.js';

/** One function's invocations in flight: what its reserved concurrency counts. Owned by its pool. */
export interface FunctionConcurrency {
  inFlight: number;
}

export class Admission {
  #unreservedLimit: number;
  #unreservedInFlight = 0;

  constructor(accountConcurrency: number, functions: Iterable<{ readonly reservedConcurrency: number | undefined }>) {
    let reserved = 0;
    for (const fn of functions) reserved += fn.reservedConcurrency ?? 0;
    this.#unreservedLimit = accountConcurrency - reserved;
  }

  /** accountConcurrency − the sum of every reservedConcurrency: what the unreserved functions share. */
  get unreservedLimit(): number {
    return this.#unreservedLimit;
  }

  /**
   * A function's reservation changed while running (the Lambda API's PutFunctionConcurrency): the
   * unreserved share grows or shrinks by the difference. Invocations in flight leave as they came in.
   */
  reserve(before: number | undefined, after: number | undefined): void {
    this.#unreservedLimit += (before ?? 0) - (after ?? 0);
  }

  /** In flight across the functions without a reservation. */
  get unreservedInFlight(): number {
    return this.#unreservedInFlight;
  }

  /**
   * Counts the invocation in and returns undefined, or returns why Lambda throttles it (counting
   * nothing). `reserved` is the function's reservedConcurrency; 0 disables the function.
   */
  admit(fn: FunctionConcurrency, reserved: number | undefined): ThrottleReason | undefined {
    if (reserved !== undefined) {
      if (fn.inFlight >= reserved) return 'ReservedFunctionConcurrentInvocationLimitExceeded';
    } else {
      if (this.#unreservedInFlight >= this.#unreservedLimit) return 'ConcurrentInvocationLimitExceeded';
      this.#unreservedInFlight++;
    }
    fn.inFlight++;
    return undefined;
  }

  /** An admitted invocation has settled; `reserved` as given to admit(). */
  leave(fn: FunctionConcurrency, reserved: number | undefined): void {
    fn.inFlight--;
    if (reserved === undefined) this.#unreservedInFlight--;
  }
}
