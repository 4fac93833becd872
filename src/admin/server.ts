// The admin listener (docs/admin.md): invalidations, the cache listing,
// metrics and version publishing on a port of its own, apart from viewer traffic. JSON in and out;
// every refusal is `{ "error": { code, message, field? } }`. Nothing here runs per viewer request.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CacheStore } from '../cache/store.js';
import type { Clock } from '../cache/clock.js';
import { inspectorHandlers } from '../inspector/api.js';
import type { Inspector } from '../inspector/inspector.js';
import type { SinkAdmin } from '../lambda/api.js';
import type { Logger } from '../log.js';
import type { MetricsSource } from '../observe/types.js';
import { ADMIN_ERRORS, AdminError, PUBLISH_ERRORS, type AdminErrorCode } from './errors.js';
import { parseJsonBody, readBody, sendError, sendJson, sendText } from './http.js';
import { kvsHandlers, type KvsAccess } from './kvs.js';
import { hostnameOf, isLoopbackName } from './loopback.js';
import { createHistory, HISTORY_LIMIT, INVALIDATION_EXAMPLE, invalidationId, parseInvalidationRequest, type InvalidationRecord } from './invalidations.js';

export interface AdminDeps {
  store: CacheStore;
  clock: Clock;
  log: Logger;
  metrics: MetricsSource | undefined;
  /** Publishes $LATEST of a function as a new version (docs/versions.md); undefined when not available. */
  publish: ((functionId: string) => Promise<{ version: string; created: boolean }>) | undefined;
  distributionId: string;
  /** The Lambda API's dead-letter and destination sinks (docs/lambda-api.md); undefined when its listener is off. */
  lambdaSinks?: SinkAdmin | undefined;
  /** CloudFront Functions' key value stores (docs/cloudfront-functions.md); undefined = none. */
  keyValueStores?: KvsAccess | undefined;
  /** The inspector (docs/inspector.md), when capture is on; its page and API are under /inspector/. */
  inspector?: Inspector | undefined;
  /** edgeproxy's version, for the HAR export's creator. */
  version?: string | undefined;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

/** Prometheus text exposition format 0.0.4. */
const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters captured by the route pattern, decoded. */
  params: string[];
  query: URLSearchParams;
}

type Method = 'GET' | 'POST';
type Handler = (ctx: Ctx) => Promise<void> | void;

interface Route {
  /** As shown in the index (`/functions/{name}/versions`). */
  path: string;
  pattern: RegExp;
  methods: Partial<Record<Method, { handler: Handler; description: string }>>;
}

/**
 * A web page must not drive the admin API through the viewer's browser: on a loopback listener the
 * Host must be a loopback name (DNS rebinding), and a browser's cross-origin POST (its Origin differs
 * from the Host) is refused. curl and the CLI send no Origin and a loopback Host.
 */
function guard(req: IncomingMessage, loopbackOnly: boolean): void {
  const host = req.headers.host ?? '';
  if (loopbackOnly) {
    const name = hostnameOf(host);
    if (name === undefined || !isLoopbackName(name)) {
      throw new AdminError('ForbiddenHost', `the admin listener answers only requests addressed to a loopback name (got Host: ${JSON.stringify(host)})`);
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined && req.method !== 'GET' && req.method !== 'HEAD') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== host.toLowerCase()) {
      throw new AdminError('CrossOrigin', `cross-origin ${req.method ?? ''} refused (Origin: ${origin}); call the admin API from curl or edgeproxy's CLI`);
    }
  }
}

function decodeSegment(s: string, field: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AdminError('InvalidArgument', `${field}: invalid percent-encoding in ${JSON.stringify(s)}`, field);
  }
}

function wantsJson(ctx: Ctx): boolean {
  const format = ctx.query.get('format');
  if (format !== null) {
    if (format === 'json') return true;
    if (format === 'prometheus' || format === 'text') return false;
    throw new AdminError('InvalidArgument', `format: expected json or prometheus, got ${JSON.stringify(format)}`, 'format');
  }
  return /\bapplication\/json\b/i.test(ctx.req.headers.accept ?? '');
}

/**
 * The admin code for a failed publish: by the code registry's PublishError code (by code, not class:
 * style guide); a publisher without codes that says "unknown function" is an UnknownFunction, any other
 * failure a PublishFailed.
 */
function publishFailureCode(e: unknown): AdminErrorCode {
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  if (typeof code === 'string' && Object.hasOwn(PUBLISH_ERRORS, code)) return PUBLISH_ERRORS[code as keyof typeof PUBLISH_ERRORS];
  if (code === undefined && e instanceof Error && /unknown function|no such function/i.test(e.message)) return 'UnknownFunction';
  return 'PublishFailed';
}

