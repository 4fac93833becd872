// The last step: CloudFront's response headers (docs/cloudfront-reference.md §5.4: X-Cache, Via,
// X-Amz-Cf-Pop, X-Amz-Cf-Id, Age), Vary as CloudFront filters it (docs/cloudfront-reference.md §6.13),
// ranges and conditional requests answered from the cache (docs/cloudfront-reference.md §6.11, RFC 9110
// §13), and the body: written once for buffers, piped for streams.

import type { ServerResponse } from 'node:http';
import { cacheStatus } from '../cache/cache-status.js';
import { completeLength } from '../cache/edge-cache.js';
import type { CacheEntry } from '../cache/entry.js';
import { describeCacheKey } from '../cache/key.js';
import { ttlLeft } from '../cache/freshness.js';
import { answerRange, ifRangeAllows } from '../cache/range.js';
import { firstHeader, headerValues, httpDateNow, parseHttpDate } from '../cache/ttl.js';
import { filterVaryForViewer } from '../cache/vary.js';
import { defaultHeaderKey, headerSafe } from '../event/headers.js';
import type { ResolvedBehavior } from '../config/types.js';
import type { CfHeaders } from '../event/types.js';
import type { OriginBody } from '../origin/client.js';
import type { Env } from './env.js';
import { BodySink } from '../inspector/capture.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import { applyResponseHeadersPolicy } from './response-headers.js';
import type { StepResult } from './steps.js';

/** Headers we set ourselves at delivery; whatever the origin or a function left under these names goes. */
const OURS: ReadonlySet<string> = new Set(['via', 'x-cache', 'x-amz-cf-pop', 'x-amz-cf-id', 'age', 'cache-status']);

function noBody(status: number, method: string): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

function opaque(tag: string): string {
  const t = tag.trim();
  return t.startsWith('W/') ? t.slice(2) : t;
}

/** RFC 9110 §13.1.2/§13.1.3: would the viewer's conditional GET get a 304 from this stored response? */
function notModifiedForViewer(req: CfHeaders, res: CfHeaders): boolean {
  const inm = headerValues(req, 'if-none-match');
  if (inm.length > 0) {
    const etag = firstHeader(res, 'etag');
    if (etag === undefined) return false;
    const want = opaque(etag);
    return inm.some((line) => line.split(',').some((t) => t.trim() === '*' || opaque(t) === want));
  }
  const ims = firstHeader(req, 'if-modified-since');
  const lm = firstHeader(res, 'last-modified');
  if (ims === undefined || lm === undefined) return false;
  const since = parseHttpDate(ims);
  const modified = parseHttpDate(lm);
  return since !== undefined && modified !== undefined && modified <= since;
}

/** Conditional and Range requests answered from a stored 200 (docs/cloudfront-reference.md §6.11). */
function shapeCacheAnswer(ex: Exchange, r: ExchangeResponse): void {
  if (r.status !== 200 || r.body.kind !== 'buffer') return;
  const req = ex.viewerRequest.headers;
  const conditional = req['if-none-match'] !== undefined || req['if-modified-since'] !== undefined;
  if (!conditional && req.range === undefined) return;
  // Changes below apply to this viewer's copy, never to the stored entry's headers.
  if (r.headers === r.entry?.headers) r.headers = { ...r.headers };
  if (notModifiedForViewer(req, r.headers)) {
    r.status = 304;
    r.statusDescription = 'Not Modified';
    r.body = { kind: 'none' };
    delete r.headers['content-length'];
    return;
  }
  const range = firstHeader(req, 'range');
  if (range === undefined || ex.viewerRequest.method !== 'GET') return;
  const ifRange = firstHeader(req, 'if-range');
  if (ifRange !== undefined && !ifRangeAllows(ifRange, { etag: firstHeader(r.headers, 'etag'), lastModified: firstHeader(r.headers, 'last-modified'), date: firstHeader(r.headers, 'date') })) {
    return;
  }
  const a = answerRange(r.body.buf, range, firstHeader(r.headers, 'content-type'));
  if (a.status === 200) return;
  r.status = a.status;
  r.statusDescription = a.status === 206 ? 'Partial Content' : 'Range Not Satisfiable';
  r.body = { kind: 'buffer', buf: a.body };
  if (a.contentRange !== undefined) r.headers['content-range'] = [{ key: 'Content-Range', value: a.contentRange }];
  if (a.contentType !== undefined) r.headers['content-type'] = [{ key: 'Content-Type', value: a.contentType }];
}

function cacheStatusValue(env: Env, ex: Exchange, r: ExchangeResponse): string | undefined {
  const ctx = ex.cache;
  // The key answers "why was ?v=2 a hit": the query strings, headers and cookies it holds.
  const key = ctx === undefined ? undefined : describeCacheKey(ctx.key.key);
  if (r.source === 'cache' && r.entry) {
    const stale = ctx?.fwd === 'stale' && ctx.fwdStatus === undefined;
    return cacheStatus({
      hit: true,
      ttl: ttlLeft(r.entry, env.cache.clock.now()),
      collapsed: ctx?.collapsed === true,
      fwd: r.xCache === 'RefreshHit' || stale ? 'stale' : undefined,
      fwdStatus: ctx?.fwdStatus,
      key,
      detail: ctx?.detail,
    });
  }
  if (!ctx) return cacheStatus({ fwd: ex.viewerRequest.method === 'GET' || ex.viewerRequest.method === 'HEAD' ? 'bypass' : 'method' });
  return cacheStatus({ fwd: ctx.fwd ?? 'miss', fwdStatus: ctx.fwdStatus, stored: ctx.stored || ex.storeOnEnd !== undefined, key, detail: ctx.detail });
}

