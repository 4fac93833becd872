// Shared pieces of the admin tests (not a test file): a real store filled the way the pipeline fills
// it, fake inputs for metrics and publishing, and a raw node:http client (it may set Host and Origin).

import { request } from 'node:http';
import { manualClock, type ManualClock } from '../../src/cache/clock.js';
import { buildEntry } from '../../src/cache/entry.js';
import { cacheKeyFor } from '../../src/cache/key.js';
import { createStore, type CacheStore } from '../../src/cache/store.js';
import { decideTtl } from '../../src/cache/ttl.js';
import type { CachePolicy } from '../../src/config/types.js';
import type { CfHeaders } from '../../src/event/types.js';
import type { MetricsSource } from '../../src/observe/types.js';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A policy with every query string in the key, as the HTTP-caching conformance behavior. */
export const POLICY: CachePolicy = {
  name: 'admin-test',
  minTTL: 0,
  defaultTTL: 86_400,
  maxTTL: 31_536_000,
  queryStrings: { behavior: 'all' },
  headers: { behavior: 'none' },
  cookies: { behavior: 'none' },
  enableAcceptEncodingGzip: true,
  enableAcceptEncodingBrotli: true,
};

function h(pairs: Array<[string, string]>): CfHeaders {
  const out: CfHeaders = {};
  for (const [k, v] of pairs) (out[k.toLowerCase()] ??= []).push({ key: k, value: v });
  return out;
}

export interface Filled {
  clock: ManualClock;
  store: CacheStore;
  /** Stores one object for `uri?qs` as the pipeline would after origin-response; returns its key. */
  put(uri: string, opts?: { qs?: string; maxAge?: number; acceptEncoding?: string; body?: string }): string;
}

export function filledStore(): Filled {
  const clock = manualClock(T0);
  const store = createStore({ maxBytes: 10_000_000, maxObjectBytes: 1_000_000, clock });
  return {
    clock,
    store,
    put(uri, o = {}) {
      const requestHeaders = o.acceptEncoding === undefined ? {} : h([['Accept-Encoding', o.acceptEncoding]]);
      const k = cacheKeyFor({ method: 'GET', uri, querystring: o.qs ?? '', headers: requestHeaders, policy: POLICY });
      const now = clock.now();
      const headers = h([
        ['Date', new Date(now).toUTCString()],
        ['Cache-Control', `max-age=${o.maxAge ?? 60}`],
        ['Content-Type', 'text/plain'],
      ]);
      const decision = decideTtl({ status: 200, headers, method: 'GET', policy: POLICY, now, errorCachingMinTtl: 10 });
      const e = buildEntry({
        key: k.key,
        uri: k.uri,
        querystring: k.querystring,
        status: 200,
        statusDescription: 'OK',
        headers,
        body: Buffer.from(o.body ?? `body of ${uri}`),
        requestTime: now,
        responseTime: now,
        decision,
        maxTtl: POLICY.maxTTL,
        requestHeaders,
        keepSetCookie: false,
      });
      if (!store.set(e)) throw new Error(`fixture: could not store ${uri}`);
      return k.key;
    },
  };
}

/** A metrics source as the observe module will provide it; `fail` makes it throw. */
export function fakeMetrics(): MetricsSource & { fail: boolean } {
  const m = {
    fail: false,
    prometheus(): string {
      if (m.fail) throw new Error('metrics exploded');
      return '# TYPE edgeproxy_requests_total counter\nedgeproxy_requests_total 7\n';
    },
    json(): unknown {
      return { requests: 7 };
    },
  };
  return m;
}

/**
 * A publish function with the code registry's contract: the code of each function is a string the
 * test edits; unchanged code makes no new version; an unknown id throws an error coded UnknownFunction.
 */
export function fakePublisher(code: Map<string, string>): {
  publish(id: string): Promise<{ version: string; created: boolean }>;
  calls: string[];
} {
  const published = new Map<string, string[]>();
  const calls: string[] = [];
  return {
    calls,
    async publish(id) {
      calls.push(id);
      const src = code.get(id);
      if (src === undefined) throw Object.assign(new Error(`unknown function "${id}"`), { code: 'UnknownFunction' });
      if (src === 'BROKEN') throw new Error(`${id}: SyntaxError: Unexpected token`);
      const versions = published.get(id) ?? [];
      published.set(id, versions);
      if (versions.length > 0 && versions[versions.length - 1] === src) return { version: String(versions.length), created: false };
      versions.push(src);
      return { version: String(versions.length), created: true };
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** One request with exactly these headers (node:http adds Host only when none is given). */
export function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text) as unknown;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** POST a JSON value. */
export function post(base: string, path: string, value: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return call(base, 'POST', path, { body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } });
}

/** Narrow a reply's JSON to a record for property access in assertions. */
export function obj(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`expected a JSON object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}
