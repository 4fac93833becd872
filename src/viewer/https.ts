// The HTTPS viewer listener (docs/cloudfront-reference.md §16): TLS with the configured certificate or
// a self-signed one for localhost (kept in the state folder, so it is trusted once), HTTP/2 through
// ALPN when the distribution's httpVersion offers it, HTTP/1.1 for clients that do not ask for it.
// Only started when `listen.https` is configured: the plain-HTTP listener is untouched by it.

import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import path from 'node:path';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { DEFAULT_VIEWER_MAX_HEADER_BYTES } from '../config/defaults.js';
import type { ResolvedConfig, ResolvedHttpsListener } from '../config/types.js';
import { viewerServerOptions } from './listener.js';
import { recordTlsFacts, type TlsFacts } from './tls-facts.js';

export interface TlsCredentials {
  readonly key: Buffer;
  readonly cert: Buffer;
  /** Set for the certificate edgeproxy made: where it is and its SHA-256 fingerprint, to trust it. */
  readonly selfSigned: { readonly certFile: string; readonly fingerprint: string; readonly created: boolean } | undefined;
}

/** Names the self-signed certificate is valid for. */
const LOCAL_NAMES = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };
/** A reused certificate must stay valid at least this long, else a new one is made. */
const MIN_VALIDITY_MS = 7 * 24 * 3600 * 1000;

/** The kept self-signed certificate, if it is still good for localhost for a week. */
async function keptCertificate(certFile: string, keyFile: string): Promise<{ key: Buffer; cert: Buffer; fingerprint: string } | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    const x = new X509Certificate(cert);
    if (Date.parse(x.validTo) - Date.now() < MIN_VALIDITY_MS || x.checkHost('localhost') === undefined) return undefined;
    return { key, cert, fingerprint: x.fingerprint256 };
  } catch {
    return undefined;
  }
}

