// The demo origin: a small static file server over demo/site that behaves like an S3 REST
// endpoint (no directory indexes, no Cache-Control of its own), plus two dynamic routes.
// `npm start` with no arguments puts the proxy and the demo functions in front of it.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/errors.js';

interface DemoOriginOptions {
  host: string;
  port: number;
  /** Folder served as the site; default `<projectRoot>/demo/site`. */
  root?: string;
  /**
   * Path prefixes (like `/app/`) under which a missing object is a 403 AccessDenied instead of the 404
   * page: what S3 answers a reader that may not list the bucket (no `s3:ListBucket`), the case a
   * CloudFront origin access control reader is in. Default none.
   */
  listDeniedPrefixes?: readonly string[];
}

export interface DemoOrigin {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Longest request body /api/echo reads; the proxy's own limits are far below this. */
const MAX_ECHO_BODY = 1024 * 1024;

/** Extension → Content-Type. Unknown extensions get S3's default for untyped objects. */
const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.json', 'application/json'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.xml', 'application/xml'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.ico', 'image/x-icon'],
  ['.woff2', 'font/woff2'],
  ['.map', 'application/json'],
]);
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const HTML = 'text/html; charset=utf-8';
const STATIC_METHODS = 'GET, HEAD';

/**
 * The package root: the nearest folder above this module with a package.json. Works from
 * src/demo/ (vitest, tsx) and from dist/src/demo/ (built), since dist/ has no package.json.
 */
export function findProjectRoot(fromDir: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = fromDir;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`demo origin: no package.json found above ${fromDir}`);
    dir = parent;
  }
}

export function defaultSiteRoot(): string {
  return join(findProjectRoot(), 'demo', 'site');
}

export async function startDemoOrigin(opts: DemoOriginOptions): Promise<DemoOrigin> {
  if (!isLoopback(opts.host)) {
    // The demo serves files from the working tree; it has no business on a public interface.
    throw new ConfigError('InvalidConfig', `demo origin: host must be a loopback address (127.0.0.1, ::1, localhost), got "${opts.host}"`);
  }
  const configuredRoot = resolve(opts.root ?? defaultSiteRoot());
  let root: string;
  try {
    // Resolved once so the containment check below compares real paths (symlinks included).
    root = await realpath(configuredRoot);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new ConfigError('InvalidConfig', `demo origin: site root ${configuredRoot} is not a readable folder (${errorText(e)})`);
  }

  const files = new FileCache();
  const denied = opts.listDeniedPrefixes ?? [];
  const server = createServer((req, res) => {
    handle(req, res, root, files, denied).catch((e: unknown) => {
      if (!res.headersSent) sendText(res, req, 500, `demo origin: internal error: ${errorText(e)}\n`);
      else res.destroy();
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(opts.port, opts.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });

  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPart}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        // server.close() alone waits for idle keep-alive sockets (the proxy's pool keeps some).
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

async function handle(req: IncomingMessage, res: ServerResponse, root: string, files: FileCache, denied: readonly string[]): Promise<void> {
  const rawPath = pathOf(req.url ?? '/');
  if (rawPath === '/api/time') return apiTime(req, res);
  if (rawPath === '/api/echo') return apiEcho(req, res);

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', STATIC_METHODS);
    return sendText(res, req, 405, `Method ${req.method ?? '?'} is not allowed on static files; use GET or HEAD.\n`);
  }

  const key = objectKey(rawPath);
  if (key.kind === 'bad') return sendText(res, req, 400, `Bad request: ${key.reason}\n`);
  const missing = (): Promise<void> | void => (denied.some((p) => rawPath.startsWith(p)) ? sendAccessDenied(req, res) : sendNotFound(req, res, root, files));
  if (key.kind === 'none') return missing();

  const file = await files.get(root, key.segments);
  if (!file) return missing();

  res.setHeader('ETag', file.etag);
  res.setHeader('Last-Modified', file.lastModified);
  if (notModified(req, file)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', CONTENT_TYPES.get(extname(key.segments.at(-1) ?? '').toLowerCase()) ?? DEFAULT_CONTENT_TYPE);
  res.setHeader('Content-Length', file.body.length);
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/** The path part of the request target (origin-form or absolute-form), still percent-encoded. */
function pathOf(url: string): string {
  if (url.startsWith('/')) {
    const q = url.indexOf('?');
    return q === -1 ? url : url.slice(0, q);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

type ObjectKey = { kind: 'file'; segments: string[] } | { kind: 'none' } | { kind: 'bad'; reason: string };

/**
 * Request path → path segments under the root. Like an S3 REST endpoint, a path ending in `/`
 * (or naming a folder) is no object, so it is a 404; rewriting it to index.html is the
 * origin-request function's job. Traversal is refused before the file system is touched.
 */
function objectKey(rawPath: string): ObjectKey {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'bad', reason: 'malformed percent-encoding in the path' };
  }
  if (!decoded.startsWith('/')) return { kind: 'bad', reason: 'path must start with "/"' };
  if (decoded.includes('\0')) return { kind: 'bad', reason: 'NUL byte in the path' };
  const segments = decoded.slice(1).split('/');
  for (const s of segments) {
    if (s === '.' || s === '..') return { kind: 'bad', reason: `path segment "${s}" is not allowed` };
    if (s.includes('\\')) return { kind: 'bad', reason: 'backslash in the path' };
  }
  // Empty segments (`/`, `/blog/`, `/a//b`) name no file.
  if (segments.some((s) => s === '')) return { kind: 'none' };
  return { kind: 'file', segments };
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  body: Buffer;
  etag: string;
  lastModified: string;
  /** Last-Modified in whole seconds, as HTTP dates carry it. */
  mtimeSec: number;
}

/**
 * Bodies and ETags by path, revalidated with one stat() per request so edits to the site show
 * up while the demo runs (useful for trying invalidations) without re-reading or re-hashing.
 */
class FileCache {
  private readonly entries = new Map<string, CachedFile>();
  private static readonly MAX_ENTRIES = 512;

  async get(root: string, segments: readonly string[]): Promise<CachedFile | undefined> {
    const candidate = join(root, ...segments);
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      return undefined;
    }
    // A symlink inside the site must not lead outside it.
    if (!real.startsWith(root + sep)) return undefined;
    const st = await stat(real).catch(() => undefined);
    if (!st || !st.isFile()) return undefined;

    const hit = this.entries.get(real);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    const body = await readFile(real);
    const entry: CachedFile = {
      mtimeMs: st.mtimeMs,
      size: body.length,
      body,
      // Strong validator from the bytes themselves (RFC 9110 §8.8.3): equal tags mean equal bodies.
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      lastModified: st.mtime.toUTCString(),
      mtimeSec: Math.floor(st.mtimeMs / 1000),
    };
    if (this.entries.size >= FileCache.MAX_ENTRIES) this.entries.clear();
    this.entries.set(real, entry);
    return entry;
  }
}

/** RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it. */
function notModified(req: IncomingMessage, file: CachedFile): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return etagListMatches(inm, file.etag);
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && file.mtimeSec * 1000 <= since;
}

/** Weak comparison (RFC 9110 §8.8.3.2), as If-None-Match requires. */
function etagListMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return (tag.startsWith('W/') ? tag.slice(2) : tag) === etag;
  });
}

