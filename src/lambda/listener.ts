// The Lambda API listener: its own port (`--lambda-port`, `lambda.port`, 127.0.0.1 by default),
// Lambda's REST paths, Invoke with its three invocation types, and the control-plane operations in
// control.ts. Requests are signed by the SDK with SigV4; the signature, key and Region are not
// checked (docs/lambda-api.md). Every answer carries `x-amzn-RequestId`; every refusal carries
// `X-Amzn-ErrorType` and Lambda's JSON body (errors.ts).

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { describeJsonError } from '../admin/json-error.js';
import { hostnameOf, isLoopbackName } from '../admin/loopback.js';
import * as control from './control.js';
import { errorBody, LambdaApiError } from './errors.js';
import type { InvocationResult, Invoker } from './invoke.js';
import { CLIENT_CONTEXT_LIMIT, LEGACY_ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT } from './limits.js';
import { parseFunctionRef } from './names.js';
import type { AsyncQueue } from './queue.js';
import type { Routing } from './routing.js';

interface ListenerDeps {
  routing: Routing;
  invoker: Invoker;
  queue: AsyncQueue;
  control: control.ControlDeps;
  /** Bytes an `Event` payload may have (1 MB, or 256 KB with lambda.legacyAsyncLimit). */
  asyncPayloadLimit: number;
  /** accountConcurrency − Σ reserved, for GetAccountSettings. */
  unreservedLimit: () => number;
  log: Logger;
}

/** Control-plane bodies above this are refused (they are a few hundred bytes). */
const CONTROL_BODY_LIMIT = 1024 * 1024;
/** How long close() lets a running synchronous invoke finish before cutting its connection. */
const FORCE_CLOSE_MS = 10_000;
/** A body over its limit is still read (to say how large it was) up to this, then the connection is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  params: string[];
  query: URLSearchParams;
}

type Handler = (ctx: Ctx) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

// ---- bodies -----------------------------------------------------------------------------------------

interface Body {
  bytes: Buffer;
  /** Bytes received, counted past the limit. */
  size: number;
  over: boolean;
}

/** Reads the body, keeping at most `limit` bytes; a larger one is counted (to DRAIN_LIMIT) for the message. */
function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (b: Body): void => {
      if (settled) return;
      settled = true;
      resolve(b);
    };
    if (Number.isFinite(declared) && declared > limit) {
      // The SDK always sends Content-Length: answer without reading what we would refuse anyway.
      req.resume();
      done({ bytes: Buffer.alloc(0), size: declared, over: true });
      return;
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      if (size > DRAIN_LIMIT) {
        req.destroy();
        done({ bytes: Buffer.alloc(0), size, over: true });
      }
    });
    req.on('end', () => done({ bytes: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), size, over: size > limit }));
    req.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
  });
}

