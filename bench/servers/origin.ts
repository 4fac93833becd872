// The bench origin: node:http, answers from prebuilt Buffers so the origin's own cost stays small
// and constant across scenarios.
//   GET  /cache/<bytes>[/anything]    200, <bytes> of body, Cache-Control: public, max-age=86400
//   GET  /nostore/<bytes>[/anything]  200, <bytes> of body, Cache-Control: no-store
//   POST /echo                        200, body `{"received":<n>}` where n is the request body length, no-store
// Anything else: 404. Usage standalone: node dist/bench/servers/origin.js  (prints its URL)

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dieWithParent, exitOnSignal, isMain, closeServer, listenLoopback, report } from './common.js';

/** Large enough for every scenario (64 KiB is the biggest), small enough that no request can make us allocate much. */
const MAX_BODY = 1 << 20;
const MAX_CACHED_SIZES = 64;

export const CACHEABLE_CC = 'public, max-age=86400';
export const NO_STORE_CC = 'no-store';
export const ORIGIN_CONTENT_TYPE = 'application/octet-stream';

const bodies = new Map<number, Buffer>();

/** Bodies are built once per size; the map is bounded because the size comes from the URL. */
function bodyOf(size: number): Buffer {
  let b = bodies.get(size);
  if (!b) {
    b = Buffer.alloc(size, 'edgeproxy-bench ');
    if (bodies.size < MAX_CACHED_SIZES) bodies.set(size, b);
  }
  return b;
}

function parseSize(segment: string | undefined): number | undefined {
  if (segment === undefined || !/^\d{1,7}$/.test(segment)) return undefined;
  const n = Number(segment);
  return n <= MAX_BODY ? n : undefined;
}

function send(res: ServerResponse, status: number, cacheControl: string, body: Buffer, contentType = ORIGIN_CONTENT_TYPE): void {
  res.writeHead(status, ['Content-Type', contentType, 'Cache-Control', cacheControl, 'Content-Length', String(body.length)]);
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const parts = (q === -1 ? url : url.slice(0, q)).split('/');
  const kind = parts[1];
  if (req.method === 'POST' && kind === 'echo') {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => send(res, 200, NO_STORE_CC, Buffer.from(`{"received":${n}}`), 'application/json'));
    return;
  }
  const size = parseSize(parts[2]);
  if ((req.method === 'GET' || req.method === 'HEAD') && size !== undefined && (kind === 'cache' || kind === 'nostore')) {
    send(res, 200, kind === 'cache' ? CACHEABLE_CC : NO_STORE_CC, bodyOf(size));
    return;
  }
  // Drain any body so the connection stays usable, then 404.
  req.resume();
  send(res, 404, NO_STORE_CC, Buffer.from('not found\n'), 'text/plain');
}

export async function startOrigin(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handle);
  const url = await listenLoopback(server);
  return {
    url,
    close: () => closeServer(server),
  };
}

// Entry point when forked by the driver or run by hand; importing the module (tests) starts nothing.
if (isMain(import.meta.url)) {
  dieWithParent();
  const o = await startOrigin();
  exitOnSignal(() => o.close());
  await report({ type: 'ready', url: o.url });
}
