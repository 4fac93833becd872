// The limit server: bare node:http answering every request with one prebuilt response — the same
// status, headers and body edgeproxy serves for the scenario's object (headers sampled from
// edgeproxy itself when it runs, so byte counts match). It is the most a Node server can do here;
// scenarios a, b, f and g are reported as a fraction of it.
// Usage: node dist/bench/servers/limit.js <spec.json>   (spec: LimitSpec below)

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dieWithParent, exitOnSignal, isMain, closeServer, listenLoopback, report } from './common.js';

export interface LimitSpec {
  status: number;
  /** In the order edgeproxy sent them; Date/Connection/Keep-Alive/Transfer-Encoding excluded (node:http adds its own). */
  headers: Array<[string, string]>;
  bodyBase64: string;
}

function parseLimitSpec(x: unknown, where: string): LimitSpec {
  if (typeof x !== 'object' || x === null) throw new Error(`${where}: expected an object`);
  const o = x as Record<string, unknown>;
  if (typeof o.status !== 'number' || !Number.isInteger(o.status) || o.status < 100 || o.status > 599) {
    throw new Error(`${where}.status: expected an HTTP status, got ${JSON.stringify(o.status)}`);
  }
  if (!Array.isArray(o.headers)) throw new Error(`${where}.headers: expected an array of [name, value]`);
  const headers: Array<[string, string]> = [];
  o.headers.forEach((h: unknown, i) => {
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') {
      throw new Error(`${where}.headers[${i}]: expected [name, value] strings`);
    }
    headers.push([h[0], h[1]]);
  });
  if (typeof o.bodyBase64 !== 'string') throw new Error(`${where}.bodyBase64: expected a base64 string`);
  return { status: o.status, headers, bodyBase64: o.bodyBase64 };
}

export async function startLimit(spec: LimitSpec): Promise<{ url: string; close(): Promise<void> }> {
  // Everything per-response is computed here, once.
  const body = Buffer.from(spec.bodyBase64, 'base64');
  const flat: string[] = [];
  let hasLength = false;
  for (const [name, value] of spec.headers) {
    flat.push(name, value);
    if (name.toLowerCase() === 'content-length') hasLength = true;
  }
  if (!hasLength) flat.push('Content-Length', String(body.length));
  const status = spec.status;
  const server = createServer((req, res) => {
    // A POST body (never sent to the limit by the scenarios, but possible by hand) must be drained.
    if (req.method !== 'GET' && req.method !== 'HEAD') req.resume();
    res.writeHead(status, flat);
    res.end(body);
  });
  const url = await listenLoopback(server);
  return {
    url,
    close: () => closeServer(server),
  };
}

if (isMain(import.meta.url)) {
  dieWithParent();
  const file = process.argv[2];
  try {
    if (!file) throw new Error('usage: limit.js <spec.json>');
    const spec = parseLimitSpec(JSON.parse(readFileSync(file, 'utf8')), file);
    const s = await startLimit(spec);
    exitOnSignal(() => s.close());
    await report({ type: 'ready', url: s.url });
  } catch (e) {
    await report({ type: 'failed', reason: `limit server: ${e instanceof Error ? e.message : String(e)}` });
    process.exit(1);
  }
}
