// After [G], or after a response generated at origin-request: what the cache stores is the response
// after origin-response (docs/cloudfront-reference.md §5.2), for as long as CloudFront's TTL rules say
// (docs/cloudfront-reference.md §6.5, §6.6). A 304 to a revalidation refreshes the stored copy
// (RefreshHit, docs/cloudfront-reference.md §6.8); a 5xx with a usable stale copy serves that copy
// (docs/cloudfront-reference.md §6.6, §6.7). Streamed bodies are stored as they reach the viewer.

import { compressResponse, shouldCompress } from '../cache/compress.js';
import { collectBody, release, serveEntry } from '../cache/edge-cache.js';
import { buildEntry, mergeNotModifiedHeaders, notModifiedMatches, refreshEntry, type CacheEntry } from '../cache/entry.js';
import { canServeStaleOnError } from '../cache/freshness.js';
import { unsafeMethodInvalidation } from '../cache/invalidation.js';
import { decideTtl, firstHeader, type TtlDecision } from '../cache/ttl.js';
import { getHeader } from '../event/headers.js';
import { EdgeError } from '../errors.js';
import { discardBody } from './discard.js';
import type { Env } from './env.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import { noteStoredEntry, noteTtl } from './inspect.js';
import type { Next } from './steps.js';

const SAFE: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

function invalidateForUnsafe(env: Env, ex: Exchange): void {
  const r = ex.response;
  if (!r || SAFE.has(ex.viewerRequest.method)) return;
  // RFC 9111 §4.4: a non-error answer to an unsafe method invalidates the stored target URI.
  const targets = unsafeMethodInvalidation({
    method: ex.viewerRequest.method,
    status: r.status,
    uri: ex.viewerRequest.uri,
    querystring: ex.viewerRequest.querystring,
    host: getHeader(ex.viewerRequest.headers, 'host') ?? '',
    responseHeaders: r.headers,
    policy: ex.behavior.cachePolicy,
  });
  if (targets.length > 0) env.cache.store.invalidateTargets(targets);
}