async function jsonBody(ctx: Ctx): Promise<unknown> {
  const b = await readBody(ctx.req, CONTROL_BODY_LIMIT);
  if (b.over) throw new LambdaApiError('RequestEntityTooLargeException', `Request must be smaller than ${CONTROL_BODY_LIMIT} bytes for this operation`);
  const text = b.bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  const type = ctx.req.headers['content-type'];
  if (type !== undefined && !/^application\/(x-amz-)?json\b/i.test(type)) {
    throw new LambdaApiError('UnsupportedMediaTypeException', `Unsupported content type "${type}"; send application/json`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new LambdaApiError('InvalidRequestContentException', `Could not parse request body into json: ${describeJsonError(text)}`);
  }
}

// ---- answers ----------------------------------------------------------------------------------------

function send(res: ServerResponse, status: number, requestId: string, body: string | undefined, headers: Record<string, string> = {}): void {
  const h: Record<string, string | number> = { ...headers, 'x-amzn-requestid': requestId };
  if (body !== undefined) {
    h['content-type'] = 'application/json';
    h['content-length'] = Buffer.byteLength(body);
  } else h['content-length'] = 0;
  res.writeHead(status, h);
  res.end(body);
}

function reply(ctx: Ctx, r: control.Reply): void {
  send(ctx.res, r.status, ctx.requestId, r.body === undefined ? undefined : JSON.stringify(r.body));
}

export function sendError(res: ServerResponse, requestId: string, e: LambdaApiError): void {
  send(res, e.status, requestId, errorBody(e), { ...e.headers, 'x-amzn-errortype': e.code });
}

// ---- Invoke -----------------------------------------------------------------------------------------

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function invocationType(req: IncomingMessage): InvocationType {
  const v = header(req, 'x-amz-invocation-type');
  if (v === undefined || v === 'RequestResponse') return 'RequestResponse';
  if (v === 'Event' || v === 'DryRun') return v;
  throw new LambdaApiError('ValidationException', `1 validation error detected: Value '${v}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
}

function wantsTail(req: IncomingMessage): boolean {
  const v = header(req, 'x-amz-log-type');
  if (v === undefined || v === 'None') return false;
  if (v === 'Tail') return true;
  throw new LambdaApiError('ValidationException', `1 validation error detected: Value '${v}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`);
}

/** Checked like Lambda checks it; not passed to the function (docs/lambda-api.md, what is not emulated). */
function checkClientContext(req: IncomingMessage): void {
  const v = header(req, 'x-amz-client-context');
  if (v === undefined) return;
  let ok = v.length <= CLIENT_CONTEXT_LIMIT && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
  if (ok) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(v, 'base64').toString('utf8'));
      ok = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new LambdaApiError('InvalidRequestContentException', `Client context must be a valid Base64-encoded JSON object of at most ${CLIENT_CONTEXT_LIMIT} bytes.`);
}

/** The payload as JSON text for the function: empty means `{}` (docs/decisions.md); anything else must parse. */
function payloadJson(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return '{}';
  try {
    JSON.parse(text);
  } catch {
    throw new LambdaApiError('InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${describeJsonError(text)}`);
  }
  return text;
}

function invokeRoute(d: ListenerDeps, legacyAsync: boolean): Handler {
  return async (ctx) => {
    const { req, res, query } = ctx;
    const type: InvocationType = legacyAsync ? 'Event' : invocationType(req);
    const tail = type === 'RequestResponse' && wantsTail(req);
    checkClientContext(req);
    const ref = parseFunctionRef(ctx.params[0] ?? '', query.get('Qualifier') ?? undefined, (n) => d.routing.has(n));
    const limit = legacyAsync ? LEGACY_ASYNC_PAYLOAD_LIMIT : type === 'Event' ? d.asyncPayloadLimit : SYNC_PAYLOAD_LIMIT;
    const body = await readBody(req, limit);
    if (body.over) {
      if (body.size > DRAIN_LIMIT) return;
      res.setHeader('connection', 'close');
      // Lambda's two messages, for the two limits [O].
      throw new LambdaApiError(
        'RequestEntityTooLargeException',
        type === 'Event' ? `${body.size} byte payload is too large for the Event invocation type (limit ${limit} bytes)` : `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      );
    }
    d.routing.fn(ref.name);
    d.routing.checkQualifier(ref.name, ref.qualifier);
    const payload = payloadJson(body.bytes);
    if (type === 'DryRun') {
      send(res, 204, ctx.requestId, undefined);
      return;
    }
    if (type === 'Event') {
      d.queue.accept(ref, payload, ctx.requestId);
      if (legacyAsync) send(res, 202, ctx.requestId, JSON.stringify({ Status: 202 }));
      else send(res, 202, ctx.requestId, undefined);
      return;
    }
    const result = await d.invoker.run(d.routing.target(ref), payload, ctx.requestId, { tail });
    answerInvocation(ctx, result);
  };
}

function answerInvocation(ctx: Ctx, r: InvocationResult): void {
  switch (r.kind) {
    case 'ok':
    case 'function-error': {
      const headers: Record<string, string> = { 'x-amz-executed-version': r.version };
      if (r.kind === 'function-error') headers['x-amz-function-error'] = 'Unhandled';
      if (r.logResult !== undefined) headers['x-amz-log-result'] = r.logResult;
      send(ctx.res, 200, r.requestId, r.body, headers);
      return;
    }
    case 'throttled':
      // The body AWS sends for both reasons, "Rate Exceeded." (docs/cloudfront-reference.md §43.1).
      sendError(ctx.res, r.requestId, new LambdaApiError('TooManyRequestsException', r.message, { extra: { Reason: r.reason } }));
      return;
    case 'unavailable':
      sendError(ctx.res, r.requestId, new LambdaApiError('ServiceException', r.message));
      return;
    default: {
      const never: never = r;
      void never;
    }
  }
}

// ---- the route table --------------------------------------------------------------------------------

function routes(d: ListenerDeps): Route[] {
  const c = d.control;
  const name = (ctx: Ctx): string => {
    const raw = ctx.params[0] ?? '';
    return parseFunctionRef(raw, undefined, (n) => d.routing.has(n)).name;
  };
  /** A control-plane call on `name:qualifier` takes the qualifier as if it were the Qualifier parameter. */
  const query = (ctx: Ctx): URLSearchParams => {
    const ref = parseFunctionRef(ctx.params[0] ?? '', ctx.query.get('Qualifier') ?? undefined, (n) => d.routing.has(n));
    const q = new URLSearchParams(ctx.query);
    if (ref.qualifier !== undefined) q.set('Qualifier', ref.qualifier);
    return q;
  };
  const F = '/2015-03-31/functions/([^/]+)';
  const r = (method: string, path: string, handler: Handler): Route => ({ method, pattern: new RegExp(`^${path}/?$`), handler });
  return [
    r('POST', `${F}/invocations`, invokeRoute(d, false)),
    r('POST', '/2014-11-13/functions/([^/]+)/invoke-async', invokeRoute(d, true)),
    r('GET', '/2015-03-31/functions', (ctx) => reply(ctx, control.listFunctions(c, ctx.query))),
    r('GET', F, (ctx) => reply(ctx, control.getFunction(c, name(ctx), query(ctx)))),
    r('GET', `${F}/configuration`, (ctx) => reply(ctx, control.getFunctionConfiguration(c, name(ctx), query(ctx)))),
    r('POST', `${F}/versions`, async (ctx) => reply(ctx, await control.publishVersion(c, name(ctx), await jsonBody(ctx)))),
    r('GET', `${F}/versions`, (ctx) => reply(ctx, control.listVersions(c, name(ctx), ctx.query))),
    r('POST', `${F}/aliases`, async (ctx) => reply(ctx, control.createAlias(c, name(ctx), await jsonBody(ctx)))),
    r('GET', `${F}/aliases`, (ctx) => reply(ctx, control.listAliases(c, name(ctx), ctx.query))),
    r('GET', `${F}/aliases/([^/]+)`, (ctx) => reply(ctx, control.getAlias(c, name(ctx), ctx.params[1] ?? ''))),
    r('PUT', `${F}/aliases/([^/]+)`, async (ctx) => reply(ctx, control.updateAlias(c, name(ctx), ctx.params[1] ?? '', await jsonBody(ctx)))),
    r('DELETE', `${F}/aliases/([^/]+)`, (ctx) => reply(ctx, control.deleteAlias(c, name(ctx), ctx.params[1] ?? ''))),
    r('PUT', '/2017-10-31/functions/([^/]+)/concurrency', async (ctx) => reply(ctx, control.putConcurrency(c, name(ctx), await jsonBody(ctx)))),
    r('DELETE', '/2017-10-31/functions/([^/]+)/concurrency', (ctx) => reply(ctx, control.deleteConcurrency(c, name(ctx)))),
    r('GET', '/2019-09-30/functions/([^/]+)/concurrency', (ctx) => reply(ctx, control.getConcurrency(c, name(ctx)))),
    r('PUT', '/2019-09-25/functions/([^/]+)/event-invoke-config', async (ctx) => reply(ctx, control.putEventInvokeConfig(c, name(ctx), query(ctx), await jsonBody(ctx), false))),
    r('POST', '/2019-09-25/functions/([^/]+)/event-invoke-config', async (ctx) => reply(ctx, control.putEventInvokeConfig(c, name(ctx), query(ctx), await jsonBody(ctx), true))),
    r('GET', '/2019-09-25/functions/([^/]+)/event-invoke-config', (ctx) => reply(ctx, control.getEventInvokeConfig(c, name(ctx), query(ctx)))),
    r('DELETE', '/2019-09-25/functions/([^/]+)/event-invoke-config', (ctx) => reply(ctx, control.deleteEventInvokeConfig(c, name(ctx), query(ctx)))),
    r('GET', '/2019-09-25/functions/([^/]+)/event-invoke-config/list', (ctx) => reply(ctx, control.listEventInvokeConfigs(c, name(ctx), ctx.query))),
    r('GET', '/2016-08-19/account-settings', (ctx) => reply(ctx, control.accountSettings(c, d.unreservedLimit()))),
  ];
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new LambdaApiError('ValidationException', `1 validation error detected: invalid percent-encoding in path segment ${JSON.stringify(s)}`);
  }
}

export interface LambdaListener {
  url: string;
  /** Stops accepting; resolves once every connection has ended. */
  close(): Promise<void>;
}

export async function startListener(d: ListenerDeps, listen: { host: string; port: number }): Promise<LambdaListener> {
  const table = routes(d);
  const loopbackOnly = isLoopbackName(listen.host);
  const server: Server = createServer((req, res) => {
    const requestId = randomUUID();
    const fail = (e: unknown): void => {
      let err: LambdaApiError;
      if (e instanceof LambdaApiError) err = e;
      else {
        d.log.error(`edgeproxy: lambda API ${req.method ?? ''} ${req.url ?? ''} failed: ${e instanceof Error ? e.message : String(e)}`);
        err = new LambdaApiError('ServiceException', 'edgeproxy could not complete the request; its log says why');
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      req.resume();
      sendError(res, requestId, err);
    };
    try {
      // A web page must not reach the functions through a DNS name that points at 127.0.0.1.
      const host = hostnameOf(req.headers.host ?? '');
      if (loopbackOnly && (host === undefined || !isLoopbackName(host))) {
        throw new LambdaApiError('AccessDeniedException', `the Lambda API listener answers only requests addressed to a loopback name (got Host: ${JSON.stringify(req.headers.host ?? '')})`);
      }
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const pathname = q === -1 ? raw : raw.slice(0, q);
      const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
      let known = false;
      for (const route of table) {
        const m = route.pattern.exec(pathname);
        if (m === null) continue;
        known = true;
        if (route.method !== req.method) continue;
        const params = m.slice(1).map(decode);
        const done = route.handler({ req, res, requestId, params, query });
        if (done !== undefined) done.catch(fail);
        return;
      }
      throw new LambdaApiError('UnknownOperationException', known ? `${req.method ?? ''} is not an operation on ${pathname}` : `no Lambda operation at ${req.method ?? ''} ${pathname} (docs/lambda-api.md lists the emulated ones)`);
    } catch (e) {
      fail(e);
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  const addr = await new Promise<AddressInfo>((resolve, reject) => {
    const onError = (e: Error): void => reject(new Error(`lambda listener: cannot listen on ${listen.host}:${listen.port}: ${e.message}`));
    server.once('error', onError);
    server.listen(listen.port, listen.host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          resolve();
        });
        // Connections go as soon as they are idle; a synchronous invoke still running gets its answer
        // first (the runtime's close ends it), and anything still open after FORCE_CLOSE_MS is cut.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const force = setTimeout(() => server.closeAllConnections(), FORCE_CLOSE_MS);
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