/** The inspector's page and API (src/inspector/api.ts), or one route that says how to turn it on. */
function inspectorRoutes(deps: AdminDeps): { routes: Route[]; close(): void } {
  if (deps.inspector === undefined) {
    const off: Handler = () => {
      throw new AdminError('NotFound', 'the inspector is off: start edgeproxy with --inspector (or "inspector": { "capture": true } in the config)');
    };
    return { routes: [{ path: '/inspector/…', pattern: /^\/inspector(?:\/.*)?$/, methods: { GET: { handler: off, description: 'the inspector (off: start with --inspector)' }, POST: { handler: off, description: 'the inspector (off)' } } }], close() {} };
  }
  const h = inspectorHandlers(deps.inspector, deps.version);
  return {
    close: h.close,
    routes: [
      { path: '/inspector', pattern: /^\/inspector$/, methods: { GET: { handler: h.redirect, description: 'redirects to /inspector/' } } },
      { path: '/inspector/', pattern: /^\/inspector\/((?:index\.html|inspector\.js|inspector\.css)?)$/, methods: { GET: { handler: h.page, description: 'the inspector page: every request, stage by stage, live' } } },
      { path: '/inspector/api/exchanges', pattern: /^\/inspector\/api\/exchanges$/, methods: { GET: { handler: h.list, description: 'captured exchanges, newest first; ?path=text&status=2xx&xcache=Hit&error=true&limit=N' } } },
      { path: '/inspector/api/exchanges/{id}', pattern: /^\/inspector\/api\/exchanges\/([^/]+)$/, methods: { GET: { handler: h.one, description: 'one exchange: request, functions (event, result, diff, logs), cache, origin, response, steps' } } },
      {
        path: '/inspector/api/exchanges/{id}/replay',
        pattern: /^\/inspector\/api\/exchanges\/([^/]+)\/replay$/,
        methods: { POST: { handler: h.replay, description: 're-send the captured viewer request through the viewer listener; optional {"method","target","headers","body"} edits' } },
      },
      { path: '/inspector/api/stream', pattern: /^\/inspector\/api\/stream$/, methods: { GET: { handler: h.stream, description: 'Server-Sent Events: `exchange` (a list row) per finished request, `clear`' } } },
      { path: '/inspector/api/har', pattern: /^\/inspector\/api\/har$/, methods: { GET: { handler: h.har, description: 'HAR 1.2 of the captured exchanges, details in _edgeproxy fields' } } },
      { path: '/inspector/api/clear', pattern: /^\/inspector\/api\/clear$/, methods: { POST: { handler: h.clear, description: 'forget every captured exchange' } } },
    ],
  };
}

