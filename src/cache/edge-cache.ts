// The distribution's cache as the pipeline sees it: the byte-bounded store, the clock, the in-flight
// origin fetches that concurrent misses collapse onto (docs/cloudfront-reference.md §6.9), and the
// helpers the cache steps share — answering from a stored entry, letting go of a collapsed fetch,
// reading a body whole for the store.

import type { CacheContext, ExchangeResponse } from '../pipeline/exchange.js';
import type { Clock } from './clock.js';
import type { CacheEntry } from './entry.js';
import { currentAge } from './freshness.js';
import type { Inflight } from './inflight.js';
import type { CacheStore } from './store.js';
import { firstHeader } from './ttl.js';

export interface EdgeCache {
  readonly store: CacheStore;
  readonly clock: Clock;
  readonly inflight: Map<string, Inflight>;
}

/**
 * The response that answers from a stored entry. The entry is never mutated: the response shares its
 * headers until a step changes them (viewer-response, a range or conditional answer), which then works
 * on a copy.
 */
export function serveEntry(cache: EdgeCache, entry: CacheEntry, xCache: 'Hit' | 'RefreshHit'): ExchangeResponse {
  cache.store.markHit(entry);
  return {
    status: entry.status,
    statusDescription: entry.statusDescription,
    headers: entry.headers,
    body: { kind: 'buffer', buf: entry.body },
    source: 'cache',
    // docs/cloudfront-reference.md §5.4: cached errors say Error from cloudfront.
    xCache: entry.status >= 400 ? 'Error' : xCache,
    age: currentAge(entry, cache.clock.now()),
    entry,
  };
}

/** Lets go of a request's collapsed fetch: waiters get `entry`, or go to the origin themselves. */
export function release(cache: EdgeCache, ctx: CacheContext | undefined, entry: CacheEntry | undefined): void {
  const leader = ctx?.leader;
  if (!ctx || !leader) return;
  ctx.leader = undefined;
  if (cache.inflight.get(ctx.key.key) === leader) cache.inflight.delete(ctx.key.key);
  leader.settle(entry);
}

/** Reads a whole body, up to `limit` bytes; undefined when it is longer or ends short of Content-Length. */
export async function collectBody(r: ExchangeResponse, limit: number): Promise<Buffer | undefined> {
  if (r.body.kind === 'buffer') return r.body.buf;
  if (r.body.kind === 'none') return Buffer.alloc(0);
  const buf = await r.body.stream.collect(limit);
  return buf !== undefined && completeLength(r, buf.length) ? buf : undefined;
}

/** docs/cloudfront-reference.md §5.2: a body whose length differs from Content-Length is not stored. */
export function completeLength(r: Pick<ExchangeResponse, 'headers'>, got: number): boolean {
  const cl = firstHeader(r.headers, 'content-length');
  return cl === undefined || Number(cl) === got;
}
