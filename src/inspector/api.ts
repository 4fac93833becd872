// The inspector's routes on the admin listener (docs/admin.md, docs/inspector.md): the page at
// /inspector/ (static files shipped in the package, read once at start), and its JSON API under
// /inspector/api/ — the list with filters, one exchange, the live stream (Server-Sent Events), replay,
// the HAR export and clear. The admin listener's guards (loopback Host, same-origin POST) apply to all.

import { readFileSync, existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { AdminError } from '../admin/errors.js';
import { isRecord, parseJsonBody, readBody, sendJson } from '../admin/http.js';
import { harLog } from './har.js';
import type { Inspector, InspectorEvent, ListFilter } from './inspector.js';
import type { HeaderLine } from './record.js';

interface InspectorCtx {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
}

type Handler = (ctx: InspectorCtx) => Promise<void> | void;

/** The page's files, next to this module: src/inspector/page/, copied to dist/src/inspector/page/ by the build. */
function pageDir(): string {
  const dir = fileURLToPath(new URL('./page/', import.meta.url));
  if (!existsSync(`${dir}index.html`)) throw new Error(`inspector: the page's files are missing from ${dir} (npm run build copies them)`);
  return dir;
}

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'inspector.js': 'text/javascript; charset=utf-8',
  'inspector.css': 'text/css; charset=utf-8',
};

/** The page loads nothing from anywhere else (no CDN): a strict policy says so. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer', 'expect']);
const REPLAY_HEADER = 'x-edgeproxy-replay-of';
const REPLAY_WAIT_MS = 10_000;

function parseFilter(q: URLSearchParams): ListFilter {
  const statusRaw = q.get('status');
  let statusClass: number | undefined;
  if (statusRaw !== null && statusRaw !== '') {
    const m = /^([1-5])(?:xx)?$/i.exec(statusRaw);
    if (m === null) throw new AdminError('InvalidArgument', `status: expected a status class like 2xx or 4, got ${JSON.stringify(statusRaw)}`, 'status');
    statusClass = Number(m[1]);
  }
  const errRaw = q.get('error');
  if (errRaw !== null && errRaw !== '' && errRaw !== 'true' && errRaw !== 'false') {
    throw new AdminError('InvalidArgument', `error: expected true or false, got ${JSON.stringify(errRaw)}`, 'error');
  }
  const limitRaw = q.get('limit');
  let limit: number | undefined;
  if (limitRaw !== null && limitRaw !== '') {
    limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1) throw new AdminError('InvalidArgument', `limit: expected a whole number ≥ 1, got ${JSON.stringify(limitRaw)}`, 'limit');
  }
  const path = q.get('path');
  const xCache = q.get('xcache');
  return {
    path: path === null || path === '' ? undefined : path,
    statusClass,
    xCache: xCache === null || xCache === '' ? undefined : xCache,
    hasError: errRaw === 'true' ? true : errRaw === 'false' ? false : undefined,
    limit,
  };
}

interface ReplayEdit {
  method: string;
  target: string;
  headers: HeaderLine[];
  body: Buffer | undefined;
}

function headerLines(v: unknown, field: string): HeaderLine[] {
  if (!Array.isArray(v)) throw new AdminError('InvalidArgument', `${field}: expected an array of [name, value] pairs`, field);
  return v.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string' || p[0] === '') {
      throw new AdminError('InvalidArgument', `${field}[${i}]: expected [name, value] with a non-empty name, got ${JSON.stringify(p)}`, `${field}[${i}]`);
    }
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(p[0])) throw new AdminError('InvalidArgument', `${field}[${i}]: ${JSON.stringify(p[0])} is not a valid header name`, `${field}[${i}]`);
    if (/[\r\n\0]/.test(p[1])) throw new AdminError('InvalidArgument', `${field}[${i}]: the value of ${p[0]} contains CR, LF or NUL`, `${field}[${i}]`);
    return [p[0], p[1]] as const;
  });
}

/** edgeproxy's version from its package.json: the nearest one above this module named edgeproxy. */
function packageVersion(): string {
  let dir = new URL('./', import.meta.url);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('package.json', dir)), 'utf8'));
      if (isRecord(pkg) && pkg.name === 'edgeproxy' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look further up
    }
    dir = new URL('../', dir);
  }
  return 'unknown';
}