function buildRoutes(deps: AdminDeps, inspector: Route[]): Route[] {
  const history = createHistory();

  const createInvalidation: Handler = async ({ req, res }) => {
    const request = parseInvalidationRequest(parseJsonBody(await readBody(req), INVALIDATION_EXAMPLE));
    const previous = history.previous(request);
    if (previous !== undefined) {
      // CloudFront returns the earlier invalidation and invalidates nothing again.
      sendJson(res, 201, { Invalidation: previous, removed: [], removedPaths: [], removedCount: 0 }, { location: `/invalidations/${previous.Id}` });
      return;
    }
    const result = deps.store.invalidate(request.paths);
    const id = invalidationId();
    const rec: InvalidationRecord = {
      Id: id,
      Status: 'Completed',
      CreateTime: new Date(deps.clock.now()).toISOString(),
      InvalidationBatch: {
        Paths: { Quantity: request.paths.length, Items: request.paths },
        CallerReference: request.callerReference ?? `edgeproxy-${id}`,
      },
    };
    history.add(rec);
    deps.log.info(`admin: invalidation ${id} (${request.paths.join(' ')}) removed ${result.removed.length} object${result.removed.length === 1 ? '' : 's'}`);
    sendJson(res, 201, { Invalidation: rec, removed: result.removed, removedPaths: result.paths, removedCount: result.removed.length }, { location: `/invalidations/${id}` });
  };

  const listInvalidations: Handler = ({ res }) => {
    const items = history.list().map((r) => ({ Id: r.Id, CreateTime: r.CreateTime, Status: r.Status }));
    sendJson(res, 200, { InvalidationList: { Quantity: items.length, Items: items } });
  };

  const getInvalidation: Handler = ({ res, params }) => {
    const id = params[0] ?? '';
    const rec = history.get(id);
    if (rec === undefined) throw new AdminError('NoSuchInvalidation', `no invalidation with id ${JSON.stringify(id)} (the last ${HISTORY_LIMIT} are kept)`, 'id');
    sendJson(res, 200, { Invalidation: rec });
  };

  const listCache: Handler = ({ res, query }) => {
    const prefix = query.get('path');
    if (prefix !== null && !prefix.startsWith('/')) {
      throw new AdminError('InvalidArgument', `path: must start with "/" (got ${JSON.stringify(prefix)})`, 'path');
    }
    let entries = deps.store.list();
    if (prefix !== null) entries = entries.filter((e) => e.path.startsWith(prefix));
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    sendJson(res, 200, { entries, stats: deps.store.stats() });
  };

  const metrics: Handler = (ctx) => {
    const json = wantsJson(ctx);
    if (deps.metrics === undefined) throw new AdminError('MetricsUnavailable', 'metrics are not collected by this edgeproxy instance');
    if (json) sendJson(ctx.res, 200, deps.metrics.json());
    else sendText(ctx.res, 200, PROMETHEUS_TYPE, deps.metrics.prometheus());
  };

  const publish: Handler = async ({ req, res, params }) => {
    req.resume(); // PublishVersion's optional body (Description, CodeSha256) is not modelled
    const name = params[0] ?? '';
    if (deps.publish === undefined) {
      throw new AdminError('NotImplemented', 'publishing versions is not available in this edgeproxy instance (no code registry)');
    }
    let out: { version: string; created: boolean };
    try {
      out = await deps.publish(name);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const code = publishFailureCode(e);
      if (code === 'UnknownFunction') throw new AdminError(code, message.includes(name) ? message : `unknown function ${JSON.stringify(name)}: ${message}`, 'name');
      // The registry is shutting down with the proxy: not the caller's fault.
      if (code === 'ServiceUnavailable') throw new AdminError(code, message);
      throw new AdminError(code, `publishing ${JSON.stringify(name)} failed: ${message}`, 'name');
    }
    deps.log.info(out.created ? `admin: published ${name} version ${out.version}` : `admin: ${name} unchanged since version ${out.version}, no new version`);
    sendJson(res, out.created ? 201 : 200, { FunctionName: name, Version: out.version, created: out.created });
  };

  const sinks = (): SinkAdmin => {
    if (deps.lambdaSinks === undefined) throw new AdminError('NotFound', 'the Lambda API listener is not running (start edgeproxy with --lambda-port or a "lambda" config section)');
    return deps.lambdaSinks;
  };
  const listSinks: Handler = ({ res }) => sendJson(res, 200, { sinks: sinks().list() });
  const sinkMessages: Handler = ({ res, params }) => {
    const target = params[0] ?? '';
    const messages = sinks().messages(target);
    if (messages === undefined) throw new AdminError('NotFound', `no messages were delivered to ${JSON.stringify(target)}; GET /lambda/sinks lists the targets`, 'arn');
    sendJson(res, 200, { target, messages });
  };
  const redrive: Handler = async ({ req, res, params }) => {
    req.resume();
    const target = params[0] ?? '';
    const s = sinks();
    if (s.messages(target) === undefined) throw new AdminError('NotFound', `no messages were delivered to ${JSON.stringify(target)}; GET /lambda/sinks lists the targets`, 'arn');
    const out = await s.redrive(target);
    deps.log.info(`admin: redrove ${out.redriven} event${out.redriven === 1 ? '' : 's'} from ${target}`);
    sendJson(res, 200, { target, ...out });
  };

  const kvs = kvsHandlers(deps.keyValueStores, deps.log);
  const routes: Route[] = [
    {
      path: '/invalidations',
      pattern: /^\/invalidations$/,
      methods: {
        POST: { handler: createInvalidation, description: `invalidate cached objects: ${INVALIDATION_EXAMPLE} (or CloudFront's InvalidationBatch)` },
        GET: { handler: listInvalidations, description: 'past invalidations, newest first' },
      },
    },
    { path: '/invalidations/{id}', pattern: /^\/invalidations\/([^/]+)$/, methods: { GET: { handler: getInvalidation, description: 'one past invalidation' } } },
    { path: '/cache', pattern: /^\/cache$/, methods: { GET: { handler: listCache, description: 'cached objects (key, size, age, TTL left, hits) and store stats; ?path=/prefix filters' } } },
    { path: '/metrics', pattern: /^\/metrics$/, methods: { GET: { handler: metrics, description: 'metrics in Prometheus text format; ?format=json or Accept: application/json for JSON' } } },
    {
      path: '/functions/{name}/versions',
      pattern: /^\/functions\/([^/]+)\/versions$/,
      methods: { POST: { handler: publish, description: "publish the function's $LATEST code as a new numbered version" } },
    },
    { path: '/lambda/sinks', pattern: /^\/lambda\/sinks$/, methods: { GET: { handler: listSinks, description: 'dead-letter queues and destinations of async invocations, with message counts' } } },
    { path: '/lambda/sinks/{arn}', pattern: /^\/lambda\/sinks\/([^/]+)$/, methods: { GET: { handler: sinkMessages, description: 'the messages delivered to one target (percent-encode the ARN)' } } },
    { path: '/key-value-stores', pattern: /^\/key-value-stores$/, methods: { GET: { handler: kvs.list, description: "CloudFront Functions' key value stores (name, id, ETag, item count)" } } },
    { path: '/key-value-stores/{name}', pattern: /^\/key-value-stores\/([^/]+)$/, methods: { GET: { handler: kvs.describeStore, description: 'DescribeKeyValueStore: ETag, ItemCount, TotalSizeInBytes' } } },
    {
      path: '/key-value-stores/{name}/keys',
      pattern: /^\/key-value-stores\/([^/]+)\/keys$/,
      methods: {
        GET: { handler: kvs.listKeys, description: 'ListKeys: ?MaxResults=1-50&NextToken=…' },
        POST: { handler: kvs.updateKeys, description: 'UpdateKeys: {"Puts": [{"Key","Value"}], "Deletes": [{"Key"}]} with If-Match: <ETag>' },
      },
    },
    { path: '/key-value-stores/{name}/keys/{key}', pattern: /^\/key-value-stores\/([^/]+)\/keys\/([^/]+)$/, methods: { GET: { handler: kvs.getKey, description: 'GetKey: one key\'s value' } } },
    {
      path: '/lambda/sinks/{arn}/redrive',
      pattern: /^\/lambda\/sinks\/([^/]+)\/redrive$/,
      methods: { POST: { handler: redrive, description: "send a target's stored events back to their functions as new async invocations" } },
    },
    ...inspector,
  ];
  const index: Handler = ({ res }) => {
    sendJson(res, 200, {
      service: 'edgeproxy admin',
      distributionId: deps.distributionId,
      routes: routes.flatMap((r) => Object.entries(r.methods).map(([method, m]) => ({ method, path: r.path, description: m.description }))),
    });
  };
  routes.unshift({ path: '/', pattern: /^\/$/, methods: { GET: { handler: index, description: 'this index' } } });
  return routes;
}

