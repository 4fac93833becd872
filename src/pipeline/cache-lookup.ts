// [C]–[D] of docs/cloudfront-reference.md §0: the cache key from the request as viewer-request left
// it, then the lookup. A fresh hit skips origin-request and origin-response (docs/cloudfront-reference.md
// §5.1); a stale entry is revalidated or, inside stale-while-revalidate, served while one background
// fetch refreshes it (docs/cloudfront-reference.md §6.7, §6.8); concurrent misses for one key wait for a
// single origin fetch (docs/cloudfront-reference.md §6.9).

import { serveEntry } from '../cache/edge-cache.js';
import { usableWithAuthorization, type CacheEntry } from '../cache/entry.js';
import { freshness } from '../cache/freshness.js';
import { createInflight } from '../cache/inflight.js';
import { cacheKeyFor } from '../cache/key.js';
import { variantMatches } from '../cache/vary.js';
import type { CfHeaders } from '../event/types.js';
import { cloudFrontViewerHeaders } from '../event/viewer-headers.js';
import type { Env } from './env.js';
import { createCacheContext, viewerInfoOf, type CacheContext, type Exchange } from './exchange.js';
import type { Next, StepResult } from './steps.js';

function keyHeaders(env: Env, ex: Exchange, names: readonly string[]): CfHeaders {
  if (names.length === 0) return ex.viewerRequest.headers;
  // CloudFront-* headers a cache policy names are keyed on the values CloudFront computes (docs/cloudfront-reference.md §7).
  const cf = cloudFrontViewerHeaders(
    viewerInfoOf(ex),
    names,
    env.config.viewerHeaders,
    ex.viewerOverrides,
  );
  return { ...ex.viewerRequest.headers, ...cf };
}

export function cacheLookup(env: Env, ex: Exchange): StepResult<'cache-lookup'> {
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
  const ctx = createCacheContext(key, variantHeaders, headers.authorization !== undefined);
  ex.cache = ctx;
  const { store, inflight } = env.cache;

  const entry = store.get(key.key, variantHeaders, { authorization: ctx.hasAuthorization });
  if (entry === undefined && facts.collapses) {
    const running = inflight.get(key.key);
    // docs/cloudfront-reference.md §6.9: wait for the first request's origin fetch; these waiters run no origin hooks.
    if (running) return afterCollapse(env, ex, ctx, running.promise);
  }
  return decide(env, ex, ctx, entry);
}

async function afterCollapse(env: Env, ex: Exchange, ctx: CacheContext, leader: Promise<CacheEntry | undefined>): Promise<Next<'cache-lookup'>> {
  const got = await leader;
  const { key, variantHeaders, hasAuthorization } = ctx;
  if (
    got !== undefined &&
    variantMatches(got, variantHeaders) &&
    usableWithAuthorization(got, hasAuthorization) &&
    freshness(got, env.cache.clock.now()) === 'fresh'
  ) {
    ctx.collapsed = true;
    ex.response = serveEntry(env.cache, got, 'Hit');
    return 'viewer-response';
  }
  // Nothing storable came of it: go to the origin ourselves (never wait twice).
  return decide(env, ex, ctx, env.cache.store.get(key.key, variantHeaders, { authorization: hasAuthorization }));
}

/** What the entry found (or its absence) means: a hit, a stale answer, or a trip to the origin. */
function decide(env: Env, ex: Exchange, ctx: CacheContext, entry: CacheEntry | undefined): Next<'cache-lookup'> {
  const { clock, inflight } = env.cache;
  const key = ctx.key;
  if (entry !== undefined) {
    const f = freshness(entry, clock.now());
    if (f === 'fresh') {
      ex.response = serveEntry(env.cache, entry, 'Hit');
      return 'viewer-response';
    }
    if (f === 'stale-while-revalidate') {
      ex.response = serveEntry(env.cache, entry, 'Hit');
      ctx.fwd = 'stale';
      ctx.detail = 'stale-while-revalidate';
      // One background refresh per key at a time (docs/cloudfront-reference.md §6.7).
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
