// The distribution's cache as the pipeline sees it: the byte-bounded store, the clock, the
// in-flight origin fetches that concurrent misses collapse onto (spec §6.9), and what one request
// learned at lookup that later stages need.

import type { Clock } from '../cache/clock.js';
import type { CacheEntry } from '../cache/entry.js';
import type { CacheKey } from '../cache/key.js';
import type { CacheStore } from '../cache/store.js';
import type { ForwardReason } from '../cache/cache-status.js';
import type { CfHeaders } from '../event/types.js';

/** One origin fetch that other requests for the same key wait on. */
export interface Inflight {
  readonly promise: Promise<CacheEntry | undefined>;
  /** Settles the fetch: the stored entry, or undefined when nothing was stored (waiters go to the origin). */
  settle(entry: CacheEntry | undefined): void;
}

export interface EdgeCache {
  readonly store: CacheStore;
  readonly clock: Clock;
  readonly inflight: Map<string, Inflight>;
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

/** What the cache lookup decided for one request. */
export interface CacheContext {
  readonly key: CacheKey;
  /** Viewer headers after viewer-request with Accept-Encoding normalized: what Vary variants compare. */
  readonly variantHeaders: CfHeaders;
  readonly hasAuthorization: boolean;
  /** ms, our clock, when the origin request went out (RFC 9111 §4.2.3 request_time). */
  requestTime: number;
  /** A stored entry past its freshness: revalidated, or served when the origin fails (spec §6.6–§6.8). */
  stale: CacheEntry | undefined;
  /** Set when this request leads a collapsed fetch; settled exactly once. */
  leader: Inflight | undefined;
  /** For Cache-Status (RFC 9211). */
  fwd: ForwardReason | undefined;
  fwdStatus: number | undefined;
  stored: boolean;
  collapsed: boolean;
  detail: string | undefined;
}
