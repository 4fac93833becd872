// [C]–[D] of spec §0: the cache key from the request as viewer-request left it, then the lookup.
// A fresh hit skips origin-request and origin-response (spec §5.1); a stale entry is revalidated
// or, inside stale-while-revalidate, served while one background fetch refreshes it (spec §6.7,
// §6.8); concurrent misses for one key wait for a single origin fetch (spec §6.9).

import { usableWithAuthorization, type CacheEntry } from '../cache/entry.js';
import { currentAge, freshness } from '../cache/freshness.js';
import { cacheKeyFor } from '../cache/key.js';
import { variantMatches } from '../cache/vary.js';
import type { CfHeaders } from '../event/types.js';
import { cloudFrontViewerHeaders } from '../event/viewer-headers.js';
import { createInflight, type CacheContext } from './edge-cache.js';
import type { Env } from './env.js';
import type { Exchange } from './exchange.js';
import { viewerHttpVersion } from './origin-request.js';
import type { Step } from './steps.js';

/**
 * Answers from a stored entry. The entry is never mutated: the response shares its headers until a
 * stage changes them (viewer-response, a range or conditional answer), which then works on a copy.
 */
export function serveEntry(env: Env, ex: Exchange, entry: CacheEntry, xCache: 'Hit' | 'RefreshHit'): void {
  env.cache.store.markHit(entry);
  ex.response = {
    status: entry.status,
    statusDescription: entry.statusDescription,
    headers: entry.headers,
    body: { kind: 'buffer', buf: entry.body },
    source: 'cache',
    // spec §5.4: cached errors say Error from cloudfront.
    xCache: entry.status >= 400 ? 'Error' : xCache,
    age: currentAge(entry, env.cache.clock.now()),
    entry,
  };
}

/** Lets go of this request's collapsed fetch: waiters get `entry`, or go to the origin themselves. */
export function release(env: Env, ctx: CacheContext | undefined, entry: CacheEntry | undefined): void {
  const leader = ctx?.leader;
  if (!ctx || !leader) return;
  ctx.leader = undefined;
  if (env.cache.inflight.get(ctx.key.key) === leader) env.cache.inflight.delete(ctx.key.key);
  leader.settle(entry);
}

function keyHeaders(env: Env, ex: Exchange, names: readonly string[]): CfHeaders {
  if (names.length === 0) return ex.viewerRequest.headers;
  // CloudFront-* headers a cache policy names are keyed on the values CloudFront computes (spec §7).
  const cf = cloudFrontViewerHeaders(
    { headers: ex.receivedHeaders, clientIp: ex.clientIp, clientPort: ex.req.socket.remotePort ?? 0, httpVersion: viewerHttpVersion(ex), protocol: 'http' },
    names,
    env.config.viewerHeaders,
    ex.viewerOverrides,
  );
  return { ...ex.viewerRequest.headers, ...cf };
}

export function cacheLookup(env: Env, ex: Exchange): Step | Promise<Step> {
  const facts = env.facts(ex.behavior);
  const req = ex.viewerRequest;
  if (!facts.caches || !facts.cachedMethods.has(req.method)) return 'origin-request';

  const headers = keyHeaders(env, ex, facts.keyCloudFrontHeaders);
  const key = cacheKeyFor({ method: req.method, uri: req.uri, querystring: req.querystring, headers, policy: ex.behavior.cachePolicy });
  let variantHeaders = headers;
  const sentEncoding = headers['accept-encoding'];
  // Vary compares the normalized Accept-Encoding; copy the headers only when the viewer's differs.
  if (facts.normalizesAcceptEncoding && !(sentEncoding === undefined ? key.acceptEncoding === undefined : sentEncoding.length === 1 && sentEncoding[0]?.value === key.acceptEncoding)) {
    variantHeaders = { ...headers };
    if (key.acceptEncoding === undefined) delete variantHeaders['accept-encoding'];
    else variantHeaders['accept-encoding'] = [{ key: 'Accept-Encoding', value: key.acceptEncoding }];
  }
  const hasAuthorization = headers.authorization !== undefined;
  const ctx: CacheContext = {
    key,
    variantHeaders,
    hasAuthorization,
    requestTime: 0,
    stale: undefined,
    leader: undefined,
    fwd: undefined,
    fwdStatus: undefined,
    stored: false,
    collapsed: false,
    detail: undefined,
  };
  ex.cache = ctx;
  const { store, inflight } = env.cache;

  const entry = store.get(key.key, variantHeaders, { authorization: hasAuthorization });
  if (entry === undefined && facts.collapses) {
    const running = inflight.get(key.key);
    // spec §6.9: wait for the first request's origin fetch; these waiters run no origin hooks.
    if (running) return afterCollapse(env, ex, ctx, running.promise);
  }
  return decide(env, ex, ctx, entry);
}

async function afterCollapse(env: Env, ex: Exchange, ctx: CacheContext, leader: Promise<CacheEntry | undefined>): Promise<Step> {
  const got = await leader;
  const { key, variantHeaders, hasAuthorization } = ctx;
  if (
    got !== undefined &&
    variantMatches(got, variantHeaders) &&
    usableWithAuthorization(got, hasAuthorization) &&
    freshness(got, env.cache.clock.now()) === 'fresh'
  ) {
    ctx.collapsed = true;
    serveEntry(env, ex, got, 'Hit');
    return 'viewer-response';
  }
  // Nothing storable came of it: go to the origin ourselves (never wait twice).
  return decide(env, ex, ctx, env.cache.store.get(key.key, variantHeaders, { authorization: hasAuthorization }));
}

/** What the entry found (or its absence) means: a hit, a stale answer, or a trip to the origin. */
function decide(env: Env, ex: Exchange, ctx: CacheContext, entry: CacheEntry | undefined): Step {
  const { clock, inflight } = env.cache;
  const key = ctx.key;
  if (entry !== undefined) {
    const f = freshness(entry, clock.now());
    if (f === 'fresh') {
      serveEntry(env, ex, entry, 'Hit');
      return 'viewer-response';
    }
    if (f === 'stale-while-revalidate') {
      serveEntry(env, ex, entry, 'Hit');
      ctx.fwd = 'stale';
      ctx.detail = 'stale-while-revalidate';
      // One background refresh per key at a time (spec §6.7).
      if (!inflight.has(key.key)) ex.refresh = entry;
      return 'viewer-response';
    }
    ctx.stale = entry;
    ctx.fwd = 'stale';
  } else {
    ctx.fwd = 'miss';
  }
  if (env.facts(ex.behavior).collapses && !inflight.has(key.key)) {
    ctx.leader = createInflight();
    inflight.set(key.key, ctx.leader);
  }
  return 'origin-request';
}
