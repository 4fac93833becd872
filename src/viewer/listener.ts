// The viewer listener's connection rules: how long a viewer may take to send a request head, to stay
// idle between requests and to send the next piece of a body; how many connections may sit waiting
// for a request at once; and how a connection whose bytes cannot be trusted is answered and closed —
// after the responses already owed on it, in order (RFC 9112 §9.3.2: responses to pipelined requests
// go in the order the requests were received).

import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_CLOSE_LINGER_MS, DEFAULT_VIEWER_MAX_HEADER_BYTES } from '../config/defaults.js';
import { EdgeError } from '../errors.js';
import { answerOnSocket, clientErrorOf } from '../pipeline/client-error.js';
import type { Env } from '../pipeline/env.js';
import { connectionEnding, markAnsweredByListener } from './connection-state.js';
import { checkViewerRequest } from './guard.js';

interface ViewerLimits {
  /** From a request's first byte (a connection's start, for its first request) to the end of its head. */
  readonly requestHeadTimeoutMs: number;
  /** Idle time between a response's end and the next request's first byte. */
  readonly keepAliveTimeoutMs: number;
  /** Longest gap between two pieces of a request body. */
  readonly requestBodyTimeoutMs: number;
  /** Connections with no request in progress (waiting for a head, or idle) beyond which new ones are refused. */
  readonly maxPendingConnections: number;
}

type ListenerEnv = Pick<Env, 'config' | 'viaSuffix' | 'log'>;

/** Node's own per-socket slot for the response being written (`null` between requests). */
interface ViewerSocket extends Socket {
  _httpMessage?: ServerResponse | null;
}

/** Node's HTTP server options for these limits; everything else stays Node's default. */
export function viewerServerOptions(limits: ViewerLimits): ServerOptions {
  return {
    // Above CloudFront's 20,480-byte cap (docs/cloudfront-reference.md §3.5), so edgeproxy answers 413, not Node.
    maxHeaderSize: DEFAULT_VIEWER_MAX_HEADER_BYTES,
    // viewer/guard.ts answers a missing Host with CloudFront's page; Node's would be a bare 400.
    requireHostHeader: false,
    headersTimeout: limits.requestHeadTimeoutMs,
    // No bound on a whole request: a long upload is fine as long as no gap exceeds the body timeout.
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node checks the head timeout: a quarter of it, so a slow head is cut within 25 % late.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.requestHeadTimeoutMs / 4))),
  };
}

interface ViewerListener {
  /**
   * Per parsed request, before the pipeline: false when the request must not run (an earlier answer
   * on its connection ends it); else watches its body, if it has one, and returns true.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * An Upgrade request: false when it was refused (answered and closed here); else its connection
   * leaves the listener's count (it is a tunnel now, not an HTTP connection waiting for a request).
   */
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean;
  /** Connections open now, and how many of them have no request in progress. */
  counts(): { open: number; pending: number };
}

function hasBody(raw: readonly string[]): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (raw[i + 1] !== '0') return true;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true;
  }
  return false;
}

interface BodyWatch {
  req: IncomingMessage;
  res: ServerResponse;
  bytesRead: number;
  since: number;
}