function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): Promise<void> | void {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const pathname = q === -1 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (m === null) continue;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const entry = method === 'GET' || method === 'POST' ? route.methods[method] : undefined;
    if (entry === undefined) {
      const allow = Object.keys(route.methods);
      if (allow.includes('GET')) allow.push('HEAD');
      throw new AdminError('MethodNotAllowed', `${req.method ?? ''} ${route.path}: method not allowed (allowed: ${allow.join(', ')})`, undefined, {
        allow: allow.join(', '),
      });
    }
    if (method === 'GET') req.resume();
    const params = m.slice(1).map((s) => decodeSegment(s, route.path));
    return entry.handler({ req, res, params, query });
  }
  req.resume();
  throw new AdminError('NotFound', `no admin route ${JSON.stringify(pathname)}; GET / lists the routes`);
}

function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(Object.assign(new Error(`admin listener: cannot listen on ${host}:${port}: ${e.message}`), { code: (e as { code?: unknown }).code, cause: e }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startAdmin(deps: AdminDeps, listen: { host: string; port: number }): Promise<AdminServer> {
  const inspector = inspectorRoutes(deps);
  const routes = buildRoutes(deps, inspector.routes);
  const loopbackOnly = isLoopbackName(listen.host);
  const server = createServer((req, res) => {
    const fail = (e: unknown): void => {
      const err = e instanceof AdminError ? e : new AdminError('InternalError', `admin ${req.method ?? ''} ${req.url ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
      if (err.status === 500) deps.log.error(`edgeproxy: ${err.message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // After a 413 the rest of the body is unread: close rather than parse it as the next request.
      if (err.status === 413) res.setHeader('connection', 'close');
      sendError(res, err);
    };
    try {
      guard(req, loopbackOnly);
      const done = dispatch(routes, req, res);
      if (done !== undefined) done.catch(fail);
    } catch (e) {
      fail(e);
    }
  });
  // A request Node's parser rejects gets the same JSON refusal as any other (BadRequest).
  server.on('clientError', (err: Error & { code?: string }, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = `${JSON.stringify({ error: { code: 'BadRequest', message: `malformed request: ${err.code ?? 'error'}: ${err.message}` } }, null, 2)}\n`;
    socket.end(
      `HTTP/1.1 ${ADMIN_ERRORS.BadRequest.status} Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  const addr = await listenOn(server, listen.port, listen.host);
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        inspector.close();
        // Admin requests are short: idle keep-alive sockets go now, anything else after a moment.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}
