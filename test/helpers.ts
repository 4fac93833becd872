// Real servers for end-to-end tests: an origin on 127.0.0.1:0, the real proxy, a plain HTTP client.

import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { type RunningProxy as EdgeProxy, startProxy as startEdgeProxy } from '../src/proxy.js';
import { memoryLogger } from '../src/log.js';
import type { Clock } from '../src/cache/clock.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface TestOrigin {
  url: string;
  port: number;
  hits: number;
  /** Every request the origin received, in order. */
  requests: Array<{ method: string; url: string; rawHeaders: string[]; body: Buffer }>;
  close(): Promise<void>;
}

export type OriginHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** Echoes the request as JSON unless given a handler. */
export async function startOrigin(handler?: OriginHandler): Promise<TestOrigin> {
  const origin: TestOrigin = { url: '', port: 0, hits: 0, requests: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      origin.hits++;
      origin.requests.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body });
      if (handler) return handler(req, res, body);
      const json = JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: body.toString('base64') });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  origin.url = `http://127.0.0.1:${port}`;
  origin.port = port;
  origin.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return origin;
}

export interface TestProxy extends EdgeProxy {
  logs: string[];
}

export async function startProxy(object: Record<string, unknown>, baseDir = FIXTURES, opts: { clock?: Clock } = {}): Promise<TestProxy> {
  // Tests always listen on an ephemeral loopback port.
  const config = await loadConfig({ object: { listen: { host: '127.0.0.1', port: 0 }, ...object }, baseDir });
  const log = memoryLogger();
  const proxy = await startEdgeProxy({ config, log, ...(opts.clock ? { clock: opts.clock } : {}) });
  return Object.assign(proxy, { logs: log.lines });
}

export interface Reply {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

/** A plain node:http request (no client-side header normalisation), with a generous header limit. */
export function send(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string | string[]> | string[]; body?: Buffer | string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    // With raw array headers node:http adds no Host line; HTTP/1.1 requires one.
    let headers = opts.headers;
    if (Array.isArray(headers) && !headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'host')) {
      headers = ['Host', url.host, ...headers];
    }
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: path,
        method: opts.method ?? 'GET',
        headers,
        maxHeaderSize: 1024 * 1024,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body,
            text: body.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 20_000, () => req.destroy(new Error(`request ${path} timed out`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** Decodes the `x-ev-<trigger>` header a recorder fixture set: the event that trigger received. */
export function recordedEvent(headers: Record<string, string | string[] | undefined>, trigger: string): RecordedEvent {
  const v = headers[`x-ev-${trigger}`];
  if (typeof v !== 'string') throw new Error(`no x-ev-${trigger} header; got ${Object.keys(headers).join(', ')}`);
  return JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as RecordedEvent;
}

export interface RecordedEvent {
  Records: Array<{
    cf: {
      config: { distributionDomainName: string; distributionId: string; eventType: string; requestId: string };
      request: {
        clientIp: string;
        method: string;
        uri: string;
        querystring: string;
        headers: Record<string, Array<{ key?: string; value: string }>>;
        body?: { inputTruncated: boolean; action: string; encoding: string; data: string };
        origin?: { custom?: Record<string, unknown>; s3?: Record<string, unknown> };
      };
      response?: { status: string; statusDescription: string; headers: Record<string, Array<{ key?: string; value: string }>> };
    };
  }>;
}
