// Origin requests over pooled keep-alive connections (undici), one pool per origin address.
// Maps network failures to CloudFront's answers: refused/reset → 502, DNS → 502, timeouts → 504 (spec §4).

import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import { EdgeError } from '../errors.js';

export interface OriginTarget {
  protocol: 'http' | 'https';
  domainName: string;
  port: number;
}

export interface OriginFetch {
  target: OriginTarget;
  /** Path and query as sent on the request line. */
  path: string;
  method: string;
  /** Flat [name, value, …]. */
  headers: string[];
  body: Buffer | Readable | null;
  /** spec §1.4 readTimeout, in ms: time to first byte and between body chunks. */
  readTimeoutMs: number;
  keepaliveTimeoutMs: number;
  connectTimeoutMs: number;
}

export interface OriginAnswer {
  status: number;
  statusText: string;
  /** Flat [name, value, …] with the origin's spelling. */
  rawHeaders: string[];
  body: Readable;
}

export interface OriginClient {
  fetch(f: OriginFetch): Promise<OriginAnswer>;
  close(): Promise<void>;
}

export function classifyOriginError(err: unknown, where: string): EdgeError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new EdgeError('OriginDnsError', `cannot resolve origin ${where}: ${msg}`, { stage: 'origin-fetch', cause: err });
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return new EdgeError('OriginTimeout', `origin ${where} did not answer in time (${code})`, { stage: 'origin-fetch', cause: err });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new EdgeError('OriginConnectError', `cannot connect to origin ${where}: ${code} ${msg}`, { stage: 'origin-fetch', cause: err });
    default:
      return new EdgeError('OriginResponseError', `origin ${where} failed: ${code ? `${code} ` : ''}${msg}`, { stage: 'origin-fetch', cause: err });
  }
}

export function createOriginClient(): OriginClient {
  const pools = new Map<string, Pool>();

  function poolFor(f: OriginFetch): { pool: Pool; base: string } {
    const t = f.target;
    const base = `${t.protocol}://${t.domainName}:${t.port}`;
    const key = `${base}|${f.connectTimeoutMs}|${f.keepaliveTimeoutMs}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = new Pool(base, {
        connectTimeout: f.connectTimeoutMs,
        keepAliveTimeout: f.keepaliveTimeoutMs,
        keepAliveMaxTimeout: Math.max(f.keepaliveTimeoutMs, 1000),
        pipelining: 1,
      });
      pools.set(key, pool);
    }
    return { pool, base };
  }

  return {
    async fetch(f) {
      const { pool, base } = poolFor(f);
      try {
        const r = await pool.request({
          path: f.path,
          method: f.method as 'GET',
          headers: f.headers,
          body: f.body,
          headersTimeout: f.readTimeoutMs,
          bodyTimeout: f.readTimeoutMs,
          responseHeaders: 'raw',
        });
        const raw = r.headers as unknown as Array<string | Buffer>;
        const rawHeaders: string[] = new Array(raw.length);
        for (let i = 0; i < raw.length; i++) {
          const v = raw[i] as string | Buffer;
          rawHeaders[i] = typeof v === 'string' ? v : v.toString('latin1');
        }
        return { status: r.statusCode, statusText: r.statusText, rawHeaders, body: r.body };
      } catch (err) {
        throw classifyOriginError(err, base);
      }
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close().catch(() => p.destroy())));
      pools.clear();
    },
  };
}
