// Single requests outside the measured runs: take a sample response (to check the target works
// and to copy its exact headers into the limit server) and prefill a cache (scenario g).

import { request as httpRequest } from 'node:http';
import { Pool } from 'undici';
import type { RequestSpec } from './messages.js';

export interface Sample {
  status: number;
  /** Node's rawHeaders: [name, value, …] as sent. */
  rawHeaders: string[];
  body: Buffer;
}

/** Headers node:http writes itself on every response; the limit server must not send them twice. */
const NODE_ADDED = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

export function sampleRequest(baseUrl: string, spec: RequestSpec, timeoutMs = 10_000): Promise<Sample> {
  const url = new URL(spec.path, baseUrl);
  const body = spec.bodyBytes ? Buffer.alloc(spec.bodyBytes, 'b') : undefined;
  const headers: Record<string, string> = { ...spec.headers };
  if (body) {
    headers['content-type'] ??= 'application/octet-stream';
    headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: spec.method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no response from ${url.href} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function headerValue(s: Sample, lowerName: string): string | undefined {
  for (let i = 0; i < s.rawHeaders.length; i += 2) {
    if (s.rawHeaders[i]?.toLowerCase() === lowerName) return s.rawHeaders[i + 1];
  }
  return undefined;
}

/** `Hit from cloudfront` → `Hit`. */
export function xCacheOf(s: Sample): string | undefined {
  return headerValue(s, 'x-cache')?.replace(/ from cloudfront$/i, '');
}

/** The sampled response's headers as the limit server should replay them. */
export function replayHeaders(s: Sample): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < s.rawHeaders.length; i += 2) {
    const name = s.rawHeaders[i] ?? '';
    if (!NODE_ADDED.has(name.toLowerCase())) out.push([name, s.rawHeaders[i + 1] ?? '']);
  }
  return out;
}

export interface PrefillResult {
  requested: number;
  ok: number;
  failed: number;
  seconds: number;
  /** True when the deadline ended the loop before every object was requested. */
  timedOut: boolean;
}

/** GETs `${prefix}0 … ${prefix}${count-1}` with bounded concurrency, stopping at `deadlineMs`. */
export async function prefill(baseUrl: string, prefix: string, count: number, deadlineMs: number, concurrency = 64): Promise<PrefillResult> {
  const pool = new Pool(baseUrl, { connections: concurrency });
  const started = performance.now();
  const stopAt = started + deadlineMs;
  let next = 0;
  let ok = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() < stopAt) {
      const i = next++;
      try {
        const res = await pool.request({ path: `${prefix}${i}`, method: 'GET' });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
  return { requested: next, ok, failed, seconds: (performance.now() - started) / 1000, timedOut: next < count };
}

/** How many of `n` random keys answer with X-Cache: Hit — checks that the prefill really filled the cache. */
export async function hitRate(baseUrl: string, prefix: string, count: number, n: number): Promise<{ hits: number; checked: number }> {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const key = Math.floor(Math.random() * count);
    try {
      const s = await sampleRequest(baseUrl, { method: 'GET', path: `${prefix}${key}` }, 5000);
      if (xCacheOf(s) === 'Hit') hits++;
    } catch {
      // counted as a non-hit
    }
  }
  return { hits, checked: n };
}