/** Installs the rules on the viewer listener (created with viewerServerOptions). */
export function guardListener(server: Server, env: ListenerEnv, limits: ViewerLimits): ViewerListener {
  const sockets = new Set<ViewerSocket>();
  /** Sockets being answered and closed: later errors on them are noise. */
  const closing = new WeakSet<Duplex>();
  const log = env.log;

  const pendingCount = (): number => {
    let n = 0;
    for (const s of sockets) if (!s._httpMessage) n++;
    return n;
  };

  // ---- the cap on connections without a request in progress ----
  let refusedSinceLine = 0;
  let lastLine = -Infinity;
  server.on('connection', (socket: ViewerSocket) => {
    // Counting costs a pass over the sockets, so only once there are enough of them to matter.
    if (sockets.size >= limits.maxPendingConnections) {
      const pending = pendingCount();
      if (pending >= limits.maxPendingConnections) {
        refusedSinceLine++;
        const now = performance.now();
        if (now - lastLine >= 1000) {
          log.warn(
            `viewer listener: ${pending} connections are waiting for a request (limit listen.maxPendingConnections = ${limits.maxPendingConnections}); ` +
              `refused ${refusedSinceLine} new connection(s), the last from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
          );
          lastLine = now;
          refusedSinceLine = 0;
        }
        socket.destroy();
        return;
      }
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  /** Closes the socket once the peer has had a moment to read the answer. */
  const linger = (socket: Duplex): void => {
    const t = setTimeout(() => socket.destroy(), DEFAULT_CLOSE_LINGER_MS);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  };

  /**
   * `req`'s body broke or stalled: answer it (when its response has not started and is next in line),
   * then cut the request so whatever reads the body — a function's includeBody, the origin upload —
   * stops, and the origin never gets a complete request.
   */
  const refuseInFlight = (req: IncomingMessage, res: ServerResponse, e: EdgeError): void => {
    const socket = req.socket as ViewerSocket;
    markAnsweredByListener(req);
    closing.add(socket);
    const current = socket._httpMessage;
    if (current && current !== res && !socket.destroyed) {
      // Earlier pipelined responses first.
      current.once('close', () => refuseInFlight(req, res, e));
      return;
    }
    const what = `${req.method ?? '?'} ${req.url ?? '?'}`;
    if (res.headersSent || !socket.writable) {
      log.warn(`${what} → connection closed: ${e.describe()}`);
      req.destroy();
      return;
    }
    answerOnSocket(env, e, socket, what);
    // Cut the request once the answer is on its way.
    socket.once('finish', () => req.destroy());
    linger(socket);
  };

  /** The error is about bytes after the responses owed on this socket: answer once they are done. */
  const refuseAfterPending = (socket: ViewerSocket, e: EdgeError | undefined): void => {
    const current = socket._httpMessage;
    if (current && !socket.destroyed) {
      const req = current.req;
      if (!req.complete) {
        refuseInFlight(req, current, e ?? new EdgeError('BadRequest', 'malformed request body', { stage: 'request' }));
        return;
      }
      current.once('close', () => refuseAfterPending(socket, e));
      return;
    }
    if (e === undefined || !socket.writable) {
      socket.destroy();
      return;
    }
    answerOnSocket(env, e, socket);
    linger(socket);
  };

  server.on('clientError', (err: Error & { code?: string }, socket: ViewerSocket) => {
    if (closing.has(socket)) return;
    // The viewer went away (or half closed): nobody to answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    closing.add(socket);
    let e: EdgeError | undefined;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // A connection that never sent a byte gets no answer, only a close; a started head gets 408.
      e =
        socket.bytesRead === 0 && !socket._httpMessage
          ? undefined
          : new EdgeError('RequestTimeout', `request head not complete within ${limits.requestHeadTimeoutMs} ms`, { stage: 'request' });
    } else {
      e = clientErrorOf(err);
    }
    const current = socket._httpMessage;
    // The answer in progress ends the connection already (say, the refusal of an invalid
    // Transfer-Encoding, which also breaks the body): nothing more is owed.
    if (current && connectionEnding(current.req)) return;
    if (current && !current.req.complete) {
      // A parse error inside the body of the request being answered.
      refuseInFlight(current.req, current, e ?? clientErrorOf(err));
      return;
    }
    refuseAfterPending(socket, e);
  });

  // CONNECT asks a forward proxy for a tunnel (RFC 9110 §9.3.6); its authority-form target means
  // nothing to a distribution (RFC 9112 §3.2.3).
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    closing.add(socket);
    const e = new EdgeError('BadRequest', `CONNECT ${req.url ?? ''}: edgeproxy is not a forward proxy`, { stage: 'request', field: 'method' });
    answerOnSocket(env, e, socket, `CONNECT ${req.url ?? ''}`);
    linger(socket);
  });

  // ---- request bodies: one sweep for all of them ----
  const bodies = new Map<IncomingMessage, BodyWatch>();
  let sweep: NodeJS.Timeout | undefined;
  const sweepEvery = Math.max(10, Math.min(1000, Math.floor(limits.requestBodyTimeoutMs / 4)));
  const sweepBodies = (): void => {
    const now = performance.now();
    for (const w of bodies.values()) {
      const { req } = w;
      if (req.complete || req.destroyed) {
        bodies.delete(req);
        continue;
      }
      const read = req.socket.bytesRead;
      // Bytes arrived, or bytes are waiting for us to read them (the origin or a function is slow):
      // the viewer is not the one stalling.
      if (read !== w.bytesRead || req.readableLength > 0) {
        w.bytesRead = read;
        w.since = now;
        continue;
      }
      if (now - w.since >= limits.requestBodyTimeoutMs) {
        bodies.delete(req);
        refuseInFlight(req, w.res, new EdgeError('RequestTimeout', `no request body bytes for ${limits.requestBodyTimeoutMs} ms`, { stage: 'request' }));
      }
    }
    if (bodies.size === 0 && sweep !== undefined) {
      clearInterval(sweep);
      sweep = undefined;
    }
  };
  server.once('close', () => {
    if (sweep !== undefined) clearInterval(sweep);
    bodies.clear();
  });

  return {
    admit(req, res) {
      if (connectionEnding(req)) return false;
      if (!hasBody(req.rawHeaders)) return true;
      bodies.set(req, { req, res, bytesRead: req.socket.bytesRead, since: performance.now() });
      req.once('end', () => bodies.delete(req));
      if (sweep === undefined) {
        sweep = setInterval(sweepBodies, sweepEvery);
        sweep.unref();
      }
      return true;
    },
    admitUpgrade(req, socket) {
      const refused = checkViewerRequest(req);
      if (refused === undefined) {
        sockets.delete(socket as ViewerSocket);
        return true;
      }
      closing.add(socket);
      answerOnSocket(env, refused, socket, `${req.method ?? '?'} ${req.url ?? '?'}`);
      linger(socket);
      return false;
    },
    counts() {
      return { open: sockets.size, pending: pendingCount() };
    },
  };
}