/**
 * Origin-side headers as they go to viewers, computed once per stored entry (and behavior: Vary
 * filtering); `full` adds edgeproxy's own headers for the last X-Cache / HTTP version / Age-or-not a hit
 * of it had, with the per-request values (X-Amz-Cf-Id, Age) left as empty slots at the end.
 */
interface EntryHead {
  readonly behavior: ResolvedBehavior;
  readonly raw: readonly string[];
  full: readonly string[] | undefined;
  xCache: string;
  version: string;
  withAge: boolean;
}
const entryHeads = new WeakMap<CacheEntry, EntryHead>();

function entryHead(env: Env, ex: Exchange, r: ExchangeResponse & { entry: CacheEntry }): EntryHead {
  const cached = entryHeads.get(r.entry);
  if (cached !== undefined && cached.behavior === ex.behavior) return cached;
  const head: EntryHead = { behavior: ex.behavior, raw: originHead(env, ex, { ...r, headers: { ...r.entry.headers } }), full: undefined, xCache: '', version: '', withAge: false };
  entryHeads.set(r.entry, head);
  return head;
}

/** CloudFront's headers on every response (docs/cloudfront-reference.md §5.4), appended to `out`. */
function pushEdgeHeaders(out: string[], env: Env, xCache: string, version: string, requestId: string, age: string | undefined): void {
  out.push('X-Cache', `${xCache} from cloudfront`, 'Via', `${version}${env.viaSuffix}`, 'X-Amz-Cf-Pop', env.config.pop, 'X-Amz-Cf-Id', requestId);
  if (age !== undefined) out.push('Age', age);
}

/** A hit nobody changed: one copy of the entry's complete head, with this request's id and age filled in. */
function hitHead(env: Env, ex: Exchange, r: ExchangeResponse & { entry: CacheEntry }): string[] {
  const eh = entryHead(env, ex, r);
  const version = ex.viewerHttpVersion;
  const withAge = r.age !== undefined;
  let full = eh.full;
  if (full === undefined || eh.xCache !== r.xCache || eh.version !== version || eh.withAge !== withAge) {
    const built = eh.raw.slice();
    pushEdgeHeaders(built, env, r.xCache, version, '', withAge ? '' : undefined);
    eh.full = full = built;
    eh.xCache = r.xCache;
    eh.version = version;
    eh.withAge = withAge;
  }
  const out = full.slice();
  if (withAge) {
    out[out.length - 3] = ex.requestId;
    out[out.length - 1] = String(r.age);
  } else out[out.length - 1] = ex.requestId;
  return out;
}

/** The response's own headers (without the ones edgeproxy adds last), as a flat [name, value, …] list. */
function originHead(env: Env, ex: Exchange, r: ExchangeResponse): string[] {
  const h = r.headers;
  const generated = r.source === 'viewer-generated' || r.source === 'origin-generated';
  if (generated) {
    // Observed on generated responses (docs/cloudfront-reference.md §2.3 [O]).
    if (!h.server) h.server = [{ key: 'Server', value: 'CloudFront' }];
    if (!h.date) h.date = [{ key: 'Date', value: httpDateNow() }];
  }
  if (r.body.kind === 'buffer') {
    h['content-length'] = [{ key: 'Content-Length', value: String(r.body.buf.length) }];
  }
  // Vary as viewers get it (docs/cloudfront-reference.md §6.13): one line, or none. Applied to the output only, since `h` may be
  // the headers the cache keeps (a streamed miss is stored after delivery), which keep the origin's Vary.
  const filterVary = h.vary !== undefined && r.source !== 'viewer-generated' && r.source !== 'error';
  const vary = filterVary ? filterVaryForViewer(headerValues(h, 'vary'), env.facts(ex.behavior).vary) : undefined;
  let varyWritten = false;
  const out: string[] = [];
  // Map keys are the lowercase names (event/headers.ts): no lowercased copy per line, no intermediate list.
  for (const lower in h) {
    const list = h[lower];
    if (list === undefined || OURS.has(lower)) continue;
    if (filterVary && lower === 'vary') {
      if (!varyWritten && vary !== undefined && list.length > 0) {
        out.push(list[0]!.key ?? defaultHeaderKey(lower), vary);
        varyWritten = true;
      }
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      out.push(e.key ?? defaultHeaderKey(lower), e.value);
    }
  }
  return out;
}

