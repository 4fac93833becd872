// Request collapsing (docs/cloudfront-reference.md §6.9): concurrent misses for one key wait on the
// first request's origin fetch instead of each going to the origin.

import type { CacheEntry } from './entry.js';

/** One origin fetch that other requests for the same key wait on. */
export interface Inflight {
  readonly promise: Promise<CacheEntry | undefined>;
  /** Settles the fetch: the stored entry, or undefined when nothing was stored (waiters go to the origin). */
  settle(entry: CacheEntry | undefined): void;
}

export function createInflight(): Inflight {
  let done = false;
  let resolve: (e: CacheEntry | undefined) => void = () => {};
  const promise = new Promise<CacheEntry | undefined>((r) => {
    resolve = r;
  });
  return {
    promise,
    settle(entry) {
      if (done) return;
      done = true;
      resolve(entry);
    },
  };
}