export function inspectorHandlers(inspector: Inspector, versionGiven?: string) {
  const dir = pageDir();
  const version = versionGiven ?? packageVersion();
  const files = new Map(Object.entries(FILES).map(([name, type]) => [name, { type, body: readFileSync(`${dir}${name}`) }]));
  const streams = new Set<ServerResponse>();

  const page: Handler = ({ res, params }) => {
    const name = params[0] === undefined || params[0] === '' ? 'index.html' : params[0];
    const f = files.get(name);
    if (f === undefined) throw new AdminError('NotFound', `no inspector file ${JSON.stringify(name)}`);
    res.writeHead(200, { 'content-type': f.type, 'content-length': f.body.length, 'cache-control': 'no-store', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
    res.end(f.body);
  };

  const redirect: Handler = ({ res }) => {
    res.writeHead(301, { location: '/inspector/', 'content-length': 0 });
    res.end();
  };

  const list: Handler = ({ res, query }) => {
    const exchanges = inspector.list(parseFilter(query));
    sendJson(res, 200, { exchanges, stats: inspector.stats() });
  };

  const one: Handler = ({ res, params }) => {
    const id = params[0] ?? '';
    const s = inspector.get(id);
    if (s === undefined) throw new AdminError('NotFound', `no exchange ${JSON.stringify(id)} (the inspector keeps the last ${inspector.settings.maxExchanges}; it may have been dropped or cleared)`, 'id');
    sendJson(res, 200, s.record());
  };

  const har: Handler = ({ res }) => {
    const body = `${JSON.stringify(harLog(inspector.all().map((s) => s.record()), version), null, 2)}\n`;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'content-disposition': 'attachment; filename="edgeproxy.har"',
    });
    res.end(body);
  };

  const clear: Handler = ({ req, res }) => {
    req.resume();
    const n = inspector.stats().exchanges;
    inspector.clear();
    sendJson(res, 200, { cleared: n });
  };

  const stream: Handler = ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const send = (e: InspectorEvent): void => {
      res.write(e.type === 'exchange' ? `event: exchange\ndata: ${JSON.stringify(e.summary)}\n\n` : 'event: clear\ndata: {}\n\n');
    };
    const off = inspector.subscribe(send);
    // A comment now and then keeps idle proxies and the browser from giving up on the stream.
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    beat.unref();
    streams.add(res);
    const done = (): void => {
      off();
      clearInterval(beat);
      streams.delete(res);
    };
    // The response's close (the viewer went away): a GET's request ends, and closes, at once.
    res.on('close', done);
  };

  const replay: Handler = async ({ req, res, params }) => {
    const id = params[0] ?? '';
    const s = inspector.get(id);
    if (s === undefined) throw new AdminError('NotFound', `no exchange ${JSON.stringify(id)} to replay (it may have been dropped or cleared)`, 'id');
    const text = await readBody(req);
    const edit = text.trim() === '' ? {} : parseJsonBody(text, '{"target": "/path?q", "headers": [["Name", "value"]]}');
    if (!isRecord(edit)) throw new AdminError('InvalidArgument', 'expected a JSON object: {"method"?, "target"?, "headers"?, "body"?}');
    const r = s.record();
    const out: ReplayEdit = { method: r.request.method, target: r.request.target, headers: [...r.request.headers], body: undefined };
    if (edit.method !== undefined) {
      if (typeof edit.method !== 'string' || !/^[A-Z]+$/.test(edit.method)) throw new AdminError('InvalidArgument', `method: expected an upper-case method like GET, got ${JSON.stringify(edit.method)}`, 'method');
      out.method = edit.method;
    }
    if (edit.target !== undefined) {
      if (typeof edit.target !== 'string' || !edit.target.startsWith('/') || /[\s]/.test(edit.target)) {
        throw new AdminError('InvalidArgument', `target: expected a path starting with "/" and no spaces, got ${JSON.stringify(edit.target)}`, 'target');
      }
      out.target = edit.target;
    }
    if (edit.headers !== undefined) out.headers = headerLines(edit.headers, 'headers');
    if (edit.body !== undefined) {
      if (typeof edit.body !== 'string') throw new AdminError('InvalidArgument', 'body: expected a string (UTF-8)', 'body');
      out.body = Buffer.from(edit.body, 'utf8');
    } else if (r.request.body !== undefined) {
      if (r.request.body.truncated) {
        throw new AdminError('InvalidArgument', `body: the captured body is ${r.request.body.size} bytes and only the first ${inspector.settings.bodyBytes} were kept; pass the body to replay with "body"`, 'body');
      }
      out.body = Buffer.from(r.request.body.text, r.request.body.encoding);
    } else {
      const cl = r.request.headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
      if (cl !== undefined && cl !== '0') throw new AdminError('InvalidArgument', `body: the original request's body (${cl} bytes) was never read, so it was not captured; pass it with "body"`, 'body');
    }
    const viewer = inspector.viewerUrl;
    if (viewer === undefined) throw new AdminError('ServiceUnavailable', 'the viewer listener is not running');
    const sent = await send(viewer, out, id);
    const replayed = await inspector.waitFor(sent.requestId, REPLAY_WAIT_MS);
    if (replayed === undefined) throw new AdminError('InternalError', `the replay (X-Amz-Cf-Id ${sent.requestId}) answered ${sent.status} but did not appear in the inspector within ${REPLAY_WAIT_MS / 1000} s`);
    sendJson(res, 201, { id: replayed.id, requestId: sent.requestId, status: sent.status, replayOf: id });
  };

  return {
    page,
    redirect,
    list,
    one,
    har,
    clear,
    stream,
    replay,
    /** Ends the live streams (the admin listener is closing). */
    close(): void {
      for (const r of streams) r.end();
      streams.clear();
    },
  };
}

/** Sends the replay through the viewer listener; resolves with the answer's status and X-Amz-Cf-Id once its body has been read. */
function send(viewer: string, r: ReplayEdit, of: string): Promise<{ status: number; requestId: string }> {
  const raw: string[] = [];
  for (const [n, v] of r.headers) {
    const lower = n.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === REPLAY_HEADER) continue;
    raw.push(n, v);
  }
  raw.push('X-Edgeproxy-Replay-Of', of);
  if (r.body !== undefined && r.body.length > 0) raw.push('Content-Length', String(r.body.length));
  const url = new URL(viewer);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: r.method, path: r.target, headers: raw, setHost: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        const id = res.headers['x-amz-cf-id'];
        if (typeof id !== 'string') reject(new AdminError('InternalError', `the replay answered ${res.statusCode ?? 0} without an X-Amz-Cf-Id`));
        else resolve({ status: res.statusCode ?? 0, requestId: id });
      });
      res.on('error', (e) => reject(new AdminError('InternalError', `replay: ${e.message}`)));
    });
    req.on('error', (e) => reject(new AdminError('InternalError', `replay: could not reach the viewer listener at ${viewer}: ${e.message}`)));
    req.end(r.body);
  });
}