async function sendNotFound(req: IncomingMessage, res: ServerResponse, root: string, files: FileCache): Promise<void> {
  const page = await files.get(root, ['404.html']);
  const body = page?.body ?? Buffer.from('<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>\n');
  res.statusCode = 404;
  res.setHeader('Content-Type', HTML);
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** S3's answer to a missing key for a reader without s3:ListBucket (S3 API, GetObject permissions). */
function sendAccessDenied(req: IncomingMessage, res: ServerResponse): void {
  const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
  res.statusCode = 403;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, req: IncomingMessage, status: number, text: string): void {
  const body = Buffer.from(text);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, req: IncomingMessage, status: number, value: unknown): void {
  const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  // Dynamic answers: the edge must not keep them (CloudFront honours no-store, docs/cloudfront-reference.md §6.5).
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function apiTime(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', STATIC_METHODS);
    sendText(res, req, 405, `Method ${req.method ?? '?'} is not allowed on /api/time; use GET or HEAD.\n`);
    return;
  }
  sendJson(res, req, 200, { now: new Date().toISOString() });
}

/** Shows what the edge sent to the origin: method, URL, headers (in order, as sent) and body. */
async function apiEcho(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    length += buf.length;
    if (length > MAX_ECHO_BODY) {
      res.setHeader('Connection', 'close');
      return sendText(res, req, 413, `Request body over ${MAX_ECHO_BODY} bytes\n`);
    }
    chunks.push(buf);
  }
  const body = Buffer.concat(chunks);
  const text = utf8OrUndefined(body);
  const rawHeaders: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    rawHeaders.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
  }
  sendJson(res, req, 200, {
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    headers: req.headers,
    rawHeaders,
    bodyLength: body.length,
    bodyEncoding: text === undefined ? 'base64' : 'text',
    body: text ?? body.toString('base64'),
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function utf8OrUndefined(buf: Buffer): string | undefined {
  try {
    return strictUtf8.decode(buf);
  } catch {
    return undefined;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