function responseHead(env: Env, ex: Exchange, r: ExchangeResponse): string[] {
  let out: string[];
  // A hit nobody changed: the entry's head is reused (hot path: no header conversion per request).
  if (r.entry !== undefined && r.headers === r.entry.headers && r.body.kind === 'buffer' && r.body.buf === r.entry.body) {
    out = hitHead(env, ex, r as ExchangeResponse & { entry: CacheEntry });
  } else {
    out = originHead(env, ex, r.entry !== undefined && r.headers === r.entry.headers ? { ...r, headers: { ...r.headers } } : r);
    pushEdgeHeaders(out, env, r.xCache, ex.viewerHttpVersion, ex.requestId, r.age === undefined ? undefined : String(r.age));
  }
  const policy = ex.behavior.responseHeadersPolicy;
  if (policy !== undefined) applyResponseHeadersPolicy(env, ex, r, policy, out);
  if (env.config.inspectorHeaders) {
    if (ex.executed.length > 0) {
      out.push('X-Edgeproxy-Executed-Version', ex.executed.join(', '));
      const stale = staleCode(env, ex.executed);
      if (stale !== undefined) out.push('X-Edgeproxy-Stale-Code', stale);
    }
    if (ex.timings.length > 0) out.push('Server-Timing', ex.timings.map((t) => `${t.stage};dur=${t.ms.toFixed(2)}`).join(', '));
  }
  if (env.config.cache.cacheStatusHeader) {
    const cs = cacheStatusValue(env, ex, r);
    if (cs !== undefined) out.push('Cache-Status', cs);
  }
  return out;
}

/**
 * The functions among `executed` (`viewer-request=<id>:<version>`) whose last save did not load, so
 * they ran the previous code: `"<id>": <why>; …`, or undefined. Inspector headers only.
 */
function staleCode(env: Env, executed: readonly string[]): string | undefined {
  let out: string | undefined;
  for (const e of executed) {
    const id = e.slice(e.indexOf('=') + 1, e.lastIndexOf(':'));
    const why = env.code?.reloadProblem(id) ?? env.cff?.reloadProblem(id);
    if (why !== undefined) out = `${out === undefined ? '' : `${out}; `}"${id}" serves the previous code: ${why}`;
  }
  return out === undefined ? undefined : headerSafe(out);
}

/** Copies chunks aside while they stream to the viewer, for the cache (bounded by the object cap). */
function teeForStore(limit: number): { chunk(c: Buffer): void; body(r: ExchangeResponse): Buffer | undefined } {
  const chunks: Buffer[] = [];
  let n = 0;
  let over = false;
  return {
    chunk(c) {
      if (over) return;
      n += c.length;
      if (n > limit) {
        over = true;
        chunks.length = 0;
      } else chunks.push(c);
    },
    body(r) {
      return over || !completeLength(r, n) ? undefined : Buffer.concat(chunks, n);
    },
  };
}

function contentLength(r: ExchangeResponse): number | undefined {
  const cl = firstHeader(r.headers, 'content-length');
  return cl === undefined ? undefined : Number(cl);
}

/** Writes the response. Synchronous unless the body streams from the origin. */
export function deliver(env: Env, ex: Exchange): StepResult<'deliver'> {
  const r = ex.response;
  if (!r) throw new Error('deliver without a response');
  if (r.source === 'cache') shapeCacheAnswer(ex, r);
  const res = ex.res;
  const head = responseHead(env, ex, r);
  res.writeHead(r.status, r.statusDescription, head);
  const c = ex.capture;
  if (c !== undefined) {
    c.viewerHead = head;
    c.viewerBody = new BodySink(c.bodyLimit);
  }
  const store = ex.storeOnEnd;
  ex.storeOnEnd = undefined;
  if (noBody(r.status, ex.req.method ?? 'GET')) {
    store?.(undefined);
    if (r.body.kind === 'stream') r.body.stream.discard();
    res.end();
    return 'done';
  }
  switch (r.body.kind) {
    case 'none':
      res.end();
      return 'done';
    case 'buffer':
      c?.viewerBody?.chunk(r.body.buf);
      res.end(r.body.buf);
      return 'done';
    case 'stream':
      return streamBody(env, r.body.stream, r, res, store, c?.viewerBody);
  }
}

async function streamBody(env: Env, stream: OriginBody, r: ExchangeResponse, res: ServerResponse, store: Exchange['storeOnEnd'], seen: BodySink | undefined): Promise<'done'> {
  if (store === undefined) {
    // An origin that fails mid-body leaves the viewer with a cut connection, as CloudFront does.
    await stream.pipeTo(res, seen === undefined ? undefined : (chunk) => seen.chunk(chunk), contentLength(r));
    return 'done';
  }
  const tee = teeForStore(env.config.cache.maxObjectBytes);
  try {
    const onChunk =
      seen === undefined
        ? tee.chunk
        : (chunk: Buffer): void => {
            tee.chunk(chunk);
            seen.chunk(chunk);
          };
    await stream.pipeTo(res, onChunk, contentLength(r));
    store(tee.body(r));
  } finally {
    // A viewer that left early, or an origin that failed: nothing is stored (docs/cloudfront-reference.md §5.2).
    store(undefined);
  }
  return 'done';
}