/** A self-signed EC certificate for localhost, 127.0.0.1 and ::1, made with the `selfsigned` package. */
async function makeCertificate(): Promise<{ key: string; cert: string }> {
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'edgeproxy (local, self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...LOCAL_NAMES.dns.map((value) => ({ type: 2 as const, value })), ...LOCAL_NAMES.ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * The listener's key and certificate: the configured PEM files, or the self-signed pair in
 * `<stateDir>/https/` (made on first use, and again when it is about to expire).
 */
export async function loadTlsCredentials(l: ResolvedHttpsListener, stateDir: string): Promise<TlsCredentials> {
  if (l.certFile !== undefined && l.keyFile !== undefined) {
    const [cert, key] = await Promise.all([readFile(l.certFile), readFile(l.keyFile)]);
    return { key, cert, selfSigned: undefined };
  }
  const dir = path.join(stateDir, 'https');
  const certFile = path.join(dir, 'localhost-cert.pem');
  const keyFile = path.join(dir, 'localhost-key.pem');
  const kept = await keptCertificate(certFile, keyFile);
  if (kept !== undefined) return { key: kept.key, cert: kept.cert, selfSigned: { certFile, fingerprint: kept.fingerprint, created: false } };
  const made = await makeCertificate();
  await mkdir(dir, { recursive: true });
  await writeFile(keyFile, made.key, { mode: 0o600 });
  await writeFile(certFile, made.cert);
  const cert = Buffer.from(made.cert);
  return { key: Buffer.from(made.key), cert, selfSigned: { certFile, fingerprint: new X509Certificate(cert).fingerprint256, created: true } };
}

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); Node throws on them. Lowercase. */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Per h2 connection: how many requests it has carried (CloudFront-Viewer-TLS's `connectionReused`). */
const sessionRequests = new WeakMap<Http2Session | TLSSocket, number>();

function handshakeOf(key: Http2Session | TLSSocket, tls: TLSSocket): TlsFacts['handshake'] {
  const n = sessionRequests.get(key) ?? 0;
  sessionRequests.set(key, n + 1);
  if (n > 0) return 'connectionReused';
  return tls.isSessionReused() ? 'sessionResumed' : 'fullHandshake';
}

function recordFacts(req: object, key: Http2Session | TLSSocket, tls: TLSSocket): void {
  recordTlsFacts(req, { version: tls.getProtocol() ?? 'unknown', cipher: tls.getCipher()?.standardName ?? 'unknown', handshake: handshakeOf(key, tls) });
}

/**
 * An HTTP/2 request as the pipeline reads an HTTP/1.1 one: the pseudo-headers (`:method`, `:path`,
 * `:scheme`, `:authority`) out of `rawHeaders`, `:authority` as `Host`, and a body without a
 * Content-Length framed as chunked would be (docs/decisions.md). The response drops the status
 * message and the connection-specific headers HTTP/2 does not have.
 */
function adaptHttp2(req: Http2ServerRequest, res: Http2ServerResponse): { req: IncomingMessage; res: ServerResponse } {
  const given = req.rawHeaders;
  const raw: string[] = [];
  let hasHost = false;
  let hasLength = false;
  for (let i = 0; i + 1 < given.length; i += 2) {
    const name = given[i] as string;
    if (name.charCodeAt(0) === 0x3a /* : */) continue;
    if (name === 'host') hasHost = true;
    else if (name === 'content-length') hasLength = true;
    raw.push(name, given[i + 1] as string);
  }
  const authority = req.authority;
  if (!hasHost && authority !== undefined && authority !== '') {
    raw.unshift('host', authority);
    req.headers.host = authority;
  }
  if (!hasLength && !req.stream.endAfterHeaders) raw.push('transfer-encoding', 'chunked');
  Object.defineProperty(req, 'rawHeaders', { value: raw, configurable: true });
  const writeHead = res.writeHead.bind(res);
  const h2WriteHead = (status: number, ...rest: unknown[]): Http2ServerResponse => {
    const headers = rest.length === 0 ? undefined : rest[rest.length - 1];
    if (!Array.isArray(headers)) return writeHead(status);
    const out: string[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) if (!CONNECTION_SPECIFIC.has(String(headers[i]).toLowerCase())) out.push(String(headers[i]), String(headers[i + 1]));
    return writeHead(status, out as unknown as Parameters<typeof writeHead>[1]);
  };
  Object.defineProperty(res, 'writeHead', { value: h2WriteHead, configurable: true });
  // The compat objects offer what the pipeline uses of IncomingMessage / ServerResponse (url, method,
  // httpVersion, rawHeaders, headers, socket, the body stream; writeHead, write, end, destroy).
  return { req: req as unknown as IncomingMessage, res: res as unknown as ServerResponse };
}

export type ViewerRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** HTTP/2 with HTTP/1.1 fallback, or HTTP/1.1 only (`httpVersion: http1.1`). */
export type HttpsListener = Http2SecureServer | HttpsServer;

/**
 * The HTTPS listener: `onRequest` gets every request, HTTP/2 ones adapted (adaptHttp2), each with its
 * TLS facts recorded. HTTP/1.1 over TLS runs Node's own HTTP/1.1 server code, with the viewer limits
 * of the plain listener (config.listen).
 */
export function createHttpsListener(config: ResolvedConfig, creds: TlsCredentials, onRequest: ViewerRequestHandler): HttpsListener {
  if (config.httpVersion === 'http1.1') {
    // docs/cloudfront-reference.md §16: no HTTP/2 offered; node:https is node:http's server over TLS.
    const server = createHttpsServer({ ...viewerServerOptions(config.listen), key: creds.key, cert: creds.cert, ALPNProtocols: ['http/1.1'] }, (req, res) => {
      const tls = req.socket as TLSSocket;
      recordFacts(req, tls, tls);
      onRequest(req, res);
    });
    trackConnections(server);
    return server;
  }
  const server = createSecureServer({
    key: creds.key,
    cert: creds.cert,
    // HTTP/2 where the client offers it through ALPN, HTTP/1.1 otherwise.
    allowHTTP1: true,
    settings: { maxHeaderListSize: DEFAULT_VIEWER_MAX_HEADER_BYTES },
  });
  // The HTTP/1.1 fallback reads these off the server, as node:http's own server does.
  const h1 = server as unknown as Record<string, unknown>;
  h1.maxHeaderSize = DEFAULT_VIEWER_MAX_HEADER_BYTES;
  h1.requireHostHeader = false;
  h1.headersTimeout = config.listen.requestHeadTimeoutMs;
  h1.requestTimeout = 0;
  h1.keepAliveTimeout = config.listen.keepAliveTimeoutMs;
  // An idle HTTP/2 connection is closed (gracefully: streams in flight finish) like an idle HTTP/1.1 one.
  server.on('session', (session: Http2Session) => session.setTimeout(config.listen.keepAliveTimeoutMs, () => session.close()));
  trackConnections(server);
  server.on('request', (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    if (req.httpVersionMajor === 2) {
      const r2 = req as Http2ServerRequest;
      recordFacts(r2, r2.stream.session as Http2Session, r2.stream.session?.socket as TLSSocket);
      const a = adaptHttp2(r2, res as Http2ServerResponse);
      onRequest(a.req, a.res);
      return;
    }
    const tls = req.socket as TLSSocket;
    recordFacts(req, tls, tls);
    onRequest(req as IncomingMessage, res as ServerResponse);
  });
  return server;
}

/**
 * Stops the HTTPS listener: no new connections; HTTP/2 connections get GOAWAY and finish their
 * streams, idle HTTP/1.1 ones close; whatever is left after `graceMs` is cut.
 */
export function closeHttpsListener(server: HttpsListener, graceMs: number): Promise<void> {
  const sockets = httpsSockets.get(server) ?? new Set<TLSSocket>();
  const sessions = httpsSessions.get(server) ?? new Set<Http2Session>();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sessions) s.close();
  const sweep = (): void => {
    // An HTTP/2 connection closes through its session; an HTTP/1.1 one when it has no response in progress.
    for (const s of sockets) if (s.alpnProtocol !== 'h2' && !(s as TLSSocket & { _httpMessage?: unknown })._httpMessage) s.destroy();
  };
  sweep();
  const every = setInterval(sweep, 50);
  const force = setTimeout(() => {
    for (const s of sessions) s.destroy();
    for (const s of sockets) s.destroy();
  }, graceMs);
  return closed.finally(() => {
    clearInterval(every);
    clearTimeout(force);
  });
}

const httpsSockets = new WeakMap<HttpsListener, Set<TLSSocket>>();
const httpsSessions = new WeakMap<HttpsListener, Set<Http2Session>>();

/** Keeps the listener's connections, for closeHttpsListener. */
function trackConnections(server: HttpsListener): void {
  const sockets = new Set<TLSSocket>();
  const sessions = new Set<Http2Session>();
  httpsSockets.set(server, sockets);
  httpsSessions.set(server, sessions);
  server.on('secureConnection', (s: TLSSocket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
}