export async function cacheStore(env: Env, ex: Exchange): Promise<Next<'cache-store'>> {
  const ctx = ex.cache;
  const r = ex.response;
  if (!r) throw new Error('cache-store without a response');
  if (!ctx) {
    invalidateForUnsafe(env, ex);
    return 'viewer-response';
  }
  const { store, clock } = env.cache;
  const policy = ex.behavior.cachePolicy;
  const keepSetCookie = policy.cookies.behavior !== 'none';
  const now = clock.now();
  const stale = ctx.stale;

  if (stale && r.source === 'origin' && r.status === 304) {
    ctx.fwdStatus = 304;
    discardBody(r);
    if (notModifiedMatches(stale, r.headers)) {
      const merged = mergeNotModifiedHeaders(stale, r.headers, keepSetCookie);
      const decision = decide(env, ex, stale.status, merged, now);
      const refreshed = refreshEntry(stale, r.headers, decision, {
        requestTime: ctx.requestTime,
        responseTime: now,
        maxTtl: policy.maxTTL,
        keepSetCookie,
      });
      if (ex.capture !== undefined) noteStoredEntry(env, refreshed, noteTtl(env, ex, decision, stale.status, merged));
      if (decision.store) ctx.stored = store.set(refreshed);
      else store.deleteEntry(stale);
      ex.response = serveEntry(env.cache, refreshed, 'RefreshHit');
      release(env.cache, ctx, ctx.stored ? refreshed : undefined);
      return 'viewer-response';
    }
    // A 304 for a representation we do not hold cannot be used (RFC 9111 §4.3.4).
    store.deleteEntry(stale);
    release(env.cache, ctx, undefined);
    throw new EdgeError('OriginResponseError', 'origin answered 304 with validators that match no stored response', { stage: 'cache' });
  }

  if (stale && r.source === 'origin' && r.status >= 500 && canServeStaleOnError(stale, now)) {
    ctx.fwdStatus = r.status;
    ctx.detail = 'stale-if-error';
    discardBody(r);
    ex.response = serveEntry(env.cache, stale, 'Hit');
    release(env.cache, ctx, undefined);
    return 'viewer-response';
  }
  ctx.fwdStatus = r.source === 'origin' ? r.status : undefined;

  const decision = decide(env, ex, r.status, r.headers, now);
  ctx.detail = decision.reason;
  const rule = ex.capture === undefined ? undefined : noteTtl(env, ex, decision, r.status, r.headers);
  if (!decision.store) {
    // A fresh answer that may not be stored also ends the stale copy's use for revalidation.
    if (stale && r.status < 500) store.deleteEntry(stale);
    release(env.cache, ctx, undefined);
    return 'viewer-response';
  }
  const cl = firstHeader(r.headers, 'content-length');
  const maxObject = env.config.cache.maxObjectBytes;
  if (cl !== undefined && Number(cl) > maxObject) {
    // Streams through unstored: over the largest object the cache keeps (`cache.maxObjectSize`, docs/config.md).
    release(env.cache, ctx, undefined);
    return 'viewer-response';
  }

  const encoding = shouldCompress({
    behaviorCompresses: env.facts(ex.behavior).compresses,
    policy,
    acceptEncoding: ctx.key.acceptEncoding,
    viewerHttpVersion: ex.viewerHttpVersion,
    status: r.status,
    headers: r.headers,
  });
  // The response as the origin (and origin-response) left it. A streamed body is stored after delivery,
  // by which time viewer-response may have replaced the headers and reason phrase: those changes are for
  // this viewer only and are never stored (docs/cloudfront-reference.md §5.1).
  const { status, statusDescription, headers: originHeaders } = r;
  const storeBody = (body: Buffer, headers = originHeaders, enc: CacheEntry['encoding'] = 'identity'): CacheEntry | undefined => {
    const entry = buildEntry({
      key: ctx.key.key,
      uri: ctx.key.uri,
      querystring: ctx.key.querystring,
      status,
      statusDescription,
      headers,
      body,
      requestTime: ctx.requestTime || now,
      responseTime: now,
      decision,
      maxTtl: policy.maxTTL,
      requestHeaders: ctx.variantHeaders,
      keepSetCookie,
      encoding: enc,
    });
    ctx.stored = store.set(entry);
    if (rule !== undefined && ctx.stored) noteStoredEntry(env, entry, rule);
    return ctx.stored ? entry : undefined;
  };

  if (r.body.kind !== 'stream' || encoding !== undefined || ex.background) {
    // Buffered bodies, bodies to compress (≤ 10 MB by docs/cloudfront-reference.md §6.10) and background refreshes are read whole.
    const body = await collectBody(r, maxObject);
    if (body === undefined) {
      release(env.cache, ctx, undefined);
      if (r.body.kind === 'stream') throw new EdgeError('OriginResponseError', 'origin body ended early or exceeded the object size limit', { stage: 'origin-fetch' });
      return 'viewer-response';
    }
    if (encoding !== undefined) {
      const c = compressResponse(body, r.headers, encoding);
      r.headers = c.headers;
      r.body = { kind: 'buffer', buf: c.body };
      release(env.cache, ctx, storeBody(c.body, c.headers, c.encoding));
    } else {
      r.body = { kind: 'buffer', buf: body };
      release(env.cache, ctx, storeBody(body));
    }
    return 'viewer-response';
  }

  // Streamed: delivery copies the chunks as they go to the viewer and stores them at the end;
  // a viewer that goes away before the end leaves nothing stored (docs/cloudfront-reference.md §5.2, §6.13).
  ex.storeOnEnd = (body) => release(env.cache, ctx, body === undefined ? undefined : storeBody(body));
  return 'viewer-response';
}

function decide(env: Env, ex: Exchange, status: number, headers: ExchangeResponse['headers'], now: number): TtlDecision {
  return decideTtl({
    status,
    headers,
    method: ex.viewerRequest.method,
    policy: ex.behavior.cachePolicy,
    now,
    errorCachingMinTtl: env.config.cache.errorCachingMinTtl,
    customErrorTtls: env.config.cache.customErrorTtls,
    cachedMethods: ex.behavior.cachedMethods,
    requestHasAuthorization: ex.cache?.hasAuthorization ?? false,
  });
}
